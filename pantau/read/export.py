"""Exports of the whole dataset: one Parquet or CSV file per table, plus a data dictionary in Markdown.

The tables and their columns are declared once here (name, store column, meaning); the files and the
dictionary both come from that declaration, so a column is never exported without being described.
Raw HTML, crawl bookkeeping, embeddings and digest deliveries are operational data and stay in the store.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Boolean, DateTime, Float, Integer, select
from sqlalchemy.orm import Session

from pantau.core.errors import InputError
from pantau.store import Store
from pantau.store.tables import TAG_TYPES, Article, CampaignMatch, Outlet, Story, TagType

FORMATS = ("parquet", "csv")
BATCH_ROWS = 5000

# A spreadsheet opening a CSV runs a cell that starts with one of these as a formula (=HYPERLINK(...),
# @SUM, +cmd|...); the fullwidth forms are converted to them by some spreadsheets. Article text is
# untrusted, so such a cell is written with a leading apostrophe, which spreadsheets show as text.
FORMULA_TRIGGERS = frozenset("=+-@\t\r\n\uff1d\uff0b\uff0d\uff20")
CSV_TEXT_PREFIX = "'"


def csv_cell(value: Any) -> Any:
    """One value as a CSV cell that no spreadsheet evaluates: the one helper for every CSV pantau writes.

    Lists are joined with ';', times written as ISO 8601; text whose first non-blank character starts
    a formula gets a leading apostrophe (numbers stay numbers: -2.5 is a value, not a formula)."""
    if isinstance(value, (list, tuple)):
        value = ";".join("" if item is None else str(item) for item in value)
    elif isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, str):
        stripped = value.lstrip(" \u00a0\u3000")
        if stripped and (stripped[0] in FORMULA_TRIGGERS or value[0] in FORMULA_TRIGGERS):
            return CSV_TEXT_PREFIX + value
    return value


def csv_row(row: dict[str, Any]) -> dict[str, Any]:
    return {key: csv_cell(value) for key, value in row.items()}


@dataclass(frozen=True)
class ExportTable:
    name: str
    description: str
    model: type
    # export column name -> meaning; the store column has the same name unless renamed below.
    columns: dict[str, str]
    renamed: dict[str, str] | None = None

    def store_column(self, name: str) -> Any:
        return getattr(self.model, (self.renamed or {}).get(name, name))


def tag_table(tag: TagType) -> ExportTable:
    """The export of one tag type: its rows with their article (and id and order when they keep one)."""
    bookkeeping = ["id", "article_id", "position"] if tag.ordered else ["article_id"]
    return ExportTable(tag.name, tag.description, tag.table,
                       {column: tag.meaning(column) for column in (*bookkeeping, *tag.value_columns())})


def tag_tables() -> tuple[ExportTable, ...]:
    return tuple(tag_table(tag) for tag in TAG_TYPES.values())


TABLES: tuple[ExportTable, ...] = (
    ExportTable("articles", "One row per article (pages that are not articles are left out).", Article, {
        "id": "article id, referenced by article_id in the other tables",
        "url": "address of the article",
        "outlet_id": "registry id of the outlet (kompas, detik, ...)",
        "outlet_name": "outlet name",
        "title": "headline",
        "published_at": "publication instant, UTC",
        "published_at_local": "publication time as the page gave it, ISO 8601 with its UTC offset",
        "updated_at": "last update given by the page, UTC",
        "authors": "authors, JSON list",
        "section": "the outlet's section",
        "tags": "the outlet's tags, JSON list",
        "dateline": "place of reporting as printed (MAKASSAR)",
        "language": "language code found in the text (id, en)",
        "word_count": "words in the clean body",
        "text": "clean body, one paragraph per line",
        "story_id": "story (event) the article belongs to; see stories",
        "duplicate_of_id": "the earlier article this one copies (syndication), else empty",
        "canonical_url": "canonical address declared by the page",
        "is_paywalled": "true when the page says the text is behind a paywall",
        "pipeline_version": "version of the pipeline that made the row",
        "processed_at": "when the row was made, UTC",
    }),
    *tag_tables(),
    ExportTable("campaign_matches", "Every campaign decision for every article, matched or not.", CampaignMatch, {
        "article_id": "the article (articles.id)",
        "campaign_id": "campaign id from campaigns.toml",
        "score": "matching score, 0-1",
        "matched": "true when the article is counted as coverage of the campaign",
        "reasons": "why, JSON list of short texts",
    }),
    ExportTable("stories", "Stories: articles about one event within a few days (originals and copies).", Story, {
        "id": "story id (articles.story_id)",
        "title": "title of the story",
        "first_published_at": "earliest article, UTC",
        "last_published_at": "latest article, UTC",
        "article_count": "articles in the story",
        "outlet_count": "distinct outlets in the story",
    }),
    ExportTable("outlets", "Outlets known to the store.", Outlet, {
        "id": "registry id",
        "name": "outlet name",
        "domains": "web domains, JSON list",
        "kind": "national, regional, government",
    }),
)


def _arrow_type(column: Any):  # noqa: ANN202
    import pyarrow as pa  # noqa: PLC0415 - heavy: pyarrow (~0.3 s); only Parquet export needs it and the CLI loads this module at every start

    sql_type = column.type
    if isinstance(sql_type, Boolean):
        return pa.bool_()
    if isinstance(sql_type, Integer):
        return pa.int64()
    if isinstance(sql_type, Float):
        return pa.float64()
    if isinstance(sql_type, DateTime) or isinstance(getattr(sql_type, "impl", None), DateTime):
        return pa.timestamp("us", tz="UTC")
    return pa.string()


def _is_json(column: Any) -> bool:
    return column.type.__class__.__name__ == "JSON"


def _rows(session: Session, table: ExportTable) -> Iterator[list[dict[str, Any]]]:
    names = list(table.columns)
    statement = select(*[table.store_column(name).label(name) for name in names])
    if table.model is Article:
        statement = statement.where(Article.is_article.is_(True))
    key = getattr(table.model, "id", None)
    if key is not None:
        statement = statement.order_by(key)
    json_columns = {name for name in names if _is_json(table.store_column(name))}
    result = session.execute(statement.execution_options(yield_per=BATCH_ROWS)).mappings()
    for batch in result.partitions(BATCH_ROWS):
        rows = []
        for row in batch:
            item = dict(row)
            for name in json_columns:
                item[name] = json.dumps(item[name], ensure_ascii=False) if item[name] is not None else None
            rows.append(item)
        yield rows


def _write_parquet(path: Path, table: ExportTable, batches: Iterator[list[dict[str, Any]]]) -> int:
    import pyarrow as pa  # noqa: PLC0415 - heavy: pyarrow (~0.3 s); only Parquet export needs it and the CLI loads this module at every start
    import pyarrow.parquet as pq  # noqa: PLC0415 - heavy: pyarrow (~0.3 s); only Parquet export needs it and the CLI loads this module at every start

    schema = pa.schema([(name, _arrow_type(table.store_column(name))) for name in table.columns])
    count = 0
    with pq.ParquetWriter(path, schema, compression="zstd") as writer:
        for rows in batches:
            writer.write_table(pa.Table.from_pylist(rows, schema=schema))
            count += len(rows)
        if count == 0:
            writer.write_table(schema.empty_table())
    return count


def _write_csv(path: Path, table: ExportTable, batches: Iterator[list[dict[str, Any]]]) -> int:
    count = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(table.columns))
        writer.writeheader()
        for rows in batches:
            for row in rows:
                writer.writerow(csv_row(row))
            count += len(rows)
    return count


WRITERS: dict[str, Callable[[Path, ExportTable, Iterator[list[dict[str, Any]]]], int]] = {
    "parquet": _write_parquet,
    "csv": _write_csv,
}


def data_dictionary(file_format: str, counts: dict[str, int] | None = None) -> str:
    """The Markdown description of every exported table and column."""
    lines = [
        "# pantau export: data dictionary",
        "",
        f"One {file_format.upper()} file per table; column names are stable across versions. "
        "Times are UTC unless the column says otherwise; lists are JSON text. "
        + ("In CSV, a text cell that would start a spreadsheet formula (=, +, -, @, tab, CR) begins with an "
           "apostrophe, which spreadsheets show as text; remove it before using the text elsewhere. "
           if file_format == "csv" else "")
        + "Join the tables on `article_id` = `articles.id` and `articles.story_id` = `stories.id`.",
        "",
    ]
    if counts is not None:
        lines += [f"Exported {datetime.now(UTC).isoformat(timespec='seconds')}.", ""]
    for table in TABLES:
        rows = f" ({counts[table.name]} rows)" if counts and table.name in counts else ""
        lines += [f"## {table.name}.{file_format}{rows}", "", table.description, "",
                  "| column | type | meaning |", "|---|---|---|"]
        for name, meaning in table.columns.items():
            column = table.store_column(name)
            kind = "JSON text" if _is_json(column) else str(_arrow_type(column))
            lines.append(f"| `{name}` | {kind} | {meaning} |")
        lines.append("")
    return "\n".join(lines)


def export_dataset(store: Store, out_dir: Path, file_format: str = "parquet",
                   progress: Callable[[str, int], None] | None = None) -> dict[str, int]:
    """Write every table to `out_dir` in `file_format` and the data dictionary; returns rows per table."""
    if file_format not in WRITERS:
        raise InputError(f"unknown export format {file_format!r}; choose {' or '.join(FORMATS)}")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise InputError(f"cannot create the export folder {out_dir}: {error.strerror}") from error
    counts: dict[str, int] = {}
    with store.session() as session:
        for table in TABLES:
            target = out_dir / f"{table.name}.{file_format}"
            partial = target.with_name(target.name + ".partial")
            counts[table.name] = WRITERS[file_format](partial, table, _rows(session, table))
            # A reader never sees a half-written file under the final name.
            partial.replace(target)
            if progress:
                progress(table.name, counts[table.name])
    (out_dir / "DATA_DICTIONARY.md").write_text(data_dictionary(file_format, counts), encoding="utf-8")
    return counts
