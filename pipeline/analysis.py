"""From extracted articles to the `pantau analyze` contract: NLP tags and campaign decisions.

The process stage and `pantau analyze` share this module: extraction happens before (one page or a
pool of pages), then `Analyzer.analyze` runs the NLP pipeline over a batch with `nlp.pipe`-style
batching and the campaign matcher over each article.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pantau.core.campaigns import load_campaigns
from pantau.core.errors import InputError
from pantau.core.outlets import url_key
from pantau.store.tables import TAG_TYPES
from pipeline.campaigns import ArticleForMatching, CampaignMatcher
from pipeline.campaigns.matching import VectorSource
from pipeline.embeddings import load_embedder, text_sha256

log = logging.getLogger(__name__)

# DESIGN.md's contract: the article's fields, one list per tag type (places, organizations, people,
# quotes, statistics), then the matched campaigns.
CONTRACT_KEYS = ("url", "outlet", "title", "published_at", "authors", "language", "text", *TAG_TYPES, "campaigns")


@dataclass
class ArticleAnalysis:
    extracted: Any  # pipeline.extract.ExtractedArticle
    tags: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    # Every campaign's decision, matched or not (pipeline.campaigns.CampaignDecision).
    decisions: list[Any] = field(default_factory=list)

    @property
    def url(self) -> str | None:
        return self.extracted.url or self.extracted.canonical_url

    @property
    def url_key(self) -> str | None:
        try:
            return url_key(self.url) if self.url else None
        except InputError:
            return None

    def contract(self) -> dict[str, Any]:
        """The JSON object printed by `pantau analyze` (every key of DESIGN.md, in order)."""
        extracted = self.extracted
        return {
            "url": self.url,
            "outlet": extracted.outlet,
            "title": extracted.title,
            "published_at": iso(extracted.published_at),
            "authors": list(extracted.authors),
            "language": extracted.language,
            "text": extracted.text,
            **{name: self.tags.get(name, []) for name in TAG_TYPES},
            "campaigns": [
                {"id": d.campaign_id, "name": d.name, "score": round(float(d.score), 4), "reasons": list(d.reasons)}
                for d in self.decisions
                if d.matched
            ],
            # Beyond the contract: fields a user of the JSON usually wants next.
            "dateline": extracted.dateline,
            "updated_at": iso(extracted.updated_at),
            "section": extracted.section,
            "tags": list(extracted.tags),
            "canonical_url": extracted.canonical_url,
            "image_url": extracted.image_url,
            "word_count": extracted.word_count,
            "is_article": extracted.is_article,
            "is_paywalled": extracted.is_paywalled,
        }

    def article_fields(self, pipeline_version: str, page_id: int | None = None,
                       listed_published_at: datetime | None = None, key: str | None = None) -> dict[str, Any]:
        """Columns of the Article row for the store (requires a URL, or the `key` to store it under).

        The publication time is the page's own; when the page gives none, the time its sitemap or feed
        listed (`listed_published_at`) stands in. Both stored forms come from that one value."""
        extracted = self.extracted
        url_key = self.url_key or key
        if url_key is None:
            raise InputError("cannot store an article without its web address: pass --url URL")
        published_at = extracted.published_at or listed_published_at
        return {
            "url_key": url_key,
            "url": self.url or url_key,
            "page_id": page_id,
            "outlet_id": extracted.outlet_id,
            "outlet_name": extracted.outlet,
            "title": extracted.title,
            "text": extracted.text,
            "dateline": extracted.dateline,
            "published_at": published_at,
            "published_at_local": iso(published_at),
            "updated_at": extracted.updated_at,
            "authors": list(extracted.authors),
            "language": extracted.language,
            "section": extracted.section,
            "tags": list(extracted.tags),
            "canonical_url": extracted.canonical_url,
            "image_url": extracted.image_url,
            "word_count": extracted.word_count,
            "is_article": extracted.is_article,
            "is_paywalled": extracted.is_paywalled,
            "text_hash": text_hash(extracted.text),
            "pipeline_version": pipeline_version,
        }

    def campaign_rows(self) -> list[dict[str, Any]]:
        return [
            {"campaign_id": d.campaign_id, "score": float(d.score), "matched": bool(d.matched), "reasons": list(d.reasons)}
            for d in self.decisions
        ]


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def text_hash(text: str | None) -> str:
    """The article's `text_hash`: the key its embeddings are stored under (`pipeline.embeddings.text_sha256`)."""
    return text_sha256(text or "")


class Analyzer:
    """The NLP pipeline and the campaign matcher, loaded once and applied to batches of articles."""

    def __init__(self, match_campaigns: bool = True, embedder: Any = None):
        from pipeline.nlp.assembly import load_nlp  # noqa: PLC0415 - heavy: the NLP stages load spaCy and torch (~4 s); pipeline.process, the flows and the web app import this module before any text is analysed

        self.nlp = load_nlp()
        self.matcher = None
        self.embedder = embedder
        if match_campaigns:
            self.embedder = self.embedder or load_embedder()
            self.matcher = CampaignMatcher(load_campaigns(), self.embedder)

    def analyze(self, articles: Sequence[Any], vectors: VectorSource | None = None,
                include_non_articles: bool = False) -> list[ArticleAnalysis]:
        """Tags and campaign decisions for extracted articles; non-articles get neither unless
        `include_non_articles` (one document a user asked about: a short text is still worth tagging).
        `vectors` gives the embeddings matching asks for (`pipeline.process.stored_vectors`: from and
        into the store); by default they are embedded here."""
        from pipeline.nlp import annotate_many  # noqa: PLC0415 - heavy: the NLP stages load spaCy and torch (~4 s); pipeline.process, the flows and the web app import this module before any text is analysed

        results = [ArticleAnalysis(extracted=article) for article in articles]
        wanted = [r for r in results if (r.extracted.is_article or include_non_articles) and r.extracted.text]
        for result, tags in zip(
            wanted, annotate_many(self.nlp, ((r.extracted.text, r.extracted.dateline) for r in wanted)), strict=True
        ):
            result.tags = tags
        if self.matcher is not None:
            decisions = self.matcher.match_many([matching_input(result) for result in wanted], vectors)
            for result, result_decisions in zip(wanted, decisions, strict=True):
                result.decisions = result_decisions
        return results


def matching_input(result: ArticleAnalysis) -> Any:
    return ArticleForMatching(
        title=result.extracted.title or "",
        text=result.extracted.text or "",
        published_at=result.extracted.published_at,
        organizations=[org["name"] for org in result.tags.get("organizations", [])],
        people=[person["name"] for person in result.tags.get("people", [])],
    )
