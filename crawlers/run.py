"""Python entry point of crawling, for the CLI and the Prefect flows.

`crawl_outlets(["kompas"], replay="http://127.0.0.1:8800")` crawls in a child process (one Scrapy
process for all the outlets asked for), so it can be called any number of times in one program, and
returns one run record per outlet:
{"outlet", "run_id", "discovered", "fetched", "new", "skipped_known", "requests", "failed": {reason: n}}.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections import deque
from datetime import date
from typing import Any, Callable

from crawlers import store as crawl_store
from crawlers.outlets import all_outlets, get_outlet
from pipeline.errors import InputError, PantauError

PROGRESS_PREFIX = "PANTAU_PROGRESS "
RECORD_KEYS = ("outlet", "run_id", "discovered", "fetched", "new", "skipped_known", "requests", "failed")


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
    from pipeline.config import get_settings
    from pipeline.store import open_store

    replay = replay.rstrip("/") if replay else None
    outlets = resolve_outlets(outlet_ids, replay)
    if max_pages is not None and max_pages < 0:
        raise InputError("--max-pages must be 0 or more")
    database_url = database_url or get_settings().effective_database_url
    store = open_store(database_url)
    options = {"since": since.isoformat() if since else None, "max_pages": max_pages}
    runs = [{"id": outlet_id, "run_id": crawl_store.start_run(store, outlet_id, replay, options)} for outlet_id in outlets]
    job = {
        "outlets": runs,
        "replay": replay,
        "since": since.isoformat() if since else None,
        "max_pages": max_pages,
        "database_url": database_url,
        "settings": settings or {},
        "log_level": log_level,
    }
    try:
        returncode, errors = run_worker(job, progress)
        records = []
        for run in runs:
            record = crawl_store.run_record(store, run["run_id"])
            if record["status"] == "running":
                crawl_store.finish_run(store, run["run_id"], {}, "failed")
                record["status"] = "failed"
            records.append({key: record[key] for key in RECORD_KEYS})
    finally:
        store.dispose()
    if returncode != 0:
        last = next((line for line in reversed(errors) if line.strip()), "no error output")
        raise PantauError(f"the crawl process failed (exit {returncode}): {last.strip()}; re-run with --verbose for its log")
    return records


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
    import httpx

    from crawlers.replay.server import OUTLETS_PATH

    try:
        response = httpx.get(replay + OUTLETS_PATH, timeout=10)
        response.raise_for_status()
        return [outlet_id for outlet_id in response.json() if isinstance(outlet_id, str)]
    except (httpx.HTTPError, ValueError) as error:
        raise InputError(f"cannot reach the replay host {replay} ({error}); start it with `pantau replay serve --port N` or name outlets with --outlet") from error


def run_worker(job: dict[str, Any], progress: Callable[[dict[str, Any]], None] | None) -> tuple[int, list[str]]:
    """Run crawlers.worker with `job`; relay its progress lines; return (exit code, last stderr lines)."""
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "crawlers.settings", "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "crawlers.worker"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )
    errors: deque[str] = deque(maxlen=40)
    drain = threading.Thread(target=lambda: errors.extend(process.stderr), daemon=True)
    drain.start()
    process.stdin.write(json.dumps(job))
    process.stdin.close()
    for line in process.stdout:
        if line.startswith(PROGRESS_PREFIX) and progress is not None:
            try:
                progress(json.loads(line[len(PROGRESS_PREFIX):]))
            except ValueError:
                continue
    returncode = process.wait()
    drain.join(timeout=5)
    if job.get("log_level") in ("DEBUG", "INFO"):
        sys.stderr.writelines(errors)
    return returncode, list(errors)


def summed(records: list[dict[str, Any]]) -> dict[str, Any]:
    """One record for several outlets: counts added up, failures merged, per-outlet records kept."""
    total: dict[str, Any] = {key: sum(record[key] for record in records) for key in ("discovered", "fetched", "new", "skipped_known", "requests")}
    failed: dict[str, int] = {}
    for record in records:
        for reason, count in record["failed"].items():
            failed[reason] = failed.get(reason, 0) + count
    total["failed"] = failed
    total["outlets"] = records
    return total
