"""LOC spans beyond the kab/kota list: facilities, venues, kelurahan in lists, titles, and the people stage."""

from __future__ import annotations

import pytest
from spacy.tokens import Span

from pipeline.nlp.assembly import build_nlp


@pytest.fixture(scope="module")
def nlp():
    return build_nlp(stages=("pantau_places",))


@pytest.fixture(scope="module")
def full_nlp():
    return build_nlp(stages=("pantau_organizations", "pantau_people", "pantau_places"))


def loc_spans(nlp, text: str, organizations: list[tuple[int, int]] = (), people: list[tuple[int, int]] = ()) -> list[str]:
    doc = nlp.make_doc(text)
    doc._.dateline = None
    doc.spans["organizations"] = [Span(doc, start, end, label="ORG") for start, end in organizations]
    doc.spans["people"] = [Span(doc, start, end, label="PER") for start, end in people]
    return [span.text for span in nlp.get_pipe("pantau_places")(doc).spans["places"]]


def test_wali_kota_names_the_city_not_kota(nlp):
    doc_spans = loc_spans(nlp, "Wali Kota Surabaya Tri Rismaharini hadir di Kota Malang.")
    assert doc_spans == ["Surabaya", "Kota Malang"]


def test_a_level_word_in_lower_case_is_not_part_of_the_name(nlp):
    assert loc_spans(nlp, "Banjir melanda kota Medan dan kabupaten Deli Serdang.") == ["Medan", "Deli Serdang"]
    assert loc_spans(nlp, "Pemilihan di Kota Medan dan Kabupaten Deli Serdang.") == ["Kota Medan", "Kabupaten Deli Serdang"]


def test_facility_heads_and_venue_tails(nlp):
    assert loc_spans(nlp, "Laga digelar di Volkswagen Arena, Kamis.", organizations=[(3, 4)]) == ["Volkswagen Arena"]
    assert loc_spans(nlp, "Rapat di Gedung DPR berlangsung lama.", organizations=[(3, 4)]) == ["Gedung DPR"]
    # A person's name after a facility head is the facility's name.
    assert loc_spans(nlp, "Ia tiba di Bandara Soekarno-Hatta pagi ini.", people=[(4, 5)]) == ["Bandara Soekarno-Hatta"]
    # A region written after a kecamatan is a place of its own; a capitalised "Di" opens no venue.
    assert loc_spans(nlp, "Kecamatan Sawangan Kabupaten Magelang.") == ["Kecamatan Sawangan", "Kabupaten Magelang"]
    assert loc_spans(nlp, "Di Maluku City Mall ramai.") == ["Maluku City Mall"]
    # A head inside an organisation's name does not open a facility.
    assert loc_spans(nlp, "Museum Nasional Indonesia dibuka.", organizations=[(0, 3)]) == []


def test_kelurahan_after_a_cue_or_in_a_list_of_places(nlp):
    assert loc_spans(nlp, "Macet panjang di Cawang pagi ini.") == ["Cawang"]
    assert loc_spans(nlp, "Industri di Karawang, Cikampek, Purwakarta tumbuh.") == ["Karawang", "Cikampek", "Purwakarta"]
    assert loc_spans(nlp, "Rute Cibubur - Cawang dibuka.") == ["Cibubur", "Cawang"]
    # Without a cue or a neighbouring place, a kelurahan name alone is not claimed.
    assert loc_spans(nlp, "Cawang menjadi sorotan.") == []


def test_country_short_forms_and_us_states(nlp):
    assert loc_spans(nlp, "Presiden RI berkunjung ke Korea dan California.") == ["RI", "Korea", "California"]


def test_people_stage_leaves_place_names_alone(full_nlp):
    doc = full_nlp.make_doc("Proyek melewati Kelapa Gading hingga Kebayoran Lama, kata Paul Kagame.")
    doc._.dateline = None
    doc = full_nlp(doc)
    people = [span.text for span in doc.spans["people"]]
    assert "Paul Kagame" in people and not {"Kelapa Gading", "Kebayoran", "Kebayoran Lama"} & set(people)
    assert [span.text for span in doc.spans["places"]] == ["Kelapa Gading", "Kebayoran Lama"]


def test_a_region_governed_by_a_named_body_is_a_place_inside_an_organisation(full_nlp):
    doc = full_nlp.make_doc("Pemkot Surabaya dan Polda Jabar bekerja sama dengan Universitas Negeri Jakarta.")
    doc._.dateline = None
    doc = full_nlp(doc)
    assert [span.text for span in doc.spans["organizations"]][:2] == ["Pemkot Surabaya", "Polda Jabar"]
    # The region of a regional government or police body is a LOC span as well; a university's is not.
    assert [span.text for span in doc.spans["places"]] == ["Surabaya", "Jabar"]
    places = {place["name"]: place for place in doc._.places}
    assert places["Kota Surabaya"]["inside_organizations"] == ["Pemkot Surabaya"]
    assert places["Jawa Barat"]["inside_organizations"] == ["Polda Jabar"]
    assert places["DKI Jakarta"]["inside_organizations"] == ["Universitas Negeri Jakarta"]


