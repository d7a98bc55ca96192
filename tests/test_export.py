"""`pantau export` and `pantau query` on a seeded store: files per table, stable columns, a data dictionary."""

from __future__ import annotations

import csv
import json

import pyarrow.parquet as pq
import pytest

from pipeline.cli.main import run
from pipeline.config import reload_settings
from pipeline.export import TABLES, data_dictionary, export_dataset
from test_queries import XSS_TITLE, seed_articles


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
