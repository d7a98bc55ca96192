"""Batches: many pages extracted by a pool of worker processes (or in this process), each page under
a time limit; a page that fails, runs over or kills its worker becomes an ExtractionFailure and the
batch goes on."""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
from collections import deque
from dataclasses import dataclass
from functools import lru_cache
from multiprocessing.connection import wait
from time import monotonic
from typing import Any, Hashable, Iterable, Iterator, Sequence, TypeVar

from pantau.core.errors import InputError, PantauError
from pipeline.extract.article import ExtractedArticle, extract_article
from pipeline.extract.html import HtmlInput
from pipeline.language import detect_language

STARTUP_TIMEOUT_S = 120.0  # a worker loads trafilatura and the language model once

Key = TypeVar("Key", bound=Hashable)


@dataclass
class ExtractionFailure:
    reason: str  # empty | binary | too_large | unparseable | timeout | crashed | error
    message: str


def extract_many(
    jobs: Iterable[tuple[Key, Sequence[HtmlInput], str | None]],
    workers: int | None = None,
    timeout_s: float = 30.0,
) -> Iterator[tuple[Key, ExtractedArticle | ExtractionFailure]]:
    """Extract many pages; results come in the order of `jobs`, a failing page yields ExtractionFailure.

    `workers` processes (None: one per CPU) each work through their pages one at a time, the next
    ones already waiting in their pipe; a page that runs past `timeout_s` has its worker killed and
    replaced (the pages behind it go to another worker). A worker is replaced after
    RECYCLE_AFTER_PAGES pages or a page that left it above WORKER_RSS_LIMIT_MB, so memory stays flat
    over a long run. `workers=0` runs in this process, with the time limit enforced by SIGALRM where
    that is available (the main thread on Unix). Workers start from a fork server, so a script that
    calls this needs the usual `if __name__ == "__main__":` guard.
    """
    if workers is None:
        workers = os.cpu_count() or 1
    if workers <= 0:
        yield from run_inline(jobs, timeout_s)
    else:
        yield from run_in_pool(jobs, workers, timeout_s)


def extract_job(parts: Sequence[HtmlInput], url: str | None) -> ExtractedArticle | ExtractionFailure:
    """One job of a batch: the article, or the reason it could not be extracted (never raises)."""
    try:
        return extract_article(parts, url)
    except InputError as error:
        return ExtractionFailure(_reason_of(str(error)), str(error))
    except RecursionError:
        return ExtractionFailure("unparseable", "markup nested too deeply to process")
    except MemoryError:
        return ExtractionFailure("too_large", "page needs more memory than is available")
    except Exception as error:  # noqa: BLE001 - a bad page is recorded and the batch goes on
        return ExtractionFailure("error", f"{type(error).__name__}: {error}")


def _reason_of(message: str) -> str:
    for prefix, reason in (("empty", "empty"), ("no page", "empty"), ("binary", "binary"), ("page is", "too_large"), ("unparseable", "unparseable"), ("not an HTML", "unparseable")):
        if message.startswith(prefix):
            return reason
    return "error"


@lru_cache(maxsize=1)
def warm_up() -> bool:
    """Load trafilatura and the language model once per worker before timing starts."""
    import trafilatura  # noqa: PLC0415, F401 - 0.4 s to import: what a worker loads before its first page's clock starts

    detect_language("Ini adalah kalimat pemanasan untuk memuat model bahasa sekali saja.")
    return True


class _PageTimeout(BaseException):
    """Raised by the alarm in inline mode; a BaseException so that no page-level handler swallows it."""


def run_inline(jobs: Iterable[tuple[Key, Sequence[HtmlInput], str | None]], timeout_s: float) -> Iterator[tuple[Key, ExtractedArticle | ExtractionFailure]]:
    for key, parts, url in jobs:
        yield key, _extract_with_alarm(list(parts), url, timeout_s)


def _extract_with_alarm(parts: list[HtmlInput], url: str | None, timeout_s: float) -> ExtractedArticle | ExtractionFailure:
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        return extract_job(parts, url)

    def on_alarm(signum, frame):
        raise _PageTimeout()

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, timeout_s)
    try:
        return extract_job(parts, url)
    except _PageTimeout:
        return ExtractionFailure("timeout", f"page took longer than {timeout_s:g} s to extract; skipped")
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


# A worker gets its next pages while it works on the current one, so it never waits for the parent
# between pages (one page per round trip left the workers idle most of the time on a busy machine).
PAGES_IN_FLIGHT = 3
# Pages waiting in a worker's pipe stay under this many bytes: the pipe holds about 200 KB, and
# writing more into the pipe of a busy worker would block the parent (and every other worker's next
# page) until that worker got through its current page. A bigger page goes to a worker with an empty pipe.
PREFETCH_MAX_BYTES = 160 * 1024
# Results held back for the ordered output, at most this many pages per worker past the oldest.
WINDOW_PER_WORKER = 16
# A worker is replaced after this many pages, and after a page that left it above this size:
# lxml and the allocator keep what a big page took, so a long run would otherwise only grow.
RECYCLE_AFTER_PAGES = 400
WORKER_RSS_LIMIT_MB = 600.0


