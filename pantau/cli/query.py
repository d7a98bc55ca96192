"""`pantau query KIND`: the query layer from the command line, as a table, CSV, JSON, JSON lines or Parquet."""

from __future__ import annotations

import csv
import inspect
import json
import sys
from collections.abc import Callable
from enum import Enum, StrEnum
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from pantau.cli.app import app
from pantau.core.errors import InputError
from pantau.read.export import csv_cell
from pantau.read.queries import KINDS, Filters, PageRequest, filter_specs, iter_query, rows_as_table, run_query
from pantau.store import open_store

# The kinds of the query catalogue: a new kind (a new tag type) is a new choice here without an edit.
Kind = Enum("Kind", {name: name for name in KINDS}, type=str)


class OutputFormat(StrEnum):
    table = "table"
    csv = "csv"
    json = "json"
    jsonl = "jsonl"
    parquet = "parquet"


def query(
    kind: Kind = typer.Argument(..., help="What to list."),
    sort: str | None = typer.Option(None, "--sort", help="Sort order (see GET /api/queries); default per kind."),
    limit: int = typer.Option(50, "--limit", "-n", min=1, help="Rows per page."),
    page: int = typer.Option(1, "--page", min=1, help="Page number."),
    all_rows: bool = typer.Option(False, "--all", help="Every matching row (ignores --limit/--page)."),
    output_format: OutputFormat = typer.Option(OutputFormat.table, "--format", "-f", help="Output format."),
    out: Path | None = typer.Option(None, "--out", help="Write to this file (required for parquet)."),
    **filter_texts: str | None,
) -> None:
    """List articles, statistics (with source, article, outlet, date, URL), places, organisations,
    people, quotes, stories, weekly coverage or outlets, filtered like the API."""
    if output_format is OutputFormat.parquet and out is None:
        raise InputError("--format parquet writes a file: add --out FILE.parquet")
    filters = Filters.from_texts(filter_texts, shown={name: spec.flags[0] for name, spec in filter_specs()})
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


def _with_filter_options(command: Callable[..., None]) -> Callable[..., None]:
    """Give `command` one option per declared filter (pantau.read.queries.filters), after its argument."""
    parameters = list(inspect.signature(command).parameters.values())
    options = [
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=str | None,
                          default=typer.Option(None, *spec.flags, help=spec.help[0].upper() + spec.help[1:] + "."))
        for name, spec in filter_specs()
    ]
    explicit = [parameter.replace(kind=inspect.Parameter.KEYWORD_ONLY) for parameter in parameters[1:-1]]
    command.__signature__ = inspect.Signature([parameters[0], *options, *explicit])  # type: ignore[attr-defined]
    return command


app.command("query")(_with_filter_options(query))


def _write(rows: list[dict[str, Any]], columns: list[str], output_format: OutputFormat, out: Path | None, title: str) -> None:
    if output_format is OutputFormat.parquet:
        import pyarrow as pa  # noqa: PLC0415 - heavy: pyarrow (~0.3 s); only --format parquet needs it
        import pyarrow.parquet as pq  # noqa: PLC0415 - heavy: pyarrow (~0.3 s); only --format parquet needs it

        table = (
            pa.Table.from_pylist([{c: _flat(row.get(c)) for c in columns} for row in rows])
            if rows
            else pa.table({c: pa.array([], pa.string()) for c in columns})
        )
        pq.write_table(table, out)
        typer.echo(f"{len(rows)} rows -> {out}", err=True)
        return
    handle = out.open("w", encoding="utf-8", newline="") if out else sys.stdout
    try:
        if output_format is OutputFormat.table:
            _table(rows, columns, title, handle)
        elif output_format is OutputFormat.csv:
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
