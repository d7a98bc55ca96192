"""The digest preview opened in Debian's headless chromium: it renders, its charts load, no script runs,
and it switches to dark colours when the reader prefers them."""

from __future__ import annotations

import io
import os
import shutil
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from pantau.core.campaigns import parse_campaigns
from pantau.read.digest import build_digest, render_digest, write_preview
from pantau.store.articles import upsert_article

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
WIB = timezone(timedelta(hours=7))
CAMPAIGN = parse_campaigns(
    """
[[campaign]]
id = "laju-digital"
name = "Laju Digital"
query = '"laju digital"'
description = "Seminar Facebook untuk UKM."
spokespeople = ["Ruben Hattari"]
start = 2018-01-01
"""
)[0]


@pytest.fixture
def chromium() -> str:
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("CI must run the browser tests: install Debian's chromium (apt-get install -y chromium)")
        pytest.skip("chromium is not installed (apt-get install -y chromium)")
    return CHROMIUM


@pytest.fixture
def preview(store, tmp_path) -> Path:
    monday = datetime(2018, 10, 1, 9, tzinfo=WIB)
    with store.session() as session:
        for day, (city, code) in enumerate((("Makassar", "73.71"), ("Palu", "72.71"), ("Makassar", "73.71"))):
            upsert_article(
                session,
                {"url_key": f"https://kompas.com/{day}", "url": f"https://kompas.com/{day}", "outlet_name": "Kompas",
                 "title": f"<script>alert({day})</script> Laju Digital di {city}", "published_at": monday + timedelta(days=day),
                 "text": f"Facebook menggelar Laju Digital di {city}. <img src=x onerror=alert(9)> Peserta antusias.",
                 "pipeline_version": "test"},
                {"places": [{"name": city, "level": "city", "code": code, "province": "Sulawesi", "is_dateline": True}],
                 "quotes": [{"speaker": "Ruben Hattari", "text": "Kami ingin UKM naik kelas."}]},
                [{"campaign_id": "laju-digital", "score": 0.9, "matched": True, "reasons": []}],
            )
        digest = build_digest(session, CAMPAIGN, "2018-W40", zone="Asia/Jakarta")
    html_path, _ = write_preview(render_digest(digest), tmp_path / "preview.html")
    return html_path


def non_blank_share(png: bytes) -> float:
    """The share of pixels that differ from the most common colour (the background)."""
    import numpy as np
    from matplotlib.image import imread

    pixels = (imread(io.BytesIO(png))[:, :, :3] * 255).astype(np.uint8).reshape(-1, 3)
    colours, counts = np.unique(pixels, axis=0, return_counts=True)
    background = colours[counts.argmax()]
    return float((np.abs(pixels.astype(int) - background).sum(axis=1) > 30).mean())


def luminance(css_colour: str) -> float:
    red, green, blue = (int(part) for part in css_colour[css_colour.index("(") + 1:css_colour.index(")")].split(",")[:3])
    return (0.2126 * red + 0.7152 * green + 0.0722 * blue) / 255


def test_preview_renders_in_chromium_with_charts_and_no_script(chromium, preview, tmp_path):
    playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is needed to drive chromium (pip install -e '.[dev]')")
    dialogs: list[str] = []
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 700, "height": 900})
            page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
            page.goto(preview.as_uri())
            page.wait_for_load_state("load")
            images = page.evaluate("Array.from(document.images).map(i => [i.complete, i.naturalWidth])")
            title = page.text_content("h1")
            light_background = page.evaluate("getComputedStyle(document.body).backgroundColor")
            screenshot = page.screenshot(full_page=True)
            (tmp_path / "preview.png").write_bytes(screenshot)

            page.emulate_media(color_scheme="dark")
            dark_background = page.evaluate("getComputedStyle(document.body).backgroundColor")
            dark_heading = page.evaluate("getComputedStyle(document.querySelector('h1')).color")
            dark_screenshot = page.screenshot(full_page=True)
        finally:
            browser.close()

    assert dialogs == []  # the hostile titles and texts stayed text
    assert title == "Laju Digital"
    assert len(images) == 2 and all(complete and width == 1120 for complete, width in images)
    assert non_blank_share(screenshot) > 0.05
    assert non_blank_share(dark_screenshot) > 0.05
    assert luminance(light_background) > 0.9
    assert luminance(dark_background) < 0.15 and luminance(dark_heading) > 0.8

