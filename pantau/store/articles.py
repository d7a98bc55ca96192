"""Writing processed articles: one row per normalised URL, its tags replaced on every re-process."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
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
    tags = tags or {}
    unknown = set(fields) - _ARTICLE_FIELDS
    if unknown:
        raise ValueError(f"not Article columns: {sorted(unknown)}")
    article = session.scalar(select(Article).where(Article.url_key == fields["url_key"]))
    if article is None:
        article = Article(**{"processed_at": datetime.now(UTC), **fields})
        session.add(article)
    else:
        for key, value in fields.items():
            setattr(article, key, value)
        article.processed_at = fields.get("processed_at") or datetime.now(UTC)
        # Delete the old tags first: the unit of work would insert the new campaign matches before
        # deleting the old ones and trip the (article, campaign) unique constraint.
        _clear_tags(article)
        session.flush()
    for tag in TAG_TYPES.values():
        rows = tags.get(tag.name, ())
        if tag.ordered:
            setattr(article, tag.name, [tag.table(position=i, **_known(tag.table, row)) for i, row in enumerate(rows)])
        else:
            setattr(article, tag.name, [tag.table(**_known(tag.table, row)) for row in rows])
    article.campaign_matches = [CampaignMatch(**_known(CampaignMatch, match)) for match in campaign_matches]
    session.flush()
    return article


def _clear_tags(article: Article) -> None:
    for name in TAG_TYPES:
        setattr(article, name, [])
    article.campaign_matches = []


def _known(model: type, values: Mapping[str, Any]) -> dict[str, Any]:
    """The entries of `values` that are columns of `model` (tag dicts carry extra display keys)."""
    columns = {column.key for column in model.__table__.columns} - {"id", "article_id", "position"}
    return {key: value for key, value in values.items() if key in columns}
