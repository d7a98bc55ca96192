"""Discovery documents and crawl helpers, on small real inputs."""

from __future__ import annotations

import gzip
from datetime import UTC, date, datetime

import pytest

from crawlers.discovery import NotADiscoveryDocument, is_before, parse_listing, robots_sitemaps
from crawlers.middlewares import parse_retry_after, retry_delay
from crawlers.spiders.news import first_part_url, with_query_param
from pantau.core.outlets import get_outlet

NEWS_SITEMAP = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
  <url><loc>https://www.kompas.com/read/2023/11/02/21341911/literasi-digital</loc>
    <news:news><news:publication><news:name>Kompas.com</news:name><news:language>id</news:language></news:publication>
      <news:publication_date>2023-11-02T21:34:19+07:00</news:publication_date>
      <news:title>Literasi Digital &amp; UMKM</news:title></news:news></url>
</urlset>"""


def test_robots_sitemap_lines_any_case_without_duplicates() -> None:
    robots = b"User-agent: *\nDisallow: /search\nSitemap: https://a.id/s1.xml\nsitemap:https://a.id/s2.xml # news\nSITEMAP: https://a.id/s1.xml\n"
    assert robots_sitemaps(robots) == ["https://a.id/s1.xml", "https://a.id/s2.xml"]


def test_google_news_sitemap_gives_publication_date_and_title() -> None:
    listing = parse_listing(NEWS_SITEMAP)
    assert listing.kind == "urlset" and listing.damaged is None
    (entry,) = listing.entries
    assert entry.title == "Literasi Digital & UMKM"
    assert entry.published == datetime(2023, 11, 2, 14, 34, 19, tzinfo=UTC)


def test_sitemap_index_and_gzipped_sitemap() -> None:
    index = b'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap><loc>https://a.id/2018-08.xml.gz</loc><lastmod>2018-08-31</lastmod></sitemap></sitemapindex>'
    listing = parse_listing(index)
    assert listing.kind == "index"
    # A date-only lastmod means "some time that day": taken as its end, so later changes are not missed.
    assert listing.entries[0].modified == datetime(2018, 8, 31, 23, 59, 59, tzinfo=UTC)
    urlset = b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>https://a.id/x</loc><lastmod>2018-08-02T10:00:00+07:00</lastmod></url></urlset>'
    assert [entry.url for entry in parse_listing(gzip.compress(urlset)).entries] == ["https://a.id/x"]


def test_rss_and_atom_feeds() -> None:
    rss = b"""<rss version="2.0"><channel><item><title>Judul</title><link>https://a.id/berita/1?utm_source=rss</link>
      <pubDate>Tue, 14 Aug 2018 10:32:00 +0800</pubDate></item></channel></rss>"""
    (item,) = parse_listing(rss).entries
    assert item.url == "https://a.id/berita/1?utm_source=rss" and item.published.isoformat() == "2018-08-14T10:32:00+08:00"
    atom = b"""<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>A</title><link rel="alternate" href="https://a.id/a"/>
      <published>2018-08-14T10:32:00+07:00</published><updated>2018-08-15T10:00:00+07:00</updated></entry></feed>"""
    (entry,) = parse_listing(atom).entries
    assert entry.url == "https://a.id/a" and entry.date == entry.published


def test_html_error_page_and_broken_xml() -> None:
    with pytest.raises(NotADiscoveryDocument, match="html"):
        parse_listing(b"<html><body><h1>502 Bad Gateway</h1></body></html>")
    with pytest.raises(NotADiscoveryDocument):
        parse_listing(b"")
    broken = parse_listing(b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>https://a.id/1</loc></url><url><loc>https://a.id/2')
    assert broken.damaged and "invalid XML" in broken.damaged
    assert broken.entries[0].url == "https://a.id/1"


def test_entities_are_not_expanded() -> None:
    bomb = b'<?xml version="1.0"?><!DOCTYPE u [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]><urlset><url><loc>https://a.id/&b;</loc></url></urlset>'
    entries = parse_listing(bomb).entries
    assert all("aaaaaaaaaa" not in entry.url for entry in entries)


def test_since_filter_keeps_undated_entries() -> None:
    listing = parse_listing(NEWS_SITEMAP)
    assert is_before(listing.entries[0], date(2023, 11, 3))
    assert not is_before(listing.entries[0], date(2023, 11, 2))
    from crawlers.discovery import Entry

    assert not is_before(Entry("https://a.id/x"), date(2030, 1, 1))


def test_retry_after_seconds_and_http_date() -> None:
    now = datetime(2024, 1, 1, 12, 0, tzinfo=UTC)
    assert parse_retry_after(b"7", now) == 7.0
    assert parse_retry_after(b"Mon, 01 Jan 2024 12:00:30 GMT", now) == 30.0
    assert parse_retry_after(b"soon", now) is None
    assert retry_delay(1, None, 0.5, now) == 0.5
    assert retry_delay(3, None, 0.5, now) == 2.0
    assert retry_delay(1, b"10", 0.5, now) == 10.0


def test_whole_article_address_follows_the_registry() -> None:
    url = "https://www.kompas.com/read/2018/08/14/10320041/laju-digital"
    assert first_part_url(url, get_outlet("kompas").pagination) == url + "?page=all"
    assert first_part_url(url, get_outlet("okezone").pagination) == url
    assert with_query_param("https://a.id/x?page=2&q=1", "page", "3") == "https://a.id/x?q=1&page=3"
