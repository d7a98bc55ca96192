"""`pantau analyze` on a batch: a folder, glob, JSONL or CSV file of records in, one contract object per
record out (an error object for a record that fails, never a stopped batch), the same tags as
`pantau analyze` of each document alone, and `--store` making them articles that queries see."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from crawlers.replay.server import ReplayApp
from crawlers.replay.site import corpus_site
from pantau.cli.main import run
from pantau.core.errors import InputError
from pantau.read.queries import Filters, run_query
from pantau.store import open_store
from pantau.store.tables import TAG_TYPES, Article
from pipeline.documents import Columns, RecordSource, batch_kind
from tests.test_cli_errors import _one_line_error

SITE = corpus_site()


def corpus_texts(count: int, skip: int = 0) -> list[dict]:
    articles = sorted(SITE.articles, key=lambda article: article.id)[skip:skip + count]
    return [{"id": a.id, "text": "\n".join(a.data["paragraphs"]), "title": a.title, "date": a.data["published_at"]} for a in articles]


def write_jsonl(path: Path, records: list[dict], extra_lines: list[bytes] = ()) -> Path:
    with path.open("wb") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False).encode("utf-8") + b"\n")
        for line in extra_lines:
            handle.write(line + b"\n")
    return path


def output_lines(capsys) -> list[dict]:
    return [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.strip()]


# --------------------------------------------------------------------------------- reading records


def test_batch_sources_are_told_from_one_document(tmp_path) -> None:
    (tmp_path / "one.html").write_text("<p>x</p>")
    assert batch_kind(str(tmp_path)) == "folder"
    assert batch_kind(str(tmp_path / "records.jsonl")) == "jsonl"
    assert batch_kind(str(tmp_path / "export.CSV")) == "csv"
    assert batch_kind(str(tmp_path / "*.html")) == "glob"
    assert batch_kind(str(tmp_path / "one.html")) is None
    assert batch_kind("https://www.kompas.com/read/x.jsonl") is None


def test_jsonl_records_keep_their_ids_and_broken_lines_become_errors(tmp_path) -> None:
    path = write_jsonl(tmp_path / "in.jsonl", [{"id": "a", "text": "Teks.", "url": "https://www.kompas.com/read/1/x", "date": 1698935659}], [
        b"", b'{"id": "latin", "text": "caf\xe9"}', b"{not json", b"[1, 2]", b'{"id": 7, "body": "x"}',
        b'{"id": "u", "text": "Teks.", "url": "ftp://x"}', b'{"text": "Tanpa id.", "title": "Judul"}',
        b'{"id": "s", "text": "Teks \\ud800 separuh."}',
    ])
    records = list(RecordSource(str(path)))
    assert RecordSource(str(path)).count() == len(records) == 8  # the blank line is no record
    assert [record.id for record in records] == ["a", "latin", "line 4", "line 5", "7", "u", "line 8", "s"]
    assert records[0].document.content == "Teks." and records[0].url == "https://www.kompas.com/read/1/x" and records[0].date == "1698935659"
    assert "not UTF-8" in records[1].error and "0xe9" in records[1].error
    assert "not valid JSON" in records[2].error and "JSON list" in records[3].error
    assert "no 'text' field" in records[4].error and "http(s)" in records[5].error
    assert records[6].error is None and records[6].title == "Judul"
    assert "lone surrogate" in records[7].error  # it could not be written out as UTF-8


def test_csv_records_with_semicolons_quotes_a_bom_and_bad_bytes(tmp_path) -> None:
    path = tmp_path / "export.csv"
    path.write_bytes(b"\xef\xbb\xbfjudul;isi;tautan\n"
                     b'Satu;"Teks; dengan ""kutipan""\ndan baris baru";https://www.detik.com/berita/d-1/x\n'
                     b"Dua;Teks caf\xe9;\n"
                     b"\n"
                     b"Tiga;kurang\n")
    columns = Columns(text="isi", url="tautan", title="judul", explicit=frozenset({"text", "url", "title"}))
    records = list(RecordSource(str(path), columns))
    assert [record.id for record in records] == ["row 1", "row 2", "row 3"]
    assert records[0].document.content == 'Teks; dengan "kutipan"\ndan baris baru' and records[0].title == "Satu"
    assert records[0].url == "https://www.detik.com/berita/d-1/x"
    assert "'isi' is not UTF-8" in records[1].error
    assert "2 fields where the header has 3" in records[2].error
    with pytest.raises(InputError, match="no column 'text'"):
        RecordSource(str(path))  # the default text column is not there
    with pytest.raises(InputError, match="no column 'tanggal'"):
        RecordSource(str(path), Columns(text="isi", date="tanggal", explicit=frozenset({"date"})))


def test_folders_and_globs_take_pages_and_texts(tmp_path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "satu.html").write_text("<html><body><p>Satu</p></body></html>")
    (tmp_path / "dua.txt").write_text("Dua.")
    (tmp_path / "rusak.htm").write_bytes(b"\x00\x01\x02" * 50)
    (tmp_path / "catatan.json").write_text("{}")
    folder = RecordSource(str(tmp_path))
    assert [record.id for record in folder] == ["a/satu.html", "dua.txt", "rusak.htm"]
    assert [record.document.kind if record.document else record.error for record in folder][:2] == ["html", "text"]
    assert "binary" in list(folder)[2].error
    assert [record.id for record in RecordSource(str(tmp_path / "**" / "*.html"))] == [str(tmp_path / "a" / "satu.html")]
    with pytest.raises(InputError, match="no files match"):
        RecordSource(str(tmp_path / "*.xml"))


def test_batch_command_errors_are_one_line(tmp_path, capsys) -> None:
    records = write_jsonl(tmp_path / "in.jsonl", [{"text": "Teks."}])
    assert run(["analyze", str(records), "--url", "https://www.kompas.com/read/1/x"]) == 2
    assert "--url-column" in _one_line_error(capsys)
    assert run(["analyze", str(records), "--format", "parquet"]) == 2
    assert "--out" in _one_line_error(capsys)
    assert run(["analyze", str(records), "--format", "json"]) == 2
    assert "jsonl or parquet" in _one_line_error(capsys)
    assert run(["analyze", str(records), "--out", str(tmp_path / "no" / "such" / "out.jsonl")]) == 2
    assert "cannot write" in _one_line_error(capsys)
    single = tmp_path / "satu.txt"
    single.write_text("Teks.")
    assert run(["analyze", str(single), "--out", str(tmp_path / "x.jsonl")]) == 2
    assert "apply to a batch" in _one_line_error(capsys)


# --------------------------------------------------------------------------------- batch = one by one


def assert_same_contract(batch: dict, single: dict) -> None:
    """Equal, but for the last digits of campaign scores: one batched embedding call and one call per
    article differ in the last bits of the vectors."""
    assert {k: v for k, v in batch.items() if k not in ("id", "campaigns")} == {k: v for k, v in single.items() if k != "campaigns"}
    assert [c["id"] for c in batch["campaigns"]] == [c["id"] for c in single["campaigns"]]
    for ours, theirs in zip(batch["campaigns"], single["campaigns"], strict=True):
        assert abs(ours["score"] - theirs["score"]) < 1e-3
        assert [re.sub(r"similar [\d.]+", "similar", r) for r in ours["reasons"]] == [re.sub(r"similar [\d.]+", "similar", r) for r in theirs["reasons"]]


@pytest.mark.slow
def test_a_batch_gives_what_each_document_gives_alone(tmp_path, capsys) -> None:
    # 22 JSONL records (20 texts, 2 broken) and a folder of 8 files (6 pages of the replay site, 2 texts).
    texts = corpus_texts(20)
    records = []
    for number, text in enumerate(texts):
        record = {"id": text["id"], "text": text["text"]}
        if number % 2 == 0:
            record["url"] = f"https://www.antaranews.com/berita/{1000 + number}/{text['id']}"
        if number % 5 == 0:
            record.update(title=text["title"], date=text["date"])
        records.append(record)
    jsonl = write_jsonl(tmp_path / "in.jsonl", records, [b'{"id": "kosong", "text": "  "}', b'{"id": "tanggal", "text": "Teks.", "date": "kemarin"}'])
    folder = tmp_path / "pages"
    folder.mkdir()
    app = ReplayApp(SITE)
    pages = [article for article in sorted(SITE.articles, key=lambda a: a.id)[20:] if article.parts == 1][:6]
    for article in pages:
        (folder / f"{article.id}.html").write_bytes(app.article(article, False, {}).body)
    for text in corpus_texts(2, skip=40):
        (folder / f"{text['id']}.txt").write_text(text["text"], encoding="utf-8")

    assert run(["analyze", str(jsonl), "--format", "jsonl", "--out", str(tmp_path / "out.jsonl")]) == 0
    batch = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()]
    assert run(["analyze", str(folder), "--workers", "1"]) == 0
    batch += output_lines(capsys)
    assert len(batch) == 30
    assert [line["id"] for line in batch[20:22]] == ["kosong", "tanggal"]
    assert "empty text" in batch[20]["error"] and "not a date" in batch[21]["error"]

    singles = []
    for record in records:
        path = tmp_path / f"{record['id']}.txt"
        path.write_text(record["text"], encoding="utf-8")
        assert run(["analyze", str(path), *(["--url", record["url"]] if "url" in record else [])]) == 0
        singles.append(json.loads(capsys.readouterr().out))
    for path in sorted(folder.iterdir()):
        assert run(["analyze", str(path)]) == 0
        singles.append(json.loads(capsys.readouterr().out))

    by_batch = batch[:20] + batch[22:]
    assert sum(bool(single["campaigns"]) for single in singles) >= 5, "the sample should match campaigns"
    for record, single, out in zip(records + [{}] * 8, singles, by_batch, strict=True):
        assert "error" not in out
        for tag in TAG_TYPES:
            assert out[tag] == single[tag], f"{out['id']}: {tag} differ"
        if "title" in record:
            # The record's title and date are the article's; a bare .txt has neither.
            assert out["title"] == record["title"] and out["published_at"] is not None
            continue
        assert_same_contract(out, single)


# --------------------------------------------------------------------------------- --store


@pytest.mark.slow
def test_stored_records_are_articles_the_queries_see_and_a_rerun_changes_nothing(tmp_path, capsys) -> None:
    texts = corpus_texts(6, skip=10)
    records = [{"id": t["id"], "text": t["text"], "title": t["title"], "date": t["date"]} for t in texts]
    records[0]["url"] = "https://www.kompas.com/read/2018/08/14/10320011/laju-digital-di-makassar"
    records.append({"id": "pendek", "text": "Kominfo melatih 300 UMKM di Makassar."})
    path = write_jsonl(tmp_path / "in.jsonl", records, [b'{"id": "kosong", "text": ""}'])
    store = open_store()

    def stored() -> dict[str, tuple]:
        with store.session() as session:
            return {a.url_key: (a.id, a.outlet_id, a.title, a.is_article, a.text_hash, a.story_id is not None)
                    for a in session.scalars(select(Article))}

    assert run(["analyze", str(path), "--store", "--out", str(tmp_path / "out.jsonl")]) == 0
    first = stored()
    assert len(first) == 7  # every record but the empty one
    kompas = first.pop(records[0]["url"])
    assert kompas[1] == "kompas" and kompas[3] is True and kompas[5] is True
    assert {key.split(":")[0] for key in first} == {"import"}
    assert {outlet for _, outlet, *_ in first.values()} == {"import"}
    assert sum(not is_article for *_, is_article, _, _ in first.values()) == 1  # the short text
    with store.session() as session:
        listed = run_query(session, "articles", Filters(outlet="import"))
        assert {row["title"] for row in listed.rows} == {r["title"] for r in records[1:6]}
        assert session.scalar(select(func.count()).select_from(Article).where(Article.outlet_id == "import", Article.is_article)) == 5

    assert run(["analyze", str(path), "--store", "--out", str(tmp_path / "again.jsonl")]) == 0
    assert stored() == {**first, records[0]["url"]: kompas}
    lines = [json.loads(line) for line in (tmp_path / "again.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(lines) == 8 and lines[-1] == {"id": "kosong", "url": None, "error": "empty text: nothing to analyse"}
