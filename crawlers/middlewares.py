"""Downloader middlewares: robots.txt shared with discovery, retries with backoff and Retry-After,
and a guard that keeps redirects on the outlet's own domains and stops redirect loops.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.response import response_status_message

from crawlers.blocking import Block, redirect_wall, response_wall, signs_for, url_before_redirects
from crawlers.transport import AFTER_HOLD, hold_fetching
from pantau.core.urls import url_host

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


class OffsiteRedirect(IgnoreRequest):
    """A redirect to a host that is not one of the outlet's domains."""


class RedirectLoop(IgnoreRequest):
    """A redirect back to an address already visited for this request."""


class WallRedirect(IgnoreRequest):
    """A redirect to a wall: a consent page, or for an article the home page or a login page."""

    def __init__(self, block: Block):
        super().__init__(f"{block.label}: {block.detail}")
        self.block = block


class SharedRobotsTxtMiddleware(RobotsTxtMiddleware):
    """Obeys robots.txt like Scrapy's middleware, but reuses the spider's own robots.txt fetch.

    The spider fetches robots.txt first anyway (for its Sitemap lines); requests marked with
    meta["pantau_robots"] seed the parser for their host, so robots.txt costs one request per host.
    """

    def process_response(self, request: Request, response: Response, spider=None) -> Response:  # noqa: ANN001
        if request.meta.get("pantau_robots"):
            netloc = urlparse_cached(request).netloc
            if netloc not in self._parsers:
                body = response.body if response.status == 200 else b""
                self._parsers[netloc] = build_from_crawler(self._parserimpl, self.crawler, body)
        return response


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's retry middleware, waiting before each retry: exponential backoff, or the server's
    Retry-After when it asks for longer; a Retry-After above PANTAU_RETRY_MAX_DELAY gives up at once.
    A 429 holds every request to the outlet for that long, not just the one retried: the outlet's wait is
    honoured once, and a 429 to a request sent after it (or a URL's PANTAU_RATE_LIMIT_RETRIES-th) is not
    retried; nor is a challenge or consent page (a 503 from Cloudflare): the spider takes both for walls
    (crawlers/blocking.py)."""

    def __init__(self, settings):  # noqa: ANN001
        super().__init__(settings)
        self.backoff_base = settings.getfloat("PANTAU_RETRY_BACKOFF_BASE", 1.0)
        self.max_delay = settings.getfloat("PANTAU_RETRY_MAX_DELAY", 120.0)
        self.rate_limit_retries = settings.getint("PANTAU_RATE_LIMIT_RETRIES", 1)

    async def process_response(self, request: Request, response: Response, spider=None) -> Request | Response:  # noqa: ANN001
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        if self.is_wall_page(response):
            return response
        delay = retry_delay(
            attempt=request.meta.get("retry_times", 0) + 1,
            retry_after=response.headers.get(b"Retry-After"),
            base=self.backoff_base,
            now=datetime.now(UTC),
        )
        if delay > self.max_delay:
            return response
        if response.status == 429:
            # The outlet asked the crawler to wait, not only for this URL.
            hold_fetching(self.crawler.spider, delay)
            if request.meta.get(AFTER_HOLD) or request.meta.get("retry_times", 0) >= self.rate_limit_retries:
                return response
        retry = self._retry(request, response_status_message(response.status))
        if retry is None:
            return response
        if delay > 0:
            await asyncio.sleep(delay)
        return retry

    def is_wall_page(self, response: Response) -> bool:
        """A challenge or consent page answers the same however often it is asked."""
        outlet = getattr(self.crawler.spider, "outlet", None)
        if outlet is None:
            return False
        block = response_wall(response, signs_for(outlet), article=False)
        return block is not None and block.kind in ("challenge", "consent")

    async def process_exception(self, request: Request, exception: Exception, spider=None):  # noqa: ANN001, ANN201
        retry = super().process_exception(request, exception)
        if retry is not None:
            delay = retry_delay(request.meta.get("retry_times", 0) + 1, None, self.backoff_base, datetime.now(UTC))
            await asyncio.sleep(min(delay, self.max_delay))
        return retry


def retry_delay(attempt: int, retry_after: bytes | None, base: float, now: datetime) -> float:
    """Seconds to wait before retry number `attempt`: base * 2**(attempt-1), or more if Retry-After says so."""
    backoff = base * 2 ** (attempt - 1)
    asked = parse_retry_after(retry_after, now)
    return max(backoff, asked) if asked is not None else backoff


def parse_retry_after(value: bytes | None, now: datetime) -> float | None:
    """Retry-After is either delta-seconds or an HTTP date (RFC 9110 10.2.3)."""
    if not value:
        return None
    text = value.decode("latin-1").strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


class RedirectGuardMiddleware:
    """Drops redirects to a wall (crawlers/blocking.py), redirects that leave the outlet's domains and
    redirects that come back to an address already visited.

    Each raises an IgnoreRequest subclass that reaches the request's errback, so the spider records it.
    """

    def __init__(self, crawler):  # noqa: ANN001
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):  # noqa: ANN001, ANN206
        return cls(crawler)

    def process_response(self, request: Request, response: Response, spider=None) -> Response:  # noqa: ANN001
        if response.status not in REDIRECT_STATUSES or b"Location" not in response.headers:
            return response
        target = urljoin(request.url, response.headers[b"Location"].decode("latin-1")).split("#", 1)[0]
        outlet = getattr(self.crawler.spider, "outlet", None)
        if outlet is not None:
            # Only an article's first page is compared with the home page; its own parts may redirect there.
            article = bool(request.meta.get("pantau_article")) and not request.meta.get("parts")
            wall = redirect_wall(url_before_redirects(request), target, signs_for(outlet), article, response.status)
            if wall is not None:
                raise WallRedirect(wall)
        if outlet is not None and not outlet.owns_host(url_host(target)):
            raise OffsiteRedirect(f"redirected off the outlet's domains to {target}")
        visited = [*request.meta.get("redirect_urls", []), request.url]
        if target in visited:
            raise RedirectLoop(f"redirect loop back to {target}")
        return response
