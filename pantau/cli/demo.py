"""`pantau demo`: the whole product offline on the bundled replay corpus, then where to look."""

from __future__ import annotations

import json
from typing import Any

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import func, select

from flows.environment import configure_prefect
from flows.progress import listening
from pantau.cli.app import app
from pantau.cli.cycle_display import CycleDisplay, console_warnings_only, print_cycle_summary
from pantau.core.config import get_settings, mask_url_password
from pantau.core.errors import InputError
from pantau.store import open_store
from pantau.store.tables import Article, CampaignMatch, Page


@app.command("demo")
def demo(
    as_json: bool = typer.Option(False, "--json", help="Print what was done and where it is as one JSON object."),
) -> None:
    """Serve the replay corpus on 127.0.0.1, crawl it, process every page, write the digest previews of
    the campaigns (each for its last week with coverage) and say where to look. A second run reuses
    what is stored."""
    home = configure_prefect(quiet_console=True)
    from crawlers.replay.server import start_in_thread  # noqa: PLC0415 - the replay server loads only for `pantau demo`
    from crawlers.replay.site import corpus_site  # noqa: PLC0415 - the replay server loads only for `pantau demo`
    from flows.demo import demo_flow  # noqa: PLC0415 - heavy: Prefect (~2 s) loads only for `pantau demo`, after configure_prefect() above has set its environment

    site = corpus_site()
    if not site.articles:
        raise InputError("the replay corpus is empty: crawlers/replay/corpus/articles/ has no articles")
    server = start_in_thread(site, host="127.0.0.1", port=0)
    try:
        with console_warnings_only(), CycleDisplay(disabled=as_json) as display, listening(display.update):
            result = demo_flow(replay=server.base_url)
    finally:
        server.shutdown()
        server.server_close()
    where = where_to_look(result, home)
    if as_json:
        print(json.dumps({**result, "where": where}, ensure_ascii=False, default=str))
        return
    print_cycle_summary({"crawl": result["crawl"], "process": result["process"]})
    print_previews(result)
    print_where(where)


def where_to_look(result: dict[str, Any], prefect_home: Any) -> dict[str, Any]:
    settings = get_settings()
    store = open_store()
    try:
        totals = store_totals(store)
    finally:
        store.dispose()
    previews = [outcome["html"] for digest in result["digests"] for outcome in digest["campaigns"] if "html" in outcome]
    return {
        "database": mask_url_password(settings.effective_database_url),
        "totals": totals,
        "previews": previews,
        "dashboard": f"pantau web  (then open http://{settings.web.host}:{settings.web.port}/)",
        "prefect_ui": "pantau serve  (starts a local Prefect server; the UI at http://127.0.0.1:4200 shows these runs, "
                      f"kept in {prefect_home})",
    }


def store_totals(store: Any) -> dict[str, Any]:
    with store.session() as session:
        matched = dict(
            session.execute(
                select(CampaignMatch.campaign_id, func.count())
                .where(CampaignMatch.matched.is_(True))
                .group_by(CampaignMatch.campaign_id)
            ).all()
        )
        return {
            "pages": session.scalar(select(func.count()).select_from(Page)),
            "articles": session.scalar(select(func.count()).select_from(Article).where(Article.is_article.is_(True))),
            "matched": matched,
        }


def print_previews(result: dict[str, Any]) -> None:
    table = Table("campaign", "week", "articles", "previous week", "spike", "preview",
                  title="digest previews (last week with coverage)")
    shown = set()
    for digest in result["digests"]:
        for outcome in digest["campaigns"]:
            shown.add(outcome["campaign"])
            table.add_row(outcome["campaign"], outcome["week"], str(outcome["coverage"]), str(outcome["previous_week"]),
                          "yes" if outcome["spike"] else "-", outcome.get("html", "-"))
        for failure in digest["failed"]:
            shown.add(failure["campaign"])
            table.add_row(failure["campaign"], digest["week"], "-", "-", "-", f"failed: {failure['error']}")
    for campaign_id in result["weeks"]:
        if campaign_id not in shown:
            table.add_row(campaign_id, "-", "0", "-", "-", "no coverage in the corpus")
    Console().print(table)


def print_where(where: dict[str, Any]) -> None:
    totals = where["totals"]
    matched = ", ".join(f"{campaign} {count}" for campaign, count in sorted(totals["matched"].items())) or "none"
    console = Console()
    console.print("\n[bold]Where to look[/bold]")
    console.print(f"  database     {where['database']}  ({totals['pages']} pages, {totals['articles']} articles; "
                  f"matched: {matched})", markup=False, highlight=False)
    for path in where["previews"]:
        console.print(f"  preview      {path}  (and the .eml beside it)", markup=False, highlight=False)
    console.print(f"  dashboard    {where['dashboard']}", markup=False, highlight=False)
    console.print(f"  Prefect UI   {where['prefect_ui']}", markup=False, highlight=False)
    console.print("  SQL          sqlite3 on the database file above, or `pantau db stats`", markup=False, highlight=False)
