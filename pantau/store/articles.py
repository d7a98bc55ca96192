"""Writing processed articles: one row per normalised URL, its tags replaced on every re-process."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from pantau.store.tables import TAG_TYPES, Article, CampaignMatch

_ARTICLE_FIELDS = {column.key for column in Article.__table__.columns} - {"id"}


def upsert_article(
    session: Session,
    fields: Mapping[str, Any],
    tags: Mapping[str, Iterable[Mapping[str, Any]]] | None = None,
    campaign_matches: Iterable[Mapping[str, Any]] = (),
) -> Article:
    """Insert or update the article keyed by `fields["url_key"]` and replace all of its tags.

    `fields` are Article columns; `tags` has the contract's lists, one per tag type (places,
    organizations, people, quotes, statistics); `campaign_matches` are dicts with campaign_id, score, matched, reasons.
    Story and duplicate links are kept: they belong to the clustering step, not to extraction.
    """
    return upsert_articles(session, [ArticleRows(fields, tags or {}, campaign_matches)])[0]


@dataclass(frozen=True)
class ArticleRows:
    """What `upsert_articles` writes for one article: its columns, tag lists and campaign matches."""

    fields: Mapping[str, Any]
    tags: Mapping[str, Iterable[Mapping[str, Any]]] = field(default_factory=dict)
    campaign_matches: Iterable[Mapping[str, Any]] = ()


def upsert_articles(session: Session, articles: Sequence[ArticleRows]) -> list[Article]:
    """`upsert_article` for many articles, in order, with one read of the stored ones and two flushes
    (the unit of work then inserts each table's rows together, not article by article)."""
    for rows in articles:
        unknown = set(rows.fields) - _ARTICLE_FIELDS
        if unknown:
            raise ValueError(f"not Article columns: {sorted(unknown)}")
    stored = _stored_articles(session, [rows.fields["url_key"] for rows in articles])
    written: list[Article] = []
    cleared = False
    with session.no_autoflush:
        for rows in articles:
            article = stored.get(rows.fields["url_key"])
            if article is None:
                article = Article(**{"processed_at": datetime.now(UTC), **rows.fields})
                session.add(article)
                stored[rows.fields["url_key"]] = article
            else:
                for key, value in rows.fields.items():
                    setattr(article, key, value)
                article.processed_at = rows.fields.get("processed_at") or datetime.now(UTC)
                _clear_tags(article)
                cleared = True
            written.append(article)
    if cleared:
        # The old tags go first: the unit of work would insert the new campaign matches before
        # deleting the old ones and trip the (article, campaign) unique constraint.
        session.flush()
    with session.no_autoflush:
        for rows, article in zip(articles, written, strict=True):
            _set_tags(article, rows)
    session.flush()
    return written


def _stored_articles(session: Session, url_keys: Sequence[str]) -> dict[str, Article]:
    wanted = sorted(set(url_keys))
    found: dict[str, Article] = {}
    for start in range(0, len(wanted), 500):  # stay under SQL parameter limits
        query = select(Article).where(Article.url_key.in_(wanted[start : start + 500]))
        found.update((article.url_key, article) for article in session.scalars(query))
    return found


def _set_tags(article: Article, rows: ArticleRows) -> None:
    for tag in TAG_TYPES.values():
        values = rows.tags.get(tag.name, ())
        if tag.ordered:
            setattr(article, tag.name, [tag.table(position=i, **_known(tag.table, row)) for i, row in enumerate(values)])
        else:
            setattr(article, tag.name, [tag.table(**_known(tag.table, row)) for row in values])
    article.campaign_matches = [CampaignMatch(**_known(CampaignMatch, match)) for match in rows.campaign_matches]


def _clear_tags(article: Article) -> None:
    for name in TAG_TYPES:
        setattr(article, name, [])
    article.campaign_matches = []


def _known(model: type, values: Mapping[str, Any]) -> dict[str, Any]:
    """The entries of `values` that are columns of `model` (tag dicts carry extra display keys)."""
    columns = {column.key for column in model.__table__.columns} - {"id", "article_id", "position"}
    return {key: value for key, value in values.items() if key in columns}
