"""The `cycle` flow (crawl -> process -> digest when due) and `backfill` (the same over a date range)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from flows.environment import configure_prefect
from pantau.core.config import get_settings
from pantau.core.errors import InputError
from pantau.core.time import last_complete_week, parse_week, week_of

configure_prefect()

from prefect import flow  # noqa: E402

from flows.crawl import crawl_flow  # noqa: E402
from flows.digest import digest_due, digest_flow  # noqa: E402
from flows.process import process_flow  # noqa: E402


@flow(name="cycle")
def cycle_flow(
    outlets: list[str] | None = None,
    replay: str | None = None,
    max_pages: int | None = None,
    throttle: bool = True,
    digest: bool = True,
    send: bool = True,
    now: datetime | None = None,
    dask_address: str | None = None,
    dask_workers: int = 0,
    partitions: int | None = None,
    database_url: str | None = None,
) -> dict[str, Any]:
    """One full cycle: crawl, process what is new, and the last complete week's digest once it is due.

    The digest is due from Monday 08:00 local time on; sending is idempotent, so cycles after that
    only send what an earlier one could not. Returns {"crawl", "process", "digest" (None when not due)}.
    """
    crawled = crawl_flow(outlets=outlets, replay=replay, max_pages=max_pages, throttle=throttle, database_url=database_url)
    processed = run_process(dask_address, dask_workers, partitions, database_url)
    moment = now or datetime.now(UTC)
    zone = get_settings().timezone
    digests = None
    if digest and digest_due(moment, zone):
        digests = digest_flow(week=last_complete_week(moment, zone), send=send, database_url=database_url)
    return {"crawl": crawled, "process": processed, "digest": digests}


@flow(name="backfill")
def backfill_flow(
    start: date,
    end: date | None = None,
    outlets: list[str] | None = None,
    replay: str | None = None,
    max_pages: int | None = None,
    throttle: bool = True,
    send: bool = False,
    dask_address: str | None = None,
    dask_workers: int = 0,
    partitions: int | None = None,
    database_url: str | None = None,
) -> dict[str, Any]:
    """Crawl what the outlets list from `start` on, process it, and make the digest of every ISO week
    from `start` to `end` (default: the last complete week). Digests are previews unless `send`.

    The crawl cannot stop at `end` (sitemaps and feeds list by date from a day on); weeks after `end`
    are simply not digested.
    """
    last = parse_week(last_complete_week()).sunday
    end = min(end, last) if end else last
    if end < start:
        raise InputError(f"backfill from {start} to {end} is empty; "
                         "the end must be on or after the start (and weeks end before the current one)")
    crawled = crawl_flow(
        outlets=outlets, replay=replay, since=start, max_pages=max_pages, throttle=throttle, database_url=database_url
    )
    processed = run_process(dask_address, dask_workers, partitions, database_url)
    digests = [digest_flow(week=week, send=send, database_url=database_url) for week in weeks_between(start, end)]
    return {"crawl": crawled, "process": processed, "digests": digests}


def run_process(dask_address: str | None, dask_workers: int, partitions: int | None, database_url: str | None) -> dict[str, Any]:
    return process_flow(partitions=partitions, dask_address=dask_address, dask_workers=dask_workers, database_url=database_url)


def weeks_between(start: date, end: date) -> list[str]:
    """ISO week labels of every week that has a day in [start, end], in order."""
    weeks, day = [], start - timedelta(days=start.weekday())
    while day <= end:
        weeks.append(week_of(day).label)
        day += timedelta(weeks=1)
    return weeks
