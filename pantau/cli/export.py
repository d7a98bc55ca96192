"""`pantau export`: the whole dataset as Parquet or CSV files plus a data dictionary."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import typer
from rich.console import Console

from pantau.cli.app import app
from pantau.read.export import TABLES, export_dataset
from pantau.store import open_store


class ExportFormat(StrEnum):
    parquet = "parquet"
    csv = "csv"


@app.command("export")
def export(
    out: Path = typer.Option(..., "--out", help="Folder for the files (created if missing)."),
    export_format: ExportFormat = typer.Option(ExportFormat.parquet, "--format", "-f", help="File format."),
) -> None:
    """Write articles, statistics, places, organisations, people, quotes, campaign matches, stories and
    outlets, one file per table, with DATA_DICTIONARY.md describing every column."""
    console = Console(stderr=True)
    store = open_store()
    try:
        with console.status("exporting…") as status:
            def report(table: str, rows: int) -> None:
                status.update(f"exporting… {table}: {rows} rows")
                console.print(f"{table}: {rows} rows")

            counts = export_dataset(store, out, export_format.value, progress=report)
    finally:
        store.dispose()
    console.print(f"{len(TABLES)} files and DATA_DICTIONARY.md in {out} ({sum(counts.values())} rows)")
