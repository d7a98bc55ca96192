"""`pantau eval campaigns`: precision, recall and F1 of campaign matching on the labelled articles."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from pantau.cli.app import eval_app
from pantau.core.campaigns import load_campaigns
from pantau.core.errors import InputError


@eval_app.command("campaigns")
def eval_campaigns(
    model: str | None = typer.Option(
        None, "--model", help="Embedding model (default: the configured one; 'minilm' = English fallback)."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object instead of tables."),
    split: str = typer.Option("all", "--split", help="Articles to score: dev, test or all (figures are shown per split)."),
    path: Path | None = typer.Option(
        None, "--path", help="Folder holding articles/ (default: the project's tests/data/campaigns)."),
    campaigns_file: Path | None = typer.Option(None, "--campaigns", help="Campaigns file (default: the configured one)."),
    show_errors: bool = typer.Option(False, "--errors", help="List every wrongly decided pair with its reasons."),
    calibrate: bool = typer.Option(
        False, "--calibrate", help="Print a similarity scale for this model from the dev split (for calibration.toml)."),
) -> None:
    """Score campaign matching on the labelled article-campaign pairs (tune on dev, report test)."""
    from pipeline.campaigns import CampaignMatcher  # noqa: PLC0415 - loads numpy (~0.1 s) and the CLI loads this module at every start; only `eval campaigns` needs it
    from pipeline.embeddings import load_embedder  # noqa: PLC0415 - loads numpy (~0.1 s) and the CLI loads this module at every start; only `eval campaigns` needs it
    from pipeline.evaluation.campaigns import DEFAULT_LABELLED_DIR, SPLITS, evaluate_matching, load_labelled_set, suggest_scale  # noqa: PLC0415 - loads numpy (~0.1 s) and the CLI loads this module at every start; only `eval campaigns` needs it

    if split not in (*SPLITS, "all"):
        raise InputError(f"--split must be dev, test or all, not {split!r}")
    articles = load_labelled_set(path or DEFAULT_LABELLED_DIR)
    console = Console(stderr=True)
    with Progress(
        SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=console, transient=True
    ) as progress:
        progress.add_task("loading the embedding model", total=None)
        matcher = CampaignMatcher(load_campaigns(campaigns_file), load_embedder(model))
    if calibrate:
        with Progress(
            SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=console, transient=True
        ) as progress:
            progress.add_task("embedding the dev articles", total=None)
            scale = suggest_scale(matcher, [a for a in articles if a.split == "dev"])
        typer.echo(json.dumps({"model": matcher.embedder.name, **scale}, ensure_ascii=False))
        return
    chosen = [a for a in articles if split == "all" or a.split == split]
    with Progress(
        SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=console, transient=True
    ) as progress:
        progress.add_task(f"matching {len(chosen)} articles against {len(matcher.campaigns)} campaigns", total=None)
        result = evaluate_matching(matcher, chosen)
    if as_json:
        typer.echo(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
        return
    _print_tables(result, show_errors)


def _print_tables(result, show_errors: bool) -> None:
    console = Console()
    console.print(f"model: {escape(result.model)}  (similarity scale: {escape(result.scale)})")
    for title, rows in (("split", result.by_split), ("campaign", result.by_campaign)):
        table = Table(title=f"campaign matching by {title}")
        for column in (title, "pairs", "positives", "precision", "recall", "F1", "FP", "FN"):
            table.add_column(column, justify="left" if column == title else "right")
        for name, counts in rows.items():
            if counts.pairs == 0:
                continue
            data = counts.as_dict()
            table.add_row(escape(name), str(data["pairs"]), str(data["positives"]), f"{data['precision']:.3f}",
                          f"{data['recall']:.3f}", f"{data['f1']:.3f}", str(data["fp"]), str(data["fn"]))
        console.print(table)
    if show_errors:
        for error in result.errors:
            wanted = "expected match" if error["expected"] else "expected no match"
            console.print(f"[bold]{escape(error['article'])}[/] {escape(error['campaign'])} ({wanted}, "
                          f"score {error['score']:.3f}): "
                          + escape("; ".join(error["reasons"])))
