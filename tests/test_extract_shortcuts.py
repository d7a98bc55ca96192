"""The cheaper paths of the extraction stage give what the plain paths give.

Parsing without trafilatura's loader, walking the page for credit elements instead of an XPath, and
skipping scripts or pages by substring tests are speed-ups only: each is checked here against the
straightforward way on crafted pages and, where the reference data is present, on real pages.
"""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pytest
from lxml import etree

from pantau.core.errors import InputError
from pipeline.extract import extract_article
from pipeline.extract.html import decode_html, has_no_xml_invalid_bytes, parse_html
from pipeline.extract.metadata import (
    _CREDIT_WORDS,
    _SCRIPT_FIELD,
    _SCRIPT_FIELD_WORDS,
    _credit_elements,
    _script_field_matches,
)

KOMPAS_LIKE = (Path(__file__).parent / "data" / "extraction" / "kompas_like.html").read_bytes()
BODY = "<body><article><h1>Judul</h1><p>Paragraf pertama berita ini.</p><p class='byline'>Penulis: Ani</p></article></body>"

# Pages that need each of trafilatura's repairs, and ordinary ones.
CRAFTED = {
    "plain": f"<!DOCTYPE html><html lang='id'><head><title>T</title></head>{BODY}</html>".encode(),
    "xhtml doctype": (
        '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">\n'
        f"<html><head><title>T</title></head>{BODY}</html>"
    ).encode(),
    "control characters": ("<html><head><title>T\x0b</title></head>" + BODY.replace("pertama", "per\x01tama") + "</html>").encode(),
    "self-closing html": f"<html lang='id'/>\n<head><title>T</title></head>{BODY}".encode(),
    "xml declaration": f'<?xml version="1.0" encoding="utf-8"?>\n<html><head><title>T</title></head>{BODY}</html>'.encode(),
    "no html tag": f"<head><title>T</title></head>{BODY}".encode(),
    "noncharacter": ("<html><head><title>T</title></head>" + BODY.replace("Judul", "Jud\ufffeul") + "</html>").encode(),
    "utf-16": f"<html><head><title>T</title></head>{BODY}</html>".encode("utf-16"),
    "kompas-like": KOMPAS_LIKE,
}


def _loader_tree(text: str):
    import trafilatura

    return trafilatura.load_html(text)


def _same_tree(data: bytes) -> bool:
    text = decode_html(data)
    expected = _loader_tree(text)
    if expected is None or len(expected) == 0:  # the loader finds no document: neither do we
        with pytest.raises(InputError):
            parse_html(text, xml_clean=has_no_xml_invalid_bytes(data))
        return True
    ours = parse_html(text, xml_clean=has_no_xml_invalid_bytes(data))
    return etree.tostring(ours) == etree.tostring(expected)


@pytest.mark.parametrize("name", sorted(CRAFTED))
def test_parsing_builds_the_tree_trafilaturas_loader_builds(name: str) -> None:
    assert _same_tree(CRAFTED[name])


def test_raw_bytes_with_xml_invalid_characters_are_never_called_clean() -> None:
    assert has_no_xml_invalid_bytes(CRAFTED["plain"])
    assert not has_no_xml_invalid_bytes(CRAFTED["control characters"])
    assert not has_no_xml_invalid_bytes(CRAFTED["noncharacter"])
    assert not has_no_xml_invalid_bytes(CRAFTED["utf-16"])
    assert not has_no_xml_invalid_bytes(KOMPAS_LIKE.decode("utf-8"))  # text: unknown without reading it


def test_str_and_bytes_input_extract_the_same_article() -> None:
    url = "https://regional.kompas.com/read/2023/11/02/213419026/pelatihan-literasi-digital-untuk-umkm-digelar-di-gorontalo"
    assert extract_article(KOMPAS_LIKE, url) == extract_article(KOMPAS_LIKE.decode("utf-8"), url)


# The credit elements as first written: an XPath with one contains() per word.
CREDIT_XPATH = ".//*[@rel='author' or @itemprop='author' or " + " or ".join(f"contains(@class,'{word}')" for word in _CREDIT_WORDS) + "]"


def _credit_trees(shared: Path | None) -> list:
    html = (
        "<html><body><header class='site'><a rel='author' href='/a'>Tim</a></header><!-- komentar -->"
        "<div class='post-Author'>not matched: contains() is case-sensitive</div><span itemprop='author'>Budi</span>"
        "<p class='entry-byline'>Oleh Ani</p><div class='editor-name penyunting'>Editor: Cici</div><address class='reporter'>Dedi</address></body></html>"
    )
    trees = [parse_html(html), parse_html(decode_html(KOMPAS_LIKE))]
    if shared is not None:
        for path in sorted((shared / "eval" / "extraction" / "scrapinghub" / "html").glob("*.html.gz"))[:40]:
            trees.append(parse_html(decode_html(gzip.decompress(path.read_bytes()))))
    return trees


def test_credit_walk_finds_what_the_xpath_finds() -> None:
    for tree in _credit_trees(None):
        expected = [element for element in tree.xpath(CREDIT_XPATH) if isinstance(element.tag, str)]
        assert list(_credit_elements(tree)) == expected
        assert expected  # the crafted pages do have credits


def test_credit_walk_and_parsing_on_real_pages(shared_dir: Path) -> None:
    for tree in _credit_trees(shared_dir)[2:]:
        assert list(_credit_elements(tree)) == [element for element in tree.xpath(CREDIT_XPATH) if isinstance(element.tag, str)]
    for path in sorted((shared_dir / "eval" / "extraction" / "trafilatura" / "tests" / "cache").glob("*"))[:40]:
        assert _same_tree(path.read_bytes()), path.name


def test_every_data_layer_key_contains_a_word_of_the_substring_test() -> None:
    keys = re.search(r"\(\?P<key>([^)]*)\)", _SCRIPT_FIELD.pattern).group(1).split("|")
    assert len(keys) >= 10
    for key in keys:
        assert any(word in key for word in _SCRIPT_FIELD_WORDS), key


@pytest.mark.parametrize("script", [
    "var dataLayer = [{'Content_Author': 'Ani Rahma', \"CONTENT_PublishedDate\": \"2023-11-02 21:34:19\", editor = 'Budi'}];",
    "window.kly = {Penulis: \"Dedi Ş. Öztürk \", reporter:'x', writer: ''};",
    "var İstanbul = 1; var meta = {'Author': 'Çiğdem Eser', 'article_EDITOR': \"Eko\"};",  # lowercase longer: the plain path
])
def test_data_layer_fields_from_the_lowercased_script_are_the_case_insensitive_ones(script: str) -> None:
    expected = [(m.group("key").lower(), m.group("value").strip()) for m in _SCRIPT_FIELD.finditer(script)]
    assert expected
    assert list(_script_field_matches(script, script.lower())) == expected
