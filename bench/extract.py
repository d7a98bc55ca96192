"""Throughput of the extraction stage against bare trafilatura.extract on the same real pages, same run.

Pages: every HTML page of the scrapinghub benchmark (181) and of trafilatura's evaluation set
(tests/eval + tests/cache, 1,032), read from ../shared (or $PANTAU_SHARED) into memory first.

Prints pages/s of (1) bare `trafilatura.extract` with the stage's options, (2) `extract_article`
in one process, (3) `extract_many` with the process pool (default workers), the overhead of (2) over
(1), the speed-up of (3) over (2), and peak memory (RSS of this process and of the pool workers,
sampled as the run goes, to show whether it stays flat).

    .venv/bin/python bench/extract.py [--limit N] [--workers N]
"""

from __future__ import annotations

import argparse
import gzip
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipeline.evaluation import shared_dir  # noqa: E402


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


def worker_rss_mb() -> float:
    import multiprocessing

    return sum(rss_mb(child.pid) for child in multiprocessing.active_children())


def timed(label: str, run, pages: list[bytes]) -> float:
    samples = []
    start = time.perf_counter()
    for index, _ in enumerate(run(pages)):
        if index % max(1, len(pages) // 8) == 0:
            samples.append(rss_mb() + worker_rss_mb())
    elapsed = time.perf_counter() - start
    print(f"{label:<42} {len(pages) / elapsed:7.1f} pages/s  ({elapsed:6.1f} s)  RSS samples MB: {' '.join(f'{s:.0f}' for s in samples)}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None, help="only the first N pages")
    parser.add_argument("--workers", type=int, default=None, help="pool size for the parallel run (default: CPU count)")
    args = parser.parse_args()

    import trafilatura

    from pipeline.extract import TRAFILATURA_OPTIONS, _warm, extract_job, extract_many

    pages = load_pages(args.limit)
    print(f"{len(pages)} pages, {sum(map(len, pages)) / 1e6:.0f} MB of HTML, {os.cpu_count()} CPUs, trafilatura {trafilatura.__version__}")
    _warm()  # models load once per process; not part of any page's cost

    def bare(pages):
        for page in pages:
            yield trafilatura.extract(page, **TRAFILATURA_OPTIONS)

    def stage(pages):
        for page in pages:
            yield extract_job([page], None)

    def pool(pages):
        return extract_many(((i, [page], None) for i, page in enumerate(pages)), workers=args.workers)

    bare_s = timed("bare trafilatura.extract (1 process)", bare, pages)
    stage_s = timed("extract_article (1 process)", stage, pages)
    pool_s = timed(f"extract_many (pool of {args.workers or os.cpu_count()})", pool, pages)
    peak_self = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    peak_children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"overhead of the stage over bare trafilatura: {100 * (stage_s / bare_s - 1):+.1f}%  (goal <= +15%)")
    print(f"pool speed-up over one process: {stage_s / pool_s:.2f}x  (goal >= 1.7x on 2 cores; includes worker start-up)")
    print(f"peak RSS: this process {peak_self:.0f} MB, largest worker {peak_children:.0f} MB")


if __name__ == "__main__":
    main()
