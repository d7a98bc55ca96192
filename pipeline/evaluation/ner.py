"""NER evaluation: PER/ORG/LOC spans of pantau's NLP stages against Indonesian NER test sets.

Data sets (in ../shared/eval/ner, never shipped): NER-UI fold 1 test (IndoLEM), NERGrit test (IndoNLU),
idner-news-2k test. Their labels are mapped to PER/ORG/LOC; other labels are ignored. The gold tokens are
kept (a Doc is built from them) so that spans compare exactly; every available stage of the pipeline runs
on each sentence and its spans (doc.spans["people"|"organizations"|"places"]) are the predictions.
Scoring is exact span match per label: a predicted span counts only with the same start, end and label.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from spacy.tokens import Doc

from pantau.core.errors import InputError
from pipeline.evaluation import MatchCounts, require_dataset, shared_dir
from pipeline.nlp.assembly import build_nlp
from pipeline.nlp.vocabulary import is_common

LABELS = ("PER", "ORG", "LOC")
SPAN_KEYS = {"people": "PER", "organizations": "ORG", "places": "LOC"}


@dataclass(frozen=True)
class Dataset:
    name: str
    relative_path: str
    separator: str | None  # None: whitespace
    tag_column: int
    label_map: dict[str, str]
    published: str  # published figures for comparison (shared/README.md)


DATASETS = {
    "nerui": Dataset("NER-UI fold 1 test", "eval/ner/indolem/ner/data/nerui/test.01.tsv", "\t", 1,
                     {"PERSON": "PER", "ORGANIZATION": "ORG", "LOCATION": "LOC"},
                     "IndoBERT F1 90.1 (overall, IndoLEM paper)"),
    "nergrit": Dataset("NERGrit test", "eval/ner/indonlu/dataset/nergrit_ner-grit/test_preprocess.txt", "\t", 1,
                       {"PERSON": "PER", "ORGANISATION": "ORG", "PLACE": "LOC"},
                       "IndoBERT-large F1 77.60, NusaBERT-large 79.86 (overall)"),
    "idner": Dataset("idner-news-2k test", "eval/ner/idner-news-2k/test.txt", None, 2,
                     {"PER": "PER", "ORG": "ORG", "LOC": "LOC"}, "none published"),
}


@dataclass
class Sentence:
    tokens: list[str]
    spans: set[tuple[int, int, str]]  # (start, end, label), end exclusive


@dataclass
class Counts(MatchCounts):
    def as_dict(self) -> dict[str, Any]:
        return {"precision": round(self.precision, 4), "recall": round(self.recall, 4), "f1": round(self.f1, 4),
                "gold": self.true_positive + self.false_negative, "predicted": self.true_positive + self.false_positive}


@dataclass
class Report:
    dataset: str
    sentences: int
    stages: list[str]
    published: str
    per_label: dict[str, Counts] = field(default_factory=dict)
    errors: list[dict[str, Any]] = field(default_factory=list)
    place_false_positives: dict[str, Any] | None = None

    def as_dict(self) -> dict[str, Any]:
        overall = Counts(*(sum(getattr(c, f) for c in self.per_label.values())
                           for f in ("true_positive", "false_positive", "false_negative")))
        result = {"dataset": self.dataset, "sentences": self.sentences, "stages": self.stages,
                  "published": self.published, "labels": {k: v.as_dict() for k, v in self.per_label.items()},
                  "overall": overall.as_dict()}
        if self.place_false_positives is not None:
            result["place_false_positives"] = self.place_false_positives
        return result


def read_conll(path: Path, dataset: Dataset) -> list[Sentence]:
    """Sentences of a CoNLL-like file (one token per line, blank line between sentences, IOB tags)."""
    sentences: list[Sentence] = []
    tokens: list[str] = []
    tags: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        columns = line.split(dataset.separator) if line.strip() else []
        if not columns:
            if tokens:
                sentences.append(Sentence(tokens, spans_from_iob(tags, dataset.label_map)))
            tokens, tags = [], []
            continue
        tokens.append(columns[0])
        tags.append(columns[dataset.tag_column] if len(columns) > dataset.tag_column else "O")
    return sentences


def spans_from_iob(tags: list[str], label_map: dict[str, str]) -> set[tuple[int, int, str]]:
    """Exact spans from IOB tags; an I- tag after O or after another label starts a span (lenient IOB1)."""
    spans: set[tuple[int, int, str]] = set()
    start, label = None, None
    for index, tag in enumerate([*tags, "O"]):
        prefix, _, name = tag.partition("-")
        mapped = label_map.get(name) if prefix in {"B", "I"} else None
        continues = prefix == "I" and mapped == label and start is not None
        if not continues:
            if start is not None and label:
                spans.add((start, index, label))
            start, label = (index, mapped) if mapped else (None, None)
    return spans


def predict(nlp: Any, sentences: Iterable[Sentence]) -> Iterator[set[tuple[int, int, str]]]:
    """Predicted spans per sentence, running every stage on a Doc made of the gold tokens."""
    for sentence in sentences:
        doc = Doc(nlp.vocab, words=sentence.tokens, spaces=guess_spaces(sentence.tokens))
        doc._.dateline = None
        for _name, component in nlp.pipeline:
            doc = component(doc)
        yield {(span.start, span.end, label) for key, label in SPAN_KEYS.items() if key in doc.spans
               for span in doc.spans[key]}


def guess_spaces(tokens: list[str]) -> list[bool]:
    """Whitespace after each gold token, so that span texts read as in the article ('Jakarta,')."""
    no_space_before = {",", ".", ":", ";", ")", "!", "?", "%"}
    return [index + 1 < len(tokens) and tokens[index + 1] not in no_space_before and token not in {"("}
            for index, token in enumerate(tokens)]


def score(gold: list[Sentence], predicted: Iterable[set[tuple[int, int, str]]], report: Report, keep_errors: int = 0) -> Report:
    report.per_label = {label: Counts() for label in LABELS}
    for sentence, spans in zip(gold, predicted, strict=True):
        for label in LABELS:
            want = {s for s in sentence.spans if s[2] == label}
            got = {s for s in spans if s[2] == label}
            counts = report.per_label[label]
            counts.true_positive += len(want & got)
            counts.false_positive += len(got - want)
            counts.false_negative += len(want - got)
            for kind, missed in (("false_positive", got - want), ("false_negative", want - got)):
                for start, end, _ in sorted(missed):
                    if len(report.errors) < keep_errors:
                        report.errors.append({"label": label, "kind": kind, "text": " ".join(sentence.tokens[start:end])})
    return report


def place_false_positives(gold: list[Sentence], predicted: list[set[tuple[int, int, str]]],
                          is_ambiguous: Any, examples: int = 10) -> dict[str, Any]:
    """How often a LOC span is wrong where a place name is also a word or a name (the issue's "Batu", "Bima", "Solok",
    people named like places): predicted LOC spans whose text `is_ambiguous`, how many of them overlap no gold LOC
    span (a place where there is none, not a boundary disagreement such as "Kota Malang" vs "Malang"), and predicted
    LOC spans that are exactly a gold person's name."""
    ambiguous = wrong = person = 0
    shown: list[str] = []
    for sentence, spans in zip(gold, predicted, strict=True):
        gold_loc = {(start, end) for start, end, label in sentence.spans if label == "LOC"}
        gold_per = {(start, end) for start, end, label in sentence.spans if label == "PER"}
        for start, end, label in spans:
            if label != "LOC":
                continue
            text = " ".join(sentence.tokens[start:end])
            person += (start, end) in gold_per
            if is_ambiguous(text):
                ambiguous += 1
                if not any(start < gold_end and gold_start < end for gold_start, gold_end in gold_loc):
                    wrong += 1
                    if len(shown) < examples:
                        shown.append(text)
    return {"ambiguous_predicted": ambiguous, "ambiguous_false_positive": wrong, "person_as_place": person,
            "ambiguous_examples": shown}


