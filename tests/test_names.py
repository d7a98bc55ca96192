"""One list of the words of a media or team name (pipeline/names.py), read by both stages that look for people."""

from __future__ import annotations

import pytest

import pipeline.extract.authors as authors
import pipeline.nlp.people as people_stage
from pipeline.names import ORGANIZATION_WORDS
from pipeline.nlp.assembly import build_nlp

# A name after the word, and the word after an honorific's name: the two places the people stage checks it.
SENTENCES = ("Program itu dipuji {word} Arjuna Wibisono kemarin.", "Bapak Arjuna {word} hadir kemarin.")


@pytest.fixture(scope="module")
def nlp():
    return build_nlp(stages=("pantau_organizations", "pantau_people", "pantau_places"))


def people(nlp, text: str) -> list[str]:
    doc = nlp.make_doc(text)
    doc._.dateline = None
    return [span.text for span in nlp(doc).spans["people"]]


@pytest.mark.parametrize("word", sorted(ORGANIZATION_WORDS))
def test_a_name_with_a_media_or_team_word_is_no_person_in_a_byline_nor_in_the_text(nlp, monkeypatch, word):
    written = word.upper() if len(word) <= 2 else word.title()
    texts = [sentence.format(word=written) for sentence in SENTENCES]
    assert authors.person_names([f"Arjuna {written}"], set()) == []
    assert [people(nlp, text) for text in texts] == [[], []]

    # The shared list is what decides: without the word, both stages take the name for a person's.
    monkeypatch.setattr(authors, "NOT_A_PERSON_WORDS", authors.NOT_A_PERSON_WORDS - {word})
    monkeypatch.setattr(people_stage, "NOT_PERSON_WORDS", people_stage.NOT_PERSON_WORDS - {word})
    assert authors.person_names([f"Arjuna {written}"], set()) == [f"Arjuna {written}"]
    assert any(people(nlp, text) for text in texts)
