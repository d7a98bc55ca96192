"""The pantau_statistics component: units, subjects, sources, what is not a statistic, and bad input."""

from __future__ import annotations

import pytest
import spacy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import pipeline.nlp  # noqa: F401  (Doc extensions)
import pipeline.nlp.statistics  # noqa: F401  (registers the factory)
from pipeline.nlp.statistics import find_statistics

ARTICLE = (
    "JAKARTA, KOMPAS.com - Hasil survei yang dilakukan Asosiasi E-Commerce Indonesia (IdEA) menunjukkan bahwa "
    "hanya 16 persen UKM yang berjualan dengan memanfaatkan marketplace. Survei itu melibatkan 1.800 responden "
    "di 15 kota, Senin (3/11/2014).\n"
    "Pemerintah menganggarkan subsidi BBM sekitar Rp 246,5 triliun pada 2015, kata Menteri Keuangan pukul 10.00 WIB.\n"
    "Menurut data BPS, jumlah penduduk miskin mencapai 26,4 juta orang atau 9,5 persen dari total penduduk."
)


@pytest.fixture(scope="module")
def nlp():
    nlp = spacy.blank("id")
    nlp.add_pipe("pantau_statistics")
    return nlp


def statistics(nlp, text):
    return nlp(text)._.statistics


def by_raw(nlp, text):
    return {statistic["raw"]: statistic for statistic in statistics(nlp, text)}


def test_article_statistics_in_order_with_units_subjects_and_sources(nlp):
    found = statistics(nlp, ARTICLE)
    assert [s["raw"] for s in found] == [
        "16 persen", "1.800 responden", "15 kota", "Rp 246,5 triliun", "26,4 juta orang", "9,5 persen",
    ]
    percent, respondents, cities, budget, poor, share = found
    assert (percent["value"], percent["unit"]) == (16.0, "percent")
    assert percent["subject"] == "UKM yang berjualan dengan memanfaatkan marketplace"
    assert percent["source"] == "Asosiasi E-Commerce Indonesia"
    assert percent["sentence"].startswith("JAKARTA, KOMPAS.com - Hasil survei") and percent["sentence"].endswith("marketplace.")
    # "Survei itu" points back at the survey named in the sentence before.
    assert (respondents["value"], respondents["unit"], respondents["source"]) == (1800.0, "responden", "Asosiasi E-Commerce Indonesia")
    assert (cities["value"], cities["unit"]) == (15.0, "kota")
    assert (budget["value"], budget["unit"], budget["qualifier"]) == (2.465e14, "IDR", "sekitar")
    assert budget["subject"] == "subsidi BBM" and budget["source"] is None
    assert (poor["value"], poor["unit"], poor["source"]) == (26.4e6, "orang", "BPS")
    assert poor["subject"] == "penduduk miskin"  # a classifier ("orang") sends the subject search backwards
    assert (share["unit"], share["subject"], share["source"]) == ("percent", "total penduduk", "BPS")
    assert all(set(s) == {"value", "unit", "raw", "subject", "sentence", "source", "value_max", "qualifier"} for s in found)


@pytest.mark.parametrize(("text", "raw", "value", "unit"), [
    ("Harga tiket Rp750 ribu per orang.", "Rp750 ribu per orang", 750_000, "IDR"),
    ("Hadiahnya 750 ribu rupiah.", "750 ribu rupiah", 750_000, "IDR"),
    ("Google menyiapkan 2,5 juta dolar AS untuk program itu.", "2,5 juta dolar AS", 2.5e6, "USD"),
    ("Investasi sebesar US$ 3 miliar masuk tahun ini.", "US$ 3 miliar", 3e9, "USD"),
    ("Pesertanya sebanyak 1.200 peserta.", "1.200 peserta", 1200, "peserta"),
    ("Program ini menjangkau 500 UKM di Bandung.", "500 UKM", 500, "UKM"),
    ("Kuota dipangkas menjadi 46 juta KL tahun depan.", "46 juta KL", 46e6, "KL"),
    ("Tingkat inflasi naik 2,5% pada kuartal ketiga.", "2,5%", 2.5, "percent"),
    ("Sebanyak tiga juta warga menerima bantuan.", "tiga juta warga", 3e6, "warga"),
    ("Setengah responden belum pernah belanja daring.", "Setengah responden", 0.5, "responden"),
    ("Ruas jalan sepanjang 2.000 Kilometer dibangun.", "2.000 Kilometer", 2000, "Kilometer"),
])
def test_units(nlp, text, raw, value, unit):
    statistic = by_raw(nlp, text)[raw]
    assert (statistic["value"], statistic["unit"]) == (value, unit)


