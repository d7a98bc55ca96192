"""Batch analysis: the records of a folder, glob, JSONL or CSV file (pipeline.documents.RecordSource)
through what `pantau analyze` does to one document, with one output object per record, in input order.

HTML records go through extraction in the worker pool (the next batch while this process tags the
current one, as `pantau process` does), text records through cleaning. A record's title and date
fields, when given, stand for the ones the text cannot say. A record that fails at any step gives an
object with its id, its URL and a one-line `error`; the batch goes on.

With a store, the analysed records become articles as `pantau process` writes them (embeddings cached,
campaign matches, dedup and stories, one transaction per batch): keyed by the url_key of their URL,
or `import:<sha256 of the record's content>` without one, of the outlet their URL belongs to or
`import`. Re-running the same records updates the same articles.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from pantau.core.errors import InputError
from pantau.core.time import time_zone
from pantau.store.articles import ArticleRows, upsert_articles
from pantau.store.db import Store
from pipeline.analysis import Analyzer, ArticleAnalysis
from pipeline.dedup import assign_duplicates_and_stories
from pipeline.documents import Record
from pipeline.extract import ExtractedArticle, ExtractionFailure, extract_batches, extract_text_document
from pipeline.extract.dates import parse_datetime
from pipeline.process import chunked, stored_vectors
from pipeline.version import pipeline_version

IMPORT_OUTLET = "import"
RECORDS_PER_BATCH = 64
FORMATS = ("jsonl", "parquet")
# The columns of every output object, in order: the record's id, the contract, then `error`.
OUTPUT_KEYS = ("id", *ArticleAnalysis(extracted=ExtractedArticle()).contract(), "error")


@dataclass
class BatchSummary:
    records: int = 0
    analysed: int = 0
    errors: int = 0
    stored: int = 0


@dataclass
class _Item:
    """One record on its way: its extracted article, or the error that ended it."""

    record: Record
    content_hash: str = ""
    article: ExtractedArticle | None = None
    error: str | None = None
    published_at: Any = None
    output: dict[str, Any] = field(default_factory=dict)


def analyze_records(records: Iterable[Record], analyzer: Analyzer, *, workers: int | None = None, timeout_s: float = 30.0,
                    store: Store | None = None, batch_size: int = RECORDS_PER_BATCH,
                    summary: BatchSummary | None = None) -> Iterator[dict[str, Any]]:
    """One output object per record, in order: the contract with the record's `id`, or {id, url, error}."""
    summary = summary if summary is not None else BatchSummary()
    version = pipeline_version() if store is not None else ""
    batches = (_prepare(batch) for batch in chunked(records, batch_size))
    with extract_batches(batches, workers, timeout_s) as extracted:
        for items, outcomes in extracted:
            for index, outcome in outcomes:
                item = items[index]
                if isinstance(outcome, ExtractionFailure):
                    item.error = outcome.message
                else:
                    item.article = _with_record_fields(outcome, item)
            _analyze(items, analyzer, store, version, summary)
            for item in items:
                summary.records += 1
                if item.error is not None:
                    summary.errors += 1
                    yield {"id": item.record.id, "url": item.record.url, "error": one_line(item.error)}
                else:
                    summary.analysed += 1
                    yield {"id": item.record.id, **item.output}


def _prepare(records: list[Record]) -> tuple[list[_Item], list[tuple[int, list[bytes | str], str | None]]]:
    """The batch's items and the extraction jobs of its HTML records (run ahead, in the extraction thread)."""
    items, jobs = [], []
    for record in records:
        item = _Item(record)
        items.append(item)
        if record.error is not None or record.document is None:
            item.error = record.error or "nothing to analyse"
            continue
        document = record.document
        content = document.content
        data = content if isinstance(content, bytes) else content.encode("utf-8", "surrogatepass")
        item.content_hash = hashlib.sha256(data).hexdigest()
        if record.date is not None:
            parsed = parse_datetime(record.date, time_zone())
            if parsed is None:
                item.error = f"date {record.date!r} is not a date; write it as ISO 8601 (2023-11-02 or 2023-11-02T21:34:19+07:00)"
                continue
            item.published_at = parsed[0]
        if document.kind == "html":
            jobs.append((len(items) - 1, [content], document.url))
            continue
        try:
            item.article = _with_record_fields(extract_text_document(str(content), url=document.url), item)
        except InputError as error:
            item.error = str(error)
    return items, jobs


