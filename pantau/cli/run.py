"""`pantau run` (one full cycle now, through the Prefect flows) and `pantau serve` (the scheduled deployments)."""

from __future__ import annotations

import json
import os
import signal
from typing import Any

import typer
from pydantic import ValidationError

from flows.environment import configure_prefect
from flows.progress import listening
from flows.server import start_local_server, stop_process_group, wait_until_healthy
from pantau.cli.app import app
from pantau.cli.cycle_display import CycleDisplay, console_warnings_only, print_cycle_summary
from pantau.core.config import get_settings
from pantau.core.errors import PantauError


@app.command("run")
def run(
    outlet: list[str] | None = typer.Option(
        None, "--outlet", "-o", help="Outlet id (repeatable); default: every outlet (or every outlet the replay host serves)."),
    replay: str | None = typer.Option(
        None, "--replay", help="Crawl a replay host (e.g. http://127.0.0.1:8800) instead of the outlets' real sites."),
    max_pages: int | None = typer.Option(None, "--max-pages", min=0, help="Fetch at most N new article pages per outlet."),
    no_throttle: bool = typer.Option(
        False, "--no-throttle", help="Turn AutoThrottle off (only for a local replay host you own)."),
    digest: bool = typer.Option(
        True, "--digest/--no-digest", help="Make the last complete week's digest when it is due (from Monday 08:00 local time)."),
    send: bool = typer.Option(
        True, "--send/--no-send", help="Mail the due digest to subscribers (each message at most once); "
                                       "--no-send only writes previews."),
    dask_workers: int = typer.Option(0, "--dask-workers", min=0, help="Process on a local Dask cluster of N worker processes."),
    dask_address: str | None = typer.Option(
        None, "--dask-address", help="Process on a running Dask scheduler, e.g. tcp://10.0.0.5:8786."),
    as_json: bool = typer.Option(False, "--json", help="Print the cycle's result as one JSON object."),
) -> None:
    """Run one full cycle now: crawl -> process -> digest (when due), with progress and a summary table."""
    configure_prefect(quiet_console=True)
    from flows.cycle import cycle_flow  # noqa: PLC0415 - heavy: Prefect (~2 s) loads only for `pantau run`, after configure_prefect() above has set its environment

    with console_warnings_only(), CycleDisplay(disabled=as_json) as display, listening(display.update):
        result = cycle_flow(
            outlets=outlet or None, replay=replay, max_pages=max_pages, throttle=not no_throttle,
            digest=digest, send=send, dask_address=dask_address, dask_workers=dask_workers,
        )
    if as_json:
        print(json.dumps(result, ensure_ascii=False, default=str))
    else:
        print_cycle_summary(result)
    raise_for_failures(result)


@app.command("serve")
def serve(
    cron_crawl: str = typer.Option("0 * * * *", "--cron-crawl", help="When to crawl (cron, in the configured time zone)."),
    cron_digest: str = typer.Option(
        "0 8 * * 1", "--cron-digest", help="When to send the weekly digest (cron, in the configured time zone)."),
    replay: str | None = typer.Option(
        None, "--replay", help="Scheduled crawls fetch from this replay host instead of the real sites."),
    no_throttle: bool = typer.Option(
        False, "--no-throttle", help="Turn AutoThrottle off (only for a local replay host you own)."),
    max_pages: int | None = typer.Option(
        None, "--max-pages", min=0, help="Fetch at most N new article pages per outlet and crawl."),
    send: bool = typer.Option(True, "--send/--no-send", help="The weekly digest mails subscribers (--no-send: previews only)."),
    dask_workers: int = typer.Option(0, "--dask-workers", min=0, help="Process on a local Dask cluster of N worker processes."),
    dask_address: str | None = typer.Option(
        None, "--dask-address", help="Process on a running Dask scheduler, e.g. tcp://10.0.0.5:8786."),
    prefect_port: int = typer.Option(
        4200, "--prefect-port", min=1, max=65535, help="Port of the local Prefect server started when "
                                                       "PREFECT_API_URL is not set."),
    limit: int | None = typer.Option(None, "--limit", min=1, help="At most N flow runs at the same time."),
) -> None:
    """Register the deployments with their schedules (crawl hourly, process after each crawl, digest on
    Monday 08:00) and run their flow runs until interrupted. Without PREFECT_API_URL a local Prefect
    server (with its UI) is started and stopped with it."""
    home = configure_prefect()
    cron_crawl, cron_digest = valid_cron(cron_crawl, "--cron-crawl"), valid_cron(cron_digest, "--cron-digest")
    server = None
    api_url = os.environ.get("PREFECT_API_URL")
    if not api_url:
        server, api_url = start_local_server(home, port=prefect_port)
        try:
            typer.echo(f"starting a local Prefect server (database and log in {home}) ...", err=True)
            wait_until_healthy(api_url, server, home / "server.log")
        except BaseException:
            stop_process_group(server)
            raise
    try:
        serve_deployments(
            api_url, cron_crawl, cron_digest, replay, not no_throttle, max_pages, send, dask_address, dask_workers, limit
        )
    finally:
        if server is not None:
            stop_process_group(server)


