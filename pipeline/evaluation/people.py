"""People, roles, organisations and quote speakers against hand-annotated real news passages.

The annotations (`tests/data/people_eval.toml`, guidelines at its top) hold no article text: each passage
is a locator into the reference data in ../shared (a CoNLL file and a sentence range, a fundus expected-body
file and a paragraph range, or an HTML page, an anchor and a paragraph count in its extracted text), a short
checksum of the source text to detect drift, and the facts annotated by hand. The text is rebuilt from
../shared at run time; a passage whose source is missing or has changed is skipped and listed, never scored.

Scores, per split (dev, test) and over all passages:
- people: precision, recall and F1 of the names in `doc._.people` (a name may match a person's listed
  alias; a second entry for a person already matched counts as a false positive);
- role: exact match (case and spacing aside) over correctly found people where the gold or the predicted
  role is not empty; organisation: the same, names compared through the organisation lexicon;
- quote speaker: over the gold quotes (quotation marks in the text), matched to a predicted quote by their
  opening words; right when the speaker is the annotated one (a gold speaker of null is right when no
  quote or a quote without a speaker is predicted);
- invariant: predicted quotes whose speaker is not in the people list (must be 0).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from models.organizations import load_lexicon
from pantau.core.errors import InputError
from pipeline.evaluation import MatchCounts, shared_dir
from pipeline.extract import extract_article
from pipeline.nlp import make_doc
from pipeline.nlp.assembly import build_nlp

DEFAULT_ANNOTATIONS = Path(__file__).resolve().parents[2] / "tests" / "data" / "people_eval.toml"
SPLITS = ("dev", "test")
GOALS = {"people_f1": 0.95, "role_exact": 0.85, "quote_speaker": 0.95}
SOURCE_FORMATS = ("conll", "fundus", "html")


@dataclass(frozen=True)
class GoldPerson:
    name: str
    role: str | None = None
    organization: str | None = None
    aliases: tuple[str, ...] = ()

    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


@dataclass(frozen=True)
class GoldQuote:
    speaker: str | None
    opens: str  # the quote's first words, enough to find it


@dataclass(frozen=True)
class Passage:
    id: str
    split: str
    source: str  # path relative to the shared folder
    format: str
    start: int  # first sentence or paragraph (conll, fundus); paragraphs from the anchor (html)
    end: int  # last one, inclusive (conll, fundus); for html the number of paragraphs
    anchor: str
    checksum: str
    people: tuple[GoldPerson, ...]
    quotes: tuple[GoldQuote, ...]


# ----------------------------------------------------------------------------- reading the annotations

def load_passages(path: Path = DEFAULT_ANNOTATIONS) -> list[Passage]:
    """The annotated passages of `path`; an error names the passage and what is wrong."""
    if not path.is_file():
        raise InputError(f"people annotations not found at {path}; pass --annotations")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise InputError(f"{path} is not valid TOML ({error}); fix the file") from error
    passages = [_passage(table, path) for table in data.get("passage", [])]
    seen: set[str] = set()
    for passage in passages:
        if passage.id in seen:
            raise InputError(f"{path}: passage id {passage.id!r} is used twice; give each passage its own id")
        seen.add(passage.id)
    return passages


def _passage(table: dict[str, Any], path: Path) -> Passage:
    ident = str(table.get("id", "")).strip()
    where = f"{path}: passage {ident or '(no id)'}"
    if not ident:
        raise InputError(f"{where}: every [[passage]] needs an id")
    if table.get("split") not in SPLITS:
        raise InputError(f"{where}: split must be one of {', '.join(SPLITS)}")
    if table.get("format") not in SOURCE_FORMATS:
        raise InputError(f"{where}: format must be one of {', '.join(SOURCE_FORMATS)}")
    span = table.get("units")
    if not (isinstance(span, list) and len(span) == 2 and all(isinstance(n, int) for n in span)):
        raise InputError(f"{where}: units must be [first, last] (html: [0, paragraph count])")
    people = []
    for person in table.get("people", []):
        if not str(person.get("name", "")).strip():
            raise InputError(f"{where}: a person without a name")
        people.append(GoldPerson(name=person["name"].strip(), role=person.get("role") or None,
                                 organization=person.get("organization") or None,
                                 aliases=tuple(person.get("aliases", []))))
    names = {name.casefold() for person in people for name in person.names()}
    quotes = []
    for quote in table.get("quotes", []):
        speaker = quote.get("speaker") or None
        if speaker is not None and speaker.casefold() not in names:
            raise InputError(f"{where}: quote speaker {speaker!r} is not one of the passage's people")
        if not str(quote.get("opens", "")).strip():
            raise InputError(f"{where}: a quote without its opening words")
        quotes.append(GoldQuote(speaker=speaker, opens=quote["opens"].strip()))
    return Passage(id=ident, split=table["split"], source=str(table.get("source", "")), format=table["format"],
                   start=span[0], end=span[1], anchor=str(table.get("anchor", "")), checksum=str(table.get("checksum", "")),
                   people=tuple(people), quotes=tuple(quotes))


# ----------------------------------------------------------------------------- rebuilding the text

class SourceMissing(Exception):
    """The passage's source is not in the shared folder, or its text changed since it was annotated."""


