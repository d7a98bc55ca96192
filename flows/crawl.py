"""The `crawl` flow: one task per outlet, retried, a bounded number at a time.

Each task runs `crawlers.run.crawl_outlets` for one outlet (a Scrapy child process, so tasks can run
side by side in threads). An outlet that still fails after its retries is reported and the others go
on. On a shared Prefect server, `prefect concurrency-limit create pantau-crawl N` bounds the crawl
tasks of every worker together (docs/scale-out.md).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from crawlers.run import crawl_outlets, resolve_outlets
from flows.environment import configure_prefect
from pantau.store import open_store

configure_prefect()

from prefect import flow, task  # noqa: E402
from prefect.futures import wait  # noqa: E402
from prefect.task_runners import ThreadPoolTaskRunner  # noqa: E402

from flows import progress  # noqa: E402

CRAWL_TAG = "pantau-crawl"
# Outlets crawled at the same time by one flow run: each is a Scrapy process, polite per domain.
CRAWL_CONCURRENCY = 4
CRAWL_RETRIES = 2
CRAWL_RETRY_DELAYS_S = [30, 120]


@task(
    name="crawl-outlet",
    task_run_name="crawl {outlet_id}",
    retries=CRAWL_RETRIES,
    retry_delay_seconds=CRAWL_RETRY_DELAYS_S,
    tags=[CRAWL_TAG],
)
def crawl_outlet(
    outlet_id: str,
    replay: str | None = None,
    since: date | None = None,
    max_pages: int | None = None,
    throttle: bool = True,
    database_url: str | None = None,
) -> dict[str, Any]:
    """Crawl one outlet; returns its run record (see crawlers.run)."""
    settings = None if throttle else {"AUTOTHROTTLE_ENABLED": False}
    records = crawl_outlets(
        [outlet_id], replay=replay, since=since, max_pages=max_pages, database_url=database_url,
        settings=settings, progress=lambda record: progress.report("crawl", record),
    )
    return records[0]


@flow(name="crawl", task_runner=ThreadPoolTaskRunner(max_workers=CRAWL_CONCURRENCY))
def crawl_flow(
    outlets: list[str] | None = None,
    replay: str | None = None,
    since: date | None = None,
    max_pages: int | None = None,
    throttle: bool = True,
    database_url: str | None = None,
) -> dict[str, Any]:
    """Crawl the outlets (default: the whole registry, or every outlet a replay host serves).

    Returns {"outlets": [run record per crawled outlet], "failed": [{"outlet", "error"}]}.
    `throttle=False` turns AutoThrottle off: only for a replay host you run yourself.
    """
    outlet_ids = resolve_outlets(outlets, replay)
    # Migrate a new store once here: parallel crawl processes would each try to create its tables.
    open_store(database_url).dispose()
    futures = [
        crawl_outlet.submit(
            outlet_id, replay=replay, since=since, max_pages=max_pages, throttle=throttle, database_url=database_url
        )
        for outlet_id in outlet_ids
    ]
    wait(futures)
    return collect(outlet_ids, futures)


def collect(outlet_ids: list[str], futures: list[Any]) -> dict[str, Any]:
    """Run records of the outlets that were crawled; the error of those that were not."""
    crawled, failed = [], []
    for outlet_id, future in zip(outlet_ids, futures, strict=True):
        state = future.state
        if state.is_completed():
            crawled.append(state.result())
        else:
            failed.append({"outlet": outlet_id, "error": failure_message(state)})
    return {"outlets": crawled, "failed": failed}


def failure_message(state: Any) -> str:
    try:
        state.result()
    except BaseException as error:  # noqa: BLE001 - we want its message, whatever it is
        return f"{type(error).__name__}: {error}".splitlines()[0]
    return state.message or state.name
