"""Deployments of the flows with their schedules, for `pantau serve` (flow.serve / prefect.serve).

- crawl: hourly (cron, local time zone), and the processing of what it stored right after it, in the
  same flow run (the cycle flow without its digest);
- digest: every Monday 08:00 Asia/Jakarta (the configured time zone), sending to subscribers;
- process, cycle and backfill: no schedule, run them from the UI or `prefect deployment run`.
Crawl and process deployments run one flow run at a time (later ones wait in the queue).

Why processing follows the crawl inside one flow run rather than through an event trigger on the
crawl deployment: Prefect 3.9's trigger service orders each flow run's events, and a run created by
the scheduler has no event for its Scheduled state, so the events of every scheduled crawl run are held
back for 15 minutes (PRECEDING_EVENT_LOOKBACK) before a trigger sees them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flows.environment import configure_prefect

configure_prefect()

from prefect.client.schemas.objects import ConcurrencyLimitConfig, ConcurrencyLimitStrategy  # noqa: E402
from prefect.deployments.runner import EntrypointType  # noqa: E402
from prefect.schedules import Cron  # noqa: E402

from flows.backfill import backfill_flow  # noqa: E402
from flows.cycle import cycle_flow  # noqa: E402
from flows.digest import digest_flow  # noqa: E402
from flows.process import process_flow  # noqa: E402

HOURLY = "0 * * * *"
MONDAY_0800 = "0 8 * * 1"
CRAWL_DEPLOYMENT = "pantau-crawl-hourly"
PROCESS_DEPLOYMENT = "pantau-process"
DIGEST_DEPLOYMENT = "pantau-digest-weekly"
CYCLE_DEPLOYMENT = "pantau-cycle"
BACKFILL_DEPLOYMENT = "pantau-backfill"
TAGS = ["pantau"]


@dataclass(frozen=True)
class ServeOptions:
    """What `pantau serve` may change: the schedules and where crawls and processing go."""

    crawl_cron: str = HOURLY
    digest_cron: str = MONDAY_0800
    time_zone: str = "Asia/Jakarta"
    replay: str | None = None
    throttle: bool = True
    max_pages: int | None = None
    send: bool = True
    dask_address: str | None = None
    dask_workers: int = 0


def one_at_a_time() -> ConcurrencyLimitConfig:
    return ConcurrencyLimitConfig(limit=1, collision_strategy=ConcurrencyLimitStrategy.ENQUEUE)


def build_deployments(options: ServeOptions) -> list[Any]:
    """The RunnerDeployments to serve; entrypoints are module paths, so any working directory works."""
    crawl_parameters = {"replay": options.replay, "throttle": options.throttle, "max_pages": options.max_pages}
    dask_parameters = {"dask_address": options.dask_address, "dask_workers": options.dask_workers}
    common: dict[str, Any] = {"entrypoint_type": EntrypointType.MODULE_PATH, "tags": TAGS}
    return [
        cycle_flow.to_deployment(
            name=CRAWL_DEPLOYMENT, schedules=[Cron(options.crawl_cron, timezone=options.time_zone)],
            parameters={**crawl_parameters, **dask_parameters, "digest": False}, concurrency_limit=one_at_a_time(),
            description="Crawl every outlet for new articles, then process what was stored.", **common,
        ),
        process_flow.to_deployment(
            name=PROCESS_DEPLOYMENT, parameters=dask_parameters, concurrency_limit=one_at_a_time(),
            description="Make articles of the stored pages that have none of the current pipeline version.", **common,
        ),
        digest_flow.to_deployment(
            name=DIGEST_DEPLOYMENT, schedules=[Cron(options.digest_cron, timezone=options.time_zone)],
            parameters={"send": options.send}, description="The weekly digest of every campaign to its subscribers.", **common,
        ),
        cycle_flow.to_deployment(
            name=CYCLE_DEPLOYMENT, parameters={**crawl_parameters, **dask_parameters, "send": options.send},
            description="Crawl, process and (when due) send the digest, now.", **common,
        ),
        backfill_flow.to_deployment(
            name=BACKFILL_DEPLOYMENT, parameters={"replay": options.replay, "throttle": options.throttle, **dask_parameters},
            description="Walk the outlets' archives over a past date range (give start, and end), process and digest it.",
            **common,
        ),
    ]
