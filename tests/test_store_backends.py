"""The store on SQLite and PostgreSQL: migrations, identity, tags, compressed pages, full-text search."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from pantau.core.errors import StoreError
from pantau.store import open_store
from pantau.store.articles import upsert_article
from pantau.store.search import fts5_query, full_text_condition
from pantau.store.tables import Article, ArticleOrganization, ArticlePlace, DigestDelivery, Page, PagePart, Statistic

WIB = timezone(timedelta(hours=7))


def _fields(url_key: str = "https://www.kompas.com/read/1", **overrides):
    fields = {
        "url_key": url_key,
        "url": url_key,
        "outlet_id": "kompas",
        "title": "Laju Digital Sapa Pelaku UKM di Makassar",
        "text": "Sebanyak 1.800 pelaku usaha kecil mengikuti pelatihan pemasaran digital.\nFacebook menggandeng Kominfo.",
        "published_at": datetime(2018, 8, 14, 10, 32, tzinfo=WIB),
        "published_at_local": "2018-08-14T10:32:00+07:00",
        "authors": ["Sri Wahyuni"],
        "pipeline_version": "test",
    }
    fields.update(overrides)
    return fields


TAGS = {
    "places": [{"name": "Kota Makassar", "level": "city", "code": "73.71", "province": "Sulawesi Selatan", "lat": -5.14, "lon": 119.43, "mentions": 2, "surface": ["Makassar"]}],
    "organizations": [{"name": "Kementerian Komunikasi dan Informatika", "acronym": "Kominfo", "mentions": 1}],
    "people": [{"name": "Ruben Hattari", "role": "Kepala Kebijakan Publik", "organization": "Facebook"}],
    "quotes": [{"speaker": "Ruben Hattari", "text": "Kami ingin UKM naik kelas."}],
    "statistics": [{"value": 1800.0, "unit": "pelaku usaha", "raw": "1.800 pelaku usaha", "subject": "pelaku usaha kecil", "sentence": "Sebanyak 1.800 ...", "source": None}],
}


def test_migrations_create_every_table(any_store) -> None:
    tables = set(any_store.table_names())
    assert {
        "outlets", "crawl_runs", "crawl_failures", "fetch_validators", "pages", "page_parts", "articles",
        "article_places", "article_organizations", "article_people", "quotes", "statistics",
        "campaign_matches", "embeddings", "stories", "digest_deliveries", "archive_days", "alembic_version",
    } <= tables
    assert any_store.current_revision() == any_store.head_revision()


def test_models_match_migrations(any_store) -> None:
    """Autogenerate finds nothing to change: the models and the migrations describe one schema."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from pantau.store.tables import Base

    with any_store.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}), Base.metadata)
    # The full-text objects and PostgreSQL's newest-first index are backend-specific and deliberately
    # not in the models.
    from importlib import import_module

    postgres_only = import_module("pantau.store.migrations.versions.0004_postgres_query_plans").POSTGRES_ONLY_INDEXES
    diff = [d for d in diff if "fts" not in str(d) and "search_vector" not in str(d)
            and not any(name in str(d) for name in postgres_only)]
    assert diff == []


def test_upgrade_twice_is_a_no_op(any_store) -> None:
    before = any_store.current_revision()
    any_store.ensure_schema()
    any_store.upgrade()
    assert any_store.current_revision() == before


def test_one_article_per_url_and_tags_replaced(any_store) -> None:
    with any_store.session() as session:
        upsert_article(session, _fields(), TAGS, [{"campaign_id": "laju-digital", "score": 0.9, "matched": True, "reasons": ["alias in title"]}])
    with any_store.session() as session:
        fewer = dict(TAGS, places=[], statistics=TAGS["statistics"] * 2)
        upsert_article(session, _fields(title="Judul baru"), fewer, [{"campaign_id": "laju-digital", "score": 0.8, "matched": True, "reasons": []}])
    with any_store.session() as session:
        upsert_article(session, _fields(title="Judul baru"), fewer, [])
    with any_store.session() as session:
        articles = session.scalars(select(Article)).all()
        assert len(articles) == 1
        article = articles[0]
        assert article.title == "Judul baru"
        assert article.places == []
        assert [s.position for s in article.statistics] == [0, 1]
        assert article.campaign_matches == []
        assert session.scalar(select(func.count()).select_from(ArticlePlace)) == 0
        assert session.scalar(select(func.count()).select_from(Statistic)) == 2


def test_url_key_is_unique(any_store) -> None:
    with pytest.raises(IntegrityError):
        with any_store.session() as session:
            session.add(Article(**_fields(), processed_at=datetime.now(UTC)))
            session.add(Article(**_fields(), processed_at=datetime.now(UTC)))


def test_deleting_an_article_deletes_its_tags(any_store) -> None:
    with any_store.session() as session:
        article_id = upsert_article(session, _fields(), TAGS).id
    with any_store.session() as session:
        session.delete(session.get(Article, article_id))
    with any_store.session() as session:
        assert session.scalar(select(func.count()).select_from(ArticleOrganization)) == 0


def test_datetimes_are_stored_as_instants(any_store) -> None:
    with any_store.session() as session:
        upsert_article(session, _fields())
    with any_store.session() as session:
        published = session.scalar(select(Article.published_at))
    assert published == datetime(2018, 8, 14, 3, 32, tzinfo=UTC)
    assert published.tzinfo is not None


def test_naive_datetimes_are_refused(any_store) -> None:
    with pytest.raises(Exception, match="naive datetime"):
        with any_store.session() as session:
            upsert_article(session, _fields(published_at=datetime(2018, 8, 14, 10, 32)))


