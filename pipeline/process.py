"""The process stage: stored pages -> articles with tags, campaign matches, duplicates and stories.

Pages are taken in batches; each batch is extracted (process pool), tagged, matched and written in
one transaction, so a crash loses at most the batch in flight and a re-run resumes with the pages
that have no article for the current pipeline version. Nothing is ever fetched here.

The pool extracts the next batch while this process tags, embeds, matches and writes the current
one (`pipeline.extract.extract_batches`): one batch ahead at most, and nothing of it is written
before its turn, so the transactions and their order are those of a run without the overlap.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from pantau.core.config import get_settings
from pantau.store.articles import ArticleRows, upsert_articles
from pantau.store.db import Store
from pantau.store.tables import Article, Page
from pipeline.analysis import Analyzer
from pipeline.dedup import assign_duplicates_and_stories
from pipeline.embeddings import embed_articles
from pipeline.extract import ExtractionFailure, extract_batches
from pipeline.version import pipeline_version

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
T = TypeVar("T")


@dataclass
class ProcessReport:
    pipeline_version: str
    pages: int = 0
    articles: int = 0
    not_articles: int = 0
    failed: Counter = field(default_factory=Counter)
    matched: Counter = field(default_factory=Counter)
    duplicates: int = 0
    stories: int = 0
    # Wall seconds this process spent per step: waiting for the extraction of a batch (extraction_wait),
    # embeddings, nlp_matching, store_dedup (the writes, dedup and the commit).
    seconds: Counter = field(default_factory=Counter)

    @contextmanager
    def timed(self, step: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[step] += time.perf_counter() - started

    def as_dict(self) -> dict[str, Any]:
        return {
            "pipeline_version": self.pipeline_version,
            "pages": self.pages,
            "articles": self.articles,
            "not_articles": self.not_articles,
            "failed": dict(self.failed),
            "matched": dict(self.matched),
            "duplicates": self.duplicates,
            "stories": self.stories,
            "seconds": {step: round(value, 2) for step, value in self.seconds.items()},
        }


def pages_to_process(session: Session, version: str, reprocess: bool = False, limit: int | None = None) -> list[int]:
    """Ids of pages with no article, or (with `reprocess`) an article from another pipeline version."""
    query = select(Page.id).outerjoin(Article, Article.url_key == Page.url_key)
    if not reprocess:
        query = query.where(or_(Article.id.is_(None), Article.pipeline_version != version))
    query = query.order_by(Page.id)
    if limit:
        query = query.limit(limit)
    return list(session.scalars(query))


def process_pages(
    store: Store,
    *,
    batch_size: int | None = None,
    workers: int | None = None,
    limit: int | None = None,
    reprocess: bool = False,
    page_ids: Sequence[int] | None = None,
    analyzer: Any = None,
    progress: Progress | None = None,
    overlap: bool = True,
) -> ProcessReport:
    """Make (or re-make) the articles of the stored pages that need it; returns what was done.

    `page_ids` restricts the work to those pages (a partition of a parallel run): the ones that still
    need processing are done, in the given order, so a retried partition only does what is left.
    `overlap=False` extracts each batch only once the one before is written (same results, slower)."""
    settings = get_settings()
    version = pipeline_version()
    batch_size = batch_size or settings.process.batch_size
    workers = workers if workers is not None else (settings.process.workers or None)
    report = ProcessReport(pipeline_version=version)
    with store.session() as session:
        pending = pages_to_process(session, version, reprocess, None if page_ids is not None else limit)
    if page_ids is not None:
        wanted = set(pending)
        pending = [page_id for page_id in page_ids if page_id in wanted][:limit]
    page_ids = pending
    if not page_ids:
        return report
    batches = (_load_batch(store, batch) for batch in chunked(page_ids, batch_size))
    with extract_batches(batches, workers, settings.process.page_timeout_s, ahead=overlap) as extracted:
        if analyzer is None:
            analyzer = Analyzer()  # loads while the pool extracts the first batch
        done = 0
        batches_done = iter(extracted)
        while True:
            with report.timed("extraction_wait"):
                batch = next(batches_done, None)
            if batch is None:
                break
            pages, outcomes = batch
            _write_batch(store, pages, outcomes, analyzer, version, report)
            done += len(pages)
            if progress:
                progress(done, len(page_ids))
    return report


@dataclass(frozen=True)
class _PageRow:
    """What the write of an article needs from its page (read in the extraction thread, used in this one)."""

    id: int
    url: str
    url_key: str
    outlet_id: str | None
    listed_title: str | None
    listed_published_at: datetime | None


def _load_batch(store: Store, page_ids: Sequence[int]) -> tuple[list[_PageRow], list[tuple[int, list[bytes], str]]]:
    """The pages of a batch in the order of `page_ids`, and their extraction jobs."""
    with store.session() as session:
        found = {page.id: page for page in session.scalars(select(Page).where(Page.id.in_(page_ids)))}
        pages = [found[page_id] for page_id in page_ids if page_id in found]
        rows = [_PageRow(p.id, p.url, p.url_key, p.outlet_id, p.listed_title, p.listed_published_at) for p in pages]
        jobs = [(page.id, page.html_parts(), page.final_url or page.url) for page in pages]
    return rows, jobs


def _write_batch(store: Store, pages: list[_PageRow], outcomes: list[tuple[int, Any]], analyzer: Any, version: str,
                 report: ProcessReport) -> None:
    """Tag, embed, match and write one extracted batch, with its dedup, in one transaction."""
    by_id = {page.id: page for page in pages}
    extracted: dict[int, Any] = {}
    failures: dict[int, Any] = {}
    for page_id, outcome in outcomes:
        if isinstance(outcome, ExtractionFailure):
            report.failed[outcome.reason] += 1
            log.warning("page %s: %s", by_id[page_id].url, outcome.message)
            failures[page_id] = outcome
            continue
        outcome.url = by_id[page_id].url
        extracted[page_id] = outcome
    report.pages += len(pages)
    with store.session() as session:
        started, embedding_before = time.perf_counter(), report.seconds["embeddings"]
        analyses = analyzer.analyze(list(extracted.values()), vectors=stored_vectors(session, analyzer, report))
        report.seconds["nlp_matching"] += time.perf_counter() - started - (report.seconds["embeddings"] - embedding_before)
        writing = time.perf_counter()
        rows = [_article_rows(by_id[page_id], analysis, version) for page_id, analysis in zip(extracted, analyses, strict=True)]
        rows += [_failure_rows(by_id[page_id], version, failure) for page_id, failure in failures.items()]
        written = upsert_articles(session, rows)
        _count(analyses, report)
        _cluster(session, [article.id for article in written[: len(analyses)]], analyzer, report)
    report.seconds["store_dedup"] += time.perf_counter() - writing  # the commit included


def stored_vectors(session: Session, analyzer: Any, report: ProcessReport | None = None) -> Callable[..., Any] | None:
    """The embeddings campaign matching asks for, read from the cache table, the missing ones embedded
    in one batch and stored there (`pipeline.embeddings.embed_articles`), so that dedup (next) reads the
    same leads and a re-run embeds nothing: one embedding per text version. None without an embedder."""
    if analyzer.embedder is None:
        return None

    def vectors(texts: Sequence[str], with_chunks: Sequence[bool]) -> list[Any]:
        if report is None:
            return embed_articles(session, analyzer.embedder, texts, with_chunks)
        with report.timed("embeddings"):
            return embed_articles(session, analyzer.embedder, texts, with_chunks)

    return vectors


def _article_rows(page: _PageRow, analysis: Any, version: str) -> ArticleRows:
    fields = analysis.article_fields(version, page_id=page.id, listed_published_at=page.listed_published_at)
    fields["url_key"] = page.url_key
    fields["outlet_id"] = fields["outlet_id"] or page.outlet_id
    return ArticleRows(fields, analysis.tags, analysis.campaign_rows())


def _count(analyses: Sequence[Any], report: ProcessReport) -> None:
    for analysis in analyses:
        if analysis.extracted.is_article:
            report.articles += 1
            for decision in analysis.decisions:
                if decision.matched:
                    report.matched[decision.campaign_id] += 1
        else:
            report.not_articles += 1


def _failure_rows(page: _PageRow, version: str, failure: Any) -> ArticleRows:
    """What records that this page could not be extracted with this pipeline version (no retry loop)."""
    return ArticleRows({
        "url_key": page.url_key, "url": page.url, "page_id": page.id, "outlet_id": page.outlet_id,
        "title": page.listed_title, "text": None, "is_article": False, "pipeline_version": version,
        "processed_at": datetime.now(UTC), "extra": {"error": failure.reason, "message": failure.message},
    })


def _cluster(session: Session, article_ids: list[int], analyzer: Any, report: ProcessReport) -> None:
    if not article_ids or analyzer.embedder is None:
        return
    outcome = assign_duplicates_and_stories(session, article_ids, analyzer.embedder)
    report.duplicates += getattr(outcome, "duplicates", 0)
    report.stories += getattr(outcome, "new_stories", 0)


def chunked(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """`items` in lists of `size` (the last one shorter), taken as they come."""
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
