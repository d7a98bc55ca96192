"""The one query layer behind `pantau query`, the HTTP API, the exports and the dashboard.

Every query is a parameterised SQLAlchemy statement over the store; user input only ever reaches the
database as bound values. A query is chosen by its kind (`articles`, `statistics`, `places`,
`organizations`, `people`, `quotes`, `stories`, `coverage`, `outlets`, `campaigns`) and narrowed by
`Filters`, which always select a set of articles first (campaign, outlet, place code, dates, unit,
organisation, full-text search); the kind then says what is listed about those articles.
"""

from __future__ import annotations

import gzip
import json
import re
from dataclasses import dataclass, field, fields, replace
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from typing import Any, Callable, Iterator, Mapping, Sequence
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    case,
    cast,
    Date,
    distinct,
    exists,
    func,
    literal_column,
    or_,
    column,
    select,
    table,
    text,
    true,
)
from sqlalchemy.orm import Session, aliased

from pantau.core.errors import InputError
from pantau.store.tables import (
    Article,
    ArticleOrganization,
    ArticlePerson,
    ArticlePlace,
    CampaignMatch,
    Quote,
    Statistic,
    Story,
)
from pantau.store.coverage import as_date
from pantau.store.search import fts5_query, full_text_condition

# Kemendagri codes: "73" (province) or "73.71" (kabupaten/kota).
REGION_CODE = re.compile(r"^\d{2}(\.\d{2})?$")
DEFAULT_PAGE_SIZE = 50
# Text filters longer than this are not names of anything; refusing them keeps queries cheap.
MAX_FILTER_LENGTH = 300


class NotFoundError(InputError):
    """A filter names something that does not exist (a campaign, an outlet, a region code)."""


# --------------------------------------------------------------------------- filters and pages


@dataclass(frozen=True)
class Filters:
    """Which articles a query looks at. Every field is optional; all given fields must hold."""

    campaign: str | None = None
    outlet: str | None = None
    # Kemendagri code of a province ("73": every place in it) or a kabupaten/kota ("73.71").
    place: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    # Statistics unit as stored ("percent", "IDR", "responden"): articles with such a statistic;
    # the statistics query lists only those statistics.
    unit: str | None = None
    # Canonical name or acronym of an organisation the article names ("Kominfo").
    organization: str | None = None
    # Statistics only: the organisation the text attributes the figure to, as written.
    source: str | None = None
    # Full-text search over title and body (words, all required).
    q: str | None = None

    def active(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name) not in (None, "")}


@dataclass(frozen=True)
class PageRequest:
    number: int = 1
    size: int = DEFAULT_PAGE_SIZE

    def __post_init__(self) -> None:
        if self.number < 1:
            raise InputError(f"page must be 1 or more, not {self.number}")
        if self.size < 1:
            raise InputError(f"page size must be 1 or more, not {self.size}")

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size


@dataclass
class QueryResult:
    kind: str
    columns: list[str]
    rows: list[dict[str, Any]]
    page: int = 1
    page_size: int = 0
    has_more: bool = False
    filters: dict[str, Any] = field(default_factory=dict)
    sort: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "filters": {key: _jsonable(value) for key, value in self.filters.items()},
            "sort": self.sort,
            "page": self.page,
            "page_size": self.page_size,
            "has_more": self.has_more,
            "count": len(self.rows),
            "items": self.rows,
        }


# --------------------------------------------------------------------------- validation


@lru_cache(maxsize=1)
def region_names() -> dict[str, str]:
    """Kemendagri code -> region name, from the project's gazetteer (provinces and kabupaten/kota)."""
    from pipeline.nlp.places import GAZETTEER_PATH

    with gzip.open(GAZETTEER_PATH, "rt", encoding="utf-8") as handle:
        data = json.load(handle)
    names: dict[str, str] = {}
    for record in data["regions"]:
        names[record["code"]] = record["name"]
    return names


def campaign_names() -> dict[str, str]:
    """Configured campaign id -> display name; read again only when the campaigns file changes."""
    from pantau.core.campaigns import campaigns_path

    path = campaigns_path()
    try:
        stat = path.stat()
        version = (stat.st_mtime_ns, stat.st_size)
    except OSError:
        version = None
    return dict(_campaign_names(str(path), version))


