"""The catalogue of queries: what each kind lists, its columns and meanings, its sorts, its SQL.

Articles, stories, weekly coverage, outlets, totals and campaigns are written here; the tag kinds
(places, organizations, people, quotes, statistics) are made from each tag type's declaration in
pantau.store.tables. The CLI's `pantau query KIND`, the API's routes and the dashboard read this.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

from sqlalchemy import Boolean, Select, case, distinct, func, literal_column, select, text, true
from sqlalchemy.orm import Session, aliased

from pantau.core.errors import InputError
from pantau.core.time import local_week_sql
from pantau.read.queries.filters import Filters, article_conditions, campaign_names
from pantau.read.queries.plan import Plan
from pantau.read.queries.rows import dated_row
from pantau.store.coverage import as_date
from pantau.store.tables import TAG_TYPES, Article, CampaignMatch, CountedListing, RowListing, Story, TagType


@dataclass(frozen=True)
class Kind:
    """One query: what it lists, its columns (name -> meaning), how it sorts, how it is built."""

    name: str
    description: str
    columns: Mapping[str, str]
    sorts: Mapping[str, Callable[[str], list[Any]]]
    build: Callable[[Filters, Plan], Select]
    # Rows per article-independent groups are aggregates: they are counted over the filtered articles.
    finish: Callable[[Session, list[dict[str, Any]]], list[dict[str, Any]]] | None = None
    paginated: bool = True
    # The column that identifies a listed row. A page of such a kind is chosen by this key alone
    # (the filters and the sort read only indexes), then its rows are read: the wide columns
    # (text, sentences) of the rows that are not on the page are never read.
    key: Any = None

    @property
    def default_sort(self) -> str:
        return next(iter(self.sorts))


def newest_first(dialect: str) -> list[Any]:
    """Newest articles first, undated last, ties broken by id (stable pages)."""
    published = Article.published_at.desc()
    if dialect == "postgresql":
        published = published.nulls_last()
    return [published, Article.id.desc()]


def oldest_first(dialect: str) -> list[Any]:
    published = Article.published_at.asc()
    if dialect == "postgresql":
        published = published.nulls_last()
    return [published, Article.id.asc()]


def _count_desc(label: str, *then: Any) -> Callable[[str], list[Any]]:
    return lambda dialect: [literal_column(label).desc(), *then]


ARTICLE_COLUMNS = {
    "id": "store id of the article",
    "published_at": "publication time as the page gave it (ISO 8601 with its UTC offset)",
    "outlet_id": "registry id of the outlet",
    "outlet": "outlet name",
    "title": "headline",
    "url": "address of the article",
    "section": "the outlet's section",
    "word_count": "words in the clean body",
    "story_id": "story (event) the article belongs to",
    "duplicate_of_id": "the article this one is a syndicated or near-duplicate copy of, if any",
    "campaigns": "ids of the campaigns the article was matched to",
}


def _articles(filters: Filters, plan: Plan) -> Select:
    return select(
        Article.id, Article.published_at, Article.published_at_local, Article.outlet_id,
        Article.outlet_name.label("outlet"), Article.title, Article.url, Article.section, Article.word_count,
        Article.story_id, Article.duplicate_of_id,
    ).where(*article_conditions(filters, plan))


def _finish_articles(session: Session, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    ids = [row["id"] for row in rows]
    campaigns: dict[int, list[str]] = {article_id: [] for article_id in ids}
    if ids:
        matched = session.execute(
            select(CampaignMatch.article_id, CampaignMatch.campaign_id)
            .where(CampaignMatch.article_id.in_(ids), CampaignMatch.matched == true())
            .order_by(CampaignMatch.article_id, CampaignMatch.campaign_id)
        )
        for article_id, campaign_id in matched:
            campaigns[article_id].append(campaign_id)
    return [{**dated_row(row), "campaigns": campaigns.get(row["id"], [])} for row in rows]


# --------------------------------------------------------------------------- tag types


# What a row listing of a tag (quotes, statistics) says about each row's article.
ARTICLE_CONTEXT = {
    "article_id": "store id of the article",
    "title": "headline of the article",
    "outlet_id": "registry id of the outlet",
    "outlet": "outlet name",
    "published_at": "publication time of the article (ISO 8601 with offset)",
    "url": "address of the article",
}


def tag_kind(tag: TagType) -> Kind:
    """The query of a tag type, made from its declaration (pantau.store.tables)."""
    if isinstance(tag.listing, RowListing):
        return _row_kind(tag, tag.listing)
    return _counted_kind(tag, tag.listing)


def _row_kind(tag: TagType, listing: RowListing) -> Kind:
    """Every row with its article, newest articles first and in text order within an article."""
    table, values = tag.table, tag.value_columns()

    def build(filters: Filters, plan: Plan) -> Select:
        own = {name: getattr(filters, name) for name in listing.row_filters}
        statement = (
            select(
                table.id, *[getattr(table, name) for name in values], table.article_id, Article.title,
                Article.outlet_id, Article.outlet_name.label("outlet"), Article.published_at,
                Article.published_at_local, Article.url,
            )
            .join(Article, Article.id == table.article_id)
            .where(*article_conditions(replace(filters, **dict.fromkeys(own)), plan))
        )
        for name, value in own.items():
            if value:
                statement = statement.where(getattr(table, name) == value)
        return statement

    sorts: dict[str, Callable[[str], list[Any]]] = {
        "newest": lambda d: [*newest_first(d), table.position], "oldest": lambda d: [*oldest_first(d), table.position],
    }
    for name in listing.sorts:
        column = getattr(table, name.lstrip("-"))
        sorts[name] = ((lambda d, c=column: [c.desc(), table.id.desc()]) if name.startswith("-")
                       else (lambda d, c=column: [c.asc(), table.id.asc()]))
    columns = {"id": tag.meaning("id"), **{name: tag.meaning(name) for name in values}, **ARTICLE_CONTEXT}
    return Kind(tag.name, tag.description, columns, sorts, build, key=table.id)


def _counted_kind(tag: TagType, listing: CountedListing) -> Kind:
    """One row per distinct key over the filtered articles, with how many articles name it."""
    table = tag.table
    key = getattr(table, listing.key)
    described = [getattr(table, name) for name in listing.described_by]

    def summed(column_name: str) -> Any:
        column = getattr(table, column_name)
        return func.sum(case((column == true(), 1), else_=0)) if isinstance(column.type, Boolean) else func.sum(column)

    def build(filters: Filters, plan: Plan) -> Select:
        articles = select(Article.id).where(*article_conditions(filters, plan))
        counts = [
            func.count(distinct(table.article_id)).label("articles"),
            *[summed(column).label(name) for name, (column, _meaning) in listing.sums.items()],
        ]
        kept = [table.article_id.in_(articles)] + ([key.is_not(None)] if key.nullable else [])
        if listing.describe == "latest":
            # Counted from the tag's (article_id, key, ...) index alone; the describing columns are
            # then read from one row per key (the latest), not from every one.
            counted = (
                select(key, *counts, func.max(table.id).label("latest_id")).where(*kept).group_by(key).subquery("counted")
            )
            return select(key, *described, *[counted.c[count.name] for count in counts]).join(
                counted, counted.c.latest_id == table.id
            )
        return select(key, *[func.max(column).label(column.key) for column in described], *counts).where(*kept).group_by(key)

    columns = {
        listing.key: tag.meaning(listing.key),
        **{name: tag.meaning(name) for name in listing.described_by},
        "articles": "articles (in the filter) that name it",
        **{name: meaning for name, (_column, meaning) in listing.sums.items()},
    }
    sorts = {"articles": _count_desc("articles", key), listing.key: lambda d: [key]}
    return Kind(tag.name, tag.description, columns, sorts, build)


# --------------------------------------------------------------------------- stories, coverage, outlets, campaigns


STORY_COLUMNS = {
    "id": "store id of the story (one event, its original and its copies)",
    "title": "title of the story",
    "articles": "articles of the story in the filter",
    "outlets": "distinct outlets among them",
    "first_published_at": "earliest publication in the filter (UTC, ISO 8601)",
    "last_published_at": "latest publication in the filter (UTC, ISO 8601)",
    "url": "address of the story's earliest article in the filter",
    "outlet": "outlet of that article",
}


def _stories(filters: Filters, plan: Plan) -> Select:
    # Articles are grouped by story from the (id, ..., story_id, outlet_id) index; only then are the
    # stories' titles read.
    counted = (
        select(
            Article.story_id, func.count(Article.id).label("articles"),
            func.count(distinct(Article.outlet_id)).label("outlets"),
            func.min(Article.published_at).label("first_published_at"),
            func.max(Article.published_at).label("last_published_at"),
            func.min(Article.id).label("first_article_id"),
        )
        .where(Article.story_id.is_not(None), *article_conditions(filters, plan))
        .group_by(Article.story_id)
        .subquery("counted")
    )
    return select(
        Story.id, Story.title, counted.c.articles, counted.c.outlets, counted.c.first_published_at,
        counted.c.last_published_at, counted.c.first_article_id,
    ).join(counted, counted.c.story_id == Story.id)


def _finish_stories(session: Session, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    first_ids = [row["first_article_id"] for row in rows]
    links = {
        article_id: (url, outlet)
        for article_id, url, outlet in session.execute(
            select(Article.id, Article.url, Article.outlet_name).where(Article.id.in_(first_ids))
        )
    } if first_ids else {}
    finished = []
    for row in rows:
        url, outlet = links.get(row["first_article_id"], (None, None))
        item = {key: value for key, value in dated_row(row).items() if key != "first_article_id"}
        finished.append({**item, "url": url, "outlet": outlet})
    return finished


COVERAGE_COLUMNS = {
    "week": "Monday of the week (local time), ISO date",
    "articles": "articles published that week",
    "stories": "unique stories among them (syndicated copies and follow-ups of one event count once)",
}


def _coverage(filters: Filters, plan: Plan) -> Select:
    # An article outside any story is a story of its own: -id can never equal a story id.
    story_key = func.coalesce(Article.story_id, -Article.id)
    return (
        select(
            local_week_sql(Article.published_at, plan.dialect).label("week"), func.count(Article.id).label("articles"),
            func.count(distinct(story_key)).label("stories"),
        )
        .where(Article.published_at.is_not(None), *article_conditions(filters, plan))
        # By position: on PostgreSQL the week expression carries a bound time zone.
        .group_by(text("1"))
    )


def finish_coverage(session: Session, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Weeks without articles are listed with zeros, so a chart's time axis has no gaps."""
    counted = {as_date(row["week"]): row for row in rows if row["week"] is not None}
    if not counted:
        return []
    weeks, current, last = [], min(counted), max(counted)
    while current <= last:
        row = counted.get(current)
        weeks.append({"week": current.isoformat(), "articles": row["articles"] if row else 0,
                      "stories": row["stories"] if row else 0})
        current += timedelta(days=7)
    return weeks


