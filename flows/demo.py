"""The `demo` flow: crawl a replay host, process, and preview each campaign's last week with coverage."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import func, select

from flows.environment import configure_prefect
from pantau.core.campaigns import load_campaigns
from pantau.core.time import local_week
from pantau.store import open_store
from pantau.store.tables import Article, CampaignMatch

configure_prefect()

from prefect import flow  # noqa: E402

from flows.crawl import crawl_flow  # noqa: E402
from flows.digest import digest_flow  # noqa: E402
from flows.process import process_flow  # noqa: E402


@flow(name="demo")
def demo_flow(replay: str, database_url: str | None = None) -> dict[str, Any]:
    """Everything offline against the replay host; previews only, nothing is mailed.

    Returns {"crawl", "process", "weeks": {campaign: week or None}, "digests": [digest flow results]}.
    """
    crawled = crawl_flow(replay=replay, throttle=False, database_url=database_url)
    processed = process_flow(database_url=database_url)
    campaign_ids = [campaign.id for campaign in load_campaigns()]
    weeks = last_covered_weeks(campaign_ids, database_url)
    digests = [
        digest_flow(week=week, campaigns=ids, send=False, database_url=database_url)
        for week, ids in sorted(campaigns_by_week(weeks).items())
    ]
    return {"crawl": crawled, "process": processed, "weeks": weeks, "digests": digests}


def last_covered_weeks(campaign_ids: list[str], database_url: str | None = None) -> dict[str, str | None]:
    """Per campaign, the ISO week (local time) of its latest matched article; None without coverage."""
    store = open_store(database_url)
    try:
        with store.session() as session:
            latest = dict(session.execute(
                select(CampaignMatch.campaign_id, func.max(Article.published_at))
                .join(Article, Article.id == CampaignMatch.article_id)
                .where(CampaignMatch.matched.is_(True), Article.is_article.is_(True), Article.published_at.is_not(None))
                .group_by(CampaignMatch.campaign_id)
            ).all())
    finally:
        store.dispose()
    weeks: dict[str, str | None] = {}
    for campaign_id in campaign_ids:
        instant = latest.get(campaign_id)
        # SQLite gives naive datetimes back from an aggregate; local_week reads them as UTC, as stored.
        weeks[campaign_id] = local_week(instant).label if instant is not None else None
    return weeks


def campaigns_by_week(weeks: dict[str, str | None]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = defaultdict(list)
    for campaign_id, week in weeks.items():
        if week is not None:
            grouped[week].append(campaign_id)
    return dict(grouped)
