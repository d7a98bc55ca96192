"""How much of the text a place's LOC span covers: province words, compass words, names of companies and papers that
open with a place, acronyms defined in brackets, and place names that hold a misread person."""

from __future__ import annotations

import pytest
from spacy.tokens import Span

from pipeline.nlp.assembly import build_nlp


@pytest.fixture(scope="module")
def nlp():
    return build_nlp(stages=("pantau_places",))


def run(nlp, text: str, organizations: list[tuple[int, int]] = (), people: list[tuple[int, int]] = ()):
    doc = nlp.make_doc(text)
    doc._.dateline = None
    doc.spans["organizations"] = [Span(doc, start, end, label="ORG") for start, end in organizations]
    doc.spans["people"] = [Span(doc, start, end, label="PER") for start, end in people]
    return nlp.get_pipe("pantau_places")(doc)


def loc_spans(nlp, text: str, **kwargs) -> list[str]:
    doc = run(nlp, text, **kwargs)
    return [span.text for span in doc.spans["places"]]


def test_a_province_is_named_without_the_word_provinsi(nlp):
    doc = run(nlp, "Banjir merendam tiga desa di Provinsi Jawa Tengah dan Kabupaten Grobogan sejak Senin.")
    # A kabupaten's official name holds "Kabupaten"; a province's name is the name alone.
    assert [span.text for span in doc.spans["places"]] == ["Jawa Tengah", "Kabupaten Grobogan"]
    province = next(place for place in doc._.places if place["level"] == "province")
    assert province["name"] == "Jawa Tengah" and province["surface"] == ["Jawa Tengah"]
    # The word alone, after "di", is not taken for an unknown place either.
    assert loc_spans(nlp, "Rapat koordinasi digelar di provinsi Sulawesi Tengah pekan lalu.") == ["Sulawesi Tengah"]


def test_a_province_governed_by_a_named_body(nlp):
    text = "Pemerintah Provinsi Jawa Barat menyiapkan anggaran pelatihan digital."
    doc = run(nlp, text, organizations=[(0, 4)])
    assert [span.text for span in doc.spans["places"]] == ["Jawa Barat"]
    assert doc._.places[0]["inside_organizations"] == ["Pemerintah Provinsi Jawa Barat"]


def test_a_place_that_opens_a_company_paper_or_club_name_is_not_a_place(nlp):
    text = "Analis Texas Instruments dan wartawan Korea Times hadir di Bandung bersama pemain Bali United."
    assert loc_spans(nlp, text) == ["Bandung"]
    assert [place["name"] for place in run(nlp, text)._.places] == ["Kota Bandung"]
    # Nor is the company's name an unknown place after "di".
    assert loc_spans(nlp, "Ia bekerja di Texas Instruments sejak 2010.") == []
    # The same names followed by ordinary words are places.
    assert loc_spans(nlp, "Ia pernah tinggal di Texas dan Korea sebelum pindah ke Bali.") == ["Texas", "Korea", "Bali"]


def test_compass_words_and_metropolitan_areas_belong_to_the_name(nlp):
    assert loc_spans(nlp, "Wabah itu menyebar cepat di Afrika Barat dan menjangkau Sumatera Timur.") == [
        "Afrika Barat", "Sumatera Timur"]
    doc = run(nlp, "Kemacetan di Bandung Raya makin parah menjelang libur panjang.")
    assert [span.text for span in doc.spans["places"]] == ["Bandung Raya"]
    assert [(place["name"], place["surface"]) for place in doc._.places] == [("Kota Bandung", ["Bandung Raya"])]
    # A lower-case direction is not part of the name; regions written with one stay whole forms of their own.
    assert loc_spans(nlp, "Hujan deras turun di Jerman bagian utara dan Jawa Barat.") == ["Jerman", "Jawa Barat"]


def test_places_known_by_several_names(nlp):
    doc = run(nlp, "Delegasi itu bertolak dari Washington DC menuju Makkah lewat kawasan Asia-Pasifik.")
    assert [span.text for span in doc.spans["places"]] == ["Washington DC", "Makkah", "Asia-Pasifik"]
    assert [place["name"] for place in doc._.places] == ["Washington DC", "Mekkah", "Asia Pasifik"]


