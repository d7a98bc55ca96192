"""Benchmark of the query layer and the API on a synthetic store (bench/make_synthetic_store.py).

    .venv/bin/python bench/query.py --articles 20000                       # quick: a temporary SQLite store
    .venv/bin/python bench/query.py --database-url sqlite:////tmp/bench/1m.db   # an existing synthetic store
    .venv/bin/python bench/query.py --database-url postgresql+psycopg://.../bench --articles 1000000

Prints p50/p95 (ms) of: the statistics query filtered by campaign and unit, coverage per week, full-text
search (a rare phrase, a mid-frequency word, a word in a third of the articles), each of the dashboard's
API calls over HTTP, and a bounded load loop of concurrent clients against `pantau web` on 127.0.0.1
(p95, errors, the server's peak memory). The baseline, measured in the same run, is a primary-key lookup
of one article; every figure is also given as a ratio to it.

Library figures (`run_query`) are computed afresh on every call. Coverage is read from the weekly
summary (migration 0003); the lines "(counted from the articles)" time the same weeks counted by a
scan of the articles, as before the summary, for reference in the same run. The API keeps results that were slow
to compute until the store changes (pantau.read.queries.ResultCache), so each API line gives the first
call (computed) and then p50/p95 of the repeats. The machine's load average is printed first: these
machines are shared, and wall times scale with it.
"""

from __future__ import annotations

import argparse
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.make_synthetic_store import generate  # noqa: E402
from pantau.core.campaigns import load_campaigns  # noqa: E402
from pantau.read.queries import KINDS, Filters, PageRequest, Plan, ResultCache, run_query, sorted_statement  # noqa: E402
from pantau.store import open_store  # noqa: E402
from pantau.store.tables import Article  # noqa: E402

GOAL_P95_MS = 100.0
UNITS = ("percent", "IDR", "peserta")
SEARCHES = ("literasi digital", "hoaks", "pemerintah", "pembayaran nontunai")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


