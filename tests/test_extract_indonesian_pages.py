"""The extraction goals on the real Indonesian pages of ../shared (skipped where that folder is absent)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.evaluation.extraction import evaluate

_REPORTS: dict[Path, dict] = {}


@pytest.fixture
def report(shared_dir: Path) -> dict:
    folder = shared_dir / "eval" / "extraction" / "indonesian"
    if not folder.is_dir():
        pytest.skip(f"no Indonesian extraction pages at {folder}")
    if folder not in _REPORTS:  # one extraction run for the module's tests
        _REPORTS[folder] = evaluate("indonesian", folder, workers=0)
    return _REPORTS[folder]


def test_every_page_extracts(report: dict) -> None:
    assert report["n"] >= 6 and report["failures"] == 0


def test_media_indonesia_body_is_complete_and_clean(report: dict) -> None:
    page = next(p for p in report["pages"] if p["page"].startswith("MediaIndonesia"))
    assert page["paragraph_recall"] == 1.0
    assert page["lines_not_in_article"] == []
    assert page["title_right"] and page["authors_right"] and page["published_right"]


def test_no_boilerplate_left_and_no_title_suffix(report: dict) -> None:
    assert report["boilerplate_lines_left"] == 0
    assert report["titles_with_suffix"] == 0


def test_publication_times_and_authors(report: dict) -> None:
    assert report["published_right"] == report["n"]
    assert report["authors_right"] == report["authors_checked"]
    kompas = next(p for p in report["pages"] if p["page"].startswith("money.kompas.com"))
    assert kompas["published_at"] == "2023-11-02T21:34:19+07:00"
    assert kompas["authors"] == ["Isna Rifka Sri Rahayu"]  # the writer, not the editor JSON-LD names
    assert kompas["dateline"] == "Jakarta"
