"""`pantau analyze` on a JSONL batch of records against `pantau analyze` of each record alone, same run.

Records: the texts of the project's replay corpus (crawlers/replay/corpus, 72 Indonesian articles) and
variations of them (paragraphs dropped, reordered or repeated, an outlet dateline and "Baca juga"
lines added, text in capitals, another city), some with a URL of a registry outlet, a title and a date;
and broken records spread among them: empty texts, dates that are not dates, lines with bytes that
are not UTF-8, lines that are not JSON and objects without a text field.

It runs `pantau analyze RECORDS.jsonl --format jsonl --out OUT.jsonl` as a new process and reports its
wall time, records/s and whether every record gave one line, in order; then (with --compare) it
analyses every good record alone, as `pantau analyze FILE.txt [--url URL]` does (the same command,
in this process, models loaded once), and counts the records whose tags (places, organisations,
people, quotes, statistics) are equal, and, for records without a title or date of their own (a
.txt file has neither), whose whole contract is equal (campaign scores within 0.001).

Run: .venv/bin/python bench/analyze_batch.py [--records 1000] [--compare] [--keep DIR]
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pantau.cli.main import run  # noqa: E402
from pantau.store.tables import TAG_TYPES  # noqa: E402

CORPUS = ROOT / "crawlers" / "replay" / "corpus" / "articles"
CITIES = ["Makassar", "Surabaya", "Medan", "Kupang", "Pontianak", "Manado", "Solo", "Jogja", "Denpasar", "Gorontalo"]
OUTLET_URLS = ["https://www.antaranews.com/berita/{n}/{slug}", "https://regional.kompas.com/read/2023/11/02/{n}/{slug}",
               "https://news.detik.com/berita/d-{n}/{slug}", "https://www.tempo.co/ekonomi/{slug}-{n}"]


def corpus() -> list[dict]:
    return [json.loads(path.read_text(encoding="utf-8")) for path in sorted(CORPUS.glob("*.json"))]


def variation(article: dict, number: int, rng: random.Random) -> str:
    paragraphs = list(article["paragraphs"])
    kind = number % 8
    if kind == 1 and len(paragraphs) > 3:
        paragraphs = paragraphs[: rng.randint(2, len(paragraphs) - 1)]
    elif kind == 2:
        rng.shuffle(paragraphs)
    elif kind == 3:
        paragraphs[0] = f"{article['dateline'].upper()}, KOMPAS.com - {paragraphs[0]}"
        paragraphs.insert(2, "Baca juga: Pemerintah dorong UMKM masuk pasar digital")
    elif kind == 4:
        paragraphs = [paragraph.upper() for paragraph in paragraphs]
    elif kind == 5:
        city = rng.choice(CITIES)
        paragraphs = [paragraph.replace(article["city"], city) for paragraph in paragraphs]
    elif kind == 6:
        paragraphs = paragraphs + paragraphs[: rng.randint(1, 3)]
    elif kind == 7 and len(paragraphs) > 2:
        paragraphs = paragraphs[1:]
    return "\n".join(paragraphs)


def make_records(count: int, seed: int = 14) -> list[dict]:
    """The records; a broken one may instead be {"id", "broken": "bytes"} (its text has bytes that are
    not UTF-8) or {"id", "broken": "syntax"} (a line that is not JSON, a CSV row with too few fields)."""
    rng = random.Random(seed)
    articles = corpus()
    records: list[dict] = []
    for number in range(count):
        article = articles[number % len(articles)]
        record: dict = {"id": f"r{number}"}
        broken = number % 29
        if broken == 3:
            record["text"] = ""
        elif broken == 7:
            record.update(text=article["paragraphs"][0], date=rng.choice(["kemarin", "32/13/2023", "2023-02-30"]))
        elif broken == 11:
            record["broken"] = "bytes"
        elif broken == 17:
            record["broken"] = "syntax"
        elif broken == 23:
            record["isi"] = article["paragraphs"][0]
        else:
            record["text"] = variation(article, number, rng)
            if number % 3 == 0:
                record["url"] = rng.choice(OUTLET_URLS).format(n=100000 + number, slug=article["id"][:60])
            if number % 4 == 0:
                record.update(title=article["title"], date=article["published_at"])
        records.append(record)
    return records


BAD_BYTES = b"Teks dengan byte " + b"\xe9\xff" + b" yang bukan UTF-8"


def write_jsonl(path: Path, records: list[dict]) -> None:
    with path.open("wb") as handle:
        for record in records:
            name = record["id"].encode()
            if record.get("broken") == "bytes":
                handle.write(b'{"id": "' + name + b'", "text": "' + BAD_BYTES + b'"}\n')
            elif record.get("broken") == "syntax":
                handle.write(b'{"id": "' + name + b'", "text": "tidak ditutup\n')
            else:
                handle.write(json.dumps(record, ensure_ascii=False).encode("utf-8") + b"\n")


def write_csv(path: Path, records: list[dict]) -> None:
    columns = ["id", "text", "url", "title", "date"]
    with path.open("wb") as handle:
        handle.write(",".join(columns).encode() + b"\r\n")
        for record in records:
            name = record["id"].encode()
            if record.get("broken") == "bytes":
                handle.write(name + b',"' + BAD_BYTES + b'",,,\r\n')
            elif record.get("broken") == "syntax":
                handle.write(name + b",only two fields\r\n")
            else:
                row = io.StringIO()
                csv.writer(row).writerow([record.get(column, "") for column in columns])
                handle.write(row.getvalue().encode("utf-8"))


def analyze_alone(record: dict, folder: Path) -> dict:
    path = folder / f"{record['id']}.txt"
    path.write_text(record["text"], encoding="utf-8")
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = run(["analyze", str(path), *(["--url", record["url"]] if "url" in record else [])])
    if code != 0:
        return {"error": f"exit {code}"}
    return json.loads(out.getvalue())


def same_contract(batch: dict, single: dict) -> bool:
    plain = lambda contract: {k: v for k, v in contract.items() if k not in ("id", "campaigns")}  # noqa: E731
    if plain(batch) != plain(single) or [c["id"] for c in batch["campaigns"]] != [c["id"] for c in single["campaigns"]]:
        return False
    strip = lambda reasons: [re.sub(r"similar [\d.]+", "similar", r) for r in reasons]  # noqa: E731
    return all(abs(a["score"] - b["score"]) < 1e-3 and strip(a["reasons"]) == strip(b["reasons"])
               for a, b in zip(batch["campaigns"], single["campaigns"], strict=True))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=1000)
    parser.add_argument("--format", choices=("jsonl", "csv"), default="jsonl", help="the input file's format")
    parser.add_argument("--compare", action="store_true", help="also analyse every good record alone and compare")
    parser.add_argument("--keep", type=Path, help="write the records and the output here (kept)")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="pantau-bench-batch-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        records = make_records(args.records)
        source, out = work / f"records.{args.format}", work / "out.jsonl"
        (write_jsonl if args.format == "jsonl" else write_csv)(source, records)
        print(f"load average at start: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
        print(f"{len(records)} records, {source.stat().st_size // 1024} KB {args.format}")
        command = [sys.executable, "-m", "pantau.cli.main", "analyze", str(source), "--format", "jsonl", "--out", str(out)]
        started = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
        wall = time.perf_counter() - started
        if done.returncode != 0:
            sys.exit(f"pantau analyze failed ({done.returncode}): {done.stderr[-2000:]}")
        outputs = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
        errors = [output for output in outputs if "error" in output]
        ids = [output["id"] for output in outputs]
        # A line that is not JSON has no id to give back: it is named by its line number.
        in_order = len(ids) == len(records) and all(
            got == record["id"] or (record.get("broken") == "syntax" and got.startswith(("line ", "row ")))
            for got, record in zip(ids, records, strict=True))
        print(f"`{' '.join(['pantau', *command[3:]])}`: {wall:.1f} s wall (start-up included), "
              f"{len(records) / wall:.2f} records/s; {len(outputs)} lines out for {len(records)} records, in order: {in_order}; "
              f"{len(errors)} errors; stderr: {done.stderr.strip().splitlines()[-1] if done.stderr.strip() else ''}")
        reasons: dict[str, int] = {}
        for output in errors:
            key = re.sub(r"(line|row) \d+|'[^']*'|\d+", "…", output["error"])[:70]
            reasons[key] = reasons.get(key, 0) + 1
        for reason, count in sorted(reasons.items(), key=lambda item: -item[1]):
            print(f"  {count:4d} × {reason}")
        if args.compare:
            folder = work / "alone"
            folder.mkdir(exist_ok=True)
            started = time.perf_counter()
            by_id = {output["id"]: output for output in outputs}
            tags_equal = whole_equal = whole_compared = compared = 0
            different = []
            for record in records:
                if "error" in by_id.get(record["id"], {"error": ""}):
                    continue
                single = analyze_alone(record, folder)
                batch = by_id[record["id"]]
                compared += 1
                if all(batch[tag] == single.get(tag) for tag in TAG_TYPES):
                    tags_equal += 1
                else:
                    different.append(record["id"])
                if "title" not in record and "date" not in record:
                    whole_compared += 1
                    whole_equal += same_contract(batch, single)
            print(f"one by one: {compared} records in {time.perf_counter() - started:.1f} s; "
                  f"tags equal for {tags_equal}/{compared}"
                  f"{' (different: ' + ', '.join(different[:10]) + ')' if different else ''}; whole contract equal for "
                  f"{whole_equal}/{whole_compared} records without their own title or date")
        print(f"load average at end: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
