"""The `archive` mode of the news spider: walk an outlet's archive day by day (`pantau backfill`).

`scrapy crawl news -a outlet=kompas -a mode=archive -a first_day=2018-09-01 -a last_day=2018-09-30
[-a order=oldest] [-a dry_run=1] [-a max_pages=N] [-a replay=URL]`

For every local day of the range that is not yet recorded as walked (table archive_days), in the order
asked, the spider reads the outlet's `[archive]` lists of that day: its index pages, page by page, and
its dated sitemaps (a monthly one once for all the days of its month). Article links that the registry
accepts go through the crawl's own `consider_article`: keyed by `url_key`, a stored key is never fetched
again, a new one is fetched at its canonical address exactly as a crawl fetches it (same politeness,
multi-page articles whole, the same item pipeline, failures recorded).

A day is recorded as walked once every one of its pages was read and every new article it listed is in
the store or failed for good. Its pages are committed first (the item pipeline tells the spider what it
flushed), so a backfill killed at any moment has recorded only days whose articles are stored: the next
run walks the other days again and fetches none of the URLs already stored. In a dry run index pages
are read and new articles counted, not fetched, and no day is recorded.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urljoin

from scrapy.exceptions import UsageError
from scrapy.http import Request, Response, TextResponse

from crawlers import archive_days
from crawlers.discovery import Entry, NotADiscoveryDocument, parse_listing
from crawlers.items import PageItem
from pantau.core.errors import InputError
from pantau.core.outlets import canonical_url, url_key
from pantau.core.time import local_date
from pantau.core.urls import url_host

ARCHIVE_VIA = "archive"
# Index pages of the first day walked come first, its articles before the next day's pages (Scrapy runs
# higher priorities first); robots.txt (100) comes before all of them.
DAY_PRIORITY_STEP = 10
ARTICLE_PRIORITY = 5
# A date in an article address: /2018/09/12/ (Kompas, Tribun, Okezone) or /20180912... (CNN, Bisnis).
_URL_DATE = re.compile(r"/(?P<y>(?:19|20)\d{2})/(?P<m>[01]\d)/(?P<d>[0-3]\d)(?:/|$)"
                       r"|/(?P<y2>(?:19|20)\d{2})(?P<m2>[01]\d)(?P<d2>[0-3]\d)(?:\d{6})?[-/]")


@dataclass
class DayState:
    """One day of the walk. It sits in the spider's `listings` beside sitemaps and feeds, so the crawl's
    own bookkeeping (`consider_article`, `resolve`) keeps its outstanding articles; it never has a
    validator, so it is never saved as a fetch validator."""

    url: str
    day: date
    priority: int
    via: str = ARCHIVE_VIA
    parent: str | None = None
    validator: None = None
    children: list[str] = field(default_factory=list)
    outstanding: set[str] = field(default_factory=set)
    incomplete: bool = False
    # Index pages and sitemaps requested and not answered yet.
    pending_pages: int = 0
    # Articles fetched (their PageItem handed to the pipeline) that no store flush has committed yet.
    unstored: set[str] = field(default_factory=set)
    listed: set[str] = field(default_factory=set)
    known: set[str] = field(default_factory=set)
    fetched: set[str] = field(default_factory=set)
    # Article keys seen on each index list of the day, to tell a page that lists nothing new.
    seen: dict[str, set[str]] = field(default_factory=dict)
    counts: Counter = field(default_factory=Counter)
    done: bool = False

    @property
    def key(self) -> str:
        return f"archive:{self.day.isoformat()}"

    @property
    def settled(self) -> bool:
        return not self.done and self.pending_pages == 0 and not self.outstanding

    def summary(self) -> dict[str, int]:
        return {"index_pages": self.counts["index_pages"], "listed": len(self.listed), "new": len(self.fetched),
                "known": len(self.known), "failed": self.counts["failed"]}


def url_date(url: str) -> date | None:
    """The publication date an article address carries, if it carries one."""
    found = _URL_DATE.search(url.split("?", 1)[0])
    if found is None:
        return None
    year, month, day = (found["y"], found["m"], found["d"]) if found["y"] else (found["y2"], found["m2"], found["d2"])
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return None


def archive_links(response: TextResponse, list_selector: str) -> tuple[list[tuple[str, str]], bool]:
    """(href, link text) of the links in the page's article list, and whether the whole page had to be
    read instead (no list_selector, or it found no list: the outlet changed its layout)."""
    lists = response.css(list_selector) if list_selector else []
    anchors = lists.xpath("descendant-or-self::a") if lists else response.xpath("//a")
    links = []
    for anchor in anchors:
        href = anchor.attrib.get("href")
        if href:
            # A link around a whole item holds its section and time too: its heading is the title.
            words = anchor.css("h1 ::text, h2 ::text, h3 ::text, h4 ::text").getall() or anchor.css("::text").getall()
            links.append((response.urljoin(href), " ".join(" ".join(words).split()) or anchor.attrib.get("title", "")))
    return links, not lists


def truthy(value: object) -> bool:
    return str(value).strip().lower() in {"1", "true", "yes", "on"}


class ArchiveWalk:
    """The archive mode, mixed into `crawlers.spiders.news.NewsSpider` (which provides `outlet`, `store`,
    `listings`, `article_listings`, `known`, `counts`, `consider_article`, `parse_article`, `article_failed`,
    `record`, `failure_item` and `report_progress`)."""

    mode = "crawl"

    def init_archive_mode(self, mode: str | None = None, first_day: str | date | None = None, last_day: str | date | None = None,
                          order: str = "newest", dry_run: object = False, **_other: object) -> None:
        self.mode = mode or "crawl"
        if self.mode not in ("crawl", "archive"):
            raise UsageError(f"unknown mode {self.mode!r}: use crawl (the default) or archive")
        if self.mode != "archive":
            return
        if self.outlet.archive is None:
            raise UsageError(f"{self.outlet.id} has no [archive] entry in the registry: its past days cannot be walked")
        try:
            self.archive_start = first_day if isinstance(first_day, date) else date.fromisoformat(str(first_day))
            self.archive_end = last_day if isinstance(last_day, date) else date.fromisoformat(str(last_day or first_day))
        except ValueError as error:
            raise UsageError("the archive mode needs first_day=YYYY-MM-DD (and last_day=YYYY-MM-DD)") from error
        if self.archive_end < self.archive_start:
            raise UsageError("the archive range ends before it starts")
        if order not in ("newest", "oldest"):
            raise UsageError("order is newest or oldest")
        self.newest_first = order == "newest"
        self.dry_run = truthy(dry_run)
        self.days: dict[date, DayState] = {}
        self.days_total = (self.archive_end - self.archive_start).days + 1
        self.days_skipped = 0
        self.archive_tally: Counter[str] = Counter()
        # Days with fetched pages not yet committed, and those of them that wait for nothing else.
        self.unstored_days: set[date] = set()
        self.waiting_days: set[date] = set()

    def archive_options(self) -> dict:
        if self.mode != "archive":
            return {}
        return {"mode": "archive", "first_day": self.archive_start.isoformat(), "last_day": self.archive_end.isoformat(),
                "order": "newest" if self.newest_first else "oldest", "dry_run": self.dry_run}

    def archive_counts(self) -> dict:
        """What the archive mode adds to the run record (progress lines and the final one)."""
        if self.mode != "archive":
            return {}
        tally = self.archive_tally
        return {
            "mode": "archive", "dry_run": self.dry_run, "days": self.days_total, "days_skipped": self.days_skipped,
            "days_walked": tally["days_walked"], "days_incomplete": tally["days_incomplete"],
            "index_pages": tally["index_pages"], "would_fetch": tally["would_fetch"],
            "truncated_days": tally["truncated_days"], "fallback_pages": tally["fallback_pages"],
        }

    # -- the days' lists ---------------------------------------------------------------------------

    def archive_requests(self) -> list[Request]:
        """Requests for the first page of every list of every day still to walk, in walking order."""
        walked = archive_days.walked_days(self.store, self.outlet.id, self.archive_start, self.archive_end)
        days = [day for day in archive_days.days_between(self.archive_start, self.archive_end, self.newest_first)
                if day not in walked]
        self.days_skipped = self.days_total - len(days)
        archive = self.outlet.archive
        for position, day in enumerate(days):
            first = urljoin(self.outlet.home, archive.index_url((archive.index_pages or archive.sitemaps)[0], day))
            state = DayState(url=first, day=day, priority=(len(days) - position) * DAY_PRIORITY_STEP)
            self.days[day] = state
            self.listings[state.key] = state
        # Every request is made (and counted on its days) before the first is handed to Scrapy: a day
        # whose lists are not all asked for must not look walked.
        requests, months = [], {}
        for state in self.days.values():
            requests += [self.index_request(template, state, 1) for template in archive.index_pages]
            requests += [self.archive_sitemap_request(urljoin(self.outlet.home, archive.index_url(template, state.day)), [state])
                         for template in archive.daily_sitemaps]
            months.setdefault((state.day.year, state.day.month), []).append(state)
        for month_days in months.values():
            requests += [self.archive_sitemap_request(urljoin(self.outlet.home, archive.index_url(template, month_days[0].day)),
                                                      month_days)
                         for template in archive.monthly_sitemaps]
        self.report_progress(force=True)
        return requests

    def index_request(self, template: str, state: DayState, number: int) -> Request:
        state.pending_pages += 1
        url = urljoin(self.outlet.home, self.outlet.archive.index_url(template, state.day, number))
        return Request(url, callback=self.parse_archive_index, errback=self.archive_page_failed, priority=state.priority,
                       meta={"pantau_days": [state.day.isoformat()], "pantau_template": template, "pantau_page": number,
                             "handle_httpstatus_list": [404, 410]})

    def archive_sitemap_request(self, url: str, states: list[DayState]) -> Request:
        for state in states:
            state.pending_pages += 1
        return Request(url, callback=self.parse_archive_sitemap, errback=self.archive_page_failed, priority=states[0].priority,
                       meta={"pantau_days": [state.day.isoformat() for state in states], "handle_httpstatus_list": [404, 410],
                             "download_maxsize": self.settings.getint("PANTAU_LISTING_MAXSIZE", 50 * 1024 * 1024)})

    def days_of(self, response_or_request) -> list[DayState]:  # noqa: ANN001
        return [self.days[date.fromisoformat(day)] for day in response_or_request.meta["pantau_days"]]

    def page_answered(self, states: list[DayState]) -> None:
        """The page's work is done (its articles and next page are asked for): its days may now settle."""
        for state in states:
            state.pending_pages -= 1
        self.finish_days(states)
        self.report_progress()

    def list_missing(self, response: Response, states: list[DayState], what: str) -> list:
        """A day's first page or a dated sitemap that is not there: the day cannot be walked (yet)."""
        for state in states:
            state.incomplete = True
            state.counts["failed"] += 1
        return [self.record(response.url, f"http_{response.status}", response.status, f"archive {what} is missing")]

    # Page callbacks do all their bookkeeping before they hand anything to Scrapy (which may run other
    # callbacks while it takes their output): a day must never look walked while a page of it is unread.

    def parse_archive_index(self, response: Response):  # noqa: ANN201
        states = self.days_of(response)
        outputs = self.read_index(response, states[0])
        self.page_answered(states)
        yield from outputs

    def read_index(self, response: Response, state: DayState) -> list:
        template, number = response.meta["pantau_template"], response.meta["pantau_page"]
        archive = self.outlet.archive
        self.count_page([state])
        if response.status in (404, 410):
            # Past the last page some outlets answer 404: the list ends there. The first page must exist.
            return self.list_missing(response, [state], "index page") if number == 1 else []
        if not isinstance(response, TextResponse):
            state.incomplete = True
            return [self.record(response.url, "not_html", response.status, "archive index page is not HTML")]
        links, whole_page = archive_links(response, archive.list_selector)
        if whole_page and archive.list_selector:
            self.archive_tally["fallback_pages"] += 1
        # One entry per article (an item often links it twice, from its picture and from its title).
        articles: dict[str, tuple[str, str]] = {}
        for url, title in links:
            # Read as a whole page, an index also links to other days' articles (most read, related):
            # an address that carries another date is one of those.
            if whole_page and url_date(url) not in (None, state.day):
                continue
            key = self.article_key(url)
            if key is not None and not articles.get(key, ("", ""))[1]:
                articles[key] = (articles.get(key, (url, ""))[0], title)
        seen = state.seen.setdefault(template, set())
        outputs, fresh = [], 0
        for key, (url, title) in articles.items():
            fresh += key not in seen
            seen.add(key)
            outputs += self.consider_archived(url, key, [state], Entry(url=url, title=title or None))
        if archive.paginated(template):
            more = bool(response.css(archive.next_selector)) and bool(links) if archive.next_selector else fresh > 0
            if more and number < archive.max_pages:
                outputs.append(self.index_request(template, state, number + 1))
            elif more:
                self.archive_tally["truncated_days"] += 1
        return outputs

    def parse_archive_sitemap(self, response: Response):  # noqa: ANN201
        states = self.days_of(response)
        outputs = self.read_sitemap(response, states)
        self.page_answered(states)
        yield from outputs

    def read_sitemap(self, response: Response, states: list[DayState]) -> list:
        self.count_page(states)
        if response.status in (404, 410):
            return self.list_missing(response, states, "sitemap")
        try:
            listing = parse_listing(response.body)
        except NotADiscoveryDocument as error:
            for state in states:
                state.incomplete = True
            return [self.record(response.url, "invalid_sitemap", response.status, str(error))]
        outputs = []
        if listing.damaged:
            for state in states:
                state.incomplete = True
            outputs.append(self.record(response.url, "invalid_sitemap", response.status, listing.damaged))
        if listing.kind == "index":
            return outputs + [self.archive_sitemap_request(urljoin(response.url, entry.url), states) for entry in listing.entries]
        for entry in listing.entries:
            url = urljoin(response.url, entry.url)
            key = self.article_key(url)
            targets = states if len(states) == 1 else self.days_listing(url, entry, states)
            if key is not None and targets:
                outputs += self.consider_archived(url, key, targets, entry)
        return outputs

    def count_page(self, states: list[DayState]) -> None:
        self.archive_tally["index_pages"] += 1
        for state in states:
            state.counts["index_pages"] += 1

    def days_listing(self, url: str, entry: Entry, states: list[DayState]) -> list[DayState]:
        """The days of a monthly sitemap an entry belongs to: its publication date, else the date in its
        address, else its last modification; all of them when it says no date."""
        day = local_date(entry.published) if entry.published else url_date(url)
        if day is None and entry.modified is not None:
            day = local_date(entry.modified)
        return states if day is None else [state for state in states if state.day == day]

    def archive_page_failed(self, failure):  # noqa: ANN001, ANN201
        states = self.days_of(failure.request)
        for state in states:
            state.incomplete = True
            state.counts["failed"] += 1
        item = self.failure_item(failure)
        self.page_answered(states)
        yield item

    # -- articles ----------------------------------------------------------------------------------

    def article_key(self, url: str) -> str | None:
        """The key of `url` when it is an article of this outlet (what consider_article will accept)."""
        if not self.outlet.owns_host(url_host(url)) or not self.outlet.is_article_url(url):
            return None
        try:
            canonical_url(url)
            return url_key(url)
        except InputError:
            return None

    def consider_archived(self, url: str, key: str, states: list[DayState], entry: Entry) -> list[Request]:
        """The crawl's consider_article for each day that lists `url`; its request goes at the day's
        priority to the archive's callbacks (not at all in a dry run)."""
        requests = []
        for state in states:
            state.listed.add(key)
            # Stored before this run, or met earlier in it (another day listed it first): known to this day.
            if (key in self.known or key in self.article_listings) and key not in state.fetched:
                state.known.add(key)
            article = Entry(url=url, title=entry.title, published=entry.published, modified=entry.modified)
            for output in self.consider_article(article, state.key, state.url, ARCHIVE_VIA):
                if self.dry_run:
                    self.archive_tally["would_fetch"] += 1
                    state.fetched.add(key)
                    self.resolve(key, permanent=True)
                    continue
                state.fetched.add(key)
                requests.append(output.replace(callback=self.parse_archived_article, errback=self.archived_article_failed,
                                               priority=state.priority + ARTICLE_PRIORITY))
        return requests

    def parse_archived_article(self, response: Response):  # noqa: ANN201
        key = response.meta["pantau_article"]
        states = self.states_listing(key)
        for output in self.parse_article(response):
            if isinstance(output, Request) and output.callback == self.parse_article:
                output = output.replace(callback=self.parse_archived_article, errback=self.archived_article_failed)
            elif isinstance(output, PageItem):
                # Before the pipeline can have it: the days wait for the flush that commits this page.
                for state in states:
                    state.unstored.add(key)
                    self.unstored_days.add(state.day)
            yield output
        self.finish_days(states)

    def archived_article_failed(self, failure):  # noqa: ANN001, ANN201
        states = self.states_listing(failure.request.meta["pantau_article"])
        yield from self.article_failed(failure)
        for state in states:
            state.counts["failed"] += 1
        self.finish_days(states)

    def states_listing(self, key: str) -> list[DayState]:
        return [self.listings[listing] for listing in self.article_listings.get(key, ())
                if isinstance(self.listings.get(listing), DayState)]

    # -- days done ---------------------------------------------------------------------------------

    def flush_due(self) -> bool:
        """Whether the item pipeline should commit now: a day waits only for its pages to be stored."""
        return bool(self.mode == "archive" and self.waiting_days)

    def pages_flushed(self, keys: set[str]) -> None:
        """Called by the item pipeline after it committed these pages."""
        if self.mode != "archive":
            return
        states = [self.days[day] for day in self.unstored_days]
        for state in states:
            state.unstored -= keys
            if not state.unstored:
                self.unstored_days.discard(state.day)
        self.finish_days(states)

    def finish_days(self, states: list[DayState]) -> None:
        """Record those of `states` that are walked: every page read, every new article stored or failed for good."""
        walked = []
        for state in states:
            if not state.settled:
                continue
            if state.unstored:
                self.waiting_days.add(state.day)
                continue
            self.waiting_days.discard(state.day)
            state.done = True
            if state.incomplete:
                self.archive_tally["days_incomplete"] += 1
                continue
            self.archive_tally["days_walked"] += 1
            walked.append((state.day, state.summary()))
        if walked and not self.dry_run:
            archive_days.record_days(self.store, self.outlet.id, walked, self.run_id)
