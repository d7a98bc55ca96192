"""Throughput of the extraction stage against bare trafilatura.extract on the same real pages, same run.

Pages: every HTML page of the scrapinghub benchmark (181) and of trafilatura's evaluation set
(tests/eval + tests/cache, 1,032), read from ../shared (or $PANTAU_SHARED) into memory first.

Prints pages/s of (1) bare `trafilatura.extract` with the stage's options, (2) `extract_article`
in one process, (3) `extract_many` with the process pool (default workers), the overhead of (2) over
(1), the speed-up of (3) over (2), and peak memory (RSS of this process and of the pool workers,
sampled as the run goes, to show whether it stays flat).

    .venv/bin/python bench/extract.py [--limit N] [--every K] [--workers N] [--no-pool]

Each side sees each page once, as in production: trafilatura keeps LRU caches of the lines it has
seen, so extracting a page right after the other side extracted the same page would be faster than
a first look (pairing page i with page i itself hid about a third of the stage's overhead).
"""

from __future__ import annotations

import argparse
import gzip
import multiprocessing
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import trafilatura  # noqa: E402

from pipeline.evaluation import shared_dir  # noqa: E402
from pipeline.extract import extract_many  # noqa: E402
from pipeline.extract.article import TRAFILATURA_OPTIONS  # noqa: E402
from pipeline.extract.pool import extract_job, warm_up  # noqa: E402


def load_pages(limit: int | None) -> list[bytes]:
    root = shared_dir() / "eval" / "extraction"
    files = sorted((root / "scrapinghub" / "html").glob("*.html.gz"))
    for sub in ("eval", "cache"):
        files += sorted((root / "trafilatura" / "tests" / sub).glob("*"))
    if not files:
        sys.exit(f"no pages under {root}; set PANTAU_SHARED")
    pages = [gzip.decompress(f.read_bytes()) if f.suffix == ".gz" else f.read_bytes() for f in files if f.is_file()]
    return pages[:limit] if limit else pages


