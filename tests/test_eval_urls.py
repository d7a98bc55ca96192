"""`pantau eval urls`: labelled URL shapes, counting per outlet, errors of the shapes file, and the real
URL list of ../shared (skipped when absent) meeting the goal."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pantau.core.errors import InputError
from pantau.core.outlets import all_outlets
from pipeline.evaluation.urls import DEFAULT_SHAPES, GOAL_MIN_URLS, GOAL_SHARE, evaluate, load_shapes, shape_subject

OWN_LIST = [
    ("detik", "https://news.detik.com/berita/d-7012345/kpu-tetapkan-jadwal-kampanye"),
    ("detik", "https://news.detik.com/read/2019/03/11/101530/4460123/10/kominfo-ajak-warga-tangkal-hoaks?single=1"),
    ("detik", "https://news.detik.com/berita/d-4460123/kominfo-ajak-warga-tangkal-hoaks"),
    ("detik", "https://news.detik.com/foto-news/d-7012399/suasana-kampanye"),
    ("detik", "https://finance.detik.com/rss"),
    ("kumparan", "https://kumparan.com/@kumparannews/kominfo-ajak-warga-melek-digital"),
    ("kumparan", "https://kumparan.com/topic/literasi-digital"),
]


def write_list(path: Path, rows: list[tuple[str, str]]) -> Path:
    path.write_text("outlet\turl\n" + "".join(f"{outlet}\t{url}\n" for outlet, url in rows), encoding="utf-8")
    return path


def write_shapes(path: Path, shapes: list[tuple[str, str, str]]) -> Path:
    text = "".join(f"[[shapes]]\noutlet = \"{o}\"\nlabel = \"{label}\"\nera = \"e{n}\"\npattern = '{pattern}'\n\n"
                   for n, (o, label, pattern) in enumerate(shapes))
    path.write_text(text, encoding="utf-8")
    return path


def test_counts_per_outlet_with_the_project_shapes(tmp_path: Path) -> None:
    report = evaluate(write_list(tmp_path / "urls.tsv", OWN_LIST))
    detik, kumparan = report.outlets["detik"], report.outlets["kumparan"]
    assert (detik.urls, detik.articles, detik.recognised, detik.non_articles, detik.non_articles_accepted) == (5, 3, 3, 2, 0)
    # The old /read/ address and the current d- address of article 4460123 are one key.
    assert len(detik.keys) == 2
    assert (kumparan.articles, kumparan.recognised, kumparan.non_articles) == (1, 1, 1)
    assert not report.fixture_errors and not report.key_errors
    assert report.goal_met
    assert set(detik.as_dict()["eras"]) == {"d-id (since 2010s, everywhere since mid-2020)", "read (until mid-2020)"}


def test_a_url_no_shape_covers_or_several_shapes_cover_is_an_error_of_the_shapes(tmp_path: Path) -> None:
    shapes = write_shapes(tmp_path / "shapes.toml", [
        ("detik", "article", r"https?://news\.detik\.com/berita/d-\d+/[^/]+"),
        ("detik", "article", r"https?://news\.detik\.com/berita/d-7\d+/[^/]+"),
    ])
    rows = [("detik", "https://news.detik.com/berita/d-7012345/kpu"), ("detik", "https://news.detik.com/berita/d-4460123/kpu"),
            ("detik", "https://finance.detik.com/rss"), ("kabarku", "https://kabarku.example/berita/1")]
    report = evaluate(write_list(tmp_path / "urls.tsv", rows), shapes)
    assert len(report.ambiguous) == 1 and "d-7012345" in report.ambiguous[0]
    assert len(report.uncovered) == 1 and "finance.detik.com/rss" in report.uncovered[0]
    assert len(report.unknown_outlets) == 1
    assert report.outlets["detik"].urls == 1
    assert not report.goal_met


def test_a_missed_article_and_an_accepted_non_article_fail_the_goal(tmp_path: Path) -> None:
    # Labels that disagree with the registry: a photo gallery labelled article, an article labelled video.
    shapes = write_shapes(tmp_path / "shapes.toml", [
        ("detik", "article", r"https?://news\.detik\.com/foto-news/d-\d+/[^/]+"),
        ("detik", "video", r"https?://news\.detik\.com/berita/d-\d+/[^/]+"),
    ])
    rows = [("detik", "https://news.detik.com/foto-news/d-7012399/suasana"), ("detik", "https://news.detik.com/berita/d-7012345/kpu")]
    report = evaluate(write_list(tmp_path / "urls.tsv", rows), shapes)
    detik = report.outlets["detik"]
    assert (detik.articles, detik.recognised, detik.non_articles_accepted) == (1, 0, 1)
    assert report.missed and report.accepted
    assert not report.goal_met


def test_shapes_match_without_query_fragment_and_trailing_slash() -> None:
    assert shape_subject("http://www.cnnindonesia.com/a/b/?utm_source=x#top") == "http://www.cnnindonesia.com/a/b"


def test_project_shapes_load_and_cover_every_outlet() -> None:
    shapes = load_shapes()
    assert {shape.outlet for shape in shapes} == {outlet.id for outlet in all_outlets()}
    assert all(any(s.outlet == outlet.id and s.label == "article" for s in shapes) for outlet in all_outlets())


def test_bad_shapes_and_missing_list_are_clear_errors(tmp_path: Path) -> None:
    bad = write_shapes(tmp_path / "bad.toml", [("detik", "artikel", r"https?://x")])
    with pytest.raises(InputError, match="unknown label 'artikel'"):
        load_shapes(bad)
    broken = write_shapes(tmp_path / "broken.toml", [("detik", "article", r"https?://(x")])
    with pytest.raises(InputError, match="valid pattern"):
        load_shapes(broken)
    with pytest.raises(InputError, match="PANTAU_SHARED"):
        evaluate(tmp_path / "absent.tsv")
    headless = tmp_path / "headless.tsv"
    headless.write_text("detik\thttps://news.detik.com/berita/d-7012345/kpu\n", encoding="utf-8")
    with pytest.raises(InputError, match="outlet<TAB>url"):
        evaluate(headless)


def test_cli_prints_one_json_object(tmp_path: Path) -> None:
    from pantau.cli.main import load_commands

    result = CliRunner().invoke(load_commands(), ["eval", "urls", "--path", str(write_list(tmp_path / "urls.tsv", OWN_LIST)), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["goal_met"] is True and data["outlets"]["detik"]["recognised"] == 3


def test_real_urls_of_every_era_meet_the_goal(shared_dir: Path) -> None:
    path = shared_dir / "eval" / "urls" / "real-urls.tsv"
    if not path.is_file():
        pytest.skip(f"real URL list not available at {path}")
    report = evaluate(path, DEFAULT_SHAPES)
    result = report.as_dict(examples=10)
    assert not report.fixture_errors, result["fixture_errors"]
    assert report.non_articles_accepted == 0, result["accepted_examples"]
    assert not report.key_errors, result["key_errors"]
    for outlet, scores in report.outlets.items():
        if scores.urls >= GOAL_MIN_URLS:
            assert scores.share >= GOAL_SHARE, (outlet, scores.as_dict(), result["missed_examples"])
    assert report.goal_met
