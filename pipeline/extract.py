"""Extraction: one article (body and metadata) from the raw HTML of a news page.

trafilatura (pinned) finds the body; metadata comes from the page's own structured data, read once
from the parsed tree before trafilatura runs, in a fixed order of trust: JSON-LD, then Open Graph /
article meta, then outlet meta and data-layer fields (Kompas's `content_PublishedDate`, Detik's
`dtk:author`), then what the visible page says. The body then goes through `pipeline.clean`
(boilerplate lines out, dateline into its own field) and `pipeline.language`.

Bad input never crashes a batch: `extract_article` raises `InputError` with a one-line reason, and
`extract_many` turns every failure (including a page that runs over its time limit) into an
`ExtractionFailure` and goes on.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from functools import cached_property, lru_cache
from importlib.metadata import version as _package_version
from typing import Any, Hashable, Iterable, Iterator, Sequence, TypeVar
from urllib.parse import urljoin
from zoneinfo import ZoneInfo

from pipeline.clean import clean_document, clean_text, normalize_line
from pipeline.errors import InputError, PantauError
from pipeline.language import detect_language

log = logging.getLogger(__name__)

# Part of the pipeline version: bump the first number when the output of this stage changes.
EXTRACTOR_VERSION = f"2.0+trafilatura-{_package_version('trafilatura')}"

JAKARTA = ZoneInfo("Asia/Jakarta")
# Measured on both benchmark sets (see bench/ and `pantau eval extraction`): trafilatura's default
# balance with tables kept beats favor_precision / favor_recall on the trafilatura set and matches
# its published F1 on the scrapinghub set.
TRAFILATURA_OPTIONS: dict[str, Any] = {
    "include_comments": False,
    "include_tables": True,
    "include_formatting": False,
    "include_images": False,
    "include_links": False,
    "deduplicate": False,
    "output_format": "txt",
    "with_metadata": False,
}
MAX_HTML_BYTES = 15 * 1024 * 1024  # far above any real article; bigger is a broken or hostile page
MIN_ARTICLE_WORDS = 50  # below this a page is a teaser, an index card or a wall, not an article
FUTURE_TOLERANCE = timedelta(minutes=10)  # clocks differ a little; a later "publication" is wrong data
EARLIEST_YEAR = 1990
STARTUP_TIMEOUT_S = 120.0  # a worker loads trafilatura and the language model once

Key = TypeVar("Key", bound=Hashable)
HtmlInput = bytes | str


@dataclass
class ExtractedArticle:
    url: str | None = None
    canonical_url: str | None = None
    outlet_id: str | None = None
    outlet: str | None = None  # the outlet's name
    title: str | None = None  # without the " - Outlet" suffix
    text: str = ""  # clean body, one paragraph per line
    paragraphs: list[str] = field(default_factory=list)
    dateline: str | None = None  # place of reporting ("Gorontalo" from "GORONTALO, KOMPAS.com -")
    published_at: datetime | None = None  # tz-aware, the page's own offset (Asia/Jakarta when unstated)
    updated_at: datetime | None = None
    authors: list[str] = field(default_factory=list)  # people only
    section: str | None = None
    tags: list[str] = field(default_factory=list)
    image_url: str | None = None
    description: str | None = None
    word_count: int = 0
    language: str | None = None
    is_article: bool = False
    is_paywalled: bool = False
    removed_lines: int = 0  # boilerplate lines removed by cleaning


@dataclass
class ExtractionFailure:
    reason: str  # empty | binary | too_large | unparseable | timeout | crashed | error
    message: str


# --------------------------------------------------------------------------------------------- input


def decode_html(data: bytes | str) -> str:
    """Text of a page: UTF-8 when it decodes as such, else the declared charset, else a detected one."""
    if isinstance(data, str):
        return data
    if len(data) > MAX_HTML_BYTES:
        raise InputError(f"page is {len(data) / 1e6:.1f} MB, over the {MAX_HTML_BYTES / 1e6:.0f} MB limit; it is not a news article")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    # UTF-8 with a few broken bytes (a truncated character, one pasted Latin-1 byte) is still UTF-8:
    # any single-byte charset would garble every other non-ASCII character of the page.
    lenient = data.decode("utf-8", errors="replace")
    broken = lenient.count("\ufffd")
    non_ascii = len(_NON_ASCII_BYTES.findall(data, 0, 200_000))
    if broken and non_ascii and broken <= max(2, non_ascii // 50):
        return lenient
    declared = _declared_charset(data[:4096])
    if declared:
        try:
            return data.decode(declared)
        except (LookupError, UnicodeDecodeError):
            log.debug("declared charset %s does not decode the page", declared)
    from charset_normalizer import from_bytes

    best = from_bytes(data[:200_000]).best()
    if best is not None and best.encoding:
        try:
            return data.decode(best.encoding)
        except (LookupError, UnicodeDecodeError):
            pass
    return data.decode("cp1252", errors="replace")


_NON_ASCII_BYTES = re.compile(rb"[\x80-\xff]")
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


def _declared_charset(head: bytes) -> str | None:
    match = _CHARSET.search(head)
    return match.group(1).decode("ascii").lower() if match else None


_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\ufffd]")


def check_is_html(text: str) -> None:
    """InputError when `text` is empty or binary data rather than markup."""
    if not text or not text.strip():
        raise InputError("empty page: nothing to extract (was the download cut short?)")
    sample = text[:8192]
    controls = len(_CONTROL_CHARS.findall(sample))
    if "\x00" in sample or controls > len(sample) * 0.05:
        raise InputError("binary data, not an HTML page (an image, a PDF or a compressed file?)")
    if len(text) > MAX_HTML_BYTES:
        raise InputError(f"page is {len(text) / 1e6:.1f} M characters, over the limit; it is not a news article")


# Characters XML forbids, as they appear in the raw bytes of a page in UTF-8 or any ASCII-based
# charset (U+FFFE and U+FFFF only arise from UTF-8).
_XML_INVALID_BYTES = tuple(bytes([code]) for code in (*range(9), 11, 12, *range(14, 32))) + (b"\xef\xbf\xbe", b"\xef\xbf\xbf")


def has_no_xml_invalid_bytes(data: HtmlInput) -> bool:
    """Whether the raw page certainly decodes without characters XML forbids (27 memchr scans: 0.1 ms)."""
    if not isinstance(data, bytes) or data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False  # text given as str, or UTF-16: not known without reading every character
    return not any(code in data for code in _XML_INVALID_BYTES)


def parse_html(text: str, *, xml_clean: bool = False):
    """The lxml tree of a page (the tree trafilatura's own loader builds), or InputError.

    trafilatura's loader first deletes the characters XML forbids with a regex over every character
    of the page (about a millisecond, 3% of the stage), then repairs two quirks of the opening lines.
    When the caller knows the page has no such characters (`xml_clean`, from the raw bytes) and it
    opens like ordinary HTML, parsing with trafilatura's parser directly builds the same tree; any
    other page goes through trafilatura's loader.
    """
    import trafilatura

    try:
        tree = _parse_plain_html(text) if xml_clean else None
        if tree is None:
            tree = trafilatura.load_html(text)
    except Exception as error:  # noqa: BLE001 - any parser failure is a property of the page
        raise InputError(f"unparseable HTML: {type(error).__name__}: {error}") from error
    if tree is None or len(tree) == 0:
        raise InputError("not an HTML document (no elements found)")
    return tree


def _parse_plain_html(text: str):
    """The tree of a page that needs none of trafilatura's repairs, None for any other page."""
    from lxml.html import fromstring
    from trafilatura.utils import DOCTYPE_TAG, HTML_PARSER

    beginning = text[:50].lower()
    if "html" not in beginning:
        return None  # trafilatura checks such pages further
    if "doctype" in beginning and DOCTYPE_TAG.match(text.partition("\n")[0]):
        return None  # a doctype with a slash, which trafilatura removes
    if any("<html" in line and line.endswith("/>") for line in text[:4096].splitlines()[:4]):
        return None  # a self-closing <html/>, which trafilatura repairs
    try:
        tree = fromstring(text, parser=HTML_PARSER)
    except ValueError:
        return None  # an XML encoding declaration: trafilatura parses the bytes instead
    return tree if tree is not None and len(tree) > 0 else None


# ---------------------------------------------------------------------------------- page metadata


ARTICLE_TYPES = frozenset(
    {
        "article", "newsarticle", "reportagenewsarticle", "analysisnewsarticle", "opinionnewsarticle",
        "backgroundnewsarticle", "reviewnewsarticle", "blogposting", "liveblogposting", "socialmediaposting",
        "scholarlyarticle", "techarticle", "report",
    }
)
NON_ARTICLE_TYPES = frozenset({"collectionpage", "searchresultspage", "imagegallery", "mediagallery", "videogallery", "itemlist", "profilepage"})
NON_ARTICLE_OG_TYPES = frozenset({"video", "video.other", "video.movie", "video.episode", "profile", "music.song", "book"})


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
            for match in _SCRIPT_FIELD.finditer(body):
                fields.setdefault(match.group("key").lower(), []).append(match.group("value").strip())
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
                if _jsonld_types(item) & kind:
                    return item
        return {}


_SCRIPT_FIELD = re.compile(
    r"""["']?(?P<key>content_author|content_editor|content_publisheddate|published_date|publish_date|author|editor|penulis|reporter|writer|article_author|article_editor)["']?\s*[:=]\s*["'](?P<value>[^"'\n]{1,120})["']""",
    re.IGNORECASE,
)
# Every key of _SCRIPT_FIELD contains one of these.
_SCRIPT_FIELD_WORDS = ("author", "editor", "penulis", "reporter", "writer", "publish")
MAX_SCRIPT_SCAN = 20_000  # data-layer blocks are small; big scripts are libraries


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
    from lxml import etree

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


def _jsonld_types(item: dict[str, Any]) -> set[str]:
    kind = item.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    return {str(k).lower() for k in kinds if k}


# ------------------------------------------------------------------------------------------- dates

# Meta and data-layer fields that carry a publication time, in order of trust after JSON-LD.
PUBLISHED_META = (
    "article:published_time", "og:article:published_time", "content_publisheddate", "dtk:publishdate",
    "publishdate", "publish-date", "publish_date", "pubdate", "article.published", "datepublished",
    "date", "dc.date.issued", "dc.date", "dcterms.date", "sailthru.date", "parsely-pub-date", "og:published_time",
)
UPDATED_META = ("article:modified_time", "og:updated_time", "og:article:modified_time", "datemodified", "last-modified", "dc.date.modified")
_TIME_WITH_DASHES = re.compile(r"T(\d{2})-(\d{2})-(\d{2})")
_LOCAL_FORMATS = ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d-%m-%Y %H:%M:%S", "%d-%m-%Y %H:%M", "%d-%m-%Y", "%d/%m/%Y")


def parse_datetime(value: Any, local: ZoneInfo = JAKARTA) -> tuple[datetime, bool] | None:
    """(aware datetime, has time of day) from the date formats news pages use; naive means `local`."""
    if value is None:
        return None
    text = str(value).strip()
    if not text:
        return None
    if text.isdigit() and len(text) in (10, 13):
        seconds = int(text) / (1000 if len(text) == 13 else 1)
        return datetime.fromtimestamp(seconds, tz=timezone.utc).astimezone(local), True
    iso = _TIME_WITH_DASHES.sub(r"T\1:\2:\3", text.replace("/", "-") if re.match(r"^\d{4}/\d{1,2}/\d{1,2}", text) else text)
    iso = re.sub(r"\s*(?:WIB|WITA|WIT)$", "", iso)
    iso = iso[:-1] + "+00:00" if iso.endswith(("Z", "z")) else iso
    parsed: datetime | None = None
    try:
        parsed = datetime.fromisoformat(iso)
    except ValueError:
        for pattern in _LOCAL_FORMATS:
            try:
                parsed = datetime.strptime(text, pattern)
                break
            except ValueError:
                continue
        if parsed is None:
            try:
                parsed = parsedate_to_datetime(text)
            except (TypeError, ValueError, IndexError):
                return None
    has_time = bool(re.search(r"\d{1,2}[:.-]\d{2}", text[10:])) or (parsed.hour, parsed.minute, parsed.second) != (0, 0, 0)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=_local_zone_for(text, local))
    return parsed, has_time


