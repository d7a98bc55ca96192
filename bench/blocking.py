"""Wall detection (crawlers/blocking.py) on real article pages: how many are taken for a wall (goal 0)
and what it costs per page, against parsing the same page with lxml in this same run.

    .venv/bin/python bench/blocking.py [--shared ../shared]

The pages are the extraction evaluation sets of ../shared (real articles of many sites, 2010s-2020s).
"""

from __future__ import annotations

import argparse
import gzip
import sys
import time
from pathlib import Path

import lxml.html

from crawlers.blocking import build_signs, detect_wall, generic_signs, page_shape

URL = "https://example.org/2024/01/15/artikel"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=Path(__file__).resolve().parents[1].parent / "shared")
    parser.add_argument("--rounds", type=int, default=3, help="timing rounds (the best is reported)")
    args = parser.parse_args()
    folder = args.shared / "eval" / "extraction"
    if not folder.is_dir():
        print(f"no real pages: {folder} is absent (pass --shared)", file=sys.stderr)
        return 2
    paths = sorted(path for path in folder.rglob("*") if path.is_file() and ".htm" in path.name)
    pages = [gzip.decompress(path.read_bytes()) if path.name.endswith(".gz") else path.read_bytes() for path in paths]
    signs = build_signs(generic_signs())

    def detect(body: bytes):  # noqa: ANN202
        return detect_wall(status=200, headers={}, body=body, url=URL, requested_url=URL, signs=signs, article=True)

    walls = [(path.name, found) for path, found in zip(paths, map(detect, pages), strict=True) if found is not None]
    words = sorted(page_shape(body).words for body in pages)
    print(f"{len(pages)} real pages, {sum(map(len, pages)) // len(pages):,} bytes on average")
    print(f"taken for a wall: {len(walls)} (goal 0)")
    for name, found in walls:
        print(f"  {name}: {found.label} ({found.detail})")
    print(f"visible words: fewest {words[0]}, 1st percentile {words[len(words) // 100]}, median {words[len(words) // 2]};"
          f" short page below {signs.short_page_words}, almost no text below {signs.min_article_words}")
    detect_ms = best_ms_per_page(detect, pages, args.rounds)
    parse_ms = best_ms_per_page(lxml.html.document_fromstring, pages, args.rounds)
    print(f"detect_wall: {detect_ms:.2f} ms/page; baseline lxml parse of the same page: {parse_ms:.2f} ms/page; "
          f"ratio {detect_ms / parse_ms:.2f}")
    return 0 if not walls else 1


def best_ms_per_page(function, pages: list[bytes], rounds: int) -> float:  # noqa: ANN001
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        for body in pages:
            function(body)
        best = min(best, time.perf_counter() - started)
    return 1000 * best / len(pages)


if __name__ == "__main__":
    sys.exit(main())
