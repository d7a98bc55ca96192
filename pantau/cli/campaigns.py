"""`pantau campaigns list|add|test`: see, extend and try the campaign definitions."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from pantau.cli.app import campaigns_app
from pantau.core.campaigns import campaigns_path, load_campaigns, parse_campaigns
from pantau.core.config import get_settings
from pantau.core.errors import InputError
from pipeline.documents import read_file

FILE_HEADER = """# pantau campaigns (schema: see `pantau campaigns add --help` and docs/campaigns.md).
"""


@campaigns_app.command("list")
def list_campaigns(
    campaigns_file: Path | None = typer.Option(None, "--file", help="Campaigns file (default: the campaigns_file setting)."),
) -> None:
    """Print the campaigns as a table."""
    campaigns = load_campaigns(campaigns_file)
    table = Table(title=f"campaigns in {escape(str(campaigns_path(campaigns_file)))}")
    table.add_column("id", no_wrap=True)
    table.add_column("name")
    table.add_column("aliases", overflow="fold")
    table.add_column("active", no_wrap=True)
    table.add_column("organisers", overflow="fold")
    table.add_column("subscribers", justify="right")
    for campaign in campaigns:
        active = f"{campaign.start or '…'} – {campaign.end or 'now'}"
        table.add_row(
            escape(campaign.id),
            escape(campaign.name),
            escape(", ".join(campaign.aliases)),
            active,
            escape(", ".join(campaign.organisers[:3]) + (" …" if len(campaign.organisers) > 3 else "")),
            str(len(campaign.subscribers)),
        )
    Console().print(table)


def toml_string(value: str) -> str:
    # JSON's string escapes (\\, \", \n, \uXXXX) are all valid in TOML basic strings.
    return json.dumps(value, ensure_ascii=False)


def campaign_toml(
    campaign_id: str,
    name: str,
    query: str,
    description: str,
    aliases: list[str],
    organisers: list[str],
    partners: list[str],
    spokespeople: list[str],
    start: str | None,
    end: str | None,
    subscribers: list[str],
    digest_language: str = "id",
) -> str:
    """One `[[campaign]]` table as TOML text, keys in the documented order."""

    def text_list(values: list[str]) -> str:
        return "[" + ", ".join(toml_string(v) for v in values) + "]"

    lines = [
        "[[campaign]]",
        f"id = {toml_string(campaign_id)}",
        f"name = {toml_string(name)}",
        f"aliases = {text_list(aliases)}",
        f"query = {toml_string(query)}",
        f"description = {toml_string(description)}",
        f"organisers = {text_list(organisers)}",
        f"partners = {text_list(partners)}",
        f"spokespeople = {text_list(spokespeople)}",
    ]
    for key, value in (("start", start), ("end", end)):
        if value:
            lines.append(f"{key} = {toml_string(value)}")
    lines.append(f"subscribers = {text_list(subscribers)}")
    lines.append(f"digest_language = {toml_string(digest_language)}")
    return "\n".join(lines) + "\n"


def append_campaign(path: Path, entry: str) -> None:
    """Validate the file with `entry` added, then append the text (comments and layout stay as they are)."""
    existing = path.read_text(encoding="utf-8") if path.exists() else FILE_HEADER
    separator = "" if existing.endswith("\n\n") else ("\n" if existing.endswith("\n") else "\n\n")
    parse_campaigns(existing + separator + entry, str(path))  # raises with the campaign and position
    with path.open("a", encoding="utf-8") as handle:
        if not path.exists() or handle.tell() == 0:
            handle.write(FILE_HEADER)
        handle.write(separator + entry)


@campaigns_app.command("add")
def add_campaign(
    campaign_id: str = typer.Option(..., "--id", help="Lowercase id with '-', e.g. 'sekolah-digital'."),
    name: str = typer.Option(..., "--name", help="Display name."),
    query: str = typer.Option(..., "--query", help='Boolean keyword query, e.g. \'"sekolah digital" OR (kominfo AND guru)\'.'),
    description: str = typer.Option(
        ..., "--description", help="A few sentences describing the campaign (used for semantic matching)."),
    aliases: list[str] = typer.Option([], "--alias", help="Another name or hashtag (repeatable)."),
    organisers: list[str] = typer.Option([], "--organiser", help="Organising organisation (repeatable)."),
    partners: list[str] = typer.Option([], "--partner", help="Partner organisation (repeatable)."),
    spokespeople: list[str] = typer.Option([], "--spokesperson", help="Spokesperson (repeatable)."),
    start: str | None = typer.Option(None, "--start", help="First active day, YYYY-MM-DD."),
    end: str | None = typer.Option(None, "--end", help="Last active day, YYYY-MM-DD."),
    subscribers: list[str] = typer.Option([], "--subscriber", help="E-mail address for the weekly digest (repeatable)."),
    digest_language: str = typer.Option("id", "--digest-language", help="Language of the weekly digest's words: id or en."),
    campaigns_file: Path | None = typer.Option(None, "--file", help="Campaigns file (default: the campaigns_file setting)."),
) -> None:
    """Validate a new campaign and append it to the campaigns file."""
    for key, value in (("--start", start), ("--end", end)):
        if value:
            try:
                date.fromisoformat(value)
            except ValueError:
                raise InputError(f"{key} must be a date like 2024-01-31, not {value!r}") from None
    path = campaigns_file or _writable_campaigns_path(campaigns_path(None))
    entry = campaign_toml(campaign_id, name, query, description, aliases, organisers, partners, spokespeople, start, end,
                          subscribers, digest_language)
    # Dates are written as TOML strings by campaign_toml; the loader accepts both forms.
    append_campaign(path, entry)
    typer.echo(f"added campaign {campaign_id!r} to {path}")


def _writable_campaigns_path(resolved: Path) -> Path:
    # The bundled defaults are read when no campaigns file is configured; new campaigns go to the
    # configured path (./campaigns.toml), seeded with the defaults so they keep being matched.
    configured = get_settings().campaigns_file
    if resolved != configured and not configured.exists():
        configured.write_text(resolved.read_text(encoding="utf-8"), encoding="utf-8")
    return configured


@campaigns_app.command("test")
def test_campaign(
    campaign_id: str = typer.Argument(..., help="Campaign id."),
    file_or_text: str = typer.Argument(..., help="A .txt/.html file or the article text itself."),
    title: str = typer.Option("", "--title", help="Article title (HTML input: taken from the page when empty)."),
    published: str | None = typer.Option(None, "--published", help="Publication date, YYYY-MM-DD (checks the campaign's dates)."),
    model: str | None = typer.Option(None, "--model", help="Embedding model (default: the configured one)."),
    campaigns_file: Path | None = typer.Option(None, "--file", help="Campaigns file (default: the campaigns_file setting)."),
) -> None:
    """Print the matching decision for one campaign on one article, with its reasons."""
    from pipeline.campaigns import ArticleForMatching, CampaignMatcher  # noqa: PLC0415 - loads numpy (~0.1 s) and the CLI loads this module at every start; only `campaigns test` needs it
    from pipeline.embeddings import load_embedder  # noqa: PLC0415 - loads numpy (~0.1 s) and the CLI loads this module at every start; only `campaigns test` needs it

    campaigns = load_campaigns(campaigns_file)
    chosen = [c for c in campaigns if c.id == campaign_id]
    if not chosen:
        raise InputError(f"no campaign {campaign_id!r}; known: {', '.join(c.id for c in campaigns)}")
    article_title, text, page_date = _article_input(file_or_text)
    published_at = datetime.fromisoformat(published) if published else page_date
    matcher = CampaignMatcher(chosen, load_embedder(model))
    decision = matcher.match(ArticleForMatching(title or article_title, text, published_at))[0]
    verdict = "MATCH" if decision.matched else "no match"
    typer.echo(f"{decision.campaign_id}: {verdict} (score {decision.score:.3f}, threshold {matcher.weights.threshold:.2f})")
    for reason in decision.reasons:
        typer.echo(f"  - {reason}")


def _article_input(file_or_text: str):
    """(title, text, published_at) from a .txt/.html file, or ("", the argument, None) for plain text."""
    candidate = Path(file_or_text)
    try:
        is_file = len(file_or_text) < 4096 and "\n" not in file_or_text and candidate.is_file()
    except OSError:
        is_file = False
    if not is_file:
        return "", file_or_text, None
    document = read_file(candidate, None)
    if document.kind == "text":
        return "", str(document.content), None
    import trafilatura  # noqa: PLC0415 - heavy: trafilatura (~0.4 s); only an HTML file given to `campaigns test` needs it

    extracted = trafilatura.bare_extraction(document.content, with_metadata=True)
    if extracted is None:
        return "", "", None
    data = extracted.as_dict() if hasattr(extracted, "as_dict") else dict(extracted)
    published = data.get("date")
    return data.get("title") or "", data.get("text") or "", datetime.fromisoformat(published) if published else None
