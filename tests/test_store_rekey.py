"""Stored keys follow the registry's key rules: old address forms stored before a rule existed become
the current key (migration 0006, `pantau db rekey`), and two copies of one article become one."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from pantau.core.outlets import canonical_url, url_key
from pantau.store.articles import upsert_article
from pantau.store.rekey import rekey
from pantau.store.tables import Article, CoverageWeek, Page

OLD_FORM = "https://news.detik.com/read/2018/09/13/101500/4207311/10/laju-digital-singgah-di-manado"
CURRENT_FORM = "https://news.detik.com/berita/d-4207311/laju-digital-singgah-di-manado"
OTHER = "https://www.kompas.com/read/2018/09/06/10450031/laju-digital-di-palembang"


def add(session, url: str, key: str, title: str) -> None:
    page = Page(url_key=key, url=url, outlet_id="detik", fetched_at=datetime(2018, 9, 13, 4, tzinfo=UTC))
    session.add(page)
    session.flush()
    upsert_article(session, {"url_key": key, "url": url, "page_id": page.id, "title": title, "text": "Laju Digital.",
                             "outlet_id": "detik", "published_at": datetime(2018, 9, 13, 3, tzinfo=UTC),
                             "pipeline_version": "test"},
                   {"places": [{"name": "Kota Manado", "level": "city", "code": "71.71"}]})


def test_old_forms_stored_under_their_own_address_become_one_article(any_store) -> None:
    assert url_key(OLD_FORM) == url_key(CURRENT_FORM) != canonical_url(OLD_FORM)
    with any_store.session() as session:
        # As stored before the key rule: each form under its own normalised address.
        add(session, CURRENT_FORM, canonical_url(CURRENT_FORM), "current")
        add(session, OLD_FORM, canonical_url(OLD_FORM), "old")
        add(session, OTHER, url_key(OTHER), "other")
    with any_store.session() as session:
        report = rekey(session)
    assert report.changed == {"pages": 1, "articles": 1} and report.merged == {"pages": 1, "articles": 1}
    with any_store.session() as session:
        keys = sorted(session.scalars(select(Article.url_key)))
        assert keys == sorted({url_key(CURRENT_FORM), url_key(OTHER)})
        assert sorted(session.scalars(select(Page.url_key))) == keys
        article = session.scalars(select(Article).where(Article.url_key == url_key(CURRENT_FORM))).one()
        assert article.page_id == session.scalar(select(Page.id).where(Page.url_key == article.url_key))
        assert [place.code for place in article.places] == ["71.71"]
        assert session.scalar(select(func.sum(CoverageWeek.articles)).where(
            CoverageWeek.campaign_id == "*", CoverageWeek.outlet_id == "*")) == 2
    with any_store.session() as session:
        again = rekey(session)
    assert again.changed == {"pages": 0, "articles": 0} and again.merged == {"pages": 0, "articles": 0}


def test_migration_0006_rekeys_a_store_made_before_the_key_rules(tmp_path) -> None:
    from pantau.store import open_store

    store = open_store(f"sqlite:///{tmp_path / 'old.db'}", migrate=False)
    try:
        store.upgrade("0005")
        with store.session() as session:
            add(session, OLD_FORM, canonical_url(OLD_FORM), "old")
        store.upgrade("head")
        with store.session() as session:
            assert list(session.scalars(select(Article.url_key))) == [url_key(CURRENT_FORM)]
    finally:
        store.dispose()
