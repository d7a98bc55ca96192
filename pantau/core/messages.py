"""The digest's words in each language, from messages.toml (data, not code)."""

from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any

MESSAGES_FILE = Path(__file__).with_name("messages.toml")
DEFAULT_LANGUAGE = "id"


@lru_cache(maxsize=1)
def catalog() -> dict[str, dict[str, Any]]:
    with MESSAGES_FILE.open("rb") as handle:
        return tomllib.load(handle)


def languages() -> tuple[str, ...]:
    return tuple(catalog())


class Messages:
    """`messages("key", n=3, campaign=...)`: the text of one key in one language, placeholders filled."""

    def __init__(self, language: str) -> None:
        if language not in catalog():
            raise KeyError(f"no digest messages for language {language!r}; known: {', '.join(languages())}")
        self.language = language
        self._table = catalog()[language]

    def __call__(self, key: str, **values: Any) -> str:
        text = self._table[key]
        if isinstance(text, list):
            text = text[0] if values.get("n") == 1 else text[-1]
        return text.format(**values)
