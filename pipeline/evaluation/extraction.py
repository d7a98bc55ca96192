"""Extraction quality on three reference sets, each scored the way its authors score it.

- scrapinghub (article-extraction-benchmark): 4-word shingles of `\\w+` tokens; per page tp/fp/fn
  normalised by their sum; precision and recall are means over pages (pages with nothing to score
  skipped), F1 is their harmonic mean.
- trafilatura (its own evaluation set): whitespace-normalised `with` snippets found in the text are
  true positives, `without` snippets found are false positives; counts summed over all pages.
- indonesian: real Indonesian (and one Malaysian) news pages. Fundus pages have the full expected body,
  title, authors and time; htmldate pages have the expected date. Scored: body shingles and paragraph
  recall, lines left that are not article text, title, authors, time to the minute with its offset.

The data sets live beside the project (../shared/eval/extraction); nothing here is shipped with it.
"""

from __future__ import annotations

import gzip
import json
import re
import statistics
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from pantau.core.errors import InputError
from pipeline.evaluation import require_dataset, shared_dir
from pipeline.extract import extract_many

DATASETS = ("scrapinghub", "trafilatura", "indonesian")

# Published figures for the same sets (../shared/README.md), printed beside ours.
PUBLISHED = {
    "scrapinghub": [
        ("trafilatura 2.0.0", {"precision": 0.938, "recall": 0.978, "f1": 0.958}),
        ("news-please 1.6.16", {"f1": 0.948}),
        ("newspaper4k", {"f1": 0.949}),
        ("readability-lxml", {"f1": 0.922}),
    ],
    "trafilatura": [("trafilatura 2.2.0 standard", {"precision": 0.906, "recall": 0.943, "f1": 0.924})],
    "indonesian": [],
}

# Independent of pipeline.clean on purpose: what a reader would call "not the article" on these sites.
NOT_ARTICLE_MARKERS = re.compile(
    r"^(?:baca(?: juga)?\s*:|baca juga\b|simak\b|saksikan\b|tonton\b|lihat juga|\[gambas|halaman\b|periksa kembali|"
    r"data dirimu|segera lengkapi|dapatkan update|pilih saluran|copyright|©|headline$|advertisement|iklan$|editor\s*:|"
    r"penulis\s*:|\([a-z]{2,5}(?:/[a-z]{2,5})+\)$)|whatsapp channel|google news|all rights reserved",
    re.IGNORECASE,
)


def default_path(dataset: str) -> Path:
    return shared_dir() / "eval" / "extraction" / dataset


# ------------------------------------------------------------------------------- scrapinghub scoring

_TOKEN = re.compile(r"\w+", re.UNICODE)


def shingles(text: str, n: int = 4) -> Counter:
    tokens = _TOKEN.findall(text or "")
    return Counter(tuple(tokens[i : i + n]) for i in range(max(1, len(tokens) - n + 1)) if tokens[i : i + n])


