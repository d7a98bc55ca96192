"""extract_many: a process pool whose results keep the order of the jobs and survive bad pages."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.extract import ExtractedArticle, ExtractionFailure, extract_batches, extract_many

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


def test_a_slow_first_page_then_many_quick_ones_does_not_stall_the_pool(monkeypatch) -> None:
    # One worker holds the first (slow) page while the other races through the quick ones until the
    # window of pages held for ordered output is full; when the slow page then comes back, the pool
    # must go on dispatching (it used to wait for nothing until the start-up timeout).
    import pipeline.extract.pool as extract

    monkeypatch.setattr(extract, "STARTUP_TIMEOUT_S", 20.0)  # fail in seconds, not minutes
    slow = b"<html><body><article>" + b"<p>Paragraf berita yang panjang sekali dan berulang.</p>" * 30_000 + b"</article></body></html>"
    jobs = [("slow", [slow], None)] + [(f"quick-{i}", [b""], None) for i in range(200)]
    results = list(extract_many(jobs, workers=2, timeout_s=120))
    assert [key for key, _ in results] == [key for key, _, _ in jobs]
    assert isinstance(results[0][1], ExtractedArticle)
    assert all(outcome.reason == "empty" for _, outcome in results[1:])


def _worker_pids() -> set[int]:
    import multiprocessing

    return {child.pid for child in multiprocessing.active_children() if child.name == "pantau-extract"}


def test_workers_are_recycled_after_a_number_of_pages_and_after_growing_too_big() -> None:
    from pipeline.extract.pool import run_in_pool

    jobs = [(f"page-{i}", [PAGE], URL) for i in range(9)]
    seen: set[int] = set()
    results = []
    for key, outcome in run_in_pool(jobs, workers=1, timeout_s=60, recycle_after=3):
        seen |= _worker_pids()
        results.append((key, outcome))
    assert [key for key, _ in results] == [key for key, _, _ in jobs]
    assert all(isinstance(outcome, ExtractedArticle) and outcome.dateline == "Gorontalo" for _, outcome in results)
    assert len(seen) >= 3  # one worker, replaced after each third page

    seen.clear()
    for _ in run_in_pool(jobs[:4], workers=1, timeout_s=60, rss_limit_mb=1.0):  # every worker is over 1 MB
        seen |= _worker_pids()
    assert len(seen) >= 3


def test_pages_queued_behind_a_worker_that_dies_go_to_another_worker() -> None:
    import os
    import signal

    # Pages slow enough that the worker is killed while it works on one with the next two in its pipe;
    # small enough (67 KB) to be sent ahead. Only the page it was working on may be lost.
    page = b"<html><body><article>" + b"<p>Paragraf berita yang panjang sekali dan berulang.</p>" * 1_200 + b"</article></body></html>"
    jobs = [(f"page-{i}", [page], None) for i in range(8)]
    results = []
    for key, outcome in extract_many(jobs, workers=1, timeout_s=60):
        if not results:
            for pid in _worker_pids():
                os.kill(pid, signal.SIGKILL)
        results.append((key, outcome))
    assert [key for key, _ in results] == [key for key, _, _ in jobs]
    crashed = [key for key, outcome in results if isinstance(outcome, ExtractionFailure)]
    assert len(crashed) <= 1 and all(results[i][1].reason == "crashed" for i, (key, _) in enumerate(results) if key in crashed)
    assert sum(isinstance(outcome, ExtractedArticle) for _, outcome in results) >= 7


def _batches(count: int, loaded: list[int], fail_at: int | None = None):
    """`count` batches of two pages (one good, one empty); `loaded` records each batch as it is taken."""
    for number in range(count):
        if number == fail_at:
            raise ValueError("the store went away")
        loaded.append(number)
        yield f"batch-{number}", [(f"{number}-good", [PAGE], URL), (f"{number}-empty", [b""], None)]


def _wait_until(condition, timeout_s: float = 20.0) -> None:
    import time

    deadline = time.monotonic() + timeout_s
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.05)


@pytest.mark.parametrize("ahead", [True, False])
def test_batches_come_back_in_order_one_batch_extracted_ahead_at_most(ahead: bool) -> None:
    import time

    loaded: list[int] = []
    seen = []
    with extract_batches(_batches(4, loaded), workers=1, timeout_s=60, ahead=ahead) as extracted:
        for number, (context, outcomes) in enumerate(extracted):
            seen.append(context)
            assert [key for key, _ in outcomes] == [f"{number}-good", f"{number}-empty"]
            assert isinstance(outcomes[0][1], ExtractedArticle) and outcomes[1][1].reason == "empty"
            if ahead:
                # While this batch is worked on, the next one is taken and extracted, and no other.
                expected = min(number + 2, 4)
                _wait_until(lambda expected=expected: len(loaded) >= expected)
                time.sleep(0.3)
                assert len(loaded) == expected
            else:
                assert len(loaded) == number + 1
    assert seen == ["batch-0", "batch-1", "batch-2", "batch-3"]
    assert not _worker_pids()


def test_a_failing_batch_source_reaches_the_caller_and_the_workers_stop() -> None:
    import threading

    loaded: list[int] = []
    seen = []
    with pytest.raises(ValueError, match="store went away"):
        with extract_batches(_batches(4, loaded, fail_at=2), workers=1, timeout_s=60) as extracted:
            for context, _ in extracted:
                seen.append(context)
    assert seen == ["batch-0", "batch-1"]
    assert not _worker_pids()
    assert not [thread for thread in threading.enumerate() if thread.name == "pantau-extract-ahead"]


def test_leaving_early_stops_the_extraction_ahead_and_its_workers() -> None:
    import threading

    # The second batch is slow to extract: leaving must not wait for it.
    slow = b"<html><body><article>" + b"<p>Paragraf berita yang panjang sekali dan berulang.</p>" * 200_000 + b"</article></body></html>"
    batches = iter([("first", [("good", [PAGE], URL)]), ("second", [("slow", [slow], None)])])
    with extract_batches(batches, workers=1, timeout_s=120) as extracted:
        for context, outcomes in extracted:
            assert context == "first" and isinstance(outcomes[0][1], ExtractedArticle)
            _wait_until(_worker_pids)
            break
    assert not _worker_pids()
    assert not [thread for thread in threading.enumerate() if thread.name == "pantau-extract-ahead"]


def test_batches_without_workers_are_extracted_in_the_calling_thread() -> None:
    loaded: list[int] = []
    with extract_batches(_batches(2, loaded), workers=0, timeout_s=60) as extracted:
        results = [(context, [key for key, _ in outcomes]) for context, outcomes in extracted]
    assert results == [("batch-0", ["0-good", "0-empty"]), ("batch-1", ["1-good", "1-empty"])]
    assert not _worker_pids()
