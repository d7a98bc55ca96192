"""The offline replay site on HTTP: every outlet of the corpus under one host, the outlet id as the
first path segment (`/kompas/read/2018/08/14/...`), other outlet hosts as `/_host/<host>/...`.

Serves robots.txt, sitemap indexes, monthly sitemaps (gzipped for some outlets), Google-News sitemaps,
RSS/Atom feeds, article pages in outlet-like markup with multi-page (`?page=2`, `?page=all`) and AMP
variants, each outlet's archive (index pages of a day, paginated, and dated sitemaps, at the registry's
`[archive]` templates), redirects from an outlet's previous article addresses to the current ones,
honours conditional requests (ETag / If-Modified-Since), and ignores tracking parameters the way real
outlets do. `pantau replay serve` runs it; tests start it on a free port in a thread.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, unquote, urlencode, urljoin, urlsplit

from jinja2 import Environment, PackageLoader, select_autoescape

from crawlers.replay.mapping import HOST_SEGMENT, outlet_id_of_path, to_replay
from crawlers.replay.site import ReplayArticle, ReplaySite, gzipped, slugify
from pantau.core.outlets import Outlet, get_outlet
from pantau.core.outlets.archive import is_monthly, match

MENUS = {
    "kompas": ["News", "Tren", "Health", "Food", "Edukasi", "Money", "Tekno", "Lifestyle", "Otomotif", "Bola", "Travel"],
    "tribun": ["Nasional", "Regional", "Internasional", "Bisnis", "Techno", "Sport", "Seleb", "Lifestyle", "Kesehatan", "Video"],
    "detik": ["detikNews", "detikFinance", "detikInet", "detikHot", "detikSport", "detikOto", "detikTravel", "detikFood",
              "detikHealth"],
}
DAYS = ["Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"]
MONTHS = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober", "November",
          "Desember"]
TIME_ZONES = {7: "WIB", 8: "WITA", 9: "WIT"}
# Which outlets this replay host serves (`pantau crawl --replay URL` with no --outlet crawls these).
OUTLETS_PATH = "/_replay/outlets.json"


@dataclass
class Reply:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


class ReplayApp:
    """Turns a request (path, query, headers) into a Reply; rendered pages are cached."""

    def __init__(self, site: ReplaySite):
        self.site = site
        self.templates = Environment(
            loader=PackageLoader("crawlers.replay", "templates"),
            autoescape=select_autoescape(["html"]),
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self._cache: dict[tuple, Reply] = {}
        self._lock = threading.Lock()
        self.feed_locations = site.feed_locations()

    def handle(self, raw_path: str, headers: dict[str, str]) -> Reply:
        parts = urlsplit(raw_path)
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        # An archive page is told apart by its whole query (some outlets give the date as a parameter).
        reply = self.cached(("archive", parts.path, parts.query), lambda: self.archive(parts.path, parts.query))
        if reply is None:
            cache_key = (parts.path, tuple(sorted((k, v) for k, v in query.items() if k in {"page", "single"})))
            reply = self.cached(cache_key, lambda: self.route(parts.path, query))
        return conditional(reply, headers)

    def cached(self, key: tuple, make) -> Reply | None:  # noqa: ANN001
        """The reply made by `make` (None: not this kind of address); successful ones are kept."""
        with self._lock:
            reply = self._cache.get(key)
        if reply is None:
            reply = make()
            if reply is not None and reply.status == 200:
                reply.headers.setdefault("ETag", '"' + hashlib.sha1(reply.body).hexdigest()[:20] + '"')
                with self._lock:
                    self._cache[key] = reply
        return reply

    def route(self, path: str, query: dict[str, str]) -> Reply:
        outlet_id, real_path = outlet_id_of_path(path)
        if outlet_id is None:
            if path in ("", "/"):
                return self.outlet_index()
            if path == OUTLETS_PATH:
                return text_reply(json.dumps(self.site.outlet_ids), "application/json")
            if path == "/robots.txt":
                return text_reply("User-agent: *\nDisallow:\n", "text/plain; charset=utf-8")
            return self.not_found()
        if outlet_id not in self.site.by_outlet:
            return self.not_found()
        segments = path.lstrip("/").split("/")
        host = segments[1] if segments[0] == HOST_SEGMENT else self.site.home_host(outlet_id)
        on_home = host == self.site.home_host(outlet_id)
        if real_path == "/robots.txt":
            robots = self.site.robots_txt(outlet_id) if on_home else "User-agent: *\nDisallow:\n"
            return text_reply(robots, "text/plain; charset=utf-8")
        if (host, real_path) in self.feed_locations:
            return self.feed(self.feed_locations[(host, real_path)])
        if on_home and real_path == "/sitemap.xml":
            return self.listing(self.site.sitemap_index(outlet_id), self.site.by_outlet[outlet_id])
        if on_home and real_path == "/sitemap-news.xml":
            return self.listing(self.site.news_sitemap(outlet_id), self.site.recent(outlet_id))
        if on_home and real_path.startswith("/sitemap/sitemap-"):
            return self.month_sitemap(outlet_id, real_path)
        if on_home and real_path in ("", "/"):
            return self.home(outlet_id)
        legacy = self.site.by_legacy.get((host, real_path.rstrip("/")))
        if legacy is not None:
            # The outlet's previous address of an article: a permanent redirect to the current one.
            location = to_replay(legacy.url, "") + (f"?{urlencode(query)}" if query else "")
            return Reply(301, b"", {"Location": location, "Content-Type": "text/html; charset=utf-8"})
        article, amp = self.site.find_article(host, real_path)
        if article is None:
            return self.not_found()
        return self.article(article, amp, query)

    # -- the archive -------------------------------------------------------------------------------

    def archive(self, path: str, raw_query: str) -> Reply | None:
        """The index page or dated sitemap that the outlet's [archive] templates put at this address."""
        outlet_id, real_path = outlet_id_of_path(path)
        if outlet_id is None or outlet_id not in self.site.by_outlet or get_outlet(outlet_id).archive is None:
            return None
        outlet = get_outlet(outlet_id)
        segments = path.lstrip("/").split("/")
        host = segments[1] if segments[0] == HOST_SEGMENT else self.site.home_host(outlet_id)
        url = f"https://{host}{real_path}" + (f"?{unquote(raw_query)}" if raw_query else "")
        archive = outlet.archive
        for template in archive.index_pages:
            found = match(urljoin(outlet.home, template), url)
            if found is not None:
                # An outlet with an index per host (detik's channels) lists on each the articles of that host.
                per_host = urlsplit(template).hostname if len(archive.index_pages) > 1 else None
                return self.index_page(outlet, template, found.day, archive.page_number(template, found.page), per_host)
        for template in archive.sitemaps:
            found = match(urljoin(outlet.home, template), url)
            if found is not None:
                return self.listing(self.site.archive_sitemap(outlet_id, found.day, is_monthly(template)), [])
        return None

    def index_page(self, outlet: Outlet, template: str, day, number: int, host: str | None) -> Reply:  # noqa: ANN001
        page = self.site.archive_page(outlet.id, day, number, host)
        if page is None:
            return self.not_found()
        links, last = page
        style = self.site.by_outlet[outlet.id][0].style

        def page_url(page_number: int) -> str:
            return urljoin(outlet.home, outlet.archive.index_url(template, day, page_number))

        html = self.templates.get_template("archive.html").render(
            layout=style.archive_layout, outlet=outlet, day=day, number=number, last=last, links=links, page_url=page_url,
            this_url=page_url(number), long_date=f"{DAYS[day.weekday()]}, {day.day} {MONTHS[day.month - 1]} {day.year}",
            popular=self.site.by_outlet[outlet.id][::-1][:4], menu=MENUS.get(style.layout, MENUS["kompas"]),
            home_host=self.site.home_host(outlet.id),
        )
        return text_reply(html, "text/html; charset=utf-8")

    # -- documents ---------------------------------------------------------------------------------

    def listing(self, xml: str, articles: list[ReplayArticle]) -> Reply:
        reply = text_reply(xml, "application/xml; charset=utf-8")
        if articles:
            reply.headers["Last-Modified"] = http_date(max(a.modified for a in articles))
        return reply

    def month_sitemap(self, outlet_id: str, real_path: str) -> Reply:
        name = real_path.rsplit("/", 1)[-1]
        compressed = name.endswith(".gz")
        month = name.removeprefix("sitemap-").removesuffix(".gz").removesuffix(".xml")
        if real_path != self.site.month_sitemap_path(outlet_id, month):
            return self.not_found()
        xml = self.site.month_sitemap(outlet_id, month)
        if xml is None:
            return self.not_found()
        reply = self.listing(xml, self.site.months(outlet_id)[month])
        if compressed:
            reply.body = gzipped(xml)
            reply.headers["Content-Type"] = "application/x-gzip"
        return reply

    def feed(self, outlet_id: str) -> Reply:
        kind = "application/atom+xml" if self.site.by_outlet[outlet_id][0].style.feed_format == "atom" else "application/rss+xml"
        reply = self.listing(self.site.feed(outlet_id), self.site.by_outlet[outlet_id][-20:])
        reply.headers["Content-Type"] = f"{kind}; charset=utf-8"
        return reply

    def outlet_index(self) -> Reply:
        links = "".join(f'<li><a href="/{outlet_id}/">{get_outlet(outlet_id).name}</a> ({len(articles)} artikel)</li>'
                        for outlet_id, articles in sorted(self.site.by_outlet.items()))
        return text_reply(f"<!DOCTYPE html><html lang='id'><head><meta charset='utf-8'><title>pantau replay</title></head>"
                          f"<body><h1>pantau replay site</h1><ul>{links}</ul></body></html>", "text/html; charset=utf-8")

    def home(self, outlet_id: str) -> Reply:
        articles = self.site.by_outlet[outlet_id][::-1][:50]
        html = self.templates.get_template("home.html").render(outlet=get_outlet(outlet_id), articles=articles)
        return text_reply(html, "text/html; charset=utf-8")

    def not_found(self) -> Reply:
        html = self.templates.get_template("not_found.html").render()
        return Reply(404, html.encode("utf-8"), {"Content-Type": "text/html; charset=utf-8"})

    def article(self, article: ReplayArticle, amp: bool, query: dict[str, str]) -> Reply:
        pagination = article.outlet.pagination
        part: int | None = 1 if article.parts > 1 else None
        value = query.get(pagination.param) if pagination.kind != "none" else None
        if value is not None:
            if value == pagination.all_value:
                part = None
            elif value.isdigit() and 1 <= int(value) <= article.parts:
                part = int(value) if article.parts > 1 else None
            else:
                return self.not_found()
        template = "amp.html" if amp else f"{article.style.layout}.html"
        html = self.templates.get_template(template).render(**self.article_context(article, part, amp))
        reply = text_reply(html, "text/html; charset=UTF-8")
        reply.headers["Last-Modified"] = http_date(article.modified)
        return reply

    def article_context(self, article: ReplayArticle, part: int | None, amp: bool) -> dict:
        outlet = article.outlet
        suffix = (outlet.title_suffixes[0] if outlet.title_suffixes else f" - {outlet.name}")
        page_note = " Halaman all" if part is None and article.parts > 1 else (f" Halaman {part}" if part and part > 1 else "")
        paragraphs = article.paragraphs_of_part(part)
        syndicated = self.site.by_id.get(article.data.get("syndicated_from") or "")
        related = self.site.related(article)
        popular = self.site.related(article, 6)[3:]
        offset_hours = int(article.published.utcoffset().total_seconds() // 3600)
        return {
            "article": article,
            "outlet": outlet,
            "amp": amp,
            "part": part,
            "paragraphs": paragraphs,
            "show_dateline": part in (None, 1) and bool(article.dateline_text().strip()),
            "dateline": article.dateline_text(),
            "related": related,
            "popular": popular,
            "syndicated": syndicated,
            "menu": MENUS.get(article.style.layout, MENUS["kompas"]),
            "page_title": f"{article.title}{page_note}{suffix}",
            "description": article.data["paragraphs"][0][:160],
            "json_ld": script_json(news_article_ld(article, outlet)),
            "breadcrumb_ld": script_json(breadcrumb_ld(article)),
            "section_js": script_json(article.data.get("section", "")),
            "tz_name": TIME_ZONES.get(offset_hours, f"GMT+{offset_hours}"),
            "long_date": indonesian_date(article.published),
            "pagination_param": outlet.pagination.param,
            "pagination_all": outlet.pagination.all_value,
            "section_slug": slugify(article.data.get("section", "berita")),
            "home_host": self.site.home_host(article.outlet_id),
            "article_number": article.path.rsplit("/", 2)[-2] if article.path.count("/") > 1 else article.id,
        }


def news_article_ld(article: ReplayArticle, outlet) -> dict:  # noqa: ANN001
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "mainEntityOfPage": {"@type": "WebPage", "@id": article.url},
        "headline": article.title,
        "description": article.data["paragraphs"][0][:160],
        "image": {
            "@type": "ImageObject",
            "url": f"https://{article.host}/photo/{article.data.get('image', '')}",
            "width": 780,
            "height": 390,
        },
        "datePublished": article.published.isoformat(),
        "dateModified": article.modified.isoformat(),
        "author": [{"@type": "Person", "name": name} for name in article.data.get("authors", [])],
        "editor": {"@type": "Person", "name": article.data.get("editor", "")},
        "publisher": {
            "@type": "Organization",
            "name": outlet.name,
            "logo": {"@type": "ImageObject", "url": f"{outlet.home}/assets/logo.png"},
        },
        "articleSection": article.data.get("section", ""),
        "keywords": article.data.get("tags", []),
        "inLanguage": "id",
    }
    return data


