"""Embedding throughput and memory, and the cost of campaign matching and dedup per 1,000 articles.

Run: .venv/bin/python bench/embed.py [--models multilingual-e5-small,minilm] [--backends torch,onnx-int8]
     [--device auto] [--threads N] [--rounds N] [--repeat N] [--dedup-articles 1000]

Articles are the project's replay corpus (crawlers/replay/corpus, written for pantau: 72 Indonesian
news articles of 250-600 words). The first model runs once per backend (`--backends`: PyTorch fp32,
the reference, and the int8 ONNX Runtime model of `pantau models prepare`), the other models with
PyTorch. Each run is its own process so that its peak memory (max RSS; on CUDA also the peak GPU
allocation) is its own. `--device` applies to PyTorch (`auto` = CUDA when present; `cuda` for a GPU
check); onnx-int8 always runs on the CPU. `--threads` (default: every core) applies to both.
On a shared machine: `--rounds` runs the processes in turn that many times and `--repeat` embeds
the corpus that many times per process; the best pass counts.

Per run it prints: articles/s and chunks/s for chunk + embed of every chunk (what an article that
could match a campaign costs; the others are embedded by their lead alone),
peak memory, and the ratio to the first run. Between the backends: the lowest cosine between their
vectors of the same chunks, and whether campaign matching decides every (article, campaign) pair
of the corpus the same (and the largest score difference). For the first run it also prints, per
1,000 articles:
- matching: `CampaignMatcher.match_many` embedding what it needs itself (`pantau analyze`, no store),
  and with the vectors given (the process stage: leads and chunks cached per text version, so
  matching embeds nothing);
- dedup: `assign_duplicates_and_stories` in batches of 64 on a store of 1,000 articles (the corpus
  repeated with publication dates 40 days apart per repetition so that repetitions never fall in the
  same window), article embeddings already cached (their cost is the line above), and the ratio of
  dedup time to embedding time for the same articles.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the tree this script is in, not an installed copy

from pantau.core.campaigns import load_campaigns  # noqa: E402
from pantau.store import open_store  # noqa: E402
from pantau.store.tables import Article, ArticlePlace  # noqa: E402
from pipeline.campaigns.matching import ArticleForMatching, CampaignMatcher  # noqa: E402
from pipeline.dedup import assign_duplicates_and_stories  # noqa: E402
from pipeline.embeddings import compute_article_vectors, embed_articles, load_embedder  # noqa: E402

CORPUS = ROOT / "crawlers" / "replay" / "corpus" / "articles"


def corpus_articles() -> list[dict]:
    return [json.loads(path.read_text(encoding="utf-8")) for path in sorted(CORPUS.glob("*.json"))]


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def worker(model: str, backend: str, device: str, threads: int, repeat: int, dedup_articles: int, with_pipeline: bool,
           vectors_out: str | None) -> dict:
    """Runs in a child process: one model and backend, all measurements, JSON on stdout.

    CPU time (all threads of the process) is reported beside wall time: on a shared machine it says
    how much work a pass took even when the process waited for a core."""
    os.environ["PANTAU_EMBEDDING__THREADS"] = str(threads)
    entries = corpus_articles()
    texts = ["\n".join(entry["paragraphs"]) for entry in entries]
    started = time.perf_counter()
    embedder = load_embedder(model, device="cpu" if backend == "onnx-int8" else device, backend=backend)
    load_s = time.perf_counter() - started
    cuda = embedder.device.startswith("cuda")
    torch = None
    if backend == "torch":
        import torch  # noqa: PLC0415 - the onnx-int8 worker must run without torch: its peak memory is part of the result
    embedder.embed_passages(["pemanasan"])  # first call allocates; not part of the throughput
    if cuda:
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
    chunks = sum(len(embedder.chunk(text)) for text in texts)
    passes, cpu = [], []
    for _ in range(max(1, repeat)):
        started, started_cpu = time.perf_counter(), time.process_time()
        vectors = compute_article_vectors(embedder, texts, with_lead=False)  # every chunk: what an article that could match costs
        if cuda:
            torch.cuda.synchronize()
        passes.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    embed_s = min(passes)
    used_threads = torch.get_num_threads() if torch is not None else embedder._model.threads
    result = {
        "model": embedder.name, "backend": embedder.backend, "device": embedder.device, "threads": used_threads,
        "articles": len(texts), "chunks": chunks, "load_s": round(load_s, 2), "embed_s": round(embed_s, 3),
        "passes_s": [round(p, 2) for p in passes], "embed_cpu_s": round(min(cpu), 2),
        "articles_per_s": round(len(texts) / embed_s, 2), "chunks_per_s": round(chunks / embed_s, 2),
    }
    if cuda:
        result["gpu_peak_mb"] = round(torch.cuda.max_memory_allocated() / 2**20, 1)
    if vectors_out:
        np.save(vectors_out, np.vstack([v.chunks for v in vectors]))
        result["decisions"] = decisions(embedder, entries)
    if with_pipeline:
        result.update(matching_cost(embedder, entries))
        result.update(dedup_cost(embedder, entries, dedup_articles, embed_s / len(texts)))
    result["peak_rss_mb"] = round(peak_rss_mb(), 1)
    return result


def decisions(embedder, entries: list[dict]) -> list[list[list]]:
    """[matched, score] per campaign per article."""
    matcher = CampaignMatcher(load_campaigns(), embedder)
    articles = [
        ArticleForMatching(title=e["title"], text="\n".join(e["paragraphs"]),
                           published_at=datetime.fromisoformat(e["published_at"]))
        for e in entries
    ]
    return [[[d.matched, d.score] for d in per_article] for per_article in matcher.match_many(articles)]


def matching_cost(embedder, entries: list[dict]) -> dict:
    matcher = CampaignMatcher(load_campaigns(), embedder)
    articles = [
        ArticleForMatching(title=e["title"], text="\n".join(e["paragraphs"]),
                           published_at=datetime.fromisoformat(e["published_at"]))
        for e in entries
    ]
    started = time.perf_counter()
    matcher.match_many(articles)
    with_embedding = time.perf_counter() - started
    known = compute_article_vectors(embedder, [a.text for a in articles])  # as the store's cache gives them
    started = time.perf_counter()
    matcher.match_many(articles, lambda texts, flags: known)
    decisions_only = time.perf_counter() - started
    per_1000 = 1000 / len(articles)
    return {
        "matching_s_per_1000": round(with_embedding * per_1000, 2),
        "matching_decisions_only_s_per_1000": round(decisions_only * per_1000, 3),
    }


def dedup_cost(embedder, entries: list[dict], total: int, embed_s_per_article: float) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        store = open_store(f"sqlite:///{folder}/bench.db")
        ids: list[int] = []
        with store.session() as session:
            embed_articles(session, embedder, ["\n".join(e["paragraphs"]) for e in entries])  # the leads, cached as process does
            for n in range(total):
                entry = entries[n % len(entries)]
                repetition = n // len(entries)
                published = datetime.fromisoformat(entry["published_at"]) + timedelta(days=40 * repetition)
                article = Article(
                    url_key=f"https://bench.example/{repetition}/{entry['id']}", url=f"https://bench.example/{repetition}/{entry['id']}",
                    outlet_id=entry["outlet"], title=entry["title"], text="\n".join(entry["paragraphs"]),
                    dateline=entry["dateline"],
                    published_at=published, pipeline_version="bench", processed_at=published, is_article=True,
                )
                article.places = [ArticlePlace(name=entry["city"], level="city", surface=[entry["dateline"]])]
                session.add(article)
                session.flush()
                ids.append(article.id)
        started = time.perf_counter()
        duplicates = stories = 0
        for start in range(0, len(ids), 64):
            with store.session() as session:
                report = assign_duplicates_and_stories(session, ids[start : start + 64], embedder)
                duplicates += report.duplicates
                stories += report.new_stories
        dedup_s = time.perf_counter() - started
        store.dispose()
    per_1000 = 1000 / total
    return {
        "dedup_articles": total, "dedup_s_per_1000": round(dedup_s * per_1000, 2), "dedup_duplicates": duplicates,
        "dedup_new_stories": stories,
        "dedup_vs_embedding": round(dedup_s / (embed_s_per_article * total), 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--models", default="multilingual-e5-small,minilm")
    parser.add_argument("--backends", default="torch,onnx-int8", help="backends of the first model; the first is the baseline")
    parser.add_argument("--device", default="auto", help="device of the PyTorch runs: auto, cpu or cuda")
    parser.add_argument("--threads", type=int, default=0, help="CPU threads (0: every core)")
    parser.add_argument("--rounds", type=int, default=1, help="run the processes in turn this many times; the best counts")
    parser.add_argument("--repeat", type=int, default=1, help="embedding passes per process; the best counts")
    parser.add_argument("--dedup-articles", type=int, default=1000)
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--backend", default="torch", help=argparse.SUPPRESS)
    parser.add_argument("--pipeline", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--vectors-out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args.backend, args.device, args.threads, args.repeat, args.dedup_articles,
                                args.pipeline, args.vectors_out)))
        return
    models = [m.strip() for m in args.models.split(",") if m.strip()]
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    runs = [(models[0], backend) for backend in backends] + [(model, "torch") for model in models[1:]]
    best: dict[tuple[str, str], dict] = {}
    with tempfile.TemporaryDirectory() as folder:
        for round_number in range(max(1, args.rounds)):
            for position, (model, backend) in enumerate(runs):
                command = [sys.executable, __file__, "--worker", model, "--backend", backend, "--device", args.device,
                           "--threads", str(args.threads), "--repeat", str(args.repeat),
                           "--dedup-articles", str(args.dedup_articles)]
                if position == 0 and round_number == 0:
                    command.append("--pipeline")
                if model == models[0] and round_number == 0:
                    command += ["--vectors-out", str(Path(folder) / f"{backend}.npy")]
                completed = subprocess.run(command, capture_output=True, text=True)
                if completed.returncode != 0:
                    error = completed.stderr.strip()
                    print(f"{model} ({backend}): failed: {error.splitlines()[-1] if error else completed.returncode}")
                    continue
                result = json.loads(completed.stdout.strip().splitlines()[-1])
                kept = best.setdefault((model, backend), result)
                if kept is result:
                    continue
                if result["articles_per_s"] > kept["articles_per_s"]:
                    kept.update({k: result[k] for k in ("embed_s", "articles_per_s", "chunks_per_s")})
                kept["embed_cpu_s"] = min(kept["embed_cpu_s"], result["embed_cpu_s"])
                kept["passes_s"] = kept["passes_s"] + result["passes_s"]
                kept["peak_rss_mb"] = max(kept["peak_rss_mb"], result["peak_rss_mb"])
        agreement = compare_backends(folder, [best.get((models[0], b)) for b in backends], backends)
    results = [best[run] for run in runs if run in best]
    for result in results:
        result.pop("decisions", None)
    report(results, agreement)
    print(json.dumps({"runs": results, "agreement": agreement, "load_average": os.getloadavg()}, default=str))


def compare_backends(folder: str, results: list, backends: list[str]) -> list[dict]:
    """Lowest cosine of each backend's chunk vectors to the first backend's, and campaign decisions compared."""
    if not results or results[0] is None or not (Path(folder) / f"{backends[0]}.npy").exists():
        return []
    reference = np.load(Path(folder) / f"{backends[0]}.npy")
    found = []
    for backend, result in zip(backends[1:], results[1:], strict=True):
        path = Path(folder) / f"{backend}.npy"
        if result is None or not path.exists():
            continue
        similarity = np.sum(reference * np.load(path), axis=1)
        pairs = [(a, b) for x, y in zip(results[0]["decisions"], result["decisions"], strict=True)
                 for a, b in zip(x, y, strict=True)]
        found.append({
            "backend": backend, "baseline": backends[0], "chunks": int(len(similarity)),
            "min_cosine": round(float(similarity.min()), 4), "mean_cosine": round(float(similarity.mean()), 4),
            "pairs": len(pairs), "matched": sum(1 for a, _ in pairs if a[0]),
            "different_decisions": sum(1 for a, b in pairs if a[0] != b[0]),
            "max_score_difference": round(max(abs(a[1] - b[1]) for a, b in pairs), 4),
        })
    return found


def report(results: list[dict], agreement: list[dict]) -> None:
    baseline = results[0] if results else None
    load = os.getloadavg()
    print(f"load average at the end: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    for result in results:
        ratio = result["articles_per_s"] / baseline["articles_per_s"]
        print(f"{result['model']} {result['backend']} on {result['device']} ({result['threads']} threads): "
              f"{result['articles_per_s']} articles/s, "
              f"{result['chunks_per_s']} chunks/s ({result['articles']} articles, {result['chunks']} chunks; passes "
              f"{', '.join(str(p) for p in result['passes_s'])} s), peak RSS {result['peak_rss_mb']} MB"
              + (f", GPU peak {result['gpu_peak_mb']} MB" if "gpu_peak_mb" in result else "")
              + f", load {result['load_s']} s; x{ratio:.2f} vs {baseline['model']} {baseline['backend']} "
              f"(CPU time of a pass {result['embed_cpu_s']} s, x{baseline['embed_cpu_s'] / result['embed_cpu_s']:.2f})")
        if "dedup_s_per_1000" in result:
            print(f"  matching per 1,000 articles: {result['matching_s_per_1000']} s embedding its passages, "
                  f"{result.get('matching_decisions_only_s_per_1000', '-')} s with the cached vectors (the process stage)")
            print(f"  dedup per 1,000 articles: {result['dedup_s_per_1000']} s (embeddings cached), "
                  f"{result['dedup_vs_embedding']}x the embedding time of the same articles; "
                  f"{result['dedup_duplicates']} copies found, {result['dedup_new_stories']} stories")
    for item in agreement:
        print(f"{item['backend']} vs {item['baseline']}: cosine of the same chunks "
              f"min {item['min_cosine']}, mean {item['mean_cosine']} "
              f"({item['chunks']} chunks); campaign decisions: {item['different_decisions']} of {item['pairs']} pairs differ "
              f"({item['matched']} matched), largest score difference {item['max_score_difference']}")


if __name__ == "__main__":
    main()
