"""Property: any input, random or a mutated real-looking page, gives an article or a clear error."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pantau.core.errors import PantauError
from pipeline.extract import ExtractedArticle, extract_article

PAGE = (Path(__file__).parent / "data" / "extraction" / "kompas_like.html").read_bytes()
NOW = datetime(2024, 1, 1, tzinfo=UTC)

TAGS = st.sampled_from(["div", "p", "article", "span", "script", "style", "h1", "table", "td", "a", "meta", "title", "b", "!--"])
FRAGMENT = st.recursive(
    st.text(min_size=0, max_size=40),
    lambda children: st.builds(lambda tag, inner: f"<{tag}>{''.join(inner)}</{tag}>", TAGS, st.lists(children, max_size=4)),
    max_leaves=25,
)


def _check(result_or_error, data) -> None:
    article = result_or_error
    assert isinstance(article, ExtractedArticle)
    assert article.word_count == len(article.text.split())
    assert article.text == "\n".join(article.paragraphs)
    assert all(line.strip() == line and line for line in article.paragraphs)
    for moment in (article.published_at, article.updated_at):
        assert moment is None or (moment.tzinfo is not None and moment <= NOW.replace(minute=10))
    # Markup never leaks into the text; inside a <title> (raw text in HTML) "<script" is only letters.
    if "<title" not in (data.decode("latin-1") if isinstance(data, bytes) else data).lower():
        assert "<script" not in article.text


def _run(data, url=None) -> None:
    try:
        article = extract_article(data, url, now=NOW)
    except PantauError as error:
        assert str(error) and "\n" not in str(error)
        return
    _check(article, data)




@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(FRAGMENT, max_size=6), st.sampled_from([None, "https://www.kompas.com/read/2023/11/02/1/x", "https://example.org/tag/x"]))
def test_random_markup(fragments: list[str], url: str | None) -> None:
    _run("<html><body>" + "".join(fragments) + "</body></html>", url)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, len(PAGE) - 1), st.integers(0, 400), st.binary(max_size=30)), min_size=1, max_size=8))
def test_mutated_page(mutations: list[tuple[int, int, bytes]]) -> None:
    data = bytearray(PAGE)
    for position, cut, insert in mutations:
        position = min(position, len(data))
        data[position : position + cut] = insert
    _run(bytes(data), "https://regional.kompas.com/read/2023/11/02/213419026/pelatihan")


@settings(max_examples=30, deadline=None)
@given(st.binary(max_size=2000))
def test_random_bytes(data: bytes) -> None:
    _run(data)
