"""Raw pages: the text of the bytes (UTF-8, the declared charset or a detected one), the checks that
the text is an HTML page at all, and its lxml tree (the one trafilatura's own loader builds)."""

from __future__ import annotations

import logging
import re

from charset_normalizer import from_bytes
from lxml.html import fromstring

from pantau.core.errors import InputError

log = logging.getLogger(__name__)

MAX_HTML_BYTES = 15 * 1024 * 1024  # far above any real article; bigger is a broken or hostile page
HtmlInput = bytes | str


def decode_html(data: bytes | str) -> str:
    """Text of a page: UTF-8 when it decodes as such, else the declared charset, else a detected one."""
    if isinstance(data, str):
        return data
    if len(data) > MAX_HTML_BYTES:
        raise InputError(f"page is {len(data) / 1e6:.1f} MB, over the {MAX_HTML_BYTES / 1e6:.0f} MB limit; "
                         "it is not a news article")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    # UTF-8 with a few broken bytes (a truncated character, one pasted Latin-1 byte) is still UTF-8:
    # any single-byte charset would garble every other non-ASCII character of the page.
    lenient = data.decode("utf-8", errors="replace")
    broken = lenient.count("\ufffd")
    non_ascii = len(_NON_ASCII_BYTES.findall(data, 0, 200_000))
    if broken and non_ascii and broken <= max(2, non_ascii // 50):
        return lenient
    declared = _declared_charset(data[:4096])
    if declared:
        try:
            return data.decode(declared)
        except (LookupError, UnicodeDecodeError):
            log.debug("declared charset %s does not decode the page", declared)
    best = from_bytes(data[:200_000]).best()
    if best is not None and best.encoding:
        try:
            return data.decode(best.encoding)
        except (LookupError, UnicodeDecodeError):
            pass
    return data.decode("cp1252", errors="replace")


_NON_ASCII_BYTES = re.compile(rb"[\x80-\xff]")
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


def _declared_charset(head: bytes) -> str | None:
    match = _CHARSET.search(head)
    return match.group(1).decode("ascii").lower() if match else None


_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\ufffd]")


def check_is_html(text: str) -> None:
    """InputError when `text` is empty or binary data rather than markup."""
    if not text or not text.strip():
        raise InputError("empty page: nothing to extract (was the download cut short?)")
    sample = text[:8192]
    controls = len(_CONTROL_CHARS.findall(sample))
    if "\x00" in sample or controls > len(sample) * 0.05:
        raise InputError("binary data, not an HTML page (an image, a PDF or a compressed file?)")
    if len(text) > MAX_HTML_BYTES:
        raise InputError(f"page is {len(text) / 1e6:.1f} M characters, over the limit; it is not a news article")


# Characters XML forbids, as they appear in the raw bytes of a page in UTF-8 or any ASCII-based
# charset (U+FFFE and U+FFFF only arise from UTF-8).
_XML_INVALID_BYTES = tuple(bytes([code]) for code in (*range(9), 11, 12, *range(14, 32))) + (b"\xef\xbf\xbe", b"\xef\xbf\xbf")


def has_no_xml_invalid_bytes(data: HtmlInput) -> bool:
    """Whether the raw page certainly decodes without characters XML forbids (27 memchr scans: 0.1 ms)."""
    if not isinstance(data, bytes) or data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False  # text given as str, or UTF-16: not known without reading every character
    return not any(code in data for code in _XML_INVALID_BYTES)


def parse_html(text: str, *, xml_clean: bool = False):
    """The lxml tree of a page (the tree trafilatura's own loader builds), or InputError.

    trafilatura's loader first deletes the characters XML forbids with a regex over every character
    of the page (about a millisecond, 3% of the stage), then repairs two quirks of the opening lines.
    When the caller knows the page has no such characters (`xml_clean`, from the raw bytes) and it
    opens like ordinary HTML, parsing with trafilatura's parser directly builds the same tree; any
    other page goes through trafilatura's loader.
    """
    import trafilatura  # noqa: PLC0415 - 0.4 s to import: loaded with the first page, not by every import of the package

    try:
        tree = _parse_plain_html(text) if xml_clean else None
        if tree is None:
            tree = trafilatura.load_html(text)
    except Exception as error:  # noqa: BLE001 - any parser failure is a property of the page
        raise InputError(f"unparseable HTML: {type(error).__name__}: {error}") from error
    if tree is None or len(tree) == 0:
        raise InputError("not an HTML document (no elements found)")
    return tree


def _parse_plain_html(text: str):
    """The tree of a page that needs none of trafilatura's repairs, None for any other page."""
    from trafilatura.utils import DOCTYPE_TAG, HTML_PARSER  # noqa: PLC0415 - imports all of trafilatura (0.4 s): see parse_html

    beginning = text[:50].lower()
    if "html" not in beginning:
        return None  # trafilatura checks such pages further
    if "doctype" in beginning and DOCTYPE_TAG.match(text.partition("\n")[0]):
        return None  # a doctype with a slash, which trafilatura removes
    if any("<html" in line and line.endswith("/>") for line in text[:4096].splitlines()[:4]):
        return None  # a self-closing <html/>, which trafilatura repairs
    try:
        tree = fromstring(text, parser=HTML_PARSER)
    except ValueError:
        return None  # an XML encoding declaration: trafilatura parses the bytes instead
    return tree if tree is not None and len(tree) > 0 else None