def _local_zone_for(text: str, local: ZoneInfo) -> Any:
    # Indonesia's three zones, when a page writes them out instead of an offset.
    if text.endswith("WITA"):
        return timezone(timedelta(hours=8))
    if text.endswith("WIT"):
        return timezone(timedelta(hours=9))
    return local


def choose_datetime(candidates: Iterable[Any], now: datetime, indonesian: bool) -> datetime | None:
    """The first plausible candidate with a time of day, else the first plausible date.

    Future and implausibly old dates are rejected. A time given in UTC on an Indonesian page is the
    same instant written in WIB, the zone the outlet publishes in.
    """
    date_only: datetime | None = None
    for candidate in candidates:
        parsed = parse_datetime(candidate)
        if parsed is None:
            continue
        moment, has_time = parsed
        if moment > now + FUTURE_TOLERANCE or moment.year < EARLIEST_YEAR:
            continue
        if indonesian and moment.utcoffset() == timedelta(0):
            moment = moment.astimezone(JAKARTA)
        if has_time:
            return moment
        date_only = date_only or moment
    return date_only


def _jsonld_values(item: dict[str, Any], key: str) -> list[Any]:
    value = item.get(key)
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def published_candidates(page: PageMetadata) -> list[Any]:
    main = page.main
    values: list[Any] = _jsonld_values(main, "datePublished") + _jsonld_values(main, "dateCreated")
    values += page.all(*PUBLISHED_META)
    values += page.script_fields.get("content_publisheddate", []) + page.script_fields.get("published_date", []) + page.script_fields.get("publish_date", [])
    return values


