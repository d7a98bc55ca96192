"""`pantau process`: stored pages -> articles, tags, campaign matches, stories."""

from __future__ import annotations

import json
from typing import Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from pantau.cli.app import app
from pantau.store import Store, open_store


@app.command("process")
def process(
    limit: int | None = typer.Option(None, "--limit", min=1, help="Process at most N pages."),
    reprocess: bool = typer.Option(
        False, "--reprocess", help="Re-make every article, even those of the current pipeline version."),
    batch_size: int | None = typer.Option(None, "--batch-size", min=1, help="Pages per transaction (default from config)."),
    workers: int | None = typer.Option(None, "--workers", min=1, help="Extraction processes (default: one per core)."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as one JSON object."),
) -> None:
    """Extract, tag and match the pages that have no article for the current pipeline version (resumable)."""
    report = process_with_progress(open_store(), quiet=as_json, batch_size=batch_size, workers=workers, limit=limit,
                                   reprocess=reprocess)
    summary = report.as_dict()
    if as_json:
        print(json.dumps(summary, ensure_ascii=False))
        return
    print_report(report)


def process_with_progress(store: Store, quiet: bool = False, **options: Any) -> Any:
    """pipeline.process.process_pages with a progress bar (none when `quiet`); the report."""
    from pipeline.process import process_pages  # noqa: PLC0415 - the processing stages load numpy and py3langid (~0.15 s) and the CLI loads this module at every start; only `process` and `backfill` need them

    with Progress(TextColumn("processing"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(), transient=True,
                  disable=quiet) as bar:
        task = bar.add_task("process", total=None)
        return process_pages(store, progress=lambda done, total: bar.update(task, completed=done, total=total), **options)


def print_report(report) -> None:  # noqa: ANN001 - ProcessReport
    if not report.pages:
        print(f"nothing to process: every stored page has an article from pipeline {report.pipeline_version}")
        return
    print(
        f"processed {report.pages} pages: {report.articles} articles, {report.not_articles} not articles, "
        f"{sum(report.failed.values())} failed {dict(report.failed) or ''}; "
        f"{report.duplicates} syndicated copies, {report.stories} new stories"
    )
    for campaign, count in sorted(report.matched.items()):
        print(f"  {campaign}: {count} matched")
