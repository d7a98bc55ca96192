"""SQLAlchemy 2 models of the store. The schema itself is created by the Alembic migrations in
`pantau/store/migrations`; these classes must match them (a test compares the two).

Identity: a page and its article are keyed by the normalised URL (`url_key`), so re-crawling and
re-processing update rows instead of adding new ones.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from pantau.store.types import UTCDateTime


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON, datetime: UTCDateTime}


class Outlet(Base):
    __tablename__ = "outlets"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    domains: Mapped[list[Any]] = mapped_column(default=list)
    kind: Mapped[str] = mapped_column(String(32), default="national")
    updated_at: Mapped[datetime | None]


class CrawlRun(Base):
    __tablename__ = "crawl_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    outlet_id: Mapped[str | None] = mapped_column(String(64), index=True)
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(32), default="running")
    replay_base: Mapped[str | None] = mapped_column(String(500))
    discovered: Mapped[int] = mapped_column(default=0)
    fetched: Mapped[int] = mapped_column(default=0)
    new: Mapped[int] = mapped_column(default=0)
    skipped_known: Mapped[int] = mapped_column(default=0)
    requests: Mapped[int] = mapped_column(default=0)
    failed: Mapped[dict[str, Any]] = mapped_column(default=dict)
    options: Mapped[dict[str, Any]] = mapped_column(default=dict)

    def counts(self) -> dict[str, Any]:
        return {
            "run_id": self.id,
            "outlet": self.outlet_id,
            "discovered": self.discovered,
            "fetched": self.fetched,
            "new": self.new,
            "skipped_known": self.skipped_known,
            "requests": self.requests,
            "failed": dict(self.failed or {}),
        }


class CrawlFailure(Base):
    __tablename__ = "crawl_failures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    crawl_run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(String(64))
    http_status: Mapped[int | None]
    detail: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime]


class FetchValidator(Base):
    """ETag / Last-Modified of sitemaps and feeds, for conditional requests on the next crawl."""

    __tablename__ = "fetch_validators"

    url_key: Mapped[str] = mapped_column(String(2000), primary_key=True)
    etag: Mapped[str | None] = mapped_column(String(500))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    checked_at: Mapped[datetime]


class Page(Base):
    __tablename__ = "pages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url_key: Mapped[str] = mapped_column(String(2000), unique=True)
    url: Mapped[str] = mapped_column(Text)
    final_url: Mapped[str | None] = mapped_column(Text)
    outlet_id: Mapped[str | None] = mapped_column(String(64), index=True)
    http_status: Mapped[int | None]
    headers: Mapped[dict[str, Any]] = mapped_column(default=dict)
    fetched_at: Mapped[datetime]
    crawl_run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id", ondelete="SET NULL"))
    # What discovery said about the page before it was fetched (sitemap / feed metadata).
    discovered_via: Mapped[str | None] = mapped_column(String(32))
    listed_title: Mapped[str | None] = mapped_column(Text)
    listed_published_at: Mapped[datetime | None]
    part_count: Mapped[int] = mapped_column(default=1)
    content_hash: Mapped[str | None] = mapped_column(String(64))

    parts: Mapped[list[PagePart]] = relationship(
        order_by="PagePart.position", cascade="all, delete-orphan", lazy="selectin"
    )

    def html_parts(self) -> list[bytes]:
        """The raw HTML of every part of the article, in reading order."""
        return [part.html() for part in self.parts]


class PagePart(Base):
    """One fetched HTML document of a page; multi-page articles have several, in order."""

    __tablename__ = "page_parts"
    __table_args__ = (UniqueConstraint("page_id", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("pages.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    url: Mapped[str] = mapped_column(Text)
    html_z: Mapped[bytes] = mapped_column(LargeBinary)

    def html(self) -> bytes:
        return zlib.decompress(self.html_z)

    @staticmethod
    def compress(html: bytes) -> bytes:
        return zlib.compress(html, 6)


class Story(Base):
    """Articles about the same event within a few days; every article belongs to one story."""

    __tablename__ = "stories"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str | None] = mapped_column(Text)
    first_published_at: Mapped[datetime | None] = mapped_column(index=True)
    last_published_at: Mapped[datetime | None]
    article_count: Mapped[int] = mapped_column(default=0)
    outlet_count: Mapped[int] = mapped_column(default=0)


class Article(Base):
    __tablename__ = "articles"
    __table_args__ = (
        Index("ix_articles_outlet_published", "outlet_id", "published_at"),
        # What aggregates and page sorts read of an article, found by id without the wide row (0002).
        Index("ix_articles_rollup", "id", "is_article", "published_at", "story_id", "outlet_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url_key: Mapped[str] = mapped_column(String(2000), unique=True)
    url: Mapped[str] = mapped_column(Text)
    page_id: Mapped[int | None] = mapped_column(ForeignKey("pages.id", ondelete="SET NULL"), index=True)
    outlet_id: Mapped[str | None] = mapped_column(String(64), index=True)
    outlet_name: Mapped[str | None] = mapped_column(String(200))
    title: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str | None] = mapped_column(Text)
    dateline: Mapped[str | None] = mapped_column(String(200))
    # UTC instant for filtering and sorting, plus the ISO form with the page's own offset.
    published_at: Mapped[datetime | None] = mapped_column(index=True)
    published_at_local: Mapped[str | None] = mapped_column(String(40))
    updated_at: Mapped[datetime | None]
    authors: Mapped[list[Any]] = mapped_column(default=list)
    language: Mapped[str | None] = mapped_column(String(16))
    section: Mapped[str | None] = mapped_column(String(200))
    tags: Mapped[list[Any]] = mapped_column(default=list)
    canonical_url: Mapped[str | None] = mapped_column(Text)
    image_url: Mapped[str | None] = mapped_column(Text)
    word_count: Mapped[int] = mapped_column(default=0)
    is_article: Mapped[bool] = mapped_column(Boolean, default=True)
    is_paywalled: Mapped[bool] = mapped_column(Boolean, default=False)
    text_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    pipeline_version: Mapped[str] = mapped_column(String(64))
    processed_at: Mapped[datetime]
    story_id: Mapped[int | None] = mapped_column(ForeignKey("stories.id", ondelete="SET NULL"), index=True)
    # The earliest article this one is a syndicated / near-duplicate copy of (None for originals).
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("articles.id", ondelete="SET NULL"), index=True)
    extra: Mapped[dict[str, Any]] = mapped_column(default=dict)

    campaign_matches: Mapped[list[CampaignMatch]] = relationship(cascade="all, delete-orphan", lazy="selectin")
    # Each tag type adds its rows here too (Article.places, Article.quotes, ...): see `tag_type` below.


# --------------------------------------------------------------------------- tags
#
# A tag type is one table of what the NLP stages find in an article, declared once here: the class
# (its columns, each with its meaning in `doc`) and its `TagType` (name, description, how it is
# listed). Everything else is made from that declaration: the `Article.<name>` rows, the key in the
# `pantau analyze` contract and in `upsert_article`, the query kind (`pantau query <name>`,
# GET /api/<name>), the export table and its data dictionary. docs/architecture.md, "Adding a tag
# type", lists the two other files a new tag type needs (its spaCy component, its migration).


@dataclass(frozen=True)
class CountedListing:
    """A tag listed one row per distinct `key` over the filtered articles (places, people ...).

    `described_by` columns describe the key: each is the value of the latest row ("latest") or the
    largest one ("max"); `sums` add a column over the rows (a boolean column counts its true rows)."""

    key: str
    described_by: tuple[str, ...] = ()
    describe: str = "max"
    sums: Mapping[str, tuple[str, str]] = field(default_factory=dict)  # name -> (column, meaning)


@dataclass(frozen=True)
class RowListing:
    """A tag listed row by row with its article (quotes, statistics), in text order within an article.

    `sorts` are extra sort orders by a column ("value", or "-value" for descending); `row_filters`
    are query filters that select this tag's rows by the column of the same name (not only articles)."""

    sorts: tuple[str, ...] = ()
    row_filters: tuple[str, ...] = ()


