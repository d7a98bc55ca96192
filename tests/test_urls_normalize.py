"""normalize_url is the identity of a page everywhere: every rule, and its invariants."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pantau.core.errors import InputError
from pantau.core.outlets import url_key
from pantau.core.urls import UrlRules, is_tracking_param, normalize_url

NO_RULES: dict[str, UrlRules] = {}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # scheme and host
        ("http://example.com/a", "https://example.com/a"),
        ("HTTPS://EXAMPLE.COM/a", "https://example.com/a"),
        ("https://Example.COM./a", "https://example.com/a"),
        ("https://example.com:443/a", "https://example.com/a"),
        ("http://example.com:80/a", "https://example.com/a"),
        ("https://user:secret@example.com/a", "https://example.com/a"),
        ("  https://example.com/a  ", "https://example.com/a"),
        # path keeps its case, loses dot segments and the trailing slash
        ("https://example.com/Read/ABC", "https://example.com/Read/ABC"),
        ("https://example.com/a/b/", "https://example.com/a/b"),
        ("https://example.com/a/./b/../c", "https://example.com/a/c"),
        ("https://example.com", "https://example.com/"),
        ("https://example.com/", "https://example.com/"),
        ("https://example.com//a//b", "https://example.com/a/b"),
        # escapes: unreserved decoded, others upper-cased, spaces and non-ASCII quoted
        ("https://example.com/%7euser", "https://example.com/~user"),
        ("https://example.com/a%2fb", "https://example.com/a%2Fb"),
        ("https://example.com/berita terkini", "https://example.com/berita%20terkini"),
        ("https://example.com/kota-bogor-é", "https://example.com/kota-bogor-%C3%A9"),
        # fragment dropped
        ("https://example.com/a#komentar", "https://example.com/a"),
        # tracking parameters dropped, meaningful ones kept and sorted
        ("https://example.com/a?utm_source=fb&utm_medium=social", "https://example.com/a"),
        ("https://example.com/a?UTM_Campaign=x&id=5", "https://example.com/a?id=5"),
        ("https://example.com/a?fbclid=IwAR0&gclid=xyz&msclkid=1", "https://example.com/a"),
        ("https://example.com/a?b=2&a=1", "https://example.com/a?a=1&b=2"),
        ("https://example.com/search?q=literasi+digital&page=2", "https://example.com/search?page=2&q=literasi%20digital"),
        ("https://example.com/a?id=", "https://example.com/a?id="),
        ("https://example.com/a?_ga=2.1&_gl=1*abc&id=7", "https://example.com/a?id=7"),
        ("https://example.com/a?igshid=abc&mc_cid=1&mc_eid=2", "https://example.com/a"),
    ],
)
def test_generic_rules(raw: str, expected: str) -> None:
    assert normalize_url(raw, NO_RULES) == expected


KOMPAS = "https://www.kompas.com/read/2018/08/14/10320061/laju-digital-sapa-makassar"


@pytest.mark.parametrize(
    "variant",
    [
        KOMPAS,
        "http://www.kompas.com/read/2018/08/14/10320061/laju-digital-sapa-makassar",
        "https://kompas.com/read/2018/08/14/10320061/laju-digital-sapa-makassar",
        "https://amp.kompas.com/read/2018/08/14/10320061/laju-digital-sapa-makassar",
        "https://m.kompas.com/read/2018/08/14/10320061/laju-digital-sapa-makassar/",
        "https://www.kompas.com/amp/read/2018/08/14/10320061/laju-digital-sapa-makassar",
        "https://www.kompas.com/read/2018/08/14/10320061/laju-digital-sapa-makassar?page=all",
        "https://www.kompas.com/read/2018/08/14/10320061/laju-digital-sapa-makassar?page=2",
        "https://www.kompas.com/read/2018/08/14/10320061/laju-digital-sapa-makassar?utm_source=whatsapp&source=widget",
        "https://www.kompas.com/read/2018/08/14/10320061/laju-digital-sapa-makassar#comments",
    ],
)
def test_outlet_variants_collapse_to_one_identity(variant: str) -> None:
    assert url_key(variant) == KOMPAS


def test_outlet_rules_do_not_touch_other_hosts() -> None:
    # "page" is pagination on Kompas but a real selector on an unknown site.
    assert url_key("https://example.org/list?page=2") == "https://example.org/list?page=2"
    assert url_key("https://m.example.org/a") == "https://m.example.org/a"


def test_outlet_subdomains_use_the_outlet_rules() -> None:
    # detik's AMP copies end in /amp and ?single=1 shows the whole article, on every desk's subdomain.
    rules = {"detik.example": UrlRules(amp_path_suffixes=("/amp",), drop_params=frozenset({"single"}))}
    assert normalize_url("https://finance.detik.example/berita/d-1/judul/amp?single=1", rules) == "https://finance.detik.example/berita/d-1/judul"
    assert normalize_url("https://notdetik.example/a/amp", rules) == "https://notdetik.example/a/amp"


def test_rules_passed_explicitly() -> None:
    rules = {
        "m.detik.example": UrlRules(host_aliases={"m.detik.example": "news.detik.example"}, amp_path_suffixes=("/amp",), drop_params=frozenset({"single"})),
        "news.detik.example": UrlRules(amp_path_suffixes=("/amp",), drop_params=frozenset({"single"})),
    }
    assert normalize_url("https://m.detik.example/berita/d-123/judul/amp?single=1", rules) == "https://news.detik.example/berita/d-123/judul"


@pytest.mark.parametrize("bad", ["", "example.com/a", "ftp://example.com/a", "mailto:a@b.c", "javascript:alert(1)", "https:///nohost", "file:///etc/passwd"])
def test_rejects_what_is_not_a_web_address(bad: str) -> None:
    with pytest.raises(InputError):
        normalize_url(bad, NO_RULES)


@pytest.mark.parametrize("name", ["utm_source", "UTM_TERM", "fbclid", "gclid", "_ga", "pk_campaign"])
def test_tracking_params(name: str) -> None:
    assert is_tracking_param(name)


@pytest.mark.parametrize("name", ["id", "page", "q", "p", "tag", "utm"])
def test_meaningful_params(name: str) -> None:
    assert not is_tracking_param(name)


_segment = st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=0x2FF, blacklist_characters="/?#%"), min_size=1, max_size=12)


@settings(max_examples=200, deadline=None)
@given(
    host=st.from_regex(r"[a-z]{1,10}\.(com|co\.id|go\.id)", fullmatch=True),
    segments=st.lists(_segment, max_size=4),
    params=st.lists(st.tuples(st.from_regex(r"[a-z_]{1,8}", fullmatch=True), st.text(max_size=6)), max_size=4),
)
def test_normalisation_is_idempotent(host: str, segments: list[str], params: list[tuple[str, str]]) -> None:
    from urllib.parse import urlencode

    url = f"http://{host}/" + "/".join(segments) + ("?" + urlencode(params) if params else "")
    once = normalize_url(url, NO_RULES)
    assert normalize_url(once, NO_RULES) == once
    assert once.startswith(f"https://{host}/")