def ambiguous_place_name(gazetteer: Any) -> Any:
    """A test for place names that are also everyday words or names: a gazetteer form that needs a cue ("Batu",
    "Bima", "Solok", kecamatan named like people, smaller foreign cities) or a region's name that is an everyday
    Indonesian word ("Malang")."""
    def is_ambiguous(text: str) -> bool:
        form = gazetteer.form(text)
        if form is None:
            return False
        regions = [place for place in form.places if place.level in {"province", "regency", "city"}]
        return any(place.needs_context for place in form.places) or bool(regions) and is_common(text)

    return is_ambiguous


def evaluate(dataset_name: str, root: Path | None = None, nlp: Any = None, keep_errors: int = 0) -> Report:
    """Score the pipeline on one data set (`nerui`, `nergrit` or `idner`)."""
    if dataset_name not in DATASETS:
        raise InputError(f"unknown NER data set {dataset_name!r}; choose one of {', '.join(DATASETS)}")
    dataset = DATASETS[dataset_name]
    path = require_dataset((root or shared_dir()) / dataset.relative_path, f"{dataset.name} data")
    sentences = read_conll(path, dataset)
    if nlp is None:
        nlp = build_nlp()
    report = Report(dataset=dataset.name, sentences=len(sentences), stages=[name for name, _ in nlp.pipeline],
                    published=dataset.published)
    predicted = list(predict(nlp, sentences))
    score(sentences, predicted, report, keep_errors)
    if "pantau_places" in nlp.pipe_names:
        gazetteer = nlp.get_pipe("pantau_places").gazetteer
        report.place_false_positives = place_false_positives(sentences, predicted, ambiguous_place_name(gazetteer))
    return report