@lru_cache(maxsize=8)
def _campaign_names(path: str, version: tuple[int, int] | None) -> tuple[tuple[str, str], ...]:
    # Parsing and validating every campaign's boolean query costs ~0.1 s: too much for each request.
    from pathlib import Path

    from pantau.core.campaigns import load_campaigns

    return tuple((campaign.id, campaign.name) for campaign in load_campaigns(Path(path)))


def validate_filters(session: Session, filters: Filters) -> Filters:
    """Check every filter and return them cleaned; unknown names raise NotFoundError, bad shapes InputError."""
    cleaned = {key: value.strip() if isinstance(value, str) else value for key, value in filters.active().items()}
    for key, value in cleaned.items():
        if isinstance(value, str) and (len(value) > MAX_FILTER_LENGTH or "\x00" in value):
            raise InputError(f"filter {key} is too long or holds a NUL character; give a name of at most {MAX_FILTER_LENGTH} characters")
    result = Filters(**cleaned)
    if result.campaign is not None and result.campaign not in campaign_names():
        known = ", ".join(sorted(campaign_names())) or "none configured"
        raise NotFoundError(f"unknown campaign {result.campaign!r}; known campaigns: {known}")
    if result.outlet is not None and not _outlet_exists(session, result.outlet):
        raise NotFoundError(f"unknown outlet {result.outlet!r}; list outlets with `pantau query outlets` or GET /api/outlets")
    if result.place is not None:
        if not REGION_CODE.match(result.place):
            raise InputError(f"place code {result.place!r} is not a Kemendagri code; use a province code like 73 or a kabupaten/kota code like 73.71")
        if result.place not in region_names():
            raise NotFoundError(f"unknown region code {result.place!r}; use a current Kemendagri code such as 31 (DKI Jakarta) or 73.71 (Kota Makassar)")
    if result.date_from and result.date_to and result.date_to < result.date_from:
        raise InputError(f"date_to {result.date_to} is before date_from {result.date_from}")
    if result.q is not None and not re.search(r"\w", result.q):
        raise InputError("the search text has no words; search for words such as 'literasi digital'")
    return result


def _outlet_exists(session: Session, outlet_id: str) -> bool:
    from pantau.core.outlets import all_outlets

    if any(outlet.id == outlet_id for outlet in all_outlets()):
        return True
    return bool(session.scalar(select(exists().where(Article.outlet_id == outlet_id))))


# --------------------------------------------------------------------------- article conditions


def local_zone() -> ZoneInfo:
    from pantau.core.config import get_settings

    name = get_settings().timezone
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InputError(f"timezone setting {name!r} is not a time zone name; use e.g. Asia/Jakarta") from None


def day_start_utc(day: date) -> datetime:
    """The UTC instant at which `day` begins in the configured (Indonesian) time zone."""
    return datetime.combine(day, time.min, tzinfo=local_zone()).astimezone(timezone.utc)


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


def make_plan(session: Session, filters: Filters, kind: "Kind | None" = None, sort: str | None = None,
              page: "PageRequest | None" = None) -> Plan:
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


def make_postgres_plan(session: Session, filters: Filters, sort: str | None, page: "PageRequest") -> Plan:
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


def article_conditions(filters: Filters, plan: Plan) -> list[ColumnElement[bool]]:
    """WHERE conditions on `articles` for the filters (already validated)."""
    conditions: list[ColumnElement[bool]] = [Article.is_article == true()]
    if filters.campaign:
        conditions.extend(campaign_conditions(filters.campaign, plan))
    if filters.outlet:
        conditions.append(Article.outlet_id == filters.outlet)
    if filters.place:
        conditions.append(Article.id.in_(select(ArticlePlace.article_id).where(place_code_condition(filters.place))))
    if filters.date_from:
        conditions.append(Article.published_at >= day_start_utc(filters.date_from))
    if filters.date_to:
        conditions.append(Article.published_at < day_start_utc(filters.date_to + timedelta(days=1)))
    if filters.unit:
        conditions.append(Article.id.in_(select(Statistic.article_id).where(Statistic.unit == filters.unit)))
    if filters.organization:
        conditions.append(Article.id.in_(
            select(ArticleOrganization.article_id).where(or_(
                ArticleOrganization.name == filters.organization, ArticleOrganization.acronym == filters.organization
            ))
        ))
    if filters.source:
        conditions.append(Article.id.in_(select(Statistic.article_id).where(Statistic.source == filters.source)))
    if filters.q:
        conditions.append(search_condition(filters.q, plan))
    return conditions


