"""The replay site's content model: corpus articles placed at outlet URLs, the discovery documents
(robots.txt, sitemap indexes, monthly sitemaps, Google-News sitemaps, RSS/Atom) that list them, and each
outlet's archive of past days (index pages and dated sitemaps at its registry `[archive]` templates).

Pure data and rendering; `crawlers.replay.server` puts it on HTTP. Every URL here is the outlet's
real URL (`https://www.kompas.com/read/...`); the server is reached through `crawlers.replay.mapping`.
"""

from __future__ import annotations

import gzip
import json
import re
import tomllib
import zlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from email.utils import format_datetime
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

from pantau.core.outlets import Outlet, get_outlet

REPLAY_DIR = Path(__file__).resolve().parent
CORPUS_DIR = REPLAY_DIR / "corpus" / "articles"
SITES_FILE = REPLAY_DIR / "sites.toml"

_BASE62 = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
# Google News sitemaps list recent articles only; the replay site counts "recent" from its newest one.
NEWS_SITEMAP_WINDOW = timedelta(days=2)
NEWS_SITEMAP_MIN_ENTRIES = 10
FEED_ITEMS = 20
# The outlets date their archives in Western Indonesian Time, whatever zone an article was written in.
ARCHIVE_ZONE = ZoneInfo("Asia/Jakarta")


@dataclass(frozen=True)
class SiteStyle:
    """One outlet's presentation on the replay site (an entry of sites.toml)."""

    layout: str
    article_path: str
    dateline: str
    host: str = ""
    amp_path: str = ""
    robots_lists_sitemaps: bool = True
    sitemap_gzip: bool = False
    feed_format: str = "rss"
    feed_link_params: str = ""
    feed_link_host: str = ""
    feed_link_amp: bool = False
    # The markup of the outlet's index pages (templates/archive.html), what it answers for a page after
    # the last one ("empty": a page listing nothing, "last": the last page again, "404"), and the
    # address form the outlet used before its current one (it redirects, 301, to the current one).
    archive_layout: str = "kompas"
    archive_past_end: str = "empty"
    legacy_path: str = ""


@lru_cache(maxsize=1)
def site_styles() -> dict[str, dict[str, Any]]:
    return tomllib.loads(SITES_FILE.read_text(encoding="utf-8"))


def style_for(outlet_id: str) -> SiteStyle:
    styles = site_styles()
    values = {**styles["default"], **styles.get("outlets", {}).get(outlet_id, {})}
    return SiteStyle(**values)