def _with_record_fields(article: ExtractedArticle, item: _Item) -> ExtractedArticle:
    """The record's own title and date stand for what the document says (a text has neither)."""
    if item.record.title:
        article.title = item.record.title
    if item.published_at is not None:
        article.published_at = item.published_at
    return article


def _analyze(items: list[_Item], analyzer: Analyzer, store: Store | None, version: str, summary: BatchSummary) -> None:
    ready = [item for item in items if item.error is None and item.article is not None]
    articles = [item.article for item in ready]
    if store is None:
        # As `pantau analyze` of one document: whatever text a record has is tagged (and embedded in one batch).
        analyses = analyzer.analyze(articles, include_non_articles=True)
        for item, analysis in zip(ready, analyses, strict=True):
            item.output = analysis.contract()
        return
    with store.session() as session:
        # As `pantau process` writes a batch: the store's rule for what counts as an article.
        analyses = analyzer.analyze(articles, vectors=stored_vectors(session, analyzer))
        rows = []
        for item, analysis in zip(ready, analyses, strict=True):
            fields = analysis.article_fields(version, key=f"{IMPORT_OUTLET}:{item.content_hash}")
            fields["outlet_id"] = fields["outlet_id"] or IMPORT_OUTLET
            rows.append(ArticleRows(fields, analysis.tags, analysis.campaign_rows()))
            item.output = analysis.contract()
        saved = [article.id for article in upsert_articles(session, rows)]
        if saved and analyzer.embedder is not None:
            assign_duplicates_and_stories(session, saved, analyzer.embedder)
    summary.stored += len(ready)


def one_line(message: str) -> str:
    return " ".join(str(message).split())


# ------------------------------------------------------------------------------------------- output


class JsonlWriter:
    """One JSON object per line, to a file or to stdout."""

    def __init__(self, out: Path | None, stdout: TextIO) -> None:
        self.handle = _open_out(out) if out is not None else stdout
        self.owned = out is not None

    def write(self, item: dict[str, Any]) -> None:
        self.handle.write(json.dumps(item, ensure_ascii=False) + "\n")

    def close(self) -> None:
        if self.owned:
            self.handle.close()
        else:
            self.handle.flush()


class ParquetWriter:
    """One row per record with every output key as a column (lists and objects as JSON text, as
    `pantau export` writes them), written in row groups so that memory stays flat."""

    ROWS_PER_GROUP = 1000

    def __init__(self, out: Path) -> None:
        import pyarrow as pa  # noqa: PLC0415 - optional and heavy: only Parquet output needs it
        import pyarrow.parquet as pq  # noqa: PLC0415 - optional and heavy: only Parquet output needs it

        sample = {"id": "", **ArticleAnalysis(extracted=ExtractedArticle()).contract(), "error": ""}
        self.kinds = {key: _column_kind(sample[key]) for key in OUTPUT_KEYS}
        arrow = {"int": pa.int64(), "bool": pa.bool_(), "json": pa.string(), "text": pa.string()}
        self.pa = pa
        self.schema = pa.schema([(key, arrow[self.kinds[key]]) for key in OUTPUT_KEYS])
        _open_out(out).close()  # a path that cannot be written fails here, with the reason
        self.writer = pq.ParquetWriter(out, self.schema, compression="zstd")
        self.rows: list[dict[str, Any]] = []

    def write(self, item: dict[str, Any]) -> None:
        row = {}
        for key in OUTPUT_KEYS:
            value = item.get(key)
            row[key] = json.dumps(value, ensure_ascii=False) if self.kinds[key] == "json" and value is not None else value
        self.rows.append(row)
        if len(self.rows) >= self.ROWS_PER_GROUP:
            self._flush()

    def _flush(self) -> None:
        if self.rows:
            self.writer.write_table(self.pa.Table.from_pylist(self.rows, schema=self.schema))
            self.rows = []

    def close(self) -> None:
        self._flush()
        self.writer.close()


def _open_out(out: Path) -> TextIO:
    try:
        return out.open("w", encoding="utf-8")
    except OSError as error:
        raise InputError(f"cannot write {out}: {error.strerror}; pass --out with a path in a writable folder") from error


def _column_kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    return "json" if isinstance(value, (list, dict)) else "text"


def open_writer(output_format: str, out: Path | None, stdout: TextIO) -> JsonlWriter | ParquetWriter:
    if output_format == "jsonl":
        return JsonlWriter(out, stdout)
    if output_format == "parquet":
        if out is None:
            raise InputError("--format parquet needs --out FILE")
        return ParquetWriter(out)
    raise InputError(f"unknown --format {output_format!r} for a batch; use {' or '.join(FORMATS)}")
