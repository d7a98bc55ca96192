"""Blocked crawls over real HTTP on 127.0.0.1 (crawlers/replay/faults.py's walled outlets): each walled
outlet is stopped after `crawl.blocked_after` walls in a row with the right reason, no wall is stored as
a page, the walled articles are asked for again on the next crawl, other outlets are crawled as usual,
and the reason shows in `pantau crawl` (table and --json), the API and the digest footer."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from crawlers.blocking import LABELS, REASON_PREFIX
from crawlers.replay.faults import WALL_ARTICLES, WALL_SITES, start_fault_server
from crawlers.run import crawl_outlets
from crawlers.spiders.news import PERMANENT_REASONS
from pantau.core.campaigns import parse_campaigns
from pantau.core.config import get_settings
from pantau.core.outlets import get_outlet, url_key
from pantau.core.time import time_zone
from pantau.read.digest import build_digest, render_digest
from pantau.store import open_store
from pantau.store.crawl_status import blocked_outlets
from pantau.store.tables import CrawlFailure, CrawlRun, Page
from web.app import create_app

# A small delay between requests, as AutoThrottle keeps on a real crawl: with none, Scrapy 2.19 (asyncio
# reactor) sends every request queued for a domain at once, whatever CONCURRENT_REQUESTS_PER_DOMAIN says.
SETTINGS = {"AUTOTHROTTLE_ENABLED": False, "DOWNLOAD_DELAY": 0.1, "RETRY_TIMES": 2, "PANTAU_RETRY_BACKOFF_BASE": 0.05, "DOWNLOAD_TIMEOUT": 5}
LIMIT = 3  # crawl.blocked_after's default
KIND_OF = {f"blocked: {label}": kind for kind, label in LABELS.items()}
CAMPAIGN_TOML = """
[[campaign]]
id = "laju-digital"
name = "Laju Digital"
query = '"laju digital"'
description = "Seminar Facebook untuk UKM di 15 kota."
start = 2018-01-01
digest_language = "{language}"
"""


@pytest.fixture(scope="module")
def walled(tmp_path_factory):
    server = start_fault_server()
    url = f"sqlite:///{tmp_path_factory.mktemp('walled') / 'walled.db'}"
    records = crawl_outlets([*WALL_SITES, "republika"], replay=server.base_url, database_url=url, settings=SETTINGS)
    store = open_store(url)
    with store.session() as session:
        pages = list(session.scalars(select(Page)))
        failures = [tuple(row) for row in session.execute(
            select(CrawlFailure, CrawlRun.outlet_id).join(CrawlRun, CrawlRun.id == CrawlFailure.crawl_run_id))]
        runs = {run.outlet_id: run for run in session.scalars(select(CrawlRun))}
        session.expunge_all()
    yield {"records": {record["outlet"]: record for record in records}, "pages": pages, "runs": runs,
           "failures": failures,
           "hits": dict(server.hits), "times": dict(server.times), "store": store, "url": url}
    store.dispose()
    server.shutdown()
    server.server_close()


def article_hits(walled, site) -> dict[str, int]:
    return {path: walled["hits"].get(f"/{site.outlet}{path}", 0) for path in site.articles()}


def test_each_walled_outlet_is_stopped_with_its_reason(walled) -> None:
    for outlet_id, site in WALL_SITES.items():
        record, run = walled["records"][outlet_id], walled["runs"][outlet_id]
        assert record["status"] == "blocked" and run.status == "blocked", outlet_id
        assert record["blocked"]["reason"] == site.reason, outlet_id
        stored = run.options["blocked"]
        assert stored["reason"] == site.reason and stored["kind"] == KIND_OF[site.reason]
        assert datetime.fromisoformat(stored["at"]) <= run.finished_at
        # The first blocked crawl of the outlet: blocked since now.
        assert record["blocked"]["since"] == stored["at"]
        assert stored["responses"] == LIMIT


def test_no_wall_is_stored_and_walled_articles_are_failures_to_ask_again(walled) -> None:
    stored_outlets = {page.outlet_id for page in walled["pages"]}
    assert not stored_outlets & set(WALL_SITES)
    for outlet_id, site in WALL_SITES.items():
        reason = REASON_PREFIX + KIND_OF[site.reason]
        mine = [failure for failure, owner in walled["failures"] if owner == outlet_id and failure.reason.startswith(REASON_PREFIX)]
        assert mine and {failure.reason for failure in mine} == {reason}, outlet_id
        assert len(mine) == walled["records"][outlet_id]["failed"][reason]
        assert reason not in PERMANENT_REASONS
        assert all(site.reason in failure.detail for failure in mine)
        if not site.whole_site:
            walled_keys = {url_key(failure.url) for failure in mine}
            assert walled_keys <= {url_key(site.real_url(path)) for path in site.articles()}
    # The whole-site wall is met on robots.txt and the sitemaps: no article is ever listed.
    assert walled["records"]["cnnindonesia"]["discovered"] == 0
    assert walled["hits"]["/cnnindonesia/robots.txt"] == 1
    # What the run counts as requests is what reached the server.
    for outlet_id in WALL_SITES:
        sent = sum(count for path, count in walled["hits"].items() if path.startswith(f"/{outlet_id}/"))
        assert walled["records"][outlet_id]["requests"] == sent, outlet_id


def test_the_crawl_of_a_walled_outlet_stops_politely(walled) -> None:
    per_domain = get_settings().crawl.concurrent_requests_per_domain
    for site in WALL_SITES.values():
        if site.whole_site:
            continue
        hits = article_hits(walled, site)
        sent = sum(1 for count in hits.values() if count)
        # The walls in a row, and what was already on its way when the last one came back.
        assert LIMIT <= sent < WALL_ARTICLES, (site.outlet, hits)
        assert sent <= LIMIT + 3 * per_domain, (site.outlet, hits)
        if site.behaviour != "rate_limit":
            assert set(hits.values()) <= {0, 1}, (site.outlet, hits)
    # A 429 (Retry-After: 1) holds every request to the outlet for a second, once; a 429 after that is a wall.
    limited = WALL_SITES["liputan6"]
    assert set(article_hits(walled, limited).values()) <= {0, 1, 2}
    sent = sorted(moment for path in limited.articles() for moment in walled["times"].get(f"/liputan6{path}", []))
    assert max(later - earlier for earlier, later in zip(sent, sent[1:], strict=False)) >= 0.95


def test_other_outlets_are_crawled_as_usual(walled) -> None:
    record = walled["records"]["republika"]
    assert record["status"] == "finished" and record["blocked"] is None
    assert record["new"] == 2 == sum(1 for page in walled["pages"] if page.outlet_id == "republika")


def test_the_api_names_the_blocked_outlets(walled) -> None:
    client = TestClient(create_app(walled["store"]))
    response = client.get("/api/crawl/status")
    assert response.status_code == 200
    blocked = {entry["outlet_id"]: entry for entry in response.json()["blocked"]}
    assert set(blocked) == set(WALL_SITES)
    for outlet_id, site in WALL_SITES.items():
        assert blocked[outlet_id]["reason"] == site.reason
        assert blocked[outlet_id]["outlet"] == get_outlet(outlet_id).name
        assert blocked[outlet_id]["since"] == walled["records"][outlet_id]["blocked"]["since"]
        since = datetime.fromisoformat(blocked[outlet_id]["since"]).astimezone(time_zone())
        assert blocked[outlet_id]["since_day"] == since.date().isoformat()


@pytest.mark.parametrize(("language", "words"), [("id", "tidak terjangkau sejak"), ("en", "not reached since")])
def test_the_digest_footer_names_the_blocked_outlets(walled, language, words) -> None:
    (campaign,) = parse_campaigns(CAMPAIGN_TOML.format(language=language))
    with walled["store"].session() as session:
        digest = build_digest(session, campaign, "2024-W03")
    rendered = render_digest(digest)
    day = datetime.fromisoformat(walled["records"]["detik"]["blocked"]["since"]).astimezone(time_zone()).date().isoformat()
    assert f"detikcom {words} {day}." in rendered.text
    assert f"detikcom {words} {day}." in rendered.html
    for outlet_id in WALL_SITES:
        assert get_outlet(outlet_id).name in rendered.text.split("--")[-1]
    assert "Republika" not in rendered.text.split("--")[-1]


def test_walled_articles_are_fetched_once_the_wall_is_gone(tmp_path) -> None:
    server = start_fault_server()
    url = f"sqlite:///{tmp_path / 'again.db'}"
    try:
        first = {r["outlet"]: r for r in crawl_outlets(["tempo", "detik"], replay=server.base_url, database_url=url, settings=SETTINGS)}
        second = {r["outlet"]: r for r in crawl_outlets(["tempo", "detik"], replay=server.base_url, database_url=url, settings=SETTINGS)}
        for outlet_id in ("tempo", "detik"):
            assert first[outlet_id]["status"] == second[outlet_id]["status"] == "blocked"
            # Still blocked: since the first blocked crawl, not the latest.
            assert second[outlet_id]["blocked"]["since"] == first[outlet_id]["blocked"]["at"]
            assert second[outlet_id]["skipped_known"] == 0
        server.walls_up = False
        third = {r["outlet"]: r for r in crawl_outlets(["tempo", "detik"], replay=server.base_url, database_url=url, settings=SETTINGS)}
        for outlet_id in ("tempo", "detik"):
            assert third[outlet_id]["status"] == "finished" and third[outlet_id]["blocked"] is None
            assert third[outlet_id]["new"] == WALL_ARTICLES
        store = open_store(url)
        try:
            with store.session() as session:
                assert blocked_outlets(session) == []
        finally:
            store.dispose()
    finally:
        server.shutdown()
        server.server_close()


def test_pantau_crawl_shows_the_reason_in_json_and_in_its_table(tmp_path, monkeypatch) -> None:
    from pantau.cli.main import load_commands

    server = start_fault_server()
    monkeypatch.setenv("COLUMNS", "250")
    try:
        app = load_commands()
        outcome = CliRunner().invoke(app, ["crawl", "--replay", server.base_url, "--outlet", "tempo", "--outlet", "republika", "--no-throttle", "--json"])
        assert outcome.exit_code == 0, outcome.output
        result = json.loads(outcome.stdout.strip().splitlines()[-1])
        assert result["blocked"] == {"tempo": "blocked: HTTP 403"}
        by_outlet = {record["outlet"]: record for record in result["outlets"]}
        assert by_outlet["tempo"]["status"] == "blocked" and by_outlet["tempo"]["blocked"]["since"]
        assert by_outlet["republika"]["status"] == "finished" and by_outlet["republika"]["blocked"] is None
        table = CliRunner().invoke(app, ["crawl", "--replay", server.base_url, "--outlet", "tempo", "--no-throttle"])
        assert table.exit_code == 0, table.output
        line = next(line for line in table.stdout.splitlines() if "tempo" in line)
        since = datetime.fromisoformat(by_outlet["tempo"]["blocked"]["since"]).astimezone(time_zone())
        assert f"blocked: HTTP 403 since {since:%Y-%m-%d %H:%M}" in line
    finally:
        server.shutdown()
        server.server_close()