@dataclass(frozen=True)
class TagType:
    name: str
    description: str
    table: type
    listing: CountedListing | RowListing

    @property
    def ordered(self) -> bool:
        """Rows that keep their order in the text (a `position` column), each referred to by its id."""
        return isinstance(self.listing, RowListing)

    def value_columns(self) -> list[str]:
        """The columns a stage fills (everything but the row's id, article and position)."""
        return [column.key for column in self.table.__table__.columns if column.key not in _ROW_BOOKKEEPING]

    def meaning(self, column: str) -> str:
        return self.table.__table__.columns[column].doc or ""


_ROW_BOOKKEEPING = ("id", "article_id", "position")
TAG_TYPES: dict[str, TagType] = {}


def tag_type(name: str, description: str, listing: CountedListing | RowListing) -> Callable[[type], type]:
    """Declare the decorated table as the tag type `name` and give every Article its rows as `Article.<name>`."""

    def declare(table: type) -> type:
        if name in TAG_TYPES:
            raise ValueError(f"tag type {name!r} is declared twice")
        TAG_TYPES[name] = TagType(name, description, table, listing)
        setattr(Article, name, relationship(table, cascade="all, delete-orphan", lazy="selectin"))
        return table

    return declare


class TagRow:
    """Columns every tag table has: its id and its article."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True, sort_order=-1, doc="store id of the row")


@tag_type("places", "Indonesian regions (and foreign places) named in articles.",
          CountedListing(key="code", described_by=("name", "level", "province", "lat", "lon"), describe="latest",
                         sums={"mentions": ("mentions", "mentions over those articles"),
                               "datelines": ("is_dateline", "articles reported from the place (dateline)")}))
class ArticlePlace(TagRow, Base):
    __tablename__ = "article_places"
    __table_args__ = (Index("ix_article_places_article_code", "article_id", "code", "mentions", "is_dateline"),)

    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), doc="the article (articles.id)")
    name: Mapped[str] = mapped_column(String(200), doc="region name (Kota Makassar)")
    level: Mapped[str] = mapped_column(String(16), doc="province, regency, city (or foreign)")
    code: Mapped[str | None] = mapped_column(String(16), index=True, doc="Kemendagri code (73, 73.71); empty for foreign places")
    province: Mapped[str | None] = mapped_column(String(200), doc="province of the region")
    lat: Mapped[float | None] = mapped_column(Float, doc="latitude of the region's centre")
    lon: Mapped[float | None] = mapped_column(Float, doc="longitude of the region's centre")
    mentions: Mapped[int] = mapped_column(default=1, doc="times the article names it")
    surface: Mapped[list[Any]] = mapped_column(default=list, doc="forms as written, JSON list")
    is_dateline: Mapped[bool] = mapped_column(Boolean, default=False, doc="true when it is the place of reporting")


@tag_type("organizations", "Organisations named in articles.",
          CountedListing(key="name", described_by=("acronym",), sums={"mentions": ("mentions", "mentions over those articles")}))
class ArticleOrganization(TagRow, Base):
    __tablename__ = "article_organizations"

    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), index=True,
                                            doc="the article (articles.id)")
    name: Mapped[str] = mapped_column(String(300), index=True, doc="canonical organisation name")
    acronym: Mapped[str | None] = mapped_column(String(64), doc="short form (Kominfo, IdEA), if any")
    mentions: Mapped[int] = mapped_column(default=1, doc="times the article names it")


@tag_type("people", "People named in articles.", CountedListing(key="name", described_by=("role", "organization")))
class ArticlePerson(TagRow, Base):
    __tablename__ = "article_people"

    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), index=True,
                                            doc="the article (articles.id)")
    name: Mapped[str] = mapped_column(String(300), index=True, doc="person's name")
    role: Mapped[str | None] = mapped_column(Text, doc="role as the text gives it")
    organization: Mapped[str | None] = mapped_column(String(300), doc="organisation the text links to the person")


@tag_type("quotes", "Quotes with their speaker.", RowListing(sorts=("speaker",)))
class Quote(TagRow, Base):
    __tablename__ = "quotes"
    __table_args__ = (Index("ix_quotes_article_position", "article_id", "position"),)

    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), doc="the article (articles.id)")
    position: Mapped[int] = mapped_column(default=0, doc="order of the quote in the article, from 0")
    speaker: Mapped[str | None] = mapped_column(String(300), index=True, doc="who said it, empty when the text does not say")
    text: Mapped[str] = mapped_column(Text, doc="the quoted words")


@tag_type("statistics", "Figures quoted in articles, with what they count and their source.",
          RowListing(sorts=("value", "-value"), row_filters=("unit", "source")))
class Statistic(TagRow, Base):
    __tablename__ = "statistics"
    __table_args__ = (Index("ix_statistics_unit", "unit"), Index("ix_statistics_article_unit", "article_id", "unit", "position"))

    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), doc="the article (articles.id)")
    position: Mapped[int] = mapped_column(default=0, doc="order of the figure in the article, from 0")
    value: Mapped[float] = mapped_column(Float, doc="the number (1.800 = 1800, 2,5 = 2.5, Rp 2,5 triliun = 2.5e12, "
                                                    "tiga juta = 3e6)")
    value_max: Mapped[float | None] = mapped_column(Float, doc="upper bound of a range (4-6 ribu), else empty")
    qualifier: Mapped[str | None] = mapped_column(String(64), doc="lebih dari, sekitar, hampir ... as written, else empty")
    unit: Mapped[str] = mapped_column(String(100), doc="percent for persen/%, IDR for rupiah, "
                                                       "otherwise the counted noun as written")
    raw: Mapped[str] = mapped_column(Text, doc="the figure as written")
    subject: Mapped[str | None] = mapped_column(Text, doc="what the figure counts")
    sentence: Mapped[str | None] = mapped_column(Text, doc="the sentence holding the figure")
    source: Mapped[str | None] = mapped_column(String(300), doc="organisation the text attributes the figure to, else empty")


@tag_type("hashtags", "Hashtags and social-media accounts named in articles.",
          CountedListing(key="name", described_by=("kind",), sums={"mentions": ("mentions", "mentions over those articles")}))
class ArticleHashtag(TagRow, Base):
    __tablename__ = "article_hashtags"

    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), index=True,
                                            doc="the article (articles.id)")
    name: Mapped[str] = mapped_column(String(120), index=True,
                                      doc="the hashtag or account as written (#MakinCakapDigital, @siberkreasi)")
    kind: Mapped[str] = mapped_column(String(16), doc="hashtag or account")
    mentions: Mapped[int] = mapped_column(default=1, doc="times the article writes it")


# --------------------------------------------------------------------------- campaigns, embeddings, digest


class CampaignMatch(Base):
    __tablename__ = "campaign_matches"
    __table_args__ = (
        UniqueConstraint("article_id", "campaign_id"),
        # A campaign's articles from the index alone (0002), and from its matched rows only (0004).
        Index("ix_campaign_matches_campaign_article", "campaign_id", "matched", "article_id"),
        Index("ix_campaign_matches_matched", "campaign_id", "article_id",
              sqlite_where=text("matched"), postgresql_where=text("matched")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"), index=True)
    campaign_id: Mapped[str] = mapped_column(String(100))
    score: Mapped[float] = mapped_column(Float)
    matched: Mapped[bool] = mapped_column(Boolean, default=False)
    reasons: Mapped[list[Any]] = mapped_column(default=list)


class Embedding(Base):
    """Embeddings of one text version under one model: never computed twice for the same text."""

    __tablename__ = "embeddings"

    text_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    model: Mapped[str] = mapped_column(String(300), primary_key=True)
    dim: Mapped[int]
    # float32 vectors concatenated: the lead's first, then one per chunk once they are embedded (chunk_count of them).
    vectors: Mapped[bytes] = mapped_column(LargeBinary)
    chunk_count: Mapped[int]
    created_at: Mapped[datetime]


class DigestDelivery(Base):
    """One digest message per (campaign, ISO week, recipient): sent once, retried while it fails."""

    __tablename__ = "digest_deliveries"
    __table_args__ = (UniqueConstraint("campaign_id", "week", "recipient"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[str] = mapped_column(String(100))
    week: Mapped[str] = mapped_column(String(10))
    recipient: Mapped[str] = mapped_column(String(320))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    message_id: Mapped[str | None] = mapped_column(String(300))
    sent_at: Mapped[datetime | None]
    updated_at: Mapped[datetime]



class CoverageWeek(Base):
    """Articles and unique stories per campaign, outlet and week (pantau/store/coverage.py keeps it).

    campaign_id and outlet_id are "*" on the rows that count every article / every outlet."""

    __tablename__ = "coverage_weeks"

    campaign_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    outlet_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    week: Mapped[date] = mapped_column(Date, primary_key=True)
    articles: Mapped[int] = mapped_column(Integer)
    stories: Mapped[int] = mapped_column(Integer)


class ArchiveDay(Base):
    """A day of an outlet's archive that a backfill walked completely (every index page read, every new
    article stored or failed for good); the next backfill skips it. Counts are of that walk."""

    __tablename__ = "archive_days"

    outlet_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    walked_at: Mapped[datetime]
    crawl_run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id", ondelete="SET NULL"))
    # Index pages and dated sitemaps read; article links listed (distinct); of them, fetched for this day,
    # already stored, and failed for good.
    index_pages: Mapped[int] = mapped_column(Integer, default=0)
    listed: Mapped[int] = mapped_column(Integer, default=0)
    new: Mapped[int] = mapped_column(Integer, default=0)
    known: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