OUTLET_COLUMNS = {
    "outlet_id": "registry id of the outlet",
    "outlet": "outlet name",
    "articles": "articles in the filter",
    "stories": "unique stories among them",
    "first_published_at": "earliest publication (UTC, ISO 8601)",
    "last_published_at": "latest publication (UTC, ISO 8601)",
}


def _not_indexed(column: Any, plan: Plan) -> Any:
    """SQLite: the column as an expression (unary +, a no-op on any value), so that the planner does
    not walk an index in that column's order to spare a sort and read every row for the other
    columns: grouping every article by outlet that way took 17 s at a million, 1.4 s without."""
    return literal_column(f"+{column.table.name}.{column.name}") if plan.dialect == "sqlite" else column


def _outlets(filters: Filters, plan: Plan) -> Select:
    # Counted from the (id, ..., story_id, outlet_id) index; the outlet's name is the one on its
    # newest article (one index step per outlet instead of reading every article row).
    story_key = func.coalesce(Article.story_id, -Article.id)
    counted = (
        select(
            Article.outlet_id, func.count(Article.id).label("articles"), func.count(distinct(story_key)).label("stories"),
            func.min(Article.published_at).label("first_published_at"),
            func.max(Article.published_at).label("last_published_at"),
        )
        .where(*article_conditions(filters, plan))
        .group_by(_not_indexed(Article.outlet_id, plan))
        .subquery("counted")
    )
    named = aliased(Article, name="named")
    name = (
        select(named.outlet_name).where(named.outlet_id == counted.c.outlet_id)
        .order_by(named.published_at.desc()).limit(1).scalar_subquery()
    )
    return select(
        counted.c.outlet_id, name.label("outlet"), counted.c.articles, counted.c.stories,
        counted.c.first_published_at, counted.c.last_published_at,
    )


