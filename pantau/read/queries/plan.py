"""How a query's SQL is written for the store at hand: the cost planner and the conditions it shapes.

The filters say which articles a query keeps; the plan says how the database finds them cheaply: by
listing the kept articles and sorting them, or by walking the articles in date order and testing
each one (a campaign or a common search word over a million articles). Every plan returns the same
rows; tests compare them page by page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, Select, column, exists, func, literal_column, select, table, text, true
from sqlalchemy.orm import Session, aliased

from pantau.store.search import fts5_query, full_text_condition
from pantau.store.tables import Article, CampaignMatch

if TYPE_CHECKING:  # annotations only: the filters and kinds are built on top of the plan
    from pantau.read.queries.catalogue import Kind
    from pantau.read.queries.filters import Filters, PageRequest


@dataclass(frozen=True)
class Plan:
    """How a query's SQL is written for the store at hand."""

    dialect: str
    # SQLite, newest/oldest pages: the campaign and search filters keep so many articles that walking
    # the articles in date order and testing each one fills a page sooner than listing every kept
    # article and sorting them all.
    ordered_scan: bool = False
    # While walking, the search is tested against the list of every match (built once) rather than
    # looked up in the full-text index for each article: cheaper unless the word is very common.
    search_as_list: bool = False


ORDERED_SORTS = ("newest", "oldest")


