"""`PhraseTable`: phrase matching on token attributes, held as plain data so that it saves and loads fast.

It finds what spaCy's `PhraseMatcher` finds for the same patterns on ORTH or LOWER: every
occurrence of every pattern, ordered by start and then by length (see `shared_sequences` for the one
difference). A PhraseMatcher cannot be saved:
it is rebuilt from pattern Docs, and for the 72,000 written forms of the places gazetteer making
those Docs and adding them took seconds at every start. A table of token-id tuples is read back in
milliseconds (`to_bytes`/`from_bytes`), which is what lets the built pipeline load from disk fast.

Token ids are spaCy's 64-bit string hashes (`doc.to_array(ORTH)`), the same in every process.
"""

from __future__ import annotations

from collections.abc import Iterable

import srsly
from spacy.attrs import LOWER, ORTH
from spacy.tokens import Doc, Span

ATTRIBUTES = {"ORTH": ORTH, "LOWER": LOWER}


class PhraseTable:
    """Labelled token sequences; calling it on a Doc gives the Spans where they occur."""

    def __init__(self, attr: str = "ORTH"):
        if attr not in ATTRIBUTES:
            raise ValueError(f"PhraseTable matches on {', '.join(ATTRIBUTES)}, not {attr!r}")
        self.attr = attr
        # token ids -> labels (in the order they were added); first token id -> pattern lengths, ascending
        self._labels: dict[tuple[int, ...], tuple[str, ...]] = {}
        self._lengths: dict[int, tuple[int, ...]] = {}

    def __len__(self) -> int:
        return sum(len(labels) for labels in self._labels.values())

    def shared_sequences(self) -> list[tuple[str, ...]]:
        """The labels of each token sequence added under several labels. PhraseMatcher returns such labels in
        its hash table's order, this table in the order they were added: where the label matters, keep it
        one label per sequence (the organisation lexicon refuses a form that names two organisations)."""
        return [labels for labels in self._labels.values() if len(labels) > 1]

    def add(self, label: str, docs: Iterable[Doc]) -> None:
        """Add patterns (tokenised like the texts they are matched in) under `label`; empty ones are skipped."""
        for doc in docs:
            ids = tuple(doc.to_array(ATTRIBUTES[self.attr]).tolist()) if len(doc) else ()
            if ids:
                self._add_ids(label, ids)

    def _add_ids(self, label: str, ids: tuple[int, ...]) -> None:
        labels = self._labels.get(ids, ())
        if label not in labels:
            self._labels[ids] = (*labels, label)
        lengths = self._lengths.get(ids[0], ())
        if len(ids) not in lengths:
            self._lengths[ids[0]] = tuple(sorted((*lengths, len(ids))))

    def __call__(self, doc: Doc) -> list[Span]:
        """Every occurrence as a Span labelled with its pattern's label, by start, then shortest first."""
        if not self._labels or not len(doc):
            return []
        ids = doc.to_array(ATTRIBUTES[self.attr]).tolist()
        size = len(ids)
        spans = []
        lengths_of, labels_of = self._lengths.get, self._labels.get
        for start, first in enumerate(ids):
            lengths = lengths_of(first)
            if lengths is None:
                continue
            for length in lengths:
                end = start + length
                if end > size:
                    break
                labels = labels_of(tuple(ids[start:end]))
                if labels:
                    spans.extend(Span(doc, start, end, label=label) for label in labels)
        return spans

    def to_bytes(self) -> bytes:
        return srsly.msgpack_dumps({
            "attr": self.attr,
            "patterns": [list(ids) for ids in self._labels],
            "labels": list(self._labels.values()),
            "lengths": [[first, list(lengths)] for first, lengths in self._lengths.items()],
        })

    def from_bytes(self, data: bytes) -> PhraseTable:
        content = srsly.msgpack_loads(data, use_list=False)  # tuples: the keys as they are, and faster to read
        if len(content["patterns"]) != len(content["labels"]):
            raise ValueError("phrase table data: patterns and labels differ in number")
        self.attr = content["attr"]
        self._labels = dict(zip(content["patterns"], content["labels"], strict=True))
        self._lengths = dict(content["lengths"])
        return self
