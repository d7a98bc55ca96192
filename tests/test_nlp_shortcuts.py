"""The NLP stages' speed shortcuts give exactly what the plain forms they replace give.

Each shortcut is compared with the straightforward code it stands for (a regular expression searched at
every position, `Pattern.finditer`, `Doc.text`), on hand-picked cases and on generated text.
"""

from __future__ import annotations

import re

import pytest
import spacy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from spacy.symbols import ORTH

from models.organizations import load_lexicon
from pipeline.nlp import doc_text, make_doc, pattern_docs
from pipeline.nlp.numbers import _QUALIFIER_BEFORE, QUALIFIERS, _qualifier_before
from pipeline.nlp.organizations import OrganizationRecognizer, _alternation
from pipeline.nlp.statistics import _last_word, _word_just_before

WORD = r"[^\W\d_][\w'’-]*"
# The forward searches the statistics stage used to run on the 40 characters before each number.
LAST_WORD_SEARCH = re.compile(r"(" + WORD + r")\.?\s*[,(]?\s*$")
WORD_JUST_BEFORE_SEARCH = re.compile(r"(" + WORD + r")\.?\s*$")

# Characters that exercise the word, full-stop, comma, bracket and space rules (NBSP and a newline included).
WINDOW_ALPHABET = "aZé1_-'’., (\n\u00a0#"


@pytest.fixture(scope="module")
def nlp():
    nlp = spacy.blank("id")
    nlp.tokenizer.add_special_case("Kab.", [{ORTH: "Kab."}])
    return nlp


@pytest.mark.parametrize("window", [
    "", " ", "Kamis, ", "Selasa (", "pasal ", "No. ", "Jl. ", "ke-", "2014 ", "berusia ", "Budi  ,  ", "x'y-z. ",
    "kata  (\n", "12abc ", "-abc", "abc..", "abc+\n", "Rp. ", "dari\u00a0",
])
def test_last_word_is_the_word_the_forward_search_finds(window):
    forward = LAST_WORD_SEARCH.search(window)
    assert _last_word(window) == (forward[1] if forward else None)
    forward = WORD_JUST_BEFORE_SEARCH.search(window)
    assert _word_just_before(window) == ((forward[1], forward.start(1)) if forward else None)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=WINDOW_ALPHABET, max_size=40))
def test_last_word_matches_the_forward_search_on_any_window(window):
    forward = LAST_WORD_SEARCH.search(window)
    assert _last_word(window) == (forward[1] if forward else None)
    forward = WORD_JUST_BEFORE_SEARCH.search(window)
    assert _word_just_before(window) == ((forward[1], forward.start(1)) if forward else None)


@pytest.fixture(scope="module")
def organizations(nlp):
    return OrganizationRecognizer(nlp, load_lexicon(None))


def plain_tail_pattern() -> re.Pattern[str]:
    """The tail pattern as first written: tried at every capitalised word of the text."""
    tails = _alternation(load_lexicon(None).shapes.tail_heads)
    return re.compile(rf"(?<![\w-])(?:[A-Z][\w'’]*(?:-[\w'’]+)*\s+){{1,5}}(?:{tails})(?![\w])")


TAIL_TEXT_WORDS = ["Bank", "Group", "Shamrock", "Holdings", "Digital Indonesia", "(Walt", "Disney", "Company", "kata",
                   "O'Neil", "Bar-Baz", "Inc.", "Center", "\n", "  ", "-", "A", "Ltd", "yang"]


@pytest.mark.parametrize("text", [
    "Saham Shamrock Holdings naik, kata CIO Walt Disney Company.",
    "Indonesia Corruption Watch dan Bank Central Asia Tbk bekerja sama dengan Alpha Beta Gamma Delta Epsilon Group.",
    "One Two Three Four Five Six Seven Bank dan (Kredit Bank) serta Hye-kyo Foundation",
    ("Xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" * 8 + " ") * 6 + "Bank",
    "", "Bank", " Bank", "kecil Bank",
])
def test_tail_names_are_what_finditer_finds(organizations, text):
    expected = [match.span() for match in plain_tail_pattern().finditer(text)]
    assert [match.span() for match in organizations._tail_matches(text)] == expected


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(TAIL_TEXT_WORDS), max_size=16), st.lists(st.sampled_from([" ", "  ", "\n", ""]), min_size=16, max_size=16))
def test_tail_names_match_finditer_on_generated_text(organizations, words, separators):
    text = "".join(word + separator for word, separator in zip(words, separators))
    expected = [match.span() for match in plain_tail_pattern().finditer(text)]
    assert [match.span() for match in organizations._tail_matches(text)] == expected


def test_pattern_docs_tokenise_like_the_tokenizer_and_leave_its_cache_size(nlp):
    forms = ["Kab. Bogor", "Kota Yogyakarta", "Asosiasi E-Commerce Indonesia (IdEA)", "PT Telkom Indonesia (Persero) Tbk"]
    size = nlp.tokenizer.max_cache_size
    docs = pattern_docs(nlp, forms)
    assert nlp.tokenizer.max_cache_size == size
    assert [[token.text for token in doc] for doc in docs] == [[token.text for token in nlp.make_doc(form)] for form in forms]
    assert [token.text for token in docs[0]] == ["Kab.", "Bogor"]


@pytest.mark.parametrize("text", ["", "  Jakarta\u00a0–\u200b “kata” Budi.\n\nRp 5 juta  ", "x " * 300])
def test_make_doc_keeps_exactly_the_text_spacy_rebuilds(nlp, text):
    doc = make_doc(nlp, text, "JAKARTA")
    assert doc_text(doc) == doc.text == text
    assert doc._.dateline == "JAKARTA"


QUALIFIER_PIECES = [*QUALIFIERS, *(q.upper() for q in QUALIFIERS), "Lebih  Dari", "di", "(", "“", "\n", "\u00a0", "ſekitar",
                    "mİnimal", "1", "x"]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(QUALIFIER_PIECES), max_size=6), st.sampled_from([" ", "", "  ", "\n", "\u00a0"]))
def test_qualifier_before_a_number_is_what_the_search_finds(pieces, gap):
    text = " ".join(pieces) + gap + "5 ribu"
    start = len(text) - len("5 ribu")
    expected = _QUALIFIER_BEFORE.search(text, max(0, start - 30), start)
    found = _qualifier_before(text, start)
    assert (found and found.span()) == (expected and expected.span())