def make_plan(session: Session, filters: Filters, kind: Kind | None = None, sort: str | None = None,
              page: PageRequest | None = None) -> Plan:
    """Choose between listing the filtered articles and walking them in order (SQLite only).

    Listing costs about one step per kept article; walking costs about one step per article
    examined, page size / density of them. They break even near sqrt(2 x page x articles) kept
    articles (measured at one million: ~10,000). The density is measured where the walk starts: among
    the newest (or oldest) SAMPLE_ARTICLES ids, which grow with crawl time, with cheap counts over
    index ranges. A campaign's articles and a search's matches are not independent (campaign articles
    use the campaign's words) and a campaign may have ended long ago, so neither global shares nor
    their product would do.

    PostgreSQL plans well alone except for a campaign with a search: it cannot know that the two go
    together and reads every match of the search (make_postgres_plan)."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql" and kind is not None and kind.key is not None and page is not None:
        return make_postgres_plan(session, filters, sort, page)
    if (dialect != "sqlite" or kind is None or kind.key is None or page is None or sort not in ORDERED_SORTS
            or not (filters.campaign or filters.q)):
        return Plan(dialect)
    total = session.scalar(select(func.max(Article.id))) or 0
    sample = max(1, min(SAMPLE_ARTICLES, total))
    newest = sort == "newest"
    edge = total - sample if newest else sample
    campaign_ids = fts_ids = None
    in_campaign = found = joint = sample
    if filters.campaign:
        window = CampaignMatch.article_id > edge if newest else CampaignMatch.article_id <= edge
        campaign_ids = select(CampaignMatch.article_id).where(
            CampaignMatch.campaign_id == filters.campaign, CampaignMatch.matched == true(), window
        )
        in_campaign = joint = _count(session, campaign_ids)
    if filters.q:
        rowid = FTS_TABLE.c.rowid
        fts_ids = select(rowid).where(_fts_match(filters.q), rowid > edge if newest else rowid <= edge)
        found = joint = _count(session, fts_ids)
    if campaign_ids is not None and fts_ids is not None:
        joint = _count(session, fts_ids.where(FTS_TABLE.c.rowid.in_(campaign_ids)))
    page_end = page.offset + page.size + 1
    kept = joint * total / sample
    ordered_scan = kept >= max(1000, (2 * page_end * total) ** 0.5)
    search_as_list = False
    if filters.q and ordered_scan:
        # Walking tests the campaign first (a list), then looks each remaining article up in the
        # full-text index; or the search's matches are listed once and tested like the campaign.
        walked = page_end * sample / max(joint, 1)
        looked_up = walked * in_campaign / sample
        listed = found * total / sample
        search_as_list = listed < looked_up * SEARCH_LOOKUP_PER_LISTED
    return Plan(dialect, ordered_scan=ordered_scan, search_as_list=search_as_list)


def make_postgres_plan(session: Session, filters: Filters, sort: str | None, page: PageRequest) -> Plan:
    """PostgreSQL, newest first, a campaign and a search: walk the newest-first index (0004) testing
    the campaign and then the search per article, when the two together keep enough of the newest
    articles; PostgreSQL's own plan reads every match of the search and sorts them (0.3 s for a
    common word at one million articles), which is right only when few articles are kept."""
    if sort != "newest" or not (filters.campaign and filters.q):
        return Plan("postgresql")
    total = session.scalar(select(func.max(Article.id))) or 0
    sample = max(1, min(SAMPLE_ARTICLES, total))
    edge = total - sample
    # The campaign's newest articles, each then tested for the search (not the search's every match).
    joint = _count(session, select(CampaignMatch.article_id).where(
        CampaignMatch.campaign_id == filters.campaign, CampaignMatch.matched == true(), CampaignMatch.article_id > edge,
        _postgres_search_per_row(filters.q, CampaignMatch.article_id),
    ))
    page_end = page.offset + page.size + 1
    return Plan("postgresql", ordered_scan=joint * total / sample >= max(1000, (2 * page_end * total) ** 0.5))


def _postgres_search_per_row(user_query: str, article_id: Any) -> ColumnElement[bool]:
    """Whether the article `article_id` matches the search, read from its own row (see _tested_per_row)."""
    searched = aliased(Article, name="searched")
    matches = text("searched.search_vector @@ websearch_to_tsquery('indonesian', :fts_query)").bindparams(fts_query=user_query)
    return exists(_tested_per_row(
        select(literal_column("1")).select_from(searched).where(searched.id == article_id, searched.is_article == true(), matches)
    ))


def _tested_per_row(statement: Select) -> Select:
    """PostgreSQL: a subquery the planner keeps as a test per row (OFFSET stops it from turning the
    EXISTS into a join), so that the walk tests the cheap campaign first and the search after."""
    return statement.offset(0)


# SQLite's full-text index (migration 0001), for counting its rows by rowid.
FTS_TABLE = table("articles_fts", column("rowid"))
# Articles at the start of a walk among which make_plan measures the filters' density.
SAMPLE_ARTICLES = 20_000
# Looking an article up in the full-text index costs ~100 times as much as listing one match and
# testing against the list (measured at one million: ~20 us, ~0.2 us).
SEARCH_LOOKUP_PER_LISTED = 100


def _count(session: Session, statement: Select) -> int:
    return session.scalar(select(func.count()).select_from(statement.subquery())) or 0


def _fts_match(user_query: str) -> ColumnElement[bool]:
    return text("articles_fts MATCH :fts_query").bindparams(fts_query=fts5_query(user_query) or '""')


def _walked_id() -> ColumnElement[Any]:
    """SQLite: articles.id as an expression (unary +), so that an IN list on it is only tested while
    walking the date index, never used to look the listed articles up one by one and sort them."""
    return literal_column("+articles.id")


def search_condition(user_query: str, plan: Plan) -> ColumnElement[bool]:
    if plan.dialect == "postgresql" and plan.ordered_scan:
        # An article row of its own, read only for the articles that passed the campaign's test.
        return _postgres_search_per_row(user_query, Article.id)
    if plan.dialect == "sqlite" and plan.ordered_scan and plan.search_as_list:
        return _walked_id().in_(select(literal_column("rowid")).select_from(text("articles_fts")).where(_fts_match(user_query)))
    if plan.dialect == "sqlite" and plan.ordered_scan:
        return exists(
            select(literal_column("1")).select_from(text("articles_fts"))
            .where(_fts_match(user_query), text("articles_fts.rowid = articles.id"))
        )
    return full_text_condition(plan.dialect, user_query)


def campaign_conditions(campaign: str, plan: Plan) -> list[ColumnElement[bool]]:
    """The articles matched to the campaign, as a list of their ids: looked up one by one and sorted,
    or, when walking in date order, tested against as each article is reached (3x cheaper than an
    EXISTS per article at one million). (A join instead of the list is a third cheaper for coverage
    on SQLite, but there the planner then walks whole outlets or stories to avoid a sort: seconds.)"""
    matched = select(CampaignMatch.article_id).where(CampaignMatch.campaign_id == campaign, CampaignMatch.matched == true())
    if plan.ordered_scan and plan.dialect == "postgresql":
        return [exists(_tested_per_row(
            select(literal_column("1")).where(CampaignMatch.article_id == Article.id, CampaignMatch.campaign_id == campaign,
                                              CampaignMatch.matched == true())
        ))]
    if plan.ordered_scan:
        return [_walked_id().in_(matched)]
    return [Article.id.in_(matched)]
