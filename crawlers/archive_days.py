"""The backfill's side of the store: which days of an outlet's archive were walked completely.

Used by the spider's archive mode (crawlers/archive.py), which records a day once its pages are stored,
and by `crawlers.backfill`, which plans a backfill (days to walk, days already walked).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select

from pantau.store import Store
from pantau.store.tables import ArchiveDay

DAY_COUNTS = ("index_pages", "listed", "new", "known", "failed")


def days_between(first: date, last: date, newest_first: bool = False) -> list[date]:
    """Every day from `first` to `last` (both included), in walking order."""
    days = [first + timedelta(days=offset) for offset in range((last - first).days + 1)]
    return days[::-1] if newest_first else days


def walked_days(store: Store, outlet_id: str, first: date, last: date) -> set[date]:
    query = select(ArchiveDay.day).where(ArchiveDay.outlet_id == outlet_id, ArchiveDay.day >= first, ArchiveDay.day <= last)
    with store.session() as session:
        return set(session.scalars(query))


def record_days(store: Store, outlet_id: str, days: Iterable[tuple[date, dict[str, Any]]], run_id: int | None) -> None:
    """Mark days as walked, with their counts (a day walked again keeps the counts of its last walk)."""
    days = list(days)
    if not days:
        return
    now = datetime.now(UTC)
    with store.session() as session:
        for day, counts in days:
            row = session.get(ArchiveDay, (outlet_id, day)) or ArchiveDay(outlet_id=outlet_id, day=day)
            row.walked_at, row.crawl_run_id = now, run_id
            for name in DAY_COUNTS:
                setattr(row, name, int(counts.get(name, 0)))
            session.add(row)
