"""Deciding which campaigns an article covers: keywords + semantic similarity + named organisers.

For every campaign the matcher gathers signals and adds their weights into a score in [0, 1]:

- the campaign's boolean query matches the title or text (the main keyword signal); a match that
  rests on one occurrence outside the title and lead paragraphs is a mention in passing and weighs less;
- the campaign's name or an alias is in the title, or named prominently (lead paragraphs or twice);
- semantic similarity of the campaign description to the article's passages, the maximum over
  passages, so a long article with one relevant section still counts. The passages are the
  embedder's chunks (`Embedder.chunk`: consecutive paragraphs up to the model's chunk budget), the
  very vectors the store caches per text version, so an article is embedded once for everything.
  Raw cosine similarities differ per embedding model (E5 puts unrelated text near 0.8), so each
  model has a calibrated scale (calibration.toml) mapping "unrelated" to 0 and "clearly about it" to 1.
  Semantic similarity alone stays below the threshold, so the passages are compared only when the
  article's other signals for some campaign could, with it, reach the threshold. An article that
  could not match any campaign gets the similarity of its lead (`Embedder.lead`, embedded for
  dedup anyway) instead: its decisions are the ones all its passages would give, its score a lower
  bound, and most news is embedded a quarter as much;
- organisers, partners and spokespeople named in the article (weak: they appear in other news too).

An article is matched when the score reaches the threshold and it was published inside the
campaign's active dates. Every decision carries its reasons, for people to check.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from pantau.core.campaign_query import IndexedText, evaluate, index_sections, normalize_word, phrase_spans
from pantau.core.campaigns import Campaign
from pantau.core.errors import InputError
from pipeline.embeddings import ArticleVectors, Chunk, compute_article_vectors

CALIBRATION_FILE = Path(__file__).with_name("calibration.toml")
LEAD_PARAGRAPHS = 2


class Embedder(Protocol):
    name: str
    dim: int

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray: ...

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray: ...

    def chunk(self, text: str) -> list[Chunk]: ...

    def lead(self, text: str) -> str: ...


# The vectors of article texts: for each text its lead vector, and its chunk vectors when its flag is
# true (`pipeline.embeddings.embed_articles` on a store session, or `compute_article_vectors`).
VectorSource = Callable[[Sequence[str], Sequence[bool]], Sequence[ArticleVectors]]


# Bump when scoring, thresholds or calibration change (stored decisions are then re-made).
# 2: articles that cannot match are compared by their lead, not by every passage.
MATCHER_VERSION = "2"
LEAD_LABEL = "lead"

@dataclass
class ArticleForMatching:
    title: str
    text: str
    published_at: datetime | None
    organizations: list[str] = field(default_factory=list)
    people: list[str] = field(default_factory=list)


@dataclass
class CampaignDecision:
    campaign_id: str
    name: str
    score: float
    matched: bool
    reasons: list[str]


@dataclass(frozen=True)
class ScoringWeights:
    """How much each signal adds to the score; `threshold` decides the match. See calibration.toml."""

    query: float = 0.45
    query_in_passing: float = 0.20
    alias_in_title: float = 0.15
    alias_prominent: float = 0.05
    semantic: float = 0.35
    organiser: float = 0.05
    partner: float = 0.02
    spokesperson: float = 0.03
    threshold: float = 0.50


@dataclass(frozen=True)
class SimilarityScale:
    """Cosine similarity at which a passage is unrelated (-> 0) and clearly about the campaign (-> 1)."""

    unrelated: float
    related: float
    source: str = ""

    def normalise(self, similarity: float) -> float:
        span = max(self.related - self.unrelated, 1e-6)
        return float(min(1.0, max(0.0, (similarity - self.unrelated) / span)))


# ---------------------------------------------------------------- paragraphs


def paragraphs_of(text: str) -> list[str]:
    return [" ".join(line.split()) for line in (text or "").splitlines() if line.strip()]


# ---------------------------------------------------------------- calibration


def load_calibration(path: Path = CALIBRATION_FILE) -> dict[str, Any]:
    with path.open("rb") as handle:
        return tomllib.load(handle)


def _model_keys(model_name: str) -> list[str]:
    name = model_name.rstrip("/\\")
    return [name, Path(name).name, name.split("/")[-1]]


def similarity_scale(embedder: Embedder, descriptions: np.ndarray, calibration: dict[str, Any]) -> SimilarityScale:
    """The calibrated scale of this model, else one estimated from unrelated anchor texts."""
    models = calibration.get("models", {})
    for key in _model_keys(str(embedder.name)):
        if key in models:
            entry = models[key]
            return SimilarityScale(float(entry["unrelated"]), float(entry["related"]), f"calibrated for {key}")
    return _estimated_scale(embedder, descriptions, calibration.get("uncalibrated", {}))


def _estimated_scale(embedder: Embedder, descriptions: np.ndarray, settings: dict[str, Any]) -> SimilarityScale:
    # For a model nobody calibrated: the similarity of the descriptions to news about other things is
    # "unrelated"; "related" lies a fixed fraction of the way from there to a perfect 1.0.
    anchors = list(settings.get("anchors", []))
    if not anchors or descriptions.size == 0:
        return SimilarityScale(0.3, 0.6, "default scale (no anchors)")
    vectors = _as_matrix(embedder.embed_passages(anchors), embedder.dim)
    unrelated = float(np.percentile(descriptions @ vectors.T, 95))
    fraction = float(settings.get("related_fraction", 0.5))
    return SimilarityScale(unrelated, unrelated + fraction * (1.0 - unrelated), "estimated from anchor texts")


def _given_vectors(vectors: Any, chunks: int, dim: int) -> np.ndarray:
    """Vectors computed elsewhere (the store's cache): one row per chunk, or the reasons would name
    the wrong paragraphs."""
    matrix = _as_matrix(vectors, dim)
    if matrix.shape[0] != chunks:
        raise InputError(f"paragraph vectors have {matrix.shape[0]} rows but the embedder cuts this text into {chunks} chunks; "
                         "give the vectors of embedder.chunk(text) (pipeline.embeddings.embed_articles)")
    return matrix


def _as_matrix(vectors: Any, dim: int) -> np.ndarray:
    matrix = np.asarray(vectors, dtype=np.float32)
    if matrix.ndim == 1:
        matrix = matrix.reshape(1, -1)
    if matrix.size and matrix.shape[1] != dim:
        raise InputError(f"paragraph vectors have {matrix.shape[1]} dimensions but the model gives {dim}; re-embed the article")
    return matrix


# ---------------------------------------------------------------- signals


@dataclass
class _ArticleView:
    """What every campaign is compared with: the indexed words and the names found by NLP."""

    index: IndexedText
    title_index: IndexedText
    lead_end: int  # first word position after the lead paragraphs
    organizations: set[str]
    people: set[str]


@dataclass
class _Signals:
    """Every signal of one campaign but semantic similarity: its score and the reasons said before and after it."""

    before: list[tuple[float, str]]  # (weight, reason) of the query and aliases
    after: list[tuple[float, str]]  # of the organisers, partners and spokespeople named

    @property
    def score(self) -> float:
        return sum(weight for weight, _ in self.before) + sum(weight for weight, _ in self.after)


@dataclass
class _Semantic:
    """The passages of one article compared with the descriptions: their labels, and campaigns x passages."""

    labels: list[str]
    similarities: np.ndarray


def _index_article(title: str, paragraphs: list[str]) -> tuple[IndexedText, int]:
    sections = [("title", title)] + [(f"paragraph {n}", p) for n, p in enumerate(paragraphs, start=1)]
    index = index_sections(sections)
    lead_end = len(index.words)
    if len(index.sections) > LEAD_PARAGRAPHS + 1:
        lead_end = index.sections[LEAD_PARAGRAPHS + 1][0]
    return index, lead_end


def _names_found(names: Iterable[str], article: _ArticleView, listed: set[str]) -> list[str]:
    found = []
    for name in names:
        if normalize_word(name) in listed or phrase_spans(name, article.index):
            found.append(name)
    return found


def _alias_signals(campaign: Campaign, article: _ArticleView) -> tuple[str | None, str | None]:
    """(alias in the title, alias named prominently in the text), each the alias or None."""
    in_title = next((name for name in campaign.names() if phrase_spans(name, article.title_index)), None)
    for name in campaign.names():
        spans = [s for s in phrase_spans(name, article.index) if article.index.section_at(s[0]) != "title"]
        if len(spans) >= 2 or any(start < article.lead_end for start, _ in spans):
            return in_title, name
    return in_title, None


@dataclass(frozen=True)
class _QueryResult:
    reason: str
    in_passing: bool  # satisfied by one occurrence outside the title and lead: a mention, not a topic


def _query_signal(campaign: Campaign, article: _ArticleView) -> _QueryResult | None:
    result = evaluate(campaign.parsed_query, article.index)
    if not result.matched:
        return None
    if not result.hits:  # a query made only of NOT clauses
        return _QueryResult("query matched (nothing it excludes is present)", False)
    places: dict[str, list[str]] = {}
    for hit in result.hits:
        sections = places.setdefault(hit.literal, [])
        section = article.index.section_at(hit.start)
        if section not in sections:
            sections.append(section)
    in_passing = len(result.hits) == 1 and result.hits[0].start >= article.lead_end
    shown = [f"{literal} ({', '.join(found[:2])}{', ...' if len(found) > 2 else ''})"
             for literal, found in list(places.items())[:4]]
    more = f" and {len(places) - 4} more" if len(places) > 4 else ""
    prefix = "query matched by one mention in passing: " if in_passing else "query matched: "
    return _QueryResult(prefix + "; ".join(shown) + more, in_passing)


def _day(published_at: datetime | date | None) -> date | None:
    if published_at is None:
        return None
    return published_at.date() if isinstance(published_at, datetime) else published_at


# ---------------------------------------------------------------- matcher


class CampaignMatcher:
    """Scores articles against campaigns with one embedder; descriptions are embedded once."""

    def __init__(
        self,
        campaigns: Sequence[Campaign],
        embedder: Embedder,
        weights: ScoringWeights | None = None,
        scale: SimilarityScale | None = None,
    ) -> None:
        self.campaigns = list(campaigns)
        self.embedder = embedder
        calibration = load_calibration()
        self.weights = weights or ScoringWeights(**calibration.get("weights", {}))
        descriptions = [campaign.description for campaign in self.campaigns]
        self.description_vectors = (_as_matrix(embedder.embed_queries(descriptions), embedder.dim) if descriptions
                                    else np.zeros((0, embedder.dim), np.float32))
        self.scale = scale or similarity_scale(embedder, self.description_vectors, calibration)

    def match(self, article: ArticleForMatching) -> list[CampaignDecision]:
        """A decision for every campaign, in the order of the campaigns file."""
        return self.match_many([article])[0]

    def match_many(self, articles: Sequence[ArticleForMatching],
                   vectors: VectorSource | None = None) -> list[list[CampaignDecision]]:
        """Decisions for many articles. The vectors come from `vectors` in one call (default: embedded
        here): every article's lead, and the chunks of those that could match some campaign."""
        signals = [self._signals_of(article) for article in articles]
        whole = [self._could_match(article_signals) for article_signals in signals]
        source = vectors or self.compute_vectors
        found = list(source([article.text for article in articles], whole)) if articles else []
        results = []
        for article, article_signals, compare_passages, article_vectors in zip(articles, signals, whole, found, strict=True):
            semantic = self._semantic_input(article.text, article_vectors, compare_passages)
            results.append([self._decide(campaign, row, article, article_signals[row], semantic)
                            for row, campaign in enumerate(self.campaigns)])
        return results

    def needs_passages(self, articles: Sequence[ArticleForMatching]) -> list[bool]:
        """For each article, whether `match_many` compares all its passages (else its lead alone)."""
        return [self._could_match(self._signals_of(article)) for article in articles]

    def _signals_of(self, article: ArticleForMatching) -> list[_Signals]:
        """Every signal but semantic similarity, for each campaign in order."""
        view = self._view(article)
        return [self._signals(campaign, view) for campaign in self.campaigns]

    def _could_match(self, signals: Sequence[_Signals]) -> bool:
        """Whether semantic similarity, at its strongest, could lift one of these campaigns to the threshold."""
        return any(round(signal.score + self.weights.semantic, 4) >= self.weights.threshold for signal in signals)

    def compute_vectors(self, texts: Sequence[str], with_chunks: Sequence[bool]) -> list[ArticleVectors]:
        """The default `VectorSource`: embedded now, stored nowhere."""
        return compute_article_vectors(self.embedder, texts, with_chunks=with_chunks)

    def passages(self, text: str) -> list[Chunk]:
        """The passages this matcher compares with descriptions: the embedder's chunks of `text`."""
        return self.embedder.chunk(text)

    def similarities(self, article: ArticleForMatching) -> np.ndarray:
        """Max similarity of each campaign description to all the article's passages (for calibration)."""
        chunks = self.compute_vectors([article.text], [True])[0].chunks
        vectors = _given_vectors(chunks, len(self.passages(article.text)), self.embedder.dim)
        if vectors.shape[0] == 0:
            return np.zeros(len(self.campaigns), np.float32)
        return (self.description_vectors @ vectors.T).max(axis=1)

    def _semantic_input(self, text: str, vectors: ArticleVectors, compare_passages: bool) -> _Semantic:
        if compare_passages:
            passages = self.passages(text)
            chunks = vectors.chunks if vectors.chunks is not None else np.zeros((0, self.embedder.dim), np.float32)
            matrix = _given_vectors(chunks, len(passages), self.embedder.dim)
            labels = [passage.label for passage in passages]
        else:
            lead = _as_matrix(vectors.lead, self.embedder.dim)
            matrix = lead if np.any(lead) else np.zeros((0, self.embedder.dim), np.float32)
            labels = [LEAD_LABEL] * len(matrix)
        similarities = (self.description_vectors @ matrix.T if matrix.shape[0]
                        else np.zeros((len(self.campaigns), 0), np.float32))
        return _Semantic(labels, similarities)

    def _view(self, article: ArticleForMatching) -> _ArticleView:
        index, lead_end = _index_article(article.title or "", paragraphs_of(article.text))
        return _ArticleView(
            index=index,
            title_index=index_sections([("title", article.title or "")]),
            lead_end=lead_end,
            organizations={normalize_word(name) for name in article.organizations},
            people={normalize_word(name) for name in article.people},
        )

    def _signals(self, campaign: Campaign, view: _ArticleView) -> _Signals:
        weights = self.weights
        signals = _Signals([], [])
        query = _query_signal(campaign, view)
        if query:
            signals.before.append((weights.query_in_passing if query.in_passing else weights.query, query.reason))
        in_title, prominent = _alias_signals(campaign, view)
        if in_title:
            signals.before.append((weights.alias_in_title, f"alias '{in_title}' in title"))
        if prominent:
            signals.before.append((weights.alias_prominent, f"alias '{prominent}' named prominently in the text"))
        for names, weight, what, listed in (
            (campaign.organisers, weights.organiser, "organiser", view.organizations),
            (campaign.partners, weights.partner, "partner", view.organizations),
            (campaign.spokespeople, weights.spokesperson, "spokesperson", view.people),
        ):
            found = _names_found(names, view, listed)
            if found:
                signals.after.append((weight, f"{what} {', '.join(repr(n) for n in found[:3])} named"))
        return signals

    def _decide(self, campaign: Campaign, row: int, article: ArticleForMatching, signals: _Signals,
                semantic: _Semantic) -> CampaignDecision:
        # Added in the order the reasons are given.
        score, reasons = 0.0, []
        for weight, reason in signals.before:
            score += weight
            reasons.append(reason)
        score += self._semantic(row, semantic, reasons)
        for weight, reason in signals.after:
            score += weight
            reasons.append(reason)
        score = round(min(1.0, score), 4)
        matched = score >= self.weights.threshold
        matched = self._within_dates(campaign, article, reasons) and matched
        return CampaignDecision(campaign.id, campaign.name, score, matched, reasons)

    def _semantic(self, row: int, semantic: _Semantic, reasons: list[str]) -> float:
        if semantic.similarities.shape[1] == 0:
            reasons.append("no text to compare with the description")
            return 0.0
        best = int(np.argmax(semantic.similarities[row]))
        similarity = float(semantic.similarities[row, best])
        strength = self.scale.normalise(similarity)
        reasons.append(f"{semantic.labels[best]} similar {similarity:.2f}")
        return self.weights.semantic * strength

    @staticmethod
    def _within_dates(campaign: Campaign, article: ArticleForMatching, reasons: list[str]) -> bool:
        day = _day(article.published_at)
        if day is None:
            if campaign.start or campaign.end:
                reasons.append("publication date unknown: active dates not checked")
            return True
        if campaign.start and day < campaign.start:
            reasons.append(f"published {day}, before the campaign started ({campaign.start})")
            return False
        if campaign.end and day > campaign.end:
            reasons.append(f"published {day}, after the campaign ended ({campaign.end})")
            return False
        return True
