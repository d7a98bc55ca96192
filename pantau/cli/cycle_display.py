"""What `pantau run` and `pantau demo` show while a cycle runs and after it: progress rows and summary tables."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from pantau.cli.app import state


@contextmanager
def console_warnings_only() -> Iterator[None]:
    """Flow and task runs log every state change at INFO; on the console (unless --verbose) only
    warnings and errors show while the progress display runs. The Prefect API still gets them all."""
    root = logging.getLogger()
    saved = [(handler, handler.level) for handler in root.handlers]
    if not state.verbose:
        for handler, level in saved:
            handler.setLevel(max(level, logging.WARNING))
    try:
        yield
    finally:
        for handler, level in saved:
            handler.setLevel(level)


class CycleDisplay:
    """Progress of a cycle: one line per crawled outlet, a bar for processing, one line per digest."""

    def __init__(self, disabled: bool):
        self.disabled = disabled

    def __enter__(self) -> CycleDisplay:
        if not self.disabled:
            self.bar = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                TimeElapsedColumn(), transient=True)
            self.bar.start()
            self.rows: dict[str, Any] = {}
        return self

    def update(self, stage: str, record: dict[str, Any]) -> None:
        if self.disabled:
            return
        if stage == "crawl":
            outlet = str(record.get("outlet"))
            text = (f"crawl {outlet}: {record.get('discovered', 0)} listed, {record.get('fetched', 0)} fetched, "
                    f"{record.get('new', 0)} new, {sum(record.get('failed', {}).values())} failed")
            self._row(f"crawl:{outlet}", text, total=None)
        elif stage == "process":
            row = self._row("process", "process pages", total=None)
            if "total" in record:
                self.bar.update(row, total=record["total"])
            if "advance" in record:
                self.bar.advance(row, record["advance"])
        elif stage == "digest":
            spike = " (spike)" if record.get("spike") else ""
            text = f"digest {record.get('campaign')} {record.get('week')}: {record.get('coverage')} articles{spike}"
            self._row(f"digest:{record.get('campaign')}", text, total=1, completed=1)

    def _row(self, key: str, description: str, total: float | None, completed: float | None = None) -> Any:
        if key not in self.rows:
            self.rows[key] = self.bar.add_task(description, total=total)
        self.bar.update(self.rows[key], description=description, completed=completed)
        return self.rows[key]

    def __exit__(self, *exc: object) -> None:
        if not self.disabled:
            self.bar.stop()


def print_cycle_summary(result: dict[str, Any]) -> None:
    console = Console()
    crawl = result.get("crawl") or {"outlets": [], "failed": []}
    table = Table("outlet", "discovered", "fetched", "new", "known", "failed", title="crawl")
    for record in crawl["outlets"]:
        failed = ", ".join(f"{reason} {count}" for reason, count in sorted(record["failed"].items())) or "-"
        if record.get("blocked"):
            failed = f"{record['blocked']['reason']}; {failed}"
        table.add_row(record["outlet"], *(str(record[key]) for key in ("discovered", "fetched", "new", "skipped_known")), failed)
    for failure in crawl["failed"]:
        table.add_row(failure["outlet"], "-", "-", "-", "-", f"crawl failed: {failure['error']}")
    console.print(table)

    processed = result.get("process") or {}
    table = Table("pages", "articles", "not articles", "failed", "syndicated copies", "new stories", "matched",
                  title=f"process (pipeline {processed.get('pipeline_version', '?')})")
    matched = ", ".join(f"{campaign} {count}" for campaign, count in sorted(processed.get("matched", {}).items())) or "-"
    table.add_row(*(str(processed.get(key, 0)) for key in ("pages", "articles", "not_articles")),
                  str(sum(processed.get("failed", {}).values())), str(processed.get("duplicates", 0)),
                  str(processed.get("stories", 0)), matched)
    console.print(table)

    if "digest" not in result:
        return
    digests = result["digest"]
    if digests is None:
        console.print("digest: not due yet (from Monday 08:00 local time) or not asked for")
        return
    table = Table("campaign", "articles", "previous week", "spike", "sent", "failed", "preview",
                  title=f"digest {digests['week']}")
    for outcome in digests["campaigns"]:
        delivery = outcome.get("delivery") or {}
        table.add_row(outcome["campaign"], str(outcome["coverage"]), str(outcome["previous_week"]),
                      "yes" if outcome["spike"] else "-", str(delivery.get("sent", "-")), str(delivery.get("failed", "-")),
                      outcome.get("html", "-"))
    for failure in digests["failed"]:
        table.add_row(failure["campaign"], "-", "-", "-", "-", "-", f"failed: {failure['error']}")
    console.print(table)
