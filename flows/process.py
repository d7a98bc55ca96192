"""The `process` flow: stored pages -> articles and tags, in batches, resumable, optionally on Dask.

The pages that need work (no article from the current pipeline version) are split into contiguous
partitions of page ids, one task per partition. Each task processes its pages in batches of one
transaction each (pipeline.process), so a crash or a retry loses at most the batch in flight and no
page is ever made into two articles: partitions never share a page, and the store's unique url_key
turns a repeated page into an update. With the default thread runner there is one partition; with a Dask
address or a number of local Dask workers, the partitions run in parallel there (prefect-dask).
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Sequence
from typing import Any

from flows.environment import configure_prefect
from pantau.core.config import get_settings
from pantau.store import open_store
from pipeline.analysis import Analyzer
from pipeline.process import pages_to_process, process_pages
from pipeline.version import pipeline_version

configure_prefect()

from prefect import flow, task  # noqa: E402
from prefect.futures import wait  # noqa: E402
from prefect.runtime import task_run  # noqa: E402
from prefect.task_runners import ThreadPoolTaskRunner  # noqa: E402

from flows import progress  # noqa: E402

REPORT_COUNTS = ("pages", "articles", "not_articles", "duplicates", "stories")
REPORT_COUNTERS = ("failed", "matched")
# Partitions of a run on a remote Dask cluster when none are asked for: more than one per worker
# evens out partitions that happen to hold slow pages.
REMOTE_PARTITIONS = 8


@task(name="pending-pages")
def pending_pages(limit: int | None = None, reprocess: bool = False, database_url: str | None = None) -> list[int]:
    """Ids of the pages without an article of the current pipeline version (all pages with `reprocess`)."""
    store = open_store(database_url)
    try:
        with store.session() as session:
            return pages_to_process(session, pipeline_version(), reprocess, limit)
    finally:
        store.dispose()


def partition_run_name() -> str:
    page_ids = task_run.parameters.get("page_ids") or []
    return f"process pages {page_ids[0]}-{page_ids[-1]}" if page_ids else "process pages (none)"


@task(name="process-partition", task_run_name=partition_run_name, retries=1, retry_delay_seconds=10)
def process_partition(
    page_ids: list[int],
    reprocess: bool = False,
    batch_size: int | None = None,
    workers: int | None = None,
    database_url: str | None = None,
) -> dict[str, Any]:
    """Process these pages batch by batch; on a retry, only the ones still pending."""
    store = open_store(database_url)
    advanced = 0

    def advance(done: int, _total: int) -> None:
        nonlocal advanced
        progress.report("process", {"advance": done - advanced})
        advanced = done

    try:
        report = process_pages(
            store, page_ids=page_ids, reprocess=reprocess, batch_size=batch_size, workers=workers,
            analyzer=shared_analyzer(), progress=advance,
        )
        return report.as_dict()
    finally:
        store.dispose()


_analyzers: dict[tuple, Any] = {}
_analyzer_lock = threading.Lock()


def shared_analyzer() -> Any:
    """One Analyzer per process (models load once per worker), remade when the campaigns file changes."""
    settings = get_settings()
    campaigns = settings.campaigns_file
    key = (str(campaigns), campaigns.stat().st_mtime_ns if campaigns.exists() else None, settings.embedding.model,
           str(settings.models_dir))
    with _analyzer_lock:
        if key not in _analyzers:
            _analyzers.clear()
            _analyzers[key] = Analyzer()
        return _analyzers[key]


def partition(page_ids: Sequence[int], parts: int) -> list[list[int]]:
    """`parts` contiguous, non-empty runs of ids of nearly equal size (fewer when there are fewer ids)."""
    ids = list(page_ids)
    parts = max(1, min(parts, len(ids)))
    size, extra = divmod(len(ids), parts)
    runs, start = [], 0
    for index in range(parts):
        end = start + size + (1 if index < extra else 0)
        runs.append(ids[start:end])
        start = end
    return [run for run in runs if run]


def merge_reports(reports: Sequence[dict[str, Any]], version: str) -> dict[str, Any]:
    merged: dict[str, Any] = {"pipeline_version": version, **dict.fromkeys(REPORT_COUNTS, 0)}
    counters = {key: Counter() for key in REPORT_COUNTERS}
    for report in reports:
        for key in REPORT_COUNTS:
            merged[key] += report[key]
        for key in REPORT_COUNTERS:
            counters[key].update(report[key])
    merged.update({key: dict(counter) for key, counter in counters.items()})
    return merged


def run_partitions(page_ids: Sequence[int], partitions: int, reprocess: bool, batch_size: int | None,
                   workers: int | None, database_url: str | None) -> dict[str, Any]:
    """Submit one task per partition to the current flow's task runner; the summed report."""
    futures = [
        process_partition.submit(run, reprocess=reprocess, batch_size=batch_size, workers=workers, database_url=database_url)
        for run in partition(page_ids, partitions)
    ]
    wait(futures)
    # A partition that failed even after its retry fails the flow run; its committed batches stay.
    return merge_reports([future.result() for future in futures], pipeline_version())


