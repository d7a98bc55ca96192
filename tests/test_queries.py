"""The query layer on SQLite and PostgreSQL: filters, sorting, pages, aggregates, bad input.

`seed_articles` writes a small, hand-checked set of articles through the store's own upsert; the API,
export and dashboard tests reuse it.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from pantau.core.errors import InputError
from pantau.read.queries import Filters, NotFoundError, PageRequest, iter_query, run_query
from pantau.store.articles import upsert_article
from pantau.store.tables import Article, Story

WIB = timezone(timedelta(hours=7))
WITA = timezone(timedelta(hours=8))
XSS_TITLE = "<script>alert(1)</script><img src=x onerror=alert(2)>"

MAKASSAR = {"name": "Kota Makassar", "level": "city", "code": "73.71", "province": "Sulawesi Selatan", "lat": -5.14, "lon": 119.42, "mentions": 2, "surface": ["Makassar"]}
SURABAYA = {"name": "Kota Surabaya", "level": "city", "code": "35.78", "province": "Jawa Timur", "lat": -7.25, "lon": 112.75, "mentions": 1, "surface": ["Surabaya"]}
JAKSEL = {"name": "Kota Jakarta Selatan", "level": "city", "code": "31.74", "province": "DKI Jakarta", "lat": -6.26, "lon": 106.81, "mentions": 1, "surface": ["Jakarta"]}
KOMINFO = {"name": "Kementerian Komunikasi dan Informatika", "acronym": "Kominfo", "mentions": 2}
FACEBOOK = {"name": "Facebook", "acronym": None, "mentions": 3}
IDEA = {"name": "Asosiasi E-Commerce Indonesia", "acronym": "IdEA", "mentions": 1}


def _article(slug: str, outlet: str, outlet_name: str, title: str, published: datetime, text: str) -> dict:
    url = f"https://www.{outlet}.example/read/{slug}"
    return {
        "url_key": url, "url": url, "outlet_id": outlet, "outlet_name": outlet_name, "title": title, "text": text,
        "published_at": published, "published_at_local": published.isoformat(), "pipeline_version": "test",
        "word_count": len(text.split()),
    }


def _stat(value: float, unit: str, raw: str, subject: str, sentence: str, source: str | None = None) -> dict:
    return {"value": value, "unit": unit, "raw": raw, "subject": subject, "sentence": sentence, "source": source}


# slug, outlet, outlet name, title, published, text, tags, matched campaigns, story key
SEED = [
    ("laju-makassar", "kompas", "Kompas.com", "Laju Digital sapa 1.800 pelaku UKM di Makassar",
     datetime(2018, 8, 14, 10, 32, tzinfo=WITA),
     "Sebanyak 1.800 pelaku UKM mengikuti seminar Laju Digital di Makassar. Facebook menggandeng Kominfo.",
     {"places": [MAKASSAR], "organizations": [FACEBOOK, KOMINFO],
      "people": [{"name": "Ruben Hattari", "role": "Kepala Kebijakan Publik", "organization": "Facebook"}],
      "quotes": [{"speaker": "Ruben Hattari", "text": "Kami ingin UKM naik kelas."}],
      "statistics": [_stat(1800, "pelaku UKM", "1.800 pelaku UKM", "pelaku UKM", "Sebanyak 1.800 pelaku UKM mengikuti seminar.")]},
     ["laju-digital"], "makassar"),
    ("laju-makassar-copy", "antaranews", "ANTARA", "Seribu delapan ratus UKM Makassar ikut Laju Digital",
     datetime(2018, 8, 14, 15, 0, tzinfo=WITA),
     "Seminar Laju Digital di Makassar diikuti 1.800 pelaku UKM. Facebook dan Kominfo hadir.",
     {"places": [MAKASSAR], "organizations": [FACEBOOK, KOMINFO],
      "statistics": [_stat(1800, "pelaku UKM", "1.800 pelaku UKM", "pelaku UKM", "Seminar diikuti 1.800 pelaku UKM.")]},
     ["laju-digital"], "makassar"),
    ("laju-surabaya", "detik", "detikcom", "Laju Digital: 16 persen UKM Surabaya sudah jualan online",
     datetime(2018, 8, 28, 9, 0, tzinfo=WIB),
     "Survei IdEA menyebut 16 persen UKM di Surabaya berjualan di marketplace. Pelatihan Laju Digital digelar.",
     {"places": [SURABAYA], "organizations": [FACEBOOK, IDEA],
      "people": [{"name": "Sri Widowati", "role": "Country Director", "organization": "Facebook Indonesia"}],
      "quotes": [{"speaker": "Sri Widowati", "text": "Pasar daring terbuka lebar."}],
      "statistics": [_stat(16, "percent", "16 persen", "UKM berjualan di marketplace", "Survei IdEA menyebut 16 persen UKM di Surabaya berjualan di marketplace.", "IdEA"),
                     _stat(2.5e12, "IDR", "Rp 2,5 triliun", "nilai transaksi", "Nilai transaksi mencapai Rp 2,5 triliun.", "IdEA")]},
     ["laju-digital"], None),
    ("siberkreasi-hoaks", "kompas", "Kompas.com", "Siberkreasi ajak warganet lawan hoaks",
     datetime(2019, 3, 5, 13, 0, tzinfo=WIB),
     "Gerakan Nasional Literasi Digital Siberkreasi mengajak 500 relawan melawan hoaks di Jakarta.",
     {"places": [JAKSEL], "organizations": [KOMINFO],
      "statistics": [_stat(500, "relawan", "500 relawan", "relawan", "Siberkreasi mengajak 500 relawan melawan hoaks.")]},
     ["siberkreasi"], None),
    ("unrelated-banjir", "detik", "detikcom", "Banjir rendam ratusan rumah di Surabaya",
     datetime(2018, 8, 20, 7, 0, tzinfo=WIB),
     "Banjir merendam 300 rumah warga di Surabaya setelah hujan deras semalam.",
     {"places": [SURABAYA], "statistics": [_stat(300, "rumah", "300 rumah", "rumah warga", "Banjir merendam 300 rumah warga.")]},
     [], None),
    ("xss-title", "tempo", "Tempo.co", XSS_TITLE,
     datetime(2018, 9, 3, 8, 0, tzinfo=WIB),
     "Artikel uji dengan judul berbahaya tentang Laju Digital di Makassar.",
     {"places": [MAKASSAR], "quotes": [{"speaker": XSS_TITLE, "text": "<b>bold</b> & 'quoted'"}],
      "statistics": [_stat(7, "percent", "7 persen", XSS_TITLE, XSS_TITLE, XSS_TITLE)]},
     ["laju-digital"], None),
]


def seed_articles(store) -> dict[str, int]:
    """Write SEED into `store`; returns slug -> article id."""
    ids: dict[str, int] = {}
    with store.session() as session:
        stories: dict[str, Story] = {}
        for slug, outlet, outlet_name, title, published, text, tags, campaigns, story_key in SEED:
            matches = [{"campaign_id": cid, "score": 0.9, "matched": True, "reasons": ["test"]} for cid in campaigns]
            article = upsert_article(session, _article(slug, outlet, outlet_name, title, published, text), tags, matches)
            if story_key:
                if story_key not in stories:
                    stories[story_key] = Story(title=title, first_published_at=published, last_published_at=published)
                    session.add(stories[story_key])
                    session.flush()
                article.story_id = stories[story_key].id
            ids[slug] = article.id
        session.flush()
        original = session.get(Article, ids["laju-makassar"])
        session.get(Article, ids["laju-makassar-copy"]).duplicate_of_id = original.id
    return ids


@pytest.fixture
def seeded(any_store):
    ids = seed_articles(any_store)
    return any_store, ids


def _query(store, kind, **kwargs):
    page = kwargs.pop("page", PageRequest())
    sort = kwargs.pop("sort", None)
    with store.session() as session:
        return run_query(session, kind, Filters(**kwargs), page, sort)


def test_statistics_rows_carry_their_source_article_and_outlet(seeded) -> None:
    store, ids = seeded
    result = _query(store, "statistics", campaign="laju-digital", unit="percent")
    assert [row["raw"] for row in result.rows] == ["7 persen", "16 persen"]  # newest first
    row = result.rows[1]
    assert row == {
        "id": row["id"], "value": 16.0, "value_max": None, "qualifier": None, "unit": "percent", "raw": "16 persen",
        "subject": "UKM berjualan di marketplace",
        "sentence": "Survei IdEA menyebut 16 persen UKM di Surabaya berjualan di marketplace.", "source": "IdEA",
        "article_id": ids["laju-surabaya"], "title": "Laju Digital: 16 persen UKM Surabaya sudah jualan online",
        "outlet_id": "detik", "outlet": "detikcom", "published_at": "2018-08-28T09:00:00+07:00",
        "url": "https://www.detik.example/read/laju-surabaya",
    }


def test_filters_combine(seeded) -> None:
    store, ids = seeded
    titles = lambda **kw: sorted(row["title"] for row in _query(store, "articles", **kw).rows)  # noqa: E731
    assert len(_query(store, "articles").rows) == 6
    assert titles(outlet="detik") == ["Banjir rendam ratusan rumah di Surabaya", "Laju Digital: 16 persen UKM Surabaya sudah jualan online"]
    assert titles(campaign="laju-digital", place="35") == ["Laju Digital: 16 persen UKM Surabaya sudah jualan online"]
    assert titles(place="73.71", outlet="antaranews") == ["Seribu delapan ratus UKM Makassar ikut Laju Digital"]
    assert titles(organization="Kominfo", date_from=date(2019, 1, 1)) == ["Siberkreasi ajak warganet lawan hoaks"]
    assert titles(organization="Kementerian Komunikasi dan Informatika", date_to=date(2018, 12, 31)) == sorted([
        "Laju Digital sapa 1.800 pelaku UKM di Makassar", "Seribu delapan ratus UKM Makassar ikut Laju Digital"])
    assert titles(unit="IDR") == ["Laju Digital: 16 persen UKM Surabaya sudah jualan online"]
    assert titles(q="hoaks") == ["Siberkreasi ajak warganet lawan hoaks"]
    assert titles(q="banjir Surabaya", campaign="laju-digital") == []


def test_date_filter_uses_indonesian_days(seeded) -> None:
    """14 Aug 2018 10:32 WITA is 02:32 UTC: it belongs to 14 Aug in Indonesia, not 13 Aug."""
    store, _ = seeded
    rows = _query(store, "articles", date_from=date(2018, 8, 14), date_to=date(2018, 8, 14)).rows
    assert {row["outlet_id"] for row in rows} == {"kompas", "antaranews"}


def test_articles_list_campaigns_and_copies(seeded) -> None:
    store, ids = seeded
    rows = {row["id"]: row for row in _query(store, "articles").rows}
    assert rows[ids["laju-makassar"]]["campaigns"] == ["laju-digital"]
    assert rows[ids["unrelated-banjir"]]["campaigns"] == []
    assert rows[ids["laju-makassar-copy"]]["duplicate_of_id"] == ids["laju-makassar"]


def test_coverage_counts_articles_and_unique_stories_per_week(seeded) -> None:
    store, _ = seeded
    weeks = _query(store, "coverage", campaign="laju-digital").rows
    # Mon 13 Aug: the Makassar original and its copy (one story); 20 Aug: nothing; 27 Aug: Surabaya; 3 Sep: the test article.
    assert weeks == [
        {"week": "2018-08-13", "articles": 2, "stories": 1},
        {"week": "2018-08-20", "articles": 0, "stories": 0},
        {"week": "2018-08-27", "articles": 1, "stories": 1},
        {"week": "2018-09-03", "articles": 1, "stories": 1},
    ]


def test_aggregates(seeded) -> None:
    store, _ = seeded
    places = _query(store, "places", campaign="laju-digital").rows
    assert [(p["code"], p["articles"], p["mentions"]) for p in places] == [("73.71", 3, 6), ("35.78", 1, 1)]
    assert places[0]["lat"] == pytest.approx(-5.14)
    organizations = _query(store, "organizations").rows
    assert organizations[0] == {"name": "Facebook", "acronym": None, "articles": 3, "mentions": 9}
    people = _query(store, "people", campaign="laju-digital").rows
    assert {p["name"] for p in people} == {"Ruben Hattari", "Sri Widowati"}
    stories = _query(store, "stories").rows
    assert stories[0]["articles"] == 2 and stories[0]["outlets"] == 2
    assert stories[0]["url"] == "https://www.kompas.example/read/laju-makassar"
    outlets = {row["outlet_id"]: row for row in _query(store, "outlets").rows}
    assert outlets["kompas"]["articles"] == 2 and outlets["detik"]["stories"] == 2
    summary = _query(store, "summary", campaign="laju-digital").rows
    assert summary == [{"articles": 4, "stories": 3, "outlets": 4, "first_published_at": "2018-08-14T02:32:00+00:00",
                        "last_published_at": "2018-09-03T01:00:00+00:00"}]
    campaigns = {row["id"]: row["articles"] for row in _query(store, "campaigns").rows}
    assert campaigns["laju-digital"] == 4 and campaigns["siberkreasi"] == 1 and campaigns["gapura-digital"] == 0
    assert {row["id"]: row["articles"] for row in _query(store, "campaigns", outlet="kompas").rows}["laju-digital"] == 1


def test_quotes_sort_and_pages(seeded) -> None:
    store, _ = seeded
    first = _query(store, "articles", sort="oldest", page=PageRequest(1, 4))
    second = _query(store, "articles", sort="oldest", page=PageRequest(2, 4))
    assert first.has_more and not second.has_more
    assert len(first.rows) == 4 and len(second.rows) == 2
    assert not {r["id"] for r in first.rows} & {r["id"] for r in second.rows}
    assert first.rows[0]["title"].startswith("Laju Digital sapa")
    quotes = _query(store, "quotes", sort="speaker").rows
    assert [q["speaker"] for q in quotes] == sorted(q["speaker"] for q in quotes)
    values = [row["value"] for row in _query(store, "statistics", sort="-value").rows]
    assert values == sorted(values, reverse=True)


def test_iter_query_streams_every_row(seeded) -> None:
    store, _ = seeded
    with store.session() as session:
        rows = list(iter_query(session, "statistics", Filters(), batch_size=2))
    assert len(rows) == 7


@pytest.mark.parametrize("filters, error, message", [
    ({"campaign": "no-such-campaign"}, NotFoundError, "unknown campaign"),
    ({"outlet": "nosuchoutlet"}, NotFoundError, "unknown outlet"),
    ({"place": "99.99"}, NotFoundError, "unknown region code"),
    ({"place": "73.71' OR 1=1 --"}, InputError, "not a Kemendagri code"),
    ({"date_from": date(2019, 1, 2), "date_to": date(2019, 1, 1)}, InputError, "before"),
    ({"q": "*** ()"}, InputError, "no words"),
    ({"organization": "x" * 1000}, InputError, "too long"),
])
def test_bad_filters_are_explained(seeded, filters, error, message) -> None:
    store, _ = seeded
    with pytest.raises(error, match=message):
        _query(store, "articles", **filters)


def test_bad_sort_and_kind(seeded) -> None:
    store, _ = seeded
    with pytest.raises(InputError, match="cannot sort"):
        _query(store, "articles", sort="title; DROP TABLE articles")
    with store.session() as session, pytest.raises(InputError, match="unknown query"):
        run_query(session, "pages")


INJECTIONS = [
    "' OR '1'='1", "'; DROP TABLE articles; --", '" OR 1=1 --', "laju-digital' --", "x') UNION SELECT * FROM pages --",
    'NEAR("a" "b")', "title:hoaks", "\\'; SELECT 1; --",
]


def test_injection_attempts_are_plain_values(seeded) -> None:
    """Filters reach the database only as bound values: text filters match nothing, named filters are
    unknown (404), and the data is intact afterwards."""
    store, _ = seeded
    for value in INJECTIONS:
        for name in ("unit", "organization", "source"):
            assert _query(store, "statistics", **{name: value}).rows == [], (name, value)
        _query(store, "articles", q=value)
        for name in ("campaign", "outlet", "place"):
            with pytest.raises(InputError):
                _query(store, "articles", **{name: value})
    assert len(_query(store, "articles").rows) == 6


# --------------------------------------------------------------------------- the weekly coverage summary


def _scanned_and_summarized(store) -> list[tuple]:
    """(filters, weeks counted from the articles, weeks read from the summary) for every campaign and outlet."""
    from pantau.read.queries import KINDS, Plan, finish_coverage, sorted_statement
    from pantau.store.coverage import read_weeks

    results = []
    with store.session() as session:
        for campaign in (None, "laju-digital", "siberkreasi"):
            for outlet in (None, "kompas", "detik", "antaranews", "tempo"):
                filters = Filters(campaign=campaign, outlet=outlet)
                statement, _ = sorted_statement(KINDS["coverage"], filters, Plan(store.dialect), None)
                scanned = finish_coverage(session, [dict(row) for row in session.execute(statement).mappings()])
                summarized = finish_coverage(session, read_weeks(session, campaign, outlet))
                results.append((filters, scanned, summarized))
    return results


def _assert_summary_is_the_scan(store) -> None:
    for filters, scanned, summarized in _scanned_and_summarized(store):
        assert summarized == scanned, filters


def test_coverage_summary_equals_the_scan_through_every_change(any_store) -> None:
    from sqlalchemy import delete, select, update

    from pantau.store.coverage import rebuild
    from pantau.store.tables import CampaignMatch, CoverageWeek

    ids = seed_articles(any_store)
    _assert_summary_is_the_scan(any_store)
    assert any(scanned for _, scanned, _ in _scanned_and_summarized(any_store))
    # Re-dated into another week (the old week must lose it).
    with any_store.session() as session:
        session.get(Article, ids["laju-surabaya"]).published_at = datetime(2018, 10, 2, 9, 0, tzinfo=WIB)
    _assert_summary_is_the_scan(any_store)
    # A story merge as dedup does it: one article through the ORM, the rest with a bulk UPDATE.
    with any_store.session() as session:
        merged = Story(title="merged")
        session.add(merged)
        session.flush()
        session.get(Article, ids["laju-surabaya"]).story_id = merged.id
        old_story = session.get(Article, ids["laju-makassar"]).story_id
        session.execute(update(Article).where(Article.story_id == old_story).values(story_id=merged.id))
    _assert_summary_is_the_scan(any_store)
    with any_store.session() as session:
        weeks = {row["week"] for row in session.execute(select(CoverageWeek.week)).mappings()}
    assert len(weeks) >= 3
    # A campaign decision changed, an article deleted.
    with any_store.session() as session:
        match = session.scalars(select(CampaignMatch).where(CampaignMatch.article_id == ids["xss-title"])).one()
        match.matched = False
    _assert_summary_is_the_scan(any_store)
    with any_store.session() as session:
        session.delete(session.get(Article, ids["siberkreasi-hoaks"]))
    _assert_summary_is_the_scan(any_store)
    # A failed transaction leaves the summary as it was.
    before = _scanned_and_summarized(any_store)
    with pytest.raises(RuntimeError):
        with any_store.session() as session:
            session.get(Article, ids["unrelated-banjir"]).published_at = datetime(2020, 1, 1, tzinfo=WIB)
            session.flush()
            raise RuntimeError("abort")
    assert _scanned_and_summarized(any_store) == before
    # Counting everything again (the migration's backfill) gives the same rows.
    with any_store.session() as session:
        kept = sorted(tuple(row) for row in session.execute(select(CoverageWeek.__table__)))
        rebuild(session)
    with any_store.session() as session:
        assert sorted(tuple(row) for row in session.execute(select(CoverageWeek.__table__))) == kept
        session.execute(delete(CoverageWeek))
    # The query layer reads the summary: emptied, coverage is empty too (and a date filter still scans).
    assert _query(any_store, "coverage").rows == []
    assert _query(any_store, "coverage", date_from=date(2018, 1, 1)).rows != []


# --------------------------------------------------------------------------- plans give the same rows


@pytest.mark.parametrize("kind, filters", [
    ("articles", {"campaign": "laju-digital"}), ("articles", {"q": "Laju Digital"}),
    ("articles", {"q": "Makassar", "campaign": "laju-digital"}), ("statistics", {"campaign": "laju-digital", "unit": "percent"}),
    ("quotes", {"campaign": "laju-digital"}), ("statistics", {"q": "UKM"}),
])
@pytest.mark.parametrize("sort", ["newest", "oldest"])
def test_every_sqlite_plan_gives_the_same_page(sqlite_store, kind, filters, sort) -> None:
    """Walking the date index (campaign and search as lists or lookups) or listing and sorting: one answer."""
    from pantau.read.queries import KINDS, Plan, make_plan, page_statement

    seed_articles(sqlite_store)
    kind_ = KINDS[kind]
    with sqlite_store.session() as session:
        pages = {}
        for plan in (Plan("sqlite"), Plan("sqlite", ordered_scan=True), Plan("sqlite", ordered_scan=True, search_as_list=True)):
            for size in (1, 2, 50):
                for number in (1, 2):
                    statement = page_statement(kind_, Filters(**filters), plan, sort, PageRequest(number, size))
                    pages[(plan, size, number)] = [row["id"] for row in session.execute(statement).mappings()]
        listed = {key[1:]: ids for key, ids in pages.items() if not key[0].ordered_scan}
        assert any(listed.values())
        for (plan, size, number), ids in pages.items():
            assert ids == listed[(size, number)], (plan, size, number)
        # The planner's own choice on this small store (everything in its sample) is a valid plan.
        chosen = make_plan(session, Filters(**filters), kind_, sort, PageRequest())
        assert chosen.dialect == "sqlite" and (chosen.search_as_list <= chosen.ordered_scan)


@pytest.mark.parametrize("kind, filters", [
    ("articles", {"q": "Makassar", "campaign": "laju-digital"}), ("statistics", {"q": "UKM", "campaign": "laju-digital"}),
    ("quotes", {"q": "Laju Digital", "campaign": "laju-digital"}),
])
def test_postgres_walk_gives_the_same_page(postgres_store, kind, filters) -> None:
    """The campaign-and-search walk down the newest-first index and PostgreSQL's own plan: one answer."""
    from pantau.read.queries import KINDS, Plan, make_plan, page_statement

    seed_articles(postgres_store)
    kind_ = KINDS[kind]
    with postgres_store.session() as session:
        for size in (1, 2, 50):
            for number in (1, 2):
                pages = [
                    [row["id"] for row in session.execute(page_statement(kind_, Filters(**filters), plan, "newest", PageRequest(number, size))).mappings()]
                    for plan in (Plan("postgresql"), Plan("postgresql", ordered_scan=True))
                ]
                assert pages[0] == pages[1], (size, number)
                assert number > 1 or pages[0]
        assert make_plan(session, Filters(**filters), kind_, "newest", PageRequest()).dialect == "postgresql"
