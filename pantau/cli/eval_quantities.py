"""`pantau eval quantities`: recall of the statistics stage on NER-UGM QUANTITY spans (overlap match)."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape

from pantau.cli.app import eval_app
from pantau.core.errors import InputError


@eval_app.command("quantities")
def eval_quantities(
    path: Path | None = typer.Option(
        None, "--path", help="Folder holding NER-UGM's *.tsv (default: ../shared/eval/ner/indolem/ner/data/nerugm)."),
    split: str = typer.Option("test", "--split", help="test, dev or train."),
    fold: int = typer.Option(1, "--fold", min=1, max=5, help="Fold 1-5 (the goal is set on test fold 1)."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
    examples: int = typer.Option(0, "--examples", help="Also list this many missed and spurious spans."),
) -> None:
    """Share of gold QUANTITY spans a statistic overlaps (goal >= 0.85), and precision for information."""
    from pipeline.evaluation.quantities import evaluate  # noqa: PLC0415 - heavy: loads spaCy and torch (~4 s); only `pantau eval quantities` needs them

    if split not in {"test", "dev", "train"}:
        raise InputError(f"unknown split {split!r}; use test, dev or train")
    scores = evaluate(path, split=split, fold=fold)
    result = scores.as_dict(examples=examples)
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False))
        return
    _print_summary(result, examples)


def _print_summary(result: dict, examples: int) -> None:
    console = Console()
    verdict = "[green]goal met[/green]" if result["goal_met"] else "[red]below goal[/red]"
    console.print(f"{result['dataset']}: {result['sentences']} sentences, {result['gold_spans']} QUANTITY spans")
    console.print(f"recall    {result['recall']:.3f}  ({result['found']}/{result['gold_spans']}, "
                  f"goal >= {result['goal_recall']}) {verdict}")
    console.print(f"precision {result['precision']:.3f}  ({result['predicted']} statistics; for information)")
    if examples:
        for title, key in (("missed", "missed_examples"), ("spurious", "spurious_examples")):
            console.print(f"{title}:")
            for example in result[key]:
                console.print(f"  {escape(example)}")
