"""Start-up: seconds from process start to the first tagged article, cold and warm, and `pantau analyze`.

Run: .venv/bin/python bench/startup.py [--warm-runs 5] [--analyze]

Each measurement is a fresh Python process that loads the NLP pipeline and tags one article (the first
of the replay corpus); the time runs from just before the process is started to the moment its tags
are ready, and the process's own CPU time is shown beside it (on a shared machine the steadier figure).
- baseline: the pipeline built from its resources, as every process did before the saved pipeline
  (torch imported first, as thinc did when spaCy was imported);
- cold: `load_nlp` with an empty data dir: built, then saved under `<data_dir>/cache/nlp`;
- warm: `load_nlp` again, the saved pipeline read back (goal: <= 3 s), best and median of `--warm-runs`;
- `--analyze`: the whole `pantau analyze ARTICLE.txt` command (extraction skipped for text, cleaning,
  language, NLP, the embedding model and campaign matching), warm, wall time of the command.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "crawlers" / "replay" / "corpus" / "articles"

CHILD = r"""
import json, resource, sys, time
mode, path = sys.argv[1], sys.argv[2]
entry = json.loads(open(path, encoding="utf-8").read())
if mode == "baseline":
    import torch  # noqa: F401 - what importing spaCy cost before (thinc imported torch)
    from pipeline.nlp.assembly import build_nlp
    nlp = build_nlp()
else:
    from pipeline.nlp.assembly import load_nlp
    nlp = load_nlp()
from pipeline.nlp import annotate
tags = annotate(nlp, "\n".join(entry["paragraphs"]), entry.get("dateline"))
print(json.dumps({"ready": time.time(), "cpu": time.process_time(), "places": len(tags["places"]),
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def child_env(data_dir: Path) -> dict[str, str]:
    """A fresh data dir (so the saved pipeline starts cold), with the prepared models of this checkout."""
    from pantau.core.config import get_settings  # noqa: PLC0415 - the parent stays light: it only times children

    models_dir = os.environ.get("PANTAU_MODELS_DIR") or str(get_settings().models_dir)
    return {**os.environ, "PANTAU_DATA_DIR": str(data_dir), "PANTAU_MODELS_DIR": models_dir, "PYTHONPATH": str(ROOT)}


def first_tag(mode: str, data_dir: Path, article: Path) -> dict:
    env = child_env(data_dir)
    started = time.time()
    completed = subprocess.run([sys.executable, "-c", CHILD, mode, str(article)], capture_output=True, text=True, env=env,
                               cwd=ROOT)
    if completed.returncode != 0:
        raise SystemExit(f"{mode}: failed: {completed.stderr.strip()[-2000:]}")
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    return {"seconds": round(result["ready"] - started, 2), "cpu": round(result["cpu"], 2), "places": result["places"],
            "peak_rss_mb": round(result["peak_rss_mb"], 1)}


def analyze_command(data_dir: Path, article: Path) -> float:
    entry = json.loads(article.read_text(encoding="utf-8"))
    text_file = data_dir / "article.txt"
    text_file.write_text(entry["title"] + "\n\n" + "\n".join(entry["paragraphs"]), encoding="utf-8")
    env = child_env(data_dir)
    started = time.perf_counter()
    completed = subprocess.run([sys.executable, "-m", "pantau.cli.main", "analyze", str(text_file), "--format", "json"],
                               capture_output=True, text=True, env=env, cwd=ROOT)
    seconds = time.perf_counter() - started
    if completed.returncode != 0:
        raise SystemExit(f"analyze: failed: {completed.stderr.strip()[-2000:]}")
    return round(seconds, 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--warm-runs", type=int, default=5)
    parser.add_argument("--analyze", action="store_true", help="also time `pantau analyze ARTICLE.txt`, warm")
    args = parser.parse_args()
    article = sorted(CORPUS.glob("*.json"))[0]
    with tempfile.TemporaryDirectory() as folder:
        data_dir = Path(folder) / "data"
        baseline = first_tag("baseline", data_dir, article)
        cold = first_tag("cached", data_dir, article)
        warm = [first_tag("cached", data_dir, article) for _ in range(max(1, args.warm_runs))]
        analyze = [analyze_command(data_dir, article) for _ in range(2)] if args.analyze else []
        saved = sum(path.stat().st_size for path in (data_dir / "cache" / "nlp").rglob("*") if path.is_file())
    best = min(warm, key=lambda run: run["seconds"])
    median = statistics.median(run["seconds"] for run in warm)
    load = os.getloadavg()
    assert len({run["places"] for run in [baseline, cold, *warm]}) == 1, "the runs tagged the article differently"
    print(f"first tag after process start ({article.name}); load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print(f"  baseline (built from resources, torch imported): {baseline['seconds']} s ({baseline['cpu']} s CPU)")
    print(f"  cold (built and saved): {cold['seconds']} s ({cold['cpu']} s CPU)")
    print(f"  warm (saved pipeline read back): best {best['seconds']} s ({best['cpu']} s CPU), median {median} s "
          f"of {len(warm)}; goal <= 3 s; x{baseline['seconds'] / best['seconds']:.1f} vs baseline; "
          f"peak RSS {best['peak_rss_mb']} MB; saved pipeline {saved / 2**20:.1f} MB")
    if analyze:
        print(f"  pantau analyze ARTICLE.txt, warm: {', '.join(str(s) for s in analyze)} s (whole command)")
    print(json.dumps({"baseline": baseline, "cold": cold, "warm": warm, "analyze_s": analyze, "load_average": load}))


if __name__ == "__main__":
    main()
