"""`pantau eval people`: people, roles, organisations and quote speakers on hand-annotated real news passages."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from pantau.cli.app import eval_app


@eval_app.command("people")
def eval_people(
    annotations: Path | None = typer.Option(None, "--annotations",
                                            help="Annotation file (default: the project's tests/data/people_eval.toml)."),
    path: Path | None = typer.Option(None, "--path", help="Folder holding eval/ (default: ../shared or $PANTAU_SHARED)."),
    split: str = typer.Option("all", "--split", help="Passages to score: dev, test or all (figures are shown per split)."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
    misses: bool = typer.Option(False, "--misses", help="Also list, per passage, the people, roles, organisations and speakers "
                                "that were wrong."),
) -> None:
    """People P/R/F1, role exact match, organisation match and quote-speaker accuracy against the goals."""
    from pipeline.evaluation.people import DEFAULT_ANNOTATIONS, evaluate  # noqa: PLC0415 - heavy: loads spaCy, trafilatura and the NLP stages (~1.6 s); only `pantau eval people` needs them

    report = evaluate(annotations or DEFAULT_ANNOTATIONS, root=path, split=split)
    result = report.as_dict(with_misses=misses)
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False))
        return
    _print_tables(result)


def _print_tables(result: dict) -> None:
    console = Console()
    table = Table(title=f"people on annotated passages ({escape(result['annotations'])})")
    for column in ("split", "passages", "people P", "people R", "people F1", "role exact", "organisation", "quote speaker",
                   "invariant"):
        table.add_column(column, justify="left" if column == "split" else "right")
    for name in ("dev", "test", "all"):
        row = result[name]
        table.add_row(name, str(row["passages"]), f"{row['people']['precision']:.3f}", f"{row['people']['recall']:.3f}",
                      f"{row['people']['f1']:.3f}", f"{row['role_exact']['accuracy']:.3f} ({row['role_exact']['total']})",
                      f"{row['organization']['accuracy']:.3f} ({row['organization']['total']})",
                      f"{row['quote_speaker']['accuracy']:.3f} ({row['quote_speaker']['total']})",
                      str(row["invariant_violations"]))
    console.print(table)
    console.print("goals: " + ", ".join(f"{name} >= {goal['goal']} {'met' if goal['met'] else 'NOT met'}"
                                        for name, goal in result["goals"].items()))
    for skipped in result["skipped"]:
        console.print(f"skipped {escape(skipped['id'])}: {escape(skipped['reason'])}")
    for miss in result.get("misses", []):
        console.print(f"[bold]{escape(miss['id'])}[/bold] ({miss['split']})")
        if miss["missed_people"]:
            console.print(f"  missed: {escape(', '.join(miss['missed_people']))}")
        if miss["spurious_people"]:
            console.print(f"  spurious: {escape(', '.join(miss['spurious_people']))}")
        for kind in ("roles", "organizations"):
            for wrong in miss[kind]:
                console.print(f"  {kind[:-1]} of {escape(wrong['name'])}: gold {escape(str(wrong['gold']))}, "
                              f"got {escape(str(wrong['predicted']))}")
        for wrong in miss["quotes"]:
            console.print(f"  quote \"{escape(wrong['opens'])}…\": gold {escape(str(wrong['gold']))}, "
                          f"got {escape(str(wrong['predicted']))}")