def source_units(passage: Passage, root: Path, cache: dict[str, Any] | None = None) -> list[str]:
    """The passage's sentences (tokens joined by spaces) or paragraphs, as stored in the source."""
    cache = {} if cache is None else cache
    path = root / passage.source
    if not path.is_file():
        raise SourceMissing(f"{passage.source} not found under {root}")
    key = f"{passage.format}:{path}"
    if key not in cache:
        cache[key] = _read_source(passage.format, path)
    units = cache[key]
    if passage.format == "html":
        starts = [index for index, line in enumerate(units) if line.startswith(passage.anchor)]
        if not passage.anchor or not starts:
            raise SourceMissing(f"anchor {passage.anchor!r} not found in the text extracted from {passage.source}")
        return units[starts[0]:starts[0] + passage.end]
    if passage.end >= len(units) or passage.start > passage.end:
        raise SourceMissing(f"{passage.source} has {len(units)} units, not {passage.start}..{passage.end}")
    return units[passage.start:passage.end + 1]


def _read_source(kind: str, path: Path) -> list[str]:
    raw = path.read_bytes()
    if path.suffix == ".gz":
        raw = gzip.decompress(raw)
    if kind == "conll":
        return [" ".join(tokens) for tokens in _conll_sentences(raw.decode("utf-8"))]
    if kind == "fundus":
        return _fundus_paragraphs(json.loads(raw))
    return [line for line in extract_article(raw).text.splitlines() if line.strip()]


def _conll_sentences(text: str) -> Iterable[list[str]]:
    tokens: list[str] = []
    for line in text.splitlines():
        if not line.strip():
            if tokens:
                yield tokens
            tokens = []
            continue
        tokens.append(line.split("\t")[0] if "\t" in line else line.split()[0])
    if tokens:
        yield tokens


def _fundus_paragraphs(data: dict[str, Any]) -> list[str]:
    """The expected body's paragraphs of a fundus test file (the first layout version it holds)."""
    version = next(iter(data.values()))
    return [paragraph for section in version["body"]["sections"] for paragraph in section["paragraphs"]]


def checksum(units: list[str]) -> str:
    return hashlib.sha256("\n".join(units).encode("utf-8")).hexdigest()[:12]


def passage_text(passage: Passage, units: list[str]) -> str:
    """The passage as an article body: one sentence (or paragraph) per line, tokenised text detokenised."""
    if passage.format != "conll":
        return "\n".join(units)
    lines = []
    open_quote = False
    for unit in units:
        line, open_quote = detokenize(unit.split(" "), open_quote)
        lines.append(line)
    return "\n".join(lines)


_NO_SPACE_BEFORE = frozenset({",", ".", ":", ";", ")", "!", "?", "%", "]"})
_NO_SPACE_AFTER = frozenset({"(", "["})


