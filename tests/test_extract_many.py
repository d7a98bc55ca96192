"""extract_many: a process pool whose results keep the order of the jobs and survive bad pages."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.extract import ExtractedArticle, ExtractionFailure, extract_many

PAGE = (Path(__file__).parent / "data" / "extraction" / "kompas_like.html").read_bytes()
URL = "https://regional.kompas.com/read/2023/11/02/213419026/pelatihan-literasi-digital-untuk-umkm-digelar-di-gorontalo"


def _jobs():
    return [
        ("good-1", [PAGE], URL),
        ("empty", [b""], None),
        ("binary", [b"\x00\x01\x02PK\x03\x04" * 100], None),
        ("good-2", [PAGE, PAGE], URL),
    ]


@pytest.mark.parametrize("workers", [0, 2])
def test_results_in_job_order_and_failures_recorded(workers: int) -> None:
    results = list(extract_many(_jobs(), workers=workers, timeout_s=60))
    assert [key for key, _ in results] == ["good-1", "empty", "binary", "good-2"]
    assert isinstance(results[0][1], ExtractedArticle) and results[0][1].dateline == "Gorontalo"
    assert results[1][1] == ExtractionFailure("empty", results[1][1].message)
    assert results[2][1].reason == "binary"
    assert isinstance(results[3][1], ExtractedArticle)
    assert results[3][1].text == results[0][1].text  # repeated parts add nothing


def test_a_page_over_the_time_limit_is_skipped_and_the_batch_goes_on() -> None:
    # Half a million short paragraphs take trafilatura far longer than 1.5 s.
    slow = b"<html><body><article>" + b"<p>Paragraf berita yang panjang sekali dan berulang.</p>" * 200_000 + b"</article></body></html>"
    jobs = [("slow", [slow], None), ("good", [PAGE], URL)]
    results = dict(extract_many(jobs, workers=1, timeout_s=1.5))
    assert results["slow"].reason == "timeout"
    assert isinstance(results["good"], ExtractedArticle)
