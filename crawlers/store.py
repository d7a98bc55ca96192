"""The crawler's side of the store: crawl runs, known URLs, fetch validators, pages and failures.

Small functions over an open `pantau.store.Store`, used by the spider, the item pipeline and
`crawlers.run`; every write is keyed so that running a crawl again never duplicates a page.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select

from pantau.store import Store
from pantau.store.tables import CrawlFailure, CrawlRun, FetchValidator, Page, PagePart
from pantau.store.tables import Outlet as OutletRow


def utcnow() -> datetime:
    return datetime.now(UTC)


def ensure_outlet_row(store: Store, outlet) -> None:  # noqa: ANN001 - pantau.core.outlets.Outlet
    with store.session() as session:
        row = session.get(OutletRow, outlet.id)
        if row is None:
            row = OutletRow(id=outlet.id)
            session.add(row)
        row.name, row.domains, row.kind, row.updated_at = outlet.name, list(outlet.domains), outlet.kind, utcnow()


def start_run(store: Store, outlet_id: str, replay_base: str | None, options: dict[str, Any]) -> int:
    with store.session() as session:
        run = CrawlRun(
            outlet_id=outlet_id, started_at=utcnow(), status="running", replay_base=replay_base, options=options, failed={}
        )
        session.add(run)
        session.flush()
        return run.id


def finish_run(
    store: Store, run_id: int, counts: dict[str, Any], status: str, blocked: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Close the run with its counts and status; a blocked run keeps its wall in options["blocked"]."""
    with store.session() as session:
        run = session.get(CrawlRun, run_id)
        for key in ("discovered", "fetched", "new", "skipped_known", "requests"):
            if key in counts:
                setattr(run, key, int(counts[key]))
        if "failed" in counts:
            run.failed = dict(counts["failed"])
        if blocked is not None:
            run.options = {**(run.options or {}), "blocked": blocked}
        run.status, run.finished_at = status, utcnow()
        return run.counts()


def run_record(store: Store, run_id: int) -> dict[str, Any]:
    with store.session() as session:
        run = session.get(CrawlRun, run_id)
        record = run.counts()
        record["status"] = run.status
        return record


def known_url_keys(store: Store, outlet_id: str) -> set[str]:
    with store.session() as session:
        return set(session.scalars(select(Page.url_key).where(Page.outlet_id == outlet_id)))


def failed_urls(store: Store, outlet_id: str, reasons: Iterable[str], since: datetime) -> list[str]:
    """URLs of this outlet whose fetch failed for one of `reasons` at or after `since` (oldest first)."""
    query = (
        select(CrawlFailure.url)
        .join(CrawlRun, CrawlRun.id == CrawlFailure.crawl_run_id)
        .where(CrawlRun.outlet_id == outlet_id, CrawlFailure.reason.in_(list(reasons)), CrawlFailure.at >= since)
        .order_by(CrawlFailure.at)
    )
    with store.session() as session:
        return list(session.scalars(query))


def load_validators(store: Store) -> dict[str, FetchValidator]:
    with store.session() as session:
        return {row.url_key: row for row in session.scalars(select(FetchValidator))}


def save_validators(store: Store, validators: dict[str, tuple[str | None, str | None]]) -> None:
    if not validators:
        return
    with store.session() as session:
        for url_key, (etag, last_modified) in validators.items():
            row = session.get(FetchValidator, url_key) or FetchValidator(url_key=url_key)
            row.etag, row.last_modified, row.checked_at = etag, last_modified, utcnow()
            session.add(row)


def save_pages(store: Store, items: Iterable, run_id: int | None) -> int:  # noqa: ANN001 - PageItem
    """Insert pages not yet stored (by url_key) with their parts; returns how many were new.

    Core inserts rather than ORM objects: a crawl writes thousands of pages and the unit of work
    would cost more than the fetching.
    """
    items = list({item.url_key: item for item in items}.values())
    if not items:
        return 0
    with store.session() as session:
        existing = set(session.scalars(select(Page.url_key).where(Page.url_key.in_([item.url_key for item in items]))))
        fresh = [item for item in items if item.url_key not in existing]
        if not fresh:
            return 0
        ids = dict(
            session.execute(
                insert(Page).returning(Page.url_key, Page.id, sort_by_parameter_order=True),
                [page_values(item, run_id) for item in fresh],
            ).all()
        )
        session.execute(insert(PagePart), [
            {"page_id": ids[item.url_key], "position": position, "url": url, "html_z": PagePart.compress(body)}
            for item in fresh for position, (url, body) in enumerate(item.parts)
        ])
    return len(fresh)


def page_values(item, run_id: int | None) -> dict[str, Any]:  # noqa: ANN001 - PageItem
    digest = hashlib.sha256()
    for _url, body in item.parts:
        digest.update(body)
    return {
        "url_key": item.url_key,
        "url": item.url,
        "final_url": item.final_url,
        "outlet_id": item.outlet_id,
        "http_status": item.http_status,
        "headers": item.headers,
        "fetched_at": item.fetched_at,
        "crawl_run_id": run_id,
        "discovered_via": item.discovered_via,
        "listed_title": item.listed_title,
        "listed_published_at": item.listed_published_at,
        "part_count": len(item.parts),
        "content_hash": digest.hexdigest(),
    }


def save_failures(store: Store, failures: Iterable, run_id: int | None) -> None:  # noqa: ANN001 - FailureItem
    failures = list(failures)
    if not failures:
        return
    with store.session() as session:
        session.add_all(
            CrawlFailure(crawl_run_id=run_id, url=f.url, reason=f.reason, http_status=f.http_status,
                         detail=(f.detail or "")[:2000], at=f.at)
            for f in failures
        )
