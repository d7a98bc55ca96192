"""`pantau eval ner`: PER/ORG/LOC precision, recall and F1 of the NLP stages on Indonesian NER test sets."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from pantau.cli.app import eval_app


@eval_app.command("ner")
def eval_ner(
    dataset: str = typer.Option("nerui", "--dataset", help="nerui (NER-UI fold 1 test), nergrit or idner."),
    path: Path | None = typer.Option(None, "--path", help="Folder holding eval/ner (default: ../shared or $PANTAU_SHARED)."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
    errors: int = typer.Option(0, "--errors", help="Also list this many missed or spurious spans."),
) -> None:
    """Exact-span P/R/F1 per label beside the published IndoBERT figures."""
    from pipeline.evaluation.ner import evaluate  # noqa: PLC0415 - heavy: loads spaCy, torch and the NLP stages (~4 s); only `pantau eval ner` needs them

    report = evaluate(dataset, root=path, keep_errors=errors)
    result = report.as_dict()
    if errors:
        result["errors"] = report.errors
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False))
        return
    _print_table(result)


def _print_table(result: dict) -> None:
    console = Console()
    table = Table(title=f"{result['dataset']}: {result['sentences']} sentences, stages {', '.join(result['stages']) or 'none'}")
    for column in ("label", "precision", "recall", "F1", "gold", "predicted"):
        table.add_column(column, justify="left" if column == "label" else "right")
    for label, row in [*result["labels"].items(), ("all", result["overall"])]:
        table.add_row(
            label, f"{row['precision']:.3f}", f"{row['recall']:.3f}", f"{row['f1']:.3f}", str(row["gold"]), str(row["predicted"])
        )
    console.print(table)
    console.print(f"published: {escape(result['published'])}")
    for error in result.get("errors", []):
        console.print(f"  {error['kind']:<15} {error['label']}  {escape(error['text'])}")