def updated_candidates(page: PageMetadata) -> list[Any]:
    return _jsonld_values(page.main, "dateModified") + page.all(*UPDATED_META)


_URL_DATE = re.compile(r"/((?:19|20)\d{2})[/-](0?[1-9]|1[0-2])[/-](0?[1-9]|[12]\d|3[01])(?:/|$)")


def fallback_date(tree, url: str | None) -> str | None:
    """A date from the URL path (/2023/11/02/), else the one htmldate (trafilatura's finder) reads."""
    match = _URL_DATE.search(url or "")
    if match:
        year, month, day = (int(part) for part in match.groups())
        return f"{year:04d}-{month:02d}-{day:02d}"
    try:
        from htmldate import find_date

        return find_date(tree, url=url, extensive_search=False, original_date=True, outputformat="%Y-%m-%d")
    except Exception:  # noqa: BLE001 - a missing date is not an error
        return None


# ------------------------------------------------------------------------------------------ people

# Words that mark a desk, a team or an organisation rather than a person.
NOT_A_PERSON_WORDS = frozenset(
    {
        "redaksi", "tim", "team", "admin", "administrator", "desk", "newsroom", "media", "cyber", "news", "berita",
        "developer", "staff", "staf", "editorial", "humas", "kontributor", "contributor", "agency", "agencies",
        "wire", "reuters", "afp", "antara", "associated", "press", "group", "grup", "network", "foundation",
        "corporation", "corp", "inc", "ltd", "pt", "tbk", "official", "indonesia", "daily", "times", "post",
        "online", "digital", "channel", "tv", "radio", "magazine", "majalah", "koran", "harian", "portal",
        "webmaster", "guest", "anonymous", "unknown", "penulis", "editor", "reporter", "pewarta", "writer",
        "name", "nama", "autor", "author", "auteur", "themegrill", "wordpress",
        # bylines often carry the date beside the name
        "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
        "senin", "selasa", "rabu", "kamis", "jumat", "sabtu", "minggu", "updated", "published", "diperbarui",
    }
)
_CREDIT_LABEL = re.compile(
    r"^(?:view all posts\s+|(?:ditulis|veröffentlicht|geschrieben|posted|written|published|publié|escrito|publicado)\s+)?"
    r"(?:oleh|by|von|par|por|door|penulis|reporter|pewarta|writer|author|autor|auteur|laporan wartawan|wartawan|kontributor)\s*[:\-]?\s+",
    re.IGNORECASE,
)
_EDITOR_LABEL = re.compile(r"(?:editor|penyunting|redaktur)\s*[:\-]?\s*(?P<name>[^|,;\n]{2,60})", re.IGNORECASE)
_NAME_SPLIT = re.compile(r"\s*(?:;|,|&|\band\b|\bdan\b|\|)\s*", re.IGNORECASE)
_NAME_WORD = re.compile(r"^(?:[A-ZÀ-Þ][\w'’.-]*|bin|binti|van|von|de|der|da|al|el|la|le|di|dos|del)$")


def person_names(raw: Iterable[str], exclude: set[str]) -> list[str]:
    """People named in author fields: split lists, strip labels and desk suffixes, drop non-persons."""
    names: list[str] = []
    for value in raw:
        value = normalize_line(str(value))
        if not value or value.startswith(("http://", "https://", "@")):
            continue
        for part in _NAME_SPLIT.split(_CREDIT_LABEL.sub("", value)):
            name = _strip_desk_suffix(part).strip(" -–—:")
            name = re.sub(r"\s+(?:autor|author|penulis|reporter)$", "", name, flags=re.IGNORECASE)
            if is_person_name(name) and name.lower() not in exclude and name not in names:
                names.append(name)
    return names


def _strip_desk_suffix(name: str) -> str:
    # "Vidya Pinandhita - detikHealth", "Yoga Sukmana (Kompas.com)"
    name = re.sub(r"\s*\([^)]*\)\s*$", "", name)
    return re.split(r"\s+[-–—|/]\s+", name, maxsplit=1)[0]


