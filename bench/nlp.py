"""Throughput of the NLP stages together (no embeddings) on 500-word Indonesian articles, on one core.

Run: .venv/bin/python bench/nlp.py [--articles 300]
Prints articles/s for the whole pipeline, the per-stage split, and the tokenizer alone as the baseline
measured in the same run (goal: >= 150 articles/s).
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=300)
    args = parser.parse_args()
    import torch  # noqa: F401 - imported by some stages; pin to one thread below

    torch.set_num_threads(1)
    from models.nlp import build_nlp
    from pipeline.evaluation.ner import available_stages

    rng = random.Random(5)
    texts = [make_article(rng) for _ in range(args.articles)]
    nlp = build_nlp(stages=available_stages())
    for text in texts[:5]:  # warm-up
        nlp(text)

    started = time.perf_counter()
    docs = list(nlp.tokenizer.pipe(texts))
    tokenize_seconds = time.perf_counter() - started
    per_stage: dict[str, float] = {}
    for name, component in nlp.pipeline:
        started = time.perf_counter()
        docs = [component(doc) for doc in docs]
        per_stage[name] = time.perf_counter() - started
    total = tokenize_seconds + sum(per_stage.values())
    words = sum(len(text.split()) for text in texts) / len(texts)
    print(f"{len(texts)} articles of ~{words:.0f} words, stages: {', '.join(per_stage)}")
    print(f"all stages: {len(texts) / total:.1f} articles/s (goal >= 150)")
    print(f"baseline, tokenizer alone: {len(texts) / tokenize_seconds:.1f} articles/s")
    for name, seconds in [("tokenizer", tokenize_seconds), *per_stage.items()]:
        print(f"  {name:<22} {1000 * seconds / len(texts):7.2f} ms/article  {100 * seconds / total:5.1f}%")


if __name__ == "__main__":
    main()
