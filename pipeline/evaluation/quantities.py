"""Recall of the statistics stage on NER-UGM `QUANTITY` spans (IndoLEM), overlap match.

NER-UGM ships tokenised sentences, one token and BIO label per line, blank lines between sentences
(`test.0N.tsv`, `train.0N.tsv`, `dev.0N.tsv` for folds 1-5). Each sentence is turned back into text as
a news article would print it (no space before `,` `.` `%` `)`), run through the `pantau_statistics`
component, and a gold span counts as found when a statistic's span overlaps it. Precision (statistics
that overlap a gold span) is reported for information: NER-UGM leaves many countable numbers
unlabelled, and it labels durations and ages as QUANTITY, so neither side is the exact definition of a
pantau statistic.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import spacy

import pipeline.nlp.statistics  # noqa: F401  (registers the factory)
from pipeline.evaluation import require_dataset, shared_dir

LABEL = "QUANTITY"
GOAL_RECALL = 0.85
NO_SPACE_BEFORE = frozenset((",", ".", ";", ":", "!", "?", ")", "]", "%"))
NO_SPACE_AFTER = frozenset(("(", "["))


@dataclass
class Sentence:
    text: str
    gold: list[tuple[int, int]]


@dataclass
class QuantityScores:
    dataset: str
    sentences: int
    gold: int
    found: int
    predicted: int
    correct_predictions: int
    missed: list[str] = field(default_factory=list)
    spurious: list[str] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.found / self.gold if self.gold else 0.0

    @property
    def precision(self) -> float:
        return self.correct_predictions / self.predicted if self.predicted else 0.0

    def as_dict(self, examples: int = 20) -> dict:
        return {
            "dataset": self.dataset, "sentences": self.sentences, "gold_spans": self.gold, "found": self.found,
            "recall": round(self.recall, 4), "predicted": self.predicted, "precision": round(self.precision, 4),
            "goal_recall": GOAL_RECALL, "goal_met": self.recall >= GOAL_RECALL,
            "missed_examples": self.missed[:examples], "spurious_examples": self.spurious[:examples],
        }


def default_path() -> Path:
    return shared_dir() / "eval" / "ner" / "indolem" / "ner" / "data" / "nerugm"


def read_conll(path: Path) -> Iterator[list[tuple[str, str]]]:
    """Sentences of a token<TAB>label file; blank lines separate sentences."""
    sentence: list[tuple[str, str]] = []
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            line = line.rstrip("\n")
            if not line.strip():
                if sentence:
                    yield sentence
                sentence = []
                continue
            token, _, label = line.partition("\t")
            sentence.append((token, label.strip() or "O"))
    if sentence:
        yield sentence


def to_sentence(tokens: list[tuple[str, str]], label: str = LABEL) -> Sentence:
    """Text of the tokens with print spacing, and the character spans of `label` entities."""
    pieces: list[str] = []
    length = 0
    gold: list[tuple[int, int]] = []
    previous_token, previous_inside = "", False
    for token, tag in tokens:
        if pieces and token not in NO_SPACE_BEFORE and previous_token not in NO_SPACE_AFTER:
            pieces.append(" ")
            length += 1
        start = length
        pieces.append(token)
        length += len(token)
        kind, _, name = tag.partition("-")
        inside = name == label
        if inside and kind == "I" and previous_inside:
            gold[-1] = (gold[-1][0], length)
        elif inside:
            gold.append((start, length))
        previous_token, previous_inside = token, inside
    return Sentence("".join(pieces), gold)


def load_fold(path: Path, split: str = "test", fold: int = 1) -> list[Sentence]:
    file = require_dataset(path / f"{split}.{fold:02d}.tsv", f"NER-UGM {split} fold {fold}")
    return [to_sentence(tokens) for tokens in read_conll(file)]


def overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def score(
    sentences: list[Sentence], predicted: Iterable[list[tuple[int, int]]], dataset: str = "nerugm",
) -> QuantityScores:
    """Overlap recall of gold spans and overlap precision of predicted spans."""
    scores = QuantityScores(dataset=dataset, sentences=len(sentences), gold=0, found=0, predicted=0, correct_predictions=0)
    for sentence, spans in zip(sentences, predicted, strict=True):
        for gold in sentence.gold:
            scores.gold += 1
            if any(overlaps(gold, span) for span in spans):
                scores.found += 1
            else:
                scores.missed.append(_marked(sentence.text, gold))
        for span in spans:
            scores.predicted += 1
            if any(overlaps(gold, span) for gold in sentence.gold):
                scores.correct_predictions += 1
            else:
                scores.spurious.append(_marked(sentence.text, span))
    return scores


def _marked(text: str, span: tuple[int, int]) -> str:
    left = text[max(0, span[0] - 40):span[0]]
    right = text[span[1]:span[1] + 40]
    return f"…{left}[[{text[span[0]:span[1]]}]]{right}…"


def statistics_pipeline():
    """spaCy blank('id') with the statistics stage alone: QUANTITY spans do not depend on the other stages."""
    nlp = spacy.blank("id")
    nlp.add_pipe("pantau_statistics")
    return nlp


def predict(sentences: list[Sentence], progress: Callable[[int], None] | None = None) -> list[list[tuple[int, int]]]:
    """Character spans of the statistics found in each sentence, in order."""
    nlp = statistics_pipeline()
    spans: list[list[tuple[int, int]]] = []
    for doc in nlp.pipe((sentence.text for sentence in sentences), batch_size=256):
        spans.append([(span.start_char, span.end_char) for span in doc.spans["statistics"]])
        if progress is not None:
            progress(1)
    return spans


def evaluate(path: Path | None = None, split: str = "test", fold: int = 1,
             progress: Callable[[int], None] | None = None) -> QuantityScores:
    path = require_dataset(path or default_path(), "NER-UGM data (eval/ner/indolem/ner/data/nerugm)")
    sentences = load_fold(path, split, fold)
    return score(sentences, predict(sentences, progress), dataset=f"nerugm {split} fold {fold}")
