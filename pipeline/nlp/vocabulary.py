"""Everyday Indonesian words, to tell a capitalised common word ("Saat", "Kepala") from a name.

Built from data that ships with installed packages: spaCy's Indonesian stop words and the Indonesian
lemma table of `spacy-lookups-data` (its surface forms and lemmas).
"""

from __future__ import annotations

import gzip
import json
from functools import lru_cache
from importlib import resources
from pathlib import Path

from spacy.lang.id.stop_words import STOP_WORDS


@lru_cache(maxsize=1)
def common_words() -> frozenset[str]:
    """Lower-cased common Indonesian words (about 37 000)."""
    words = set(STOP_WORDS)
    words.update(_lemma_table_words())
    return frozenset(word.lower() for word in words if word.isalpha())


# Affixes of everyday words ("Rencananya", "Dikutip", "Pasalnya"): a word that is common once they are
# removed is common too.
_SUFFIXES = ("nya", "lah", "kah", "pun", "ku", "mu", "kan")
_PREFIXES = ("di", "ter", "ber", "se", "ke", "me", "mem", "men", "meng", "meny", "pe", "per")


def is_common(word: str) -> bool:
    """Whether `word` (any case) is an everyday Indonesian word, allowing for common affixes."""
    lower = word.lower()
    words = common_words()
    if lower in words:
        return True
    for suffix in _SUFFIXES:
        if lower.endswith(suffix) and len(lower) - len(suffix) >= 3 and lower[: -len(suffix)] in words:
            return True
    for prefix in _PREFIXES:
        if lower.startswith(prefix) and len(lower) - len(prefix) >= 4:
            stem = lower[len(prefix):]
            if stem in words or any(stem.endswith(suffix) and len(stem) - len(suffix) >= 4
                                    and stem[: -len(suffix)] in words for suffix in _SUFFIXES):
                return True
    return False


@lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    """spaCy's Indonesian stop words: never part of a name, even capitalised ("Anda", "Ini")."""
    return frozenset(STOP_WORDS)


def lemma_table_path() -> list[Path]:
    """The lemma table's file, or nothing when spacy-lookups-data is not installed (for the key of a saved pipeline)."""
    try:
        path = Path(str(resources.files("spacy_lookups_data") / "data" / "id_lemma_lookup.json.gz"))
    except ModuleNotFoundError:
        return []
    return [path] if path.is_file() else []


def _lemma_table_words() -> set[str]:
    # The table is optional at run time: without it, stop words alone still catch most sentence starters.
    try:
        table_file = resources.files("spacy_lookups_data") / "data" / "id_lemma_lookup.json.gz"
        with table_file.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as text:
            table = json.load(text)
    except (ModuleNotFoundError, FileNotFoundError, OSError, ValueError):
        return set()
    return set(table) | set(table.values())
