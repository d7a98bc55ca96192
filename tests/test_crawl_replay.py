"""End to end against the replay site (a real HTTP server on 127.0.0.1) and a real SQLite store:
the first crawl stores every article once (multi-page ones whole), the second fetches no article,
`pantau crawl --replay --json` and `scrapy crawl news` both work."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from crawlers.replay.server import start_in_thread
from crawlers.replay.site import corpus_site
from crawlers.run import crawl_outlets
from pantau.core.outlets import url_key
from pantau.store import open_store
from pantau.store.tables import CrawlRun, FetchValidator, Page

PROJECT_ROOT = Path(__file__).resolve().parents[1]
# Politeness is for other people's servers; this one is ours and local.
FAST = {"AUTOTHROTTLE_ENABLED": False}


@pytest.fixture(scope="module")
def replay_site():
    site = corpus_site()
    if len(site.articles) < 10:
        pytest.skip("the replay corpus is not written yet (crawlers/replay/corpus/articles)")
    server = start_in_thread(site)
    yield site, server.base_url
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def crawled_twice(replay_site, tmp_path_factory):
    site, base = replay_site
    url = f"sqlite:///{tmp_path_factory.mktemp('crawl') / 'crawl.db'}"
    seen = []
    first = crawl_outlets(None, replay=base, database_url=url, settings=FAST, progress=seen.append)
    second = crawl_outlets(None, replay=base, database_url=url, settings=FAST)
    return site, url, first, second, seen


def test_first_crawl_stores_every_article_once(crawled_twice) -> None:
    site, url, first, _second, seen = crawled_twice
    store = open_store(url)
    with store.session() as session:
        pages = {page.url_key: page for page in session.scalars(select(Page))}
    expected = {url_key(article.url): article for article in site.articles}
    assert set(pages) == set(expected)
    assert sum(record["new"] for record in first) == len(expected)
    assert all(record["failed"] == {} for record in first), first
    assert {record["outlet"] for record in first} == set(site.outlet_ids)
    assert seen and all("fetched" in record for record in seen)
    for key, article in expected.items():
        page = pages[key]
        assert page.outlet_id == article.outlet_id
        assert page.discovered_via in {"news_sitemap", "sitemap", "feed"}
        # Multi-page articles are stored whole: the last paragraph of the last part is there.
        assert _squash(article.data["paragraphs"][-1]) in _page_text(page)
    store.dispose()


def test_multi_page_article_is_one_page_with_every_paragraph(crawled_twice) -> None:
    site, url, *_ = crawled_twice
    multi = [article for article in site.articles if article.parts > 1]
    if not multi:
        pytest.skip("the corpus has no multi-page article yet")
    store = open_store(url)
    with store.session() as session:
        for article in multi:
            page = session.scalars(select(Page).where(Page.url_key == url_key(article.url))).one()
            text = _page_text(page)
            assert all(_squash(paragraph) in text for paragraph in article.data["paragraphs"])
    store.dispose()


def test_second_crawl_fetches_no_article_page(crawled_twice) -> None:
    site, url, first, second, _ = crawled_twice
    assert sum(record["fetched"] for record in second) == 0
    assert sum(record["new"] for record in second) == 0
    # Unchanged sitemaps answer 304: a handful of requests per outlet, none for articles.
    assert sum(record["requests"] for record in second) <= 4 * len(second)
    store = open_store(url)
    with store.session() as session:
        assert session.scalar(select(func.count()).select_from(Page)) == len(site.articles)
        assert session.scalar(select(func.count()).select_from(FetchValidator)) > 0
        runs = session.scalars(select(CrawlRun)).all()
        assert {run.status for run in runs} == {"finished"}
        assert len(runs) == 2 * len(site.outlet_ids)
    store.dispose()


def test_syndicated_copy_is_stored_on_both_outlets(crawled_twice) -> None:
    site, url, *_ = crawled_twice
    copies = [article for article in site.articles if article.data.get("syndicated_from") in site.by_id]
    if not copies:
        pytest.skip("the corpus has no syndicated copy yet")
    store = open_store(url)
    with store.session() as session:
        for copy in copies:
            original = site.by_id[copy.data["syndicated_from"]]
            outlets = set(session.scalars(select(Page.outlet_id).where(Page.url_key.in_([url_key(copy.url), url_key(original.url)]))))
            assert outlets == {copy.outlet_id, original.outlet_id}
    store.dispose()


def test_pantau_crawl_json_with_since_and_max_pages(replay_site, tmp_path) -> None:
    site, base = replay_site
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"}
    outlet = max(site.outlet_ids, key=lambda outlet_id: len(site.by_outlet[outlet_id]))
    command = [sys.executable, "-m", "pantau.cli.main", "crawl", "--replay", base, "--outlet", outlet, "--max-pages", "2", "--no-throttle", "--json"]
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    assert record["outlet"] == outlet and record["new"] == 2 and record["fetched"] == 2
    assert set(record) >= {"discovered", "fetched", "new", "skipped_known", "requests", "failed", "run_id"}
    # --since after every article of the outlet: nothing listed is new enough to fetch.
    newest = max(article.published for article in site.by_outlet[outlet])
    later = (newest.date().replace(year=newest.year + 1)).isoformat()
    result = subprocess.run([*command[:-4], "--since", later, "--no-throttle", "--json"], capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["fetched"] == 0
    # Runs cut short by --max-pages/--since leave their sitemaps unvalidated: the next run finds the rest.
    result = subprocess.run([*command[:-4], "--no-throttle", "--json"], capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr
    rest = json.loads(result.stdout)
    assert rest["new"] == len(site.by_outlet[outlet]) - 2 and rest["skipped_known"] >= 2


def test_scrapy_crawl_from_the_project_folder(replay_site, tmp_path) -> None:
    site, base = replay_site
    outlet = site.outlet_ids[0]
    database_url = f"sqlite:///{tmp_path / 'scrapy.db'}"
    scrapy = Path(sys.executable).with_name("scrapy")
    result = subprocess.run(
        [str(scrapy), "crawl", "news", "-a", f"outlet={outlet}", "-a", f"replay={base}", "-a", f"database_url={database_url}", "-s", "AUTOTHROTTLE_ENABLED=False"],
        cwd=PROJECT_ROOT / "crawlers", capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    store = open_store(database_url)
    with store.session() as session:
        keys = set(session.scalars(select(Page.url_key)))
        run = session.scalars(select(CrawlRun)).one()
    assert keys == {url_key(article.url) for article in site.by_outlet[outlet]}
    assert run.status == "finished" and run.new == len(keys)
    store.dispose()


def _page_text(page: Page) -> str:
    """The visible text of every stored part, whitespace collapsed."""
    from lxml import html

    return " ".join(" ".join(html.fromstring(part).text_content().split()) for part in page.html_parts())


def _squash(text: str) -> str:
    return " ".join(text.split())
