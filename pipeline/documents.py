"""Reading one document for `pantau analyze`: a local HTML/text file (optionally gzipped) or a URL."""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from pathlib import Path

import httpx

from pantau.core.errors import InputError

TEXT_SUFFIXES = {".txt", ".text", ".md"}
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
        import sys

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
        raise InputError(f"cannot reach {url} ({type(error).__name__}: {error}); check the address and your connection, "
                         "or save the page and pass the file") from error
