"""`pantau db upgrade|current|stats`."""

from __future__ import annotations

import json

import typer
from sqlalchemy import func, select

from pantau.cli.app import db_app
from pantau.store import open_store
from pantau.store import tables as store_tables
from pantau.store.coverage import rebuild
from pantau.store.rekey import rekey


@db_app.command("upgrade")
def upgrade(revision: str = typer.Argument("head", help="Target Alembic revision.")) -> None:
    """Create the store or apply pending migrations (also done automatically on first use)."""
    store = open_store(migrate=False)
    before = store.current_revision()
    store.upgrade(revision)
    after = store.current_revision()
    change = f"{before or 'empty'} -> {after}" if before != after else f"already at {after}"
    print(f"{store.display_url}: {change}")


@db_app.command("current")
def current() -> None:
    """Print the store's URL (password hidden) and its migration revision."""
    store = open_store(migrate=False)
    revision = store.current_revision()
    head = store.head_revision()
    state = "up to date" if revision == head else f"behind (head is {head}; run `pantau db upgrade`)"
    print(f"{store.display_url}: revision {revision or 'none'} — {state}")


@db_app.command("rebuild-coverage")
def rebuild_coverage() -> None:
    """Count the weekly coverage summary again from the articles: needed after changing the `timezone`
    setting (weeks are local weeks) or after changing articles with SQL outside pantau."""
    store = open_store()
    with store.session() as session:
        rebuild(session)
    print(f"{store.display_url}: weekly coverage counted again from the articles")


@db_app.command("rekey")
def rekey_store(as_json: bool = typer.Option(False, "--json", help="Print the counts as JSON.")) -> None:
    """Make every stored page and article key what the outlet registry says now (after adding `key_rules`):
    old address forms of one article become one article."""
    store = open_store()
    with store.session() as session:
        report = rekey(session)
    if as_json:
        print(json.dumps(report.as_dict()))
        return
    print(f"{store.display_url}: keys changed for {report.changed['pages']} pages and {report.changed['articles']} articles; "
          f"{report.merged['pages']} pages and {report.merged['articles']} articles were copies of one already stored "
          "and were dropped")


@db_app.command("stats")
def stats(as_json: bool = typer.Option(False, "--json")) -> None:
    """Row counts of the main tables."""
    store = open_store()
    tables = {
        "pages": store_tables.Page, "articles": store_tables.Article,
        **{tag.name: tag.table for tag in store_tables.TAG_TYPES.values()},
        "campaign_matches": store_tables.CampaignMatch, "stories": store_tables.Story,
        "crawl_runs": store_tables.CrawlRun, "digest_deliveries": store_tables.DigestDelivery,
    }
    with store.session() as session:
        counts = {name: session.scalar(select(func.count()).select_from(model)) for name, model in tables.items()}
    if as_json:
        print(json.dumps(counts))
    else:
        for name, count in counts.items():
            print(f"{name:18} {count}")
