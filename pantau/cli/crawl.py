"""`pantau crawl` (fetch new articles of the registry's outlets) and `pantau replay serve` (the offline site)."""

from __future__ import annotations

import json
from datetime import date, datetime

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from pantau.cli.app import app, replay_app, state
from pantau.core.errors import InputError
from pantau.core.time import time_zone


@app.command("crawl")
def crawl(
    outlet: list[str] | None = typer.Option(
        None, "--outlet", "-o", help="Outlet id from the registry (repeatable); default: "
                                     "every outlet (or every outlet the replay host serves)."),
    replay: str | None = typer.Option(
        None, "--replay", help="Fetch from a replay host (e.g. http://127.0.0.1:8800) instead of the outlets' real sites."),
    since: str | None = typer.Option(
        None, "--since", help="Only articles listed as published/modified on or after this date (YYYY-MM-DD)."),
    max_pages: int | None = typer.Option(None, "--max-pages", min=0, help="Fetch at most N new article pages per outlet."),
    no_throttle: bool = typer.Option(
        False, "--no-throttle", help="Turn AutoThrottle off (only for a local replay host you own)."),
    as_json: bool = typer.Option(False, "--json", help="Print the run record(s) as JSON."),
) -> None:
    """Discover and fetch new articles; already-stored URLs are never fetched again."""
    from crawlers.run import crawl_outlets, summed  # noqa: PLC0415 - the crawl side loads only for the commands that crawl

    since_date = _parse_date(since) if since else None
    settings = {"AUTOTHROTTLE_ENABLED": False} if no_throttle else None
    with _progress(disabled=as_json) as report:
        records = crawl_outlets(outlet or None, replay=replay, since=since_date, max_pages=max_pages,
                                progress=report, settings=settings, log_level="INFO" if state.verbose else "WARNING")
    if as_json:
        typer.echo(json.dumps(records[0] if len(records) == 1 else summed(records), ensure_ascii=False))
    else:
        _print_records(records)


@replay_app.command("serve")
def serve(
    port: int = typer.Option(8800, "--port", "-p", help="TCP port to listen on."),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to bind (keep 127.0.0.1 unless you mean to share it)."),
    multiply: int = typer.Option(
        0, "--multiply", min=0, help="Serve N article pages made by repeating the corpus under distinct URLs (benchmarks)."),
    outlet: list[str] | None = typer.Option(None, "--outlet", "-o", help="With --multiply: only these outlets' articles."),
    faults: bool = typer.Option(
        False, "--faults", help="Serve the fault-injection site (errors, slow pages, bad charsets, redirect loops) instead."),
) -> None:
    """Serve the bundled corpus as a set of outlet sites until interrupted (Ctrl-C)."""
    from crawlers.replay.faults import FaultHTTPServer  # noqa: PLC0415 - the replay server loads only for `pantau replay serve`
    from crawlers.replay.server import ReplayApp, ReplayHTTPServer  # noqa: PLC0415 - the replay server loads only for `pantau replay serve`
    from crawlers.replay.site import corpus_site, multiplied_site  # noqa: PLC0415 - the replay server loads only for `pantau replay serve`

    try:
        if faults:
            server = FaultHTTPServer(host, port)
        else:
            site = multiplied_site(multiply, outlet) if multiply else corpus_site()
            if not site.articles:
                raise InputError("the replay corpus is empty: crawlers/replay/corpus/articles/ has no articles")
            server = ReplayHTTPServer(ReplayApp(site), host, port, verbose=state.verbose)
    except OSError as error:
        raise InputError(f"cannot listen on {host}:{port} ({error.strerror}); pick another --port") from error
    except ValueError as error:
        raise InputError(str(error)) from error
    what = "fault-injection site" if faults else f"{len(site.articles)} articles of {', '.join(site.outlet_ids)}"
    typer.echo(f"serving {what} at {server.base_url} (Ctrl-C to stop); crawl it with: "
               f"pantau crawl --replay {server.base_url}", err=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


def _parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise InputError(f"--since {text!r} is not a date; write it as YYYY-MM-DD") from error


class _progress:
    """A rich status line per outlet while the crawl runs (off for --json)."""

    def __init__(self, disabled: bool):
        self.disabled = disabled

    def __enter__(self):  # noqa: ANN204
        if self.disabled:
            return None

        self.bar = Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), transient=True)
        self.bar.start()
        self.tasks: dict[str, int] = {}
        return self.report

    def report(self, record: dict) -> None:
        outlet = str(record.get("outlet"))
        failed = sum(record.get("failed", {}).values())
        text = (f"{outlet}: {record.get('discovered', 0)} listed, {record.get('fetched', 0)} fetched, "
                f"{record.get('new', 0)} new, {record.get('skipped_known', 0)} known, {failed} failed")
        if outlet not in self.tasks:
            self.tasks[outlet] = self.bar.add_task(text, total=None)
        self.bar.update(self.tasks[outlet], description=text)

    def __exit__(self, *exc) -> None:  # noqa: ANN002
        if not self.disabled:
            self.bar.stop()


def _print_records(records: list[dict]) -> None:
    table = Table("outlet", "run", "discovered", "fetched", "new", "known", "requests", "failed", "status")
    for record in records:
        failed = ", ".join(f"{reason} {count}" for reason, count in sorted(record["failed"].items())) or "-"
        table.add_row(
            record["outlet"],
            str(record["run_id"]),
            *(str(record[key]) for key in ("discovered", "fetched", "new", "skipped_known", "requests")),
            failed,
            _status_text(record),
            style="red" if record.get("blocked") else None,
        )
    Console().print(table)


def _status_text(record: dict) -> str:
    """"finished", or for a blocked outlet its reason and since when ("blocked: HTTP 403 since 2026-12-01 08:00")."""
    blocked = record.get("blocked")
    if not blocked:
        return str(record.get("status") or "-")
    since = datetime.fromisoformat(blocked["since"]).astimezone(time_zone())
    return f"{blocked['reason']} since {since:%Y-%m-%d %H:%M %Z}"
