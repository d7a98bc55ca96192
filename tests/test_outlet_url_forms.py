"""Every era's URL forms: the registry accepts old and current article addresses of each outlet, refuses
photo, video, feed and listing pages, and gives an old address the key of the current address it
redirects to (key_rules). URLs here are written for the test in each outlet's real forms."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pantau.core.outlets import all_outlets, canonical_url, get_outlet, outlet_for_url, outlet_from_entry, url_key

# outlet id -> (URL, is an article?), covering the forms of every era the outlet has used.
FORMS: dict[str, list[tuple[str, bool]]] = {
    "detik": [
        ("https://news.detik.com/berita/d-7012345/kpu-tetapkan-jadwal-kampanye-pemilu", True),
        ("https://www.detik.com/jateng/berita/d-6901234/pemkot-semarang-gelar-pelatihan-literasi-digital", True),
        ("https://sport.detik.com/sepakbola/liga-indonesia/d-7123456/persib-kunci-gelar-juara", True),
        ("https://inet.detik.com/fotostop-review/d-7123457/review-kamera-mirrorless-baru", True),
        ("https://news.detik.com/berita/d-7012345/kpu-tetapkan-jadwal-kampanye-pemilu/amp", True),
        ("https://m.detik.com/news/berita/d-7012345/kpu-tetapkan-jadwal-kampanye-pemilu?single=1", True),
        ("https://news.detik.com/read/2019/03/11/101530/4460123/10/kominfo-ajak-warga-tangkal-hoaks", True),
        ("https://oto.detik.com/read/2018/02/05/093010/3851234/1207/mobil-listrik-mulai-dijual", True),
        ("http://www.detiknews.com/read/2010/06/21/143012/1382345/10/polisi-selidiki-video-viral", True),
        ("https://news.detik.com/foto-news/d-7012399/suasana-kampanye-di-senayan", False),
        ("https://sport.detik.com/sepakbola/foto-sepakbola/d-7012400/selebrasi-para-pemain", False),
        ("https://www.detik.com/edu/infografis/d-7012401/infografis-jalur-beasiswa", False),
        ("https://www.detik.com/edu/foto/d-7012402/wisuda-di-kampus-negeri", False),
        ("https://inet.detik.com/fotoinet/d-4012345/pameran-gawai-terbaru", False),
        ("https://oto.detik.com/oto-galeri/d-4012346/mobil-konsep-di-pameran", False),
        ("https://finance.detik.com/readfoto/2019/03/11/101530/4460124/1034/1/antrean-di-pelabuhan", False),
        ("https://news.detik.com/detiktv/d-7012403/wawancara-ketua-kpu", False),
        ("https://20.detik.com/detikupdate/20240101-240101001/video-pesta-kembang-api", False),
        ("https://finance.detik.com/rss", False),
        ("https://www.detik.com/tag/literasi-digital", False),
        ("https://news.detik.com/indeks", False),
    ],
    "kumparan": [
        ("https://kumparan.com/kumparantech/kominfo-gelar-pelatihan-literasi-digital-22Xyw3abcDe", True),
        ("https://kumparan.com/@kumparannews/kominfo-ajak-warga-melek-digital", True),
        ("https://kumparan.com/budi-santoso/pelatihan-umkm-go-digital-di-bandung", True),
        ("https://kumparan.com/budi-santoso/pelatihan-umkm-go-digital-di-bandung#AbCdEf12.99", True),
        ("https://kumparan.com/@kumparansport/timnas-menang-tipis-1516123456789", True),
        ("https://kumparan.com/topic/literasi-digital", False),
        ("https://kumparan.com/trending", False),
        ("https://kumparan.com/kumparannews", False),
        ("https://kumparan.com/kumparannews/followers", False),
        ("https://lapi.kumparan.com/v2.0/rss/", False),
    ],
    "suara": [
        ("https://www.suara.com/news/2017/10/05/0915/menkominfo-buka-festival-literasi", True),
        ("https://www.suara.com/tekno/2023/05/02/143000/pelatihan-digital-untuk-guru", True),
        ("https://jatim.suara.com/read/2021/08/12/120000/umkm-malang-go-digital", True),
        ("https://www.suara.com/foto/2019/01/01/120000/perayaan-tahun-baru", False),
        ("https://www.suara.com/video/2019/01/01/120000/perayaan-tahun-baru", False),
        ("https://www.suara.com/feed", False),
    ],
    "kompas": [
        ("https://tekno.kompas.com/read/2019/05/02/08150017/siberkreasi-gelar-literasi-digital", True),
        ("https://www.kompas.com/tren/read/2022/03/01/063000465/cara-cek-hoaks", True),
        ("https://nasional.kompas.com/read/2014/02/11/1530125/kpu-siapkan-logistik", True),
        ("https://www.kompas.com/read/xml/2010/05/12/10234567/pemerintah-luncurkan-situs", True),
        ("https://amp.kompas.com/read/2019/05/02/08150017/siberkreasi-gelar-literasi-digital", True),
        ("https://rss.kompas.com/api/feed/social", False),
        ("https://video.kompas.com/read/2019/05/02/08150018/siaran-langsung", False),
        ("https://www.kompas.com/tag/literasi-digital", False),
    ],
    "tribunnews": [
        ("https://jabar.tribunnews.com/2019/09/10/warga-bandung-ikuti-pelatihan-digital", True),
        ("https://www.tribunnews.com/amp/nasional/2020/01/05/kominfo-blokir-hoaks", True),
        ("https://www.tribunnews.com/topic/literasi-digital", False),
    ],
    "okezone": [
        ("https://techno.okezone.com/read/2019/06/03/207/2061234/gerakan-literasi-digital", True),
        ("https://www.okezone.com/tag/literasi-digital", False),
    ],
    "liputan6": [
        ("https://www.liputan6.com/tekno/read/4012345/kominfo-gelar-literasi-digital", True),
        ("http://tekno.liputan6.com/read/2712345/facebook-latih-umkm", True),
        ("https://www.liputan6.com/photo/read/4012346/suasana-pelatihan", False),
        ("https://www.liputan6.com/video/read/4012347/siaran-ulang", False),
        ("https://feed.liputan6.com/rss/news", False),
        ("https://www.liputan6.com/tekno", False),
    ],
    "tempo": [
        ("https://nasional.tempo.co/read/1234567/kominfo-blokir-situs-judi", True),
        ("https://www.tempo.co/politik/kominfo-blokir-situs-judi-1234567", True),
        ("https://satu.tempo.co/ekonomi/harga-cabai-naik-1812345", True),
        ("https://nasional.tempo.co/read/news/2015/03/12/078649123/polisi-tangkap-penyebar-hoaks", True),
        ("https://foto.tempo.co/read/81234/galeri-banjir-jakarta", False),
        ("http://rss.tempo.co/nasional", False),
        ("https://www.tempo.co/indeks/2024-01-01", False),
        ("https://www.tempo.co/tag/literasi-digital-2024", False),
    ],
    "antaranews": [
        ("https://www.antaranews.com/berita/3912345/kominfo-latih-warga-desa", True),
        ("http://m.antaranews.com/berita/612345/menteri-buka-pameran", True),
        ("https://jateng.antaranews.com/amp/berita/412345/facebook-latih-umkm", True),
        ("https://www.antaranews.com/video/3912346/siaran-pers-menteri", False),
        ("https://www.antaranews.com/infografik/3912347/jumlah-pengguna-internet", False),
        ("https://www.antaranews.com/foto/3912348/pelatihan-di-balai-desa", False),
        ("https://www.antaranews.com/rss/terkini.xml", False),
    ],
    "republika": [
        ("https://news.republika.co.id/berita/rqw3ab456/kominfo-ajak-warga-bijak-bermedsos", True),
        ("https://nasional.republika.co.id/berita/nasional/politik/19/04/01/pp1xyz409-kpu-siapkan-tps", True),
        ("https://visual.republika.co.id/berita/rqw3ab457/foto-pelatihan-digital", False),
        ("https://www.republika.co.id/berita/nasional", False),
        ("https://www.republika.co.id/rss", False),
    ],
    "merdeka": [
        ("https://www.merdeka.com/peristiwa/warga-antusias-ikuti-pelatihan-digital.html", True),
        ("https://www.merdeka.com/teknologi/kominfo-luncurkan-program-baru-43210-mvk.html", True),
        ("https://www.merdeka.com/sehat/lima-cara-jaga-mata/cara-pertama-kurangi-layar.html", True),
        ("https://www.merdeka.com/tag/k/kominfo/", False),
        ("https://www.merdeka.com/foto/peristiwa/123456/suasana-pelatihan.html", False),
    ],
    "cnnindonesia": [
        ("http://www.cnnindonesia.com/teknologi/20170612093015-185-212345/kominfo-blokir-situs/", True),
        ("https://www.cnnindonesia.com/nasional/20240105120000-20-1045678/kpu-umumkan-jadwal", True),
        ("https://www.cnnindonesia.com/tv/20240105120000-400-1045679/siaran-kpu", False),
        ("https://www.cnnindonesia.com/nasional/rss", False),
    ],
    "cnbcindonesia": [
        ("https://www.cnbcindonesia.com/tech/20200101120000-37-126543/startup-lokal-raih-pendanaan", True),
        ("https://www.cnbcindonesia.com/indeks", False),
    ],
    "mediaindonesia": [
        ("https://mediaindonesia.com/read/detail/212345-literasi-digital-untuk-petani", True),
        ("https://mediaindonesia.com/humaniora/612345/literasi-digital-untuk-petani", True),
        ("https://mediaindonesia.com/feed", False),
    ],
    "katadata": [
        ("https://katadata.co.id/berita/2018/10/03/bi-gelar-festival-ekonomi-digital", True),
        ("https://katadata.co.id/digital/teknologi/65a1b2c3d4e5f/startup-lokal-raih-pendanaan", True),
        ("https://katadata.co.id/tag/startup", False),
    ],
    "komdigi": [
        ("https://aptika.kominfo.go.id/2020/02/literasi-digital-untuk-pelajar", True),
        ("https://www.kominfo.go.id/content/detail/12345/kominfo-ajak-warga-cek-fakta/0/berita_satker", True),
        ("https://www.komdigi.go.id/berita/siaran-pers/detail/komdigi-luncurkan-program-literasi", True),
        ("https://www.komdigi.go.id/galeri/foto", False),
    ],
    "bisnis": [
        ("https://teknologi.bisnis.com/read/20190101/101/874321/pemerintah-dorong-umkm-digital", True),
        ("https://www.bisnis.com/index", False),
    ],
    "tirto": [
        ("https://tirto.id/cara-mengenali-berita-hoaks-dEfG", True),
        ("https://tirto.id/q/literasi-digital-abc", False),
    ],
    "idntimes": [
        ("https://www.idntimes.com/news/indonesia/budi-santoso/kominfo-ajak-warga-cek-fakta", True),
        ("https://www.idntimes.com/tag/literasi-digital", False),
    ],
}

CASES = [(outlet_id, url, expected) for outlet_id, forms in FORMS.items() for url, expected in forms]

# Old address -> the current address it redirects to (or a copy of it): one article, one key.
SAME_ARTICLE = [
    ("https://news.detik.com/read/2019/03/11/101530/4460123/10/kominfo-ajak-warga-tangkal-hoaks",
     "https://news.detik.com/berita/d-4460123/kominfo-ajak-warga-tangkal-hoaks"),
    ("http://www.detiknews.com/read/2010/06/21/143012/1382345/10/polisi-selidiki-video-viral",
     "https://news.detik.com/berita/d-1382345/polisi-selidiki-video-viral"),
    ("https://finance.detik.com/read/2018/02/05/093010/3851234/4/harga-cabai-turun",
     "https://finance.detik.com/berita-ekonomi-bisnis/d-3851234/harga-cabai-turun"),
    ("https://m.detik.com/news/berita/d-4460123/kominfo-ajak-warga-tangkal-hoaks?single=1",
     "https://news.detik.com/berita/d-4460123/kominfo-ajak-warga-tangkal-hoaks/amp"),
    ("http://tekno.liputan6.com/read/2712345/facebook-latih-umkm",
     "https://www.liputan6.com/tekno/read/2712345/facebook-latih-umkm"),
    ("https://nasional.tempo.co/read/1234567/kominfo-blokir-situs-judi",
     "https://www.tempo.co/politik/kominfo-blokir-situs-judi-1234567"),
    ("https://satu.tempo.co/ekonomi/harga-cabai-naik-1812345", "https://bisnis.tempo.co/read/1812345/harga-cabai-naik"),
    ("https://nasional.republika.co.id/berita/nasional/politik/19/04/01/pp1xyz409-kpu-siapkan-tps",
     "https://www.republika.co.id/berita/pp1xyz409/kpu-siapkan-tps"),
]

# Addresses that look alike but are different articles (or different publications).
DIFFERENT = [
    ("https://news.detik.com/berita/d-4460123/kominfo-ajak-warga", "https://news.detik.com/berita/d-4460124/kominfo-ajak-warga"),
    ("https://nasional.tempo.co/read/1234567/kominfo-blokir", "https://en.tempo.co/read/1234567/kominfo-blocks"),
    ("https://nasional.tempo.co/read/1234567/kominfo-blokir", "https://majalah.tempo.co/read/nasional/1234567/kominfo-blokir"),
    ("https://jabar.antaranews.com/berita/178738/pelatihan-digital", "https://www.antaranews.com/berita/178738/pelatihan-digital"),
    ("https://www.liputan6.com/tekno/read/2712345/facebook", "https://www.liputan6.com/tekno/read/2712346/facebook"),
]


def test_every_outlet_has_its_forms_here() -> None:
    assert set(FORMS) == {outlet.id for outlet in all_outlets()}


@pytest.mark.parametrize(("outlet_id", "url", "expected"), CASES, ids=[f"{o}:{u.split('//', 1)[1][:60]}" for o, u, _ in CASES])
def test_article_forms_of_every_era(outlet_id: str, url: str, expected: bool) -> None:
    outlet = get_outlet(outlet_id)
    assert outlet_for_url(url) is outlet
    assert outlet.is_article_url(url) is expected


@pytest.mark.parametrize(("old", "current"), SAME_ARTICLE)
def test_old_and_current_forms_are_one_key(old: str, current: str) -> None:
    assert url_key(old) == url_key(current)


@pytest.mark.parametrize(("first", "second"), DIFFERENT)
def test_different_articles_keep_different_keys(first: str, second: str) -> None:
    assert url_key(first) != url_key(second)


def test_key_of_a_redirected_form_is_the_current_address_where_it_can_be_written() -> None:
    # Liputan6's old channel subdomain maps onto the current path: the key is the address itself.
    current = "https://www.liputan6.com/tekno/read/2712345/facebook-latih-umkm"
    assert url_key("http://tekno.liputan6.com/read/2712345/facebook-latih-umkm") == current == url_key(current)
    # detik's id is the article whatever the channel path: the key names the id.
    assert url_key("https://www.detik.com/jatim/berita/d-6901234/banjir-rob") == "https://www.detik.com/d-6901234"


def test_outlets_without_key_rules_keep_the_normalised_url() -> None:
    for url in ("https://www.kompas.com/read/2018/08/14/10320041/laju-digital?page=all", "https://example.org/a?utm_source=x"):
        assert url_key(url) == canonical_url(url)


@pytest.mark.parametrize(("outlet_id", "url", "expected"), CASES)
def test_key_is_idempotent_and_an_article_key_names_an_article(outlet_id: str, url: str, expected: bool) -> None:
    key = url_key(url)
    assert url_key(key) == key
    assert canonical_url(key) == key
    if expected:
        outlet = outlet_for_url(key)
        assert outlet is not None and outlet.id == outlet_id and outlet.is_article_url(key)


SLUG = st.from_regex(r"[a-z]{2,9}(-[a-z0-9]{1,9}){1,6}", fullmatch=True)
CHANNEL = st.sampled_from(["news", "finance", "inet", "oto", "sport", "hot", "health", "travel"])


@settings(max_examples=200, deadline=None)
@given(channel=CHANNEL, article_id=st.integers(1_000_000, 9_999_999), channel_id=st.integers(1, 2000),
       date=st.dates(date(2008, 1, 1), date(2020, 12, 31)), seconds=st.integers(0, 86_399), slug=SLUG, other_slug=SLUG, desk=st.from_regex(r"[a-z]{3,12}(-[a-z]{3,8})?", fullmatch=True))
def test_detik_old_and_current_forms_give_one_key_for_any_id(channel, article_id, channel_id, date, seconds, slug, other_slug, desk) -> None:
    clock = f"{seconds // 3600:02d}{seconds // 60 % 60:02d}{seconds % 60:02d}"
    old = f"https://{channel}.detik.com/read/{date:%Y/%m/%d}/{clock}/{article_id}/{channel_id}/{slug}"
    current = f"https://{channel}.detik.com/{desk}/d-{article_id}/{other_slug}"
    key = url_key(old)
    assert key == url_key(current) == url_key(key) == f"https://www.detik.com/d-{article_id}"
    assert url_key(f"https://{channel}.detik.com/{desk}/d-{article_id + 1}/{slug}") != key


@settings(max_examples=200, deadline=None)
@given(desk=st.sampled_from(["nasional", "bisnis", "metro", "dunia", "tekno", "bola"]), rubric=st.from_regex(r"[a-z]{4,10}", fullmatch=True),
       article_id=st.integers(100_000, 9_999_999), slug=SLUG)
def test_tempo_read_and_slug_id_forms_give_one_key_for_any_id(desk, rubric, article_id, slug) -> None:
    old = f"https://{desk}.tempo.co/read/{article_id}/{slug}"
    current = f"https://www.tempo.co/{rubric}/{slug}-{article_id}"
    assert url_key(old) == url_key(current) == url_key(url_key(old))


def test_a_key_rule_without_a_key_is_a_clear_error() -> None:
    entry = {"id": "contoh", "name": "Contoh", "domains": ["contoh.id"], "key_rules": [{"pattern": "^https://"}]}
    with pytest.raises(ValueError, match="contoh.*key_rules"):
        outlet_from_entry(entry)


def test_the_evaluation_shapes_label_these_forms_as_the_registry_does(tmp_path) -> None:
    from pipeline.evaluation.urls import evaluate

    listing = tmp_path / "forms.tsv"
    listing.write_text("outlet\turl\n" + "".join(f"{o}\t{u}\n" for o, u, _ in CASES), encoding="utf-8")
    report = evaluate(listing)
    assert not report.fixture_errors, report.uncovered + report.ambiguous
    assert sum(scores.articles for scores in report.outlets.values()) == sum(expected for _, _, expected in CASES)
    assert report.goal_met, report.as_dict()
