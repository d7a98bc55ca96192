"""In-process progress listeners: the CLI draws a progress display while the flows run in its process.

Tasks call `report(stage, record)`; a listener registered with `listening(...)` receives it. Where no
listener is registered (a worker on another machine, a Dask worker) reporting costs nothing.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

log = logging.getLogger(__name__)

Listener = Callable[[str, dict[str, Any]], None]

_listeners: list[Listener] = []
_lock = threading.Lock()


@contextmanager
def listening(listener: Listener) -> Iterator[None]:
    with _lock:
        _listeners.append(listener)
    try:
        yield
    finally:
        with _lock:
            _listeners.remove(listener)


def report(stage: str, record: dict[str, Any]) -> None:
    with _lock:
        listeners = list(_listeners)
    for listener in listeners:
        try:
            listener(stage, record)
        except Exception:  # noqa: BLE001 - a broken display must never fail the work it displays
            log.exception("progress listener failed")
