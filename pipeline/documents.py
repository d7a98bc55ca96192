"""Reading the input of `pantau analyze`: one document (a local HTML/text file, optionally gzipped, or
a URL), or the records of a batch (a folder or glob of such files, a JSONL or CSV file) one at a time,
a record that cannot be read becoming a record with an error instead of stopping the batch."""

from __future__ import annotations

import csv
import glob
import gzip
import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from pantau.core.errors import InputError

TEXT_SUFFIXES = {".txt", ".text", ".md"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
CSV_SUFFIXES = {".csv", ".tsv"}
# Larger inputs are not news articles; refusing them early keeps a typo from eating the memory.
MAX_DOCUMENT_BYTES = 25 * 1024 * 1024


@dataclass(frozen=True)
class Document:
    kind: str  # "html" or "text"
    content: bytes | str
    url: str | None


def read_document(source: str, url: str | None = None, user_agent: str = "pantau", timeout_s: float = 30.0) -> Document:
    """The document named by `source` (a path, an http(s) URL, or "-": text pasted on standard input); `url`
    overrides its web address."""
    if source == "-":
        data = sys.stdin.buffer.read(MAX_DOCUMENT_BYTES + 1)
        if len(data) > MAX_DOCUMENT_BYTES:
            raise InputError(f"standard input holds more than {MAX_DOCUMENT_BYTES // (1024 * 1024)} MB; "
                             "pantau analyses documents up to that size")
        return Document("text", decode_text(data, Path("standard input")), url)
    if source.startswith(("http://", "https://")):
        return Document("html", fetch_url(source, user_agent, timeout_s), url or source)
    return read_file(Path(source), url)


def read_file(path: Path, url: str | None) -> Document:
    if not path.exists():
        raise InputError(f"no such file: {path}")
    if path.is_dir():
        raise InputError(f"{path} is a folder; pass an .html or .txt file")
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InputError(f"cannot read {path}: {error.strerror}") from error
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as error:
            raise InputError(f"{path} is not valid gzip ({error})") from error
        suffixes = suffixes[:-1]
    if len(data) > MAX_DOCUMENT_BYTES:
        raise InputError(f"{path} is {len(data) // (1024 * 1024)} MB; "
                         f"pantau analyses documents up to {MAX_DOCUMENT_BYTES // (1024 * 1024)} MB")
    if looks_binary(data):
        raise InputError(f"{path} looks like a binary file, not HTML or text")
    if suffixes and suffixes[-1] in TEXT_SUFFIXES:
        return Document("text", decode_text(data, path), url)
    return Document("html", data, url)


def looks_binary(data: bytes) -> bool:
    """NUL bytes or mostly control characters in the first 8 KB (UTF-16 text is not supported)."""
    head = data[:8192]
    if not head:
        return False
    if b"\x00" in head:
        return True
    controls = sum(1 for byte in head if byte < 9 or 13 < byte < 32)
    return controls / len(head) > 0.05


def decode_text(data: bytes, path: Path) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InputError(f"{path} is not UTF-8 or Windows-1252 text")


def fetch_url(url: str, user_agent: str, timeout_s: float) -> bytes:
    try:
        with httpx.Client(follow_redirects=True, timeout=timeout_s, headers={"User-Agent": user_agent}) as client:
            with client.stream("GET", url) as response:
                if response.status_code >= 400:
                    raise InputError(f"{url} answered HTTP {response.status_code}; check the address")
                chunks, size = [], 0
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > MAX_DOCUMENT_BYTES:
                        raise InputError(f"{url} is larger than {MAX_DOCUMENT_BYTES // (1024 * 1024)} MB; not analysed")
                    chunks.append(chunk)
                return b"".join(chunks)
    except httpx.InvalidURL as error:
        raise InputError(f"not a valid URL: {url} ({error})") from error
    except httpx.TimeoutException as error:
        raise InputError(f"{url} did not answer within {timeout_s:.0f} s; "
                         "try again later or save the page and pass the file") from error
    except httpx.HTTPError as error:
        raise InputError(f"cannot reach {url} ({type(error).__name__}: {error}); check the address and your "
                         "connection, or save the page and pass the file") from error


# ------------------------------------------------------------------------------------------- batches


@dataclass(frozen=True)
class Columns:
    """Names of the fields of a JSONL/CSV record. `text` must be there; the others are used when present,
    except that a CSV must have a column named explicitly (`explicit`)."""

    text: str = "text"
    url: str = "url"
    title: str = "title"
    date: str = "date"
    id: str = "id"
    explicit: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Record:
    """One record of a batch: where it is (`id`: its own id field, else "line 12", "row 3" or the file's
    path), and either a document with what the record says about it, or why it could not be read."""

    id: str
    document: Document | None = None
    title: str | None = None
    date: str | None = None  # as written; the batch runner parses it
    error: str | None = None

    @property
    def url(self) -> str | None:
        return self.document.url if self.document is not None else None


def batch_kind(source: str) -> str | None:
    """"folder", "glob", "jsonl" or "csv" when `source` names a batch of records; None for one document."""
    if source.startswith(("http://", "https://")):
        return None
    path = Path(source)
    if path.is_dir():
        return "folder"
    suffix = path.suffix.lower()
    if suffix in JSONL_SUFFIXES:
        return "jsonl"
    if suffix in CSV_SUFFIXES:
        return "csv"
    if not path.exists() and any(char in source for char in "*?["):
        return "glob"
    return None


class RecordSource:
    """The records of a batch input: `count()` for a progress bar, then iterate them in input order."""

    def __init__(self, source: str, columns: Columns = Columns()) -> None:
        kind = batch_kind(source)
        if kind is None:
            raise InputError(f"{source} is one document, not a folder, glob, JSONL or CSV file")
        self.source, self.kind, self.columns = source, kind, columns
        self.files: list[Path] = []
        if kind == "folder":
            self.files = document_files(Path(source))
            if not self.files:
                raise InputError(f"{source} has no .html, .htm or .txt files (optionally .gz); pass a folder of pages or texts")
        elif kind == "glob":
            self.files = sorted(Path(name) for name in glob.glob(source, recursive=True) if Path(name).is_file())
            if not self.files:
                raise InputError(f"no files match {source}")
        elif not Path(source).is_file():
            raise InputError(f"no such file: {source}")
        elif kind == "csv":
            self.header()  # a missing column stops here, before any work

    @property
    def may_hold_html(self) -> bool:
        """Whether some records may be HTML pages (files); JSONL and CSV records are texts."""
        return bool(self.files)

    def count(self) -> int:
        if self.files:
            return len(self.files)
        if self.kind == "jsonl":
            with open(self.source, "rb") as handle:
                return sum(1 for line in handle if line.strip())
        return sum(1 for _ in self._csv_rows())

    def __iter__(self) -> Iterator[Record]:
        if self.files:
            return self._file_records()
        return self._jsonl_records() if self.kind == "jsonl" else self._csv_records()

    def _file_records(self) -> Iterator[Record]:
        root = Path(self.source) if self.kind == "folder" else None
        for path in self.files:
            name = path.relative_to(root).as_posix() if root is not None else str(path)
            try:
                yield Record(name, read_file(path, None))
            except InputError as error:
                yield Record(name, error=str(error))

    def _jsonl_records(self) -> Iterator[Record]:
        with open(self.source, "rb") as handle:
            for number, raw in enumerate(handle, 1):
                if raw.strip():
                    yield self._jsonl_record(number, raw)

    def _jsonl_record(self, number: int, raw: bytes) -> Record:
        where = f"line {number}"
        # Bytes that are not UTF-8 become lone surrogates: the record keeps its id and fails on them.
        line = raw.decode("utf-8", errors="surrogateescape")
        try:
            fields = json.loads(line)
        except json.JSONDecodeError as error:
            return Record(where, error=f"{where} is not valid JSON ({error.msg}, column {error.colno})")
        if not isinstance(fields, dict):
            return Record(where, error=(f"{where} is a JSON {type(fields).__name__}, "
                                        f"not an object with a {self.columns.text!r} field"))
        return self._record(where, fields)

    def header(self) -> list[str]:
        with self._open_csv() as handle:
            header = next(csv.reader(handle, delimiter=self._delimiter()), None)
        if not header:
            raise InputError(f"{self.source} is empty; a CSV file needs a header row with a {self.columns.text!r} column")
        wanted = {self.columns.text} | {getattr(self.columns, name) for name in self.columns.explicit}
        missing = sorted(wanted - set(header))
        if missing:
            raise InputError(f"{self.source} has no column {', '.join(map(repr, missing))} (its columns: {', '.join(header)}); "
                             "name the right ones with --text-column, --url-column, --title-column, --date-column")
        return header

    def _csv_rows(self) -> Iterator[tuple[int, list[str] | None, str | None]]:
        """(row number, fields or None, error) per data row; blank lines are not rows."""
        csv.field_size_limit(MAX_DOCUMENT_BYTES)
        with self._open_csv() as handle:
            reader = csv.reader(handle, delimiter=self._delimiter())
            next(reader, None)
            number = 0
            while True:
                try:
                    fields = next(reader)
                except StopIteration:
                    return
                except csv.Error as error:
                    number += 1
                    yield number, None, f"row {number} cannot be read as CSV ({error}); check its quoting"
                    continue
                if fields:
                    number += 1
                    yield number, fields, None

    def _csv_records(self) -> Iterator[Record]:
        header = self.header()
        for number, fields, error in self._csv_rows():
            where = f"row {number}"
            if fields is None:
                yield Record(where, error=error)
            elif len(fields) != len(header):
                yield Record(where, error=(f"{where} has {len(fields)} fields where the header has {len(header)}; "
                                           "check its quoting"))
            else:
                yield self._record(where, dict(zip(header, fields, strict=True)), from_csv=True)

    def _open_csv(self):  # noqa: ANN202 - a text file
        # Bytes that are not UTF-8 become lone surrogates, so that only the rows that have them fail.
        return open(self.source, encoding="utf-8-sig", errors="surrogateescape", newline="")

    def _delimiter(self) -> str:
        if Path(self.source).suffix.lower() == ".tsv":
            return "\t"
        with self._open_csv() as handle:
            first = handle.readline()
        # Spreadsheets in Indonesian (and other decimal-comma) locales save CSV with semicolons.
        return max((",", ";", "\t"), key=first.count)

    def _record(self, where: str, fields: dict[str, Any], from_csv: bool = False) -> Record:
        columns = self.columns
        values = {name: _field(fields, getattr(columns, name), name, from_csv) for name in ("text", "url", "title", "date", "id")}
        record_id = values["id"] if isinstance(values["id"], str) and values["id"] else where
        for name, value in values.items():
            bad = _first_surrogate(value) if isinstance(value, str) else None
            if bad is not None:
                what = f"byte 0x{bad - 0xDC00:02x}" if 0xDC80 <= bad <= 0xDCFF else f"a lone surrogate \\u{bad:04x}"
                return Record(record_id, error=(f"{where}: {getattr(columns, name)!r} is not UTF-8 text ({what}); "
                                                "save the file as UTF-8"))
        for name in ("text", "url", "title", "date"):
            if values[name] is not None and not isinstance(values[name], str):
                kind = type(values[name]).__name__
                return Record(record_id, error=f"{where}: {getattr(columns, name)!r} is a {kind}, not text")
        url = values["url"] or None
        if values["text"] is None:
            return Record(record_id, Document("text", "", url),
                          error=f"{where} has no {columns.text!r} field; name it with --text-column")
        if url is not None and not url.startswith(("http://", "https://")):
            return Record(record_id, Document("text", "", None), error=f"{where}: url {url!r} is not an http(s) address")
        return Record(record_id, Document("text", values["text"], url),
                      title=values["title"] or None, date=values["date"] or None)


def _field(fields: dict[str, Any], name: str, kind: str, from_csv: bool) -> Any:
    value = fields.get(name)
    if from_csv or kind not in ("id", "date") or value is None or isinstance(value, str):
        return value
    # A JSON number as an id (17) or a date (epoch seconds) is read as written.
    return json.dumps(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else value


def _first_surrogate(value: str) -> int | None:
    """The first surrogate code point: a byte that was not UTF-8 (read with surrogateescape), or a lone
    surrogate written as a JSON escape; neither can be written out as UTF-8."""
    return next((ord(char) for char in value if 0xD800 <= ord(char) <= 0xDFFF), None)


def document_files(folder: Path) -> list[Path]:
    """The HTML and text files under `folder` (all depths, optionally .gz), in path order."""
    found = []
    for path in sorted(folder.rglob("*")):
        suffixes = [suffix.lower() for suffix in path.suffixes]
        if suffixes and suffixes[-1] == ".gz":
            suffixes = suffixes[:-1]
        if path.is_file() and suffixes and suffixes[-1] in HTML_SUFFIXES | TEXT_SUFFIXES:
            found.append(path)
    return found
