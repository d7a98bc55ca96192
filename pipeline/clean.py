"""Cleaning of article bodies: Indonesian news boilerplate out, the dateline into its own field.

trafilatura finds the article body; inside it Indonesian outlets still interleave "Baca juga: …"
links, video promos, channel invitations, editor codes, account prompts and pagination. Those lines
are removed here by general patterns (below) plus the outlet's own `boilerplate_patterns` from the
registry. The dateline that opens a story ("GORONTALO, KOMPAS.com - …", "Jakarta - …",
"TRIBUNNEWS.COM - …") is the place of reporting: it is moved to `dateline` and is not counted as noise.

Patterns are data: a case-insensitive regex applied in multi-line mode to the whole body; every line
a match touches is removed, so a pattern may also span a label and the line after it.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Iterable

if TYPE_CHECKING:
    from pantau.core.outlets import Outlet


@dataclass
class CleanedText:
    text: str  # one paragraph per line
    paragraphs: list[str] = field(default_factory=list)
    dateline: str | None = None  # the place of reporting, e.g. "Gorontalo"
    removed_lines: int = 0  # boilerplate lines removed (the dateline is not counted)


# Lines that are never article text on Indonesian news sites (and a few universal ones).
GENERAL_BOILERPLATE: tuple[str, ...] = (
    # links to other stories
    r"^\s*baca(?: juga| pula| selengkapnya| artikel lainnya| berita lainnya)?\s*[:>»]",
    r"^\s*baca juga\b",
    r"^\s*(?:lihat|simak|cek|tonton|saksikan) (?:juga|pula)\b",
    r"^\s*(?:berita|artikel|konten) (?:terkait|lainnya|selanjutnya|menarik)\s*(?:[:>»].*)?$",
    r"^\s*(?:berita|artikel|topik) (?:terkait|terpopuler|pilihan|rekomendasi)\s*$",
    r"^\s*(?:rekomendasi|pilihan) (?:untuk anda|editor|redaksi)\b",
    r"^\s*artikel ini (?:telah|sudah) (?:tayang|terbit|dimuat)",
    # video and media promos
    r"^\s*\[\s*gambas\s*:[^\]]*\]",
    r"^\s*(?:simak|saksikan|tonton|lihat) (?:juga )?(?:video|live|siaran|tayangan|foto|infografis|vidio)\b",
    r"^\s*(?:video|foto|infografis)\s*:\s*\S[^.!?]{0,120}$",
    r"^\s*(?:dengarkan|putar) (?:berita|artikel|audio)\b",
    # newsletters, channels, apps, social
    r"^\s*simak breaking news\b",
    r"^\s*baca berita (?:tanpa iklan|lainnya|selengkapnya)\b",
    r"^\s*dapatkan (?:update|informasi|berita|kabar)\b",
    r"^\s*(?:update|ikuti) (?:berita|informasi|kabar)[^.]{0,80}\b(?:google news|whatsapp|telegram|channel|saluran)\b",
    r"^(?=.{0,240}$).*\b(?:whatsapp|telegram|google news)\s+(?:channel|saluran)\b.*$",
    r"^(?=.{0,240}$)(?=.*\b(?:ikuti|follow|cek|update|dapatkan|akses|klik|baca)\b).*\bgoogle news\b.*$",
    r"^\s*(?:gabung|bergabung|join|mari bergabung|ikuti|follow)\b[^.]{0,80}\b(?:channel|saluran|grup|group|telegram|whatsapp|instagram|twitter|tiktok|facebook|youtube|media sosial|akun)\b",
    r"^\s*pilih saluran andalanmu\b",
    r"^\s*pastikan (?:kamu|anda) sudah (?:install|menginstal|mengunduh)\b",
    r"^\s*(?:download|unduh|install) (?:aplikasi|app)\b",
    r"^\s*klik (?:di ?sini|link|tautan|untuk)\b",
    # account, login and comment prompts
    r"^\s*periksa kembali dan lengkapi data dirimu",
    r"^\s*data dirimu akan digunakan\b",
    r"^\s*segera lengkapi data dirimu\b",
    r"^\s*(?:silakan |silahkan )?(?:login|masuk|log in|sign in|daftar)\b[^.]{0,60}\b(?:untuk|to) (?:berkomentar|komentar|melanjutkan|membaca|comment|continue|read)\b",
    r"^\s*(?:tulis|kirim|berikan|beri) komentar\b",
    r"^\s*(?:\d+\s+)?komentar\s*$",
    r"^\s*(?:bagikan|share)(?: artikel(?: ini)?| berita(?: ini)?| this article| on)?\s*[:]?\s*(?:facebook|twitter|whatsapp|line|telegram|link|x)?\s*$",
    r"^\s*salin (?:link|tautan)\s*$",
    # pagination
    r"^\s*halaman\s*(?:selanjutnya|berikutnya|sebelumnya|all|:?\s*\d+(?:\s*(?:/|dari)\s*\d+)?)?\s*(?:[>»›]\s*)?$",
    r"^\s*(?:\d+\s+)+(?:selanjutnya|berikutnya|next)\s*[>»›]*\s*$",
    r"^\s*\d+(?:\s+\d+)+\s*[>»›]*\s*$",
    r"^\s*(?:selanjutnya|berikutnya|sebelumnya|next|previous|lanjut(?:kan)? membaca|scroll (?:untuk|to) (?:melanjutkan|continue)[^\n]*)\s*[>»›]*\s*$",
    r"^\s*(?:advertisement|iklan|adv|scroll to continue with content|sponsored|konten sponsor|loading\.*)\s*$",
    # credits and labels on their own line
    r"^\s*(?:editor|penulis|reporter|pewarta|penyunting|redaktur|kontributor|fotografer|sumber foto|editor foto)\s*:\s*\S.{0,80}$",
    r"^\s*(?:tags?|topik|tagar|kata kunci|keywords?)\s*:.{0,200}$",
    r"^\s*(?:©|copyright\b|\(c\)\s*\d{4}|hak cipta dilindungi).{0,160}$",
    r"^.{0,120}\ball rights reserved\.?\s*$",
    # editor codes closing a story: (vyp/kna), (ANT), (E-2), (Tribunnews.com/Renald), (***)
    r"^\s*\(\s*[a-z]{2,5}\s*(?:/\s*[a-z]{2,5}\s*)+\)\s*$",
    r"^\s*\(\s*[A-Za-z]{1,6}(?:\s*-\s*\d{1,3})?\s*\)\s*$",
    r"^\s*\(\s*[\w-]+\.(?:com|co\.id|id|net|tv)\s*(?:/[^)\n]{1,60})?\)\s*$",
    r"^\s*\(?\s*\*{2,}\s*\)?\s*$",
)

# Outlet names as they open a dateline when no registry entry names them.
KNOWN_DATELINE_OUTLETS: tuple[str, ...] = (
    "ANTARA", "ANTARA News", "Antaranews", "CNN Indonesia", "CNBC Indonesia", "IDN Times", "Kontan",
    "Bisnis", "Tempo", "Kompas", "Kompas TV", "Republika", "VIVA", "Beritasatu", "Okezone", "Sindonews",
    "iNews", "Suara", "Merdeka", "Katadata", "Tirto", "Kumparan", "Jawa Pos", "JPNN", "Reuters", "AFP",
    "AP", "Bernama", "Xinhua", "Media Indonesia", "Metro TV", "Medcom", "Infobanknews", "Liputan6",
)

# "KOMPAS.com", "TRIBUNNEWS.COM", "Liputan6.com", "REPUBLIKA.CO.ID", "tirto.id"
_DOMAIN_NAME = r"[A-Za-z0-9][A-Za-z0-9-]*(?:\.[A-Za-z]{2,}){1,2}"
# One to four capitalised words: "Gorontalo", "BANDAR LAMPUNG", "Tanjung Pinang", "Labuan Bajo"
_PLACE = r"[A-Z][A-Za-z'’.]*(?:[ -][A-Z][A-Za-z'’.]*){0,3}"
_DASH = r"\s*(?:-{1,2}|–|—)(?=\s|$)\s*"
# An optional date in the dateline: "Jakarta, 12/5 (ANTARA) -", "JAKARTA, Senin (4/5) -"
_DATE = r"(?:\s*,?\s*(?:[A-Z][a-z]+\s*)?\(?\d{1,2}/\d{1,2}(?:/\d{2,4})?\)?)?"
# The short form "Jakarta - …" carries no outlet name: trusted only in Indonesian/Malay text.
_PLACE_ONLY_LANGUAGES = frozenset({"id", "ms"})


@lru_cache(maxsize=64)
def _dateline_patterns(outlet_names: tuple[str, ...]) -> tuple[re.Pattern[str], re.Pattern[str]]:
    names = sorted({*KNOWN_DATELINE_OUTLETS, *outlet_names}, key=len, reverse=True)
    outlet = "(?:" + "|".join([_DOMAIN_NAME, *(re.escape(name) for name in names)]) + ")"
    with_outlet = re.compile(
        rf"^(?:(?P<place1>{_PLACE}){_DATE}\s*,\s*(?i:{outlet}){_DATE}"
        rf"|(?i:{outlet})\s*,\s*(?P<place2>{_PLACE}){_DATE}"
        rf"|(?P<place3>{_PLACE}){_DATE}\s*\(\s*(?i:{outlet})\s*\)"
        rf"|(?i:{outlet})){_DASH}"
    )
    place_only = re.compile(rf"^(?P<place4>{_PLACE}){_DASH}(?=[A-Z\"“‘'(]|$)")
    return with_outlet, place_only


@lru_cache(maxsize=64)
def _boilerplate_regex(outlet_patterns: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in (*GENERAL_BOILERPLATE, *outlet_patterns)), re.IGNORECASE | re.MULTILINE)


def normalize_line(line: str) -> str:
    """NFC, no zero-width or non-breaking spaces, single spaces, stripped."""
    if not line.isascii():  # most lines of Indonesian news are ASCII: nothing to normalise or replace
        line = unicodedata.normalize("NFC", line)
        line = line.replace("\u00a0", " ").replace("\u200b", "").replace("\u200c", "").replace("\ufeff", "")
    return " ".join(line.split())


def clean_text(text: str, outlet: "Outlet | None" = None) -> CleanedText:
    """Remove boilerplate lines and take the dateline out of the first paragraph."""
    lines = [normalized for line in (text or "").splitlines() if (normalized := normalize_line(line))]
    patterns = outlet.boilerplate_patterns if outlet is not None else ()
    lines, removed = remove_boilerplate(lines, patterns)
    names = tuple(outlet.dateline_names) if outlet is not None else ()
    dateline, lines = take_dateline(lines, names, trust_place_only=outlet is not None)
    return CleanedText(text="\n".join(lines), paragraphs=lines, dateline=dateline, removed_lines=removed)


def remove_boilerplate(lines: list[str], outlet_patterns: Iterable[str] = ()) -> tuple[list[str], int]:
    """The lines no pattern touches, and how many were removed."""
    if not lines:
        return [], 0
    joined = "\n".join(lines)
    starts = [0]
    for line in lines[:-1]:
        starts.append(starts[-1] + len(line) + 1)
    removed: set[int] = set()
    for match in _boilerplate_regex(tuple(outlet_patterns)).finditer(joined):
        first = _line_index(starts, match.start())
        last = _line_index(starts, max(match.start(), match.end() - 1))
        removed.update(range(first, last + 1))
    kept = [line for index, line in enumerate(lines) if index not in removed]
    return kept, len(removed)


def _line_index(starts: list[int], offset: int) -> int:
    return bisect.bisect_right(starts, offset) - 1


def take_dateline(lines: list[str], outlet_names: tuple[str, ...] = (), trust_place_only: bool = False) -> tuple[str | None, list[str]]:
    """(place of reporting, lines without the dateline) when the first paragraph opens with one."""
    if not lines:
        return None, lines
    with_outlet, place_only = _dateline_patterns(outlet_names)
    first = lines[0]
    match = with_outlet.match(first)
    if match is None:
        match = place_only.match(first)
        if match is None or not (trust_place_only or _looks_indonesian(lines)):
            return None, lines
    place = next((match.group(g) for g in ("place1", "place2", "place3", "place4") if g in match.groupdict() and match.group(g)), None)
    rest = first[match.end():].strip()
    remaining = ([rest] if rest else []) + lines[1:]
    return (_place_name(place) if place else None), remaining


def _looks_indonesian(lines: list[str]) -> bool:
    from pipeline.language import detect_language

    return detect_language(" ".join(lines[:5])) in _PLACE_ONLY_LANGUAGES


def _place_name(place: str) -> str:
    """'GORONTALO' -> 'Gorontalo', 'BANDAR LAMPUNG' -> 'Bandar Lampung'; mixed case is kept."""
    place = place.strip(" .,")
    if place.isupper():
        return " ".join(word.capitalize() for word in place.split(" "))
    return place