SUMMARY_COLUMNS = {
    "articles": "articles in the filter",
    "stories": "unique stories among them",
    "outlets": "distinct outlets",
    "first_published_at": "earliest publication (UTC, ISO 8601)",
    "last_published_at": "latest publication (UTC, ISO 8601)",
}


def _summary(filters: Filters, plan: Plan) -> Select:
    story_key = func.coalesce(Article.story_id, -Article.id)
    return select(
        func.count(Article.id).label("articles"), func.count(distinct(story_key)).label("stories"),
        func.count(distinct(Article.outlet_id)).label("outlets"),
        func.min(Article.published_at).label("first_published_at"),
        func.max(Article.published_at).label("last_published_at"),
    ).where(*article_conditions(filters, plan))


CAMPAIGN_COLUMNS = {
    "id": "campaign id (campaigns.toml)",
    "name": "campaign name",
    "articles": "articles matched to the campaign (within the other filters)",
}


def _campaigns(filters: Filters, plan: Plan) -> Select:
    return (
        select(CampaignMatch.campaign_id.label("id"), func.count(CampaignMatch.article_id).label("articles"))
        .join(Article, Article.id == CampaignMatch.article_id)
        .where(CampaignMatch.matched == true(), *article_conditions(replace(filters, campaign=None), plan))
        .group_by(CampaignMatch.campaign_id)
    )


