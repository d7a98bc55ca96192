"""Batches: many pages extracted by a pool of worker processes (or in this process), each page under
a time limit; a page that fails, runs over or kills its worker becomes an ExtractionFailure and the
batch goes on. `extract_batches` keeps one pool for a whole run and extracts the next batch while
the caller works on the current one."""

from __future__ import annotations

import multiprocessing
import os
import queue
import signal
import threading
from collections import deque
from collections.abc import Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from multiprocessing.connection import wait
from time import monotonic
from typing import Any, Generic, TypeVar

from pantau.core.errors import InputError, PantauError
from pipeline.extract.article import ExtractedArticle, extract_article
from pipeline.extract.html import HtmlInput
from pipeline.language import detect_language

STARTUP_TIMEOUT_S = 120.0  # a worker loads trafilatura and the language model once
WORKER_DIED = "the extraction worker died on this page (out of memory or a parser crash)"

Key = TypeVar("Key", bound=Hashable)
Context = TypeVar("Context")
Job = tuple[Key, Sequence[HtmlInput], str | None]


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
    for prefix, reason in (("empty", "empty"), ("no page", "empty"), ("binary", "binary"), ("page is", "too_large"),
                           ("unparseable", "unparseable"), ("not an HTML", "unparseable")):
        if message.startswith(prefix):
            return reason
    return "error"


@lru_cache(maxsize=1)
def warm_up() -> bool:
    """Load trafilatura and the language model once per worker before timing starts."""
    import trafilatura  # noqa: PLC0415, F401 - 0.4 s to import: what a worker loads before its first page's clock starts

    detect_language("Ini adalah kalimat pemanasan untuk memuat model bahasa sekali saja.")
    return True


class ExtractionCancelled(Exception):
    """The extraction was stopped from another thread (the run it belongs to ended or failed)."""


class _PageTimeout(BaseException):
    """Raised by the alarm in inline mode; a BaseException so that no page-level handler swallows it."""


def run_inline(jobs: Iterable[tuple[Key, Sequence[HtmlInput], str | None]],
               timeout_s: float) -> Iterator[tuple[Key, ExtractedArticle | ExtractionFailure]]:
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
        context.set_forkserver_preload(
            ["trafilatura", "htmldate", "charset_normalizer", "pipeline.extract", "pipeline.extract.preload"])
    return context


class _Pool:
    """The workers of `run_in_pool` and `extract_batches`, and the bookkeeping of `extract`: which worker
    holds which pages, results waiting for their turn."""

    def __init__(self, context, workers: int, timeout_s: float, recycle_after: int, rss_limit_mb: float) -> None:
        self.context = context
        self.size = workers
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
        self.next_index = 0  # pages are numbered across every `extract` call of this pool
        # `cancel` (from another thread) writes here, so that a wait for the workers wakes at once.
        self.wake_read, self.wake_write = os.pipe()
        self.wake_lock = threading.Lock()  # `cancel` and `close` may run in different threads
        self.cancelled = False

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
            self.replace(worker, ExtractionFailure("crashed", WORKER_DIED))
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
            self.replace(worker, ExtractionFailure("crashed", WORKER_DIED))
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
        worker.close()
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
                self.replace(worker, ExtractionFailure(
                    "timeout", f"page took longer than {self.timeout_s:g} s to extract; skipped"))
            elif not worker.ready and now - worker.started >= STARTUP_TIMEOUT_S:
                raise PantauError(f"extraction workers did not start within {STARTUP_TIMEOUT_S:g} s; try --workers 0")

    def next_deadline(self) -> float | None:
        deadlines = [w.started + self.timeout_s for w in self.workers if w.queue]
        deadlines += [w.started + STARTUP_TIMEOUT_S for w in self.workers if not w.ready]
        return min(deadlines) if deadlines else None

    def cancel(self) -> None:
        """Stop `extract` at its next wait (safe from another thread); the pool is then only good for closing."""
        with self.wake_lock:
            self.cancelled = True
            if self.wake_write >= 0:
                os.write(self.wake_write, b"x")

    def close(self) -> None:
        everyone = self.workers + self.stopping
        for worker in everyone:
            worker.ask_to_stop()
        for worker in everyone:
            worker.process.join(timeout=2)
            worker.close()
        self.workers, self.stopping = [], []
        with self.wake_lock:
            for end in (self.wake_read, self.wake_write):
                if end >= 0:
                    os.close(end)
            self.wake_read = self.wake_write = -1

    def extract(self, jobs: Iterable[Job]) -> Iterator[tuple[Key, ExtractedArticle | ExtractionFailure]]:
        """The pages of `jobs` through the workers of this pool, results in the order of `jobs`.

        The workers stay for the next call, so their recycling counts pages across calls. A call that
        is abandoned before its last result (or cancelled) leaves pages in flight: close the pool then."""
        pending = iter(jobs)
        window = self.size * WINDOW_PER_WORKER
        taken = emitted = self.next_index  # pages taken from `jobs`, pages given back in order
        exhausted = False

        def next_page() -> int | None:
            nonlocal taken, exhausted
            if self.resend:
                return self.resend.popleft()
            if exhausted or taken - emitted >= window:
                return None
            try:
                key, parts, url = next(pending)
            except StopIteration:
                exhausted = True
                return None
            self.add(taken, key, list(parts), url)
            taken += 1
            return taken - 1

        held_back: int | None = None  # the next page, too big for any pipe that is not empty
        try:
            while True:
                # Results first: a page answered frees its place in the window before anything is sent.
                while emitted in self.done:
                    yield self.keys.pop(emitted), self.done.pop(emitted)
                    emitted += 1
                self.let_go_of_retired()
                if exhausted and held_back is None and not self.resend and emitted == taken:
                    return
                # Each page to the worker with the fewest pages queued: idle workers first, and a page too
                # big to wait in a busy worker's pipe is held back until one is idle.
                while takers := [worker for worker in self.workers if self.can_take(worker)]:
                    worker = min(takers, key=lambda w: (len(w.queue), self.unread_bytes(w)))
                    index = held_back if held_back is not None else next_page()
                    if index is None:
                        break
                    if not self.fits(worker, index):
                        held_back = index
                        break
                    held_back = None
                    self.send(worker, index)
                waiting: list[Any] = [worker.conn for worker in self.workers if worker.queue or not worker.ready]
                if not waiting:
                    raise PantauError("extraction pool has pages left but none in flight (a bug); run with --workers 0")
                deadline = self.next_deadline()
                timeout = None if deadline is None else max(0.0, deadline - monotonic())
                for conn in wait([*waiting, self.wake_read], timeout=timeout):
                    worker = next((w for w in self.workers if w.conn is conn), None)
                    if worker is not None:
                        self.receive(worker)
                if self.cancelled:
                    raise ExtractionCancelled()
                self.check_time_limits()
        finally:
            self.next_index = taken