def place_code_condition(code: str) -> ColumnElement[bool]:
    """A province code covers itself and every kabupaten/kota in it ("73" -> "73", "73.xx")."""
    if "." in code:
        return ArticlePlace.code == code
    # The code is validated as two digits, so the LIKE pattern holds no wildcard from the user.
    return or_(ArticlePlace.code == code, ArticlePlace.code.like(f"{code}.%"))


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


def published_local(row: Mapping[str, Any]) -> str | None:
    """The article's date as the page wrote it (with its offset), else the UTC instant."""
    local = row.get("published_at_local")
    if local:
        return local
    instant = row.get("published_at")
    return instant.isoformat() if isinstance(instant, datetime) else None


# --------------------------------------------------------------------------- the kinds


@dataclass(frozen=True)
class Kind:
    """One query: what it lists, its columns (name -> meaning), how it sorts, how it is built."""

    name: str
    description: str
    columns: Mapping[str, str]
    sorts: Mapping[str, Callable[[str], list[Any]]]
    build: Callable[[Filters, str], Select]
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
    return [{**_dated(row), "campaigns": campaigns.get(row["id"], [])} for row in rows]


STATISTIC_COLUMNS = {
    "id": "store id of the statistic",
    "value": "the number (Indonesian formats read: 1.800 = 1800, 2,5 = 2.5, Rp 2,5 triliun = 2.5e12)",
    "value_max": "upper bound of a range (4-6 ribu), else empty",
    "qualifier": "lebih dari, sekitar, hampir ... as written, else empty",
    "unit": "percent, IDR, or the counted noun as written (responden, kota, peserta)",
    "raw": "the figure as written",
    "subject": "what the figure counts",
    "sentence": "the sentence holding the figure",
    "source": "the organisation the text attributes the figure to, if any",
    "article_id": "store id of the article",
    "title": "headline of the article",
    "outlet_id": "registry id of the outlet",
    "outlet": "outlet name",
    "published_at": "publication time of the article (ISO 8601 with offset)",
    "url": "address of the article",
}


def _statistics(filters: Filters, plan: Plan) -> Select:
    statement = (
        select(
            Statistic.id, Statistic.value, Statistic.value_max, Statistic.qualifier, Statistic.unit, Statistic.raw,
            Statistic.subject, Statistic.sentence, Statistic.source, Statistic.article_id, Article.title,
            Article.outlet_id, Article.outlet_name.label("outlet"), Article.published_at, Article.published_at_local,
            Article.url,
        )
        .join(Article, Article.id == Statistic.article_id)
        .where(*article_conditions(replace(filters, unit=None, source=None), plan))
    )
    if filters.unit:
        statement = statement.where(Statistic.unit == filters.unit)
    if filters.source:
        statement = statement.where(Statistic.source == filters.source)
    return statement


def _by_newest_then(column: Any) -> Callable[[str], list[Any]]:
    return lambda dialect: [*newest_first(dialect), column]


PLACE_COLUMNS = {
    "code": "Kemendagri code (province 73, kabupaten/kota 73.71)",
    "name": "region name",
    "level": "province, regency or city",
    "province": "province of the region",
    "lat": "latitude of the region's centre",
    "lon": "longitude of the region's centre",
    "articles": "articles (in the filter) that name the place",
    "mentions": "mentions over those articles",
    "datelines": "articles reported from the place (dateline)",
}