def _finish_campaigns(session: Session, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every configured campaign, with zero when nothing matched yet."""
    counts = {row["id"]: row["articles"] for row in rows}
    return [{"id": cid, "name": name, "articles": counts.get(cid, 0)} for cid, name in campaign_names().items()]


KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        Kind("articles", "articles, newest first", ARTICLE_COLUMNS,
             {"newest": newest_first, "oldest": oldest_first, "title": lambda d: [Article.title.asc(), Article.id.asc()]},
             _articles, _finish_articles, key=Article.id),
        *(tag_kind(tag) for tag in TAG_TYPES.values()),
        Kind("stories", "stories (events) with how many articles and outlets covered them", STORY_COLUMNS,
             {"articles": _count_desc("articles", Story.id.desc()),
              "newest": lambda d: [literal_column("last_published_at").desc(), Story.id.desc()]},
             _stories, _finish_stories),
        Kind("coverage", "articles and unique stories per week", COVERAGE_COLUMNS,
             {"week": lambda d: [text("1")]}, _coverage, finish_coverage, paginated=False),
        Kind("outlets", "outlets with their number of articles and stories", OUTLET_COLUMNS,
             {"articles": _count_desc("articles", literal_column("outlet_id")),
              "outlet": lambda d: [literal_column("outlet_id")]},
             _outlets),
        Kind("summary", "totals: articles, unique stories, outlets, first and last date", SUMMARY_COLUMNS,
             {"none": lambda d: []}, _summary, paginated=False),
        Kind("campaigns", "configured campaigns with their matched articles", CAMPAIGN_COLUMNS,
             {"name": lambda d: [text("1")]}, _campaigns, _finish_campaigns, paginated=False),
    )
}

# What `pantau query` and the exports call the kinds a user lists.
LIST_KINDS = ("articles", *TAG_TYPES, "stories")


def get_kind(name: str) -> Kind:
    try:
        return KINDS[name]
    except KeyError:
        raise InputError(f"unknown query {name!r}; choose one of {', '.join(KINDS)}") from None