def test_city_names_used_for_other_things_are_not_places(nlp):
    assert loc_spans(nlp, "Film Batman v Superman dibahas di grup penggemar, sementara van pengiriman tertahan.") == []
    assert loc_spans(nlp, "Saham perusahaan itu dicatatkan di Bursa Efek Indonesia.", organizations=[(5, 8)]) == []
    assert loc_spans(nlp, "Pemain itu tampil buruk di Bundesliga musim ini.") == []


def test_an_acronym_defined_for_a_place_is_a_place_wherever_it_is_used(nlp):
    text = "Pameran digelar di Taman Mini Indonesia Indah (TMII), Jakarta. Pengunjung TMII diminta naik kereta."
    assert loc_spans(nlp, text) == ["Taman Mini Indonesia Indah", "TMII", "Jakarta", "TMII"]
    assert loc_spans(nlp, "Laga digelar di Stadion Utama Gelora Bung Karno (SUGBK) di Jakarta Pusat.") == [
        "Stadion Utama Gelora Bung Karno", "SUGBK", "Jakarta Pusat"]
    # Brackets that do not abbreviate the place: a news agency's credit, an unrelated acronym.
    text = "Jakarta Selatan (ANTARA) - Warga Taman Sari (KTP) antre."
    assert loc_spans(nlp, text) == ["Jakarta Selatan", "Taman Sari"]


def test_a_place_name_holding_a_misread_person_is_the_place(nlp):
    # The people stage took "Angeles" and "Ampat" for people; a person's name is never part of a longer place name.
    assert loc_spans(nlp, "Los Angeles - Studio itu membuka taman baru.", people=[(1, 2)]) == ["Los Angeles"]
    assert loc_spans(nlp, "Wisatawan kembali ramai di Raja Ampat pekan ini.", people=[(5, 6)]) == ["Raja Ampat"]
    # A person whose name holds a place name keeps it: "Bima Arya" is not Bima.
    assert loc_spans(nlp, "Bima Arya meninjau pasar baru di Bogor.", people=[(0, 2)]) == ["Bogor"]
    # A place name that needs a cue is never taken back from a person, even inside a longer span.
    assert loc_spans(nlp, "Agam Rinjani memandu pendakian.", people=[(0, 1)]) == []


def test_named_eateries_hamlets_dams_and_sites_are_places(nlp):
    text = "Diskusi digelar di Warung Tekko, lalu rombongan meninjau Waduk Jatiluhur dan Situs Trowulan."
    assert loc_spans(nlp, text) == ["Warung Tekko", "Waduk Jatiluhur", "Situs Trowulan"]
    assert loc_spans(nlp, "Warga Dukuh Sumberejo mengungsi ke balai desa.") == ["Dukuh Sumberejo"]
    # "Pura" in a company's name is not a temple.
    assert loc_spans(nlp, "Direktur Angkasa Pura II menyambut rombongan.") == []


def test_a_form_written_with_spaces_around_its_hyphen_is_the_same_place(nlp):
    doc = run(nlp, "Penghargaan tingkat Asia - Pasifik itu diterima wali kota.")
    assert [span.text for span in doc.spans["places"]] == ["Asia - Pasifik"]
    assert [place["name"] for place in doc._.places] == ["Asia Pasifik"]


def test_a_venue_named_with_of_owns_the_name_after_it_and_a_mayors_office_is_not_cut_short(nlp):
    # The people stage read "Light" as a person; the venue keeps its whole name.
    assert loc_spans(nlp, "Tim tamu menang 2-0 di Stadium of Light, Minggu.", people=[(9, 10)]) == ["Stadium of Light"]
    assert loc_spans(nlp, "Rapat digelar di Kantor Wali Kota Jayapura, Jumat.") == ["Jayapura"]


def test_an_unknown_name_after_a_lower_case_region_word_is_a_place(nlp):
    assert loc_spans(nlp, "Wabah itu menyebar di provinsi Equateur dan negara bagian Brandenburg.") == [
        "Equateur", "Brandenburg"]


def test_kiloliters_homeland_and_plenaries_are_not_places(nlp):
    text = "Kuota BBM turun dari 48 juta KL menjadi 46 juta KL, diputuskan di Paripurna DPR demi Tanah Air."
    assert loc_spans(nlp, text, organizations=[(15, 16)]) == []