def is_person_name(name: str) -> bool:
    words = name.split()
    if not 1 <= len(words) <= 6 or len(name) > 60:
        return False
    if any(char.isdigit() for char in name) or re.search(r"\.\w{2,}", name):
        return False  # a handle or a domain ("detik.com"), not a name
    if any(word.lower().strip(".,") in NOT_A_PERSON_WORDS for word in words):
        return False
    if len(words) == 1 and (len(name) < 3 or name.isupper()):
        return False  # initials such as "vyp" or desk codes such as "ANT"
    return all(_NAME_WORD.match(word) for word in words)


def editor_names(page: PageMetadata) -> set[str]:
    names = set()
    for item in [page.main]:
        for editor in _jsonld_values(item, "editor"):
            names.add(str(editor.get("name", "")) if isinstance(editor, dict) else str(editor))
    names.update(page.all("content_editor", "dtk:editor", "editor"))
    names.update(page.script_fields.get("content_editor", []) + page.script_fields.get("editor", []) + page.script_fields.get("article_editor", []))
    for text in page.editor_texts:
        match = _EDITOR_LABEL.search(text)
        names.add(match.group("name") if match else text)
    return {normalize_line(name).lower() for name in names if name}


WRITER_FIELDS = ("content_author", "dtk:author")  # meta fields that name the writer, never the editor
WRITER_SCRIPT_FIELDS = ("content_author", "author", "penulis", "reporter", "article_author")
AUTHOR_META = ("author", "article:author", "byl", "sailthru.author", "parsely-author", "dc.creator")


def extract_authors(page: PageMetadata, publishers: set[str]) -> list[str]:
    """Writers of the article, never its editors, publisher or desk: the first source that names one."""
    # A field that says "this is the writer" is trusted even when the same person also edited.
    explicit = page.all(*WRITER_FIELDS) + [value for key in WRITER_SCRIPT_FIELDS for value in page.script_fields.get(key, [])]
    names = person_names(explicit, publishers)
    if names:
        return names
    jsonld_people = [
        str(author.get("name") if isinstance(author, dict) else author)
        for author in _jsonld_values(page.main, "author")
        if author and not (isinstance(author, dict) and _jsonld_types(author) & {"organization", "newsmediaorganization"})
    ]
    excluded = publishers
    for raw in (jsonld_people, page.all(*AUTHOR_META)):
        if raw and excluded is publishers:
            excluded = editor_names(page) | publishers  # only now worth searching the page for editors
        names = person_names(raw, excluded)
        if names:
            return names
    if excluded is publishers:
        excluded = editor_names(page) | publishers
    # A visible byline element lists the article's writers; the next such element is often a widget.
    for text in page.bylines():
        names = person_names([text], excluded) if not _EDITOR_LABEL.match(text) else []
        if names:
            return names
    return []


# --------------------------------------------------------------------------------- titles, labels


_TITLE_SEPARATORS = re.compile(r"\s+(?:[-–—|·•:]|::)\s+")


def strip_title_suffix(title: str, site_names: Iterable[str], suffixes: Iterable[str] = ()) -> str:
    """Title without " - Outlet", " | Outlet" (and Kompas's " Halaman all") endings."""
    title = normalize_line(title)
    for suffix in sorted(suffixes, key=len, reverse=True):
        if suffix and title.lower().endswith(suffix.lower()) and len(title) > len(suffix):
            title = title[: -len(suffix)].rstrip()
    keys = {_site_key(name) for name in site_names if name and _site_key(name)}
    for _ in range(2):
        parts = _TITLE_SEPARATORS.split(title)
        if len(parts) > 1 and _site_key(parts[-1]) in keys:
            title = title[: title.rfind(parts[-1])].rstrip(" -–—|·•:")
        elif len(parts) > 1 and _site_key(parts[0]) in keys:
            title = title[len(parts[0]):].lstrip(" -–—|·•:")
    title = re.sub(r"\s+Halaman (?:all|\d+)$", "", title, flags=re.IGNORECASE)
    return title.strip()


def _site_key(name: str) -> str:
    name = name.lower().strip()
    name = re.sub(r"^(?:https?://)?(?:www\.)?", "", name)
    name = re.sub(r"\.(?:com|co\.id|id|net|org|tv|co)(?:/.*)?$", "", name)
    return re.sub(r"[^a-z0-9]", "", name)


def _split_tags(values: Iterable[Any]) -> list[str]:
    tags: list[str] = []
    for value in values:
        for tag in (value if isinstance(value, list) else str(value).split(",")):
            tag = normalize_line(str(tag))
            if tag and len(tag) <= 80 and tag.lower() not in {t.lower() for t in tags}:
                tags.append(tag)
    return tags


def _image_of(item: dict[str, Any]) -> str | None:
    for image in _jsonld_values(item, "image"):
        if isinstance(image, str):
            return image
        if isinstance(image, dict) and isinstance(image.get("url"), str):
            return image["url"]
    return None


def _is_false(value: Any) -> bool:
    return value is False or (isinstance(value, str) and value.strip().lower() in {"false", "no", "0"})


# -------------------------------------------------------------------------------------- is_article

# Paths of listings, tag/search pages and media galleries on Indonesian and international sites.
NON_ARTICLE_PATHS = re.compile(
    r"/(?:tag|tags|topic|topik|search|cari|pencarian|indeks|index|kanal|video|videos|vidio|tv|foto|photo|photos|galeri|gallery|"
    r"infografis|author|penulis|profile|login|masuk|register|daftar|kategori|category|page/\d+)(?:/|$|\?)",
    re.IGNORECASE,
)
WALL_PHRASES = re.compile(
    r"\b(?:cookies?|consent|persetujuan|accept all|terima semua|setuju|privacy settings|pengaturan privasi|log ?in|"
    r"sign in|masuk|daftar|register|subscribe|berlangganan|password|kata sandi|akun)\b",
    re.IGNORECASE,
)


