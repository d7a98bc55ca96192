"""The replay site's archives (a real server on 127.0.0.1): each outlet's index pages of a day at its
registry [archive] templates, in markup its selectors read, paginated with the small page size of the
fixtures; every article of a day listed once over its pages; a day with no article; what each outlet
answers past the last page; dated sitemaps; a relisted (already known) article; old detik addresses
that redirect (301) to the current ones."""

from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import urljoin, urlsplit

import httpx
import pytest
from parsel import Selector

from crawlers.discovery import parse_listing
from crawlers.replay.mapping import from_replay, to_replay
from crawlers.replay.server import start_in_thread
from crawlers.replay.site import corpus_site
from pantau.core.outlets import get_outlet, outlet_for_url, url_key
from pantau.core.outlets.archive import is_monthly

SEPTEMBER = [date(2018, 9, 1) + timedelta(days=offset) for offset in range(30)]


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


def index_outlets(site) -> list[str]:
    return [outlet_id for outlet_id in site.outlet_ids if get_outlet(outlet_id).archive and get_outlet(outlet_id).archive.index_pages]


def read_page(client: httpx.Client, base: str, url: str, list_selector: str) -> tuple[int, list[str], Selector | None]:
    """Status, the article links inside the page's list, and the page."""
    response = client.get(to_replay(url, base))
    if response.status_code != 200:
        return response.status_code, [], None
    page = Selector(text=response.text)
    lists = page.css(list_selector)
    assert lists, f"{url}: no element matches the registry's list selector {list_selector!r}"
    hrefs = [urljoin(url, href) for href in lists.xpath("descendant-or-self::a/@href").getall()]
    return 200, [href for href in dict.fromkeys(hrefs) if outlet_for_url(url).is_article_url(href)], page


def test_every_outlet_with_articles_but_komdigi_has_an_archive(served) -> None:
    site, *_ = served
    assert {outlet_id for outlet_id in site.outlet_ids if get_outlet(outlet_id).archive is None} <= {"komdigi"}


def test_index_pages_list_every_article_of_the_day_once_over_their_pages(served) -> None:
    site, base, client = served
    size = site.archive_page_size
    multi_page_days = 0
    for outlet_id in index_outlets(site):
        archive = get_outlet(outlet_id).archive
        for day in SEPTEMBER:
            listed: list[str] = []
            for template in archive.index_pages:
                host = urlsplit(template).hostname if len(archive.index_pages) > 1 else None
                expected = site.archive_links(outlet_id, day, host)
                pages = max(1, -(-len(expected) // size)) if archive.paginated(template) else 1
                multi_page_days += pages > 1
                for number in range(1, pages + 1):
                    url = urljoin(get_outlet(outlet_id).home, archive.index_url(template, day, number))
                    status, links, page = read_page(client, base, url, archive.list_selector)
                    assert status == 200, url
                    listed += links
                    if archive.next_selector and archive.paginated(template):
                        assert bool(page.css(archive.next_selector)) == (number < pages), (url, number, pages)
            expected_keys = [url_key(link.url) for link in site.archive_links(outlet_id, day)]
            assert sorted(url_key(url) for url in listed) == sorted(expected_keys), (outlet_id, day)
    assert multi_page_days >= 2, "the fixtures must have days of several index pages"


def test_a_day_without_articles_is_an_empty_list(served) -> None:
    site, base, client = served
    day = date(2018, 9, 1)
    for outlet_id in index_outlets(site):
        assert not site.archive_links(outlet_id, day)
        archive = get_outlet(outlet_id).archive
        url = urljoin(get_outlet(outlet_id).home, archive.index_url(archive.index_pages[0], day))
        status, links, _page = read_page(client, base, url, archive.list_selector)
        assert (status, links) == (200, []), url


def test_past_the_last_page_each_outlet_has_its_habit(served) -> None:
    site, base, client = served
    kompas, tribun, liputan6, detik = (get_outlet(name).archive for name in ("kompas", "tribunnews", "liputan6", "detik"))
    # Tribun shows its last page again, Liputan6 answers 404, Kompas and detik list nothing.
    tribun_day = next(day for day in SEPTEMBER if site.archive_links("tribunnews", day))
    last_page = read_page(client, base, tribun.index_url(tribun.index_pages[0], tribun_day, 1), tribun.list_selector)[1]
    assert read_page(client, base, tribun.index_url(tribun.index_pages[0], tribun_day, 5), tribun.list_selector)[1] == last_page != []
    assert read_page(client, base, liputan6.index_url(liputan6.index_pages[0], date(2018, 9, 14), 2), liputan6.list_selector)[0] == 404
    assert read_page(client, base, kompas.index_url(kompas.index_pages[0], date(2018, 9, 12), 3), kompas.list_selector)[:2] == (200, [])
    inet = next(template for template in detik.index_pages if "inet." in template)
    assert read_page(client, base, detik.index_url(inet, date(2018, 9, 13), 3), detik.list_selector)[:2] == (200, [])


def test_fixture_days_paginated_relisted_syndicated_and_legacy(served) -> None:
    site, base, client = served
    assert len(site.archive_links("kompas", date(2018, 9, 12))) == 3
    inet = site.archive_links("detik", date(2018, 9, 13), "inet.detik.com")
    assert len(inet) == 3
    # An old /read/ address listed on detik's index; it redirects to the current /berita/d-<id> form.
    legacy = [link for link in inet if "/read/" in link.url]
    assert len(legacy) == 1 and url_key(legacy[0].url) == url_key(legacy[0].article.url)
    # Liputan6 lists, on 18 September, its syndicated copy of ANTARA's story and an article of the 14th again.
    september_18 = {link.article.id: link for link in site.archive_links("liputan6", date(2018, 9, 18))}
    assert set(september_18) == {"liputan6-2018-09-18-facebook-latih-ukm-pontianak-jualan-online", "liputan6-2018-09-14-penipuan-belanja-online-semarang"}
    assert site.by_id["liputan6-2018-09-18-facebook-latih-ukm-pontianak-jualan-online"].data["syndicated_from"] == "antaranews-2018-09-18-laju-digital-pontianak"


def test_old_detik_address_redirects_permanently_to_the_current_one(served) -> None:
    site, base, client = served
    article = site.by_id["detik-2018-09-13-laju-digital-manado"]
    old = f"https://{article.host}{article.legacy_path}"
    assert get_outlet("detik").is_article_url(old) and "/read/2018/09/13/" in old
    response = client.get(to_replay(old + "?single=1", base))
    assert response.status_code == 301
    assert from_replay(urljoin(str(response.url), response.headers["location"]), base) == article.url + "?single=1"
    assert client.get(to_replay(article.url + "?single=1", base)).status_code == 200


def test_dated_sitemaps_list_their_days_articles(served) -> None:
    site, base, client = served
    for outlet_id in site.outlet_ids:
        archive = get_outlet(outlet_id).archive
        for template in archive.sitemaps if archive else ():
            url = urljoin(get_outlet(outlet_id).home, archive.index_url(template, date(2018, 9, 1)))
            response = client.get(to_replay(url, base))
            assert response.status_code == 200, url
            listed = {url_key(entry.url) for entry in parse_listing(response.content).entries}
            days = SEPTEMBER if is_monthly(template) else [date(2018, 9, 1)]
            assert listed == {url_key(a.url) for a in site.by_outlet[outlet_id] if a.archive_day in days}
