"""Python entry point of backfills, for `pantau backfill` and the Prefect `backfill` flow.

`backfill_outlets(["kompas"], date(2018, 9, 1), date(2018, 9, 30), replay="http://127.0.0.1:8800")`
walks the outlets' archives over those local days in one crawl process (crawlers.worker running the news
spider in its archive mode, see crawlers/archive.py) and returns a report:
{"from", "to", "order", "dry_run", "outlets": [record per outlet], "skipped": [{"outlet", "reason"}], "totals"}.
A record is the crawl's run record (run_id, discovered, fetched, new, skipped_known, requests, failed)
with the walk's counts: days (in the range), days_skipped (walked by an earlier backfill), days_walked,
days_incomplete (to walk again: a page or an article failed, or --max-pages stopped it), index_pages,
would_fetch (dry run), truncated_days, fallback_pages. An outlet whose days are all walked already is not
crawled at all (no request).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from crawlers import archive_days
from crawlers.run import resolve_outlets, run_job
from pantau.core.config import get_settings
from pantau.core.errors import InputError
from pantau.core.outlets import get_outlet
from pantau.core.time import local_date
from pantau.store import open_store

WALK_KEYS = ("days", "days_skipped", "days_walked", "days_incomplete", "index_pages", "would_fetch", "truncated_days",
             "fallback_pages")
RUN_KEYS = ("run_id", "discovered", "fetched", "new", "skipped_known", "requests", "failed")
SUMMED = tuple(key for key in (*WALK_KEYS, *RUN_KEYS) if key not in ("run_id", "failed"))


def backfill_outlets(
    outlet_ids: list[str] | None,
    start: date,
    end: date,
    *,
    replay: str | None = None,
    newest_first: bool = True,
    max_pages: int | None = None,
    dry_run: bool = False,
    database_url: str | None = None,
    progress: Callable[[dict[str, Any]], None] | None = None,
    settings: dict[str, Any] | None = None,
    log_level: str = "WARNING",
) -> dict[str, Any]:
    """Walk the archives of the outlets (all of the registry, or all the replay host serves, when None)
    from `start` to `end` (local days, both included). `progress` gets partial records as the walk goes."""
    check_range(start, end)
    if max_pages is not None and max_pages < 0:
        raise InputError("--max-pages must be 0 or more")
    replay = replay.rstrip("/") if replay else None
    outlets = resolve_outlets(outlet_ids, replay)
    walkable = [outlet_id for outlet_id in outlets if get_outlet(outlet_id).archive is not None]
    skipped = [{"outlet": outlet_id,
                "reason": "no [archive] entry in the registry; its history comes only from its sitemaps (pantau crawl --since)"}
               for outlet_id in outlets if outlet_id not in walkable]
    if not walkable:
        raise InputError(f"none of {', '.join(outlets)} has an [archive] entry in the registry (see docs/outlets.md)")
    database_url = database_url or get_settings().effective_database_url
    total = (end - start).days + 1
    store = open_store(database_url)
    try:
        walked = {outlet_id: len(archive_days.walked_days(store, outlet_id, start, end)) for outlet_id in walkable}
    finally:
        store.dispose()
    to_walk = [outlet_id for outlet_id in walkable if walked[outlet_id] < total]
    results: dict[str, dict[str, Any]] = {}
    if to_walk:
        order = "newest" if newest_first else "oldest"
        job = {
            "outlets": to_walk,
            "replay": replay,
            "since": None,
            "max_pages": max_pages,
            "database_url": database_url,
            "settings": settings or {},
            "log_level": log_level,
            "spider_args": {"mode": "archive", "first_day": start.isoformat(), "last_day": end.isoformat(), "order": order,
                            "dry_run": dry_run},
        }
        results = run_job(job, progress)
    records = [record_of(outlet_id, results.get(outlet_id), total) for outlet_id in walkable]
    return {
        "from": start.isoformat(), "to": end.isoformat(), "order": "newest-first" if newest_first else "oldest-first",
        "dry_run": dry_run, "outlets": records, "skipped": skipped, "totals": totals(records),
    }


def check_range(start: date, end: date) -> None:
    if end < start:
        raise InputError(f"--to {end} is before --from {start}; give the first day, then the last")
    today = local_date(datetime.now(UTC))
    if end > today:
        raise InputError(f"--to {end} is in the future (today is {today} local time); the archive ends today")


def record_of(outlet_id: str, result: dict[str, Any] | None, total: int) -> dict[str, Any]:
    """The outlet's record; one with nothing walked and no request when all its days were walked before."""
    if result is None:
        return {"outlet": outlet_id, **dict.fromkeys(WALK_KEYS, 0), "days": total, "days_skipped": total,
                **dict.fromkeys(RUN_KEYS, 0), "run_id": None, "failed": {}}
    return {"outlet": outlet_id, **{key: result.get(key, 0) for key in WALK_KEYS}, **{key: result[key] for key in RUN_KEYS}}


def totals(records: list[dict[str, Any]]) -> dict[str, Any]:
    summed: dict[str, Any] = {key: sum(record[key] for record in records) for key in SUMMED}
    failed: dict[str, int] = {}
    for record in records:
        for reason, count in record["failed"].items():
            failed[reason] = failed.get(reason, 0) + count
    summed["failed"] = failed
    return summed
