"""How well the outlet registry tells article URLs from other pages, on real URLs of every era.

The URL list (`../shared/eval/urls/real-urls.tsv`: `outlet<TAB>url` with a header line, 2017-2025) carries
no labels. The expected label of each URL comes from the project's URL shapes (`tests/data/url_shapes.toml`):
regexes per outlet and era, labelled article / feed / section / tag / search / photo / video / other. A
shape matches the whole URL after its query, fragment and trailing slash are removed; every URL must match
exactly one shape of its outlet, and a URL that matches none or several is an error of the shapes file.

Per outlet: the share of article URLs that the registry recognises (the host gives the outlet, and
`Outlet.is_article_url` accepts the URL), the non-article URLs it takes for articles, and the number of
distinct article keys (`pantau.core.outlets.url_key`; old forms that the outlet redirects to current ones
share a key). Goal: >= 99 % of article URLs recognised for every outlet with >= 20 URLs, no non-article URL
accepted, every key a fixed point of `url_key`.
"""

from __future__ import annotations

import csv
import re
import tomllib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from pantau.core.errors import InputError
from pantau.core.outlets import all_outlets, outlet_for_url, url_key
from pipeline.evaluation import require_dataset, shared_dir

GOAL_SHARE = 0.99
GOAL_MIN_URLS = 20
LABELS = ("article", "feed", "section", "tag", "search", "photo", "video", "other")
DEFAULT_SHAPES = Path(__file__).resolve().parents[2] / "tests" / "data" / "url_shapes.toml"


@dataclass(frozen=True)
class Shape:
    outlet: str
    label: str
    era: str
    pattern: str

    @cached_property
    def regex(self) -> re.Pattern[str]:
        return re.compile(self.pattern)

    def matches(self, url: str) -> bool:
        return self.regex.fullmatch(shape_subject(url)) is not None


@dataclass
class OutletScores:
    urls: int = 0
    articles: int = 0
    recognised: int = 0
    non_articles: int = 0
    non_articles_accepted: int = 0
    keys: set[str] = field(default_factory=set)
    # era -> [article URLs, recognised]
    eras: dict[str, list[int]] = field(default_factory=dict)

    @property
    def share(self) -> float:
        return self.recognised / self.articles if self.articles else 1.0

    @property
    def in_goal(self) -> bool:
        return self.urls >= GOAL_MIN_URLS

    def as_dict(self) -> dict:
        return {
            "urls": self.urls, "articles": self.articles, "recognised": self.recognised, "share": round(self.share, 4),
            "non_articles": self.non_articles, "non_articles_accepted": self.non_articles_accepted,
            "article_keys": len(self.keys), "in_goal": self.in_goal,
            "eras": {era: {"articles": counts[0], "recognised": counts[1]} for era, counts in sorted(self.eras.items())},
        }


@dataclass
class UrlReport:
    dataset: str
    shapes: str
    outlets: dict[str, OutletScores] = field(default_factory=dict)
    uncovered: list[str] = field(default_factory=list)
    ambiguous: list[str] = field(default_factory=list)
    unknown_outlets: list[str] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)
    accepted: list[str] = field(default_factory=list)
    key_errors: list[str] = field(default_factory=list)

    @property
    def urls(self) -> int:
        return sum(scores.urls for scores in self.outlets.values())

    @property
    def non_articles_accepted(self) -> int:
        return sum(scores.non_articles_accepted for scores in self.outlets.values())

    @property
    def fixture_errors(self) -> int:
        return len(self.uncovered) + len(self.ambiguous) + len(self.unknown_outlets)

    @property
    def goal_met(self) -> bool:
        shares_met = all(scores.share >= GOAL_SHARE for scores in self.outlets.values() if scores.in_goal)
        return shares_met and self.non_articles_accepted == 0 and not self.key_errors and not self.fixture_errors

    def as_dict(self, examples: int = 20) -> dict:
        return {
            "dataset": self.dataset, "shapes": self.shapes, "urls": self.urls,
            "goal": {"article_share": GOAL_SHARE, "for_outlets_with_urls": GOAL_MIN_URLS, "non_articles_accepted": 0},
            "goal_met": self.goal_met,
            "non_articles_accepted": self.non_articles_accepted,
            "outlets": {outlet: scores.as_dict() for outlet, scores in sorted(self.outlets.items())},
            "fixture_errors": {
                "uncovered": len(self.uncovered), "ambiguous": len(self.ambiguous), "unknown_outlets": len(self.unknown_outlets),
                "examples": (self.uncovered + self.ambiguous + self.unknown_outlets)[:examples],
            },
            "key_errors": self.key_errors[:examples],
            "missed_examples": self.missed[:examples],
            "accepted_examples": self.accepted[:examples],
        }


