"""The `backfill` flow: walk the outlets' archives over a range of past days, one task per (outlet, month),
then process what was fetched and make the digest of every week of the range.

Each task runs `crawlers.backfill.backfill_outlets` for one outlet and the days of one month in the range
(a Scrapy child process, like a crawl task). The months of one outlet run one after the other, so an outlet
is never walked by two processes at once (the crawl's politeness holds); outlets run side by side. Days
already walked are skipped by the task itself, so a retried or re-run flow continues where it stopped.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flows.environment import configure_prefect

configure_prefect()

from prefect import allow_failure, flow, task  # noqa: E402
from prefect.futures import wait  # noqa: E402
from prefect.task_runners import ThreadPoolTaskRunner  # noqa: E402

from crawlers.backfill import backfill_outlets  # noqa: E402
from crawlers.run import resolve_outlets  # noqa: E402
from flows import progress  # noqa: E402
from flows.crawl import CRAWL_CONCURRENCY, CRAWL_RETRIES, CRAWL_RETRY_DELAYS_S, CRAWL_TAG, collect  # noqa: E402
from flows.cycle import run_process, weeks_between  # noqa: E402
from flows.digest import digest_flow  # noqa: E402
from pantau.core.errors import InputError  # noqa: E402
from pantau.core.outlets import get_outlet  # noqa: E402
from pantau.core.time import last_complete_week, parse_week  # noqa: E402
from pantau.store import open_store  # noqa: E402


@task(
    name="backfill-month",
    task_run_name="backfill {outlet_id} {month}",
    retries=CRAWL_RETRIES,
    retry_delay_seconds=CRAWL_RETRY_DELAYS_S,
    tags=[CRAWL_TAG],
)
def backfill_month(
    outlet_id: str,
    month: str,
    first: date,
    last: date,
    replay: str | None = None,
    newest_first: bool = True,
    max_pages: int | None = None,
    throttle: bool = True,
    database_url: str | None = None,
) -> dict[str, Any]:
    """Walk one outlet's archive from `first` to `last` (days of `month`); returns its record (see crawlers.backfill)."""
    report = backfill_outlets(
        [outlet_id], first, last, replay=replay, newest_first=newest_first, max_pages=max_pages, database_url=database_url,
        settings=None if throttle else {"AUTOTHROTTLE_ENABLED": False},
        progress=lambda record: progress.report("backfill", record),
    )
    return {"month": month, **report["outlets"][0]}


@flow(name="backfill", task_runner=ThreadPoolTaskRunner(max_workers=CRAWL_CONCURRENCY))
def backfill_flow(
    start: date,
    end: date | None = None,
    outlets: list[str] | None = None,
    replay: str | None = None,
    max_pages: int | None = None,
    throttle: bool = True,
    newest_first: bool = True,
    send: bool = False,
    dask_address: str | None = None,
    dask_workers: int = 0,
    partitions: int | None = None,
    database_url: str | None = None,
) -> dict[str, Any]:
    """Walk the archives of the outlets (default: every outlet with an [archive], or every outlet a replay
    host serves) from `start` to `end` (default: the last day of the last complete week), process what
    was fetched, and make the digest of every ISO week of the range (previews unless `send`).

    Returns {"backfill": {"outlets": [record per (outlet, month)], "failed": [{"outlet", "error"}]},
    "skipped": [{"outlet", "reason"}], "process", "digests"}.
    """
    last = parse_week(last_complete_week()).sunday
    end = min(end, last) if end else last
    if end < start:
        raise InputError(f"backfill from {start} to {end} is empty; the end must be on or after the start "
                         "(and weeks end before the current one)")
    outlet_ids = resolve_outlets(outlets, replay)
    walkable = [outlet_id for outlet_id in outlet_ids if get_outlet(outlet_id).archive is not None]
    skipped = [{"outlet": outlet_id, "reason": "no [archive] entry in the registry"}
               for outlet_id in outlet_ids if outlet_id not in walkable]
    # Migrate a new store once here: parallel backfill processes would each try to create its tables.
    open_store(database_url).dispose()
    names, futures = [], []
    for outlet_id in walkable:
        previous = None
        for month, first, last_day in months_between(start, end, newest_first):
            future = backfill_month.submit(
                outlet_id, month, first, last_day, replay=replay, newest_first=newest_first, max_pages=max_pages,
                throttle=throttle, database_url=database_url,
                # One month after the other for an outlet, even when one of them failed.
                wait_for=[allow_failure(previous)] if previous is not None else None,
            )
            names.append(f"{outlet_id} {month}")
            futures.append(future)
            previous = future
    wait(futures)
    walked = collect(names, futures)
    processed = run_process(dask_address, dask_workers, partitions, database_url)
    digests = [digest_flow(week=week, send=send, database_url=database_url) for week in weeks_between(start, end)]
    return {"backfill": walked, "skipped": skipped, "process": processed, "digests": digests}


def months_between(start: date, end: date, newest_first: bool = True) -> list[tuple[str, date, date]]:
    """(month label, first day, last day) of every month with a day in [start, end], cut to the range."""
    months, first = [], start
    while first <= end:
        following = (first.replace(day=1) + timedelta(days=32)).replace(day=1)
        last = min(end, following - timedelta(days=1))
        months.append((f"{first:%Y-%m}", first, last))
        first = following
    return months[::-1] if newest_first else months
