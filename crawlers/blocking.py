"""Blocked crawls: recognising the walls outlets put before a crawler, and stopping politely.

A wall is a response that is not what was asked for: an HTTP 403, a 429 that persists after one wait,
a challenge page (Cloudflare's "Just a moment...", Akamai's "Access Denied", Imperva, Sucuri, DataDome,
a captcha) whatever its status, a consent page, or, for an article, a page that is not the article
(the home page or a login page in its place, a page with almost no text). The signs are data: the
generic ones in crawlers/blocking.toml plus the [blocking] table of the outlet's registry entry.

A wall is never stored as a page. The spider records the URL as a failure with the wall's reason
(`blocked_challenge`, `blocked_http_403`, ...), which is not a permanent failure, so the next crawl asks
for it again; after `crawl.blocked_after` walls in a row it stops the outlet, and the run is closed with
status "blocked" and the reason ("blocked: challenge page") and time in its options.
"""

from __future__ import annotations

import html
import re
import tomllib
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pantau.core.outlets import Outlet

SIGNS_FILE = Path(__file__).with_name("blocking.toml")
# What each kind of wall is called in run records, `pantau crawl`, the API and the dashboard.
LABELS = {
    "challenge": "challenge page",
    "consent": "consent page",
    "http_403": "HTTP 403",
    "http_429": "HTTP 429 rate limit",
    "not_article": "not the article",
}
REASON_PREFIX = "blocked_"
# Where text a reader never sees begins (scripts, styles, templates, comments), tags, and the title.
_HIDDEN_START = re.compile(rb"<(script|style|template)\b|<!--")
_TAG = re.compile(rb"<[^>]*>")
_TITLE = re.compile(rb"<title\b[^>]*>(.*?)</title\s*>", re.IGNORECASE | re.DOTALL)


@dataclass(frozen=True)
class Block:
    """One wall: its kind (a key of LABELS), what gave it away, and the HTTP status it came with."""

    kind: str
    detail: str
    http_status: int | None = None

    @property
    def reason(self) -> str:
        """The failure reason recorded for the URL (`blocked_challenge`)."""
        return REASON_PREFIX + self.kind

    @property
    def label(self) -> str:
        return f"blocked: {LABELS[self.kind]}"


@dataclass(frozen=True)
class WallSigns:
    short_page_words: int
    min_article_words: int
    challenge_titles: tuple[re.Pattern[str], ...]
    challenge_markers: tuple[bytes, ...]
    challenge_headers: tuple[tuple[str, str], ...]
    consent_titles: tuple[re.Pattern[str], ...]
    consent_markers: tuple[bytes, ...]
    consent_urls: tuple[re.Pattern[str], ...]
    login_urls: tuple[re.Pattern[str], ...]


@dataclass(frozen=True)
class PageShape:
    """What a reader would see of an HTML page: its title and how many words."""

    title: str
    words: int


@lru_cache(maxsize=1)
def generic_signs() -> dict[str, Any]:
    with SIGNS_FILE.open("rb") as handle:
        return tomllib.load(handle)


_signs_cache: dict[str, WallSigns] = {}


def signs_for(outlet: Outlet) -> WallSigns:
    """The generic signs with the outlet's own added (compiled once per outlet)."""
    if outlet.id not in _signs_cache:
        _signs_cache[outlet.id] = build_signs(generic_signs(), outlet.blocking)
    return _signs_cache[outlet.id]


def build_signs(generic: Mapping[str, Any], extra: Any = None) -> WallSigns:  # noqa: ANN401 - pantau.core.outlets.Blocking
    def merged(section: str, key: str, extra_key: str) -> list[str]:
        return [*generic.get(section, {}).get(key, []), *(getattr(extra, extra_key, ()) if extra is not None else ())]

    def titles(section: str, extra_key: str) -> tuple[re.Pattern[str], ...]:
        return tuple(re.compile(pattern, re.IGNORECASE) for pattern in merged(section, "titles", extra_key))

    def markers(section: str, extra_key: str) -> tuple[bytes, ...]:
        return tuple(marker.lower().encode("utf-8") for marker in merged(section, "markers", extra_key))

    def patterns(section: str, key: str, extra_key: str) -> tuple[re.Pattern[str], ...]:
        return tuple(re.compile(pattern, re.IGNORECASE) for pattern in merged(section, key, extra_key))

    headers = []
    for marker in merged("challenge", "headers", "challenge_headers"):
        name, _, value = marker.partition(":")
        headers.append((name.strip().lower(), value.strip().lower()))
    page = generic.get("page", {})
    return WallSigns(
        short_page_words=int(page.get("short_page_words", 250)),
        min_article_words=int(page.get("min_article_words", 10)),
        challenge_titles=titles("challenge", "challenge_titles"),
        challenge_markers=markers("challenge", "challenge_markers"),
        challenge_headers=tuple(headers),
        consent_titles=titles("consent", "consent_titles"),
        consent_markers=markers("consent", "consent_markers"),
        consent_urls=patterns("consent", "url_patterns", "consent_url_patterns"),
        login_urls=patterns("not_article", "login_url_patterns", "login_url_patterns"),
    )


def page_shape(body: bytes) -> PageShape:
    """Title and visible word count of an HTML document.

    Regular expressions rather than a parser: real pages are broken in ways that make a parser file the
    whole body under <head> or an unclosed <noscript>, and only the title and a word count are needed.
    """
    match = _TITLE.search(body)
    title = " ".join(html.unescape(match.group(1).decode("utf-8", "replace")).split()) if match else ""
    return PageShape(title, len(_TAG.sub(b" ", _without_hidden(body)).split()))


