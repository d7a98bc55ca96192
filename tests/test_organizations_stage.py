"""`pantau_organizations` on short Indonesian news text."""

from __future__ import annotations

import pytest

from pipeline.nlp.assembly import build_nlp


@pytest.fixture(scope="module")
def nlp():
    return build_nlp(stages=("pantau_organizations",))


def organizations(nlp, text):
    return nlp(text)._.organizations


def test_every_form_of_a_ministry_counts_for_one_organisation(nlp):
    found = organizations(nlp, "Kominfo menggelar pelatihan. Kemenkominfo menyebut Kementerian Komunikasi dan "
                               "Informatika akan melanjutkannya.")
    assert found == [{"name": "Kementerian Komunikasi dan Informatika", "acronym": "Kominfo", "mentions": 3}]


def test_a_defined_acronym_links_later_bare_mentions(nlp):
    text = ("Asosiasi E-Commerce Indonesia (IdEA) mencatat kenaikan transaksi. Menurut IdEA, jumlah penjual "
            "daring terus bertambah.")
    doc = nlp(text)
    assert doc._.organizations == [{"name": "Asosiasi E-Commerce Indonesia", "acronym": "idEA", "mentions": 2}]
    assert [span.text for span in doc.spans["organizations"]] == ["Asosiasi E-Commerce Indonesia", "IdEA", "IdEA"]
    assert {span.label_ for span in doc.spans["organizations"]} == {"ORG"}


def test_an_unknown_organisation_defines_its_acronym_by_its_initials(nlp):
    found = organizations(nlp, "Lembaga Riset Siber Nusantara (LRSN) merilis laporan. LRSN juga menyoroti "
                               "Indonesia Cyberlaw Watch (ICLW). Laporan ICLW terbit Senin.")
    assert found == [
        {"name": "Lembaga Riset Siber Nusantara", "acronym": "LRSN", "mentions": 2},
        {"name": "Indonesia Cyberlaw Watch", "acronym": "ICLW", "mentions": 2},
    ]


def test_a_programme_in_parentheses_is_not_an_organisation(nlp):
    assert organizations(nlp, "Pemerintah menyalurkan Kartu Indonesia Pintar (KIP) kepada siswa.") == []


@pytest.mark.parametrize("text, name", [
    ("Dinas Komunikasi dan Informatika Kota Bandung membuka kelas.", "Dinas Komunikasi dan Informatika Kota Bandung"),
    ("Saham PT Sinar Jaya Abadi Tbk naik.", "PT Sinar Jaya Abadi Tbk"),
    ("Mahasiswa Universitas Negeri Gorontalo ikut serta.", "Universitas Negeri Gorontalo"),
    ("Komunitas Literasi Digital Kendari menggelar diskusi.", "Komunitas Literasi Digital Kendari"),
    ("Saat itu Shamrock Holdings membeli saham.", "Shamrock Holdings"),
])
def test_shape_rules_find_organisations_outside_the_lexicon(nlp, text, name):
    assert [org["name"] for org in organizations(nlp, text)] == [name]


def test_a_person_after_a_known_name_is_not_part_of_the_organisation(nlp):
    doc = nlp("Ketua Umum Partai Golkar Airlangga Hartarto hadir.")
    assert [span.text for span in doc.spans["organizations"]] == ["Partai Golkar"]
    assert doc._.organizations[0]["name"] == "Partai Golongan Karya"


def test_a_country_suffix_keeps_the_canonical_name(nlp):
    found = organizations(nlp, "Kementerian Komunikasi dan Informatika Republik Indonesia menerbitkan aturan.")
    assert found[0]["name"] == "Kementerian Komunikasi dan Informatika"


def test_lower_case_words_and_sentence_starters_are_not_organisations(nlp):
    assert organizations(nlp, "Kementerian terkait dan badan usaha diminta bekerja sama. Antara lain pasar.") == []


def test_platforms_state_companies_and_outlets_are_found(nlp):
    found = organizations(nlp, "Pengguna WhatsApp, Tokopedia dan Shopee dilatih Telkom, BRI dan Mafindo, "
                               "seperti dilaporkan Kompas.com.")
    assert [org["name"] for org in found] == [
        "WhatsApp", "Tokopedia", "Shopee", "PT Telkom Indonesia (Persero) Tbk",
        "PT Bank Rakyat Indonesia (Persero) Tbk", "Masyarakat Anti Fitnah Indonesia", "Kompas.com"]


@pytest.mark.parametrize("text", ["", "   ", "\u200b\u200b", "ＫＯＭＩＮＦＯ", "(((IdEA", "PT", "Badan (", "x" * 5000])
def test_odd_input_gives_no_crash(nlp, text):
    assert isinstance(organizations(nlp, text), list)


def test_a_megabyte_of_text_is_handled(nlp):
    text = "Kominfo dan Asosiasi E-Commerce Indonesia (IdEA) bekerja sama dengan UMKM di seluruh Indonesia. " * 10_000
    found = organizations(nlp, text[:1_000_000])
    assert found[0]["mentions"] > 9000


def test_a_country_named_with_a_head_word_is_no_organisation(nlp):
    # "Serikat" heads unions ("Serikat Pekerja"), but ends "Amerika Serikat": the country, its acronym and the name after
    # it are no organisation; a union is still one.
    doc = nlp("Menteri Luar Negeri Amerika Serikat Antony Blinken dan Duta Besar Amerika Serikat (AS) tiba. "
              "Serikat Petani Lampung menolak.")
    assert [span.text for span in doc.spans["organizations"]] == ["Serikat Petani Lampung"]
