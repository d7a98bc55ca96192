"""Which outlets the last crawl could not reach, read from the crawl runs.

A crawl that met too many walls in a row (HTTP 403, a persisting 429, challenge or consent pages; see
crawlers/blocking.py) closes its run with status "blocked" and the wall in options["blocked"]:
{"reason": "blocked: challenge page", "kind": "challenge", "at": ISO time, "url", "http_status", ...}.
An outlet is blocked when its latest concluded run is; it has been since the first run of the unbroken
series of blocked runs that ends there. `pantau crawl`, the API, the dashboard and the digest read it here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pantau.store.tables import CrawlRun, Outlet

BLOCKED = "blocked"
# Runs that say nothing about whether the outlet answered: still going, or their crawl process died.
INCONCLUSIVE = ("running", "failed")


@dataclass(frozen=True)
class OutletBlock:
    outlet_id: str
    outlet: str
    reason: str
    # Since the first blocked run of the series; `at` is when the latest one was blocked.
    since: datetime
    at: datetime
    run_id: int
    kind: str | None = None
    url: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "outlet_id": self.outlet_id,
            "outlet": self.outlet,
            "reason": self.reason,
            "kind": self.kind,
            "since": self.since.isoformat(),
            "at": self.at.isoformat(),
            "run_id": self.run_id,
            "url": self.url,
        }


def blocked_outlets(session: Session) -> list[OutletBlock]:
    """Every outlet whose latest concluded crawl run was blocked, longest blocked first."""
    latest = (
        select(func.max(CrawlRun.id))
        .where(CrawlRun.outlet_id.is_not(None), CrawlRun.status.not_in(INCONCLUSIVE))
        .group_by(CrawlRun.outlet_id)
    )
    runs = session.scalars(select(CrawlRun).where(CrawlRun.id.in_(latest), CrawlRun.status == BLOCKED)).all()
    return sorted((outlet_block_of(session, run) for run in runs), key=lambda block: (block.since, block.outlet_id))


def outlet_block(session: Session, outlet_id: str) -> OutletBlock | None:
    """The outlet's block when its latest concluded crawl run was blocked, else None."""
    run = session.scalars(
        select(CrawlRun)
        .where(CrawlRun.outlet_id == outlet_id, CrawlRun.status.not_in(INCONCLUSIVE))
        .order_by(CrawlRun.id.desc())
        .limit(1)
    ).first()
    return outlet_block_of(session, run) if run is not None and run.status == BLOCKED else None


def outlet_block_of(session: Session, run: CrawlRun) -> OutletBlock:
    """The block that the blocked `run` ends: its wall, and since when the outlet has been blocked."""
    last_reached = session.scalar(
        select(func.max(CrawlRun.id)).where(
            CrawlRun.outlet_id == run.outlet_id, CrawlRun.id < run.id, CrawlRun.status.not_in((BLOCKED, *INCONCLUSIVE))
        )
    )
    first = session.scalars(
        select(CrawlRun)
        .where(CrawlRun.outlet_id == run.outlet_id, CrawlRun.status == BLOCKED, CrawlRun.id > (last_reached or 0))
        .order_by(CrawlRun.id)
        .limit(1)
    ).first() or run
    wall = (run.options or {}).get(BLOCKED) or {}
    name = session.scalar(select(Outlet.name).where(Outlet.id == run.outlet_id))
    return OutletBlock(
        outlet_id=run.outlet_id,
        outlet=name or run.outlet_id,
        reason=str(wall.get("reason") or BLOCKED),
        since=blocked_at(first),
        at=blocked_at(run),
        run_id=run.id,
        kind=wall.get("kind"),
        url=wall.get("url"),
    )


def blocked_at(run: CrawlRun) -> datetime:
    """When the run met the wall that stopped it (its finish or start time if it did not say)."""
    text = ((run.options or {}).get(BLOCKED) or {}).get("at")
    if text:
        try:
            when = datetime.fromisoformat(text)
            return when if when.tzinfo is not None else when.replace(tzinfo=UTC)
        except ValueError:
            pass
    return run.finished_at or run.started_at
