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
    from pipeline.evaluation import shared_dir
    from pipeline.evaluation.ner import DATASETS, guess_spaces, read_conll

    articles: list[str] = []
    for dataset in DATASETS.values():
        path = shared_dir() / dataset.relative_path
        if not path.exists():
            continue
        sentences, length = [], 0
        for sentence in read_conll(path, dataset):
            spaces = guess_spaces(sentence.tokens)
            sentences.append("".join(token + (" " if space else "") for token, space in zip(sentence.tokens, spaces)))
            length += len(sentence.tokens)
            if length >= words:
                articles.append(" ".join(sentences))
                sentences, length = [], 0
    if not articles:
        raise SystemExit("--real needs the NER test sets in ../shared/eval/ner (or PANTAU_SHARED)")
    return (articles * (count // len(articles) + 1))[:count]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument("--real", action="store_true", help="articles made of real news sentences from ../shared")
    args = parser.parse_args()
    import torch  # noqa: F401 - imported by some stages; pin to one thread below

    torch.set_num_threads(1)
    import spacy

    from models.nlp import build_nlp
    from pipeline.evaluation.ner import available_stages
    from pipeline.nlp import make_doc

    rng = random.Random(5)
    texts = real_articles(args.articles) if args.real else [make_article(rng) for _ in range(args.articles)]
    started, started_cpu = time.perf_counter(), time.process_time()
    nlp = build_nlp(stages=available_stages())
    build_seconds, build_cpu = time.perf_counter() - started, time.process_time() - started_cpu
    for text in texts[:5]:  # warm-up
        nlp(text)

    bare = spacy.blank("id")
    list(bare.tokenizer.pipe(texts[:5]))
    started = time.perf_counter()
    list(bare.tokenizer.pipe(texts))
    baseline_seconds = time.perf_counter() - started

    started = time.perf_counter()
    docs = [make_doc(nlp, text, None) for text in texts]
    tokenize_seconds = time.perf_counter() - started
    per_stage: dict[str, float] = {}
    for name, component in nlp.pipeline:
        started = time.perf_counter()
        docs = [component(doc) for doc in docs]
        per_stage[name] = time.perf_counter() - started
    total = tokenize_seconds + sum(per_stage.values())
    words = sum(len(text.split()) for text in texts) / len(texts)
    source = "real news sentences" if args.real else "generated"
    print(f"{len(texts)} articles of ~{words:.0f} words ({source}), stages: {', '.join(per_stage)}")
    print(f"start-up (build_nlp): {build_seconds:.1f} s wall, {build_cpu:.1f} s CPU")
    print(f"all stages: {len(texts) / total:.1f} articles/s (goal >= 150)")
    print(f"baseline, bare spacy.blank('id') tokenizer: {len(texts) / baseline_seconds:.1f} articles/s; "
          f"pipeline / baseline time: {total / baseline_seconds:.1f}x")
    for name, seconds in [("tokenizer (make_doc)", tokenize_seconds), *per_stage.items()]:
        print(f"  {name:<22} {1000 * seconds / len(texts):7.2f} ms/article  {100 * seconds / total:5.1f}%")
    print(f"load average: {' '.join(f'{value:.2f}' for value in os.getloadavg())}")


if __name__ == "__main__":
    main()