def run_in_pool(
    jobs: Iterable[Job],
    workers: int,
    timeout_s: float,
    *,
    recycle_after: int = RECYCLE_AFTER_PAGES,
    rss_limit_mb: float = WORKER_RSS_LIMIT_MB,
) -> Iterator[tuple[Key, ExtractedArticle | ExtractionFailure]]:
    pool = _Pool(_pool_context(), workers, timeout_s, recycle_after, rss_limit_mb)
    try:
        yield from pool.extract(jobs)
    finally:
        pool.close()


def extract_batches(
    batches: Iterable[tuple[Context, Sequence[Job]]],
    workers: int | None = None,
    timeout_s: float = 30.0,
    *,
    ahead: bool = True,
) -> BatchExtraction[Context]:
    """Each batch's context with its extraction results (in job order), batch after batch, from one pool.

    Use it as a context manager and iterate it. With `ahead` (and workers), a background thread takes
    the next batch from `batches` and extracts it while the caller works on the current one; it never
    runs more than that one batch ahead, so memory holds two batches at most. `batches` is iterated in
    that thread then: loading a batch (from a store) is part of the work done ahead.
    `workers=0` extracts in the calling thread, one batch at a time, as `extract_many` does."""
    return BatchExtraction(batches, os.cpu_count() or 1 if workers is None else workers, timeout_s, ahead)


class _Failed:
    def __init__(self, error: BaseException) -> None:
        self.error = error


_END = object()


class BatchExtraction(Generic[Context]):
    """See `extract_batches`. Leaving the `with` block stops the background thread and the workers."""

    def __init__(self, batches: Iterable[tuple[Context, Sequence[Job]]], workers: int, timeout_s: float, ahead: bool) -> None:
        self.batches = iter(batches)
        self.workers = workers
        self.timeout_s = timeout_s
        self.ahead = ahead and workers > 0
        self.pool: _Pool | None = None
        self.thread: threading.Thread | None = None
        self.results: queue.SimpleQueue[Any] = queue.SimpleQueue()
        # Batches the thread may start: the first at once, then one more each time the caller takes one.
        self.permits = threading.Semaphore(1)
        self.stopping = threading.Event()

    def __enter__(self) -> BatchExtraction[Context]:
        if self.ahead:
            # Started here, so that the first batch is extracted while the caller loads its models.
            self.thread = threading.Thread(target=self._extract_ahead, name="pantau-extract-ahead", daemon=True)
            self.thread.start()
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.stopping.set()
        if self.thread is not None:
            self.permits.release()
            if self.pool is not None:
                self.pool.cancel()
            self.thread.join()
        elif self.pool is not None:
            self.pool.close()

    def __iter__(self) -> Iterator[tuple[Context, list[tuple[Any, ExtractedArticle | ExtractionFailure]]]]:
        if self.ahead:
            yield from self._take_ahead()
            return
        for context, jobs in self.batches:
            if self.workers <= 0:
                yield context, list(run_inline(jobs, self.timeout_s))
                continue
            if self.pool is None and jobs:
                self.pool = _Pool(_pool_context(), self.workers, self.timeout_s, RECYCLE_AFTER_PAGES, WORKER_RSS_LIMIT_MB)
            yield context, list(self.pool.extract(jobs)) if jobs else []

    def _take_ahead(self) -> Iterator[tuple[Context, list[tuple[Any, ExtractedArticle | ExtractionFailure]]]]:
        while True:
            item = self.results.get()
            if item is _END:
                return
            if isinstance(item, _Failed):
                raise item.error
            self.permits.release()  # the next batch is extracted while the caller works on this one
            yield item

    def _extract_ahead(self) -> None:
        """The background thread: batch after batch, each once the caller has taken the one before."""
        try:
            self.pool = _Pool(_pool_context(), self.workers, self.timeout_s, RECYCLE_AFTER_PAGES, WORKER_RSS_LIMIT_MB)
            while True:
                self.permits.acquire()
                if self.stopping.is_set():
                    return
                batch = next(self.batches, _END)
                if batch is _END:
                    self.results.put(_END)
                    return
                context, jobs = batch
                self.results.put((context, list(self.pool.extract(jobs)) if jobs else []))
        except BaseException as error:  # noqa: BLE001 - handed to the caller's thread, raised there
            self.results.put(_Failed(error))
        finally:
            if self.pool is not None:
                self.pool.close()
