"""The boolean keyword query language of campaigns: parsing, errors with columns, evaluation."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pantau.core.campaign_query import QueryError, evaluate, index_sections, parse_query, phrase_spans, words_of

ARTICLE = index_sections([
    ("title", "Facebook Gelar Laju Digital di Makassar"),
    ("paragraph 1", "Program pelatihan UMKM bersama Kominfo untuk digitalisasi usaha kecil."),
    ("paragraph 2", "Peserta belajar e-commerce dan #LajuDigital di Café Daeng."),
])


def matches(query: str, doc=ARTICLE) -> bool:
    return evaluate(parse_query(query), doc).matched


@pytest.mark.parametrize(
    "query, expected",
    [
        ('"laju digital"', True),
        ('"digital laju"', False),
        ("LAJU digital", True),  # implicit AND, case-insensitive
        ("facebook AND (umkm OR ukm)", True),
        ("facebook AND (ukm OR koperasi)", False),
        ("facebook NOT umkm", False),
        ("NOT hoaks", True),
        ("digital*", True),
        ("digitalisasi", True),
        ("digit", False),  # words match whole, only `*` makes a prefix
        ("kominfo NEAR/3 umkm", True),
        ("facebook NEAR/3 kominfo", False),  # title and text are separate sections
        ("e-commerce", True),
        ('"e commerce"', True),
        ("lajudigital", True),  # the hashtag is one word
        ("cafe", True),  # diacritics ignored
        ('"Café Daeng"', True),
        ("makassar OR jayapura AND papua", True),  # AND binds tighter than OR
        ("(makassar OR jayapura) AND papua", False),
    ],
)
def test_evaluation(query: str, expected: bool) -> None:
    assert matches(query) is expected


def test_hits_point_at_their_section() -> None:
    result = evaluate(parse_query('"laju digital" OR umkm'), ARTICLE)
    sections = sorted({ARTICLE.section_at(hit.start) for hit in result.hits})
    assert sections == ["paragraph 1", "title"]


@pytest.mark.parametrize(
    "query, column, fragment",
    [
        ("(facebook OR google", 1, "unbalanced parenthesis"),
        ("facebook OR google)", 19, "unbalanced parenthesis"),
        ("facebook AND (umkm OR ukm", 14, "unbalanced parenthesis"),
        ('"laju digital', 1, "unterminated phrase"),
        ("facebook AND", 13, "after AND"),
        ("AND facebook", 1, "operator AND"),
        ("facebook OR OR google", 13, "found OR"),
        ("()", 2, "empty parentheses"),
        ('""', 1, "empty phrase"),
        ("", 1, "empty query"),
        ("a NEAR/0 b", 3, "NEAR distance"),
        ("(a AND b) NEAR/3 c", 11, "NEAR joins"),
        ("a NEAR/x b", 3, "NEAR needs a number"),
    ],
)
def test_errors_name_the_column(query: str, column: int, fragment: str) -> None:
    with pytest.raises(QueryError) as caught:
        parse_query(query)
    assert caught.value.column == column
    assert fragment in str(caught.value)
    assert str(caught.value).startswith(f"query error at column {column}:")


def test_phrase_spans_for_aliases() -> None:
    assert phrase_spans("#LajuDigital", ARTICLE)
    assert phrase_spans("Laju Digital", ARTICLE)
    assert not phrase_spans("Gapura Digital", ARTICLE)
    assert phrase_spans("---", ARTICLE) == []


WORDS = st.sampled_from(["laju", "digital", "umkm", "kominfo", "facebook", "hoaks", "makassar"])


@settings(max_examples=200, deadline=None)
@given(left=WORDS, right=WORDS, text=st.lists(WORDS, max_size=12))
def test_operators_follow_boolean_logic(left: str, right: str, text: list[str]) -> None:
    doc = index_sections([("paragraph 1", " ".join(text))])
    has_left, has_right = left in text, right in text
    assert matches(f"{left} AND {right}", doc) is (has_left and has_right)
    assert matches(f"{left} OR {right}", doc) is (has_left or has_right)
    assert matches(f"{left} NOT {right}", doc) is (has_left and not has_right)
    assert matches(f"NOT ({left} OR {right})", doc) is not (has_left or has_right)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_any_text_parses_or_fails_with_a_column(query: str) -> None:
    try:
        parse_query(query)
    except QueryError as error:
        assert 1 <= error.column <= len(query) + 1


def test_words_are_normalised() -> None:
    assert words_of("Ékonomi DIGITAL, e-KTP!") == ["ekonomi", "digital", "e", "ktp"]
