"""The dashboard in a real browser (Debian's chromium through Playwright) against a real server.

The store holds the replay corpus run through the project's NLP stages (places, organisations, people,
quotes, statistics), with the corpus's campaign labels as matches and its syndicated copies as stories,
plus one article whose title is an XSS attempt, and crawl runs: two outlets blocked on their last crawl
(one of them named with an XSS attempt) and one reached again after a block.
"""

from __future__ import annotations

import io
import json
import os
import socket
import threading
import time
from datetime import datetime
from pathlib import Path

import pytest
from test_digest_unreached import record_run, utc
from test_queries import XSS_TITLE

CHROMIUM = Path("/usr/bin/chromium")
CORPUS = Path(__file__).resolve().parents[1] / "crawlers" / "replay" / "corpus" / "articles"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]

pytestmark = pytest.mark.browser


def _require_chromium() -> None:
    if CHROMIUM.exists():
        return
    if os.environ.get("CI"):
        pytest.fail("CI must run the browser tests: install Debian's chromium (apt-get install -y chromium)")
    pytest.skip(f"{CHROMIUM} is absent: install Debian's chromium (apt-get install -y chromium) to run the browser tests")


def load_replay_corpus(store) -> int:
    """Every replay-corpus article, tagged by the NLP stages, into `store`; returns the number written."""
    from pantau.core.outlets import get_outlet
    from pantau.store.articles import upsert_article
    from pantau.store.tables import Story
    from pipeline.nlp import annotate_many
    from pipeline.nlp.assembly import load_nlp

    records = [json.loads(path.read_text(encoding="utf-8")) for path in sorted(CORPUS.glob("*.json"))]
    records.append({
        "id": "tempo-2018-09-03-uji-judul", "outlet": "tempo", "title": XSS_TITLE, "section": "Tekno",
        "published_at": "2018-09-03T08:00:00+07:00", "authors": ["Uji"], "dateline": "MAKASSAR",
        "paragraphs": ["Peserta Laju Digital di Makassar mencapai 1.200 orang, kata panitia.",
                       "\"<img src=x onerror=alert(3)>,\" kata <b>Panitia</b> kepada wartawan."],
        "tags": [], "campaigns": ["laju-digital"], "syndicated_from": None,
    })
    texts = ["\n".join(record["paragraphs"]) for record in records]
    tags = list(annotate_many(load_nlp(), zip(texts, (record.get("dateline") for record in records), strict=True)))
    with store.session() as session:
        ids, stories = {}, {}
        for record, text, tagged in zip(records, texts, tags, strict=True):
            outlet = get_outlet(record["outlet"])
            url = f"https://{outlet.domains[0]}/read/{record['id']}"
            published = datetime.fromisoformat(record["published_at"])
            fields = {
                "url_key": url, "url": url, "outlet_id": outlet.id, "outlet_name": outlet.name,
                "title": record["title"], "text": text, "dateline": record.get("dateline"),
                "published_at": published, "published_at_local": record["published_at"],
                "authors": record.get("authors", []), "section": record.get("section"), "tags": record.get("tags", []),
                "word_count": len(text.split()), "pipeline_version": "test-replay",
            }
            matches = [{"campaign_id": cid, "score": 1.0, "matched": True, "reasons": ["corpus label"]}
                       for cid in record.get("campaigns", [])]
            article = upsert_article(session, fields, tagged, matches)
            original = record.get("syndicated_from")
            story_key = original or record["id"]
            if story_key not in stories:
                stories[story_key] = Story(title=record["title"], first_published_at=published, last_published_at=published)
                session.add(stories[story_key])
                session.flush()
            article.story_id = stories[story_key].id
            ids[record["id"]] = article
        for record in records:
            if record.get("syndicated_from") in ids:
                ids[record["id"]].duplicate_of_id = ids[record["syndicated_from"]].id
    return len(records)


HOSTILE_OUTLET = "<img src=x onerror=alert(5)>Contoh"


