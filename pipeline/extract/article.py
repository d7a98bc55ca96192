"""The article of one page (or of the parts of a multi-page article): trafilatura's body, cleaned,
with the title, dates, authors and labels the page's metadata gives, and whether it is an article at
all; and the same record for a plain-text document."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

from pantau.core.errors import InputError
from pantau.core.outlets import outlet_for_url, url_key
from pantau.core.urls import url_host
from pipeline.clean import clean_document, clean_text, normalize_line
from pipeline.extract.authors import extract_authors
from pipeline.extract.dates import choose_datetime, fallback_date, published_candidates, updated_candidates
from pipeline.extract.html import HtmlInput, check_is_html, decode_html, has_no_xml_invalid_bytes, parse_html
from pipeline.extract.metadata import ARTICLE_TYPES, PageMetadata, jsonld_types, jsonld_values, read_page_metadata
from pipeline.language import detect_language

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
MIN_ARTICLE_WORDS = 50  # below this a page is a teaser, an index card or a wall, not an article


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
    for image in jsonld_values(item, "image"):
        if isinstance(image, str):
            return image
        if isinstance(image, dict) and isinstance(image.get("url"), str):
            return image["url"]
    return None


def _is_false(value: Any) -> bool:
    return value is False or (isinstance(value, str) and value.strip().lower() in {"false", "no", "0"})


# -------------------------------------------------------------------------------------- is_article

NON_ARTICLE_TYPES = frozenset({"collectionpage", "searchresultspage", "imagegallery", "mediagallery", "videogallery", "itemlist",
                               "profilepage"})
NON_ARTICLE_OG_TYPES = frozenset({"video", "video.other", "video.movie", "video.episode", "profile", "music.song", "book"})
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
    declared = {*jsonld_types(page.main), (page.first("og:type") or "").lower()}
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


def extract_article(html: HtmlInput | Sequence[HtmlInput], url: str | None = None, *,
                    now: datetime | None = None) -> ExtractedArticle:
    """The article in a page, or in the parts of a multi-page article given in order.

    Raises InputError for input that is not an HTML page (empty, binary, oversized, unparseable).
    """
    parts = [html] if isinstance(html, (bytes, str)) else list(html)
    if not parts:
        raise InputError("no page given: nothing to extract")
    texts = [decode_html(part) for part in parts]
    for text in texts:
        check_is_html(text)
    trees = [parse_html(text, xml_clean=has_no_xml_invalid_bytes(part)) for part, text in zip(parts, texts, strict=True)]
    page = read_page_metadata(trees[0])
    page.html = texts[0]
    canonical_url = _canonical(page, url)
    outlet = _outlet_for(url, canonical_url)
    bodies = [_body_text(tree, url) for tree in trees]
    return build_article(page, bodies, url, canonical_url, outlet, trees[0], now or datetime.now(UTC))


def _body_text(tree, url: str | None) -> str:
    import trafilatura  # noqa: PLC0415 - 0.4 s to import: loaded with the first page, not by every import of the package

    try:
        return trafilatura.extract(tree, url=url, **TRAFILATURA_OPTIONS) or ""
    except Exception as error:  # noqa: BLE001 - trafilatura failing on a page is a property of the page
        raise InputError(f"extraction failed: {type(error).__name__}: {error}") from error


def _canonical(page: PageMetadata, url: str | None) -> str | None:
    main = page.main
    entity = main.get("mainEntityOfPage")
    entity_url = (entity.get("@id") or entity.get("url") if isinstance(entity, dict)
                  else entity if isinstance(entity, str) else None)
    main_url = main.get("url") if isinstance(main.get("url"), str) else None
    for candidate in (page.canonical, page.first("og:url"), entity_url, main_url):
        if not candidate:
            continue
        try:
            return url_key(urljoin(url or "", candidate.strip()))
        except Exception:  # noqa: BLE001 - a broken canonical link is ignored, the page's URL remains
            continue
    return None


def _outlet_for(url: str | None, canonical_url: str | None):
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
    site_names = [n for n in (outlet_name, site_name, publisher_name, *(outlet.publisher_names if outlet else ()),
                              *(outlet.dateline_names if outlet else ())) if n]
    if url or canonical_url:
        site_names.append(url_host(url or canonical_url))
    headline = main.get("headline") if isinstance(main.get("headline"), str) else None
    raw_title = headline or page.first("og:title", "twitter:title") or _title_element(tree) or ""
    title = strip_title_suffix(raw_title, site_names, outlet.title_suffixes if outlet else ()) or None
    description = ((main.get("description") if isinstance(main.get("description"), str) else None)
                   or page.first("og:description", "description", "twitter:description"))
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
        isinstance(part, dict) and _is_false(part.get("isAccessibleForFree")) for part in jsonld_values(main, "hasPart")
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
        tags=_split_tags(page.all("article:tag", "news_keywords", "keywords", "content_tags") or jsonld_values(main, "keywords")),
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
