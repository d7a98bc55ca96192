"""Throughput of the NLP stages together (no embeddings) on 500-word Indonesian articles, on one core.

Run: taskset -c 0 .venv/bin/python bench/nlp.py [--articles 200] [--real]
Prints the start-up time (building the pipeline), articles/s for the whole pipeline (tokenising included, as
`annotate_many` does it), the per-stage split, and the tokenizer of a bare `spacy.blank("id")` as the
baseline measured in the same run (goal: >= 150 articles/s). `--real` uses articles made of consecutive
sentences of the NER test sets in ../shared (real news text, a far larger vocabulary than the template
articles) instead of the generated ones.
"""

from __future__ import annotations

import argparse
import os
import random
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")

# Imported after OMP_NUM_THREADS is set: torch reads it when it starts.
import spacy  # noqa: E402
import torch  # noqa: E402

from pipeline.evaluation import shared_dir  # noqa: E402
from pipeline.evaluation.ner import DATASETS, guess_spaces, read_conll  # noqa: E402
from pipeline.nlp import make_doc  # noqa: E402
from pipeline.nlp.assembly import build_nlp  # noqa: E402

SENTENCES = [
    "Kementerian Komunikasi dan Digital (Komdigi) menggelar pelatihan literasi digital bagi {n} pelaku UKM di {city}.",
    "\"Kami ingin UMKM bisa berjualan secara daring,\" kata {person}, Kepala Dinas Koperasi {city}.",
    "Menurut survei Asosiasi E-Commerce Indonesia (IdEA), sekitar {p} persen UKM sudah memanfaatkan marketplace.",
    "Program ini didukung Facebook, Google dan Tokopedia serta pemerintah Provinsi {province}.",
    "Sebanyak {n} peserta dari Kabupaten {regency} mengikuti kelas yang berlangsung selama {d} hari.",
    "Nilai transaksi e-commerce diperkirakan mencapai Rp {money} triliun tahun ini.",
    "Wali Kota {city} menyebut pelatihan serupa akan digelar lagi pada bulan depan.",
    "Peserta belajar membuat foto produk, menulis deskripsi, dan mengelola iklan di Instagram.",
    "Hampir {p} persen responden mengaku baru pertama kali berjualan secara online.",
    "Kegiatan itu juga dihadiri perwakilan dari Singapura dan Malaysia yang berbagi pengalaman.",
    "Ia berharap pelaku usaha di {city} dan sekitarnya tidak tertinggal dalam ekonomi digital.",
    "Direktur Jenderal Aplikasi Informatika, {person}, mengatakan target tahun ini {n} ribu peserta.",
]
CITIES = ["Surabaya", "Makassar", "Medan", "Bandung", "Solo", "Jogja", "Denpasar", "Manado", "Kupang", "Pontianak"]
PROVINCES = ["Jawa Timur", "Sulawesi Selatan", "Sumatera Utara", "Jawa Barat", "Bali", "Gorontalo"]
REGENCIES = ["Bogor", "Malang", "Gowa", "Sleman", "Badung", "Deli Serdang"]
PEOPLE = ["Ruben Hattari", "Samuel Abrijani Pangerapan", "Dr. Siti Aminah", "Budi Santoso"]


def make_article(rng: random.Random, words: int = 500) -> str:
    parts: list[str] = []
    count = 0
    while count < words:
        sentence = rng.choice(SENTENCES).format(
            n=rng.choice(["1.800", "250", "3.000", "12"]), p=rng.choice(["16", "2,5", "40"]),
            d=rng.choice(["dua", "3", "lima"]), money=rng.choice(["2,5", "10", "1.200"]),
            city=rng.choice(CITIES), province=rng.choice(PROVINCES), regency=rng.choice(REGENCIES),
            person=rng.choice(PEOPLE))
        parts.append(sentence)
        count += len(sentence.split())
    return " ".join(parts)