def _places(filters: Filters, plan: Plan) -> Select:
    # Counted from the (article_id, code, mentions, is_dateline) index alone; the region's name and
    # coordinates are then read from one stored mention per code (the latest), not from every one.
    articles = select(Article.id).where(*article_conditions(filters, plan))
    counted = (
        select(
            ArticlePlace.code, func.count(distinct(ArticlePlace.article_id)).label("articles"),
            func.sum(ArticlePlace.mentions).label("mentions"),
            func.sum(case((ArticlePlace.is_dateline == true(), 1), else_=0)).label("datelines"),
            func.max(ArticlePlace.id).label("latest_id"),
        )
        .where(ArticlePlace.code.is_not(None), ArticlePlace.article_id.in_(articles))
        .group_by(ArticlePlace.code)
        .subquery("counted")
    )
    return select(
        ArticlePlace.code, ArticlePlace.name, ArticlePlace.level, ArticlePlace.province, ArticlePlace.lat, ArticlePlace.lon,
        counted.c.articles, counted.c.mentions, counted.c.datelines,
    ).join(counted, counted.c.latest_id == ArticlePlace.id)


ORGANIZATION_COLUMNS = {
    "name": "canonical organisation name",
    "acronym": "short form (Kominfo, IdEA), if any",
    "articles": "articles (in the filter) that name it",
    "mentions": "mentions over those articles",
}


def _organizations(filters: Filters, plan: Plan) -> Select:
    articles = select(Article.id).where(*article_conditions(filters, plan))
    return (
        select(
            ArticleOrganization.name, func.max(ArticleOrganization.acronym).label("acronym"),
            func.count(distinct(ArticleOrganization.article_id)).label("articles"),
            func.sum(ArticleOrganization.mentions).label("mentions"),
        )
        .where(ArticleOrganization.article_id.in_(articles))
        .group_by(ArticleOrganization.name)
    )


PEOPLE_COLUMNS = {
    "name": "person's name",
    "role": "a role the text gives (the longest seen)",
    "organization": "an organisation the text links to the person",
    "articles": "articles (in the filter) that name the person",
}


def _people(filters: Filters, plan: Plan) -> Select:
    articles = select(Article.id).where(*article_conditions(filters, plan))
    return (
        select(
            ArticlePerson.name, func.max(ArticlePerson.role).label("role"),
            func.max(ArticlePerson.organization).label("organization"),
            func.count(distinct(ArticlePerson.article_id)).label("articles"),
        )
        .where(ArticlePerson.article_id.in_(articles))
        .group_by(ArticlePerson.name)
    )


QUOTE_COLUMNS = {
    "id": "store id of the quote",
    "speaker": "who said it (empty when the text does not say)",
    "text": "the quoted words",
    "article_id": "store id of the article",
    "title": "headline of the article",
    "outlet_id": "registry id of the outlet",
    "outlet": "outlet name",
    "published_at": "publication time of the article (ISO 8601 with offset)",
    "url": "address of the article",
}


def _quotes(filters: Filters, plan: Plan) -> Select:
    return (
        select(
            Quote.id, Quote.speaker, Quote.text, Quote.article_id, Article.title, Article.outlet_id,
            Article.outlet_name.label("outlet"), Article.published_at, Article.published_at_local, Article.url,
        )
        .join(Article, Article.id == Quote.article_id)
        .where(*article_conditions(filters, plan))
    )


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
        item = {key: value for key, value in _dated(row).items() if key != "first_article_id"}
        finished.append({**item, "url": url, "outlet": outlet})
    return finished


COVERAGE_COLUMNS = {
    "week": "Monday of the week (local time), ISO date",
    "articles": "articles published that week",
    "stories": "unique stories among them (syndicated copies and follow-ups of one event count once)",
}


def week_start(dialect: str) -> ColumnElement[Any]:
    """The Monday (local date) of each article's publication week."""
    zone = local_zone()
    if dialect == "postgresql":
        return cast(func.date_trunc("week", func.timezone(zone.key, Article.published_at)), Date)
    # Indonesian zones keep one offset all year, so a fixed shift is exact there.
    offset = datetime.now(zone).utcoffset() or timedelta(0)
    shift = f"{int(offset.total_seconds() // 60):+d} minutes"
    return func.date(Article.published_at, shift, "weekday 0", "-6 days")


def _coverage(filters: Filters, plan: Plan) -> Select:
    # An article outside any story is a story of its own: -id can never equal a story id.
    story_key = func.coalesce(Article.story_id, -Article.id)
    return (
        select(
            week_start(plan.dialect).label("week"), func.count(Article.id).label("articles"),
            func.count(distinct(story_key)).label("stories"),
        )
        .where(Article.published_at.is_not(None), *article_conditions(filters, plan))
        # By position: on PostgreSQL the week expression carries a bound time zone.
        .group_by(text("1"))
    )


