"""The fault suite: a real local server that misbehaves (crawlers/replay/faults.py). The crawl
finishes, every good page is stored (raw bytes as sent), every failure is recorded with its reason,
4xx are not retried, 5xx are retried before they are recorded, and a 429 is waited out once."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import select

from crawlers.replay.faults import FAULT_PAGES, start_fault_server
from crawlers.run import crawl_outlets
from pantau.core.outlets import url_key
from pantau.store import open_store
from pantau.store.tables import CrawlFailure, CrawlRun, Page

RETRY_TIMES = 2
SETTINGS = {
    "AUTOTHROTTLE_ENABLED": False,
    "DOWNLOAD_TIMEOUT": 1.5,
    "DOWNLOAD_MAXSIZE": 200_000,
    "RETRY_TIMES": RETRY_TIMES,
    "PANTAU_RETRY_BACKOFF_BASE": 0.05,
}


fault_times: dict[str, list[float]] = {}


@pytest.fixture(scope="module")
def fault_crawl(tmp_path_factory):
    server = start_fault_server()
    url = f"sqlite:///{tmp_path_factory.mktemp('faults') / 'faults.db'}"
    records = crawl_outlets(["kompas", "okezone", "republika"], replay=server.base_url, database_url=url, settings=SETTINGS)
    store = open_store(url)
    with store.session() as session:
        pages = {page.url_key: page for page in session.scalars(select(Page))}
        failures = list(session.scalars(select(CrawlFailure)))
        runs = list(session.scalars(select(CrawlRun)))
        parts = {key: page.html_parts() for key, page in pages.items()}
    fault_times.update(server.times)
    yield records, pages, parts, failures, runs, server.hits
    store.dispose()
    server.shutdown()
    server.server_close()


def test_crawl_finishes_and_every_good_page_is_stored(fault_crawl) -> None:
    records, pages, _parts, _failures, runs, _hits = fault_crawl
    assert {run.status for run in runs} == {"finished"}
    expected = {url_key(page.real_url) for page in FAULT_PAGES if page.expect == "stored"}
    assert set(pages) == expected
    assert sum(record["new"] for record in records) == len(expected)


def test_every_failure_is_recorded_with_its_reason(fault_crawl) -> None:
    records, _pages, _parts, failures, _runs, _hits = fault_crawl
    recorded = {(url_key(failure.url), failure.reason) for failure in failures}
    for page in FAULT_PAGES:
        if page.expect != "stored":
            assert (url_key(page.real_url), page.expect) in recorded, page.slug
    # Registry sitemaps that do not exist are recorded too (so the entry can be fixed).
    assert ("https://www.republika.co.id/sitemap-news.xml", "http_404") in recorded
    counted = Counter()
    for record in records:
        counted.update(record["failed"])
    assert counted == Counter(failure.reason for failure in failures)


def test_broken_sitemaps_are_recorded_and_their_readable_entries_used(fault_crawl) -> None:
    _records, _pages, _parts, failures, _runs, _hits = fault_crawl
    by_url = {failure.url: failure.reason for failure in failures}
    assert by_url["https://www.kompas.com/sitemap.xml"] == "invalid_sitemap"
    assert by_url["https://www.kompas.com/sitemap-rusak.xml"] == "not_a_sitemap"


def test_client_errors_are_not_retried_server_errors_are(fault_crawl) -> None:
    *_, hits = fault_crawl
    path = {page.slug: f"/{page.outlet}{page.path}" for page in FAULT_PAGES}
    assert hits[path["halaman-hilang"]] == 1
    assert hits[path["halaman-dihapus"]] == 1
    for slug in ("server-galat", "server-sibuk"):
        assert hits[path[slug]] == 1 + RETRY_TIMES, slug
    # A rate limit is waited out once; asked again, it is a wall (tests/test_crawl_blocked.py).
    assert hits[path["terlalu-banyak-permintaan"]] == 2
    # A 503 followed by a 200 is stored after one retry.
    assert hits[path["kadang-gagal"]] == 2


def test_retries_wait_for_retry_after(fault_crawl) -> None:
    *_, hits = fault_crawl
    (limited,) = [page for page in FAULT_PAGES if page.slug == "terlalu-banyak-permintaan"]
    times = fault_times.get(f"/kompas{limited.path}") or []
    assert len(times) == 2
    # The server asked for "Retry-After: 1"; the backoff base here is 0.05 s.
    assert times[1] - times[0] >= 0.95


def test_raw_bytes_are_kept_and_the_declared_charset_recorded(fault_crawl) -> None:
    _records, pages, parts, *_ = fault_crawl
    by_slug = {page.slug: url_key(page.real_url) for page in FAULT_PAGES}
    latin1_declared = pages[by_slug["latin1-padahal-utf8"]]
    assert latin1_declared.headers["declared_charset"] == "iso-8859-1"
    assert "—".encode() in parts[by_slug["latin1-padahal-utf8"]][0]
    utf8_declared = pages[by_slug["utf8-padahal-latin1"]]
    assert utf8_declared.headers["declared_charset"] == "utf-8"
    assert "Dénpasar".encode("latin-1") in parts[by_slug["utf8-padahal-latin1"]][0]
    assert pages[by_slug["tanpa-charset"]].headers["declared_charset"] is None


def test_numbered_pages_are_stored_as_one_page_in_order(fault_crawl) -> None:
    _records, pages, parts, failures, *_ = fault_crawl
    (three,) = [page for page in FAULT_PAGES if page.slug == "artikel-tiga-halaman"]
    key = url_key(three.real_url)
    assert pages[key].part_count == 3
    assert [f"Bagian {n}:".encode() in body for n, body in enumerate(parts[key], start=1)] == [True, True, True]
    # An article whose second part fails is not stored incomplete; the failure names the part.
    (broken,) = [page for page in FAULT_PAGES if page.slug == "halaman-dua-gagal"]
    assert url_key(broken.real_url) not in pages
    assert any(failure.url.endswith("page=2") and "part 2" in failure.detail for failure in failures)


def test_redirects_stay_on_the_outlet(fault_crawl) -> None:
    _records, pages, _parts, failures, *_ = fault_crawl
    (moved,) = [page for page in FAULT_PAGES if page.slug == "pengalihan-dalam-situs"]
    assert pages[url_key(moved.real_url)].final_url.endswith("/artikel-baik-dua")
    offsite = [failure for failure in failures if failure.reason == "offsite_redirect"]
    assert offsite and "evil.example.org" in offsite[0].detail


def test_feed_is_the_fallback_and_tracking_variants_are_fetched_once(fault_crawl) -> None:
    records, pages, *_, hits = fault_crawl
    feed_pages = [page for page in FAULT_PAGES if page.outlet == "republika"]
    for page in feed_pages:
        stored = pages[url_key(page.real_url)]
        assert stored.discovered_via == "feed"
        assert hits[f"/republika{page.path}"] == 1
    (republika,) = [record for record in records if record["outlet"] == "republika"]
    assert republika["discovered"] == len(feed_pages) and republika["new"] == len(feed_pages)


def test_articles_that_failed_for_good_are_not_fetched_again_until_the_recheck_period(tmp_path) -> None:
    server = start_fault_server()
    url = f"sqlite:///{tmp_path / 'recheck.db'}"
    gone = [f"/{page.outlet}{page.path}" for page in FAULT_PAGES if page.slug in ("halaman-hilang", "halaman-dihapus")]
    try:
        first, = crawl_outlets(["kompas"], replay=server.base_url, database_url=url, settings=SETTINGS)
        second, = crawl_outlets(["kompas"], replay=server.base_url, database_url=url, settings=SETTINGS)
        assert [server.hits[path] for path in gone] == [1, 1]
        from crawlers.spiders.news import PERMANENT_REASONS

        failed_for_good = [page for page in FAULT_PAGES if page.outlet == "kompas" and page.expect in PERMANENT_REASONS]
        assert len(failed_for_good) >= len(gone)
        assert second["skipped_known"] == first["skipped_known"] + first["new"] + len(failed_for_good)
        crawl_outlets(["kompas"], replay=server.base_url, database_url=url,
                      settings={**SETTINGS, "PANTAU_RECHECK_FAILED_AFTER_DAYS": 0})
        assert [server.hits[path] for path in gone] == [2, 2]
    finally:
        server.shutdown()
        server.server_close()
