"""Reading discovery documents: robots.txt Sitemap lines, sitemap indexes, Google-News and plain
sitemaps, RSS and Atom feeds. Pure functions from bytes to entries; the spider decides what to fetch.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime

from lxml import etree

# Common places of sitemaps when robots.txt names none (outlet CMSs: WordPress, Yoast, custom).
PROBE_SITEMAP_PATHS = ("/sitemap.xml", "/sitemap_index.xml", "/sitemap-index.xml", "/sitemap-news.xml", "/news-sitemap.xml")

# Sitemaps are bounded by the protocol (50 MB uncompressed); refuse to inflate past that.
MAX_SITEMAP_BYTES = 50 * 1024 * 1024


class NotADiscoveryDocument(ValueError):
    """The body is not a sitemap or feed (an HTML error page, an empty body, another XML document)."""


@dataclass(frozen=True)
class Entry:
    """One URL listed by a sitemap or feed, with what the listing says about it."""

    url: str
    modified: datetime | None = None
    published: datetime | None = None
    title: str | None = None

    @property
    def date(self) -> datetime | None:
        return self.published or self.modified


@dataclass(frozen=True)
class Listing:
    """A parsed discovery document: `kind` is "index" (entries are sitemaps), "urlset" or "feed"."""

    kind: str
    entries: tuple[Entry, ...]
    # Set when the XML was broken and only what came before the damage could be read.
    damaged: str | None = None


def robots_sitemaps(robots_txt: bytes) -> list[str]:
    """The URLs of `Sitemap:` lines, in order, without duplicates (any case, any position)."""
    text = robots_txt.decode("utf-8-sig", errors="replace")
    found: list[str] = []
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key.strip().lower() == "sitemap" and value.strip():
            url = value.split("#", 1)[0].strip()
            if url and url not in found:
                found.append(url)
    return found


def parse_listing(body: bytes) -> Listing:
    """Parse a sitemap index, a urlset (plain or Google News) or an RSS/Atom feed.

    Raises NotADiscoveryDocument when the body is something else (an HTML error page, say).
    Broken XML is read as far as it goes; `damaged` then says what was wrong.
    """
    body = _inflate(body)
    damaged = None
    try:
        root = etree.fromstring(body, parser=_parser(recover=False))
    except etree.XMLSyntaxError as error:
        damaged = f"invalid XML: {error}"
        try:
            root = etree.fromstring(body, parser=_parser(recover=True))
        except etree.XMLSyntaxError:
            root = None
    if root is None:
        raise NotADiscoveryDocument(damaged or "empty document")
    name = etree.QName(root).localname.lower()
    if name == "sitemapindex":
        return Listing("index", tuple(_sitemap_entries(root, "sitemap")), damaged)
    if name == "urlset":
        return Listing("urlset", tuple(_sitemap_entries(root, "url")), damaged)
    if name in {"rss", "rdf"}:
        return Listing("feed", tuple(_rss_entries(root)), damaged)
    if name == "feed":
        return Listing("feed", tuple(_atom_entries(root)), damaged)
    raise NotADiscoveryDocument(f"not a sitemap or feed (root element <{name}>)")


def parse_date(text: str | None) -> datetime | None:
    """W3C datetime (sitemaps, Atom) or RFC 822 (RSS) -> aware datetime; a bare date is midnight UTC."""
    if not text:
        return None
    text = text.strip()
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            value = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def parse_lastmod(text: str | None) -> datetime | None:
    """A sitemap lastmod as the latest instant it can mean: "2018-08-31" is the end of that day, so a
    file changed later that day is never taken for unchanged."""
    value = parse_date(text)
    if value is not None and text is not None and len(text.strip()) == 10:
        value = value.replace(hour=23, minute=59, second=59)
    return value


def is_before(entry: Entry, since: date | None) -> bool:
    """True when the listing dates the entry before `since` (undated entries are never excluded)."""
    if since is None or entry.date is None:
        return False
    return entry.date.date() < since


def _parser(recover: bool) -> etree.XMLParser:
    # No entities, no network: sitemaps are untrusted input.
    return etree.XMLParser(recover=recover, resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True)


def _inflate(body: bytes) -> bytes:
    """Sitemaps are often served as .xml.gz files (compressed content, not transfer encoding)."""
    if body[:2] != b"\x1f\x8b":
        return body
    try:
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        data = inflater.decompress(body, MAX_SITEMAP_BYTES)
    except zlib.error as error:
        raise NotADiscoveryDocument(f"broken gzip: {error}") from error
    if inflater.unconsumed_tail:
        raise NotADiscoveryDocument(f"gzip sitemap inflates past {MAX_SITEMAP_BYTES} bytes")
    return data


def _children(element: etree._Element) -> dict[str, etree._Element]:
    return {etree.QName(child).localname.lower(): child for child in element if isinstance(child.tag, str)}


def _text(element: etree._Element | None) -> str | None:
    if element is None:
        return None
    text = "".join(element.itertext()).strip()
    return text or None


def _sitemap_entries(root: etree._Element, item_name: str):
    for item in root:
        if not isinstance(item.tag, str) or etree.QName(item).localname.lower() != item_name:
            continue
        fields = _children(item)
        loc = _text(fields.get("loc"))
        if not loc:
            continue
        published = title = None
        news = fields.get("news")
        if news is not None:
            news_fields = _children(news)
            published = parse_date(_text(news_fields.get("publication_date")))
            title = _text(news_fields.get("title"))
        yield Entry(loc, parse_lastmod(_text(fields.get("lastmod"))), published, title)


def _rss_entries(root: etree._Element):
    for item in root.iter():
        if not isinstance(item.tag, str) or etree.QName(item).localname.lower() != "item":
            continue
        fields = _children(item)
        link = _text(fields.get("link")) or _text(fields.get("guid"))
        if not link:
            continue
        published = parse_date(_text(fields.get("pubdate")) or _text(fields.get("date")))
        yield Entry(link, None, published, _text(fields.get("title")))


def _atom_entries(root: etree._Element):
    for item in root:
        if not isinstance(item.tag, str) or etree.QName(item).localname.lower() != "entry":
            continue
        link = None
        for child in item:
            if isinstance(child.tag, str) and etree.QName(child).localname == "link":
                if child.get("rel", "alternate") == "alternate" and child.get("href"):
                    link = child.get("href")
                    break
        if not link:
            continue
        fields = _children(item)
        yield Entry(
            link,
            parse_date(_text(fields.get("updated"))),
            parse_date(_text(fields.get("published"))),
            _text(fields.get("title")),
        )

