"""`pantau_people`: capitalised words that are not people, and place names that are (or are not) people."""

from __future__ import annotations

import pytest

import pipeline.extract.authors as authors
import pipeline.nlp.people as people_stage
from pipeline.names import ORGANIZATION_WORDS
from pipeline.nlp.assembly import build_nlp


@pytest.fixture(scope="module")
def nlp():
    return build_nlp(stages=("pantau_organizations", "pantau_people", "pantau_places"))


def people(nlp, text: str) -> list[str]:
    doc = nlp.make_doc(text)
    doc._.dateline = None
    return [span.text for span in nlp(doc).spans["people"]]


@pytest.mark.parametrize("text", [
    '"Ini akan sangat membantu," ujar Menhub saat acara Kompas100 CEO Forum, dikutip dari YouTube Harian Kompas.',
    "Ia menjadi pembicara di CEO Talk kemarin.",
    "Ia hadir dalam CEO Networking Night di Jakarta.",
    "Acara CEO Breakfast Meeting digelar di hotel itu.",
    "Ia bicara di Kompas CEO Dialogue pekan lalu.",
])
def test_an_event_named_after_a_job_title_is_not_a_person(nlp, text):
    # "Kompas100 CEO Forum" once gave a person "Forum" with the role "CEO".
    assert people(nlp, text) == []


def test_a_name_after_a_locative_word_is_a_place_not_a_person(nlp):
    doc = nlp("Laga digelar di Parc des Princes, sedangkan pria asal Meruya itu menonton di Anfield.")
    assert [span.text for span in doc.spans["people"]] == []
    assert [span.text for span in doc.spans["places"]] == ["Parc des Princes", "Meruya", "Anfield"]


def test_a_person_already_named_stays_a_person_after_a_locative_word(nlp):
    assert people(nlp, "Umpan Cristiano Ronaldo diteruskan ke Ronaldo lagi.") == ["Cristiano Ronaldo", "Ronaldo"]


def test_a_place_ending_a_run_of_capitalised_words_is_not_part_of_a_name(nlp):
    doc = nlp("Pengerjaan jalan dilanjutkan di depan Mapolda Jatim usai gelaran Sail Morotai.")
    assert "Jatim" in [span.text for span in doc.spans["places"]]
    assert not any("Jatim" in name or "Morotai" in name for name in [span.text for span in doc.spans["people"]])


@pytest.mark.parametrize(("text", "place"), [
    ("Angkatan Udara Jepang mengatakan pesawat itu jatuh di laut.", "Jepang"),
    ("Meski Prancis menolak, rancangan itu tetap disahkan.", "Prancis"),
    ("Ia diangkat menjadi Duta Wisata Malaysia tahun lalu.", "Malaysia"),
])
def test_everyday_words_then_a_place_are_not_a_person(nlp, text, place):
    doc = nlp(text)
    assert [span.text for span in doc.spans["people"]] == []
    assert place in [span.text for span in doc.spans["places"]]


def test_a_name_ending_in_a_place_name_stays_a_person(nlp):
    assert people(nlp, "Menurut Kapolri Badrodin Haiti, situasi sudah aman.") == ["Badrodin Haiti"]


def test_a_role_before_a_smaller_foreign_city_name_makes_it_a_person(nlp):
    # "Elizabeth" is a US city of 130 000 people: alone it needs a cue to be a place; after "Ratu" it is a queen.
    doc = nlp("Ratu Elizabeth menyapa warga.")
    assert [span.text for span in doc.spans["people"]] == ["Elizabeth"]
    assert [span.text for span in doc.spans["places"]] == []


def test_a_street_named_after_a_person_with_a_title_is_a_place(nlp):
    doc = nlp("Kemacetan terjadi di Jalan Gubernur Suryo pagi ini.")
    assert [span.text for span in doc.spans["people"]] == []
    assert [span.text for span in doc.spans["places"]] == ["Jalan Gubernur Suryo"]


# A name after the word, and the word after an honorific's name: the two places the people stage checks it.
ORGANIZATION_WORD_SENTENCES = ("Program itu dipuji {word} Arjuna Wibisono kemarin.", "Bapak Arjuna {word} hadir kemarin.")


@pytest.mark.parametrize("word", sorted(ORGANIZATION_WORDS))
def test_a_name_with_a_media_or_team_word_is_no_person_in_a_byline_nor_in_the_text(nlp, monkeypatch, word):
    # One list (pipeline/names.py) for the bylines of extraction and for this stage.
    written = word.upper() if len(word) <= 2 else word.title()
    texts = [sentence.format(word=written) for sentence in ORGANIZATION_WORD_SENTENCES]
    assert authors.person_names([f"Arjuna {written}"], set()) == []
    assert [people(nlp, text) for text in texts] == [[], []]

    # The shared list is what decides: without the word, both stages take the name for a person's.
    monkeypatch.setattr(authors, "NOT_A_PERSON_WORDS", authors.NOT_A_PERSON_WORDS - {word})
    monkeypatch.setattr(people_stage, "NOT_PERSON_WORDS", people_stage.NOT_PERSON_WORDS - {word})
    assert authors.person_names([f"Arjuna {written}"], set()) == [f"Arjuna {written}"]
    assert any(people(nlp, text) for text in texts)
