"""`pantau analyze PATH_OR_URL`: extraction and every NLP stage on one document, printed as JSON; or on
every record of a folder, glob, JSONL or CSV file, written as JSONL or Parquet (pipeline/batch.py)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from pantau.cli.app import app
from pantau.core.config import get_settings
from pantau.core.errors import InputError
from pantau.store import open_store
from pantau.store.articles import upsert_article
from pantau.store.tables import TAG_TYPES
from pipeline.documents import Columns, RecordSource, batch_kind, read_document

BATCH_ONLY = ("--out", "--workers", "--text-column", "--url-column", "--title-column", "--date-column", "--id-column")


@app.command("analyze")
def analyze(
    source: str = typer.Argument(..., metavar="PATH_OR_URL", help=(
        "An .html/.htm (optionally .gz) or .txt file, an http(s) URL, or - for text on standard input; "
        "or a batch: a folder or a quoted glob of such files, a .jsonl or .csv file of records.")),
    url: str | None = typer.Option(None, "--url", help="The web address of a local file (identity in the store, outlet rules)."),
    output_format: str | None = typer.Option(None, "--format", help=(
        "One document: json (the contract object, default) or summary (a readable table). "
        "A batch: jsonl (one contract object per line, default) or parquet (needs --out).")),
    store: bool = typer.Option(False, "--store", help=(
        "Also write the results to the store (one article per URL; batch records without a URL are keyed "
        "by their content, outlet 'import').")),
    campaigns: bool = typer.Option(True, "--campaigns/--no-campaigns",
                                   help="Match the configured campaigns (loads the embedding model)."),
    out: Path | None = typer.Option(None, "--out", help="Batch: the output file (default: JSONL on stdout)."),
    workers: int | None = typer.Option(None, "--workers", min=0, help=(
        "Batch: extraction processes for HTML files (default: one per core; 0: this process).")),
    text_column: str | None = typer.Option(None, "--text-column", help=(
        "Batch (JSONL/CSV): the field with the article text (default: text).")),
    url_column: str | None = typer.Option(None, "--url-column", help=(
        "Batch (JSONL/CSV): the field with its web address (default: url).")),
    title_column: str | None = typer.Option(None, "--title-column", help=(
        "Batch (JSONL/CSV): the field with its title (default: title).")),
    date_column: str | None = typer.Option(None, "--date-column", help=(
        "Batch (JSONL/CSV): the field with its publication date, ISO 8601 (default: date).")),
    id_column: str | None = typer.Option(None, "--id-column", help=(
        "Batch (JSONL/CSV): the field with the record's own id (default: id; else its line or row).")),
) -> None:
    """Extract, clean and tag one article and print the `pantau analyze` JSON contract (see DESIGN.md); or
    every record of a folder, glob, JSONL or CSV file, one contract object per record (an `error` for a
    record that fails), with a progress bar on stderr."""
    columns = {"text": text_column, "url": url_column, "title": title_column, "date": date_column, "id": id_column}
    if batch_kind(source) is not None:
        if url is not None:
            raise InputError("--url names one document; the records of a batch take theirs from --url-column")
        given = {name: value for name, value in columns.items() if value is not None}
        records = RecordSource(source, Columns(**given, explicit=frozenset(given)))
        _analyze_batch(records, output_format or "jsonl", out, store, campaigns, workers)
        return
    if out is not None or workers is not None or any(value is not None for value in columns.values()):
        raise InputError(f"{', '.join(BATCH_ONLY)} apply to a batch (a folder, glob, .jsonl or .csv file), not to one document")
    output_format = output_format or "json"
    if output_format not in {"json", "summary"}:
        raise InputError(f"unknown --format {output_format!r}; use json or summary")

    settings = get_settings()
    if url is not None and not url.startswith(("http://", "https://")):
        raise InputError(f"--url must be an http(s) address, got {url!r}")
    document = read_document(source, url=url, user_agent=settings.crawl.user_agent, timeout_s=settings.crawl.download_timeout_s)

    from pipeline.analysis import Analyzer  # noqa: PLC0415 - the processing stages load numpy and py3langid (~0.15 s) and the CLI loads this module at every start; only `analyze` needs them
    from pipeline.extract import extract_article, extract_text_document  # noqa: PLC0415 - the processing stages load numpy and py3langid (~0.15 s) and the CLI loads this module at every start; only `analyze` needs them

    if document.kind == "text":
        extracted = extract_text_document(document.content, url=document.url)
    else:
        extracted = extract_article(document.content, url=document.url)
    # The user asked about this document: tag whatever text it has, even when it is too short to count
    # as an article (`is_article` still says so, and --store keeps the store's rule).
    result = Analyzer(match_campaigns=campaigns).analyze([extracted], include_non_articles=not store)[0]
    if store:
        _store(result)
    contract = result.contract()
    if output_format == "json":
        print(json.dumps(contract, ensure_ascii=False, indent=2))
    else:
        _print_summary(contract)


def _analyze_batch(records: RecordSource, output_format: str, out: Path | None, store: bool, campaigns: bool,
                   workers: int | None) -> None:
    from pipeline.analysis import Analyzer  # noqa: PLC0415 - the processing stages load numpy, spaCy and torch; the CLI loads this module at every start
    from pipeline.batch import BatchSummary, analyze_records, open_writer  # noqa: PLC0415 - the processing stages load numpy, spaCy and torch; the CLI loads this module at every start

    if output_format not in {"jsonl", "parquet"}:
        raise InputError(f"unknown --format {output_format!r} for a batch; use jsonl or parquet")
    settings = get_settings()
    if workers is None:
        workers = settings.process.workers or None
    total = records.count()
    writer = open_writer(output_format, out, sys.stdout)
    summary = BatchSummary()
    console = Console(stderr=True)
    try:
        columns = (TextColumn("analysing"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
        with Progress(*columns, console=console, transient=True) as bar:
            task = bar.add_task("analyze", total=total)
            analyzer = Analyzer(match_campaigns=campaigns)
            target = open_store() if store else None
            outputs = analyze_records(records, analyzer, workers=workers if records.may_hold_html else 0,
                                      timeout_s=settings.process.page_timeout_s, store=target, summary=summary)
            for output in outputs:
                writer.write(output)
                bar.advance(task)
    finally:
        writer.close()
    stored = f", {summary.stored} stored" if store else ""
    where = f" -> {out}" if out is not None else ""
    console.print(f"{summary.records} records: {summary.analysed} analysed, {summary.errors} errors{stored}{where}",
                  markup=False, highlight=False)


def _store(result) -> None:  # noqa: ANN001
    from pipeline.version import pipeline_version  # noqa: PLC0415 - the processing stages load numpy and py3langid (~0.15 s) and the CLI loads this module at every start; only `analyze --store` needs them

    fields = result.article_fields(pipeline_version())
    with open_store().session() as session:
        upsert_article(session, fields, result.tags, result.campaign_rows())


def _print_summary(contract: dict) -> None:
    console = Console()
    table = Table(show_header=False, title=contract.get("title") or "(untitled)")
    for key in ("url", "outlet", "published_at", "authors", "language", "dateline", "word_count"):
        table.add_row(key, "" if contract.get(key) is None else str(contract.get(key)))
    for key in TAG_TYPES:
        names = [item.get("name") or item.get("raw") or item.get("speaker") or "" for item in contract[key]]
        table.add_row(key, ", ".join(str(n) for n in names[:12]) + (" …" if len(names) > 12 else ""))
    table.add_row("campaigns", ", ".join(f"{c['id']} ({c['score']:.2f})" for c in contract["campaigns"]))
    # rich renders markup in strings; article text is untrusted, so render it literally.
    console.print(table, markup=False)
