"""Python entry point of crawling, for the CLI and the Prefect flows.

`crawl_outlets(["kompas"], replay="http://127.0.0.1:8800")` crawls in a child process (one Scrapy
process for all the outlets asked for), so it can be called any number of times in one program, and
returns one run record per outlet:
{"outlet", "run_id", "discovered", "fetched", "new", "skipped_known", "requests", "failed": {reason: n},
 "status" ("finished", "blocked", ...), "blocked": null or {"reason": "blocked: challenge page", "at", "since", ...}}.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections import deque
from collections.abc import Callable
from datetime import date
from typing import Any

import httpx

from crawlers import store as crawl_store
from crawlers.replay.server import OUTLETS_PATH
from pantau.core.config import get_settings
from pantau.core.errors import InputError, PantauError
from pantau.core.outlets import all_outlets, get_outlet
from pantau.store import open_store

# What the spider prints on stdout when crawlers.worker runs it (kept in step with crawlers.spiders.news).
PROGRESS_PREFIX = "PANTAU_PROGRESS "
RESULT_PREFIX = "PANTAU_RESULT "
RECORD_KEYS = ("outlet", "run_id", "discovered", "fetched", "new", "skipped_known", "requests", "failed", "status", "blocked")


def crawl_outlets(
    outlet_ids: list[str] | None,
    *,
    replay: str | None = None,
    since: date | None = None,
    max_pages: int | None = None,
    database_url: str | None = None,
    progress: Callable[[dict[str, Any]], None] | None = None,
    settings: dict[str, Any] | None = None,
    log_level: str = "WARNING",
) -> list[dict[str, Any]]:
    """Crawl the outlets (all of the registry, or all the replay host serves, when None).

    `progress` is called with a partial run record as the crawl goes; `settings` overrides Scrapy
    settings (e.g. {"AUTOTHROTTLE_ENABLED": False} for a local replay host).
    """
    replay = replay.rstrip("/") if replay else None
    outlets = resolve_outlets(outlet_ids, replay)
    if max_pages is not None and max_pages < 0:
        raise InputError("--max-pages must be 0 or more")
    job = {
        "outlets": outlets,
        "replay": replay,
        "since": since.isoformat() if since else None,
        "max_pages": max_pages,
        "database_url": database_url or get_settings().effective_database_url,
        "settings": settings or {},
        "log_level": log_level,
    }
    results = run_job(job, progress)
    return [{key: results[outlet_id][key] for key in RECORD_KEYS} for outlet_id in outlets]


def run_job(job: dict[str, Any], progress: Callable[[dict[str, Any]], None] | None) -> dict[str, dict[str, Any]]:
    """Run one crawl process for `job`; the final record of each of its outlets. PantauError when the
    process failed or an outlet did not finish (its run is then closed as failed)."""
    returncode, results, started, errors = run_worker(job, progress)
    unfinished = [outlet_id for outlet_id in job["outlets"] if outlet_id not in results]
    if returncode != 0 or unfinished:
        mark_failed(job["database_url"], [started[o] for o in unfinished if o in started])
        last = next((line for line in reversed(errors) if line.strip()), "no error output")
        raise PantauError(f"the crawl of {', '.join(unfinished) or 'the outlets'} failed (exit {returncode}): {last.strip()}; "
                          "re-run with --verbose for its log")
    return results


def mark_failed(database_url: str, run_ids: list[int]) -> None:
    """Runs whose crawl process died are closed as failed, so they are not left 'running'."""
    if not run_ids:
        return

    store = open_store(database_url)
    try:
        for run_id in run_ids:
            if crawl_store.run_record(store, run_id)["status"] == "running":
                crawl_store.finish_run(store, run_id, {}, "failed")
    finally:
        store.dispose()


def resolve_outlets(outlet_ids: list[str] | None, replay: str | None) -> list[str]:
    if outlet_ids:
        for outlet_id in outlet_ids:
            try:
                get_outlet(outlet_id)
            except KeyError as error:
                raise InputError(str(error).strip('"')) from error
        return list(dict.fromkeys(outlet_ids))
    if replay:
        return replay_outlets(replay)
    return [outlet.id for outlet in all_outlets()]


def replay_outlets(replay: str) -> list[str]:
    """The outlets a replay host serves (asked from the host itself)."""
    try:
        response = httpx.get(replay + OUTLETS_PATH, timeout=10)
        response.raise_for_status()
        return [outlet_id for outlet_id in response.json() if isinstance(outlet_id, str)]
    except (httpx.HTTPError, ValueError) as error:
        raise InputError(f"cannot reach the replay host {replay} ({error}); "
                         "start it with `pantau replay serve --port N` or name outlets with --outlet") from error


def run_worker(job: dict[str, Any], progress: Callable[[dict[str, Any]], None] | None):  # noqa: ANN201
    """Run crawlers.worker with `job`, relaying its progress lines.

    Returns (exit code, final record per outlet, run id per started outlet, last stderr lines).
    """
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "crawlers.settings", "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "crawlers.worker"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )
    errors: deque[str] = deque(maxlen=40)
    verbose = job.get("log_level") in ("DEBUG", "INFO")

    def drain() -> None:
        for line in process.stderr:
            errors.append(line)
            if verbose:
                sys.stderr.write(line)

    drainer = threading.Thread(target=drain, daemon=True)
    drainer.start()
    process.stdin.write(json.dumps(job))
    process.stdin.close()
    results: dict[str, dict[str, Any]] = {}
    started: dict[str, int] = {}
    for line in process.stdout:
        prefix, _, payload = line.partition(" ")
        if prefix + " " not in (PROGRESS_PREFIX, RESULT_PREFIX):
            continue
        try:
            record = json.loads(payload)
        except ValueError:
            continue
        started[record["outlet"]] = record["run_id"]
        if prefix + " " == RESULT_PREFIX:
            results[record["outlet"]] = record
        if progress is not None:
            progress(record)
    returncode = process.wait()
    drainer.join(timeout=5)
    return returncode, results, started, list(errors)


def summed(records: list[dict[str, Any]]) -> dict[str, Any]:
    """One record for several outlets: counts added up, failures merged, per-outlet records kept."""
    total: dict[str, Any] = {
        key: sum(record[key] for record in records) for key in ("discovered", "fetched", "new", "skipped_known", "requests")
    }
    failed: dict[str, int] = {}
    for record in records:
        for reason, count in record["failed"].items():
            failed[reason] = failed.get(reason, 0) + count
    total["failed"] = failed
    total["blocked"] = {record["outlet"]: record["blocked"]["reason"] for record in records if record.get("blocked")}
    total["outlets"] = records
    return total
