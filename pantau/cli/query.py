"""`pantau query KIND`: the query layer from the command line, as a table, CSV, JSON, JSON lines or Parquet."""

from __future__ import annotations

import csv
import json
import sys
from enum import Enum
from pathlib import Path
from typing import Any, Optional

import typer

from pantau.cli.app import app


class Kind(str, Enum):
    articles = "articles"
    statistics = "statistics"
    places = "places"
    organizations = "organizations"
    people = "people"
    quotes = "quotes"
    stories = "stories"
    coverage = "coverage"
    outlets = "outlets"
    campaigns = "campaigns"
    summary = "summary"


class OutputFormat(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"
    jsonl = "jsonl"
    parquet = "parquet"


@app.command("query")
def query(
    kind: Kind = typer.Argument(..., help="What to list."),
    campaign: Optional[str] = typer.Option(None, "--campaign", "-c", help="Campaign id (pantau query campaigns)."),
    outlet: Optional[str] = typer.Option(None, "--outlet", "-o", help="Outlet id (kompas, detik, ...)."),
    place: Optional[str] = typer.Option(None, "--place", help="Kemendagri code: province (73) or kabupaten/kota (73.71)."),
    date_from: Optional[str] = typer.Option(None, "--from", help="First day, YYYY-MM-DD (Indonesian date)."),
    date_to: Optional[str] = typer.Option(None, "--to", help="Last day, YYYY-MM-DD (inclusive)."),
    unit: Optional[str] = typer.Option(None, "--unit", help="Statistics unit: percent, IDR, responden, ..."),
    organization: Optional[str] = typer.Option(None, "--org", help="Organisation name or acronym the articles name."),
    source: Optional[str] = typer.Option(None, "--source", help="Statistics attributed to this organisation."),
    search: Optional[str] = typer.Option(None, "--search", "-q", help="Full-text search: words that must all appear."),
    sort: Optional[str] = typer.Option(None, "--sort", help="Sort order (see GET /api/queries); default per kind."),
    limit: int = typer.Option(50, "--limit", "-n", min=1, help="Rows per page."),
    page: int = typer.Option(1, "--page", min=1, help="Page number."),
    all_rows: bool = typer.Option(False, "--all", help="Every matching row (ignores --limit/--page)."),
    output_format: OutputFormat = typer.Option(OutputFormat.table, "--format", "-f", help="Output format."),
    out: Optional[Path] = typer.Option(None, "--out", help="Write to this file (required for parquet)."),
) -> None:
    """List articles, statistics (with source, article, outlet, date, URL), places, organisations,
    people, quotes, stories, weekly coverage or outlets, filtered like the API."""
    from pantau.core.errors import InputError
    from pantau.read.queries import KINDS, Filters, PageRequest, iter_query, parse_day, run_query
    from pantau.store import open_store

    if output_format is OutputFormat.parquet and out is None:
        raise InputError("--format parquet writes a file: add --out FILE.parquet")
    filters = Filters(
        campaign=campaign, outlet=outlet, place=place, date_from=parse_day(date_from, "--from"),
        date_to=parse_day(date_to, "--to"), unit=unit, organization=organization, source=source, q=search,
    )
    columns = list(KINDS[kind.value].columns)
    store = open_store()
    try:
        with store.session() as session:
            if all_rows:
                rows = list(iter_query(session, kind.value, filters, sort))
                more = False
            else:
                result = run_query(session, kind.value, filters, PageRequest(page, limit), sort)
                rows, more = result.rows, result.has_more
    finally:
        store.dispose()
    _write(rows, columns, output_format, out, kind.value)
    if more and output_format is OutputFormat.table:
        typer.echo(f"more rows: --page {page + 1}, or --all", err=True)


def _write(rows: list[dict[str, Any]], columns: list[str], output_format: OutputFormat, out: Path | None, title: str) -> None:
    if output_format is OutputFormat.parquet:
        import pyarrow as pa
        import pyarrow.parquet as pq

        table = pa.Table.from_pylist([{c: _flat(row.get(c)) for c in columns} for row in rows]) if rows else pa.table({c: pa.array([], pa.string()) for c in columns})
        pq.write_table(table, out)
        typer.echo(f"{len(rows)} rows -> {out}", err=True)
        return
    handle = out.open("w", encoding="utf-8", newline="") if out else sys.stdout
    try:
        if output_format is OutputFormat.table:
            _table(rows, columns, title, handle)
        elif output_format is OutputFormat.csv:
            from pantau.read.export import csv_cell

            writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore")
            writer.writeheader()
            writer.writerows({c: csv_cell(row.get(c)) for c in columns} for row in rows)
        elif output_format is OutputFormat.json:
            json.dump(rows, handle, ensure_ascii=False, indent=2)
            handle.write("\n")
        else:
            for row in rows:
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    finally:
        if out:
            handle.close()


def _flat(value: Any) -> Any:
    return ";".join(map(str, value)) if isinstance(value, (list, tuple)) else value


# Long free-text columns make a terminal table unreadable; the other formats keep them.
_WIDE = {"sentence", "text", "url"}


def _table(rows: list[dict[str, Any]], columns: list[str], title: str, handle) -> None:  # noqa: ANN001
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from pantau.read.queries import rows_as_table

    shown = [c for c in columns if c not in _WIDE or c == "url" and "title" not in columns]
    table = Table(title=f"{title} ({len(rows)})", show_lines=False)
    for column in shown:
        table.add_column(column, overflow="fold", max_width=60)
    for cells in rows_as_table(rows, shown):
        # Article text is untrusted: escape rich markup so "[bold]" in a title stays literal.
        table.add_row(*(escape(cell) for cell in cells))
    # Piped output is not limited to 80 columns: a file or pager can scroll sideways.
    width = None if getattr(handle, "isatty", lambda: False)() else 220
    Console(file=handle, soft_wrap=False, width=width).print(table)
