"""The HTTP download handler of pantau's crawlers: Scrapy's own, plus replay-host mapping, a hold and
a stop. A hold (`hold_fetching`, after a 429's Retry-After) keeps every request of the spider here until
it ends, and marks the requests sent after one (meta["pantau_after_hold"]): a 429 to those is a wall.
Once the spider has stopped fetching (an outlet that walled the crawler off, crawlers/blocking.py), the
requests still queued are dropped here, before they reach the outlet.

With a replay host (`pantau crawl --replay URL`), each request for a real outlet URL is sent to the
replay host instead and the response is mapped back (its URL and any Location header), so spiders,
middlewares, download slots and the store all see the outlet's real addresses.
"""

from __future__ import annotations

import asyncio
from time import monotonic
from typing import Any
from urllib.parse import urljoin

from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response

from crawlers.replay.mapping import from_replay, to_replay

AFTER_HOLD = "pantau_after_hold"


class FetchingStopped(IgnoreRequest):
    """A request that was queued when its spider stopped fetching; it was never sent."""


def hold_fetching(spider: Any, seconds: float) -> None:  # noqa: ANN401 - a Scrapy spider
    """Send nothing more for `spider` (one outlet) for `seconds`, or longer if it is already held."""
    spider.fetch_not_before = max(getattr(spider, "fetch_not_before", 0.0), monotonic() + seconds)


class ReplayableHttpDownloadHandler(HTTP11DownloadHandler):
    lazy = False

    async def download_request(self, request: Request) -> Response:
        spider = self._crawler.spider
        while (wait := getattr(spider, "fetch_not_before", 0.0) - monotonic()) > 0:
            await asyncio.sleep(wait)
        if hasattr(spider, "fetch_not_before"):
            request.meta[AFTER_HOLD] = True
        # Scrapy hands the downloader many requests at once and, closing a spider, still sends them all.
        if getattr(spider, "fetching_stopped", False):
            raise FetchingStopped(f"not sent: the crawl of this outlet stopped ({request.url})")
        base = getattr(spider, "replay_base", None)
        if not base:
            return await super().download_request(request)
        replay_request = request.replace(url=to_replay(request.url, base))
        response = await super().download_request(replay_request)
        return map_response_back(response, request, base)


def map_response_back(response: Response, request: Request, base: str) -> Response:
    location = response.headers.get(b"Location")
    if not location:
        return response.replace(url=from_replay(response.url, base), request=request)
    headers = response.headers.copy()
    target = urljoin(response.url, location.decode("latin-1"))
    headers[b"Location"] = from_replay(target, base).encode("latin-1")
    return response.replace(url=from_replay(response.url, base), headers=headers, request=request)
