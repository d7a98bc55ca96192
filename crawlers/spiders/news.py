"""The `news` spider: discovers an outlet's articles and fetches each new one whole.

`scrapy crawl news -a outlet=kompas [-a replay=http://127.0.0.1:8800] [-a since=2018-08-01]
[-a max_pages=100] [-a database_url=sqlite:///data/pantau.db]`

Discovery follows the registry entry: robots.txt first (its Sitemap lines; probing common sitemap
paths when it names none), then news sitemaps and sitemaps (indexes recursively), with RSS/Atom feeds
as the fallback when no sitemap can be read. Sitemaps and feeds are requested conditionally
(ETag / If-Modified-Since) and children of an index whose lastmod predates the last check are not
requested at all. An article URL already in the store (normalised) is never fetched again, and one
that failed for good (404, 410, an off-site redirect, ...) is not asked for again until
`crawl.recheck_failed_after_days` have passed; both count as `skipped_known`. A wall (a 403, a challenge
or consent page, a page that is not the article; crawlers/blocking.py) is never stored; after
`crawl.blocked_after` of them in a row the outlet is stopped and its run closed as "blocked".
"""

from __future__ import annotations

import json
import re
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import scrapy
from scrapy.exceptions import CloseSpider, UsageError
from scrapy.http import Request, Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError

from crawlers import store as crawl_store
from crawlers.archive import ArchiveWalk
from crawlers.blocking import Block, WallWatch, response_wall, signs_for, url_before_redirects
from crawlers.discovery import PROBE_SITEMAP_PATHS, Entry, NotADiscoveryDocument, is_before, parse_listing, robots_sitemaps
from crawlers.failures import classify
from crawlers.items import FailureItem, PageItem
from crawlers.middlewares import WallRedirect
from crawlers.transport import FetchingStopped
from pantau.core.errors import InputError
from pantau.core.outlets import Outlet, Pagination, canonical_url, get_outlet, url_key
from pantau.core.urls import url_host
from pantau.store import open_store
from pantau.store.crawl_status import outlet_block

# Lines on stdout that crawlers.run reads when it runs the spider (PANTAU_PROGRESS setting).
PROGRESS_PREFIX = "PANTAU_PROGRESS "
RESULT_PREFIX = "PANTAU_RESULT "

# Failures that will not change by asking again soon: the URL counts as done for this listing.
PERMANENT_REASONS = frozenset({"http_404", "http_410", "http_451", "offsite_redirect", "robots_forbidden", "not_html",
                               "too_large", "redirect_loop", "too_many_redirects"})


@dataclass
class ListingState:
    """One sitemap or feed of this run, and whether everything it listed has been dealt with."""

    url: str
    via: str
    parent: str | None
    validator: tuple[str | None, str | None] | None = None
    outstanding: set[str] = field(default_factory=set)
    children: list[str] = field(default_factory=list)
    incomplete: bool = False