def _own_rss_mb() -> float:
    """Resident memory of this process now (Linux); 0 where /proc is not available."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError):
        return 0.0


def _worker_main(conn) -> None:
    """A pool worker: receives (index, parts, url), sends back (index, result, RSS MB), until told to stop."""
    warm_up()
    conn.send("ready")  # the parent starts a page's clock only once models are loaded
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        index, parts, url = message
        result = extract_job(parts, url)
        conn.send((index, result, _own_rss_mb()))


class _Worker:
    def __init__(self, context) -> None:
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_worker_main, args=(child,), daemon=True, name="pantau-extract")
        self.process.start()
        child.close()
        self.queue: deque[int] = deque()  # pages sent and not answered, the one being worked on first
        self.started = monotonic()  # when it was started, then when its current page began
        self.ready = False
        self.retiring = False  # takes no new page; stopped once its queue is empty
        self.pages = 0

    def stop(self, kill: bool = False) -> None:
        if not kill:
            self.ask_to_stop()
            self.process.join(timeout=2)
        self.close()

    def ask_to_stop(self) -> None:
        try:
            self.conn.send(None)
        except (BrokenPipeError, OSError, ValueError):
            pass

    def close(self) -> None:
        if self.process.is_alive():
            self.process.kill()  # our own child, stuck on a page or told to stop and not stopping
            self.process.join(timeout=5)
        self.conn.close()


def _pool_context():
    # forkserver: workers start from a clean, single-threaded server process, so a caller's threads
    # (Prefect, Dask, logging) are never forked mid-lock.
    method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
    context = multiprocessing.get_context(method)
    if method == "forkserver":
        # Workers fork from a server that has already imported the heavy libraries and loaded the
        # language model, so that a worker (and each one that replaces a recycled worker) starts at once.
        context.set_forkserver_preload(["trafilatura", "htmldate", "charset_normalizer", "pipeline.extract", "pipeline.extract.preload"])
    return context


class _Pool:
    """The bookkeeping of `run_in_pool`: which worker holds which pages, results waiting for their turn."""

    def __init__(self, context, workers: int, timeout_s: float, recycle_after: int, rss_limit_mb: float) -> None:
        self.context = context
        self.timeout_s = timeout_s
        self.recycle_after = recycle_after
        self.rss_limit_mb = rss_limit_mb
        self.workers: list[_Worker] = [_Worker(context) for _ in range(workers)]
        self.stopping: list[_Worker] = []  # told to stop, not yet gone
        self.keys: dict[int, Any] = {}
        self.payloads: dict[int, tuple[list[HtmlInput], str | None]] = {}  # sent, kept until answered
        self.sizes: dict[int, int] = {}
        self.resend: deque[int] = deque()  # pages left in the pipe of a worker that was killed
        self.done: dict[int, ExtractedArticle | ExtractionFailure] = {}
        self.recycled = 0

    def add(self, index: int, key: Any, parts: list[HtmlInput], url: str | None) -> None:
        self.keys[index], self.payloads[index] = key, (parts, url)
        self.sizes[index] = sum(len(part) for part in parts)

    def can_take(self, worker: _Worker) -> bool:
        return worker in self.workers and worker.ready and not worker.retiring and len(worker.queue) < PAGES_IN_FLIGHT

    def fits(self, worker: _Worker, index: int) -> bool:
        """Whether page `index` can wait in the pipe of `worker` without blocking the parent."""
        if not worker.queue:
            return True  # the worker is waiting for it and reads it as it is written
        return self.unread_bytes(worker) + self.sizes[index] <= PREFETCH_MAX_BYTES

    def unread_bytes(self, worker: _Worker) -> int:
        """Bytes of the pages waiting in the worker's pipe behind the one it works on."""
        return sum(self.sizes[queued] for queued in list(worker.queue)[1:])

    def send(self, worker: _Worker, index: int) -> bool:
        """Give `worker` the page `index`; False (and the worker replaced) when it is gone."""
        parts, url = self.payloads[index]
        try:
            worker.conn.send((index, parts, url))
        except (BrokenPipeError, OSError, ValueError):
            # It died between pages: the page it was on (if any) is the culprit, this one is not.
            self.resend.appendleft(index)
            self.replace(worker, ExtractionFailure("crashed", "the extraction worker died on this page (out of memory or a parser crash)"))
            return False
        if not worker.queue:
            worker.started = monotonic()
        worker.queue.append(index)
        return True

    def receive(self, worker: _Worker) -> None:
        try:
            message = worker.conn.recv()
        except (EOFError, OSError) as error:
            if not worker.ready:
                raise PantauError(
                    "extraction worker failed to start (a script calling extract_many needs the "
                    "`if __name__ == '__main__':` guard); or run with workers=0"
                ) from error
            self.replace(worker, ExtractionFailure("crashed", "the extraction worker died on this page (out of memory or a parser crash)"))
            return
        if message == "ready":
            worker.ready = True
            return
        index, result, rss_mb = message
        worker.queue.popleft()
        self.forget(index)
        self.done[index] = result
        worker.pages += 1
        worker.started = monotonic()  # its next page, already in its pipe, starts now
        if not worker.retiring and (worker.pages >= self.recycle_after or rss_mb > self.rss_limit_mb):
            self.retire(worker)

    def forget(self, index: int) -> None:
        self.payloads.pop(index, None)
        self.sizes.pop(index, None)

    def retire(self, worker: _Worker) -> None:
        """Start its successor now (it loads models while this one finishes the pages it holds)."""
        worker.retiring = True
        self.recycled += 1
        self.workers.append(_Worker(self.context))

    def replace(self, worker: _Worker, failure: ExtractionFailure) -> None:
        """Kill `worker`: its current page gets `failure`, the pages behind it go to another worker."""
        if worker.queue:
            current = worker.queue.popleft()
            self.forget(current)
            self.done[current] = failure
            self.resend.extendleft(reversed(worker.queue))
            worker.queue.clear()
        worker.stop(kill=True)
        self.workers.remove(worker)
        if not worker.retiring:
            self.workers.append(_Worker(self.context))

    def let_go_of_retired(self) -> None:
        for worker in [w for w in self.workers if w.retiring and not w.queue]:
            worker.ask_to_stop()
            self.workers.remove(worker)
            self.stopping.append(worker)
        for worker in [w for w in self.stopping if not w.process.is_alive()]:
            worker.close()
            self.stopping.remove(worker)

    def check_time_limits(self) -> None:
        now = monotonic()
        for worker in list(self.workers):
            if worker.queue and now - worker.started >= self.timeout_s:
                self.replace(worker, ExtractionFailure("timeout", f"page took longer than {self.timeout_s:g} s to extract; skipped"))
            elif not worker.ready and now - worker.started >= STARTUP_TIMEOUT_S:
                raise PantauError(f"extraction workers did not start within {STARTUP_TIMEOUT_S:g} s; try --workers 0")

    def next_deadline(self) -> float | None:
        deadlines = [w.started + self.timeout_s for w in self.workers if w.queue]
        deadlines += [w.started + STARTUP_TIMEOUT_S for w in self.workers if not w.ready]
        return min(deadlines) if deadlines else None

    def close(self) -> None:
        everyone = self.workers + self.stopping
        for worker in everyone:
            worker.ask_to_stop()
        for worker in everyone:
            worker.process.join(timeout=2)
            worker.close()