def default_path() -> Path:
    return shared_dir() / "eval" / "urls" / "real-urls.tsv"


def shape_subject(url: str) -> str:
    """The part of a URL that shapes describe: no query, no fragment, no trailing slash."""
    return url.strip().split("#", 1)[0].split("?", 1)[0].rstrip("/")


def load_shapes(path: Path = DEFAULT_SHAPES) -> list[Shape]:
    """The labelled shapes of a shapes file; an unknown label or a broken pattern is an InputError."""
    try:
        entries = tomllib.loads(path.read_text(encoding="utf-8")).get("shapes", [])
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise InputError(f"cannot read URL shapes {path}: {error}") from error
    shapes = []
    for number, entry in enumerate(entries, start=1):
        try:
            shape = Shape(outlet=entry["outlet"], label=entry["label"], era=entry.get("era", ""), pattern=entry["pattern"])
            shape.regex  # noqa: B018 - compile now, to report a broken pattern with its entry
        except (KeyError, re.error) as error:
            raise InputError(f"URL shape {number} in {path}: {error}; each shape needs outlet, "
                             "label and a valid pattern") from error
        if shape.label not in LABELS:
            raise InputError(f"URL shape {number} in {path}: unknown label {shape.label!r}; use one of {', '.join(LABELS)}")
        shapes.append(shape)
    return shapes


def read_url_list(path: Path) -> list[tuple[str, str]]:
    """(outlet id, url) rows of a tab-separated list whose first line is the header `outlet<TAB>url`."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    if not rows or [cell.strip() for cell in rows[0][:2]] != ["outlet", "url"]:
        raise InputError(f"{path} is not a URL list: the first line must be 'outlet<TAB>url'")
    return [(row[0].strip(), row[1].strip()) for row in rows[1:] if len(row) >= 2 and row[1].strip()]


def evaluate(path: Path | None = None, shapes_path: Path | None = None) -> UrlReport:
    path = require_dataset(path or default_path(), "real URL list (eval/urls/real-urls.tsv)")
    shapes_path = shapes_path or DEFAULT_SHAPES
    shapes_by_outlet: dict[str, list[Shape]] = {}
    for shape in load_shapes(shapes_path):
        shapes_by_outlet.setdefault(shape.outlet, []).append(shape)
    known = {outlet.id for outlet in all_outlets()}
    report = UrlReport(dataset=str(path), shapes=str(shapes_path))
    for outlet_id, url in read_url_list(path):
        if outlet_id not in known:
            report.unknown_outlets.append(f"{outlet_id}: {url} (no such outlet in the registry)")
            continue
        matched = [shape for shape in shapes_by_outlet.get(outlet_id, []) if shape.matches(url)]
        if len(matched) != 1:
            if matched:
                report.ambiguous.append(f"{outlet_id}: {url} matches {len(matched)} shapes: " + "; ".join(s.era for s in matched))
            else:
                report.uncovered.append(f"{outlet_id}: {url} matches no shape")
            continue
        score_url(report, report.outlets.setdefault(outlet_id, OutletScores()), outlet_id, url, matched[0])
    return report


def score_url(report: UrlReport, scores: OutletScores, outlet_id: str, url: str, shape: Shape) -> None:
    outlet = outlet_for_url(url)
    accepted = outlet is not None and outlet.is_article_url(url)
    scores.urls += 1
    if shape.label != "article":
        scores.non_articles += 1
        if accepted:
            scores.non_articles_accepted += 1
            report.accepted.append(f"{outlet_id}: {url} ({shape.label}, accepted as an article of {outlet.id})")
        return
    era = scores.eras.setdefault(shape.era, [0, 0])
    scores.articles += 1
    era[0] += 1
    if not accepted or outlet.id != outlet_id:
        report.missed.append(f"{outlet_id}: {url} ({shape.era})")
        return
    scores.recognised += 1
    era[1] += 1
    try:
        key = url_key(url)
    except InputError as error:
        report.key_errors.append(f"{outlet_id}: {url}: {error}")
        return
    if url_key(key) != key:
        report.key_errors.append(f"{outlet_id}: {url}: key {key} is not its own key ({url_key(key)})")
    scores.keys.add(key)