def _without_hidden(body: bytes) -> bytes:
    """The document without scripts, styles, templates and comments (an unclosed one runs to the end)."""
    lowered = body.lower()
    kept, position = [], 0
    while (start := _HIDDEN_START.search(lowered, position)) is not None:
        kept.append(body[position:start.start()])
        if start.group(0) == b"<!--":
            end = lowered.find(b"-->", start.end())
            position = end + 3 if end >= 0 else len(body)
        else:
            end = lowered.find(b"</" + start.group(1), start.end())
            close = lowered.find(b">", end) if end >= 0 else -1
            position = close + 1 if close >= 0 else len(body)
    kept.append(body[position:])
    return b" ".join(kept)


def detect_wall(*, status: int, headers: Mapping[str, str], body: bytes, url: str, requested_url: str,
                signs: WallSigns, article: bool) -> Block | None:
    """The wall this response is, or None when it is an ordinary answer.

    `headers` has lower-case names; `url` is where the request ended (after redirects), `requested_url`
    where it started. `article` asks for the page-shape checks that only make sense for an article.
    """
    for name, value in signs.challenge_headers:
        if headers.get(name, "").strip().lower().startswith(value):
            return Block("challenge", f"header {name}: {headers[name].strip()}", status)
    shape = page_shape(body)
    short = shape.words < signs.short_page_words
    lowered = body.lower() if short else b""
    if _full_match(signs.challenge_titles, shape.title):
        return Block("challenge", f"title {shape.title!r}", status)
    if short and (marker := _first_marker(signs.challenge_markers, lowered)):
        return Block("challenge", f"marker {marker!r} on a page of {shape.words} words", status)
    moved = redirect_wall(requested_url, url, signs, article, status) if _comparable(url) != _comparable(requested_url) else None
    if moved is not None:
        return moved
    if _full_match(signs.consent_titles, shape.title):
        return Block("consent", f"title {shape.title!r}", status)
    if short and (marker := _first_marker(signs.consent_markers, lowered)):
        return Block("consent", f"marker {marker!r} on a page of {shape.words} words", status)
    if status == 403:
        return Block("http_403", f"HTTP 403 for {requested_url}", status)
    if status == 429:
        return Block("http_429", f"HTTP 429 for {requested_url} after waiting once", status)
    if article and 200 <= status < 300 and shape.words < signs.min_article_words:
        return Block("not_article", f"almost no text ({shape.words} words)", status)
    return None


def redirect_wall(requested_url: str, target: str, signs: WallSigns, article: bool, status: int | None = None) -> Block | None:
    """The wall a redirect from `requested_url` to `target` leads to: a consent page, or for an article the
    home page or a login page. The crawler's redirect guard asks before following (crawlers/middlewares.py)."""
    if any(pattern.search(target) for pattern in signs.consent_urls):
        return Block("consent", f"sent to {target}", status)
    if not article:
        return None
    if _is_root(target) and not _is_root(requested_url):
        return Block("not_article", f"sent to the home page {target}", status)
    if any(pattern.search(target) for pattern in signs.login_urls) and not any(
        pattern.search(requested_url) for pattern in signs.login_urls
    ):
        return Block("not_article", f"sent to a login page {target}", status)
    return None


def _full_match(patterns: tuple[re.Pattern[str], ...], title: str) -> bool:
    return bool(title) and any(pattern.fullmatch(title) for pattern in patterns)


def _first_marker(markers: tuple[bytes, ...], lowered: bytes) -> str | None:
    return next((marker.decode("utf-8") for marker in markers if marker in lowered), None)


def _is_root(url: str) -> bool:
    parts = urlsplit(url)
    return parts.path in ("", "/") and not parts.query


def _comparable(url: str) -> str:
    return url.split("#", 1)[0].rstrip("/")


def url_before_redirects(message: Any) -> str:  # noqa: ANN401 - a Scrapy Request, or a Response with its request
    """The address a request (or the request of a response) started from, before any redirect."""
    return (message.meta.get("redirect_urls") or [message.url])[0]


def response_wall(response: Any, signs: WallSigns, article: bool) -> Block | None:  # noqa: ANN401 - a Scrapy Response
    """`detect_wall` for a Scrapy response (its request's first URL is where it started)."""
    headers = {
        name.decode("latin-1").lower(): values[-1].decode("latin-1") for name, values in response.headers.items() if values
    }
    requested = url_before_redirects(response) if response.request is not None else response.url
    return detect_wall(status=response.status, headers=headers, body=response.body, url=response.url,
                       requested_url=requested, signs=signs, article=article)


@dataclass
class WallWatch:
    """Walls in a row during one outlet's crawl: after `limit` of them the outlet is to be stopped.

    Any ordinary answer (a listing read, an article stored) ends the run of walls. `limit` 0 never stops.
    """

    limit: int
    streak: list[tuple[Block, str]] = field(default_factory=list)
    stop: dict[str, Any] | None = None

    def wall(self, block: Block, url: str) -> bool:
        """Count one wall; True when this one reaches the limit (the caller stops the outlet)."""
        if self.stop is not None:
            return False
        self.streak.append((block, url))
        if self.limit <= 0 or len(self.streak) < self.limit:
            return False
        self.stop = self.outcome()
        return True

    def reached(self) -> None:
        if self.stop is None:
            self.streak.clear()

    def outcome(self) -> dict[str, Any]:
        """What the run records: the commonest kind of wall in the run (the latest on a tie), when, where."""
        counts = Counter(block.kind for block, _url in self.streak)
        top = max(counts.values())
        block, url = next((block, url) for block, url in reversed(self.streak) if counts[block.kind] == top)
        return {
            "reason": block.label,
            "kind": block.kind,
            "at": datetime.now(UTC).isoformat(timespec="seconds"),
            "url": url,
            "http_status": block.http_status,
            "detail": block.detail,
            "responses": len(self.streak),
        }
