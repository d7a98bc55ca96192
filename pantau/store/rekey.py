"""Stored keys made again with the registry's current URL rules.

Pages and articles are keyed by `url_key` of their address. When the registry learns that two address
forms are one article (a new `key_rules` entry: detik's old `/read/.../<id>/...` and current `/d-<id>`
forms), keys stored before no longer match the keys the crawl computes, and a re-crawl would store the
same article a second time. `rekey` makes every stored key what `url_key` says now; where two rows
come to share a key, the one already stored under it is kept (it was made from the address the key
names) and the other one, with its tags, is dropped. Migration 0006 runs it once; `pantau db rekey` runs
it after a registry change.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, delete, select, update
from sqlalchemy.orm import Session

from pantau.core.errors import InputError
from pantau.core.outlets import url_key
from pantau.store.coverage import rebuild as rebuild_coverage
from pantau.store.tables import Article, Page

BATCH = 1000


@dataclass
class RekeyReport:
    """Rows whose key changed, and rows dropped because another row already had their new key."""

    changed: dict[str, int] = field(default_factory=lambda: {"pages": 0, "articles": 0})
    merged: dict[str, int] = field(default_factory=lambda: {"pages": 0, "articles": 0})

    def as_dict(self) -> dict[str, Any]:
        return {"changed": dict(self.changed), "merged": dict(self.merged)}


def rekey(session: Session | Connection, key_of: Callable[[str], str] = url_key) -> RekeyReport:
    """Give every page and article the key `key_of(url)`; the caller commits."""
    report = RekeyReport()
    for name, table in (("pages", Page), ("articles", Article)):
        changes = dict(_changed_keys(session, table, key_of))
        if not changes:
            continue
        # Every changing row first gets a key of its own, so that no new key is briefly held twice (a row may
        # take a key that another changing row is about to leave).
        for row_id in changes:
            session.execute(update(table).where(table.id == row_id).values(url_key=f"rekey:{row_id}"))
        taken = _existing(session, table, set(changes.values()))
        for row_id, new_key in sorted(changes.items()):
            if new_key in taken:
                session.execute(delete(table).where(table.id == row_id))
                report.merged[name] += 1
            else:
                session.execute(update(table).where(table.id == row_id).values(url_key=new_key))
                taken.add(new_key)
                report.changed[name] += 1
    if any(report.merged.values()) or any(report.changed.values()):
        # An article whose page was merged into the page of its new key belongs to that page.
        page_of_key = select(Page.id).where(Page.url_key == Article.url_key).scalar_subquery()
        session.execute(update(Article).where(Article.page_id.is_(None)).values(page_id=page_of_key))
    if report.merged["articles"]:
        # Dropped copies were counted in the weekly coverage; bulk deletes pass by the sessions that keep it.
        rebuild_coverage(session)
    return report


def _changed_keys(session: Session | Connection, table: Any, key_of: Callable[[str], str]) -> Iterator[tuple[int, str]]:
    """(row id, new key) of every row whose stored key is not the key of its address."""
    rows = session.execute(select(table.id, table.url, table.url_key).order_by(table.id).execution_options(yield_per=BATCH))
    for row_id, url, stored in rows:
        try:
            new_key = key_of(url)
        except InputError:
            continue  # an address that was never a web address keeps the key it was given (imports)
        if new_key != stored:
            yield row_id, new_key


def _existing(session: Session | Connection, table: Any, keys: set[str]) -> set[str]:
    found: set[str] = set()
    ordered = sorted(keys)
    for start in range(0, len(ordered), BATCH):
        found.update(session.scalars(select(table.url_key).where(table.url_key.in_(ordered[start:start + BATCH]))))
    return found