def rss_mb(pid: int | str = "self") -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def cpu_seconds(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def process_cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def timed(label: str, run, pages: list[bytes], workers: int) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process and its workers) for one pass over the pages."""
    samples = []  # (this process, all workers, the largest worker) in MB, 16 times over the run
    # Pool workers are children of the fork server, not of this process: their CPU is read from /proc.
    worker_cpu: dict[int, float] = {}
    wall, cpu = time.perf_counter(), cpu_seconds(resource.RUSAGE_SELF)
    for index, _ in enumerate(run(pages)):
        children = [child for child in multiprocessing.active_children() if child.name == "pantau-extract"]
        for child in children:
            worker_cpu[child.pid] = max(worker_cpu.get(child.pid, 0.0), process_cpu_seconds(child.pid))
        if index % max(1, len(pages) // 16) == 0:
            sizes = [rss_mb(child.pid) for child in children]
            samples.append((rss_mb(), sum(sizes), max(sizes, default=0.0)))
    wall = time.perf_counter() - wall
    cpu = cpu_seconds(resource.RUSAGE_SELF) - cpu + sum(worker_cpu.values())
    print(f"{label:<40} wall {len(pages) / wall:6.1f} pages/s ({wall:6.1f} s) "
          f" CPU {len(pages) / cpu:6.1f} pages/CPU-s ({cpu:6.1f} s)")
    if not workers:
        return wall, cpu
    print(f"  worker processes used: {len(worker_cpu)} (recycled every few hundred pages); "
          f"workers busy {100 * sum(worker_cpu.values()) / (wall * workers):.0f}% of the run")
    print(f"  RSS MB of this process over the run:    {' '.join(f'{s[0]:.0f}' for s in samples)}")
    print(f"  RSS MB of all workers over the run:     {' '.join(f'{s[1]:.0f}' for s in samples)}")
    print(f"  RSS MB of the largest worker over the run: {' '.join(f'{s[2]:.0f}' for s in samples)}")
    return wall, cpu


def _busy_loop(steps: int) -> int:
    total = 0
    for step in range(steps):
        total += step * step % 7
    return total


def machine_scaling(workers: int, steps: int = 4_000_000, repeats: int = 3) -> float:
    """How much faster `workers` processes finish `workers` units of pure-Python CPU work than one process
    doing them in turn (best of `repeats` each): what this (virtual) machine's cores give, right now."""
    alone = together = float("inf")
    with multiprocessing.get_context("fork").Pool(workers) as processes:
        for _ in range(repeats):
            started = time.perf_counter()
            for _ in range(workers):
                _busy_loop(steps)
            alone = min(alone, time.perf_counter() - started)
            started = time.perf_counter()
            processes.map(_busy_loop, [steps] * workers, chunksize=1)
            together = min(together, time.perf_counter() - started)
    return alone / together


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None, help="only the first N pages")
    parser.add_argument("--every", type=int, default=1, help="only every K-th page (a quicker, still mixed sample)")
    parser.add_argument("--workers", type=int, default=None, help="pool size for the parallel run (default: CPU count)")
    parser.add_argument("--no-pool", action="store_true", help="skip the parallel run")
    args = parser.parse_args()

    pages = load_pages(args.limit)[:: max(1, args.every)]
    print(f"{len(pages)} pages, {sum(map(len, pages)) / 1e6:.0f} MB of HTML, {os.cpu_count()} CPUs, "
          f"trafilatura {trafilatura.__version__}")
    warm_up()  # models load once per process; not part of any page's cost

    def pool(pages):
        return extract_many(((i, [page], None) for i, page in enumerate(pages)), workers=args.workers)

    def one_process(pages):
        return extract_many(((i, [page], None) for i, page in enumerate(pages)), workers=0)

    print(f"load average before: {os.getloadavg()[0]:.1f} (this machine is shared; CPU seconds are the fair measure)")
    # Bare trafilatura and the stage alternate, so that the machine's load drifts equally over both
    # (which goes first alternates too); the same options, the same bytes. The stage takes page
    # i + n/2 while bare takes page i, so that neither finds the page in trafilatura's caches.
    def bare(page):
        trafilatura.extract(page, **TRAFILATURA_OPTIONS)

    def stage(page):
        extract_job([page], None)

    n = len(pages)
    spent = {bare: [0.0, 0.0], stage: [0.0, 0.0]}
    rss = []
    for index in range(n):
        pair = ((bare, pages[index]), (stage, pages[(index + n // 2) % n]))
        for run, page in pair if index % 2 == 0 else pair[::-1]:
            wall, cpu = time.perf_counter(), time.process_time()
            run(page)
            spent[run][0] += time.perf_counter() - wall
            spent[run][1] += time.process_time() - cpu
        if index % max(1, n // 8) == 0:
            rss.append(rss_mb())
    (bare_wall, bare_cpu), (stage_wall, stage_cpu) = spent[bare], spent[stage]
    print(f"{'bare trafilatura.extract (1 process)':<40} wall {n / bare_wall:6.1f} pages/s ({bare_wall:6.1f} s) "
          f" CPU {n / bare_cpu:6.1f} pages/CPU-s ({bare_cpu:6.1f} s)")
    print(f"{'extract_article (1 process)':<40} wall {n / stage_wall:6.1f} pages/s ({stage_wall:6.1f} s) "
          f" CPU {n / stage_cpu:6.1f} pages/CPU-s ({stage_cpu:6.1f} s)")
    print(f"RSS MB of the single process over the run: {' '.join(f'{r:.0f}' for r in rss)}")
    overhead = f"CPU {100 * (stage_cpu / bare_cpu - 1):+.1f}%, wall {100 * (stage_wall / bare_wall - 1):+.1f}%"
    print(f"overhead of the stage over bare trafilatura: {overhead}  (goal <= +15%)")
    if args.no_pool:
        return
    workers = args.workers or os.cpu_count() or 1
    # The machine's speed drifts with its other users: the single-process pass the pool is compared
    # with runs right before it, over the same pages, the same way (no timing between pages).
    inline_wall, inline_cpu = timed("extract_many (workers=0, this process)", one_process, pages, 0)
    pool_wall, pool_cpu = timed(f"extract_many (pool of {workers})", pool, pages, workers)
    # The ceiling: the same number of processes on CPU work that shares nothing, measured right after.
    ceiling = machine_scaling(workers)
    print(f"load average after: {os.getloadavg()[0]:.1f}")
    peak_self = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    speedup = inline_wall / pool_wall
    print(f"pool speed-up over one process (wall, includes worker start-up): {speedup:.2f}x  (goal >= 1.7x on 2 idle cores)")
    print(f"this machine's own {workers}-process speed-up on pure CPU work, same run: {ceiling:.2f}x; "
          f"the pool reaches {speedup / ceiling:.0%} of it")
    print(f"pool CPU per page vs one process: {pool_cpu / inline_cpu:.2f}x (1.00 = no parallel overhead)")
    print(f"peak RSS of this process: {peak_self:.0f} MB (it holds every page in memory; workers: see the samples above)")


if __name__ == "__main__":
    main()
