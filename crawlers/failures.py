"""Why a request failed, as a short reason key ("http_404", "timeout", "offsite_redirect", ...).

Reason keys are what `pantau crawl --json` counts under "failed" and what CrawlFailure.reason holds.
"""

from __future__ import annotations

import zlib

from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import ConnectError, ConnectionDone, ConnectionLost
from twisted.python.failure import Failure

from crawlers.middlewares import OffsiteRedirect, RedirectLoop

# Exception types in order of specificity; the first match names the failure.
_REASONS: tuple[tuple[type[BaseException], str], ...] = (
    (OffsiteRedirect, "offsite_redirect"),
    (RedirectLoop, "redirect_loop"),
    (DownloadTimeoutError, "timeout"),
    (DownloadCancelledError, "too_large"),
    (ResponseDataLossError, "truncated_response"),
    (CannotResolveHostError, "dns"),
    (DownloadConnectionRefusedError, "connection_refused"),
    (ConnectError, "connection"),
    (ConnectionLost, "connection_lost"),
    (ConnectionDone, "connection_lost"),
    (zlib.error, "bad_encoding"),
)


def classify(failure: Failure) -> tuple[str, int | None, str]:
    """(reason, HTTP status or None, one-line detail) of a request failure."""
    error = failure.value
    detail = _one_line(f"{type(error).__name__}: {error}".rstrip(": "))
    if isinstance(error, HttpError):
        status = error.response.status
        return f"http_{status}", status, detail
    for error_type, reason in _REASONS:
        if isinstance(error, error_type):
            return reason, None, detail
    if isinstance(error, IgnoreRequest):
        return _ignore_reason(str(error)), None, detail
    if isinstance(error, OSError) and ("gzip" in str(error).lower() or "decompress" in str(error).lower()):
        return "bad_encoding", None, detail
    return "error", None, detail


def _ignore_reason(message: str) -> str:
    lowered = message.lower()
    if "robots.txt" in lowered:
        return "robots_forbidden"
    if "max redirections" in lowered:
        return "too_many_redirects"
    if "download_maxsize" in lowered or "max size" in lowered:
        return "too_large"
    return "ignored"


def _one_line(text: str, limit: int = 500) -> str:
    return " ".join(text.split())[:limit]