class NewsSpider(ArchiveWalk, scrapy.Spider):
    name = "news"

    def __init__(self, outlet: str = "", replay: str | None = None, since: str | date | None = None,
                 max_pages: str | int | None = None, run_id: str | int | None = None,
                 database_url: str | None = None, *args, **kwargs):  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        if not outlet:
            raise UsageError("name the outlet to crawl: scrapy crawl news -a outlet=ID")
        try:
            self.outlet: Outlet = get_outlet(outlet)
        except KeyError as error:
            raise UsageError(str(error).strip('"')) from error
        self.replay_base = replay.rstrip("/") if replay else None
        self.since = date.fromisoformat(since) if isinstance(since, str) and since else (since or None)
        self.max_pages = int(max_pages) if max_pages not in (None, "") else None
        self.run_id = int(run_id) if run_id not in (None, "") else None
        self.database_url = database_url or None
        # Scrapy's offsite filter: never leave the outlet's domains.
        self.allowed_domains = list(self.outlet.domains)
        self.counts: Counter[str] = Counter()
        self.failed: Counter[str] = Counter()
        self.known: set[str] = set()
        self.validators: dict = {}
        self.listings: dict[str, ListingState] = {}
        self.article_listings: dict[str, set[str]] = {}
        self.scheduled = 0
        self.top_pending = 0
        self.any_sitemap_usable = False
        self.feeds_requested = False
        self._last_progress = 0.0
        self.walls = WallWatch(limit=3)
        # -a mode=archive start=... end=...: walk the outlet's archive instead (crawlers/archive.py).
        self.init_archive_mode(**kwargs)

    # -- start -------------------------------------------------------------------------------------

    async def start(self):  # noqa: ANN201
        # crawlers.worker has brought the schema up to date once for all its spiders.
        self.store = open_store(self.database_url, migrate=not self.settings.getbool("PANTAU_STORE_MIGRATED"))
        self.walls.limit = self.settings.getint("PANTAU_BLOCKED_AFTER", 3)
        crawl_store.ensure_outlet_row(self.store, self.outlet)
        if self.run_id is None:
            options = {"since": self.since.isoformat() if self.since else None, "max_pages": self.max_pages,
                       **self.archive_options()}
            self.run_id = crawl_store.start_run(self.store, self.outlet.id, self.replay_base, options)
        self.known = crawl_store.known_url_keys(self.store, self.outlet.id) | self.recently_failed_keys()
        self.validators = crawl_store.load_validators(self.store)
        self.report_progress(force=True)
        yield Request(
            urljoin(self.outlet.home, "/robots.txt"),
            callback=self.parse_robots,
            errback=self.robots_failed,
            meta={"dont_obey_robotstxt": True, "pantau_robots": True, "handle_httpstatus_all": True},
            dont_filter=True,
            priority=100,
        )

    def recently_failed_keys(self) -> set[str]:
        """Articles whose first request failed for good within the recheck period (not parts, not redirects)."""
        days = self.settings.getfloat("PANTAU_RECHECK_FAILED_AFTER_DAYS", 30.0)
        if days <= 0:
            return set()
        since = datetime.now(UTC) - timedelta(days=days)
        keys = set()
        for url in crawl_store.failed_urls(self.store, self.outlet.id, PERMANENT_REASONS, since):
            try:
                address = canonical_url(url)
            except InputError:
                continue
            # A failed part 2 of an article normalises to the article: only the article's own address counts.
            if url in (address, first_part_url(address, self.outlet.pagination)):
                keys.add(url_key(address))
        return keys

    def parse_robots(self, response: Response):  # noqa: ANN201
        wall = self.wall_of(response, article=False) if response.status != 200 or _is_html(response) else None
        listed = robots_sitemaps(response.body) if response.status == 200 and wall is None else []
        if wall is not None:
            yield from self.walled(response.url, wall)
        yield from self.discovery_requests(listed)

    def robots_failed(self, failure):  # noqa: ANN001, ANN201
        yield self.failure_item(failure)
        yield from self.discovery_requests([])

    def discovery_requests(self, robots_listed: list[str]):  # noqa: ANN201
        if self.mode == "archive":
            yield from self.archive_requests()
            return
        home = self.outlet.home
        candidates = [(urljoin(home, path), "news_sitemap") for path in self.outlet.news_sitemaps]
        candidates += [(url, "sitemap") for url in robots_listed]
        candidates += [(urljoin(home, path), "sitemap") for path in self.outlet.sitemaps]
        if not robots_listed:
            candidates += [(urljoin(home, path), "probe") for path in PROBE_SITEMAP_PATHS]
        requests = []
        for url, via in candidates:
            request = self.listing_request(url, via, parent=None)
            if request is not None:
                requests.append(request)
        self.top_pending = len(requests)
        if not requests:
            requests = list(self.feed_requests())
        yield from requests

    def feed_requests(self):  # noqa: ANN201
        self.feeds_requested = True
        for path in self.outlet.feeds:
            request = self.listing_request(urljoin(self.outlet.home, path), "feed", parent=None)
            if request is not None:
                yield request

    # -- listings ----------------------------------------------------------------------------------

    def listing_request(self, url: str, via: str, parent: str | None) -> Request | None:
        if not self.outlet.owns_host(url_host(url)):
            return None
        try:
            key = url_key(url)
        except InputError:
            return None
        if key in self.listings:
            return None
        self.listings[key] = ListingState(url, via, parent)
        headers = {}
        known = self.validators.get(key)
        if known is not None:
            if known.etag:
                headers["If-None-Match"] = known.etag
            if known.last_modified:
                headers["If-Modified-Since"] = known.last_modified
        return Request(
            url,
            callback=self.parse_listing,
            errback=self.listing_failed,
            headers=headers,
            meta={
                "pantau_listing": key,
                "handle_httpstatus_list": [304, 404, 410],
                "download_maxsize": self.settings.getint("PANTAU_LISTING_MAXSIZE", 50 * 1024 * 1024),
            },
            priority=10,
        )

    def parse_listing(self, response: Response):  # noqa: ANN201
        key = response.meta["pantau_listing"]
        state = self.listings[key]
        if response.status == 304:
            known = self.validators.get(key)
            state.validator = (known.etag, known.last_modified) if known is not None else (None, None)
            self.walls.reached()
            yield from self.top_listing_done(state, usable=True)
            return
        if response.status in (404, 410):
            if state.via != "probe":
                yield self.record(response.url, f"http_{response.status}", response.status, "sitemap or feed is missing")
            yield from self.top_listing_done(state, usable=False)
            return
        try:
            listing = parse_listing(response.body)
        except NotADiscoveryDocument as error:
            wall = self.wall_of(response, article=False)
            if wall is not None:
                yield from self.top_listing_done(state, usable=False)
                yield from self.walled(response.url, wall)
                return
            if state.via != "probe":
                reason = "invalid_sitemap" if "XML" in str(error) or "gzip" in str(error) else "not_a_sitemap"
                yield self.record(response.url, reason, response.status, str(error))
            yield from self.top_listing_done(state, usable=False)
            return
        if listing.damaged:
            # Keep what could be read; without a saved validator the next run reads it again.
            state.incomplete = True
            yield self.record(response.url, "invalid_sitemap", response.status, listing.damaged)
        state.validator = (_header(response, b"ETag"), _header(response, b"Last-Modified"))
        self.walls.reached()
        if listing.kind == "index":
            for entry in listing.entries:
                yield from self.child_listing(state, key, entry)
        else:
            via = "feed" if listing.kind == "feed" else state.via
            for entry in listing.entries:
                yield from self.consider_article(entry, key, response.url, via)
        yield from self.top_listing_done(state, usable=True)

    def child_listing(self, parent: ListingState, parent_key: str, entry: Entry):  # noqa: ANN201
        if is_before(entry, self.since):
            parent.incomplete = True
            return
        url = urljoin(parent.url, entry.url)
        try:
            child_key = url_key(url)
        except InputError:
            return
        known = self.validators.get(child_key)
        # Unchanged since it was last read in full: no request at all.
        if known is not None and entry.modified is not None and entry.modified <= known.checked_at:
            return
        request = self.listing_request(url, parent.via if parent.via != "probe" else "sitemap", parent=parent_key)
        if request is not None:
            parent.children.append(child_key)
            yield request

    def listing_failed(self, failure):  # noqa: ANN001, ANN201
        key = failure.request.meta["pantau_listing"]
        state = self.listings[key]
        state.incomplete = True
        if failure.check(FetchingStopped):
            self.counts["not_sent"] += 1
            return
        wall = self.failure_wall(failure, article=False)
        # A guessed sitemap path may well be forbidden; a challenge there is still a challenge.
        if wall is not None and (state.via != "probe" or wall.kind != "http_403"):
            yield from self.top_listing_done(state, usable=False)
            yield from self.walled(failure.request.url, wall)
            return
        if state.via != "probe":
            yield self.failure_item(failure)
        yield from self.top_listing_done(state, usable=False)

    def top_listing_done(self, state: ListingState, usable: bool):  # noqa: ANN201
        """Feeds are the fallback: requested once every top-level sitemap has failed."""
        if state.parent is not None or state.via == "feed":
            return
        self.top_pending -= 1
        self.any_sitemap_usable |= usable
        if self.top_pending <= 0 and not self.any_sitemap_usable and not self.feeds_requested:
            yield from self.feed_requests()

    # -- articles ----------------------------------------------------------------------------------

    def consider_article(self, entry: Entry, listing_key: str, listing_url: str, via: str):  # noqa: ANN201
        url = urljoin(listing_url, entry.url)
        if not self.outlet.owns_host(url_host(url)) or not self.outlet.is_article_url(url):
            return
        try:
            address, key = canonical_url(url), url_key(url)
        except InputError:
            return
        listing = self.listings[listing_key]
        if key in self.article_listings:
            if self.article_listings[key]:
                self.article_listings[key].add(listing_key)
                listing.outstanding.add(key)
            return
        self.article_listings[key] = set()
        self.counts["discovered"] += 1
        if key in self.known:
            self.counts["skipped_known"] += 1
            return
        if is_before(entry, self.since) or (self.max_pages is not None and self.scheduled >= self.max_pages):
            listing.incomplete = True
            return
        self.scheduled += 1
        self.article_listings[key] = {listing_key}
        listing.outstanding.add(key)
        # Fetched at its own address; stored under its key (an old form and its current form are one key).
        yield Request(
            first_part_url(address, self.outlet.pagination),
            callback=self.parse_article,
            errback=self.article_failed,
            meta={"pantau_article": key, "pantau_address": address, "parts": [], "via": via, "listed_title": entry.title,
                  "listed_published_at": entry.published or entry.modified},
        )

    def parse_article(self, response: Response):  # noqa: ANN201
        meta = response.meta
        key = meta["pantau_article"]
        self.counts["fetched"] += 1
        content_type = _header(response, b"Content-Type") or ""
        if content_type and not any(kind in content_type.lower() for kind in ("html", "xml")):
            yield self.record(response.url, "not_html", response.status, f"Content-Type {content_type}")
            self.resolve(key, permanent=True)
            return
        # The shape checks (home or login page instead, almost no text) are for an article's first page.
        wall = self.wall_of(response, article=not meta["parts"])
        if wall is not None:
            self.resolve(key, permanent=False)
            yield from self.walled(url_before_redirects(response), wall, part=len(meta["parts"]) + 1)
            return
        parts = [*meta["parts"], (response.url, response.body)]
        next_url = next_part_url(response, len(parts) + 1, self.outlet.pagination)
        if next_url is not None and len(parts) < self.outlet.pagination.max_parts:
            yield response.follow(
                next_url, callback=self.parse_article, errback=self.article_failed, meta={**meta, "parts": parts}
            )
            return
        yield PageItem(
            url_key=key,
            url=meta.get("pantau_address", key),
            final_url=response.url,
            outlet_id=self.outlet.id,
            http_status=response.status,
            headers=page_headers(response),
            fetched_at=datetime.now(UTC),
            parts=parts,
            discovered_via=meta.get("via"),
            listed_title=meta.get("listed_title"),
            listed_published_at=meta.get("listed_published_at"),
        )
        self.walls.reached()
        self.resolve(key, permanent=True)

    def article_failed(self, failure):  # noqa: ANN001, ANN201
        if failure.check(FetchingStopped):
            self.counts["not_sent"] += 1
            self.resolve(failure.request.meta["pantau_article"], permanent=False)
            return
        wall = self.failure_wall(failure, article=not failure.request.meta.get("parts"))
        if wall is not None:
            self.resolve(failure.request.meta["pantau_article"], permanent=False)
            part = len(failure.request.meta.get("parts") or []) + 1
            yield from self.walled(url_before_redirects(failure.request), wall, part=part)
            return
        item = self.failure_item(failure)
        if failure.request.meta.get("parts"):
            item.detail = f"part {len(failure.request.meta['parts']) + 1} of a multi-page article: {item.detail}"
        yield item
        self.resolve(
            failure.request.meta["pantau_article"],
            permanent=item.reason in PERMANENT_REASONS and not failure.request.meta.get("parts"),
        )

    def resolve(self, key: str, permanent: bool) -> None:
        for listing_key in self.article_listings.get(key, ()):
            listing = self.listings[listing_key]
            listing.outstanding.discard(key)
            listing.incomplete |= not permanent
        self.article_listings[key] = set()

    # -- walls (crawlers/blocking.py) --------------------------------------------------------------

    @property
    def fetching_stopped(self) -> bool:
        """True once the outlet walled the crawler off: queued requests are dropped (crawlers.transport)."""
        return self.walls.stop is not None

    def wall_of(self, response: Response, article: bool) -> Block | None:
        return response_wall(response, signs_for(self.outlet), article)

    def failure_wall(self, failure, article: bool) -> Block | None:  # noqa: ANN001
        """The wall behind a failed request (a 403, a 429 after its wait, a challenge sent as 503, a
        redirect to a consent, home or login page), if it is one."""
        if isinstance(failure.value, WallRedirect):
            return failure.value.block
        if not isinstance(failure.value, HttpError):
            return None
        return self.wall_of(failure.value.response, article)

    def walled(self, url: str, wall: Block, part: int = 1):  # noqa: ANN201
        """Record a wall as the URL's failure (to be asked again next crawl); stop the outlet at too many in a row."""
        where = f"part {part} of a multi-page article: " if part > 1 else ""
        yield self.record(url, wall.reason, wall.http_status, f"{where}{wall.label} ({wall.detail})")
        if self.walls.wall(wall, url):
            self.logger.warning("stopping %s, %s after %d blocked "
                                "answers in a row", self.outlet.id, self.walls.stop["reason"], self.walls.limit)
            raise CloseSpider("blocked")

    # -- recording ---------------------------------------------------------------------------------

    def failure_item(self, failure) -> FailureItem:  # noqa: ANN001
        reason, status, detail = classify(failure)
        return self.record(failure.request.url, reason, status, detail)

    def record(self, url: str, reason: str, status: int | None, detail: str) -> FailureItem:
        self.failed[reason] += 1
        self.logger.info("failed %s (%s): %s", url, reason, detail)
        return FailureItem(url=url, reason=reason, http_status=status, detail=detail)

    def current_counts(self) -> dict:
        return {
            "outlet": self.outlet.id,
            "run_id": self.run_id,
            "discovered": self.counts["discovered"],
            "fetched": self.counts["fetched"],
            "new": self.counts["new"],
            "skipped_known": self.counts["skipped_known"],
            "requests": int(self.crawler.stats.get_value("downloader/request_count", 0)) - self.counts["not_sent"],
            "failed": dict(self.failed),
            **self.archive_counts(),
        }

    def report_progress(self, force: bool = False) -> None:
        """One JSON line on stdout for `crawlers.run` (only when it asked for progress)."""
        if not self.settings.getbool("PANTAU_PROGRESS"):
            return
        now = time.monotonic()
        if force or now - self._last_progress >= 0.25:
            self._last_progress = now
            print(PROGRESS_PREFIX + json.dumps(self.current_counts()), file=sys.stdout, flush=True)

    def complete_listings(self) -> dict[str, tuple[str | None, str | None]]:
        """Validators of the listings whose every entry (and child) was dealt with in this run."""
        memo: dict[str, bool] = {}

        def complete(key: str) -> bool:
            if key not in memo:
                state = self.listings[key]
                memo[key] = (state.validator is not None and not state.incomplete and not state.outstanding
                             and all(complete(child) for child in state.children))
            return memo[key]

        return {key: self.listings[key].validator for key in self.listings if complete(key)}

    def closed(self, reason: str) -> None:
        store = getattr(self, "store", None)
        if store is None:
            return
        crawl_store.save_validators(store, self.complete_listings())
        blocked = self.walls.stop
        status = "blocked" if blocked is not None else "finished" if reason == "finished" else f"stopped: {reason}"
        record = crawl_store.finish_run(store, self.run_id, self.current_counts(), status, blocked=blocked)
        if blocked is not None:
            with store.session() as session:
                block = outlet_block(session, self.outlet.id)
            blocked = {**blocked, "since": block.since.isoformat() if block is not None else blocked["at"]}
        if self.settings.getbool("PANTAU_PROGRESS"):
            print(RESULT_PREFIX + json.dumps({**record, **self.archive_counts(), "status": status, "blocked": blocked}),
                  file=sys.stdout, flush=True)
        store.dispose()


