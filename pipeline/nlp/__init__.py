"""NLP stages of the process step, as spaCy components (see pipeline/nlp/assembly.py for their assembly).

Every component reads and writes Doc extensions: `doc._.dateline` (input: the place of reporting
from the cleaning stage) and `doc._.places`, `doc._.organizations`, `doc._.people`, `doc._.quotes`,
`doc._.statistics` (outputs: lists of dicts in the shape of the `pantau analyze` contract). Spans go
to `doc.spans["places"|"organizations"|"people"]` with labels LOC/ORG/PER for the NER evaluation.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from typing import Any

from pantau.store.tables import TAG_TYPES


def _import_spacy_without_torch() -> None:
    """Import spaCy with torch hidden from thinc, when neither is imported yet.

    thinc (spaCy's machine-learning layer) imports torch at import time only to offer GPU models, which
    pantau's rule-based stages never use; that import is 1.5 s of a 3 s start-up budget. Hidden, thinc
    records that torch is absent; torch itself imports normally afterwards (the embedding model)."""
    if "spacy" in sys.modules or "thinc" in sys.modules or "torch" in sys.modules:
        return
    sys.modules["torch"] = None  # type: ignore[assignment] - `import torch` now raises ImportError
    try:
        import spacy  # noqa: PLC0415, F401 - this function exists to run this import with torch hidden from thinc
    finally:
        del sys.modules["torch"]


_import_spacy_without_torch()

from spacy.language import Language  # noqa: E402 - after the import above
from spacy.tokens import Doc  # noqa: E402

# One Doc extension per tag type of the store (pantau.store.tables.TAG_TYPES): a stage writes its list there.
TAG_KEYS = tuple(TAG_TYPES)
# Where the original text is kept on a Doc: spaCy rebuilds `doc.text` from every token on each access.
TEXT_KEY = ("pantau", "text")

for _name in ("dateline", *TAG_KEYS):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=None)


def tags_from_doc(doc: Doc) -> dict[str, list[dict[str, Any]]]:
    """The tag lists of the contract from an annotated Doc, one per tag type (missing stages give [])."""
    return {key: list(getattr(doc._, key) or []) for key in TAG_KEYS}


def annotate_many(nlp: Language, items: Iterable[tuple[str, str | None]],
                  batch_size: int = 64) -> Iterator[dict[str, list[dict[str, Any]]]]:
    """Tags for each (text, dateline) pair, in order, running every stage batch by batch."""
    docs: Iterable[Doc] = (make_doc(nlp, text, dateline) for text, dateline in items)
    for _name, component in nlp.pipeline:
        if hasattr(component, "pipe"):
            docs = component.pipe(docs, batch_size=batch_size)
        else:
            docs = map(component, docs)
    for doc in docs:
        yield tags_from_doc(doc)


def annotate(nlp: Language, text: str, dateline: str | None = None) -> dict[str, list[dict[str, Any]]]:
    return next(annotate_many(nlp, [(text, dateline)]))


def doc_text(doc: Doc) -> str:
    """`doc.text`, computed at most once per Doc (every stage reads it)."""
    text = doc.user_data.get(TEXT_KEY)
    if text is None:
        text = doc.text
        doc.user_data[TEXT_KEY] = text
    return text


def pattern_docs(nlp: Language, texts: Iterable[str]) -> list[Doc]:
    """`texts` tokenised like articles, for matcher patterns, without touching the tokenizer's cache.

    The cache keeps the first `max_cache_size` (10 000) chunks it meets and never evicts: the tens of
    thousands of gazetteer and lexicon forms tokenised at build time took every slot, and every word of
    every article then went through the affix rules again (the tokenizer ran about 8x slower).
    """
    tokenizer = nlp.tokenizer
    cache_size = tokenizer.max_cache_size
    tokenizer.max_cache_size = 0
    try:
        return list(tokenizer.pipe(texts))
    finally:
        tokenizer.max_cache_size = cache_size


def make_doc(nlp: Language, text: str, dateline: str | None = None) -> Doc:
    """The tokenised Doc of `text`, ready for the stages: its dateline set and its text kept."""
    text = text or ""
    doc = nlp.make_doc(text)
    # spaCy's tokenizer is lossless (doc.text == text): keeping the string saves a join over every token.
    doc.user_data[TEXT_KEY] = text
    doc._.dateline = dateline
    return doc