def detokenize(tokens: list[str], open_quote: bool = False) -> tuple[str, bool]:
    """Tokens of a CoNLL sentence as written text: '( 2/12/2014 )' -> '(2/12/2014)', 'hari - hari' -> 'hari-hari',
    straight double quotes opening and closing in turn (a quote left open goes on in the next sentence)."""
    out: list[str] = []
    glue_next = False
    for index, token in enumerate(tokens):
        glue = glue_next or not out
        glue_next = False
        if token == '"':
            if open_quote:
                glue = True  # a closing quote sticks to the word before it
            else:
                glue_next = True
            open_quote = not open_quote
        elif token in _NO_SPACE_BEFORE:
            glue = True
        elif (token in {"-", "/"} and out and index + 1 < len(tokens) and out[-1][-1:].isalnum()
              and tokens[index + 1][:1].isalnum()):
            glue = glue_next = True  # 'hari - hari', 'Prabowo - Hatta', '22 - 25'
        if token in _NO_SPACE_AFTER:
            glue_next = True
        out.append(token if glue else " " + token)
    return "".join(out).strip(), open_quote


# ----------------------------------------------------------------------------- scoring

def normalise(text: str | None) -> str:
    return " ".join((text or "").replace("“", '"').replace("”", '"').split()).strip(" ,.;:").casefold()


@dataclass
class Tally:
    correct: int = 0
    total: int = 0

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {"accuracy": round(self.accuracy, 4), "correct": self.correct, "total": self.total}


@dataclass
class Scores:
    passages: int = 0
    people: MatchCounts = field(default_factory=MatchCounts)
    role: Tally = field(default_factory=Tally)
    organization: Tally = field(default_factory=Tally)
    quote_speaker: Tally = field(default_factory=Tally)
    quotes_found: int = 0
    invariant_violations: int = 0

    def add(self, other: Scores) -> None:
        self.passages += other.passages
        for name in ("true_positive", "false_positive", "false_negative"):
            setattr(self.people, name, getattr(self.people, name) + getattr(other.people, name))
        for name in ("role", "organization", "quote_speaker"):
            mine, theirs = getattr(self, name), getattr(other, name)
            mine.correct += theirs.correct
            mine.total += theirs.total
        self.quotes_found += other.quotes_found
        self.invariant_violations += other.invariant_violations

    def as_dict(self) -> dict[str, Any]:
        people = self.people
        return {
            "passages": self.passages,
            "people": {"precision": round(people.precision, 4), "recall": round(people.recall, 4), "f1": round(people.f1, 4),
                       "gold": people.true_positive + people.false_negative,
                       "predicted": people.true_positive + people.false_positive},
            "role_exact": self.role.as_dict(),
            "organization": self.organization.as_dict(),
            "quote_speaker": {**self.quote_speaker.as_dict(), "quotes_found": self.quotes_found},
            "invariant_violations": self.invariant_violations,
        }


class OrganizationNames:
    """Organisation names compared as the lexicon's canonical names ("Golkar" = "Partai Golkar")."""

    def __init__(self) -> None:
        self.canonical: dict[str, str] = {}
        for entry in load_lexicon().entries:
            for form in entry.surface_forms():
                self.canonical.setdefault(normalise(form), normalise(entry.name))

    def same(self, gold: str | None, predicted: str | None) -> bool:
        if gold is None or predicted is None:
            return gold is None and predicted is None
        return self.key(gold) == self.key(predicted)

    def key(self, name: str) -> str:
        text = normalise(name)
        return self.canonical.get(text, text)