def real_articles(count: int, words: int = 500) -> list[str]:
    """Articles of about `words` words from consecutive sentences of the NER test sets (real news text)."""
    articles: list[str] = []
    for dataset in DATASETS.values():
        path = shared_dir() / dataset.relative_path
        if not path.exists():
            continue
        sentences, length = [], 0
        for sentence in read_conll(path, dataset):
            spaces = guess_spaces(sentence.tokens)
            sentences.append(
                "".join(token + (" " if space else "") for token, space in zip(sentence.tokens, spaces, strict=True))
            )
            length += len(sentence.tokens)
            if length >= words:
                articles.append(" ".join(sentences))
                sentences, length = [], 0
    if not articles:
        raise SystemExit("--real needs the NER test sets in ../shared/eval/ner (or PANTAU_SHARED)")
    return (articles * (count // len(articles) + 1))[:count]


def _timed(work) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of `work()`."""
    wall, cpu = time.perf_counter(), time.process_time()
    work()
    return time.perf_counter() - wall, time.process_time() - cpu


def _run_stages(nlp, texts: list[str], make_doc) -> tuple[dict[str, tuple[float, float]], list]:
    """Times of making the Docs (tokenizer) and of each stage over all texts, as `annotate_many` runs them."""
    timings: dict[str, tuple[float, float]] = {}
    docs: list = []
    timings["tokenizer (make_doc)"] = _timed(lambda: docs.extend(make_doc(nlp, text, None) for text in texts))
    for name, component in nlp.pipeline:
        done: list = []
        timings[name] = _timed(lambda component=component, docs=docs, done=done: done.extend(component(doc) for doc in docs))
        docs = done
    return timings, docs


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument("--real", action="store_true", help="articles made of real news sentences from ../shared")
    parser.add_argument("--repeat", type=int, default=3, help="runs; the best time of each stage is reported")
    args = parser.parse_args()
    torch.set_num_threads(1)  # some stages run torch: one thread, like everything else measured here

    rng = random.Random(5)
    texts = real_articles(args.articles) if args.real else [make_article(rng) for _ in range(args.articles)]
    started, started_cpu = time.perf_counter(), time.process_time()
    nlp = build_nlp()
    build_seconds, build_cpu = time.perf_counter() - started, time.process_time() - started_cpu
    for text in texts[:5]:  # warm-up
        nlp(text)

    bare = spacy.blank("id")
    baseline = min(_timed(lambda: [bare.make_doc(text) for text in texts]) for _ in range(args.repeat))
    # The best of `repeat` runs per stage, by wall clock and by CPU time: on a shared machine the CPU time of
    # this process is the steadier figure; on an idle one they agree.
    best: dict[str, tuple[float, float]] = {}
    for _ in range(args.repeat):
        timings, docs = _run_stages(nlp, texts, make_doc)
        for name, (wall, cpu) in timings.items():
            best[name] = (min(wall, best.get(name, (wall, cpu))[0]), min(cpu, best.get(name, (wall, cpu))[1]))
    total_wall = sum(wall for wall, _ in best.values())
    total_cpu = sum(cpu for _, cpu in best.values())
    words = sum(len(text.split()) for text in texts) / len(texts)
    source = "real news sentences" if args.real else "generated"
    print(f"{len(texts)} articles of ~{words:.0f} words ({source}), best of {args.repeat} runs; "
          f"stages: {', '.join(name for name, _ in nlp.pipeline)}")
    print(f"start-up (build_nlp): {build_seconds:.1f} s wall, {build_cpu:.1f} s CPU")
    print(f"all stages: {len(texts) / total_wall:.1f} articles/s wall, {len(texts) / total_cpu:.1f} articles/s CPU "
          f"(goal >= 150)")
    print(f"baseline, bare spacy.blank('id') tokenizer: {len(texts) / baseline[0]:.1f} articles/s wall, "
          f"{len(texts) / baseline[1]:.1f} CPU; pipeline / baseline: {total_wall / baseline[0]:.1f}x wall, "
          f"{total_cpu / baseline[1]:.1f}x CPU")
    for name, (wall, cpu) in best.items():
        print(f"  {name:<22} {1000 * wall / len(texts):7.2f} ms/article wall {1000 * cpu / len(texts):7.2f} CPU  "
              f"{100 * cpu / total_cpu:5.1f}%")
    print(f"load average: {' '.join(f'{value:.2f}' for value in os.getloadavg())}")


if __name__ == "__main__":
    main()
