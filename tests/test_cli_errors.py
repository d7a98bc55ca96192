"""Bad input gives one clear line on stderr and a non-zero exit; nothing stored is touched."""

from __future__ import annotations

import subprocess
import sys

from pantau.cli.main import run
from tests.conftest import PROJECT_ROOT

PANTAU = [sys.executable, "-m", "pantau.cli.main"]


def _one_line_error(capsys) -> str:
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0, err
    assert err.startswith("error: ")
    return err


def test_missing_file(capsys) -> None:
    assert run(["analyze", "/nonexistent/page.html"]) == 2
    assert "no such file" in _one_line_error(capsys)


def test_folder_without_documents(tmp_path, capsys) -> None:
    # A folder is a batch of its pages and texts (tests/test_analyze_batch.py); one with none is an error.
    (tmp_path / "notes.json").write_text("{}")
    assert run(["analyze", str(tmp_path)]) == 2
    assert "has no .html, .htm or .txt files" in _one_line_error(capsys)


def test_binary_file(tmp_path, capsys) -> None:
    binary = tmp_path / "photo.html"
    binary.write_bytes(bytes(range(256)) * 64)
    assert run(["analyze", str(binary)]) == 2
    assert "binary" in _one_line_error(capsys)


def test_bad_url_option(tmp_path, capsys) -> None:
    page = tmp_path / "a.txt"
    page.write_text("Jakarta - Teks berita.")
    assert run(["analyze", str(page), "--url", "ftp://example.com/x"]) == 2
    assert "--url" in _one_line_error(capsys)


def test_unreachable_url(capsys) -> None:
    # Port 9 on loopback: nothing listens there, so the connection is refused at once.
    assert run(["analyze", "http://127.0.0.1:9/berita"]) == 2
    assert "cannot reach" in _one_line_error(capsys)


def test_wrong_database_url(monkeypatch, capsys) -> None:
    from pantau.core.config import reload_settings

    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:1/pantau")
    reload_settings()
    assert run(["db", "current"]) == 1
    assert "cannot connect" in _one_line_error(capsys)


def test_verbose_shows_the_traceback(capsys) -> None:
    assert run(["--verbose", "analyze", "/nonexistent/page.html"]) == 2
    assert "Traceback" in capsys.readouterr().err


def test_db_upgrade_then_current(capsys) -> None:
    from pantau.store import open_store

    head = open_store(migrate=False).head_revision()
    assert run(["db", "upgrade"]) == 0
    assert capsys.readouterr().out.strip().endswith(f"empty -> {head}")
    assert run(["db", "current"]) == 0
    assert "up to date" in capsys.readouterr().out


def test_db_rebuild_coverage_restores_the_summary_from_the_articles(capsys) -> None:
    from sqlalchemy import delete, select

    from pantau.store import open_store
    from pantau.store.coverage import read_weeks
    from pantau.store.tables import CoverageWeek
    from tests.test_queries import seed_articles

    store = open_store()
    seed_articles(store)
    with store.session() as session:
        counted = read_weeks(session, None, None)
        session.execute(delete(CoverageWeek))  # as if edited outside pantau
    assert counted
    assert run(["db", "rebuild-coverage"]) == 0
    assert "counted again" in capsys.readouterr().out
    with store.session() as session:
        assert read_weeks(session, None, None) == counted
        assert session.scalar(select(CoverageWeek.week).limit(1)) is not None
    store.dispose()


def test_console_script_runs_as_a_process(tmp_path) -> None:
    result = subprocess.run([*PANTAU, "analyze", str(tmp_path / "missing.html")], capture_output=True, text=True, cwd=PROJECT_ROOT)
    assert result.returncode == 2
    assert result.stderr.strip() == f"error: no such file: {tmp_path / 'missing.html'}"


def test_analyze_tags_a_short_text_that_is_not_an_article(tmp_path, capsys) -> None:
    import json

    source = tmp_path / "kutipan.txt"
    source.write_text("Kementerian Komunikasi dan Digital (Komdigi) melatih 1.800 pelaku UKM di Makassar, "
                      "kata Budi Santoso, Kepala Dinas Kominfo Sulawesi Selatan.\n", encoding="utf-8")
    assert run(["analyze", str(source), "--no-campaigns"]) == 0
    contract = json.loads(capsys.readouterr().out)
    assert contract["is_article"] is False  # too short to count as an article in the store
    assert "Kota Makassar" in {place["name"] for place in contract["places"]}
    assert contract["organizations"] and contract["statistics"]
