"""Near-duplicates and stories on the store, with the real embedding model and texts written for this test."""

from __future__ import annotations

import json
import os
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import select

from pantau.store.tables import Article, ArticleOrganization, ArticlePlace, Story
from pipeline.dedup import assign_duplicates_and_stories, containment, jaccard, shingles_of
from pipeline.embeddings import Embedder, load_embedder

pytestmark = pytest.mark.slow

WIB = timezone(timedelta(hours=7))

ORIGINAL = """MAKASSAR (ANTARA) - Sebanyak 400 guru dan pelajar di Makassar mengikuti lokakarya literasi digital Siberkreasi yang digelar Kementerian Komunikasi dan Informatika di Universitas Hasanuddin, Kamis.
Lokakarya itu membahas cara mengenali hoaks, menjaga data pribadi di media sosial, dan memanfaatkan internet untuk belajar.
Ketua Umum Siberkreasi Dedy Permadi mengatakan Makassar dipilih karena jumlah pengguna internet muda di kota itu terus tumbuh.
"Anak muda Makassar sangat aktif di media sosial, jadi mereka juga harus menjadi yang paling cakap memilah informasi," kata Dedy.
Menurut data panitia, 62 persen peserta mengaku pernah menerima pesan berantai yang belakangan terbukti hoaks.
Para peserta juga diajak membuat konten positif tentang budaya Bugis dan Makassar yang kemudian diunggah ke akun masing-masing.
Kominfo menargetkan lokakarya serupa digelar di 30 kota hingga akhir tahun bersama komunitas dan perguruan tinggi setempat.
Salah seorang guru, Andi Rahmawati, menilai materi tentang keamanan data pribadi paling berguna untuk disampaikan kembali kepada murid-muridnya di sekolah."""

# A wire copy on another outlet: new headline, dateline in the outlet's style, light edits, last paragraph cut.
WIRE_COPY = """Makassar - Sebanyak 400 guru dan pelajar di Kota Makassar mengikuti lokakarya literasi digital Siberkreasi yang digelar Kementerian Komunikasi dan Informatika di Universitas Hasanuddin, Kamis (13/9/2018).
Lokakarya itu membahas cara mengenali hoaks, menjaga data pribadi di media sosial, dan memanfaatkan internet untuk belajar.
Ketua Umum Siberkreasi Dedy Permadi mengatakan Makassar dipilih karena jumlah pengguna internet muda di kota itu terus tumbuh pesat.
"Anak muda Makassar sangat aktif di media sosial, jadi mereka juga harus menjadi yang paling cakap memilah informasi," ujar Dedy.
Menurut data panitia, 62 persen peserta mengaku pernah menerima pesan berantai yang belakangan terbukti hoaks.
Para peserta juga diajak membuat konten positif tentang budaya Bugis dan Makassar yang kemudian diunggah ke akun masing-masing.
Kominfo menargetkan lokakarya serupa digelar di 30 kota hingga akhir tahun bersama komunitas dan perguruan tinggi setempat."""

# The same event, reported independently (different words).
INDEPENDENT = """MAKASSAR, KOMPAS.com - Ratusan guru dan siswa memadati aula Universitas Hasanuddin untuk mengikuti lokakarya Siberkreasi tentang literasi digital, Kamis.
Kegiatan yang diadakan Kominfo itu mengajarkan peserta memeriksa kebenaran kabar yang beredar di grup percakapan dan mengatur privasi akun media sosial.
Dedy Permadi, Ketua Umum Siberkreasi, menyebut generasi muda Makassar termasuk pengguna internet paling aktif di kawasan timur Indonesia.
"Kalau mereka cakap digital, hoaks bisa dihentikan di tangan mereka," ucap Dedy di sela acara.
Panitia mencatat sebagian besar peserta pernah menerima kabar bohong lewat pesan berantai.
Selain materi, peserta berlatih membuat video pendek tentang kuliner dan budaya Sulawesi Selatan.
Lokakarya di Makassar merupakan bagian dari rangkaian kegiatan Siberkreasi di berbagai kota sepanjang tahun ini."""

# The same campaign two days later in another city: a different event.
OTHER_CITY = """MEDAN (ANTARA) - Sekitar 350 mahasiswa dan guru di Medan mengikuti lokakarya literasi digital Siberkreasi yang digelar Kementerian Komunikasi dan Informatika di Universitas Sumatera Utara, Sabtu.
Lokakarya itu membahas cara mengenali hoaks, melindungi data pribadi, dan menggunakan media sosial secara bijak.
Ketua Umum Siberkreasi Dedy Permadi mengatakan Medan menjadi kota ke-12 yang disinggahi rangkaian lokakarya tahun ini.
"Kami ingin mahasiswa Medan menjadi agen yang menyebarkan konten positif di lingkungannya," kata Dedy.
Panitia mencatat 58 persen peserta pernah membagikan informasi sebelum memeriksa kebenarannya.
Peserta juga berlatih memeriksa foto dan video yang beredar di media sosial dengan alat pencarian gambar.
Kominfo menargetkan lokakarya serupa digelar di 30 kota hingga akhir tahun."""

