"""What a page says about itself, read once from its parsed tree: meta tags, JSON-LD objects, the
data-layer fields of small inline scripts, the canonical link and the visible credit (byline and
editor) elements, the last walked only as far as a question needs."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from lxml import etree

from pipeline.clean import normalize_line

ARTICLE_TYPES = frozenset(
    {
        "article", "newsarticle", "reportagenewsarticle", "analysisnewsarticle", "opinionnewsarticle",
        "backgroundnewsarticle", "reviewnewsarticle", "blogposting", "liveblogposting", "socialmediaposting",
        "scholarlyarticle", "techarticle", "report",
    }
)


@dataclass
class PageMetadata:
    jsonld: list[dict[str, Any]]
    meta: dict[str, list[str]]
    canonical: str | None
    html_lang: str | None
    script_bodies: list[str]  # small inline scripts: where Indonesian outlets keep their data layer
    tree: Any = field(default=None, repr=False)
    html: str | None = field(default=None, repr=False)  # the decoded page the tree was parsed from
    # Data-layer fields (content_author, 'editor': …) are an Indonesian-outlet convention: read when wanted.
    data_layer_wanted: bool = True

    @cached_property
    def script_fields(self) -> dict[str, list[str]]:
        fields: dict[str, list[str]] = {}
        if not self.data_layer_wanted:
            return fields
        for body in self.script_bodies:
            # Most inline scripts (trackers, ad setup) name no such field: a substring test on the
            # lowercased body skips them six times faster than letting the regex scan them.
            lowered = body.lower()
            if not any(word in lowered for word in _SCRIPT_FIELD_WORDS):
                continue
            for key, value in _script_field_matches(body, lowered):
                fields.setdefault(key, []).append(value)
        return fields

    # Walking the visible page costs more than everything else here: it goes only as far as asked,
    # and what it found is kept for the next question.
    _credits: list[tuple[str, str]] = field(default_factory=list, init=False, repr=False)
    _credit_walk: Iterator[tuple[str, str]] | None = field(default=None, init=False, repr=False)

    def _credit(self, position: int) -> tuple[str, str] | None:
        """The credit text at `position` in page order (walking further if needed), None past the last."""
        if self._credit_walk is None:
            self._credit_walk = iter_credit_texts(self.tree) if self.tree is not None and self._may_have_credits() else iter(())
        while len(self._credits) <= position and len(self._credits) < MAX_CREDITS:
            found = next(self._credit_walk, None)
            if found is None:
                break
            self._credits.append(found)
        return self._credits[position] if position < len(self._credits) else None

    def _may_have_credits(self) -> bool:
        # A credit element's class or rel/itemprop contains one of these words as written: a page
        # that never writes any of them (one in seven) needs no walk.
        return self.html is None or any(word in self.html for word in _CREDIT_WORDS)

    def _credits_of(self, kind: str, limit: int) -> Iterator[str]:
        position = count = 0
        while count < limit and (credit := self._credit(position)) is not None:
            if credit[0] == kind:
                yield credit[1]
                count += 1
            position += 1

    def bylines(self) -> Iterator[str]:
        """The first three visible bylines, found as they are asked for."""
        return self._credits_of("byline", 3)

    @cached_property
    def has_editor_markup(self) -> bool:
        """Whether any element's class names an editor: most pages have none, and then no search is needed."""
        if self.html is None:
            return True
        # Substring tests first (microseconds): two pages in three never write the word at all.
        if not any(word in self.html for word in ("ditor", "DITOR", "enyunting", "ENYUNTING")):
            return False
        return bool(_EDITOR_MARKUP.search(self.html))

    @property
    def editor_texts(self) -> list[str]:
        if not self.has_editor_markup:
            return []
        return list(self._credits_of("editor", 12))

    def first(self, *keys: str) -> str | None:
        for key in keys:
            for value in self.meta.get(key.lower(), []):
                if value.strip():
                    return value.strip()
        return None

    def all(self, *keys: str) -> list[str]:
        return [value.strip() for key in keys for value in self.meta.get(key.lower(), []) if value.strip()]

    @property
    def main(self) -> dict[str, Any]:
        """The JSON-LD object describing the article itself (the first of an article type)."""
        for kind in (ARTICLE_TYPES, frozenset({"webpage"})):
            for item in self.jsonld:
                if jsonld_types(item) & kind:
                    return item
        return {}


_SCRIPT_FIELD = re.compile(
    r"""["']?(?P<key>content_author|content_editor|content_publisheddate|published_date|publish_date|author|editor|penulis|reporter|writer|article_author|article_editor)["']?\s*[:=]\s*["'](?P<value>[^"'\n]{1,120})["']""",
    re.IGNORECASE,
)
# The same pattern without re.IGNORECASE, for the lowercased body: a case-insensitive search for
# literals is about three times slower than a case-sensitive one in Python's re.
_SCRIPT_FIELD_LOWER = re.compile(_SCRIPT_FIELD.pattern)
# Every key of _SCRIPT_FIELD contains one of these.
_SCRIPT_FIELD_WORDS = ("author", "editor", "penulis", "reporter", "writer", "publish")
MAX_SCRIPT_SCAN = 20_000  # data-layer blocks are small; big scripts are libraries


