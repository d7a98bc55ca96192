"""Evaluation of campaign matching on the project's labelled articles (tests/data/campaigns).

Each article file has a small header (title, published, split, campaigns, note), a blank line, then
the body, one paragraph per line. `campaigns` lists the campaigns the article is about; it is a
negative for every other campaign, so each article gives one labelled pair per campaign.
Thresholds are tuned on the `dev` split; figures are reported for `test` and for all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

from pantau.core.errors import InputError
from pipeline.campaigns import ArticleForMatching
from pipeline.evaluation import MatchCounts

DEFAULT_LABELLED_DIR = Path(__file__).resolve().parents[2] / "tests" / "data" / "campaigns"
HEADER_KEYS = ("title", "published", "split", "campaigns", "note")
SPLITS = ("dev", "test")


@dataclass(frozen=True)
class LabelledArticle:
    path: Path
    title: str
    published_at: datetime | None
    split: str
    campaigns: frozenset[str]
    text: str
    note: str = ""


def parse_labelled_article(path: Path) -> LabelledArticle:
    """One labelled article file; the error names the file and the line."""
    raw = path.read_text(encoding="utf-8")
    header_text, separator, body = raw.partition("\n\n")
    if not separator:
        raise InputError(f"{path}: expected a header, a blank line, then the article text")
    header: dict[str, str] = {}
    for number, line in enumerate(header_text.splitlines(), start=1):
        key, colon, value = line.partition(":")
        if not colon or key.strip() not in HEADER_KEYS:
            raise InputError(f"{path}:{number}: header lines are 'key: value' with key in {', '.join(HEADER_KEYS)}")
        header[key.strip()] = value.strip()
    split = header.get("split", "")
    if split not in SPLITS:
        raise InputError(f"{path}: split must be one of {', '.join(SPLITS)}")
    published = header.get("published")
    return LabelledArticle(
        path=path,
        title=header.get("title", ""),
        published_at=datetime.fromisoformat(published) if published else None,
        split=split,
        campaigns=frozenset(c.strip() for c in header.get("campaigns", "").split(",") if c.strip()),
        text="\n".join(line.strip() for line in body.strip().splitlines() if line.strip()),
        note=header.get("note", ""),
    )


def load_labelled_set(directory: Path = DEFAULT_LABELLED_DIR) -> list[LabelledArticle]:
    articles_dir = directory / "articles"
    if not articles_dir.is_dir():
        raise InputError(f"labelled campaign articles not found in {articles_dir}; "
                         "pass --path to the folder that holds articles/")
    return [parse_labelled_article(path) for path in sorted(articles_dir.glob("*.txt"))]


@dataclass
class Counts(MatchCounts):
    true_negative: int = 0

    def add(self, predicted: bool, actual: bool) -> None:
        if predicted and actual:
            self.true_positive += 1
        elif predicted:
            self.false_positive += 1
        elif actual:
            self.false_negative += 1
        else:
            self.true_negative += 1

    @property
    def pairs(self) -> int:
        return self.true_positive + self.false_positive + self.false_negative + self.true_negative

    def as_dict(self) -> dict[str, Any]:
        return {
            "pairs": self.pairs,
            "positives": self.true_positive + self.false_negative,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
            "tp": self.true_positive,
            "fp": self.false_positive,
            "fn": self.false_negative,
        }


@dataclass
class CampaignEvaluation:
    model: str
    scale: str
    by_split: dict[str, Counts]
    by_campaign: dict[str, Counts]
    errors: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "similarity_scale": self.scale,
            "splits": {name: counts.as_dict() for name, counts in self.by_split.items()},
            "campaigns": {name: counts.as_dict() for name, counts in self.by_campaign.items()},
            "errors": self.errors,
        }


def evaluate_matching(matcher: Any, articles: Sequence[LabelledArticle]) -> CampaignEvaluation:
    """Precision/recall/F1 of `matcher` on every (article, campaign) pair, per split and campaign."""
    inputs = [ArticleForMatching(a.title, a.text, a.published_at, [], []) for a in articles]
    decisions = matcher.match_many(inputs)
    by_split = {name: Counts() for name in (*SPLITS, "all")}
    by_campaign = {campaign.id: Counts() for campaign in matcher.campaigns}
    errors = []
    for article, article_decisions in zip(articles, decisions, strict=True):
        for decision in article_decisions:
            actual = decision.campaign_id in article.campaigns
            for counts in (by_split[article.split], by_split["all"], by_campaign[decision.campaign_id]):
                counts.add(decision.matched, actual)
            if decision.matched != actual:
                errors.append({
                    "article": article.path.name,
                    "split": article.split,
                    "campaign": decision.campaign_id,
                    "expected": actual,
                    "score": decision.score,
                    "reasons": decision.reasons,
                })
    model = str(getattr(matcher.embedder, "name", "?"))
    return CampaignEvaluation(model, matcher.scale.source, by_split, by_campaign, errors)


def suggest_scale(matcher: Any, articles: Sequence[LabelledArticle]) -> dict[str, float]:
    """A similarity scale for the matcher's model from labelled articles (use the dev split).

    "unrelated" is the median best-passage similarity on negative pairs, "related" the median on
    positive pairs: a typical relevant passage gets full semantic weight, a typical other one none.
    """
    positives, negatives = [], []
    for article in articles:
        similarities = matcher.similarities(ArticleForMatching(article.title, article.text, article.published_at))
        for campaign, similarity in zip(matcher.campaigns, similarities, strict=True):
            (positives if campaign.id in article.campaigns else negatives).append(float(similarity))
    if not positives or not negatives:
        raise InputError("calibration needs labelled positive and negative pairs")
    return {
        "unrelated": round(float(np.median(negatives)), 3),
        "related": round(float(np.median(positives)), 3),
        "positive_pairs": len(positives),
        "negative_pairs": len(negatives),
    }