def shingle_counts(expected: str, predicted: str) -> tuple[float, float, float]:
    """(tp, fp, fn) of shingles, normalised so that long texts do not weigh more."""
    truth, guess = shingles(expected), shingles(predicted)
    tp = sum((truth & guess).values())
    fp = sum((guess - truth).values())
    fn = sum((truth - guess).values())
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def _precision(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    return 0.0 if tp == fp == 0 else tp / (tp + fp)


def _recall(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    return 0.0 if tp == fn == 0 else tp / (tp + fn)


def shingle_scores(counts: list[tuple[float, float, float]]) -> dict[str, float]:
    precisions = [_precision(*c) for c in counts if c[0] + c[1] > 0]
    recalls = [_recall(*c) for c in counts if c[0] + c[2] > 0]
    precision = statistics.mean(precisions) if precisions else 0.0
    recall = statistics.mean(recalls) if recalls else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}


# ------------------------------------------------------------------------------- trafilatura scoring


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def snippet_counts(item: dict[str, Any], text: str | None) -> tuple[int, int, int, int]:
    """(tp, fp, fn, tn) of one page's `with` / `without` snippets."""
    found = _norm(text) if text else ""
    tp = sum(1 for snippet in item["with"] if found and _norm(snippet) in found)
    fp = sum(1 for snippet in item["without"] if found and _norm(snippet) in found)
    return tp, fp, len(item["with"]) - tp, len(item["without"]) - fp


def snippet_scores(tp: int, fp: int, fn: int) -> dict[str, float]:
    return {
        "precision": tp / (tp + fp) if tp + fp else 0.0,
        "recall": tp / (tp + fn) if tp + fn else 0.0,
        "f1": 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 0.0,
    }


# ----------------------------------------------------------------------------------------- loading


@dataclass
class Page:
    key: str
    url: str | None
    load: Callable[[], bytes | str]
    truth: dict[str, Any] = field(default_factory=dict)


def scrapinghub_pages(path: Path) -> list[Page]:
    truth = json.loads((path / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for key, item in truth.items():
        file = path / "html" / f"{key}.html.gz"
        # The benchmark reads every page as UTF-8 text; so do we.
        pages.append(Page(key, item.get("url"), lambda file=file: gzip.open(file, "rt", encoding="utf8").read(), item))
    return pages


def trafilatura_pages(path: Path) -> list[Page]:
    tests = path / "tests" if (path / "tests").is_dir() else path
    data = json.loads((tests / "evaldata.json").read_text(encoding="utf-8"))
    pages = []
    for url, item in data.items():
        file = next((tests / sub / name for sub in ("cache", "eval") for name in (item["file"] + ".gz", item["file"])
                     if (tests / sub / name).is_file()), None)
        if file is None:
            continue
        pages.append(Page(url, url, lambda file=file: _read_maybe_gzip(file), item))
    return pages


def _read_maybe_gzip(file: Path) -> bytes:
    data = file.read_bytes()
    return gzip.decompress(data) if file.suffix == ".gz" else data


def indonesian_pages(path: Path) -> list[Page]:
    pages: list[Page] = []
    for meta_file in sorted(path.glob("fundus/**/meta.info")):
        meta = json.loads(meta_file.read_text(encoding="utf-8"))
        for filename, info in meta.items():
            expected_file = next(meta_file.parent.glob("*.json"))
            versions = json.loads(expected_file.read_text(encoding="utf-8"))
            expected = versions[sorted(versions)[-1]]
            html_file = meta_file.parent / filename
            pages.append(
                Page(filename, info.get("url"), lambda f=html_file: _read_maybe_gzip(f), {"source": "fundus", **expected})
            )
    for subset in sorted(path.glob("htmldate/*.json")):
        for url, item in json.loads(subset.read_text(encoding="utf-8")).items():
            file = next(iter(sorted((path / "htmldate").glob(f"**/{item['file']}"))), None)
            if file is not None:
                pages.append(Page(item["file"], url, lambda f=file: f.read_bytes(), {"source": "htmldate", **item}))
    return pages


LOADERS = {"scrapinghub": scrapinghub_pages, "trafilatura": trafilatura_pages, "indonesian": indonesian_pages}


# -------------------------------------------------------------------------------------- evaluation


def run_extraction(
    pages: list[Page], workers: int | None, progress: Callable[[], None] | None = None
) -> Iterator[tuple[Page, Any]]:
    by_key = {page.key: page for page in pages}
    jobs = ((page.key, [page.load()], page.url) for page in pages)
    for key, result in extract_many(jobs, workers=workers):
        if progress:
            progress()
        yield by_key[key], result


def evaluate(dataset: str, path: Path | None = None, workers: int | None = None, progress_factory=None) -> dict[str, Any]:
    if dataset not in LOADERS:
        raise InputError(f"unknown dataset {dataset!r}; choose one of {', '.join(DATASETS)}")
    path = require_dataset(path or default_path(dataset), f"extraction data set '{dataset}'")
    pages = LOADERS[dataset](path)
    progress = progress_factory(len(pages)) if progress_factory else None
    results = list(run_extraction(pages, workers, progress))
    scorer = {"scrapinghub": score_scrapinghub, "trafilatura": score_trafilatura, "indonesian": score_indonesian}[dataset]
    report = scorer(results)
    report["dataset"] = dataset
    report["failures"] = sum(1 for _, result in results if not hasattr(result, "text"))
    report["published"] = [{"system": name, **figures} for name, figures in PUBLISHED[dataset]]
    return report


def _text_of(result: Any) -> str:
    return getattr(result, "text", "") or ""


def score_scrapinghub(results: list[tuple[Page, Any]]) -> dict[str, Any]:
    counts = [shingle_counts(page.truth.get("articleBody", ""), _text_of(result)) for page, result in results]
    return {**shingle_scores(counts), "n": len(results)}


def score_trafilatura(results: list[tuple[Page, Any]]) -> dict[str, Any]:
    tp = fp = fn = 0
    dates = authors = titles = date_n = author_n = title_n = 0
    for page, result in results:
        a, b, c, _ = snippet_counts(page.truth, _text_of(result) or None)
        tp, fp, fn = tp + a, fp + b, fn + c
        if page.truth.get("date"):
            date_n += 1
            published = getattr(result, "published_at", None)
            dates += bool(published and published.date().isoformat() == page.truth["date"])
        if page.truth.get("author"):
            author_n += 1
            expected = page.truth["author"]
            expected = expected if isinstance(expected, list) else re.split(r";|\band\b|\bund\b|,", expected)
            authors += _same_people(getattr(result, "authors", []), expected)
        if page.truth.get("title"):
            title_n += 1
            titles += _norm(getattr(result, "title", "") or "").lower() == _norm(page.truth["title"]).lower()
    return {
        **snippet_scores(tp, fp, fn),
        "n": len(results),
        "date_accuracy": dates / date_n if date_n else None,
        "author_accuracy": authors / author_n if author_n else None,
        "title_accuracy": titles / title_n if title_n else None,
        "metadata_n": {"date": date_n, "author": author_n, "title": title_n},
    }


def _same_people(found: Iterable[str], expected: Iterable[str]) -> bool:
    return {_norm(n).lower() for n in found if n.strip()} == {_norm(n).lower() for n in expected if n.strip()}


def score_indonesian(results: list[tuple[Page, Any]]) -> dict[str, Any]:
    pages_report = []
    counts = []
    for page, result in results:
        text = _text_of(result)
        lines = [line for line in text.splitlines() if line.strip()]
        entry: dict[str, Any] = {"page": page.key, "url": page.url, "extracted": hasattr(result, "text")}
        if not hasattr(result, "text"):
            entry["error"] = getattr(result, "message", str(result))
            pages_report.append(entry)
            continue
        entry["title"] = result.title
        entry["title_has_suffix"] = bool(
            result.title
            and re.search(r"\s[-|–—:]\s*\S+(?:\.\w{2,})?\s*$", result.title)
            and _suffix_is_site(result.title, result.outlet)
        )
        entry["published_at"] = result.published_at.isoformat() if result.published_at else None
        entry["authors"] = result.authors
        entry["dateline"] = result.dateline
        entry["language"] = result.language
        entry["is_article"] = result.is_article
        if page.truth.get("source") == "fundus":
            expected_paragraphs = [p for section in page.truth["body"]["sections"] for p in section["paragraphs"]]
            expected_body = "\n".join(expected_paragraphs)
            counts.append(shingle_counts(expected_body, text))
            normalised = _norm(text)
            entry["paragraph_recall"] = sum(_norm(p) in normalised for p in expected_paragraphs) / len(expected_paragraphs)
            expected_norm = _norm(expected_body)
            entry["lines_not_in_article"] = [line for line in lines if _norm(line) not in expected_norm]
            entry["boilerplate_lines_left"] = len(entry["lines_not_in_article"])
            entry["title_right"] = _norm(result.title or "") == _norm(page.truth.get("title", ""))
            entry["authors_right"] = _same_people(result.authors, page.truth.get("authors", []))
            expected_time = datetime.fromisoformat(page.truth["publishing_date"]) if page.truth.get("publishing_date") else None
            entry["published_right"] = bool(
                expected_time and result.published_at
                and result.published_at.replace(second=0, microsecond=0) == expected_time.replace(second=0, microsecond=0)
                and result.published_at.utcoffset() == expected_time.utcoffset()
            )
            entry["expected_published_at"] = expected_time.isoformat() if expected_time else None
        else:
            entry["lines_not_in_article"] = [line for line in lines if NOT_ARTICLE_MARKERS.search(line)]
            entry["boilerplate_lines_left"] = len(entry["lines_not_in_article"])
            entry["published_right"] = bool(
                result.published_at and result.published_at.date().isoformat() == page.truth.get("date")
            )
            entry["expected_date"] = page.truth.get("date")
        pages_report.append(entry)
    body = shingle_scores(counts) if counts else {"precision": None, "recall": None, "f1": None}
    scored = [p for p in pages_report if p.get("extracted")]
    return {
        **body,
        "n": len(results),
        "boilerplate_lines_left": sum(p.get("boilerplate_lines_left", 0) for p in scored),
        "published_right": sum(p.get("published_right", False) for p in scored),
        "authors_right": sum(p.get("authors_right", False) for p in scored if "authors_right" in p),
        "authors_checked": sum(1 for p in scored if "authors_right" in p),
        "titles_with_suffix": sum(p.get("title_has_suffix", False) for p in scored),
        "pages": pages_report,
    }


def _suffix_is_site(title: str, outlet: str | None) -> bool:
    tail = re.split(r"\s[-|–—:]\s*", title)[-1].lower()
    return bool(
        outlet and re.sub(r"\W", "", tail) in {re.sub(r"\W", "", outlet.lower()), re.sub(r"\W", "", outlet.lower().split(".")[0])}
    ) or bool(re.search(r"\.(?:com|co\.id|id)$", tail))
