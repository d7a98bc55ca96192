"""`pantau eval urls`: how many real article URLs of every era the outlet registry recognises, per outlet."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from pantau.cli.app import eval_app


@eval_app.command("urls")
def eval_urls(
    path: Path | None = typer.Option(
        None, "--path", help="URL list, outlet<TAB>url (default: ../shared/eval/urls/real-urls.tsv)."),
    shapes: Path | None = typer.Option(
        None, "--shapes", help="Labelled URL shapes (default: the project's tests/data/url_shapes.toml)."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
    examples: int = typer.Option(20, "--examples", help="List this many missed, wrongly accepted and uncovered URLs."),
) -> None:
    """Share of article URLs recognised per outlet (goal >= 99 % where an outlet has >= 20 URLs), none of
    the feed, section, tag, search, photo or video URLs taken for an article."""
    from pipeline.evaluation.urls import evaluate  # noqa: PLC0415 - the pipeline loads only for `pantau eval urls`

    result = evaluate(path, shapes).as_dict(examples=examples)
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False))
        return
    _print_table(result)


def _print_table(result: dict) -> None:
    console = Console()
    table = Table(title=f"{result['urls']} URLs of {len(result['outlets'])} outlets")
    for column in ("outlet", "URLs", "articles", "recognised", "share", "other pages", "taken for articles", "keys"):
        table.add_column(column, justify="left" if column == "outlet" else "right")
    for outlet, row in result["outlets"].items():
        share = f"{row['share']:.1%}" + ("" if row["in_goal"] else " *")
        table.add_row(outlet, str(row["urls"]), str(row["articles"]), str(row["recognised"]), share,
                      str(row["non_articles"]), str(row["non_articles_accepted"]), str(row["article_keys"]))
    console.print(table)
    console.print(f"* fewer than {result['goal']['for_outlets_with_urls']} URLs: not part of the goal")
    verdict = "[green]goal met[/green]" if result["goal_met"] else "[red]below goal[/red]"
    console.print(f"goal: >= {result['goal']['article_share']:.0%} of article URLs per outlet, "
                  f"no other page taken for an article: {verdict}")
    errors = result["fixture_errors"]
    if errors["uncovered"] or errors["ambiguous"] or errors["unknown_outlets"]:
        console.print(f"[red]URL shapes file: {errors['uncovered']} URLs match no shape, {errors['ambiguous']} match several, "
                      f"{errors['unknown_outlets']} name no registry outlet[/red]")
    for title, items in (("shapes file", errors["examples"]), ("missed", result["missed_examples"]),
                         ("taken for articles", result["accepted_examples"]), ("key errors", result["key_errors"])):
        if items:
            console.print(f"{title}:")
            for item in items:
                console.print(f"  {escape(item)}")
