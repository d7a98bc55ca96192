"""What the spider hands to the item pipeline: fetched pages and recorded failures."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any


@dataclass
class PageItem:
    """One article, fetched whole: its parts (URL, raw bytes) in reading order."""

    url_key: str
    url: str
    final_url: str
    outlet_id: str
    http_status: int
    headers: dict[str, Any]
    fetched_at: datetime
    parts: list[tuple[str, bytes]]
    discovered_via: str | None = None
    listed_title: str | None = None
    listed_published_at: datetime | None = None


@dataclass
class FailureItem:
    url: str
    reason: str
    http_status: int | None = None
    detail: str | None = None
    at: datetime = field(default_factory=lambda: datetime.now(UTC))
