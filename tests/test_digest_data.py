"""The digest's numbers, weeks, summaries and rendering, on a real SQLite store filled through upsert_article."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta, timezone
from email import message_from_bytes
from email.policy import default as default_policy

import pytest

from pantau.core.campaigns import parse_campaigns
from pantau.core.errors import InputError
from pantau.core.outlets import url_key
from pantau.core.time import last_complete_week, parse_week
from pantau.read.digest import build_digest, render_digest, write_preview
from pantau.read.digest.data import is_spokesperson
from pantau.read.digest.summary import split_sentences, summarize
from pantau.store.articles import upsert_article
from pantau.store.tables import Story

WIB = timezone(timedelta(hours=7))

CAMPAIGNS = parse_campaigns(
    """
[[campaign]]
id = "laju-digital"
name = "Laju Digital"
query = '"laju digital"'
description = "Seminar Facebook untuk UKM di 15 kota."
spokespeople = ["Ruben Hattari", "Semuel Abrijani Pangerapan"]
start = 2018-01-01
subscribers = ["comms@example.org"]

[[campaign]]
id = "gapura-digital"
name = "Gapura Digital"
query = '"gapura digital"'
description = "Pelatihan Google untuk UKM."
start = 2018-01-01
"""
)
LAJU, GAPURA = CAMPAIGNS


def add_article(session, url: str, published: datetime, *, campaign: str = "laju-digital", matched: bool = True,
                title: str = "Laju Digital", outlet: str = "Kompas", text: str = "Satu. Dua. Tiga.", score: float = 0.8,
                **tags):
    # Hostile non-http URLs are stored as given: the digest must still not link them.
    key = url_key(url) if url.startswith("http") else url
    return upsert_article(
        session,
        {"url_key": key, "url": url, "title": title, "text": text, "outlet_id": outlet.lower(),
         "outlet_name": outlet, "published_at": published, "pipeline_version": "test"},
        tags,
        [{"campaign_id": campaign, "score": score, "matched": matched, "reasons": []}],
    )


def place(name: str, code: str, level: str = "city", province: str = "Sulawesi Selatan", dateline: bool = False) -> dict:
    return {"name": name, "level": level, "code": code, "province": province, "lat": -5.1, "lon": 119.4,
            "mentions": 1, "surface": [name], "is_dateline": dateline}


# ----------------------------------------------------------------------------- weeks

def test_parse_week_accepts_iso_form_and_rejects_others():
    week = parse_week("2018-W40")
    assert (week.monday, week.sunday) == (date(2018, 10, 1), date(2018, 10, 7))
    assert parse_week("2020W53").label == "2020-W53"
    for bad in ("2018-40", "2018-W54", "2019-W53", "W40", "2018-W4"):
        with pytest.raises(InputError):
            parse_week(bad)


def test_last_complete_week_is_counted_in_the_configured_zone():
    # Sunday 20:00 UTC is already Monday 03:00 in Jakarta: the week that just ended there is W40.
    sunday_evening_utc = datetime(2018, 10, 7, 20, 0, tzinfo=UTC)
    assert last_complete_week(sunday_evening_utc, zone="Asia/Jakarta") == "2018-W40"
    assert last_complete_week(sunday_evening_utc, zone="UTC") == "2018-W39"
    # New Year: 2021-01-04 is the Monday of 2021-W01, so the last complete week is 2020-W53.
    assert last_complete_week(datetime(2021, 1, 4, 1, tzinfo=UTC), zone="Asia/Jakarta") == "2020-W53"
    with pytest.raises(InputError):
        last_complete_week(datetime(2021, 1, 4), zone="Asia/Jakarta")


# ----------------------------------------------------------------------------- summaries

def test_sentences_split_at_ends_not_at_abbreviations_initials_or_numbers():
    text = (
        "Menteri Johnny G. Plate membuka acara di Kab. Gowa pada Senin (4/5). Acara diikuti 1.800 peserta "
        "dengan biaya Rp. 2,5 juta. \"Kami senang,\" kata Dr. Ruben Hattari, M.Si. Ia menambahkan program "
        "berlanjut! Benarkah?\nParagraf kedua tanpa titik"
    )
    assert split_sentences(text) == [
        "Menteri Johnny G. Plate membuka acara di Kab. Gowa pada Senin (4/5).",
        "Acara diikuti 1.800 peserta dengan biaya Rp. 2,5 juta.",
        "\"Kami senang,\" kata Dr. Ruben Hattari, M.Si.",
        "Ia menambahkan program berlanjut!",
        "Benarkah?",
        "Paragraf kedua tanpa titik",
    ]


def test_summary_is_two_sentences_and_bounded():
    text = "Pertama di sini. \"Kedua, kata dia.\" Ketiga tidak ikut."
    assert summarize(text) == "Pertama di sini. \"Kedua, kata dia.\""
    long_text = "kata " * 200
    summary = summarize(long_text, max_chars=100)
    assert len(summary) <= 101 and summary.endswith("…")
    assert summarize(None) == ""


def test_spokesperson_matching_allows_titles_and_a_dropped_middle_name():
    spokespeople = ("Semuel Abrijani Pangerapan", "Ruben Hattari")
    assert is_spokesperson("Dirjen Aptika Semuel Abrijani Pangerapan", spokespeople)
    assert is_spokesperson("Semuel Pangerapan", spokespeople)
    assert is_spokesperson("RUBEN HATTARI", spokespeople)
    assert not is_spokesperson("Semuel", spokespeople)
    assert not is_spokesperson("Ruben Onsu", spokespeople)


# ----------------------------------------------------------------------------- the numbers

@pytest.fixture
def week_of_coverage(any_store):
    """2018-W40 with a spike, a syndicated story, places, statistics and quotes; four quieter weeks before."""
    monday = datetime(2018, 10, 1, 9, tzinfo=WIB)
    with any_store.session() as session:
        # Trailing weeks W36..W39: 1, 0, 2, 1 articles (average 1.0); W39 is the previous week.
        add_article(session, "https://kompas.com/w36", monday - timedelta(weeks=4),
                    statistics=[{"value": 15, "unit": "kota", "raw": "15 kota", "subject": "kota", "sentence": "di 15 kota.", "source": None}])
        add_article(session, "https://detik.com/w38a", monday - timedelta(weeks=2))
        add_article(session, "https://detik.com/w38b", monday - timedelta(weeks=2, hours=-1))
        add_article(session, "https://tempo.co/w39", monday - timedelta(weeks=1))
        # Not counted: unmatched, another campaign, not an article.
        add_article(session, "https://kompas.com/unmatched", monday, matched=False)
        add_article(session, "https://kompas.com/gapura", monday, campaign="gapura-digital", title="Gapura Digital")
        not_article = add_article(session, "https://kompas.com/index", monday)
        not_article.is_article = False

        story = Story(title="Laju Digital di Makassar", article_count=3, outlet_count=3)
        session.add(story)
        session.flush()
        original = add_article(
            session, "https://kompas.com/makassar", monday + timedelta(hours=1),
            title="Facebook gelar Laju Digital di Makassar", outlet="Kompas", score=0.95,
            text="MAKASSAR - Facebook menggelar Laju Digital di Kota Makassar. Seminar diikuti 1.800 pelaku UKM. Kalimat ketiga.",
            places=[place("Makassar", "73.71", dateline=True), place("Sulawesi Selatan", "73", level="province", province="Sulawesi Selatan"),
                    {"name": "Singapura", "level": "foreign", "mentions": 1, "surface": ["Singapura"]}],
            statistics=[{"value": 1800, "unit": "pelaku UKM", "raw": "1.800 pelaku UKM", "subject": "pelaku UKM",
                         "sentence": "Seminar diikuti 1.800 pelaku UKM.", "source": None},
                        {"value": 15, "unit": "kota", "raw": "15 kota", "subject": "kota", "sentence": "di 15 kota.", "source": None},
                        {"value": 16, "unit": "percent", "raw": "16 persen", "subject": "UKM berjualan di marketplace",
                         "sentence": "Survei IdEA: 16 persen UKM berjualan di marketplace.", "source": "IdEA"}],
            quotes=[{"speaker": "Ruben Hattari", "text": "Kami ingin UKM naik kelas."},
                    {"speaker": "Warga Makassar", "text": "Saya senang ikut."}],
        )
        original.story_id = story.id
        for index, outlet in enumerate(("Tribunnews", "Okezone")):
            copy = add_article(
                session, f"https://{outlet.lower()}.com/makassar", monday + timedelta(hours=5 + index),
                title="Facebook gelar Laju Digital di Makassar", outlet=outlet, text=original.text,
                places=[place("Makassar", "73.71", dateline=True)],
                statistics=[{"value": 1800, "unit": "pelaku UKM", "raw": "1.800 pelaku UKM", "subject": "pelaku UKM",
                             "sentence": "Seminar diikuti 1.800 pelaku UKM.", "source": None}],
                quotes=[{"speaker": "Ruben Hattari", "text": "Kami ingin UKM naik kelas."}],
            )
            copy.story_id, copy.duplicate_of_id = story.id, original.id
        add_article(session, "https://antaranews.com/palu", monday + timedelta(days=2), outlet="ANTARA",
                    title="Laju Digital sambangi Palu", text="Laju Digital tiba di Palu. Peserta antusias.", score=0.7,
                    places=[place("Palu", "72.71", province="Sulawesi Tengah", dateline=True)],
                    quotes=[{"speaker": "Semuel Pangerapan", "text": "Literasi digital penting."}])
        # Sunday 23:30 in Jakarta is still W40; Monday 00:30 in Jakarta is W41 (both are Sunday in UTC).
        add_article(session, "https://suara.com/late", datetime(2018, 10, 7, 23, 30, tzinfo=WIB), outlet="Suara",
                    title="Laju Digital menutup pekan", text="Pekan ditutup.", score=0.6)
        add_article(session, "https://suara.com/next", datetime(2018, 10, 8, 0, 30, tzinfo=WIB), outlet="Suara")
    return any_store


def test_digest_numbers(week_of_coverage):
    with week_of_coverage.session() as session:
        digest = build_digest(session, LAJU, "2018-W40", zone="Asia/Jakarta")
    assert (digest.week_start, digest.week_end) == (date(2018, 10, 1), date(2018, 10, 7))
    assert digest.coverage == 5
    assert digest.previous_week == 1
    assert digest.trailing_average == 1.0
    assert digest.spike is True
    assert digest.unique_stories == 3
    assert digest.syndicated_copies == 2
    assert digest.original_articles == 3
    assert [(entry.week, entry.articles) for entry in digest.history][-5:] == [
        ("2018-W36", 1), ("2018-W37", 0), ("2018-W38", 2), ("2018-W39", 1), ("2018-W40", 5)]
    assert [(outlet.name, outlet.articles) for outlet in digest.top_outlets] == [
        ("ANTARA", 1), ("Kompas", 1), ("Okezone", 1), ("Suara", 1), ("Tribunnews", 1)]


def test_digest_places_statistics_quotes_and_top_articles(week_of_coverage):
    with week_of_coverage.session() as session:
        digest = build_digest(session, LAJU, "2018-W40", zone="Asia/Jakarta")
    assert [(p.name, p.level, p.articles, p.datelines) for p in digest.places] == [
        ("Makassar", "city", 3, 3), ("Palu", "city", 1, 1), ("Sulawesi Selatan", "province", 1, 0)]
    # 15 kota was already reported in W36; 1.800 pelaku UKM is listed once despite the copies; sourced first.
    assert [(s.raw, s.source) for s in digest.statistics] == [("16 persen", "IdEA"), ("1.800 pelaku UKM", None)]
    assert [(q.speaker, q.text, q.outlet) for q in digest.quotes] == [
        ("Ruben Hattari", "Kami ingin UKM naik kelas.", "Kompas"),
        ("Semuel Pangerapan", "Literasi digital penting.", "ANTARA")]
    top = digest.top_articles
    assert [article.url for article in top] == [
        "https://kompas.com/makassar", "https://antaranews.com/palu", "https://suara.com/late"]
    assert top[0].also_in == ("Tribunnews", "Okezone")
    assert top[0].summary == "MAKASSAR - Facebook menggelar Laju Digital di Kota Makassar. Seminar diikuti 1.800 pelaku UKM."
    assert top[2].published == "2018-10-07"


def test_digest_of_a_quiet_week_and_of_another_campaign(week_of_coverage):
    with week_of_coverage.session() as session:
        quiet = build_digest(session, LAJU, "2018-W30", zone="Asia/Jakarta")
        gapura = build_digest(session, GAPURA, "2018-W40", zone="Asia/Jakarta")
    assert (quiet.coverage, quiet.spike, quiet.top_articles, quiet.places) == (0, False, (), ())
    assert gapura.coverage == 1 and gapura.top_articles[0].title == "Gapura Digital"
    rendered = render_digest(quiet)
    assert "Tidak ada artikel tentang Laju Digital yang terbit minggu ini." in rendered.text
    assert len(rendered.images) == 1  # the coverage chart; no places chart without places


def test_digest_words_follow_the_campaigns_digest_language(week_of_coverage):
    from dataclasses import replace

    from pantau.core.messages import catalog

    with week_of_coverage.session() as session:
        indonesian = render_digest(build_digest(session, LAJU, "2018-W40", zone="Asia/Jakarta"))
        english = render_digest(build_digest(session, replace(LAJU, digest_language="en"), "2018-W40", zone="Asia/Jakarta"))
    assert indonesian.subject.startswith("Laju Digital, 2018-W40: ") and " artikel" in indonesian.subject
    assert "LIPUTAN:" in indonesian.text and "ARTIKEL TERATAS" in indonesian.text and "Top articles" not in indonesian.html
    assert '<html lang="id"' in indonesian.html and '<html lang="en"' in english.html
    assert "COVERAGE:" in english.text and "TOP ARTICLES" in english.text and "Artikel teratas" not in english.html
    # Article text is never translated: the same titles in both.
    assert [line for line in indonesian.text.splitlines() if line.startswith("1. ")] == [
        line for line in english.text.splitlines() if line.startswith("1. ")]
    # Every language has every key the templates use.
    assert all(set(table) == set(catalog()["id"]) for table in catalog().values())


def test_unknown_digest_language_is_a_config_error():
    from pantau.core.campaigns import CampaignConfigError, parse_campaigns

    with pytest.raises(CampaignConfigError, match="digest_language 'fr'"):
        parse_campaigns('[[campaign]]\nid = "x"\nname = "X"\nquery = "x"\ndescription = "X."\ndigest_language = "fr"\n', "test.toml")


def test_rendered_digest_escapes_web_text_and_refers_to_every_image(store, tmp_path):
    hostile = '<script>alert(1)</script> Laju "Digital" & <b>UKM</b>'
    with store.session() as session:
        add_article(session, "https://kompas.com/x", datetime(2018, 10, 2, 9, tzinfo=WIB), title=hostile,
                    text="<img src=x onerror=alert(2)> Teks pertama. Kedua.",
                    places=[place("Makassar", "73.71")])
        add_article(session, "javascript:alert(3)", datetime(2018, 10, 3, 9, tzinfo=WIB), title="Tautan jahat")
        digest = build_digest(session, LAJU, "2018-W40", zone="Asia/Jakarta")
    rendered = render_digest(digest)
    assert "<script>alert(1)" not in rendered.html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in rendered.html
    assert "<img src=x" not in rendered.html and "&lt;img src=x onerror=alert(2)&gt;" in rendered.html
    assert 'href="javascript:' not in rendered.html
    # The plain-text part is not markup: the title appears as written.
    assert hostile in rendered.text
    assert set(rendered.images) == {cid for cid in rendered.images if f'src="cid:{cid}"' in rendered.html}
    assert len(rendered.images) == 2
    for png in rendered.images.values():
        assert png.startswith(b"\x89PNG\r\n\x1a\n")
        from matplotlib.image import imread

        pixels = imread(io.BytesIO(png))
        assert pixels.shape[1] == 1120 and pixels.std() > 0.05  # drawn at 2x, not a blank canvas

    html_path, eml_path = write_preview(rendered, tmp_path / "out" / "digest.html")
    preview = html_path.read_text(encoding="utf-8")
    assert "cid:" not in preview and preview.count("data:image/png;base64,") == 2
    message = message_from_bytes(eml_path.read_bytes(), policy=default_policy)
    assert message["To"] == "undisclosed-recipients:;"
    assert message.get_body(("html",)).get_content() == rendered.html