def _finish_coverage(session: Session, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
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


def _count_desc(label: str, *then: Any) -> Callable[[str], list[Any]]:
    return lambda dialect: [literal_column(label).desc(), *then]


KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        Kind("articles", "articles, newest first", ARTICLE_COLUMNS,
             {"newest": newest_first, "oldest": oldest_first, "title": lambda d: [Article.title.asc(), Article.id.asc()]},
             _articles, _finish_articles, key=Article.id),
        Kind("statistics", "figures quoted in the articles, with their source and article", STATISTIC_COLUMNS,
             {"newest": _by_newest_then(Statistic.position), "oldest": lambda d: [*oldest_first(d), Statistic.position],
              "value": lambda d: [Statistic.value.asc(), Statistic.id.asc()],
              "-value": lambda d: [Statistic.value.desc(), Statistic.id.desc()]},
             _statistics, key=Statistic.id),
        Kind("places", "Indonesian regions named in the articles", PLACE_COLUMNS,
             {"articles": _count_desc("articles", ArticlePlace.code), "code": lambda d: [ArticlePlace.code]}, _places),
        Kind("organizations", "organisations named in the articles", ORGANIZATION_COLUMNS,
             {"articles": _count_desc("articles", ArticleOrganization.name), "name": lambda d: [ArticleOrganization.name]},
             _organizations),
        Kind("people", "people named in the articles", PEOPLE_COLUMNS,
             {"articles": _count_desc("articles", ArticlePerson.name), "name": lambda d: [ArticlePerson.name]}, _people),
        Kind("quotes", "quotes with their speaker and article", QUOTE_COLUMNS,
             {"newest": _by_newest_then(Quote.position), "oldest": lambda d: [*oldest_first(d), Quote.position],
              "speaker": lambda d: [Quote.speaker.asc(), Quote.id.asc()]},
             _quotes, key=Quote.id),
        Kind("stories", "stories (events) with how many articles and outlets covered them", STORY_COLUMNS,
             {"articles": _count_desc("articles", Story.id.desc()),
              "newest": lambda d: [literal_column("last_published_at").desc(), Story.id.desc()]},
             _stories, _finish_stories),
        Kind("coverage", "articles and unique stories per week", COVERAGE_COLUMNS,
             {"week": lambda d: [text("1")]}, _coverage, _finish_coverage, paginated=False),
        Kind("outlets", "outlets with their number of articles and stories", OUTLET_COLUMNS,
             {"articles": _count_desc("articles", literal_column("outlet_id")), "outlet": lambda d: [literal_column("outlet_id")]},
             _outlets),
        Kind("summary", "totals: articles, unique stories, outlets, first and last date", SUMMARY_COLUMNS,
             {"none": lambda d: []}, _summary, paginated=False),
        Kind("campaigns", "configured campaigns with their matched articles", CAMPAIGN_COLUMNS,
             {"name": lambda d: [text("1")]}, _campaigns, _finish_campaigns, paginated=False),
    )
}

# What `pantau query` and the exports call the kinds a user lists.
LIST_KINDS = ("articles", "statistics", "places", "organizations", "people", "quotes", "stories")


def get_kind(name: str) -> Kind:
    try:
        return KINDS[name]
    except KeyError:
        raise InputError(f"unknown query {name!r}; choose one of {', '.join(KINDS)}") from None


def sorted_statement(kind: Kind, filters: Filters, plan: Plan, sort: str | None) -> tuple[Select, str]:
    sort = sort or kind.default_sort
    if sort not in kind.sorts:
        raise InputError(f"cannot sort {kind.name} by {sort!r}; choose one of {', '.join(kind.sorts)}")
    return kind.build(filters, plan).order_by(*kind.sorts[sort](plan.dialect)), sort


def page_statement(kind: Kind, filters: Filters, plan: Plan, sort: str, page: PageRequest) -> Select:
    """One page (and one row more, which says whether another page exists)."""
    statement, _ = sorted_statement(kind, filters, plan, sort)
    if kind.key is None:
        return statement.limit(page.size + 1).offset(page.offset)
    # Not correlated: the page's keys come from their own FROM list, whatever the outer one holds.
    keys = statement.with_only_columns(kind.key).limit(page.size + 1).offset(page.offset).correlate(None)
    rows, _ = sorted_statement(kind, Filters(), plan, sort)
    return rows.where(kind.key.in_(keys))