def add_crawl_runs(store) -> None:
    from pantau.store.tables import Outlet as OutletRow

    record_run(store, "detik", "blocked", utc("2026-11-30T20:00:00"))
    record_run(store, "kompas", "blocked", utc("2026-11-29T08:00:00"), reason="blocked: HTTP 403")
    record_run(store, "kompas", "finished")
    with store.session() as session:
        session.add(OutletRow(id="contoh", name=HOSTILE_OUTLET, domains=["contoh.co.id"]))
    record_run(store, "contoh", "blocked", utc("2026-12-01T08:00:00"), reason="blocked: HTTP 403")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    _require_chromium()
    import uvicorn

    from pantau.store import open_store
    from web.app import create_app

    store = open_store(f"sqlite:///{tmp_path_factory.mktemp('dashboard') / 'pantau.db'}")
    assert load_replay_corpus(store) > 60
    add_crawl_runs(store)
    port = _free_port()
    instance = uvicorn.Server(uvicorn.Config(create_app(store), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=instance.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not instance.started:
        if time.monotonic() > deadline:
            pytest.fail("the dashboard server did not start within 20 s")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    instance.should_exit = True
    thread.join(timeout=10)
    store.dispose()


@pytest.fixture(scope="module")
def browser():
    _require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.dialogs = []
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    page.console_errors = []
    page.on("console", lambda message: message.type == "error" and page.console_errors.append(message.text))
    yield page
    context.close()


def _wait_loaded(page, previous: str | None = None) -> str:
    page.wait_for_function(
        "previous => document.body.dataset.loaded && document.body.dataset.loaded !== previous", arg=previous, timeout=20000
    )
    return page.evaluate("document.body.dataset.loaded")


def _number(page, selector: str) -> int:
    return int(page.text_content(selector).replace(".", "").replace("+", ""))


def _not_blank(png: bytes) -> int:
    """Distinct colours in a screenshot: a blank or single-colour area has one or two."""
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB")
    return len(set(image.getdata()))


def test_dashboard_shows_campaign_coverage_map_and_sources(server, page) -> None:
    page.goto(f"{server}/?campaign=laju-digital")
    _wait_loaded(page)
    assert page.input_value("#campaign") == "laju-digital"
    assert _number(page, "#total-articles") >= 10
    assert _number(page, "#total-stories") <= _number(page, "#total-articles")
    assert page.locator("#coverage svg rect.bar").count() >= 4
    assert page.locator("#map svg polygon.land").count() > 50
    assert page.locator("#map svg circle.place").count() >= 5
    assert _not_blank(page.locator("#coverage").screenshot()) > 5
    assert _not_blank(page.locator("#map").screenshot()) > 5
    # Statistics carry their sentence, source column and a link to the article.
    assert page.locator("#statistics tbody tr").count() > 5
    first_link = page.locator("#statistics tbody tr a").first.get_attribute("href")
    assert first_link.startswith("https://")
    assert page.locator("#quotes details.speaker").count() >= 2
    assert page.locator("#stories li a").count() >= 3
    assert page.console_errors == []


def test_a_filter_changes_the_numbers(server, page) -> None:
    page.goto(f"{server}/?campaign=laju-digital")
    loaded = _wait_loaded(page)
    before = _number(page, "#total-articles")
    bars_before = page.locator("#outlets li").count()
    page.select_option("#outlet", "kompas")
    loaded = _wait_loaded(page, loaded)
    after = _number(page, "#total-articles")
    assert 0 < after < before
    assert page.locator("#outlets li").count() == 1 < bars_before
    assert "outlet=kompas" in page.url
    page.fill("#date_from", "2030-01-01")
    page.dispatch_event("#date_from", "change")
    _wait_loaded(page, loaded)
    assert _number(page, "#total-articles") == 0
    assert "Belum ada artikel" in page.text_content("#coverage")


def test_untrusted_title_is_text_and_runs_nothing(server, page) -> None:
    page.goto(f"{server}/?campaign=laju-digital&date_from=2018-09-03&date_to=2018-09-03")
    _wait_loaded(page)
    titles = page.locator("#articles a.title").all_text_contents()
    assert XSS_TITLE in titles
    page.wait_for_timeout(300)  # an injected onerror handler would have fired by now
    assert page.dialogs == []
    # Nothing from the data became markup: the page itself has no <img> and no extra <script>.
    assert page.locator("img").count() == 0
    assert page.locator("script").count() == 1


def test_outlets_blocked_on_their_last_crawl_are_noticed_as_text(server, page) -> None:
    page.goto(f"{server}/?campaign=laju-digital")
    _wait_loaded(page)
    page.wait_for_selector("#crawl-notices li")
    notices = page.locator("#crawl-notices li").all_text_contents()
    # Longest blocked first; kompas was reached again after its block.
    assert notices == [
        # 20:00 UTC on 30 November is 1 December in the configured zone (Asia/Jakarta).
        "detikcom tidak terjangkau sejak 2026-12-01: halaman tantangan (anti-bot)",
        f"{HOSTILE_OUTLET} tidak terjangkau sejak 2026-12-01: HTTP 403",
    ]
    assert page.locator("#crawl-notices li strong").first.text_content() == "detikcom"
    page.wait_for_timeout(300)
    assert page.dialogs == [] and page.locator("img").count() == 0
    assert page.console_errors == []


def test_readable_on_a_phone(server, browser) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        page.goto(f"{server}/?campaign=laju-digital")
        _wait_loaded(page)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"the page is {overflow}px wider than a phone screen"
        box = page.locator("#map svg").bounding_box()
        assert 300 <= box["width"] <= 390
        assert _not_blank(page.screenshot(full_page=True)) > 20
    finally:
        context.close()


def test_unknown_campaign_in_the_address_is_reported(server, page) -> None:
    page.goto(f"{server}/?campaign=%3Cb%3Etidak-ada%3C%2Fb%3E")
    _wait_loaded(page)
    assert page.text_content("#status") == 'Tidak dikenal: campaign "<b>tidak-ada</b>"; filter itu diabaikan.'
    assert page.locator("#status b").count() == 0
    assert _number(page, "#total-articles") > 60