def _script_field_matches(body: str, lowered: str) -> Iterator[tuple[str, str]]:
    """(lowercased key, value as written) of each data-layer field in a script, in order."""
    if len(lowered) != len(body):  # a character whose lowercase is longer ("İ"): positions would differ
        for match in _SCRIPT_FIELD.finditer(body):
            yield match.group("key").lower(), match.group("value").strip()
        return
    for match in _SCRIPT_FIELD_LOWER.finditer(lowered):
        yield match.group("key"), body[match.start("value"):match.end("value")].strip()


def read_page_metadata(tree) -> PageMetadata:
    """Meta tags, JSON-LD objects, data-layer fields and the canonical link, in one pass over the tree."""
    meta: dict[str, list[str]] = {}
    jsonld: list[dict[str, Any]] = []
    script_bodies: list[str] = []
    canonical = None
    for element in tree.iter("meta", "script", "link"):
        if element.tag == "meta":
            key = element.get("property") or element.get("name") or element.get("itemprop") or element.get("http-equiv")
            content = element.get("content")
            if key and content is not None:
                meta.setdefault(key.strip().lower(), []).append(content)
        elif element.tag == "script":
            body = element.text or ""
            if "ld+json" in (element.get("type") or "").lower():
                jsonld.extend(_jsonld_objects(body))
            elif body and len(body) <= MAX_SCRIPT_SCAN:
                script_bodies.append(body)
        elif canonical is None and (element.get("rel") or "").lower().strip() == "canonical" and element.get("href"):
            canonical = element.get("href").strip()
    html_lang = tree.get("lang") or tree.get("xml:lang")
    return PageMetadata(
        jsonld=jsonld,
        meta=meta,
        canonical=canonical,
        html_lang=html_lang.strip().lower() if html_lang else None,
        script_bodies=script_bodies,
        tree=tree,
    )


# Visible bylines are elements marked rel/itemprop="author" or with one of these in their class
# (matched as written, like XPath's contains()), outside comment threads.
_CREDIT_WORDS = ("author", "byline", "penulis", "reporter", "editor", "penyunting")
_CREDIT_CLASS = re.compile("|".join(_CREDIT_WORDS))
_NOT_CREDIT_TAGS = frozenset({"script", "style", "meta", "link"})
_EDITOR_CLASS = re.compile(r"editor|penyunting", re.IGNORECASE)
# Case-insensitive by character classes: the same search with re.IGNORECASE is three times slower.
_EDITOR_MARKUP = re.compile(r"""class\s*=\s*["'][^"'>]*(?:[Ee][Dd][Ii][Tt][Oo][Rr]|[Pp][Ee][Nn][Yy][Uu][Nn][Tt][Ii][Nn][Gg])""")


def _credit_elements(tree) -> Iterator[Any]:
    """Credit elements in page order. One walk over the elements, testing attributes in Python, costs
    less than half of the equivalent XPath (eight contains() per element)."""
    for element in tree.iterdescendants(etree.Element):
        if element.get("rel") == "author" or element.get("itemprop") == "author":
            yield element
        else:
            classes = element.get("class")
            if classes and _CREDIT_CLASS.search(classes):
                yield element


MAX_CREDITS = 24  # credit texts read from one page at most


def iter_credit_texts(tree) -> Iterator[tuple[str, str]]:
    """("byline" | "editor", text) of the visible credit elements, in page order, outside comments."""
    for element in _credit_elements(tree):
        if element.tag in _NOT_CREDIT_TAGS or _in_comments(element):
            continue
        text = normalize_line(" ".join(element.itertext()))
        if 0 < len(text) <= 120:
            is_editor = bool(_EDITOR_CLASS.search(element.get("class") or "")) and element.get("itemprop") != "author"
            yield ("editor" if is_editor else "byline", text)


def _in_comments(element) -> bool:
    """Inside a comment thread, whose "comment-author" elements name commenters, not writers."""
    while element is not None:
        marks = ((element.get("class") or "") + " " + (element.get("id") or "")).lower()
        if "comment" in marks or "komentar" in marks:
            return True
        element = element.getparent()
    return False


def _jsonld_objects(body: str) -> list[dict[str, Any]]:
    data = _load_json_leniently(body)
    objects: list[dict[str, Any]] = []
    stack = [data]
    while stack:
        item = stack.pop(0)
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            objects.append(item)
            if isinstance(item.get("@graph"), list):
                stack.extend(item["@graph"])
    return objects


def _load_json_leniently(body: str) -> Any:
    body = body.strip().removeprefix("<!--").removesuffix("-->").strip()
    if not body:
        return None
    for candidate in (body, re.sub(r",\s*([}\]])", r"\1", body)):
        try:
            return json.loads(candidate, strict=False)
        except ValueError:
            continue
    return None


def jsonld_types(item: dict[str, Any]) -> set[str]:
    kind = item.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    return {str(k).lower() for k in kinds if k}


def jsonld_values(item: dict[str, Any], key: str) -> list[Any]:
    value = item.get(key)
    if value is None:
        return []
    return value if isinstance(value, list) else [value]