def test_ranges_and_qualifiers(nlp):
    found = by_raw(nlp, "Harga langsat dipatok Rp 4-6 ribu per kg, naik 10 hingga 15 persen, dengan lebih dari 49 persen pedagang.")
    langsat = found["Rp 4-6 ribu per kg"]
    assert (langsat["value"], langsat["value_max"], langsat["unit"], langsat["subject"]) == (4000, 6000, "IDR", "Harga langsat")
    assert (found["10 hingga 15 persen"]["value"], found["10 hingga 15 persen"]["value_max"]) == (10, 15)
    assert found["49 persen"]["qualifier"] == "lebih dari" and found["49 persen"]["subject"] == "pedagang"


def test_vague_amounts(nlp):
    statistic = by_raw(nlp, "Ratusan orang tewas dalam kerusuhan itu.")["Ratusan orang"]
    assert (statistic["value"], statistic["qualifier"], statistic["unit"]) == (100, "ratusan", "orang")


@pytest.mark.parametrize("text", [
    "Acara digelar Kamis, 28 Agustus 2014.",
    "Rapat dimulai pukul 10.00 WIB dan selesai 14:30.",
    "Jakarta, Selasa (2/12/2014).",
    "Hal itu diatur dalam Pasal 27 ayat 3 UU Nomor 11 Tahun 2008.",
    "Hubungi 0812-3456-7890 atau (021) 555 1234.",
    "Baca di https://kompas.com/read/2023/11/02/123456/berita-ini.",
    "Jaringan 4G dan 5G menjangkau desa, kata Boeing 737 yang mendarat.",
    "Versi 1.2.3 dirilis, begitu pula Revolusi Industri 4.0.",
    "Ia berada di urutan ke-3 dan peringkat 5 pada pemilu 2014.",
    "Kantor di lantai 3, halaman 12.",
    "Harganya Rp saja.",
    "Salah satu peserta datang dari Lima, Peru, bersama satu-satunya pelatih.",
    "Dalam satu pernyataan, militer menyebut serangan itu.",
    "Sejak 2009 program berjalan hingga 2019.",
])
def test_not_statistics(nlp, text):
    assert statistics(nlp, text) == []


def test_source_from_organisation_spans(nlp):
    doc = nlp.make_doc("Menurut riset Google, Temasek dan Bain, ekonomi digital mencapai 77 miliar dolar AS.")
    doc.spans["organizations"] = [doc.char_span(14, 20, label="ORG")]
    statistic = nlp.get_pipe("pantau_statistics")(doc)._.statistics[0]
    assert (statistic["unit"], statistic["source"]) == ("USD", "Google")


def test_source_fallback_without_organisation_stage():
    (statistic, _), = find_statistics("Berdasarkan data Badan Pusat Statistik (BPS), 9,5 persen penduduk miskin.")
    assert statistic["source"] == "Badan Pusat Statistik"


def test_no_source_without_attribution(nlp):
    assert statistics(nlp, "Sebanyak 20 peserta dari Google hadir.")[0]["source"] is None


def test_statistic_spans_for_evaluation(nlp):
    doc = nlp("Sebanyak 1.800 responden ikut.")
    assert [(span.text, span.label_) for span in doc.spans["statistics"]] == [("1.800 responden", "QUANTITY")]


# ----------------------------------------------------------------------------- bad input

