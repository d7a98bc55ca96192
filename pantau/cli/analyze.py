"""`pantau analyze PATH_OR_URL`: extraction and every NLP stage on one document, printed as JSON."""

from __future__ import annotations

import json

import typer
from rich.console import Console
from rich.table import Table

from pantau.cli.app import app
from pantau.core.config import get_settings
from pantau.core.errors import InputError
from pantau.store import open_store
from pantau.store.articles import upsert_article
from pantau.store.tables import TAG_TYPES
from pipeline.documents import read_document


@app.command("analyze")
def analyze(
    source: str = typer.Argument(
        ..., metavar="PATH_OR_URL", help="An .html/.htm (optionally .gz) or .txt file, an http(s) URL, or - for text on standard input."),
    url: str | None = typer.Option(None, "--url", help="The web address of a local file (identity in the store, outlet rules)."),
    output_format: str = typer.Option("json", "--format", help="json (the contract object) or summary (a readable table)."),
    store: bool = typer.Option(False, "--store", help="Also write the result to the store (one article per URL)."),
    campaigns: bool = typer.Option(
        True, "--campaigns/--no-campaigns", help="Match the configured campaigns (loads the embedding model)."),
) -> None:
    """Extract, clean and tag one article; print the `pantau analyze` JSON contract (see DESIGN.md)."""
    if output_format not in {"json", "summary"}:
        raise InputError(f"unknown --format {output_format!r}; use json or summary")

    settings = get_settings()
    if url is not None and not url.startswith(("http://", "https://")):
        raise InputError(f"--url must be an http(s) address, got {url!r}")
    document = read_document(source, url=url, user_agent=settings.crawl.user_agent, timeout_s=settings.crawl.download_timeout_s)

    from pipeline.analysis import Analyzer  # noqa: PLC0415 - the processing stages load numpy and py3langid (~0.15 s) and the CLI loads this module at every start; only `analyze` needs them
    from pipeline.extract import extract_article, extract_text_document  # noqa: PLC0415 - the processing stages load numpy and py3langid (~0.15 s) and the CLI loads this module at every start; only `analyze` needs them

    if document.kind == "text":
        extracted = extract_text_document(document.content, url=document.url)
    else:
        extracted = extract_article(document.content, url=document.url)
    # The user asked about this document: tag whatever text it has, even when it is too short to count
    # as an article (`is_article` still says so, and --store keeps the store's rule).
    result = Analyzer(match_campaigns=campaigns).analyze([extracted], include_non_articles=not store)[0]
    if store:
        _store(result)
    contract = result.contract()
    if output_format == "json":
        print(json.dumps(contract, ensure_ascii=False, indent=2))
    else:
        _print_summary(contract)


def _store(result) -> None:  # noqa: ANN001
    from pipeline.version import pipeline_version  # noqa: PLC0415 - the processing stages load numpy and py3langid (~0.15 s) and the CLI loads this module at every start; only `analyze --store` needs them

    fields = result.article_fields(pipeline_version())
    with open_store().session() as session:
        upsert_article(session, fields, result.tags, result.campaign_rows())


def _print_summary(contract: dict) -> None:
    console = Console()
    table = Table(show_header=False, title=contract.get("title") or "(untitled)")
    for key in ("url", "outlet", "published_at", "authors", "language", "dateline", "word_count"):
        table.add_row(key, "" if contract.get(key) is None else str(contract.get(key)))
    for key in TAG_TYPES:
        names = [item.get("name") or item.get("raw") or item.get("speaker") or "" for item in contract[key]]
        table.add_row(key, ", ".join(str(n) for n in names[:12]) + (" …" if len(names) > 12 else ""))
    table.add_row("campaigns", ", ".join(f"{c['id']} ({c['score']:.2f})" for c in contract["campaigns"]))
    # rich renders markup in strings; article text is untrusted, so render it literally.
    console.print(table, markup=False)
