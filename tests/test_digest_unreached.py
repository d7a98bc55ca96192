"""Outlets the last crawl could not reach (pantau.store.crawl_status) and the digest footer that names
them ("detikcom not reached since 2026-12-01"), on SQLite and PostgreSQL; crawl runs are written with
the crawler's own functions (crawlers.store), as a blocked crawl writes them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from crawlers import store as crawl_store
from crawlers.blocking import LABELS
from pantau.core.campaigns import parse_campaigns
from pantau.core.outlets import all_outlets, get_outlet
from pantau.read.digest import build_digest, render_digest
from pantau.store.crawl_status import blocked_outlets, outlet_block
from pantau.store.tables import Outlet as OutletRow

CAMPAIGN_TOML = """
[[campaign]]
id = "laju-digital"
name = "Laju Digital"
query = '"laju digital"'
description = "Seminar Facebook untuk UKM di 15 kota."
start = 2018-01-01
digest_language = "{language}"
"""


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def record_run(store, outlet_id: str, status: str, at: datetime | None = None, reason: str = "blocked: challenge page") -> int:
    """One crawl run of `outlet_id` closed with `status`; a blocked one met its wall `at`."""
    if outlet_id in {outlet.id for outlet in all_outlets()}:
        crawl_store.ensure_outlet_row(store, get_outlet(outlet_id))
    run_id = crawl_store.start_run(store, outlet_id, None, {"since": None, "max_pages": None})
    if status == "running":
        return run_id
    kind = next(kind for kind, label in LABELS.items() if reason == f"blocked: {label}")
    blocked = {"reason": reason, "kind": kind, "at": at.isoformat(), "url": "https://www.detik.com/d-1"} if status == "blocked" else None
    crawl_store.finish_run(store, run_id, {"discovered": 3, "failed": {"blocked_challenge": 3}}, status, blocked=blocked)
    return run_id


def digest_of(store, language: str = "en"):
    (campaign,) = parse_campaigns(CAMPAIGN_TOML.format(language=language))
    with store.session() as session:
        return render_digest(build_digest(session, campaign, "2026-W48", zone="Asia/Jakarta"))


def test_an_outlet_is_blocked_since_its_first_blocked_run_after_the_last_that_reached_it(any_store) -> None:
    record_run(any_store, "detik", "finished")
    record_run(any_store, "detik", "blocked", utc("2026-11-30T20:00:00"))
    latest = record_run(any_store, "detik", "blocked", utc("2026-12-02T08:00:00"), reason="blocked: HTTP 403")
    # Reached again after a block: not blocked.
    record_run(any_store, "kompas", "blocked", utc("2026-11-29T08:00:00"))
    record_run(any_store, "kompas", "finished")
    # A crawl that is still running, or whose process died, says nothing either way.
    record_run(any_store, "tempo", "blocked", utc("2026-12-01T08:00:00"))
    record_run(any_store, "tempo", "failed")
    record_run(any_store, "tempo", "running")
    # Blocked, reached, blocked again: since the second block.
    record_run(any_store, "suara", "blocked", utc("2026-11-01T08:00:00"))
    record_run(any_store, "suara", "finished")
    record_run(any_store, "suara", "blocked", utc("2026-12-03T08:00:00"))
    with any_store.session() as session:
        blocked = blocked_outlets(session)
        detik = outlet_block(session, "detik")
        assert outlet_block(session, "kompas") is None
    assert [block.outlet_id for block in blocked] == ["detik", "tempo", "suara"]
    assert detik.since == utc("2026-11-30T20:00:00") and detik.at == utc("2026-12-02T08:00:00")
    assert detik.run_id == latest and detik.reason == "blocked: HTTP 403" and detik.outlet == "detikcom"
    assert {block.outlet_id: block.since for block in blocked}["suara"] == utc("2026-12-03T08:00:00")
    assert detik.as_dict()["since"] == "2026-11-30T20:00:00+00:00"


@pytest.mark.parametrize(("language", "line"), [
    ("en", "detikcom not reached since 2026-12-01."),
    ("id", "detikcom tidak terjangkau sejak 2026-12-01."),
])
def test_the_digest_footer_names_outlets_blocked_on_their_last_crawl(any_store, language, line) -> None:
    # 20:00 UTC on 30 November is 03:00 on 1 December in Jakarta: the day is the local one.
    record_run(any_store, "detik", "blocked", utc("2026-11-30T20:00:00"))
    record_run(any_store, "kompas", "blocked", utc("2026-11-30T20:00:00"))
    record_run(any_store, "kompas", "finished")
    rendered = digest_of(any_store, language)
    footer = rendered.text.split("\n--\n", 1)[1]
    assert line in footer and "Kompas" not in footer
    assert line in rendered.html
    assert rendered.html.count('class="unreached"') == 1


def test_no_footer_line_when_every_outlet_was_reached(any_store) -> None:
    record_run(any_store, "detik", "finished")
    rendered = digest_of(any_store)
    assert "not reached" not in rendered.text and 'class="unreached"' not in rendered.html


def test_an_outlet_name_is_text_in_the_footer(any_store) -> None:
    with any_store.session() as session:
        session.add(OutletRow(id="contoh", name='<img src=x onerror="alert(1)"> & Co', domains=["contoh.co.id"]))
    record_run(any_store, "contoh", "blocked", utc("2026-12-01T08:00:00"))
    rendered = digest_of(any_store)
    assert "<img src=x" not in rendered.html
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt; &amp; Co not reached since 2026-12-01." in rendered.html
    assert '<img src=x onerror="alert(1)"> & Co not reached since 2026-12-01.' in rendered.text