@dataclass(frozen=True)
class ReplayArticle:
    """A corpus article at its place on an outlet's site; `copy` > 0 for the multiplied benchmark corpus."""

    data: dict[str, Any]
    copy: int = 0
    published_override: datetime | None = None

    @property
    def id(self) -> str:
        return self.data["id"] if self.copy == 0 else f"{self.data['id']}--{self.copy}"

    @property
    def outlet_id(self) -> str:
        return self.data["outlet"]

    @cached_property
    def outlet(self) -> Outlet:
        return get_outlet(self.outlet_id)

    @cached_property
    def style(self) -> SiteStyle:
        return style_for(self.outlet_id)

    @cached_property
    def published(self) -> datetime:
        return self.published_override or datetime.fromisoformat(self.data["published_at"])

    @cached_property
    def updated(self) -> datetime | None:
        if self.published_override is not None or not self.data.get("updated_at"):
            return None
        return datetime.fromisoformat(self.data["updated_at"])

    @property
    def modified(self) -> datetime:
        return self.updated or self.published

    @property
    def title(self) -> str:
        return self.data["title"] if self.copy == 0 else f"{self.data['title']} ({self.copy + 1})"

    @cached_property
    def host(self) -> str:
        if self.style.host:
            return self.style.host.format(section_host=_section_host(self.data.get("section", ""), self.outlet_id))
        return urlsplit(self.outlet.home).hostname or self.outlet.domains[0]

    @cached_property
    def path(self) -> str:
        number = zlib.crc32(self.id.encode("utf-8"))
        published = self.published
        slug = slugify(self.data["title"]) + (f"-{self.copy}" if self.copy else "")
        return self.style.article_path.format(
            yyyy=f"{published:%Y}", mm=f"{published:%m}", dd=f"{published:%d}",
            num=3_000_000 + number % 7_000_000, num2=number % 997 + 1, code=_base62(number, 12), hex=f"{number:08x}" * 3,
            tail=_base62(number, 4), slug=slug, section=slugify(self.data.get("section", "berita")),
        )

    @property
    def url(self) -> str:
        return f"https://{self.host}{self.path}"

    @cached_property
    def legacy_path(self) -> str | None:
        """The article's address in the outlet's previous URL form, when the outlet had one."""
        if not self.style.legacy_path:
            return None
        number = zlib.crc32(self.id.encode("utf-8"))
        published = self.published
        return self.style.legacy_path.format(
            yyyy=f"{published:%Y}", mm=f"{published:%m}", dd=f"{published:%d}", hhmmss=f"{published:%H%M%S}",
            num=3_000_000 + number % 7_000_000, slug=slugify(self.data["title"]) + (f"-{self.copy}" if self.copy else ""),
        )

    @property
    def archive_day(self) -> date:
        return self.published.astimezone(ARCHIVE_ZONE).date()

    @property
    def amp_url(self) -> str | None:
        if not self.style.amp_path:
            return None
        return f"https://{self.host}{self.style.amp_path.format(path=self.path)}"

    @property
    def parts(self) -> int:
        return max(1, int(self.data.get("parts", 1)))

    def paragraphs_of_part(self, part: int | None) -> list[str]:
        """Paragraphs on page `part` (1-based), or all of them for None; split evenly as the outlet does."""
        paragraphs = list(self.data["paragraphs"])
        if part is None or self.parts == 1:
            return paragraphs
        size = -(-len(paragraphs) // self.parts)
        return paragraphs[(part - 1) * size: part * size]

    def dateline_text(self) -> str:
        return self.style.dateline.format(place=self.data.get("dateline", ""))


@dataclass(frozen=True)
class ArchiveLink:
    """One article as an index page lists it: at its current address, or at an older one."""

    article: ReplayArticle
    url: str


class ReplaySite:
    """Every outlet of a set of articles, addressable by (host, path).

    `archive_page_size`: articles per index page (default: sites.toml [archive] page_size, small so that
    days of the corpus have several pages; the benchmarks use an outlet's real size)."""

    def __init__(self, articles: Iterable[ReplayArticle], archive_page_size: int | None = None):
        self.articles = sorted(articles, key=lambda article: (article.published, article.id))
        self.by_outlet: dict[str, list[ReplayArticle]] = defaultdict(list)
        self.by_location: dict[tuple[str, str], ReplayArticle] = {}
        self.by_legacy: dict[tuple[str, str], ReplayArticle] = {}
        self.by_id: dict[str, ReplayArticle] = {}
        self.by_day: dict[tuple[str, date], list[ReplayArticle]] = defaultdict(list)
        for article in self.articles:
            self.by_outlet[article.outlet_id].append(article)
            self.by_location[(article.host, article.path)] = article
            self.by_id[article.id] = article
            self.by_day[(article.outlet_id, article.archive_day)].append(article)
            if article.legacy_path:
                self.by_legacy[(article.host, article.legacy_path)] = article
        fixtures = site_styles().get("archive", {})
        self.archive_page_size = archive_page_size or int(fixtures.get("page_size", 20))
        self.legacy_listed = frozenset(fixtures.get("legacy_listed", ()))
        self.relisted: dict[tuple[str, date], list[ReplayArticle]] = defaultdict(list)
        for article_id, day in fixtures.get("relisted", {}).items():
            if article_id in self.by_id:
                article = self.by_id[article_id]
                self.relisted[(article.outlet_id, date.fromisoformat(day))].append(article)

    @property
    def outlet_ids(self) -> list[str]:
        return sorted(self.by_outlet)

    def find_article(self, host: str, path: str) -> tuple[ReplayArticle | None, bool]:
        """The article at host+path and whether the address is its AMP variant."""
        found = self.by_location.get((host, path.rstrip("/") or "/"))
        if found is not None:
            return found, False
        for outlet in {a.outlet_id for a in self.articles if a.outlet.owns_host(host)}:
            style = style_for(outlet)
            if not style.amp_path:
                continue
            prefix, _, suffix = style.amp_path.partition("{path}")
            if path.startswith(prefix) and path.endswith(suffix):
                inner = path[len(prefix): len(path) - len(suffix) if suffix else None]
                for candidate_host in {host, *self._canonical_hosts(outlet)}:
                    article = self.by_location.get((candidate_host, inner))
                    if article is not None:
                        return article, True
        return None, False

    def _canonical_hosts(self, outlet_id: str) -> set[str]:
        return {article.host for article in self.by_outlet[outlet_id]}

    def home_host(self, outlet_id: str) -> str:
        outlet = get_outlet(outlet_id)
        return urlsplit(outlet.home).hostname or outlet.domains[0]

    # -- discovery documents -----------------------------------------------------------------------

    def robots_txt(self, outlet_id: str) -> str:
        home = f"https://{self.home_host(outlet_id)}"
        lines = ["User-agent: *", "Disallow: /search/", "Disallow: /api/", "Disallow: /login", "",
                 "User-agent: GPTBot", "Disallow: /", ""]
        if style_for(outlet_id).robots_lists_sitemaps:
            lines += [f"Sitemap: {home}/sitemap.xml", f"Sitemap: {home}/sitemap-news.xml"]
        return "\n".join(lines) + "\n"

    def months(self, outlet_id: str) -> dict[str, list[ReplayArticle]]:
        grouped: dict[str, list[ReplayArticle]] = defaultdict(list)
        for article in self.by_outlet[outlet_id]:
            grouped[f"{article.published:%Y-%m}"].append(article)
        return dict(sorted(grouped.items()))

    def month_sitemap_path(self, outlet_id: str, month: str) -> str:
        return f"/sitemap/sitemap-{month}.xml" + (".gz" if style_for(outlet_id).sitemap_gzip else "")

    def sitemap_index(self, outlet_id: str) -> str:
        home = f"https://{self.home_host(outlet_id)}"
        items = []
        for month, articles in self.months(outlet_id).items():
            lastmod = max(article.modified for article in articles)
            items.append(f"  <sitemap>\n    <loc>{home}{self.month_sitemap_path(outlet_id, month)}</loc>\n    "
                         f"<lastmod>{lastmod.isoformat()}</lastmod>\n  </sitemap>")
        return ('<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
                + "\n".join(items) + "\n</sitemapindex>\n")

    def month_sitemap(self, outlet_id: str, month: str) -> str | None:
        articles = self.months(outlet_id).get(month)
        if not articles:
            return None
        return urlset(articles)

    def recent(self, outlet_id: str) -> list[ReplayArticle]:
        articles = self.by_outlet[outlet_id]
        if not articles:
            return []
        newest = articles[-1].published
        window = [a for a in articles if a.published >= newest - NEWS_SITEMAP_WINDOW]
        return articles[-max(len(window), NEWS_SITEMAP_MIN_ENTRIES):][::-1]

    def news_sitemap(self, outlet_id: str) -> str:
        outlet = get_outlet(outlet_id)
        items = []
        for article in self.recent(outlet_id):
            items.append(
                "  <url>\n"
                f"    <loc>{escape(article.url)}</loc>\n"
                "    <news:news>\n"
                f"      <news:publication>\n        <news:name>{escape(outlet.name)}</news:name>\n        "
                "<news:language>id</news:language>\n      </news:publication>\n"
                f"      <news:publication_date>{article.published.isoformat()}</news:publication_date>\n"
                f"      <news:title>{escape(article.title)}</news:title>\n"
                "    </news:news>\n"
                "  </url>"
            )
        return ('<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
                'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">\n' + "\n".join(items) + "\n</urlset>\n")

    def feed_link(self, article: ReplayArticle) -> str:
        style = article.style
        url = (article.amp_url if style.feed_link_amp and article.amp_url else article.url)
        if style.feed_link_host:
            url = url.replace(f"://{article.host}/", f"://{style.feed_link_host}/", 1)
        return url + (f"?{style.feed_link_params}" if style.feed_link_params else "")

    def feed(self, outlet_id: str) -> str:
        outlet = get_outlet(outlet_id)
        articles = self.by_outlet[outlet_id][-FEED_ITEMS:][::-1]
        if style_for(outlet_id).feed_format == "atom":
            entries = "\n".join(
                f"  <entry>\n    <title>{escape(a.title)}</title>\n    <link rel=\"alternate\" "
                f"href=\"{escape(self.feed_link(a))}\"/>\n"
                f"    <id>{escape(a.url)}</id>\n    <published>{a.published.isoformat()}</published>\n    "
                f"<updated>{a.modified.isoformat()}</updated>\n"
                f"    <summary>{escape(a.data['paragraphs'][0][:200])}</summary>\n  </entry>"
                for a in articles
            )
            updated = articles[0].modified.isoformat() if articles else "2018-01-01T00:00:00+07:00"
            return ('<?xml version="1.0" encoding="UTF-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">\n  '
                    f'<title>{escape(outlet.name)}</title>\n'
                    f"  <id>{escape(outlet.home)}/</id>\n  <updated>{updated}</updated>\n{entries}\n</feed>\n")
        items = "\n".join(
            f"    <item>\n      <title>{escape(a.title)}</title>\n      <link>{escape(self.feed_link(a))}</link>\n"
            f"      <guid isPermaLink=\"false\">{escape(a.id)}</guid>\n      <pubDate>{_rfc822(a.published)}</pubDate>\n"
            f"      <description><![CDATA[{a.data['paragraphs'][0][:200]}]]></description>\n    </item>"
            for a in articles
        )
        return ('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0">\n  <channel>\n    '
                f'<title>{escape(outlet.name)}</title>\n'
                f"    <link>{escape(outlet.home)}</link>\n    <language>id</language>\n{items}\n  </channel>\n</rss>\n")

    def feed_locations(self) -> dict[tuple[str, str], str]:
        """(host, path) of each outlet's first registry feed -> outlet id."""
        locations = {}
        for outlet_id in self.by_outlet:
            outlet = get_outlet(outlet_id)
            if outlet.feeds:
                parts = urlsplit(outlet.feeds[0] if "://" in outlet.feeds[0] else outlet.home + outlet.feeds[0])
                locations[(parts.hostname, parts.path)] = outlet_id
        return locations

    # -- the archive ---------------------------------------------------------------------------------

    def archive_links(self, outlet_id: str, day: date, host: str | None = None) -> list[ArchiveLink]:
        """The articles an index of `day` lists, newest first (an article updated that day first of all);
        only those on `host` when the outlet keeps one index per host (detik's channels)."""
        articles = [*self.relisted.get((outlet_id, day), []), *self.by_day.get((outlet_id, day), [])[::-1]]
        links = []
        for article in articles:
            if host is not None and article.host != host:
                continue
            legacy = article.id in self.legacy_listed and article.legacy_path
            links.append(ArchiveLink(article, f"https://{article.host}{article.legacy_path}" if legacy else article.url))
        return links

    def archive_page(self, outlet_id: str, day: date, number: int,
                     host: str | None = None) -> tuple[list[ArchiveLink], int] | None:
        """Page `number` of the index of `day` and the number of its last page; None past the end when
        the outlet answers 404 there. What other pages past the end show is the outlet's own habit."""
        links = self.archive_links(outlet_id, day, host)
        size = self.archive_page_size
        last = max(1, -(-len(links) // size))
        if number < 1:
            return None
        if number > last:
            habit = style_for(outlet_id).archive_past_end
            if habit == "404":
                return None
            number = last if habit == "last" else number
        return links[(number - 1) * size: number * size], last

    def archive_sitemap(self, outlet_id: str, first_day: date, monthly: bool) -> str:
        """A dated sitemap: the articles of a day, or of the month `first_day` is in."""
        if monthly:
            articles = [a for a in self.by_outlet[outlet_id]
                        if (a.archive_day.year, a.archive_day.month) == (first_day.year, first_day.month)]
        else:
            articles = list(self.by_day.get((outlet_id, first_day), []))
        return urlset(articles)

    def related(self, article: ReplayArticle, count: int = 3) -> list[ReplayArticle]:
        same = [a for a in self.by_outlet[article.outlet_id] if a.id != article.id]
        start = zlib.crc32(article.id.encode()) % max(1, len(same))
        return (same[start:] + same[:start])[:count]


def urlset(articles: Iterable[ReplayArticle]) -> str:
    items = [f"  <url>\n    <loc>{escape(a.url)}</loc>\n    <lastmod>{a.modified.isoformat()}</lastmod>\n"
             "    <changefreq>monthly</changefreq>\n  </url>" for a in articles]
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
            + "\n".join(items) + ("\n" if items else "") + "</urlset>\n")


def load_corpus(directory: Path = CORPUS_DIR) -> list[dict[str, Any]]:
    if not directory.is_dir():
        return []
    return [json.loads(path.read_text(encoding="utf-8")) for path in sorted(directory.glob("*.json"))]


def corpus_site(directory: Path = CORPUS_DIR, archive_page_size: int | None = None) -> ReplaySite:
    return ReplaySite((ReplayArticle(data) for data in load_corpus(directory)), archive_page_size)


def multiplied_site(total: int, outlets: Iterable[str] | None = None, directory: Path = CORPUS_DIR,
                    start: datetime = datetime(2024, 1, 1, 8, 0, tzinfo=timezone(timedelta(hours=7))),
                    spacing: timedelta = timedelta(minutes=10), archive_page_size: int | None = None) -> ReplaySite:
    """`total` article pages made of corpus articles repeated under distinct URLs (for benchmarks).

    Copy i is published `spacing` after copy i-1, so a site with more articles is the same site
    later in time: its older sitemaps are unchanged and the new articles are in the newest ones.
    """
    wanted = set(outlets) if outlets else None
    corpus = [data for data in load_corpus(directory) if wanted is None or data["outlet"] in wanted]
    if not corpus:
        raise ValueError("the corpus has no articles for these outlets")
    articles = []
    for index in range(total):
        data = corpus[index % len(corpus)]
        articles.append(ReplayArticle(data, copy=index // len(corpus) + 1, published_override=start + index * spacing))
    return ReplaySite(articles, archive_page_size)


def gzipped(text: str) -> bytes:
    return gzip.compress(text.encode("utf-8"), mtime=0)


def slugify(text: str, limit: int = 90) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:limit].rstrip("-") or "artikel"


def _base62(number: int, width: int) -> str:
    digits = []
    value = number * 2654435761 % (62 ** width)
    for _ in range(width):
        value, digit = divmod(value, 62)
        digits.append(_BASE62[digit])
    return "".join(digits)


def _section_host(section: str, outlet_id: str) -> str:
    slug = slugify(section)
    return slug[len(outlet_id):] if slug.startswith(outlet_id) and len(slug) > len(outlet_id) else (slug or "news")


def _rfc822(value: datetime) -> str:
    return format_datetime(value)
