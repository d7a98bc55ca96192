"""The replay site: outlet URLs the registry accepts, discovery documents that list every article,
multi-page and AMP variants, tracking-parameter copies, conditional requests (a real server)."""

from __future__ import annotations

import httpx
import pytest

from crawlers.discovery import parse_listing, robots_sitemaps
from crawlers.replay.mapping import from_replay, to_replay
from crawlers.replay.server import OUTLETS_PATH, start_in_thread
from crawlers.replay.site import corpus_site, multiplied_site
from pantau.core.outlets import url_key


@pytest.fixture(scope="module")
def served():
    site = corpus_site()
    if len(site.articles) < 10:
        pytest.skip("the replay corpus is not written yet (crawlers/replay/corpus/articles)")
    server = start_in_thread(site)
    with httpx.Client(timeout=10) as client:
        yield site, server.base_url, client
    server.shutdown()
    server.server_close()


def get(client: httpx.Client, base: str, real_url: str, **headers: str) -> httpx.Response:
    return client.get(to_replay(real_url, base), headers=headers)


def test_article_urls_are_articles_for_the_registry(served) -> None:
    site, *_ = served
    keys = set()
    for article in site.articles:
        assert article.outlet.owns_host(article.host), article.url
        assert article.outlet.is_article_url(article.url), article.url
        keys.add(url_key(article.url))
    assert len(keys) == len(site.articles)


def test_replay_mapping_round_trips() -> None:
    base = "http://127.0.0.1:8800"
    for url in ("https://www.kompas.com/read/2018/08/14/1/x?page=all", "https://rss.kompas.com/feed/kompas.com", "https://inet.detik.com/berita/d-1/y"):
        assert from_replay(to_replay(url, base), base) == url
    assert to_replay("https://www.kompas.com/robots.txt", base) == base + "/kompas/robots.txt"


def test_discovery_lists_every_article(served) -> None:
    site, base, client = served
    assert set(client.get(base + OUTLETS_PATH).json()) == set(site.outlet_ids)
    listed = set()
    for outlet_id in site.outlet_ids:
        home = f"https://{site.home_host(outlet_id)}"
        robots = get(client, base, home + "/robots.txt")
        assert robots.status_code == 200
        index_url = home + "/sitemap.xml"
        if site.months(outlet_id) and robots_sitemaps(robots.content):
            assert index_url in robots_sitemaps(robots.content)
        index = parse_listing(get(client, base, index_url).content)
        assert index.kind == "index"
        for child in index.entries:
            response = get(client, base, child.url)
            assert response.status_code == 200, child.url
            listed |= {url_key(entry.url) for entry in parse_listing(response.content).entries}
        news = parse_listing(get(client, base, home + "/sitemap-news.xml").content)
        assert news.entries and all(entry.title and entry.published for entry in news.entries)
    assert listed == {url_key(article.url) for article in site.articles}


def test_feeds_link_articles_with_tracking_parameters(served) -> None:
    site, base, client = served
    keys = {url_key(article.url) for article in site.articles}
    for host, path in site.feed_locations():
        response = get(client, base, f"https://{host}{path}")
        assert response.status_code == 200, (host, path)
        entries = parse_listing(response.content).entries
        assert entries
        for entry in entries:
            assert url_key(entry.url) in keys, entry.url


def test_multi_page_amp_and_tracking_variants(served) -> None:
    site, base, client = served
    multi = next((a for a in site.articles if a.parts > 1 and a.outlet.pagination.kind == "all"), None)
    if multi is None:
        pytest.skip("no multi-page article in the corpus yet")
    param, all_value = multi.outlet.pagination.param, multi.outlet.pagination.all_value
    first = get(client, base, multi.url).text
    second = get(client, base, f"{multi.url}?{param}=2").text
    whole = get(client, base, f"{multi.url}?{param}={all_value}").text
    last_paragraph = multi.data["paragraphs"][-1].split('"')[0][:60]
    assert last_paragraph not in first and f"?{param}=2" in first and f"?{param}={all_value}" in first
    assert last_paragraph in whole or multi.parts > 2
    assert get(client, base, f"{multi.url}?{param}=99").status_code == 404
    assert second != first
    tracked = get(client, base, multi.url + "?utm_source=facebook&utm_medium=social").text
    assert tracked == first
    amp = next(a for a in site.articles if a.amp_url)
    amp_page = get(client, base, amp.amp_url)
    assert amp_page.status_code == 200 and "cdn.ampproject.org" in amp_page.text
    assert f'<link rel="canonical" href="{amp.url}">' in amp_page.text


def test_conditional_requests_answer_304(served) -> None:
    site, base, client = served
    url = f"https://{site.home_host(site.outlet_ids[0])}/sitemap.xml"
    response = get(client, base, url)
    etag, modified = response.headers["ETag"], response.headers["Last-Modified"]
    assert get(client, base, url, **{"If-None-Match": etag}).status_code == 304
    assert get(client, base, url, **{"If-Modified-Since": modified}).status_code == 304
    assert get(client, base, url, **{"If-None-Match": '"other"'}).status_code == 200


def test_untrusted_text_is_escaped_in_pages(served) -> None:
    site, base, client = served
    page = get(client, base, site.articles[0].url).text
    # JSON-LD cannot be closed early by article text.
    ld = page.split('<script type="application/ld+json">', 1)[1].split("</script>", 1)[0]
    assert "<" not in ld


def test_unknown_paths_are_404(served) -> None:
    site, base, client = served
    assert client.get(base + "/kompas/read/2018/01/01/1/tidak-ada").status_code == 404
    assert client.get(base + "/tidak-ada-outlet/x").status_code == 404


def test_multiplied_site_has_distinct_urls() -> None:
    if len(corpus_site().articles) < 10:
        pytest.skip("the replay corpus is not written yet")
    site = multiplied_site(1200, ["kompas", "tribunnews"])
    keys = {url_key(article.url) for article in site.articles}
    assert len(keys) == 1200
    assert set(site.outlet_ids) == {"kompas", "tribunnews"}
    assert all(article.outlet.is_article_url(article.url) for article in site.articles)


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize("extra, path, expected", [
    ([], OUTLETS_PATH, "kompas"),
    (["--multiply", "1000", "--outlet", "kompas"], "/kompas/sitemap-news.xml", "<news:publication_date>"),
    (["--faults"], "/kompas/robots.txt", "Sitemap:"),
])
def test_pantau_replay_serve(extra: list[str], path: str, expected: str) -> None:
    import subprocess
    import sys
    import time

    if len(corpus_site().articles) < 10:
        pytest.skip("the replay corpus is not written yet")
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "pantau.cli.main", "replay", "serve", "--port", str(port), *extra],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}{path}", timeout=5)
                break
            except httpx.TransportError:
                assert server.poll() is None, server.stderr.read()
                assert time.monotonic() < deadline, "replay server did not start"
                time.sleep(0.3)
        assert response.status_code == 200 and expected in response.text
    finally:
        server.terminate()
        server.wait(timeout=10)
