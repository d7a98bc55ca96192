"""The weekly coverage summary: articles and unique stories per (campaign, outlet, week), kept in step
with the articles so that coverage charts never count a million articles again.

A row's campaign is a campaign id or ALL (every article), its outlet an outlet id or ALL (every
outlet): unique stories cannot be added up across outlets or campaigns (one story is covered by
several outlets), so the totals are rows of their own. A week is the Monday of the publication week
in the configured (Indonesian) time zone (`pantau.core.time.local_week`), as the coverage query groups by.

The summary is kept by the store's sessions: whatever a transaction changes in articles or campaign
matches (the process stage, dedup's story merges, re-processing, a hand fix), the weeks those
articles were and are in are counted again from the articles just before it commits, in the same
transaction. Recounting whole weeks makes this idempotent: the rows are always what a scan gives.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from itertools import chain
from typing import Any

from sqlalchemy import Connection, Date, delete, distinct, event, func, insert, inspect, literal, select, text, true
from sqlalchemy.orm import Session, sessionmaker

from pantau.core.time import day_start_utc, local_week, local_week_sql
from pantau.store.tables import Article, CampaignMatch, CoverageWeek

ALL = "*"
_TOUCHED = "pantau.coverage.touched"
# Ids per IN list: far below every backend's limit on bound parameters.
_CHUNK = 500


def _counts(campaign: bool, outlet: bool, dialect: str, week: date | None) -> Any:
    """INSERT ... SELECT of one kind of summary row: per campaign or ALL, per outlet or ALL."""
    story_key = func.coalesce(Article.story_id, -Article.id)
    week_column = literal(week, Date) if week is not None else local_week_sql(Article.published_at, dialect)
    columns = [
        (CampaignMatch.campaign_id if campaign else literal(ALL)).label("campaign_id"),
        (Article.outlet_id if outlet else literal(ALL)).label("outlet_id"),
        week_column.label("week"),
        func.count(Article.id).label("articles"),
        func.count(distinct(story_key)).label("stories"),
    ]
    statement = select(*columns).where(Article.is_article == true(), Article.published_at.is_not(None))
    if campaign:
        statement = statement.join(CampaignMatch, CampaignMatch.article_id == Article.id).where(CampaignMatch.matched == true())
    if outlet:
        statement = statement.where(Article.outlet_id.is_not(None))
    if week is not None:
        statement = statement.where(
            Article.published_at >= day_start_utc(week), Article.published_at < day_start_utc(week + timedelta(days=7))
        )
    # By position: the week is not a plain column (and binds a time zone on PostgreSQL). Grouping by
    # the week even when it is a constant means an empty week gives no row rather than a row of zeros.
    positions = [position for position, grouped in ((1, campaign), (2, outlet), (3, True)) if grouped]
    statement = statement.group_by(*[text(str(position)) for position in positions])
    return insert(CoverageWeek).from_select(["campaign_id", "outlet_id", "week", "articles", "stories"], statement)


def _insert_all_kinds(session: Session | Connection, week: date | None) -> None:
    dialect = session.get_bind().dialect.name if isinstance(session, Session) else session.dialect.name
    for campaign in (False, True):
        for outlet in (False, True):
            session.execute(_counts(campaign, outlet, dialect, week))


def refresh_weeks(session: Session | Connection, weeks: Iterable[date]) -> int:
    """Count the given weeks again from the articles (delete, then insert); returns the weeks done."""
    done = 0
    for week in sorted(set(weeks)):
        session.execute(delete(CoverageWeek).where(CoverageWeek.week == week))
        _insert_all_kinds(session, week)
        done += 1
    return done


def rebuild(session: Session | Connection) -> None:
    """Count every week from the articles: the backfill of migration 0003 and of bulk loads."""
    session.execute(delete(CoverageWeek))
    _insert_all_kinds(session, None)


def read_weeks(session: Session, campaign: str | None, outlet: str | None) -> list[dict[str, Any]]:
    """The summary rows of one campaign (or every article) and one outlet (or every outlet)."""
    rows = session.execute(
        select(CoverageWeek.week, CoverageWeek.articles, CoverageWeek.stories)
        .where(CoverageWeek.campaign_id == (campaign or ALL), CoverageWeek.outlet_id == (outlet or ALL))
        .order_by(CoverageWeek.week)
    ).mappings()
    return [dict(row) for row in rows]


# --------------------------------------------------------------------------- kept by the sessions


class _Touched:
    """What a transaction changed: article ids, and the weeks articles were in before the change."""

    def __init__(self) -> None:
        self.article_ids: set[int] = set()
        self.old_weeks: set[date] = set()

    def __bool__(self) -> bool:
        return bool(self.article_ids or self.old_weeks)


def keep_in_step(sessions: sessionmaker) -> None:
    """Make every session of `sessions` keep the summary in step with what it changes."""
    event.listen(sessions, "after_flush", _note_flushed)
    event.listen(sessions, "before_commit", _recount_touched)
    event.listen(sessions, "after_rollback", _forget)


def _note_flushed(session: Session, _flush_context: Any) -> None:
    touched = session.info.setdefault(_TOUCHED, _Touched())
    for instance in chain(session.new, session.dirty, session.deleted):
        if isinstance(instance, Article):
            if instance.id is not None:
                touched.article_ids.add(instance.id)
            history = inspect(instance).attrs.published_at.history
            for old in chain(history.deleted or (), [instance.published_at] if instance in session.deleted else []):
                if old is not None:
                    touched.old_weeks.add(local_week(old).monday)
        elif isinstance(instance, CampaignMatch) and instance.article_id is not None:
            touched.article_ids.add(instance.article_id)


def _recount_touched(session: Session) -> None:
    # The commit's own flush comes after this event: flush first so that everything is noted.
    session.flush()
    touched = session.info.pop(_TOUCHED, None)
    if not touched or not _has_summary(session):
        return
    refresh_weeks(session, touched.old_weeks | _weeks_of(session, touched.article_ids))
    # The recount is not an article change; nothing must be left to note for the next commit.
    session.info.pop(_TOUCHED, None)


def _forget(session: Session) -> None:
    session.info.pop(_TOUCHED, None)


def _weeks_of(session: Session, article_ids: set[int]) -> set[date]:
    """Weeks of the articles and of every article sharing a story with them: a story merge (dedup)
    moves articles of other weeks with a bulk UPDATE that no flush reports."""
    dialect = session.get_bind().dialect.name
    weeks: set[date] = set()
    ids = sorted(article_ids)
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        stories = select(Article.story_id).where(Article.id.in_(chunk), Article.story_id.is_not(None))
        # Two statements, not one with OR: each finds its articles by an index (id, story_id).
        for articles in (Article.id.in_(chunk), Article.story_id.in_(stories)):
            statement = (
                select(local_week_sql(Article.published_at, dialect))
                .where(Article.published_at.is_not(None), articles)
                .distinct()
            )
            weeks.update(as_date(value) for value in session.scalars(statement) if value is not None)
    return weeks


def as_date(value: Any) -> date:
    """A week as the backends return it (date, datetime or ISO text) as a date."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


_KNOWN: set[Any] = set()


def _has_summary(session: Session) -> bool:
    """Whether the store has the summary table (a store opened without migrating may not)."""
    bind = session.get_bind()
    if bind.url in _KNOWN:
        return True
    if inspect(session.connection()).has_table(CoverageWeek.__tablename__):
        _KNOWN.add(bind.url)
        return True
    return False
