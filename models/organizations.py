"""The organisation lexicon (`models/organizations.toml`): loading and validation.

The lexicon is data: one entry per organisation with its canonical name, acronym, aliases, kind and,
for bodies that were renamed (Kominfo became Komdigi in 2024), the years it was valid and its successors.
The `[shapes]` table holds the head words of the shape rules used for organisations not in the lexicon.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pantau.core.errors import ModelMissingError, PantauError

LEXICON_PATH = Path(__file__).with_name("organizations.toml")


@dataclass(frozen=True)
class OrganizationEntry:
    name: str
    acronym: str
    aliases: tuple[str, ...]
    kind: str
    valid_from: int | None = None
    valid_until: int | None = None
    renamed_to: tuple[str, ...] = ()
    leader_titles: tuple[str, ...] = ()

    def surface_forms(self) -> tuple[str, ...]:
        """Every way the press writes this organisation, canonical name first."""
        forms = [self.name, *([self.acronym] if self.acronym else []), *self.aliases]
        return tuple(dict.fromkeys(forms))


@dataclass(frozen=True)
class ShapeRules:
    heads: tuple[str, ...]
    connectors: tuple[str, ...]
    suffixes: tuple[str, ...]
    tail_heads: tuple[str, ...]
    title_words: tuple[str, ...]


@dataclass(frozen=True)
class Lexicon:
    entries: tuple[OrganizationEntry, ...]
    shapes: ShapeRules

    def by_name(self) -> dict[str, OrganizationEntry]:
        return {entry.name: entry for entry in self.entries}


def load_lexicon(path: Path | str | None = None) -> Lexicon:
    """The lexicon at `path` (default: the one shipped in models/), validated."""
    return _load_lexicon_cached(str(Path(path) if path else LEXICON_PATH))


@lru_cache(maxsize=4)
def _load_lexicon_cached(path: str) -> Lexicon:
    source = Path(path)
    if not source.is_file():
        raise ModelMissingError(f"organisation lexicon not found at {source}: restore models/organizations.toml")
    try:
        data = tomllib.loads(source.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise PantauError(f"organisation lexicon {source} is not valid TOML ({error}): fix the file") from error
    entries = tuple(_entry_from_table(table, source) for table in data.get("org", []))
    _check_unique_surfaces(entries, source)
    _check_successors(entries, source)
    return Lexicon(entries=entries, shapes=_shapes_from_table(data.get("shapes", {})))


def _entry_from_table(table: dict, source: Path) -> OrganizationEntry:
    name = str(table.get("name", "")).strip()
    if not name:
        raise PantauError(f"an entry in {source} has no name: give every [[org]] a `name`")
    return OrganizationEntry(
        name=name,
        acronym=str(table.get("acronym", "")).strip(),
        aliases=tuple(str(alias).strip() for alias in table.get("aliases", []) if str(alias).strip()),
        kind=str(table.get("kind", "organization")),
        valid_from=table.get("valid_from"),
        valid_until=table.get("valid_until"),
        renamed_to=tuple(table.get("renamed_to", [])),
        leader_titles=tuple(table.get("leader_titles", [])),
    )


def _shapes_from_table(table: dict) -> ShapeRules:
    return ShapeRules(
        heads=tuple(table.get("heads", [])),
        connectors=tuple(table.get("connectors", [])),
        suffixes=tuple(table.get("suffixes", [])),
        tail_heads=tuple(table.get("tail_heads", [])),
        title_words=tuple(table.get("title_words", [])),
    )


def _check_unique_surfaces(entries: tuple[OrganizationEntry, ...], source: Path) -> None:
    # A surface form that names two organisations would make the canonical name depend on match order.
    owner: dict[str, str] = {}
    for entry in entries:
        for form in entry.surface_forms():
            key = form.casefold() if len(form.split()) >= 3 else form
            if owner.setdefault(key, entry.name) != entry.name:
                raise PantauError(f"'{form}' names both '{owner[key]}' and '{entry.name}' in {source}: keep it in one entry")


def _check_successors(entries: tuple[OrganizationEntry, ...], source: Path) -> None:
    names = {entry.name for entry in entries}
    for entry in entries:
        for successor in entry.renamed_to:
            if successor not in names:
                raise PantauError(f"'{entry.name}' is renamed_to '{successor}', which has no entry in {source}: add it")