def test_a_place_in_text_and_in_an_organisation_counts_both_mentions(full_nlp):
    doc = full_nlp.make_doc("Pemkot Bandung menggelar pelatihan di Bandung.")
    doc._.dateline = None
    bandung = next(place for place in full_nlp(doc)._.places if place["name"] == "Kota Bandung")
    assert bandung["mentions"] == 2 and bandung["inside_organizations"] == ["Pemkot Bandung"]


def test_unknown_names_after_a_locative_word(nlp):
    assert loc_spans(nlp, "Laga digelar di Parc des Princes, lalu tim bertolak ke Anfield.") == ["Parc des Princes", "Anfield"]
    # Events, bodies, months and common words after "di"/"ke" are not places; nor are acronyms (organisations).
    assert loc_spans(nlp, "Ia bermain di Liga Champions dan di Komisi II sejak Oktober, di Tengah kota, di DPR.") == []
    assert loc_spans(nlp, "Saham dilepas sekitar Oktober mendatang.") == []


def test_smaller_foreign_cities_need_a_cue(nlp):
    # Under 300 000 people and no Indonesian name: alone, more often a club or a person than the city.
    assert loc_spans(nlp, "Davenport harus menjalani laga berat melawan Wolfsburg.") == []
    assert loc_spans(nlp, "Ia lahir di Wolfsburg dan besar di Davenport, Amerika Serikat.") == ["Wolfsburg", "Davenport", "Amerika Serikat"]
    # Big cities need no cue.
    assert loc_spans(nlp, "Madrid dan Montreal menjadi tuan rumah.") == ["Madrid", "Montreal"]  # "Montréal" in geonames


def test_facility_names_with_particles_lower_case_heads_and_villages(nlp):
    assert loc_spans(nlp, "Laga di Stadion Parc des Princes dan Stadium of Light ramai.") == ["Stadion Parc des Princes", "Stadium of Light"]
    assert loc_spans(nlp, "Ia berada di jalan Medan Merdeka Barat.") == ["jalan Medan Merdeka Barat"]
    assert loc_spans(nlp, "Bantuan diserahkan di Desa Sanggeng, Manokwari.") == ["Desa Sanggeng", "Manokwari"]
    # "Desa" after a minister or a village head is part of a title.
    assert loc_spans(nlp, "Menteri Desa Marwan Jafar dan Kepala Desa Budi hadir.") == []


def test_civic_buildings_stay_places_inside_an_organisation(nlp):
    assert loc_spans(nlp, "Mereka berorasi di depan Balai Kota Surabaya.", organizations=[(4, 7)]) == ["Balai Kota Surabaya"]


def test_a_named_facility_is_no_person(full_nlp):
    # Every facility head of the places stage keeps the people stage off the name after it.
    doc = full_nlp.make_doc("Nelayan berjualan di Sentra Ikan Kedung, lalu mandi di Waduk Sarangan dan Gua Lawa, "
                            "kata Chairul Tanjung.")
    doc._.dateline = None
    doc = full_nlp(doc)
    assert [span.text for span in doc.spans["people"]] == ["Chairul Tanjung"]  # "Tanjung" is also a family name
    assert [span.text for span in doc.spans["places"]] == ["Sentra Ikan Kedung", "Waduk Sarangan", "Gua Lawa"]


def spans_of(full_nlp, text: str) -> tuple[list[str], list[str]]:
    doc = full_nlp.make_doc(text)
    doc._.dateline = None
    doc = full_nlp(doc)
    return [span.text for span in doc.spans["people"]], [span.text for span in doc.spans["places"]]


def test_names_listed_with_places_are_places(full_nlp):
    # After "dan" and a place, between a place and the next member, each member found joining the list for the next.
    assert spans_of(full_nlp, "Kapal singgah di Pulau Rambut, Tidung, Sebira, dan Bokor.") == \
        ([], ["Pulau Rambut", "Tidung", "Sebira", "Bokor"])
    assert spans_of(full_nlp, "Relawan dikirim ke Kashgar dan Yarkand pekan lalu.") == ([], ["Kashgar", "Yarkand"])
    assert spans_of(full_nlp, "Wabah menyebar di Liberia, Togolia dan Sierra Leone.") == \
        ([], ["Liberia", "Togolia", "Sierra Leone"])


def test_people_beside_places_stay_people(full_nlp):
    # An apposition after a place, a name opening a list before a place, a full name and a name ending a person's.
    assert spans_of(full_nlp, "Warga Bekasi, Andi, mengaku rugi.") == (["Andi"], ["Bekasi"])
    assert spans_of(full_nlp, "Klopp dan Liverpool menang besar.")[0] == ["Klopp"]
    assert spans_of(full_nlp, "Peraih hadiah berasal dari Swiss dan Kurt Wuthrich.")[0] == ["Kurt Wuthrich"]
    assert spans_of(full_nlp, "Gubernur Basuki Tjahaja Purnama atau Ahok hadir.")[0] == ["Basuki Tjahaja Purnama", "Ahok"]
