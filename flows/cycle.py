"""The `cycle` flow: crawl -> process -> digest when due (the `backfill` flow over past days is flows/backfill.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from flows.environment import configure_prefect
from pantau.core.config import get_settings
from pantau.core.time import last_complete_week, week_of

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


def run_process(dask_address: str | None, dask_workers: int, partitions: int | None, database_url: str | None) -> dict[str, Any]:
    return process_flow(partitions=partitions, dask_address=dask_address, dask_workers=dask_workers, database_url=database_url)


def weeks_between(start: date, end: date) -> list[str]:
    """ISO week labels of every week that has a day in [start, end], in order."""
    weeks, day = [], start - timedelta(days=start.weekday())
    while day <= end:
        weeks.append(week_of(day).label)
        day += timedelta(weeks=1)
    return weeks
