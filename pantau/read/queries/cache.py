"""Results of slow queries, kept while the store is unchanged (the dashboard's repeated aggregates)."""

from __future__ import annotations

import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from pantau.read.queries.rows import QueryResult


class ResultCache:
    """Results of slow queries, kept while the store is unchanged and at most `ttl_s` seconds.

    Dashboards ask the same aggregates again and again (a campaign's coverage, its places, every
    outlet); over a million articles some of them count every article and take seconds on SQLite,
    which no index avoids. Such a result is computed once per change of the store: the store's
    version (SQLite: the database and WAL files' size and time; PostgreSQL: the WAL position) is read
    before each use. Results computed faster than `slower_than_s` are not kept. Thread-safe; one
    computation per key at a time, so concurrent clients asking the same thing wait for one answer.
    """

    def __init__(self, ttl_s: float = 300.0, slower_than_s: float = 0.01, max_entries: int = 512):
        self.ttl_s = ttl_s
        self.slower_than_s = slower_than_s
        self.max_entries = max_entries
        self._entries: OrderedDict[Any, tuple[Any, float, QueryResult]] = OrderedDict()
        self._lock = threading.Lock()
        self._key_locks: dict[Any, threading.Lock] = {}
        self.hits = 0
        self.misses = 0

    def get_or_run(self, session: Session, key: Any, compute: Callable[[], QueryResult]) -> QueryResult:
        version = store_version(session)
        if version is None:
            return compute()
        with self._lock:
            key_lock = self._key_locks.setdefault(key, threading.Lock())
        with key_lock:
            with self._lock:
                entry = self._entries.get(key)
                if entry and entry[0] == version and time.monotonic() - entry[1] < self.ttl_s:
                    self._entries.move_to_end(key)
                    self.hits += 1
                    return _copied(entry[2])
                self.misses += 1
            started = time.monotonic()
            result = compute()
            if time.monotonic() - started >= self.slower_than_s:
                with self._lock:
                    self._entries[key] = (version, time.monotonic(), _copied(result))
                    self._entries.move_to_end(key)
                    while len(self._entries) > self.max_entries:
                        old, _ = self._entries.popitem(last=False)
                        self._key_locks.pop(old, None)
            return result


def _copied(result: QueryResult) -> QueryResult:
    """A copy whose rows a caller may change without changing the cached ones."""
    return replace(result, rows=[dict(row) for row in result.rows], columns=list(result.columns), filters=dict(result.filters))


def store_version(session: Session) -> Any:
    """Something that changes whenever the store's data may have changed; None when unknown."""
    bind = session.get_bind()
    if bind.dialect.name == "sqlite":
        database = bind.url.database
        if not database or database == ":memory:" or database.startswith("file:"):
            return None
        stats = []
        for path in (database, database + "-wal"):
            try:
                stat = os.stat(path)
                stats.append((stat.st_mtime_ns, stat.st_size))
            except OSError:
                stats.append(None)
        return tuple(stats)
    if bind.dialect.name == "postgresql":
        try:
            with session.begin_nested():
                return session.scalar(text("SELECT pg_current_wal_lsn()::text"))
        except Exception:  # noqa: BLE001 - a standby or a restricted role: no caching, never an error
            return None
    return None