def decide_is_article(url: str | None, outlet, page: PageMetadata, word_count: int, text: str) -> bool:
    if word_count < MIN_ARTICLE_WORDS:
        return False
    declared = {*_jsonld_types(page.main), (page.first("og:type") or "").lower()}
    declares_article = bool(declared & (ARTICLE_TYPES | {"article"}))
    if declared & NON_ARTICLE_OG_TYPES or (declared & NON_ARTICLE_TYPES and not declares_article):
        return False
    if url:
        if NON_ARTICLE_PATHS.search(re.sub(r"^https?://[^/]+", "", url)):
            return False
        # The registry's URL pattern is for crawling; a page that declares itself an article outranks it.
        if outlet is not None and not outlet.is_article_url(url) and not declares_article:
            return False
    # A consent wall or login prompt is short and made of those words.
    if word_count < 150 and len(WALL_PHRASES.findall(text)) >= max(3, word_count // 25):
        return False
    return True


# ------------------------------------------------------------------------------------------ stage


def extract_article(html: HtmlInput | Sequence[HtmlInput], url: str | None = None, *, now: datetime | None = None) -> ExtractedArticle:
    """The article in a page, or in the parts of a multi-page article given in order.

    Raises InputError for input that is not an HTML page (empty, binary, oversized, unparseable).
    """
    parts = [html] if isinstance(html, (bytes, str)) else list(html)
    if not parts:
        raise InputError("no page given: nothing to extract")
    texts = [decode_html(part) for part in parts]
    for text in texts:
        check_is_html(text)
    trees = [parse_html(text, xml_clean=has_no_xml_invalid_bytes(part)) for part, text in zip(parts, texts)]
    page = read_page_metadata(trees[0])
    page.html = texts[0]
    canonical_url = _canonical(page, url)
    outlet = _outlet_for(url, canonical_url)
    bodies = [_body_text(tree, url) for tree in trees]
    return build_article(page, bodies, url, canonical_url, outlet, trees[0], now or datetime.now(timezone.utc))


def _body_text(tree, url: str | None) -> str:
    import trafilatura

    try:
        return trafilatura.extract(tree, url=url, **TRAFILATURA_OPTIONS) or ""
    except Exception as error:  # noqa: BLE001 - trafilatura failing on a page is a property of the page
        raise InputError(f"extraction failed: {type(error).__name__}: {error}") from error


def _canonical(page: PageMetadata, url: str | None) -> str | None:
    from pipeline.urls import normalize_url

    main = page.main
    entity = main.get("mainEntityOfPage")
    entity_url = entity.get("@id") or entity.get("url") if isinstance(entity, dict) else entity if isinstance(entity, str) else None
    for candidate in (page.canonical, page.first("og:url"), entity_url, main.get("url") if isinstance(main.get("url"), str) else None):
        if not candidate:
            continue
        try:
            return normalize_url(urljoin(url or "", candidate.strip()))
        except Exception:  # noqa: BLE001 - a broken canonical link is ignored, the page's URL remains
            continue
    return None


def _outlet_for(url: str | None, canonical_url: str | None):
    from crawlers.outlets import outlet_for_url

    for candidate in (url, canonical_url):
        if candidate:
            outlet = outlet_for_url(candidate)
            if outlet is not None:
                return outlet
    return None


def assemble_parts(bodies: list[str]) -> str:
    """One body from the parts of a multi-page article: later parts lose lines already seen (headers)."""
    seen: set[str] = set()
    lines: list[str] = []
    for index, body in enumerate(bodies):
        for line in body.splitlines():
            key = normalize_line(line).lower()
            if not key:
                continue
            if index > 0 and key in seen:
                continue
            seen.add(key)
            lines.append(line)
    return "\n".join(lines)


def drop_repeated_header(body: str, title: str | None, description: str | None) -> tuple[str, int]:
    """Leading lines repeating the title (and the standfirst right after it) are page header, not text.

    A description line alone is kept: many outlets use the first paragraph as their description.
    """
    lines = body.splitlines()
    if not title or not lines or normalize_line(lines[0]).lower() != normalize_line(title).lower():
        return body, 0
    dropped = 1
    if description and len(lines) > 2 and normalize_line(lines[1]).lower() == normalize_line(description).lower():
        # The standfirst is dropped only when the next paragraph says the same again (Tribun's lead).
        if _word_overlap(lines[1], lines[2]) >= 0.6:
            dropped = 2
    return "\n".join(lines[dropped:]), dropped


def _word_overlap(first: str, second: str) -> float:
    """Share of the words of `first` that also occur in `second`."""
    words = re.findall(r"\w+", first.lower())
    other = set(re.findall(r"\w+", second.lower()))
    return sum(word in other for word in words) / len(words) if words else 0.0


def build_article(page: PageMetadata, bodies: list[str], url, canonical_url, outlet, tree, now: datetime) -> ExtractedArticle:
    main = page.main
    publisher = main.get("publisher")
    publisher_name = publisher.get("name") if isinstance(publisher, dict) else publisher if isinstance(publisher, str) else None
    site_name = page.first("og:site_name", "application-name")
    outlet_name = outlet.name if outlet is not None else (site_name or publisher_name)
    site_names = [n for n in (outlet_name, site_name, publisher_name, *(outlet.publisher_names if outlet else ()), *(outlet.dateline_names if outlet else ())) if n]
    if url or canonical_url:
        from pipeline.urls import url_host

        site_names.append(url_host(url or canonical_url))
    headline = main.get("headline") if isinstance(main.get("headline"), str) else None
    raw_title = headline or page.first("og:title", "twitter:title") or _title_element(tree) or ""
    title = strip_title_suffix(raw_title, site_names, outlet.title_suffixes if outlet else ()) or None
    description = (main.get("description") if isinstance(main.get("description"), str) else None) or page.first("og:description", "description", "twitter:description")
    description = normalize_line(description) if description else None

    body, header_lines = drop_repeated_header(assemble_parts(bodies), title, description)
    if not header_lines and raw_title:
        body, header_lines = drop_repeated_header(body, raw_title, description)
    cleaned = clean_text(body, outlet)
    language = detect_language(cleaned.text) or _lang_attribute(page)
    indonesian = outlet is not None or language in {"id", "ms"} or (page.html_lang or "").startswith("id")
    page.data_layer_wanted = indonesian

    word_count = len(cleaned.text.split())
    published = choose_datetime(published_candidates(page), now, indonesian)
    if published is None and word_count >= MIN_ARTICLE_WORDS:  # a listing or a wall needs no date
        published = choose_datetime([fallback_date(tree, url)], now, indonesian)
    updated = choose_datetime(updated_candidates(page), now, indonesian)

    publishers = {normalize_line(n).lower() for n in site_names if n}
    paywalled = _is_false(main.get("isAccessibleForFree")) or any(
        isinstance(part, dict) and _is_false(part.get("isAccessibleForFree")) for part in _jsonld_values(main, "hasPart")
    ) or (page.first("article:content_tier") or "").lower() in {"locked", "metered"}
    section = main.get("articleSection")
    section = section[0] if isinstance(section, list) and section else section
    return ExtractedArticle(
        url=url,
        canonical_url=canonical_url,
        outlet_id=outlet.id if outlet is not None else None,
        outlet=outlet_name,
        title=title,
        text=cleaned.text,
        paragraphs=cleaned.paragraphs,
        dateline=cleaned.dateline,
        published_at=published,
        updated_at=updated,
        authors=extract_authors(page, publishers),
        section=(str(section) if section else None) or page.first("article:section", "content_category", "dtk:kanal", "section"),
        tags=_split_tags(page.all("article:tag", "news_keywords", "keywords", "content_tags") or _jsonld_values(main, "keywords")),
        image_url=page.first("og:image", "twitter:image", "twitter:image:src") or _image_of(main),
        description=description,
        word_count=word_count,
        language=language,
        is_article=decide_is_article(url or canonical_url, outlet, page, word_count, cleaned.text),
        is_paywalled=paywalled,
        removed_lines=cleaned.removed_lines + header_lines,
    )


def _title_element(tree) -> str | None:
    for xpath in (".//title", ".//h1"):
        found = tree.find(xpath)
        if found is not None and (text := normalize_line(found.text_content() or "")):
            return text
    return None


def _lang_attribute(page: PageMetadata) -> str | None:
    lang = page.html_lang or page.first("language", "content-language", "og:locale")
    if not lang:
        return None
    code = re.split(r"[-_]", lang.strip().lower())[0]
    return code if re.fullmatch(r"[a-z]{2}", code) else None


def extract_text_document(text: str, url: str | None = None) -> ExtractedArticle:
    """A plain-text article (.txt input, text pasted from a page): cleaning and language only, no HTML metadata.
    The outlet is the URL's, otherwise the one the text names (its dateline, its app and footer lines)."""
    if not text or not text.strip():
        raise InputError("empty text: nothing to analyse")
    outlet = _outlet_for(url, None) if url else None
    cleaned, outlet = clean_document(text, outlet)
    word_count = len(cleaned.text.split())
    return ExtractedArticle(
        url=url,
        outlet_id=outlet.id if outlet is not None else None,
        outlet=outlet.name if outlet is not None else None,
        title=cleaned.title,
        text=cleaned.text,
        paragraphs=cleaned.paragraphs,
        dateline=cleaned.dateline,
        word_count=word_count,
        language=detect_language(cleaned.text),
        is_article=word_count >= MIN_ARTICLE_WORDS,
        removed_lines=cleaned.removed_lines,
    )


# ----------------------------------------------------------------------------------------- batches


def extract_many(
    jobs: Iterable[tuple[Key, Sequence[HtmlInput], str | None]],
    workers: int | None = None,
    timeout_s: float = 30.0,
) -> Iterator[tuple[Key, ExtractedArticle | ExtractionFailure]]:
    """Extract many pages; results come in the order of `jobs`, a failing page yields ExtractionFailure.

    `workers` processes (None: one per CPU) each work through their pages one at a time, the next
    ones already waiting in their pipe; a page that runs past `timeout_s` has its worker killed and
    replaced (the pages behind it go to another worker). A worker is replaced after
    RECYCLE_AFTER_PAGES pages or a page that left it above WORKER_RSS_LIMIT_MB, so memory stays flat
    over a long run. `workers=0` runs in this process, with the time limit enforced by SIGALRM where
    that is available (the main thread on Unix). Workers start from a fork server, so a script that
    calls this needs the usual `if __name__ == "__main__":` guard.
    """
    if workers is None:
        import os

        workers = os.cpu_count() or 1
    if workers <= 0:
        yield from run_inline(jobs, timeout_s)
    else:
        yield from run_in_pool(jobs, workers, timeout_s)


def extract_job(parts: Sequence[HtmlInput], url: str | None) -> ExtractedArticle | ExtractionFailure:
    """One job of a batch: the article, or the reason it could not be extracted (never raises)."""
    try:
        return extract_article(parts, url)
    except InputError as error:
        return ExtractionFailure(_reason_of(str(error)), str(error))
    except RecursionError:
        return ExtractionFailure("unparseable", "markup nested too deeply to process")
    except MemoryError:
        return ExtractionFailure("too_large", "page needs more memory than is available")
    except Exception as error:  # noqa: BLE001 - a bad page is recorded and the batch goes on
        return ExtractionFailure("error", f"{type(error).__name__}: {error}")


def _reason_of(message: str) -> str:
    for prefix, reason in (("empty", "empty"), ("no page", "empty"), ("binary", "binary"), ("page is", "too_large"), ("unparseable", "unparseable"), ("not an HTML", "unparseable")):
        if message.startswith(prefix):
            return reason
    return "error"


@lru_cache(maxsize=1)
def _warm() -> bool:
    """Load trafilatura and the language model once per worker before timing starts."""
    import trafilatura  # noqa: F401

    detect_language("Ini adalah kalimat pemanasan untuk memuat model bahasa sekali saja.")
    return True


class _PageTimeout(BaseException):
    """Raised by the alarm in inline mode; a BaseException so that no page-level handler swallows it."""


def run_inline(jobs: Iterable[tuple[Key, Sequence[HtmlInput], str | None]], timeout_s: float) -> Iterator[tuple[Key, ExtractedArticle | ExtractionFailure]]:
    for key, parts, url in jobs:
        yield key, _extract_with_alarm(list(parts), url, timeout_s)


def _extract_with_alarm(parts: list[HtmlInput], url: str | None, timeout_s: float) -> ExtractedArticle | ExtractionFailure:
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        return extract_job(parts, url)

    def on_alarm(signum, frame):
        raise _PageTimeout()

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, timeout_s)
    try:
        return extract_job(parts, url)
    except _PageTimeout:
        return ExtractionFailure("timeout", f"page took longer than {timeout_s:g} s to extract; skipped")
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


