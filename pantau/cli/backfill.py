"""`pantau backfill`: walk the outlets' archives over past days, then process what was fetched."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import typer

from pantau.cli.app import app, state
from pantau.core.errors import InputError
from pantau.core.time import local_date


@app.command("backfill")
def backfill(
    start: str = typer.Option(..., "--from", help="First day to walk (YYYY-MM-DD, local time)."),
    end: str | None = typer.Option(None, "--to", help="Last day to walk, included (default: yesterday)."),
    outlet: list[str] | None = typer.Option(None, "--outlet", "-o", help=(
        "Outlet id (repeatable); default: every outlet whose registry entry has an archive "
        "(or every outlet the replay host serves).")),
    newest_first: bool = typer.Option(True, "--newest-first/--oldest-first",
                                      help="Walk the days from the last one back (default), or from the first one on."),
    max_pages: int | None = typer.Option(None, "--max-pages", min=0, help=(
        "Fetch at most N new article pages per outlet (the days left are walked by the next run).")),
    dry_run: bool = typer.Option(False, "--dry-run",
                                 help="Read the index pages and count the new articles; fetch, store and record nothing."),
    replay: str | None = typer.Option(None, "--replay", help=(
        "Walk a replay host's archive (e.g. http://127.0.0.1:8800) instead of the outlets' real sites.")),
    no_throttle: bool = typer.Option(False, "--no-throttle",
                                     help="Turn AutoThrottle off (only for a local replay host you own)."),
    no_process: bool = typer.Option(False, "--no-process", help="Only fetch; process later with `pantau process`."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as one JSON object."),
) -> None:
    """Fetch the articles the outlets' archives list for past days; days already walked are skipped and
    stored URLs are never fetched again, so a stopped backfill continues where it stopped."""
    from crawlers.backfill import backfill_outlets  # noqa: PLC0415 - the crawl side loads only for the commands that crawl

    first = parse_day(start, "--from")
    last = parse_day(end, "--to") if end else local_date(datetime.now(UTC)) - timedelta(days=1)
    settings = {"AUTOTHROTTLE_ENABLED": False} if no_throttle else None
    with BackfillProgress(disabled=as_json) as progress:
        report = backfill_outlets(outlet or None, first, last, replay=replay, newest_first=newest_first, max_pages=max_pages,
                                  dry_run=dry_run, progress=progress, settings=settings,
                                  log_level="INFO" if state.verbose else "WARNING")
    processed = None
    if not (dry_run or no_process):
        from pantau.cli.process import print_report, process_with_progress  # noqa: PLC0415 - loads the process stage only when it runs
        from pantau.store import open_store  # noqa: PLC0415 - SQLAlchemy loads only for the commands that use the store

        store = open_store()
        try:
            processed = process_with_progress(store, quiet=as_json)
        finally:
            store.dispose()
    if as_json:
        typer.echo(json.dumps({**report, "process": processed.as_dict() if processed else None}, ensure_ascii=False))
        return
    print_walk(report)
    if processed is not None:
        print_report(processed)


def parse_day(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise InputError(f"{option} {text!r} is not a date; write it as YYYY-MM-DD") from error


class BackfillProgress:
    """One bar for the whole walk: days walked of the days to walk, index pages, new articles, ETA."""

    def __init__(self, disabled: bool):
        self.disabled = disabled
        self.records: dict[str, dict[str, Any]] = {}

    def __enter__(self):  # noqa: ANN204
        if self.disabled:
            return None
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn  # noqa: PLC0415 - rich only when shown

        self.bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TextColumn("days"),
                            TimeRemainingColumn(), transient=True)
        self.bar.start()
        self.task = self.bar.add_task("backfill: starting", total=None)
        return self.report

    def report(self, record: dict[str, Any]) -> None:
        self.records[str(record.get("outlet"))] = record
        records = self.records.values()
        to_walk = sum(r.get("days", 0) - r.get("days_skipped", 0) for r in records)
        done = sum(r.get("days_walked", 0) + r.get("days_incomplete", 0) for r in records)
        failed = sum(sum(r.get("failed", {}).values()) for r in records)
        text = (f"backfill {len(self.records)} outlets: {sum(r.get('index_pages', 0) for r in records)} index pages, "
                f"{sum(r.get('new', 0) + r.get('would_fetch', 0) for r in records)} new, "
                f"{sum(r.get('skipped_known', 0) for r in records)} known, {failed} failed")
        self.bar.update(self.task, description=text, completed=done, total=max(to_walk, done) or None)

    def __exit__(self, *exc) -> None:  # noqa: ANN002
        if not self.disabled:
            self.bar.stop()


def print_walk(report: dict[str, Any]) -> None:
    from rich.console import Console  # noqa: PLC0415 - rich only when shown
    from rich.table import Table  # noqa: PLC0415 - rich only when shown

    what = "to fetch" if report["dry_run"] else "new"
    table = Table("outlet", "walked", "skipped", "left", "pages", "listed", what, "known", "requests", "failed",
                  title=f"backfill {report['from']} .. {report['to']} "
                        f"({report['order']}{', dry run' if report['dry_run'] else ''})")
    for record in [*report["outlets"], {"outlet": "total", **report["totals"]}]:
        failed = ", ".join(f"{reason} {count}" for reason, count in sorted(record["failed"].items())) or "-"
        left = record["days"] - record["days_skipped"] - record["days_walked"]
        table.add_row(record["outlet"], str(record["days_walked"]), str(record["days_skipped"]), str(left),
                      str(record["index_pages"]),
                      str(record["discovered"]), str(record["would_fetch"] if report["dry_run"] else record["new"]),
                      str(record["skipped_known"]), str(record["requests"]), failed)
    console = Console()
    console.print(table)
    for skipped in report["skipped"]:
        console.print(f"{skipped['outlet']}: not walked, {skipped['reason']}", markup=False)
