"""LOC spans beyond the kab/kota list: facilities, venues, kelurahan in lists, titles, and the people stage."""

from __future__ import annotations

import pytest
from spacy.tokens import Span

from models.nlp import build_nlp


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