# A worker gets its next pages while it works on the current one, so it never waits for the parent
# between pages (one page per round trip left the workers idle most of the time on a busy machine).
PAGES_IN_FLIGHT = 3
# Pages waiting in a worker's pipe stay under this many bytes: the pipe holds about 200 KB, and
# writing more into the pipe of a busy worker would block the parent (and every other worker's next
# page) until that worker got through its current page. A bigger page goes to a worker with an empty pipe.
PREFETCH_MAX_BYTES = 160 * 1024
# Results held back for the ordered output, at most this many pages per worker past the oldest.
WINDOW_PER_WORKER = 16
# A worker is replaced after this many pages, and after a page that left it above this size:
# lxml and the allocator keep what a big page took, so a long run would otherwise only grow.
RECYCLE_AFTER_PAGES = 400
WORKER_RSS_LIMIT_MB = 600.0


def _own_rss_mb() -> float:
    """Resident memory of this process now (Linux); 0 where /proc is not available."""
    import os

    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError):
        return 0.0


def _worker_main(conn) -> None:
    """A pool worker: receives (index, parts, url), sends back (index, result, RSS MB), until told to stop."""
    _warm()
    conn.send("ready")  # the parent starts a page's clock only once models are loaded
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        index, parts, url = message
        result = extract_job(parts, url)
        conn.send((index, result, _own_rss_mb()))