def run_in_pool(
    jobs: Iterable[tuple[Key, Sequence[HtmlInput], str | None]],
    workers: int,
    timeout_s: float,
    *,
    recycle_after: int = RECYCLE_AFTER_PAGES,
    rss_limit_mb: float = WORKER_RSS_LIMIT_MB,
) -> Iterator[tuple[Key, ExtractedArticle | ExtractionFailure]]:
    pool = _Pool(_pool_context(), workers, timeout_s, recycle_after, rss_limit_mb)
    pending = iter(jobs)
    window = workers * WINDOW_PER_WORKER
    taken = emitted = 0  # pages taken from `jobs`, pages given back in order
    exhausted = False

    def next_page() -> int | None:
        nonlocal taken, exhausted
        if pool.resend:
            return pool.resend.popleft()
        if exhausted or taken - emitted >= window:
            return None
        try:
            key, parts, url = next(pending)
        except StopIteration:
            exhausted = True
            return None
        pool.add(taken, key, list(parts), url)
        taken += 1
        return taken - 1

    held_back: int | None = None  # the next page, too big for any pipe that is not empty
    try:
        while True:
            # Results first: a page answered frees its place in the window before anything is sent.
            while emitted in pool.done:
                yield pool.keys.pop(emitted), pool.done.pop(emitted)
                emitted += 1
            pool.let_go_of_retired()
            if exhausted and held_back is None and not pool.resend and emitted == taken:
                return
            # Each page to the worker with the fewest pages queued: idle workers first, and a page too
            # big to wait in a busy worker's pipe is held back until one is idle.
            while takers := [worker for worker in pool.workers if pool.can_take(worker)]:
                worker = min(takers, key=lambda w: (len(w.queue), pool.unread_bytes(w)))
                index = held_back if held_back is not None else next_page()
                if index is None:
                    break
                if not pool.fits(worker, index):
                    held_back = index
                    break
                held_back = None
                pool.send(worker, index)
            waiting = [worker.conn for worker in pool.workers if worker.queue or not worker.ready]
            if not waiting:
                raise PantauError("extraction pool has pages left but none in flight (a bug); run with --workers 0")
            deadline = pool.next_deadline()
            for conn in wait(waiting, timeout=None if deadline is None else max(0.0, deadline - monotonic())):
                worker = next((w for w in pool.workers if w.conn is conn), None)
                if worker is not None:
                    pool.receive(worker)
            pool.check_time_limits()
    finally:
        pool.close()