class Cpu:
    """CPU seconds used so far by the process doing the work (this one, or the API server): on a
    shared machine wall times grow with the load, CPU per call much less."""

    def __init__(self, pid: int | None = None):
        self.pid = pid
        self.last_ms: float | None = None

    def seconds(self) -> float:
        if self.pid is None:
            return time.process_time()
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def timed(call: Callable[[], Any], repeat: int, first: list[float] | None = None, cpu: Cpu | None = None) -> list[float]:
    start = time.perf_counter()
    call()  # warm the caches once, as a running server would be
    if first is not None:
        first.append((time.perf_counter() - start) * 1000)
    # Calls of a second or more are repeated fewer times (the all-article aggregates at 1M, uncached).
    repeat = repeat if not first or first[-1] < 1000 else max(3, repeat // 10)
    times = []
    used = cpu.seconds() if cpu else 0.0
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    if cpu:
        cpu.last_ms = (cpu.seconds() - used) * 1000 / repeat
    return times


def report(name: str, times: list[float], baseline_ms: float | None, first_ms: float | None = None,
           cpu: Cpu | None = None) -> dict[str, Any]:
    p50, p95 = percentile(times, 0.5), percentile(times, 0.95)
    ratio = f"  x{p50 / baseline_ms:,.0f} baseline" if baseline_ms else ""
    verdict = "" if baseline_ms is None else ("  ok" if p95 <= GOAL_P95_MS else f"  over the {GOAL_P95_MS:.0f} ms goal")
    cold = f"  first {first_ms:8.1f} ms" if first_ms is not None else ""
    used = f"  cpu {cpu.last_ms:6.1f} ms/call" if cpu and cpu.last_ms is not None else ""
    print(f"{name:<52}{cold} p50 {p50:8.1f} ms   p95 {p95:8.1f} ms{used}{ratio}{verdict}", flush=True)
    return {"name": name, "p50_ms": p50, "p95_ms": p95}


def count_articles(url: str) -> int:
    store = open_store(url)
    try:
        with store.session() as session:
            return session.scalar(select(func.count(Article.id))) or 0
    finally:
        store.dispose()


def bench_queries(url: str, campaigns: list[str], repeat: int) -> float:
    store = open_store(url)
    rng = random.Random(1)
    try:
        with store.session() as session:
            top = session.scalar(select(Article.id).order_by(Article.id.desc()).limit(1)) or 1

            def lookup() -> None:
                session.execute(select(Article.id, Article.title).where(Article.id == rng.randint(1, top))).all()

            def query(kind: str, cache: ResultCache | None = None, **filters: Any) -> Callable[[], Any]:
                return lambda: run_query(session, kind, Filters(**filters), PageRequest(1, 50), cache=cache)

            baseline = statistics.median(timed(lookup, repeat * 5))
            print(f"{'baseline: one article by primary key':<44} p50 {baseline:8.3f} ms")
            cases = []
            for campaign in campaigns[:2]:
                for unit in UNITS:
                    cases.append(
                        (f"statistics campaign={campaign} unit={unit}", query("statistics", campaign=campaign, unit=unit))
                    )

            def scanned_coverage(**filters: Any) -> Callable[[], Any]:
                # The weekly coverage counted from the articles, as before the summary (migration 0003):
                # the same-run reference for the summary's figures.
                statement, _ = sorted_statement(KINDS["coverage"], Filters(**filters), Plan(store.dialect), None)
                return lambda: session.execute(statement).all()

            for campaign in campaigns[:3]:
                cases.append((f"coverage per week campaign={campaign}", query("coverage", campaign=campaign)))
            cases.append((f"  (counted from the articles) campaign={campaigns[0]}", scanned_coverage(campaign=campaigns[0])))
            for words in SEARCHES:
                cases.append((f"full-text '{words}'", query("articles", q=words)))
            for words in SEARCHES[:2]:
                cases.append((f"full-text '{words}' + campaign", query("articles", q=words, campaign=campaigns[0])))
            cases.append(("statistics unit=percent, no campaign", query("statistics", unit="percent")))
            cases.append(("coverage per week, every article", query("coverage")))
            cases.append(("  (counted from the articles) every article", scanned_coverage()))
            cases.append(("coverage per week, outlet=kompas", query("coverage", outlet="kompas")))
            cpu = Cpu()
            for name, call in cases:
                first: list[float] = []
                report(name, timed(call, repeat, first, cpu), baseline, first[0], cpu)
        return baseline
    finally:
        store.dispose()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(url: str, port: int) -> subprocess.Popen:
    # The web package is importable from the project root (until it is installed with the project).
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    process = subprocess.Popen([str(ROOT / ".venv" / "bin" / "pantau"), "web", "--port", str(port)], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"pantau web exited: {process.stderr.read()}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=2).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("pantau web did not answer within 60 s")


def dashboard_calls(campaign: str | None) -> list[tuple[str, dict[str, Any]]]:
    """The requests the dashboard makes when it opens a campaign (web/static/dashboard.js loadAll)."""
    base = {"campaign": campaign} if campaign else {}
    return [
        ("summary", base), ("coverage", base), ("outlets", {**base, "page_size": 50}),
        ("places", {**base, "page_size": 500}), ("statistics", {**base, "page_size": 50}),
        ("quotes", {**base, "page_size": 100}), ("stories", {**base, "page_size": 10}),
        ("articles", {**base, "page_size": 20}),
    ]


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def bench_http(url: str, campaigns: list[str], repeat: int, clients: int, duration_s: float, baseline: float) -> None:
    port = free_port()
    server = start_server(url, port)
    base = f"http://127.0.0.1:{port}/api/"
    server_cpu = Cpu(server.pid)
    try:
        with httpx.Client(base_url=base, timeout=60) as client:
            startup = [("campaigns", {}), ("outlets", {"page_size": 100})]
            for label, calls in (("startup", startup), (campaigns[0], dashboard_calls(campaigns[0])),
                                 ("every article", dashboard_calls(None))):
                for path, params in calls:
                    first: list[float] = []
                    times = timed(lambda path=path, params=params: client.get(path, params=params).raise_for_status(),
                                  repeat, first, server_cpu)
                    report(f"API /api/{path} ({label})", times, baseline, first[0], server_cpu)
            for campaign in campaigns[1:]:
                def whole(campaign: str = campaign) -> list:
                    return [client.get(p, params=q).raise_for_status() for p, q in dashboard_calls(campaign)]

                first = []
                report(f"dashboard {campaign}: 8 calls in sequence", timed(whole, max(3, repeat // 3), first), None, first[0])
        latencies: list[float] = []
        errors: list[str] = []
        peak = [rss_kib(server.pid)]
        load_cpu = server_cpu.seconds()
        idle_rss = peak[0]
        stop = time.monotonic() + duration_s
        lock = threading.Lock()

        def client_loop(seed: int) -> None:
            rng = random.Random(seed)
            with httpx.Client(base_url=base, timeout=60) as session:
                while time.monotonic() < stop:
                    path, params = rng.choice(dashboard_calls(rng.choice(campaigns)))
                    start = time.perf_counter()
                    try:
                        response = session.get(path, params=params)
                        failed = None if response.status_code == 200 else f"HTTP {response.status_code}"
                    except httpx.HTTPError as error:
                        failed = type(error).__name__
                    with lock:
                        latencies.append((time.perf_counter() - start) * 1000)
                        if failed:
                            errors.append(failed)

        def sample_memory() -> None:
            while time.monotonic() < stop:
                peak[0] = max(peak[0], rss_kib(server.pid))
                time.sleep(0.2)

        threads = [threading.Thread(target=client_loop, args=(i,)) for i in range(clients)]
        threads.append(threading.Thread(target=sample_memory))
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        print(f"load loop: {clients} clients x {duration_s:.0f} s on 127.0.0.1: {len(latencies)} requests "
              f"({len(latencies) / duration_s:.1f}/s), p50 {percentile(latencies, 0.5):.0f} ms, "
              f"p95 {percentile(latencies, 0.95):.0f} ms, errors {len(errors)}"
              f"{' ' + str(sorted(set(errors))) if errors else ''}, server RSS {idle_rss / 1024:.0f} MiB idle -> "
              f"{peak[0] / 1024:.0f} MiB peak, server CPU {server_cpu.seconds() - load_cpu:.1f} s, "
              f"load average {os.getloadavg()[0]:.1f}")
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="a synthetic store (default: a temporary SQLite file)")
    parser.add_argument("--articles", type=int, default=20_000, help="generate this many articles when the store has fewer")
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--duration", type=float, default=20.0, help="seconds of the load loop")
    parser.add_argument("--no-http", action="store_true", help="measure the query layer only (no API server, no load loop)")
    args = parser.parse_args()
    os.environ.setdefault("PANTAU_CAMPAIGNS_FILE", str(ROOT / "campaigns.toml"))

    temporary = None
    url = args.database_url
    if url is None:
        temporary = tempfile.TemporaryDirectory(prefix="pantau-bench-")
        url = f"sqlite:///{temporary.name}/bench.db"
    existing = count_articles(url)
    if existing == 0:
        print(f"generating {args.articles:,} synthetic articles ...", file=sys.stderr)
        print(generate(url, args.articles), file=sys.stderr)
    elif existing < args.articles:
        raise SystemExit(f"{url} has {existing:,} articles, fewer than --articles {args.articles:,}: use an empty database")
    articles = count_articles(url)
    campaigns = [campaign.id for campaign in load_campaigns()]
    print(f"store: {url.split('@')[-1]}  articles: {articles:,}  campaigns: {len(campaigns)}  goal: p95 <= {GOAL_P95_MS:.0f} ms")
    print(f"machine: {os.cpu_count()} CPUs, load average {' '.join(f'{v:.1f}' for v in os.getloadavg())} at start")
    baseline = bench_queries(url, campaigns, args.repeat)
    if not args.no_http:
        bench_http(url, campaigns, args.repeat, args.clients, args.duration, baseline)
    if temporary:
        temporary.cleanup()


if __name__ == "__main__":
    main()