class _Worker:
    def __init__(self, context) -> None:
        from collections import deque
        from time import monotonic

        self.conn, child = context.Pipe()
        self.process = context.Process(target=_worker_main, args=(child,), daemon=True, name="pantau-extract")
        self.process.start()
        child.close()
        self.queue: deque[int] = deque()  # pages sent and not answered, the one being worked on first
        self.started = monotonic()  # when it was started, then when its current page began
        self.ready = False
        self.retiring = False  # takes no new page; stopped once its queue is empty
        self.pages = 0

    def stop(self, kill: bool = False) -> None:
        if not kill:
            self.ask_to_stop()
            self.process.join(timeout=2)
        self.close()

    def ask_to_stop(self) -> None:
        try:
            self.conn.send(None)
        except (BrokenPipeError, OSError, ValueError):
            pass

    def close(self) -> None:
        if self.process.is_alive():
            self.process.kill()  # our own child, stuck on a page or told to stop and not stopping
            self.process.join(timeout=5)
        self.conn.close()


def _pool_context():
    import multiprocessing

    # forkserver: workers start from a clean, single-threaded server process, so a caller's threads
    # (Prefect, Dask, logging) are never forked mid-lock.
    method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
    context = multiprocessing.get_context(method)
    if method == "forkserver":
        # Workers fork from a server that has already imported the heavy libraries and loaded the
        # language model, so that a worker (and each one that replaces a recycled worker) starts at once.
        context.set_forkserver_preload(["trafilatura", "htmldate", "charset_normalizer", "pipeline.extract", "pipeline.extract_preload"])
    return context