def test_pages_keep_compressed_parts_in_order(any_store) -> None:
    parts = [b"<html><body><p>bagian satu</p></body></html>", "<html><body><p>bagian dua — é</p></body></html>".encode()]
    with any_store.session() as session:
        page = Page(url_key="https://www.kompas.com/read/2", url="https://www.kompas.com/read/2", fetched_at=datetime.now(UTC), part_count=2, headers={"content-type": "text/html"})
        # Added out of order on purpose: reading order comes from `position`.
        page.parts = [PagePart(position=1, url="https://www.kompas.com/read/2?page=2", html_z=PagePart.compress(parts[1])),
                      PagePart(position=0, url="https://www.kompas.com/read/2", html_z=PagePart.compress(parts[0]))]
        session.add(page)
    with any_store.session() as session:
        stored = session.scalar(select(Page))
        assert stored.html_parts() == parts
        assert len(stored.parts[0].html_z) < 200


def test_full_text_search(any_store) -> None:
    with any_store.session() as session:
        upsert_article(session, _fields())
        upsert_article(session, _fields("https://www.detik.com/b", title="Banjir melanda Samarinda", text="Ribuan rumah terendam air."))
    dialect = any_store.dialect

    def titles(query: str) -> list[str]:
        with any_store.session() as session:
            return sorted(session.scalars(select(Article.title).where(full_text_condition(dialect, query))))

    assert titles("pelatihan") == ["Laju Digital Sapa Pelaku UKM di Makassar"]
    assert titles("banjir") == ["Banjir melanda Samarinda"]
    assert titles("makassar pelatihan") == ["Laju Digital Sapa Pelaku UKM di Makassar"]
    assert titles("tidakadakatainidimanapun") == []
    # Updates and deletes are reflected.
    with any_store.session() as session:
        upsert_article(session, _fields("https://www.detik.com/b", title="Kebakaran hutan di Riau", text="Asap tebal."))
    assert titles("banjir") == []
    assert titles("kebakaran") == ["Kebakaran hutan di Riau"]


@pytest.mark.parametrize("hostile", ['"', "NEAR(", "title:x", "'; DROP TABLE articles; --", "*", "AND OR NOT", "(", ""])
def test_full_text_search_treats_input_as_words(any_store, hostile: str) -> None:
    with any_store.session() as session:
        upsert_article(session, _fields())
    with any_store.session() as session:
        session.scalars(select(Article.id).where(full_text_condition(any_store.dialect, hostile))).all()
        assert session.scalar(select(func.count()).select_from(Article)) == 1


def test_fts5_query_quotes_every_word() -> None:
    assert fts5_query('UKM "naik" kelas NEAR(') == '"UKM" "naik" "kelas" "NEAR"'


def test_one_digest_delivery_per_campaign_week_recipient(any_store) -> None:
    now = datetime.now(UTC)
    with pytest.raises(IntegrityError):
        with any_store.session() as session:
            for _ in range(2):
                session.add(DigestDelivery(campaign_id="laju-digital", week="2018-W33", recipient="a@example.org", updated_at=now))
            session.flush()


def test_sqlite_uses_wal(sqlite_store) -> None:
    with sqlite_store.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_postgres_has_indonesian_search_vector(postgres_store) -> None:
    with postgres_store.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM pg_ts_config WHERE cfgname = 'indonesian'")).scalar() == 1
        column = connection.execute(text("SELECT generation_expression FROM information_schema.columns WHERE table_name='articles' AND column_name='search_vector'")).scalar()
    assert "indonesian" in column


def test_locked_sqlite_gives_a_clear_error(tmp_path) -> None:
    from pantau.store.db import Store
    from pantau.store.tables import Outlet

    path = tmp_path / "locked.db"
    open_store(f"sqlite:///{path}").dispose()
    with HeldExclusiveLock(path):
        store = Store(f"sqlite:///{path}", sqlite_busy_timeout_s=0.2)
        with pytest.raises(StoreError, match="locked by another process"):
            with store.session() as session:
                session.add(Outlet(id="kompas", name="Kompas.com", domains=["kompas.com"]))
        store.dispose()
    # Nothing was lost or corrupted: the store opens, is current, and takes the write now.
    store = open_store(f"sqlite:///{path}")
    with store.session() as session:
        session.add(Outlet(id="kompas", name="Kompas.com", domains=["kompas.com"]))
    assert store.current_revision() == store.head_revision()


class HeldExclusiveLock:
    """Another process's exclusive transaction on the SQLite file, for the duration of a block."""

    def __init__(self, path):
        self.connection = sqlite3.connect(path, timeout=0, isolation_level=None)

    def __enter__(self):
        self.connection.execute("BEGIN EXCLUSIVE")
        return self

    def __exit__(self, *exc_info):
        self.connection.execute("ROLLBACK")
        self.connection.close()


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("not a url", "not a database URL"),
        ("mysql+nosuchdriver://x@localhost/db", "driver"),
        ("postgresql+psycopg://nobody@127.0.0.1:1/pantau", "cannot connect"),
    ],
)
def test_wrong_database_url_gives_a_clear_error(url: str, message: str) -> None:
    with pytest.raises(StoreError, match=message):
        open_store(url)


def test_sqlite_file_that_is_not_a_database(tmp_path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("this is not sqlite " * 100)
    with pytest.raises(StoreError, match="not a SQLite database"):
        open_store(f"sqlite:///{path}")
    assert path.read_text().startswith("this is not sqlite")