# Unrelated news from the same city on the same day.
UNRELATED = """MAKASSAR (ANTARA) - Harga cabai rawit di sejumlah pasar tradisional di Makassar naik hingga Rp 60.000 per kilogram menjelang akhir pekan.
Pedagang di Pasar Terong mengatakan pasokan dari Kabupaten Gowa dan Jeneponto berkurang karena hujan deras merusak tanaman.
Dinas Perdagangan Kota Makassar berencana menggelar operasi pasar untuk menahan kenaikan harga.
"Kami pantau setiap hari, jika perlu kami datangkan pasokan dari daerah lain," kata Kepala Dinas Perdagangan.
Warga berharap harga kembali normal sebelum bulan depan."""


@pytest.fixture(scope="module")
def e5() -> Embedder:
    from models.embeddings import prepare_default_model

    models_dir = Path(os.environ.get("PANTAU_MODELS_DIR") or Path(__file__).resolve().parents[1] / "data" / "models")
    return load_embedder(str(prepare_default_model(models_dir).path), device="cpu")


def add_article(session, key: str, outlet: str, title: str, text: str, published: datetime, dateline: str | None,
                places: list[tuple[str, str]] = (), organizations: list[str] = ()) -> Article:
    article = Article(
        url_key=f"https://{outlet}.example/{key}", url=f"https://{outlet}.example/{key}", outlet_id=outlet, title=title,
        text=text, dateline=dateline, published_at=published, pipeline_version="test", processed_at=published,
        is_article=True,
    )
    article.places = [ArticlePlace(name=name, level="city", code=code, surface=[name]) for name, code in places]
    article.organizations = [ArticleOrganization(name=name) for name in organizations]
    session.add(article)
    session.flush()
    return article


MAKASSAR = [("Makassar", "73.71")]
ORGS = ["Kementerian Komunikasi dan Informatika", "Siberkreasi", "Universitas Hasanuddin"]


def seed(session, which: set[str]) -> dict[str, int]:
    day = datetime(2018, 9, 13, 10, 0, tzinfo=WIB)
    specs = {
        "original": ("antaranews", "Empat ratus guru dan pelajar Makassar ikuti lokakarya Siberkreasi", ORIGINAL, day, "MAKASSAR", MAKASSAR, ORGS),
        "copy": ("detik", "Cegah Hoaks, Ratusan Pelajar Makassar Belajar Literasi Digital", WIRE_COPY, day + timedelta(hours=5), "Makassar", MAKASSAR, ORGS),
        "independent": ("kompas", "Guru dan Siswa Makassar Belajar Tangkal Hoaks", INDEPENDENT, day + timedelta(hours=3), "MAKASSAR", MAKASSAR, ORGS),
        "other_city": ("antaranews", "Siberkreasi gelar lokakarya literasi digital di Medan", OTHER_CITY, day + timedelta(days=2), "MEDAN",
                       [("Medan", "12.71")], ["Kementerian Komunikasi dan Informatika", "Siberkreasi"]),
        "unrelated": ("antaranews", "Harga cabai rawit di Makassar naik", UNRELATED, day + timedelta(hours=1), "MAKASSAR", MAKASSAR, ["Dinas Perdagangan"]),
        "empty": ("tribunnews", "Foto: suasana lokakarya", "", day + timedelta(hours=6), None, [], []),
    }
    return {name: add_article(session, name, *specs[name]).id for name in sorted(which)}


def state(session) -> dict[int, tuple[int | None, int | None]]:
    return {a.id: (a.duplicate_of_id, a.story_id) for a in session.scalars(select(Article))}


def test_shingle_overlap_separates_copies_from_independent_reports():
    original, copy, independent = shingles_of(ORIGINAL), shingles_of(WIRE_COPY), shingles_of(INDEPENDENT)
    assert jaccard(original, copy) > 0.6 and containment(original, copy) > 0.8
    assert jaccard(original, independent) < 0.1


