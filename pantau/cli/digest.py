"""`pantau digest`: preview or send the weekly digest e-mails of the campaigns."""

from __future__ import annotations

import json
from contextlib import nullcontext
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from pantau.cli.app import app
from pantau.core.campaigns import load_campaigns
from pantau.core.errors import InputError, PantauError
from pantau.core.time import last_complete_week, parse_week
from pantau.store import open_store


@app.command("digest")
def digest(
    campaign: str | None = typer.Option(None, "--campaign", help="Campaign id (default: every campaign)."),
    week: str | None = typer.Option(
        None, "--week", help="ISO week like 2018-W40 (default: the last complete week in the configured time zone)."),
    preview: Path | None = typer.Option(
        None, "--preview", help="Write the HTML preview here and the .eml beside it (with several campaigns: "
                                "FILE-<campaign>.html)."),
    send: bool = typer.Option(
        False, "--send", help="Send to the campaigns' subscribers; messages already sent for this week are skipped."),
    as_json: bool = typer.Option(False, "--json", help="Print what was done as one JSON object."),
) -> None:
    """Build the weekly digest per campaign: print it as text, write an HTML/.eml preview, or send it."""
    chosen_week = parse_week(week).label if week else last_complete_week()
    campaigns = load_campaigns()
    if campaign is not None:
        campaigns = [entry for entry in campaigns if entry.id == campaign]
        if not campaigns:
            known = ", ".join(entry.id for entry in load_campaigns())
            raise InputError(f"no campaign {campaign!r}; known campaigns: {known} (see `pantau campaigns list`)")
    if not campaigns:
        raise InputError("no campaigns are defined; add one with `pantau campaigns add`")

    store = open_store()
    summary: dict[str, Any] = {"week": chosen_week}
    if preview is not None or not send:
        summary["previews"] = _previews(store, campaigns, chosen_week, preview, quiet=as_json)
    if send:
        summary["delivery"] = _send(store, campaigns, chosen_week, quiet=as_json)
    if as_json:
        print(json.dumps(summary, ensure_ascii=False))
    failed = summary.get("delivery", {}).get("failed", 0)
    if failed:
        raise PantauError(
            f"{failed} digest message(s) for {chosen_week} failed and are recorded; "
            f"re-run `pantau digest --send --week {chosen_week}` to send only those"
        )


def preview_path(base: Path, campaign_id: str, several: bool) -> Path:
    """`base` itself for one campaign; FILE-<campaign>.html beside it when there are several."""
    if not several:
        return base
    suffix = base.suffix or ".html"
    return base.with_name(f"{base.stem}-{campaign_id}{suffix}")


def _previews(store: Any, campaigns: list[Any], week: str, preview: Path | None, quiet: bool) -> list[dict[str, Any]]:
    from pantau.read.digest import build_digest, render_digest, write_preview  # noqa: PLC0415 - the digest (Jinja, charts) loads only for `pantau digest`

    written: list[dict[str, Any]] = []
    with Progress(transient=True, disable=quiet or len(campaigns) < 2) as progress:
        task = progress.add_task("rendering digests", total=len(campaigns))
        for entry in campaigns:
            with store.session() as session:
                digest = build_digest(session, entry, week)
            rendered = render_digest(digest)
            item: dict[str, Any] = {"campaign": entry.id, "coverage": digest.coverage, "spike": digest.spike}
            if preview is None:
                if not quiet:
                    print(rendered.text)
            else:
                html_path, eml_path = write_preview(rendered, preview_path(preview, entry.id, len(campaigns) > 1))
                item.update(html=str(html_path), eml=str(eml_path))
                if not quiet:
                    print(f"{entry.id} {week}: "
                          f"{digest.coverage} article{'' if digest.coverage == 1 else 's'}{' (spike)' if digest.spike else ''} "
                          f"-> {html_path} and {eml_path}")
            written.append(item)
            progress.advance(task)
    return written


def _send(store: Any, campaigns: list[Any], week: str, quiet: bool) -> dict[str, Any]:
    from pantau.read.digest import send_digests  # noqa: PLC0415 - the digest (Jinja, SMTP) loads only for `pantau digest`

    with Console(stderr=True).status(f"sending the {week} digests") if not quiet else nullcontext():
        report = send_digests(store, campaigns, week)
    summary = report.as_dict()
    if not quiet:
        table = Table(title=f"digest {week}")
        for column in ("campaign", "sent", "already sent", "failed"):
            table.add_column(column, justify="left" if column == "campaign" else "right")

        def count(items: list[Any], campaign_id: str) -> str:
            return str(sum(1 for item in items if item.campaign_id == campaign_id))

        for entry in campaigns:
            if entry.id in report.campaigns_without_delivery:
                table.add_row(f"{entry.id} (no subscribers or not active)", "-", "-", "-")
                continue
            table.add_row(entry.id, count(report.sent, entry.id), count(report.skipped_already_sent, entry.id),
                          count(report.failed, entry.id))
        Console().print(table)
        for failure in report.failed:
            print(f"  failed: {failure.campaign_id} -> {failure.recipient}: {failure.error}")
    return summary

