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
    text = "".join(word + separator for word, separator in zip(words, separators, strict=False))
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


# --------------------------------------------------------------------------- phrase tables


@pytest.fixture(scope="module")
def phrase_patterns(nlp):
    """(label, pattern Doc) pairs: every organisation surface form and every 25th gazetteer form (overlapping
    forms such as "Bogor", "Kab. Bogor", "Kota Bogor" included), tokenised like articles."""
    from pipeline.nlp.places import load_gazetteer

    pairs = [(entry.name, form) for entry in load_lexicon(None).entries for form in entry.surface_forms()]
    forms = sorted(load_gazetteer().form_texts())
    pairs += [(form, form) for form in forms[::25]]
    pairs += [(form, form) for form in forms if form.endswith("Bogor") or form.startswith("Jawa")]
    # One token sequence under two labels, written alike: the tables must report both, like spaCy's matcher.
    pairs += [("Bogor (kota)", "Bogor"), ("Bogor (kabupaten)", "Bogor")]
    return [(label, doc) for (label, _), doc in zip(pairs, pattern_docs(nlp, [form for _, form in pairs]), strict=True)]


def phrase_texts() -> list[str]:
    import json
    from pathlib import Path

    corpus = Path(__file__).resolve().parents[1] / "crawlers" / "replay" / "corpus" / "articles"
    return ["\n".join(json.loads(path.read_text(encoding="utf-8"))["paragraphs"]) for path in sorted(corpus.glob("*.json"))]


@pytest.fixture(scope="module")
def phrase_matchers(nlp, phrase_patterns):
    """attr -> (spaCy PhraseMatcher, PhraseTable, PhraseTable saved and read back) over the same patterns."""
    from spacy.matcher import PhraseMatcher

    from pipeline.nlp.phrases import PhraseTable

    built = {}
    for attr in ("ORTH", "LOWER"):
        matcher, table = PhraseMatcher(nlp.vocab, attr=attr), PhraseTable(attr)
        for label, doc in phrase_patterns:
            matcher.add(label, [doc])
            table.add(label, [doc])
        built[attr] = (matcher, table, PhraseTable().from_bytes(table.to_bytes()))
    return built


@pytest.mark.parametrize("attr", ["ORTH", "LOWER"])
def test_a_phrase_table_finds_what_spacys_phrase_matcher_finds(nlp, phrase_matchers, attr):
    matcher, table, restored = phrase_matchers[attr]
    texts = phrase_texts() + ["Kab. Bogor, Kota Bogor dan Bogor; KOMINFO, kominfo, Kominfo.", "", "Bogor"]
    found = 0
    for text in texts:
        doc = nlp.make_doc(text)
        expected = matches(matcher(doc, as_spans=True))
        assert matches(table(doc)) == expected
        assert matches(restored(doc)) == expected
        found += len(expected[1])
    assert found > 300 and len(restored) == len(table) > 4000
    assert table.shared_sequences()  # e.g. lower-cased "Kabupaten Bogor" and "kabupaten Bogor": compared as sets above


def matches(spans) -> tuple[list[tuple[int, int]], list[tuple[int, int, str]]]:
    """Where matches are, in order, and what they are; labels of one sequence may come in another order."""
    found = [(span.start, span.end, span.label_) for span in spans]
    return [(start, end) for start, end, _ in found], sorted(found)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(["Kab.", "Kota", "Bogor", "Jawa", "Barat", "Tengah", "Kementerian", "Komunikasi", "dan",
                                 "Informatika", "kominfo", "Kominfo", "(", ")", ",", "di", "KOTA", "bogor"]), max_size=14))
def test_a_phrase_table_matches_the_phrase_matcher_on_generated_text(nlp, phrase_matchers, words):
    doc = nlp.make_doc(" ".join(words))
    for matcher, table, _ in phrase_matchers.values():
        assert matches(table(doc)) == matches(matcher(doc, as_spans=True))


# --------------------------------------------------------------------------- the tokenizer's prefix search


PREFIX_ALPHABET = "<>/ab(\"'$€%#&@.-–—…:;,!?¿¡“”‘’«»[]{}*+=_~^|\\ Kk1234567890\u00a0\n"


@pytest.fixture(scope="module")
def prefix_regexes():
    from spacy.lang.id import Indonesian
    from spacy.util import compile_prefix_regex

    from pipeline.nlp.assembly import prefix_regex

    return compile_prefix_regex(Indonesian.Defaults.prefixes), prefix_regex(Indonesian.Defaults.prefixes)


@settings(max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(alphabet=PREFIX_ALPHABET, max_size=24))
def test_the_faster_prefix_search_finds_what_spacys_finds(prefix_regexes, text):
    spacy_regex, ours = prefix_regexes
    expected, found = spacy_regex.search(text), ours.search(text)
    assert (found and found.span()) == (expected and expected.span())


@pytest.mark.parametrize("text", ["<b/>Halo", "<br />x", "kata<a href=\"x\">ini</a>", "x<a b>", "$5", "(Kompas)", "“Kami", "...", ""])
def test_the_faster_prefix_search_on_hand_picked_strings(prefix_regexes, text):
    spacy_regex, ours = prefix_regexes
    expected, found = spacy_regex.search(text), ours.search(text)
    assert (found and found.span()) == (expected and expected.span())


def test_the_pipeline_tokenizer_tokenises_like_spacys_default_one():
    from pipeline.evaluation.campaigns import load_labelled_set
    from pipeline.nlp.assembly import TOKENIZER_EXCEPTIONS, assemble_nlp

    default = spacy.blank("id")
    for exception in TOKENIZER_EXCEPTIONS:
        default.tokenizer.add_special_case(exception, [{ORTH: exception}])
    ours = assemble_nlp(())
    assert ours.tokenizer.rules == default.tokenizer.rules
    texts = phrase_texts() + [article.text for article in load_labelled_set()]
    texts += [f"({rule}), \"{rule}\"" for rule in list(default.tokenizer.rules)[::7]]
    texts += ["Lihat <a href=\"https://kompas.com\">tautan</a> dan <b/>tebal, kata<a x>.", "Rp2,5 triliun (16%)—“kata” Dr. Budi."]
    for text in texts:
        assert [(t.text, t.whitespace_, t.norm_) for t in ours(text)] == [(t.text, t.whitespace_, t.norm_) for t in default(text)]
