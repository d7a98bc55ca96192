"""Deployments of the flows with their schedules, for `pantau serve` (flow.serve / prefect.serve).

- crawl: hourly (cron, local time zone);
- process: after each crawl, through an event trigger on the crawl deployment's completed runs;
- digest: every Monday 08:00 Asia/Jakarta (the configured time zone), sending to subscribers;
- cycle and backfill: no schedule, run them from the UI or `prefect deployment run`.
Crawl and process deployments run one flow run at a time (later ones wait in the queue).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flows.environment import configure_prefect

configure_prefect()

from prefect.client.schemas.objects import ConcurrencyLimitConfig, ConcurrencyLimitStrategy  # noqa: E402
from prefect.deployments.runner import EntrypointType  # noqa: E402
from prefect.events import DeploymentEventTrigger  # noqa: E402
from prefect.schedules import Cron  # noqa: E402

from flows.crawl import crawl_flow  # noqa: E402
from flows.cycle import backfill_flow, cycle_flow  # noqa: E402
from flows.digest import digest_flow  # noqa: E402
from flows.process import process_flow  # noqa: E402

HOURLY = "0 * * * *"
MONDAY_0800 = "0 8 * * 1"
CRAWL_DEPLOYMENT = "pantau-crawl-hourly"
PROCESS_DEPLOYMENT = "pantau-process-after-crawl"
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


def after_crawl_trigger() -> DeploymentEventTrigger:
    """Fires when a flow run of the crawl deployment completes."""
    return DeploymentEventTrigger(
        name="process after each crawl",
        expect={"prefect.flow-run.Completed"},
        match_related={"prefect.resource.role": "deployment", "prefect.resource.name": CRAWL_DEPLOYMENT},
    )


def build_deployments(options: ServeOptions) -> list[Any]:
    """The RunnerDeployments to serve; entrypoints are module paths, so any working directory works."""
    crawl_parameters = {"replay": options.replay, "throttle": options.throttle, "max_pages": options.max_pages}
    dask_parameters = {"dask_address": options.dask_address, "dask_workers": options.dask_workers}
    common: dict[str, Any] = {"entrypoint_type": EntrypointType.MODULE_PATH, "tags": TAGS}
    return [
        crawl_flow.to_deployment(
            name=CRAWL_DEPLOYMENT, schedules=[Cron(options.crawl_cron, timezone=options.time_zone)],
            parameters=crawl_parameters, concurrency_limit=one_at_a_time(),
            description="Crawl every outlet for new articles.", **common,
        ),
        process_flow.to_deployment(
            name=PROCESS_DEPLOYMENT, triggers=[after_crawl_trigger()], parameters=dask_parameters,
            concurrency_limit=one_at_a_time(), description="Make articles of the pages each crawl stored.", **common,
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
            description="Crawl, process and digest a past date range (give start, and end).", **common,
        ),
    ]