@flow(name="process-on-dask")
def process_on_dask(page_ids: list[int], partitions: int, reprocess: bool = False, batch_size: int | None = None,
                    workers: int | None = None, database_url: str | None = None) -> dict[str, Any]:
    """The partitions of a process run, run by the Dask task runner this flow is given (see process_flow)."""
    return run_partitions(page_ids, partitions, reprocess, batch_size, workers, database_url)


@flow(name="process", task_runner=ThreadPoolTaskRunner(max_workers=1))
def process_flow(
    limit: int | None = None,
    reprocess: bool = False,
    partitions: int | None = None,
    batch_size: int | None = None,
    workers: int | None = None,
    dask_address: str | None = None,
    dask_workers: int = 0,
    database_url: str | None = None,
) -> dict[str, Any]:
    """Make the articles of the pages that need it; returns the summed report (pipeline.process.ProcessReport).

    On Dask when asked: `dask_address` (a running scheduler, e.g. tcp://10.0.0.5:8786) or
    `dask_workers` > 0 (a local cluster of that many worker processes). `partitions` defaults to one per
    local Dask worker, REMOTE_PARTITIONS on a remote scheduler, and 1 without Dask.
    `workers` is the number of extraction processes per partition (default: the process.workers setting).
    """
    page_ids = pending_pages(limit=limit, reprocess=reprocess, database_url=database_url)
    progress.report("process", {"total": len(page_ids)})
    on_dask = bool(dask_address) or dask_workers > 0
    if partitions is None:
        partitions = (REMOTE_PARTITIONS if dask_address else dask_workers) if on_dask else 1
    if not on_dask:
        return run_partitions(page_ids, partitions, reprocess, batch_size, workers, database_url)
    if not page_ids:
        # Nothing to do: no reason to start a cluster.
        return run_partitions(page_ids, partitions, reprocess, batch_size, workers, database_url)
    on_cluster = process_on_dask.with_options(task_runner=dask_task_runner(dask_address, dask_workers or 2))
    return on_cluster(
        page_ids, partitions, reprocess=reprocess, batch_size=batch_size, workers=workers, database_url=database_url
    )


def dask_task_runner(address: str | None = None, workers: int = 2) -> Any:
    """A prefect-dask task runner: on the Dask scheduler at `address`, else a local cluster of `workers` processes."""
    import dask  # noqa: PLC0415 - heavy: Dask (~1 s) loads only for a run on a Dask cluster
    from prefect_dask import DaskTaskRunner  # noqa: PLC0415 - heavy: Dask (~1 s) loads only for a run on a Dask cluster

    # Extraction runs each page in a child process (with a time limit); Dask's default daemonic
    # worker processes may not have children. Workers of a remote cluster need the same setting
    # (DASK_DISTRIBUTED__WORKER__DAEMON=False, see docs/scale-out.md).
    dask.config.set({"distributed.worker.daemon": False})
    if address:
        return DaskTaskRunner(address=address)
    return DaskTaskRunner(
        cluster_kwargs={"n_workers": workers, "threads_per_worker": 1, "processes": True, "dashboard_address": None}
    )
