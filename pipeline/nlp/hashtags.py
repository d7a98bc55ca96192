"""The `pantau_hashtags` component: hashtags and social-media accounts an article names.

Campaigns live on social media as much as in the news: "#MakinCakapDigital", "#LajuDigital",
"@siberkreasi", "@kemkominfo". An article that prints them links the coverage to the campaign's own
channels, and comms teams count them. A hashtag starts with a letter ("#1" is a rank, "#" alone a
symbol); an account is not the middle of an e-mail address ("humas@kominfo.go.id") or of a word.
Each is listed once per article, as first written, with how often the article writes it (in any case).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from pipeline.nlp import doc_text

HASHTAG = re.compile(r"(?<![\w&#/])#([^\W\d_]\w{1,99})")
# Handles of the platforms news quotes (Instagram, X/Twitter, TikTok): letters, digits, _ and inner dots.
ACCOUNT = re.compile(r"(?<![\w.@/])@([A-Za-z0-9_](?:[A-Za-z0-9_.]{0,28}[A-Za-z0-9_])?)(?![\w@]|\.[A-Za-z])")


def find_hashtags(text: str) -> list[dict[str, Any]]:
    """{name, kind, mentions} per hashtag or account in `text`, in order of first mention."""
    found: dict[str, dict[str, Any]] = {}
    matches = sorted([(m.start(), "hashtag", m.group(0)) for m in HASHTAG.finditer(text)]
                     + [(m.start(), "account", m.group(0)) for m in ACCOUNT.finditer(text)])
    for _start, kind, written in matches:
        entry = found.setdefault(written.casefold(), {"name": written, "kind": kind, "mentions": 0})
        entry["mentions"] += 1
    return list(found.values())


class HashtagFinder:
    def __call__(self, doc: Doc) -> Doc:
        doc._.hashtags = find_hashtags(doc_text(doc))
        return doc

    def pipe(self, docs: Iterable[Doc], batch_size: int = 64) -> Iterator[Doc]:
        for doc in docs:
            yield self(doc)


@Language.factory("pantau_hashtags", assigns=["doc._.hashtags"])
def make_hashtag_finder(nlp: Language, name: str) -> HashtagFinder:
    return HashtagFinder()


def resource_files(settings: dict[str, Any]) -> list[Path]:
    """Nothing: the stage is its patterns (for the key of a saved pipeline)."""
    return []