def test_copies_grouped_events_separated_every_article_in_one_story(e5, store):
    with store.session() as session:
        ids = seed(session, {"original", "copy", "independent", "other_city", "unrelated", "empty"})
        report = assign_duplicates_and_stories(session, list(ids.values()), e5)
    assert report.articles == 6 and report.duplicates == 1 and report.duplicate_groups == 1
    with store.session() as session:
        articles = {name: session.get(Article, article_id) for name, article_id in ids.items()}
        assert articles["copy"].duplicate_of_id == ids["original"]
        assert all(articles[name].duplicate_of_id is None for name in ids if name != "copy")
        assert all(article.story_id is not None for article in articles.values())
        event = articles["original"].story_id
        assert articles["copy"].story_id == event and articles["independent"].story_id == event
        assert articles["other_city"].story_id != event and articles["unrelated"].story_id != event
        assert articles["empty"].story_id not in {event, articles["other_city"].story_id, articles["unrelated"].story_id}
        story = session.get(Story, event)
        assert (story.article_count, story.outlet_count) == (3, 3)
        assert story.title == articles["original"].title
        assert session.query(Story).count() == 4 == report.new_stories


def test_running_again_changes_nothing(e5, store):
    with store.session() as session:
        ids = seed(session, {"original", "copy", "independent", "other_city", "unrelated"})
        assign_duplicates_and_stories(session, list(ids.values()), e5)
        before = state(session)
    with store.session() as session:
        again = assign_duplicates_and_stories(session, list(ids.values()), e5)
        assert (again.changed, again.new_stories, again.merged_stories) == (0, 0, 0)
        assert state(session) == before
    with store.session() as session:
        partly = assign_duplicates_and_stories(session, [ids["copy"]], e5)
        assert partly.changed == 0 and state(session) == before


def test_new_articles_join_the_existing_story(e5, store):
    with store.session() as session:
        first = seed(session, {"original", "other_city"})
        assign_duplicates_and_stories(session, list(first.values()), e5)
        story = session.get(Article, first["original"]).story_id
    with store.session() as session:
        later = seed(session, {"copy", "independent"})
        report = assign_duplicates_and_stories(session, list(later.values()), e5)
        assert report.new_stories == 0 and report.duplicates == 1
        assert session.get(Article, later["copy"]).duplicate_of_id == first["original"]
        assert session.get(Article, later["independent"]).story_id == story == session.get(Article, later["copy"]).story_id
        assert session.get(Story, story).article_count == 3


def test_an_earlier_original_arriving_later_becomes_the_copy_target(e5, store):
    with store.session() as session:
        copy_first = seed(session, {"copy"})
        assign_duplicates_and_stories(session, list(copy_first.values()), e5)
        assert session.get(Article, copy_first["copy"]).duplicate_of_id is None
    with store.session() as session:
        original = seed(session, {"original"})
        report = assign_duplicates_and_stories(session, list(original.values()), e5)
        assert session.get(Article, copy_first["copy"]).duplicate_of_id == original["original"]
        assert session.get(Article, original["original"]).duplicate_of_id is None
        assert report.new_stories == 0
        assert session.get(Article, copy_first["copy"]).story_id == session.get(Article, original["original"]).story_id


def test_replay_corpus_syndicated_copies_are_grouped_with_their_originals(e5, store):
    """The project's own replay corpus (written for pantau): August-October 2018 Laju Digital coverage."""
    corpus = Path(__file__).resolve().parents[1] / "crawlers" / "replay" / "corpus" / "articles"
    entries = [json.loads(path.read_text(encoding="utf-8")) for path in sorted(corpus.glob("*.json"))]
    syndicated = {e["id"]: e["syndicated_from"] for e in entries if e.get("syndicated_from")}
    wanted = set(syndicated) | set(syndicated.values()) | {e["id"] for e in entries if e["id"].startswith(("kompas-2018-08", "tribunnews-2018-08-16"))}
    ids = {}
    with store.session() as session:
        for entry in (e for e in entries if e["id"] in wanted):
            city = entry["city"].replace("Kota Administrasi ", "").replace("Kota ", "").replace("Kabupaten ", "")
            ids[entry["id"]] = add_article(
                session, entry["id"], entry["outlet"], entry["title"], "\n".join(entry["paragraphs"]),
                datetime.fromisoformat(entry["published_at"]), entry["dateline"], [(city, None)],
            ).id
        report = assign_duplicates_and_stories(session, list(ids.values()), e5)
        assert report.duplicates == len(syndicated)
        for copy, original in syndicated.items():
            assert session.get(Article, ids[copy]).duplicate_of_id == ids[original], copy
        others = [i for name, i in ids.items() if name not in syndicated]
        assert all(session.get(Article, i).duplicate_of_id is None for i in others)
        # Kompas's own launch report and ANTARA's wire story describe one event: one story.
        launch = session.get(Article, ids["kompas-2018-08-07-facebook-luncurkan-laju-digital"]).story_id
        assert session.get(Article, ids["antaranews-2018-08-07-facebook-gandeng-tiga-kementerian-laju-digital"]).story_id == launch
        # Seminars two days apart in Makassar and Medan are different events.
        assert (session.get(Article, ids["kompas-2018-08-14-laju-digital-makassar"]).story_id
                != session.get(Article, ids["tribunnews-2018-08-16-laju-digital-medan"]).story_id)