def run_query(
    session: Session,
    kind_name: str,
    filters: Filters = Filters(),
    page: PageRequest = PageRequest(),
    sort: str | None = None,
    cache: "ResultCache | None" = None,
) -> QueryResult:
    """One page of a query (aggregates without pages return every row). With a cache, a result
    that was slow to compute is reused until the store changes."""
    kind = get_kind(kind_name)
    filters = validate_filters(session, filters)
    if cache is not None:
        key = (kind.name, tuple(sorted((name, str(value)) for name, value in filters.active().items())), sort,
               page.number, page.size)
        return cache.get_or_run(session, key, lambda: _run_query(session, kind, filters, page, sort))
    return _run_query(session, kind, filters, page, sort)


def _run_query(session: Session, kind: Kind, filters: Filters, page: PageRequest, sort: str | None) -> QueryResult:
    summarized = _summarized_rows(session, kind, filters, sort)
    if summarized is not None:
        rows, sort = summarized
        return QueryResult(kind=kind.name, columns=list(kind.columns), rows=[_ordered(row, kind) for row in rows],
                           page=1, page_size=len(rows), filters=filters.active(), sort=sort)
    plan = make_plan(session, filters, kind, sort or kind.default_sort, page)
    statement, sort = sorted_statement(kind, filters, plan, sort)
    has_more = False
    if kind.paginated:
        # One row more than asked says whether another page exists, without counting them all.
        statement = page_statement(kind, filters, plan, sort, page)
    rows = [dict(row) for row in session.execute(statement).mappings()]
    if kind.paginated and len(rows) > page.size:
        rows, has_more = rows[: page.size], True
    rows = kind.finish(session, rows) if kind.finish else [_dated(row) for row in rows]
    return QueryResult(
        kind=kind.name, columns=list(kind.columns), rows=[_ordered(row, kind) for row in rows],
        page=page.number if kind.paginated else 1, page_size=page.size if kind.paginated else len(rows),
        has_more=has_more, filters=filters.active(), sort=sort,
    )


class ResultCache:
    """Results of slow queries, kept while the store is unchanged and at most `ttl_s` seconds.

    Dashboards ask the same aggregates again and again (a campaign's coverage, its places, every
    outlet); over a million articles some of them count every article and take seconds on SQLite,
    which no index avoids. Such a result is computed once per change of the store: the store's
    version (SQLite: the database and WAL files' size and time; PostgreSQL: the WAL position) is read
    before each use. Results computed faster than `slower_than_s` are not kept. Thread-safe; one
    computation per key at a time, so concurrent clients asking the same thing wait for one answer.
    """

    def __init__(self, ttl_s: float = 300.0, slower_than_s: float = 0.01, max_entries: int = 512):
        import threading
        from collections import OrderedDict

        self.ttl_s = ttl_s
        self.slower_than_s = slower_than_s
        self.max_entries = max_entries
        self._entries: OrderedDict[Any, tuple[Any, float, QueryResult]] = OrderedDict()
        self._lock = threading.Lock()
        self._key_locks: dict[Any, threading.Lock] = {}
        self.hits = 0
        self.misses = 0

    def get_or_run(self, session: Session, key: Any, compute: Callable[[], QueryResult]) -> QueryResult:
        import threading
        import time as clock

        version = store_version(session)
        if version is None:
            return compute()
        with self._lock:
            key_lock = self._key_locks.setdefault(key, threading.Lock())
        with key_lock:
            with self._lock:
                entry = self._entries.get(key)
                if entry and entry[0] == version and clock.monotonic() - entry[1] < self.ttl_s:
                    self._entries.move_to_end(key)
                    self.hits += 1
                    return _copied(entry[2])
                self.misses += 1
            started = clock.monotonic()
            result = compute()
            if clock.monotonic() - started >= self.slower_than_s:
                with self._lock:
                    self._entries[key] = (version, clock.monotonic(), _copied(result))
                    self._entries.move_to_end(key)
                    while len(self._entries) > self.max_entries:
                        old, _ = self._entries.popitem(last=False)
                        self._key_locks.pop(old, None)
            return result