def first_part_url(address: str, pagination: Pagination) -> str:
    """The address that shows the whole article when the outlet has one (Kompas `?page=all`)."""
    if pagination.kind != "all":
        return address
    return with_query_param(address, pagination.param, pagination.all_value)


def next_part_url(response: Response, number: int, pagination: Pagination) -> str | None:
    """The address of part `number` when the page links to it (numbered pagination only)."""
    if pagination.kind != "numbered" or not isinstance(response, TextResponse):
        return None
    if pagination.next_selector:
        href = response.css(f"{pagination.next_selector}::attr(href)").get()
        return response.urljoin(href) if href else None
    wanted = urlsplit(response.url).path.rstrip("/")
    for href in response.css("a::attr(href)").getall():
        target = urlsplit(response.urljoin(href))
        if target.path.rstrip("/") == wanted and dict(parse_qsl(target.query)).get(pagination.param) == str(number):
            return urlunsplit(target._replace(fragment=""))
    return None


def with_query_param(url: str, name: str, value: str) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != name]
    query.append((name, value))
    return urlunsplit(parts._replace(query=urlencode(query)))


def page_headers(response: Response) -> dict:
    """Fetch metadata kept with the raw bytes: the declared charsets matter to re-extraction."""
    content_type = _header(response, b"Content-Type")
    return {
        "content_type": content_type,
        "declared_charset": _charset_param(content_type),
        "meta_charset": _meta_charset(response.body[:4096]),
        "etag": _header(response, b"ETag"),
        "last_modified": _header(response, b"Last-Modified"),
        "content_language": _header(response, b"Content-Language"),
        "bytes": len(response.body),
    }


def _is_html(response: Response) -> bool:
    return "html" in (_header(response, b"Content-Type") or "").lower()


def _header(response: Response, name: bytes) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None


def _charset_param(content_type: str | None) -> str | None:
    if not content_type:
        return None
    for param in content_type.split(";")[1:]:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            return value.strip().strip('"\'').lower()
    return None


def _meta_charset(head: bytes) -> str | None:
    match = re.search(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", head, re.IGNORECASE)
    return match.group(1).decode("ascii").lower() if match else None