def serve_deployments(api_url: str, cron_crawl: str, cron_digest: str, replay: str | None, throttle: bool, max_pages: int | None,
                      send: bool, dask_address: str | None, dask_workers: int, limit: int | None) -> None:
    from prefect import serve as prefect_serve  # noqa: PLC0415 - heavy: Prefect (~2 s) loads only for `pantau serve`, after configure_prefect() in `serve` has set its environment
    from prefect.settings import PREFECT_API_URL, temporary_settings  # noqa: PLC0415 - heavy: Prefect (~2 s) loads only for `pantau serve`, after configure_prefect() in `serve` has set its environment

    from flows.deployments import ServeOptions, build_deployments  # noqa: PLC0415 - heavy: Prefect (~2 s) loads only for `pantau serve`, after configure_prefect() in `serve` has set its environment

    options = ServeOptions(
        crawl_cron=cron_crawl, digest_cron=cron_digest,
        time_zone=get_settings().timezone, replay=replay, throttle=throttle, max_pages=max_pages, send=send,
        dask_address=dask_address, dask_workers=dask_workers,
    )
    ui_url = api_url[: -len("/api")] if api_url.endswith("/api") else api_url
    typer.echo(f"Prefect API {api_url}; UI {ui_url}; crawl '{options.crawl_cron}', "
               f"digest '{options.digest_cron}' ({options.time_zone}); Ctrl-C to stop", err=True)
    # A SIGTERM (service managers, `kill PID`) ends the runner like Ctrl-C, so the local server is stopped too.
    signal.signal(signal.SIGTERM, interrupt)
    with temporary_settings(updates={PREFECT_API_URL: api_url}):
        prefect_serve(*build_deployments(options), limit=limit)


def interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def valid_cron(expression: str, option: str) -> str:
    from prefect.client.schemas.schedules import CronSchedule  # noqa: PLC0415 - heavy: Prefect (~2 s) loads only for `pantau serve`, after configure_prefect() in `serve` has set its environment

    try:
        CronSchedule(cron=expression)
    except ValidationError:
        raise PantauError(f"{option} {expression!r} is not a cron expression; write five fields like '0 * * * *'") from None
    return expression


def raise_for_failures(result: dict[str, Any]) -> None:
    """Non-zero exit when part of the cycle failed (after everything else was done and shown)."""
    problems = []
    crawl_failures = (result.get("crawl") or {}).get("failed", [])
    if crawl_failures:
        problems.append(f"{len(crawl_failures)} outlet(s) "
                        f"could not be crawled ({', '.join(item['outlet'] for item in crawl_failures)})")
    digests = result.get("digest") or {}
    failed_digests = len(digests.get("failed", [])) + sum(
        (item.get("delivery") or {}).get("failed", 0) for item in digests.get("campaigns", [])
    )
    if failed_digests:
        problems.append(f"{failed_digests} digest(s) or message(s) failed and are recorded")
    if problems:
        raise PantauError("; ".join(problems) + "; re-run `pantau run` to retry only what is missing")