def _copied(result: QueryResult) -> QueryResult:
    """A copy whose rows a caller may change without changing the cached ones."""
    return replace(result, rows=[dict(row) for row in result.rows], columns=list(result.columns), filters=dict(result.filters))


def store_version(session: Session) -> Any:
    """Something that changes whenever the store's data may have changed; None when unknown."""
    import os

    bind = session.get_bind()
    if bind.dialect.name == "sqlite":
        database = bind.url.database
        if not database or database == ":memory:" or database.startswith("file:"):
            return None
        stats = []
        for path in (database, database + "-wal"):
            try:
                stat = os.stat(path)
                stats.append((stat.st_mtime_ns, stat.st_size))
            except OSError:
                stats.append(None)
        return tuple(stats)
    if bind.dialect.name == "postgresql":
        try:
            with session.begin_nested():
                return session.scalar(text("SELECT pg_current_wal_lsn()::text"))
        except Exception:  # noqa: BLE001 - a standby or a restricted role: no caching, never an error
            return None
    return None


# Filters the weekly coverage summary is kept for (pantau/store/coverage.py); others scan the articles.
SUMMARY_FILTERS = frozenset({"campaign", "outlet"})


def _summarized_rows(session: Session, kind: Kind, filters: Filters, sort: str | None) -> tuple[list[dict[str, Any]], str] | None:
    """Coverage read from the weekly summary when the filters are ones it is kept for, else None."""
    if kind.name != "coverage" or not set(filters.active()) <= SUMMARY_FILTERS:
        return None
    sort = sort or kind.default_sort
    if sort not in kind.sorts:
        raise InputError(f"cannot sort {kind.name} by {sort!r}; choose one of {', '.join(kind.sorts)}")
    from pantau.store.coverage import read_weeks

    return _finish_coverage(session, read_weeks(session, filters.campaign, filters.outlet)), sort


def iter_query(session: Session, kind_name: str, filters: Filters = Filters(), sort: str | None = None,
               batch_size: int = 1000) -> Iterator[dict[str, Any]]:
    """Every row of a query, streamed in batches (CSV downloads and `--all`)."""
    kind = get_kind(kind_name)
    filters = validate_filters(session, filters)
    summarized = _summarized_rows(session, kind, filters, sort)
    if summarized is not None:
        yield from (_ordered(row, kind) for row in summarized[0])
        return
    statement, _ = sorted_statement(kind, filters, Plan(session.get_bind().dialect.name), sort)
    if not kind.paginated:
        rows = [dict(row) for row in session.execute(statement).mappings()]
        yield from (_ordered(row, kind) for row in (kind.finish(session, rows) if kind.finish else map(_dated, rows)))
        return
    result = session.execute(statement.execution_options(yield_per=batch_size)).mappings()
    for batch in result.partitions(batch_size):
        rows = [dict(row) for row in batch]
        for row in kind.finish(session, rows) if kind.finish else map(_dated, rows):
            yield _ordered(row, kind)


def _dated(row: Mapping[str, Any]) -> dict[str, Any]:
    """Row values as JSON-ready data; an article's date keeps the offset the page gave."""
    item = dict(row)
    if "published_at_local" in item:
        item["published_at"] = published_local(item)
        del item["published_at_local"]
    return {key: _jsonable(value) for key, value in item.items()}


def _ordered(row: Mapping[str, Any], kind: Kind) -> dict[str, Any]:
    return {column: _jsonable(row.get(column)) for column in kind.columns}


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=timezone.utc)).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def parse_day(value: str | None, name: str) -> date | None:
    """A YYYY-MM-DD filter value, or an InputError naming the filter."""
    if value is None or value == "":
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InputError(f"{name} {value!r} is not a date; use YYYY-MM-DD, e.g. 2018-08-14") from None


def rows_as_table(rows: Sequence[Mapping[str, Any]], columns: Sequence[str]) -> list[list[str]]:
    """Rows as printable cells (lists joined, numbers without trailing zeros)."""
    return [[_cell(row.get(column)) for column in columns] for row in rows]


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e18 else f"{value:.6g}"
    if isinstance(value, (list, tuple)):
        return ", ".join(str(item) for item in value)
    return str(value)
