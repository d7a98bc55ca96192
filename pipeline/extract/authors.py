"""Authors: the people who wrote the article, from the fields that name a writer, JSON-LD, author meta
and the visible bylines, in that order; never its editors, its publisher or a desk."""

from __future__ import annotations

import re
from collections.abc import Iterable

from pipeline.clean import normalize_line
from pipeline.extract.metadata import PageMetadata, jsonld_types, jsonld_values
from pipeline.names import ORGANIZATION_WORDS

# Words that mark a desk, a team or an organisation rather than a person: those of a media or team name
# (shared with the people stage), and the words that only bylines need.
NOT_A_PERSON_WORDS = ORGANIZATION_WORDS | frozenset(
    {
        # Desks, outlets and companies as bylines name them. Not shared, as the people stage would find other
        # people: in running text they are roles or ordinary words ("Pemimpin Redaksi", "Staf Khusus", "Ketua
        # Harian", "Facebook Indonesia", "di antara"), or the company a role names just before a person
        # ("Presiden Direktur PT Blue Bird Tbk Purnomo Prawiro", "CEO Cyrus Network Hasan Nasbi").
        "redaksi", "team", "desk", "newsroom", "cyber", "berita", "staff", "staf", "editorial", "humas",
        "kontributor", "contributor", "agency", "agencies", "wire", "reuters", "afp", "antara", "associated",
        "press", "network", "foundation", "corporation", "corp", "inc", "ltd", "pt", "tbk", "official",
        "indonesia", "daily", "times", "post", "digital", "radio", "majalah", "koran", "harian", "portal",
        # placeholders of publishing systems, and the labels of credit fields
        "admin", "administrator", "developer", "webmaster", "guest", "anonymous", "unknown", "penulis", "editor",
        "reporter", "pewarta", "writer", "name", "nama", "autor", "author", "auteur", "themegrill", "wordpress",
        # bylines often carry the date beside the name
        "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
        "senin", "selasa", "rabu", "kamis", "jumat", "sabtu", "minggu", "updated", "published", "diperbarui",
    }
)
_CREDIT_LABEL = re.compile(
    r"^(?:view all posts\s+|(?:ditulis|veröffentlicht|geschrieben|posted|written|published|publié|escrito|publicado)\s+)?"
    r"(?:oleh|by|von|par|por|door|penulis|reporter|pewarta|writer|author|autor|auteur|laporan wartawan|wartawan"
    r"|kontributor)\s*[:\-]?\s+",
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
        for editor in jsonld_values(item, "editor"):
            names.add(str(editor.get("name", "")) if isinstance(editor, dict) else str(editor))
    names.update(page.all("content_editor", "dtk:editor", "editor"))
    names.update(page.script_fields.get("content_editor", []) + page.script_fields.get("editor", [])
                 + page.script_fields.get("article_editor", []))
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
        for author in jsonld_values(page.main, "author")
        if author and not (isinstance(author, dict) and jsonld_types(author) & {"organization", "newsmediaorganization"})
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
