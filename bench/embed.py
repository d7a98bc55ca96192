"""Embedding throughput and memory, and the cost of campaign matching and dedup per 1,000 articles.

Run: .venv/bin/python bench/embed.py [--models multilingual-e5-small,minilm] [--device auto] [--dedup-articles 1000]

Articles are the project's replay corpus (crawlers/replay/corpus, written for pantau: 72 Indonesian
news articles of 250-600 words). Each model runs in its own process so that its peak memory
(max RSS; on CUDA also the peak GPU allocation) is its own. `--device auto` uses CUDA when present;
the CPU run uses every core torch sees (two on the development machines).

Per model it prints: articles/s and chunks/s for chunk + embed (the cached path's first visit),
peak memory, and the ratio to the first model measured in the same run. For the default model it
also prints, per 1,000 articles:
- matching: `CampaignMatcher.match_many` embedding its passages itself (`pantau analyze`, no store),
  and with the chunk vectors of the embedding pass above given (the process stage: the passages are
  the embedder's chunks, cached per text version, so matching embeds nothing);
- dedup: `assign_duplicates_and_stories` in batches of 64 on a store of 1,000 articles (the corpus
  repeated with publication dates 40 days apart per repetition so that repetitions never fall in the
  same window), article embeddings already cached (their cost is the line above), and the ratio of
  dedup time to embedding time for the same articles.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.embeddings import compute_article_vectors, embed_articles, load_embedder  # noqa: E402

CORPUS = ROOT / "crawlers" / "replay" / "corpus" / "articles"


def corpus_articles() -> list[dict]:
    return [json.loads(path.read_text(encoding="utf-8")) for path in sorted(CORPUS.glob("*.json"))]


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def worker(model: str, device: str, dedup_articles: int, with_pipeline: bool) -> dict:
    """Runs in a child process: one model, all measurements, JSON on stdout."""
    import torch  # noqa: PLC0415 - heavy: torch (~2 s); only the per-model child processes need it, not the parent that starts them

    entries = corpus_articles()
    texts = ["\n".join(entry["paragraphs"]) for entry in entries]
    started = time.perf_counter()
    embedder = load_embedder(model, device=device)
    load_s = time.perf_counter() - started
    embedder.embed_passages(["pemanasan"])  # first call allocates; not part of the throughput
    if embedder.device.startswith("cuda"):
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()
    chunks = sum(len(embedder.chunk(text)) for text in texts)
    started = time.perf_counter()
    vectors = compute_article_vectors(embedder, texts)
    if embedder.device.startswith("cuda"):
        torch.cuda.synchronize()
    embed_s = time.perf_counter() - started
    result = {
        "model": embedder.name, "device": embedder.device, "threads": torch.get_num_threads(), "articles": len(texts),
        "chunks": chunks, "load_s": round(load_s, 2), "embed_s": round(embed_s, 3),
        "articles_per_s": round(len(texts) / embed_s, 2), "chunks_per_s": round(chunks / embed_s, 2),
    }
    if embedder.device.startswith("cuda"):
        result["gpu_peak_mb"] = round(torch.cuda.max_memory_allocated() / 2**20, 1)
    if with_pipeline:
        result.update(matching_cost(embedder, entries, [v.chunks for v in vectors]))
        result.update(dedup_cost(embedder, entries, dedup_articles, embed_s / len(texts)))
    result["peak_rss_mb"] = round(peak_rss_mb(), 1)
    return result


def matching_cost(embedder, entries: list[dict], chunk_vectors: list) -> dict:
    try:
        from pantau.core.campaigns import load_campaigns  # noqa: PLC0415 - kept out of the other models' processes, whose peak RSS must be the model's own (these add ~30 MB)
        from pipeline.campaigns.matching import ArticleForMatching, CampaignMatcher  # noqa: PLC0415 - kept out of the other models' processes, whose peak RSS must be the model's own (these add ~30 MB)
    except ImportError as error:
        return {"matching": f"not measured: {error}"}
    matcher = CampaignMatcher(load_campaigns(), embedder)
    articles = [
        ArticleForMatching(
            title=e["title"], text="\n".join(e["paragraphs"]), published_at=datetime.fromisoformat(e["published_at"])
        )
        for e in entries
    ]
    started = time.perf_counter()
    matcher.match_many(articles)
    with_embedding = time.perf_counter() - started
    for article, vectors in zip(articles, chunk_vectors, strict=True):
        article.paragraph_vectors = vectors
    started = time.perf_counter()
    matcher.match_many(articles)
    decisions_only = time.perf_counter() - started
    per_1000 = 1000 / len(articles)
    return {
        "matching_s_per_1000": round(with_embedding * per_1000, 2),
        "matching_decisions_only_s_per_1000": round(decisions_only * per_1000, 3),
    }


def dedup_cost(embedder, entries: list[dict], total: int, embed_s_per_article: float) -> dict:
    from pantau.store import open_store  # noqa: PLC0415 - kept out of the other models' processes, whose peak RSS must be the model's own (these add ~30 MB)
    from pantau.store.tables import Article, ArticlePlace  # noqa: PLC0415 - kept out of the other models' processes, whose peak RSS must be the model's own (these add ~30 MB)
    from pipeline.dedup import assign_duplicates_and_stories  # noqa: PLC0415 - kept out of the other models' processes, whose peak RSS must be the model's own (these add ~30 MB)

    with tempfile.TemporaryDirectory() as folder:
        store = open_store(f"sqlite:///{folder}/bench.db")
        ids: list[int] = []
        with store.session() as session:
            embed_articles(session, embedder, ["\n".join(e["paragraphs"]) for e in entries])  # the cache, as process does
            for n in range(total):
                entry = entries[n % len(entries)]
                repetition = n // len(entries)
                published = datetime.fromisoformat(entry["published_at"]) + timedelta(days=40 * repetition)
                article = Article(
                    url_key=f"https://bench.example/{repetition}/{entry['id']}",
                    url=f"https://bench.example/{repetition}/{entry['id']}",
                    outlet_id=entry["outlet"], title=entry["title"], text="\n".join(entry["paragraphs"]),
                    dateline=entry["dateline"], published_at=published, pipeline_version="bench", processed_at=published,
                    is_article=True,
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
    parser.add_argument("--device", default="auto")
    parser.add_argument("--dedup-articles", type=int, default=1000)
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--pipeline", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args.device, args.dedup_articles, args.pipeline)))
        return
    results = []
    for position, model in enumerate(m.strip() for m in args.models.split(",") if m.strip()):
        command = [sys.executable, __file__, "--worker", model, "--device", args.device,
                   "--dedup-articles", str(args.dedup_articles)]
        if position == 0:
            command.append("--pipeline")
        completed = subprocess.run(command, capture_output=True, text=True)
        if completed.returncode != 0:
            print(f"{model}: failed: "
                  f"{completed.stderr.strip().splitlines()[-1] if completed.stderr.strip() else completed.returncode}")
            continue
        results.append(json.loads(completed.stdout.strip().splitlines()[-1]))
    baseline = results[0] if results else None
    for result in results:
        ratio = result["articles_per_s"] / baseline["articles_per_s"]
        print(f"{result['model']} on {result['device']} ({result['threads']} threads): {result['articles_per_s']} articles/s, "
              f"{result['chunks_per_s']} chunks/s ({result['articles']} articles, {result['chunks']} chunks), "
              f"peak RSS {result['peak_rss_mb']} MB"
              + (f", GPU peak {result['gpu_peak_mb']} MB" if "gpu_peak_mb" in result else "")
              + f", load {result['load_s']} s; x{ratio:.2f} vs {baseline['model']}")
        if "dedup_s_per_1000" in result:
            print("  matching per 1,000 articles: "
                  f"{result.get('matching_s_per_1000', result.get('matching'))} s embedding its passages, "
                  f"{result.get('matching_decisions_only_s_per_1000', '-')} s with the cached chunk vectors (the process stage)")
            print(f"  dedup per 1,000 articles: {result['dedup_s_per_1000']} s (embeddings cached), "
                  f"{result['dedup_vs_embedding']}x the embedding time of the same articles; "
                  f"{result['dedup_duplicates']} copies found, {result['dedup_new_stories']} stories")
    print(json.dumps(results))


if __name__ == "__main__":
    main()