def score_passage(passage: Passage, people: list[dict[str, Any]], quotes: list[dict[str, Any]],
                  organizations: OrganizationNames) -> tuple[Scores, dict[str, Any]]:
    """Scores of one passage and its misses (names, roles, organisations and speakers that were wrong)."""
    scores = Scores(passages=1)
    misses: dict[str, Any] = {"id": passage.id, "split": passage.split, "missed_people": [], "spurious_people": [],
                              "roles": [], "organizations": [], "quotes": []}
    owner = {normalise(name): person for person in passage.people for name in person.names()}
    matched: dict[GoldPerson, dict[str, Any]] = {}
    for predicted in people:
        gold = owner.get(normalise(predicted["name"]))
        if gold is None or gold in matched:
            scores.people.false_positive += 1
            misses["spurious_people"].append(predicted["name"])
            continue
        matched[gold] = predicted
        scores.people.true_positive += 1
    for gold in passage.people:
        predicted = matched.get(gold)
        if predicted is None:
            scores.people.false_negative += 1
            misses["missed_people"].append(gold.name)
            continue
        if gold.role or predicted.get("role"):
            scores.role.total += 1
            if normalise(gold.role) == normalise(predicted.get("role")):
                scores.role.correct += 1
            else:
                misses["roles"].append({"name": gold.name, "gold": gold.role, "predicted": predicted.get("role")})
        if gold.organization or predicted.get("organization"):
            scores.organization.total += 1
            if organizations.same(gold.organization, predicted.get("organization")):
                scores.organization.correct += 1
            else:
                misses["organizations"].append({"name": gold.name, "gold": gold.organization,
                                                "predicted": predicted.get("organization")})
    for gold_quote in passage.quotes:
        scores.quote_speaker.total += 1
        opens = normalise(gold_quote.opens)
        found = next((quote for quote in quotes if normalise(quote["text"]).lstrip('"\' ').startswith(opens)), None)
        scores.quotes_found += found is not None
        speaker = found.get("speaker") if found else None
        right = (speaker is None if gold_quote.speaker is None
                 else speaker is not None and owner.get(normalise(speaker)) is owner.get(normalise(gold_quote.speaker)))
        if right:
            scores.quote_speaker.correct += 1
        else:
            misses["quotes"].append({"opens": gold_quote.opens, "gold": gold_quote.speaker,
                                     "predicted": speaker if found else "(quote not found)"})
    names = {person["name"] for person in people}
    scores.invariant_violations = sum(1 for quote in quotes if quote.get("speaker") is not None and quote["speaker"] not in names)
    return scores, misses


# ----------------------------------------------------------------------------- the evaluation

@dataclass
class Report:
    annotations: str
    stages: list[str]
    splits: dict[str, Scores]
    skipped: list[dict[str, str]]
    misses: list[dict[str, Any]]

    def as_dict(self, with_misses: bool = False) -> dict[str, Any]:
        overall = self.splits["all"]
        result: dict[str, Any] = {
            "annotations": self.annotations,
            "stages": self.stages,
            **{name: scores.as_dict() for name, scores in self.splits.items()},
            "skipped": self.skipped,
            "goals": {"people_f1": {"goal": GOALS["people_f1"], "met": overall.people.f1 >= GOALS["people_f1"]},
                      "role_exact": {"goal": GOALS["role_exact"], "met": overall.role.accuracy >= GOALS["role_exact"]},
                      "quote_speaker": {"goal": GOALS["quote_speaker"],
                                        "met": overall.quote_speaker.accuracy >= GOALS["quote_speaker"]}},
        }
        if with_misses:
            result["misses"] = [miss for miss in self.misses
                                if any(miss[key] for key in
                                       ("missed_people", "spurious_people", "roles", "organizations", "quotes"))]
        return result


def evaluate(annotations: Path = DEFAULT_ANNOTATIONS, root: Path | None = None, nlp: Any = None,
             split: str = "all") -> Report:
    """Run the NLP stages on every passage whose source is present and score them against the annotations."""
    if split not in (*SPLITS, "all"):
        raise InputError(f"split must be dev, test or all, not {split!r}")
    root = root or shared_dir()
    if not root.is_dir():
        raise InputError(f"reference data not found at {root}; pass --path or set PANTAU_SHARED to the folder that holds eval/")
    passages = [passage for passage in load_passages(annotations) if split == "all" or passage.split == split]
    if nlp is None:
        nlp = build_nlp()
    organizations = OrganizationNames()
    splits = {name: Scores() for name in (*SPLITS, "all")}
    skipped: list[dict[str, str]] = []
    misses: list[dict[str, Any]] = []
    cache: dict[str, Any] = {}
    for passage in passages:
        try:
            units = source_units(passage, root, cache)
            if checksum(units) != passage.checksum:
                raise SourceMissing(f"the text of {passage.source} changed since it was annotated "
                                    f"(checksum {checksum(units)}, annotated {passage.checksum})")
        except SourceMissing as reason:
            skipped.append({"id": passage.id, "reason": str(reason)})
            continue
        doc = nlp(make_doc(nlp, passage_text(passage, units)))
        scores, miss = score_passage(passage, doc._.people or [], doc._.quotes or [], organizations)
        splits[passage.split].add(scores)
        splits["all"].add(scores)
        misses.append(miss)
    return Report(annotations=str(annotations), stages=list(nlp.pipe_names), splits=splits, skipped=skipped, misses=misses)