def breadcrumb_ld(article: ReplayArticle) -> dict:
    return {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": 1, "name": "Home", "item": article.outlet.home},
            {
                "@type": "ListItem",
                "position": 2,
                "name": article.data.get("section", ""),
                "item": f"{article.outlet.home}/{slugify(article.data.get('section', ''))}",
            },
        ],
    }


def script_json(value) -> str:  # noqa: ANN001
    """JSON safe inside <script>: no '</script>' or HTML comment can be formed by the text."""
    return json.dumps(value, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def indonesian_date(value: datetime) -> str:
    offset_hours = int(value.utcoffset().total_seconds() // 3600)
    zone = TIME_ZONES.get(offset_hours, "")
    return f"{DAYS[value.weekday()]}, {value.day} {MONTHS[value.month - 1]} {value.year} {value:%H:%M} {zone}".strip()


def http_date(value: datetime) -> str:
    return format_datetime(value.astimezone(UTC), usegmt=True)


def text_reply(text: str, content_type: str) -> Reply:
    return Reply(200, text.encode("utf-8"), {"Content-Type": content_type})


def conditional(reply: Reply, headers: dict[str, str]) -> Reply:
    """304 when the client's validators match (If-None-Match wins over If-Modified-Since)."""
    if reply.status != 200:
        return reply
    etag = reply.headers.get("ETag")
    if_none_match = headers.get("if-none-match")
    if if_none_match is not None:
        if etag and etag in [tag.strip() for tag in if_none_match.split(",")]:
            return Reply(304, b"", {"ETag": etag})
        return reply
    since, modified = headers.get("if-modified-since"), reply.headers.get("Last-Modified")
    if since and modified:
        try:
            if parsedate_to_datetime(modified) <= parsedate_to_datetime(since):
                return Reply(304, b"", {"ETag": etag} if etag else {})
        except (TypeError, ValueError):
            pass
    return reply


class ReplayRequestHandler(BaseHTTPRequestHandler):
    server_version = "nginx"
    sys_version = ""
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes: with Nagle's algorithm the body waits for the client's
    # delayed ACK (40 ms a response on a kept-alive connection).
    disable_nagle_algorithm = True

    def do_GET(self) -> None:  # noqa: N802
        self.send(self.server.app.handle(self.path, {k.lower(): v for k, v in self.headers.items()}))

    def do_HEAD(self) -> None:  # noqa: N802
        reply = self.server.app.handle(self.path, {k.lower(): v for k, v in self.headers.items()})
        self.send(reply, body=False)

    def send(self, reply: Reply, body: bool = True) -> None:
        payload = reply.body
        encoding = None
        if (
            payload
            and "gzip" in self.headers.get("Accept-Encoding", "")
            and reply.headers.get("Content-Type", "").startswith("text/html")
        ):
            payload, encoding = self.server.compressed(payload), "gzip"
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        if encoding:
            self.send_header("Content-Encoding", encoding)
            self.send_header("Vary", "Accept-Encoding")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if body and payload:
            self.wfile.write(payload)

    def log_message(self, format: str, *args) -> None:  # noqa: A002, ANN002
        if getattr(self.server, "verbose", False):
            super().log_message(format, *args)


class ReplayHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, app: ReplayApp, host: str = "127.0.0.1", port: int = 0, verbose: bool = False):
        super().__init__((host, port), ReplayRequestHandler)
        self.app = app
        self.verbose = verbose
        self._gzip_cache: dict[int, bytes] = {}

    def compressed(self, payload: bytes) -> bytes:
        key = hash(payload)
        cached = self._gzip_cache.get(key)
        if cached is None:
            cached = self._gzip_cache[key] = gzip.compress(payload, compresslevel=5, mtime=0)
        return cached

    @property
    def base_url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"


def start_in_thread(site: ReplaySite, host: str = "127.0.0.1", port: int = 0) -> ReplayHTTPServer:
    """Serve `site` in a daemon thread (tests, benchmarks); stop with .shutdown()."""
    server = ReplayHTTPServer(ReplayApp(site), host, port)
    threading.Thread(target=server.serve_forever, name="replay-server", daemon=True).start()
    return server