class _Pool:
    """The bookkeeping of `run_in_pool`: which worker holds which pages, results waiting for their turn."""

    def __init__(self, context, workers: int, timeout_s: float, recycle_after: int, rss_limit_mb: float) -> None:
        from collections import deque

        self.context = context
        self.timeout_s = timeout_s
        self.recycle_after = recycle_after
        self.rss_limit_mb = rss_limit_mb
        self.workers: list[_Worker] = [_Worker(context) for _ in range(workers)]
        self.stopping: list[_Worker] = []  # told to stop, not yet gone
        self.keys: dict[int, Any] = {}
        self.payloads: dict[int, tuple[list[HtmlInput], str | None]] = {}  # sent, kept until answered
        self.sizes: dict[int, int] = {}
        self.resend: deque[int] = deque()  # pages left in the pipe of a worker that was killed
        self.done: dict[int, ExtractedArticle | ExtractionFailure] = {}
        self.recycled = 0

    def add(self, index: int, key: Any, parts: list[HtmlInput], url: str | None) -> None:
        self.keys[index], self.payloads[index] = key, (parts, url)
        self.sizes[index] = sum(len(part) for part in parts)

    def can_take(self, worker: _Worker) -> bool:
        return worker in self.workers and worker.ready and not worker.retiring and len(worker.queue) < PAGES_IN_FLIGHT

    def fits(self, worker: _Worker, index: int) -> bool:
        """Whether page `index` can wait in the pipe of `worker` without blocking the parent."""
        if not worker.queue:
            return True  # the worker is waiting for it and reads it as it is written
        return self.unread_bytes(worker) + self.sizes[index] <= PREFETCH_MAX_BYTES

    def unread_bytes(self, worker: _Worker) -> int:
        """Bytes of the pages waiting in the worker's pipe behind the one it works on."""
        return sum(self.sizes[queued] for queued in list(worker.queue)[1:])

    def send(self, worker: _Worker, index: int) -> bool:
        """Give `worker` the page `index`; False (and the worker replaced) when it is gone."""
        from time import monotonic

        parts, url = self.payloads[index]
        try:
            worker.conn.send((index, parts, url))
        except (BrokenPipeError, OSError, ValueError):
            # It died between pages: the page it was on (if any) is the culprit, this one is not.
            self.resend.appendleft(index)
            self.replace(worker, ExtractionFailure("crashed", "the extraction worker died on this page (out of memory or a parser crash)"))
            return False
        if not worker.queue:
            worker.started = monotonic()
        worker.queue.append(index)
        return True

    def receive(self, worker: _Worker) -> None:
        from time import monotonic

        try:
            message = worker.conn.recv()
        except (EOFError, OSError) as error:
            if not worker.ready:
                raise PantauError(
                    "extraction worker failed to start (a script calling extract_many needs the "
                    "`if __name__ == '__main__':` guard); or run with workers=0"
                ) from error
            self.replace(worker, ExtractionFailure("crashed", "the extraction worker died on this page (out of memory or a parser crash)"))
            return
        if message == "ready":
            worker.ready = True
            return
        index, result, rss_mb = message
        worker.queue.popleft()
        self.forget(index)
        self.done[index] = result
        worker.pages += 1
        worker.started = monotonic()  # its next page, already in its pipe, starts now
        if not worker.retiring and (worker.pages >= self.recycle_after or rss_mb > self.rss_limit_mb):
            self.retire(worker)

    def forget(self, index: int) -> None:
        self.payloads.pop(index, None)
        self.sizes.pop(index, None)

    def retire(self, worker: _Worker) -> None:
        """Start its successor now (it loads models while this one finishes the pages it holds)."""
        worker.retiring = True
        self.recycled += 1
        self.workers.append(_Worker(self.context))

    def replace(self, worker: _Worker, failure: ExtractionFailure) -> None:
        """Kill `worker`: its current page gets `failure`, the pages behind it go to another worker."""
        if worker.queue:
            current = worker.queue.popleft()
            self.forget(current)
            self.done[current] = failure
            self.resend.extendleft(reversed(worker.queue))
            worker.queue.clear()
        worker.stop(kill=True)
        self.workers.remove(worker)
        if not worker.retiring:
            self.workers.append(_Worker(self.context))

    def let_go_of_retired(self) -> None:
        for worker in [w for w in self.workers if w.retiring and not w.queue]:
            worker.ask_to_stop()
            self.workers.remove(worker)
            self.stopping.append(worker)
        for worker in [w for w in self.stopping if not w.process.is_alive()]:
            worker.close()
            self.stopping.remove(worker)

    def check_time_limits(self) -> None:
        from time import monotonic

        now = monotonic()
        for worker in list(self.workers):
            if worker.queue and now - worker.started >= self.timeout_s:
                self.replace(worker, ExtractionFailure("timeout", f"page took longer than {self.timeout_s:g} s to extract; skipped"))
            elif not worker.ready and now - worker.started >= STARTUP_TIMEOUT_S:
                raise PantauError(f"extraction workers did not start within {STARTUP_TIMEOUT_S:g} s; try --workers 0")

    def next_deadline(self) -> float | None:
        deadlines = [w.started + self.timeout_s for w in self.workers if w.queue]
        deadlines += [w.started + STARTUP_TIMEOUT_S for w in self.workers if not w.ready]
        return min(deadlines) if deadlines else None

    def close(self) -> None:
        everyone = self.workers + self.stopping
        for worker in everyone:
            worker.ask_to_stop()
        for worker in everyone:
            worker.process.join(timeout=2)
            worker.close()


def run_in_pool(
    jobs: Iterable[tuple[Key, Sequence[HtmlInput], str | None]],
    workers: int,
    timeout_s: float,
    *,
    recycle_after: int = RECYCLE_AFTER_PAGES,
    rss_limit_mb: float = WORKER_RSS_LIMIT_MB,
) -> Iterator[tuple[Key, ExtractedArticle | ExtractionFailure]]:
    from multiprocessing.connection import wait
    from time import monotonic

    pool = _Pool(_pool_context(), workers, timeout_s, recycle_after, rss_limit_mb)
    pending = iter(jobs)
    window = workers * WINDOW_PER_WORKER
    taken = emitted = 0  # pages taken from `jobs`, pages given back in order
    exhausted = False

    def next_page() -> int | None:
        nonlocal taken, exhausted
        if pool.resend:
            return pool.resend.popleft()
        if exhausted or taken - emitted >= window:
            return None
        try:
            key, parts, url = next(pending)
        except StopIteration:
            exhausted = True
            return None
        pool.add(taken, key, list(parts), url)
        taken += 1
        return taken - 1

    held_back: int | None = None  # the next page, too big for any pipe that is not empty
    try:
        while True:
            # Results first: a page answered frees its place in the window before anything is sent.
            while emitted in pool.done:
                yield pool.keys.pop(emitted), pool.done.pop(emitted)
                emitted += 1
            pool.let_go_of_retired()
            if exhausted and held_back is None and not pool.resend and emitted == taken:
                return
            # Each page to the worker with the fewest pages queued: idle workers first, and a page too
            # big to wait in a busy worker's pipe is held back until one is idle.
            while takers := [worker for worker in pool.workers if pool.can_take(worker)]:
                worker = min(takers, key=lambda w: (len(w.queue), pool.unread_bytes(w)))
                index = held_back if held_back is not None else next_page()
                if index is None:
                    break
                if not pool.fits(worker, index):
                    held_back = index
                    break
                held_back = None
                pool.send(worker, index)
            waiting = [worker.conn for worker in pool.workers if worker.queue or not worker.ready]
            if not waiting:
                raise PantauError("extraction pool has pages left but none in flight (a bug); run with --workers 0")
            deadline = pool.next_deadline()
            for conn in wait(waiting, timeout=None if deadline is None else max(0.0, deadline - monotonic())):
                worker = next((w for w in pool.workers if w.conn is conn), None)
                if worker is not None:
                    pool.receive(worker)
            pool.check_time_limits()
    finally:
        pool.close()
