"""`pantau eval extraction`: body precision/recall/F1 (and metadata checks) on the reference sets."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import Progress
from rich.table import Table

from pantau.cli.app import eval_app


@eval_app.command("extraction")
def eval_extraction(
    dataset: str = typer.Option("scrapinghub", "--dataset", help="scrapinghub, trafilatura or indonesian."),
    path: Path | None = typer.Option(
        None, "--path", help="The data set's folder (default: ../shared/eval/extraction/DATASET or $PANTAU_SHARED)."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
    workers: int | None = typer.Option(
        None, "--workers", help="Extraction processes (default: one per CPU; 0 = in this process)."),
) -> None:
    """Score extraction exactly as each benchmark does, beside the published reference figures."""
    from pipeline.evaluation.extraction import evaluate  # noqa: PLC0415 - the processing stages load numpy and py3langid (~0.15 s) and the CLI loads this module at every start; only `eval extraction` needs them

    if as_json:
        report = evaluate(dataset, path, workers)
        typer.echo(json.dumps(report, ensure_ascii=False, default=str))
        return

    with Progress(transient=True) as progress:
        def factory(total: int):
            task = progress.add_task(f"extracting {dataset}", total=total)
            return lambda: progress.advance(task)

        report = evaluate(dataset, path, workers, progress_factory=factory)
    _print_report(report)


def _fmt(value) -> str:
    return "-" if value is None else f"{value:.3f}" if isinstance(value, float) else str(value)


def _print_report(report: dict) -> None:
    console = Console()
    table = Table(title=f"extraction on {report['dataset']}: {report['n']} pages, {report['failures']} failed")
    for column in ("system", "precision", "recall", "F1"):
        table.add_column(column, justify="left" if column == "system" else "right")
    from pipeline.extract import EXTRACTOR_VERSION  # noqa: PLC0415 - the processing stages load numpy and py3langid (~0.15 s) and the CLI loads this module at every start; only `eval extraction` needs them

    table.add_row(f"pantau {EXTRACTOR_VERSION}", _fmt(report["precision"]), _fmt(report["recall"]), _fmt(report["f1"]))
    for row in report["published"]:
        table.add_row(f"{row['system']} (published)", _fmt(row.get("precision")), _fmt(row.get("recall")), _fmt(row.get("f1")))
    console.print(table)
    if report["dataset"] == "trafilatura":
        console.print(
            f"metadata: date {_fmt(report['date_accuracy'])}, author {_fmt(report['author_accuracy'])}, "
            f"title {_fmt(report['title_accuracy'])} (pages with each: {report['metadata_n']})"
        )
    if report["dataset"] == "indonesian":
        console.print(
            f"boilerplate lines left: {report['boilerplate_lines_left']}; published right: "
            f"{report['published_right']}/{report['n']}; "
            f"authors right: {report['authors_right']}/{report['authors_checked']}; titles with a site suffix: "
            f"{report['titles_with_suffix']}"
        )
        for page in report["pages"]:
            console.print(
                f"- {escape(page['page'])}: title={escape(repr(page.get('title')))} published={page.get('published_at')} "
                f"authors={escape(repr(page.get('authors')))} dateline={escape(repr(page.get('dateline')))} "
                f"lang={page.get('language')} "
                f"left={page.get('boilerplate_lines_left')}"
            )
            for line in page.get("lines_not_in_article", []):
                console.print(f"    left: {escape(line[:120])}")