@pytest.mark.parametrize("text", [
    "", " ", "\n\n", "The quick brown fox jumps over the lazy dog.", "Rp", "Rp.", "1.2.3", "%", "persen",
    "\u200b\u200b\u00a0", "“”‘’", "Rp\u00a0", "1\u200b000", "— – -", "(((((", "0" * 200, "9" * 5000,
])
def test_odd_input_does_not_crash_or_invent(nlp, text):
    assert all(s["raw"].strip() for s in statistics(nlp, text))
    if text in {"", " ", "Rp", "Rp.", "1.2.3", "%", "persen", "0" * 200, "9" * 5000}:
        assert statistics(nlp, text) == []


def test_odd_unicode_around_real_numbers(nlp):
    text = "Sebanyak\u00a01.800\u00a0responden\u200b ikut “survei” ini, dan 16\u00a0persen UKM berjualan."
    found = statistics(nlp, text)
    assert [(s["value"], s["unit"]) for s in found] == [(1800, "responden"), (16, "percent")]


def test_one_megabyte_of_text(nlp):
    paragraph = "Survei IdEA melibatkan 1.800 responden di 15 kota pada 2019, dan 16 persen UKM berjualan daring. "
    text = paragraph * (1_000_000 // len(paragraph))
    found = statistics(nlp, text)
    assert len(found) == 3 * (1_000_000 // len(paragraph))
    assert {s["unit"] for s in found} == {"responden", "kota", "percent"}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(alphabet=st.sampled_from(list("0123456789.,/-%:+()$ \u00a0\u200bRpjutaribusenhgkM\n")), max_size=80))
def test_hypothesis_number_like_noise(nlp, text):
    for statistic in statistics(nlp, text):
        assert isinstance(statistic["value"], float)
        assert statistic["value"] == statistic["value"]  # not NaN
        assert statistic["value_max"] is None or statistic["value_max"] > statistic["value"]
        assert statistic["raw"] and statistic["raw"] in " ".join(text.split())
        assert isinstance(statistic["unit"], str)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=200))
def test_hypothesis_any_unicode(nlp, text):
    for statistic in statistics(nlp, text):
        assert isinstance(statistic["value"], float) and statistic["sentence"]


@pytest.fixture(scope="module")
def nlp_with_organisations():
    from pipeline.nlp.assembly import build_nlp

    return build_nlp(stages=("pantau_organizations", "pantau_statistics"))


@pytest.mark.parametrize(("text", "raw", "source"), [
    ("Berdasarkan pendataan Dinas Koperasi Jawa Timur, sebanyak 12.000 UMKM sudah berjualan daring.",
     "12.000 UMKM", "Dinas Koperasi Jawa Timur"),
    ("Menurut data Badan Pusat Statistik, 9,4 persen penduduk desa masih miskin.", "9,4 persen", "Badan Pusat Statistik"),
    ("Data Badan Pusat Statistik (BPS) menunjukkan 27 juta warga bekerja di sektor informal.", "27 juta warga",
     "Badan Pusat Statistik"),
    ("Survei yang dilakukan Katadata Insight Center menemukan 45 persen responden belanja daring tiap pekan.",
     "45 persen", "Katadata Insight Center"),
    ("Hasil riset Google, Temasek, dan Bain menyebut nilai ekonomi digital mencapai 77 miliar dolar AS.",
     "77 miliar dolar AS", "Google"),
    ("Berdasarkan catatan Polda Metro Jaya, sepanjang tahun lalu terjadi 3.400 kasus penipuan daring.", "3.400 kasus",
     "Polda Metro Jaya"),
])
def test_a_source_named_before_the_figure(nlp_with_organisations, text, raw, source):
    found = {statistic["raw"]: statistic for statistic in nlp_with_organisations(text)._.statistics}
    assert found[raw]["source"] == source


def test_a_figure_pointing_back_takes_the_source_of_the_sentence_before(nlp_with_organisations):
    text = ("Berdasarkan catatan Polda Metro Jaya, sepanjang tahun lalu terjadi 3.400 kasus penipuan daring. "
            "Angka itu naik 20 persen dari tahun sebelumnya. Sementara itu harga cabai naik 5 persen.")
    found = {statistic["raw"]: statistic["source"] for statistic in nlp_with_organisations(text)._.statistics}
    assert found == {"3.400 kasus": "Polda Metro Jaya", "20 persen": "Polda Metro Jaya", "5 persen": None}
