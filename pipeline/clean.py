"""Cleaning of article bodies: Indonesian news boilerplate out, the dateline into its own field.

trafilatura finds the article body; inside it Indonesian outlets still interleave "Baca juga: …"
links, video promos, channel invitations, editor codes, account prompts and pagination. Those lines
are removed here by general patterns (below) plus the outlet's own `boilerplate_patterns` from the
registry. The dateline that opens a story ("GORONTALO, KOMPAS.com - …", "Jakarta - …",
"TRIBUNNEWS.COM - …") is the place of reporting: it is moved to `dateline` and is not counted as noise.

A text document (a .txt file, text pasted from a page) has no HTML to find the body in: the whole page
comes as lines, header, share buttons, login and comment prompts and footer included. `clean_document`
names the outlet from the text itself when no URL does (the outlet in its dateline, or in its own app and
footer lines: "Dapatkan update … dari Kompas.com", "Download Apps Detikcom"), removes the general and the
outlet's boilerplate, and takes the page header above the dateline (section, headline, byline, time) out
of the body, keeping the headline as the title.

Patterns are data: a case-insensitive regex applied in multi-line mode to the whole body; every line
a match touches is removed, so a pattern may also span a label and the line after it.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from pantau.core.outlets import Outlet, all_outlets
from pipeline.language import detect_language


@dataclass
class CleanedText:
    text: str  # one paragraph per line
    paragraphs: list[str] = field(default_factory=list)
    dateline: str | None = None  # the place of reporting, e.g. "Gorontalo"
    removed_lines: int = 0  # boilerplate lines removed (the dateline is not counted)
    title: str | None = None  # a text document's headline, from the page header above its dateline


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
    (r"^\s*(?:gabung|bergabung|join|mari bergabung|ikuti|follow)\b[^.]{0,80}"
     r"\b(?:channel|saluran|grup|group|telegram|whatsapp|instagram|twitter|tiktok|facebook|youtube|media sosial|akun)\b"),
    r"^\s*pilih saluran andalanmu\b",
    r"^\s*pastikan (?:kamu|anda) sudah (?:install|menginstal|mengunduh)\b",
    r"^\s*(?:download|unduh|install) (?:aplikasi|app)\b",
    r"^\s*klik (?:di ?sini|link|tautan|untuk)\b",
    # account, login and comment prompts
    r"^\s*periksa kembali dan lengkapi data dirimu",
    r"^\s*data dirimu akan digunakan\b",
    r"^\s*segera lengkapi data dirimu\b",
    (r"^\s*(?:silakan |silahkan )?(?:login|masuk|log in|sign in|daftar)\b[^.]{0,60}"
     r"\b(?:untuk|to) (?:berkomentar|komentar|melanjutkan|membaca|comment|continue|read)\b"),
    r"^\s*(?:tulis|kirim|berikan|beri) komentar\b",
    r"^\s*(?:\d+\s+)?komentar\s*$",
    r"^\s*(?:lihat|tampilkan|sembunyikan|muat|baca) (?:semua |seluruh )?(?:\d+ )?(?:komentar|balasan|tanggapan)\b.{0,40}$",
    (r"^\s*(?:silakan |silahkan )?(?:login|log in|sign in)\s+(?:untuk|to)\s+(?:memaksimalkan|menikmati|mengakses|menyimpan"
     r"|mendapatkan|mengikuti|get|enjoy|access|save)\b.{0,120}$"),
    r"^\s*(?:login|log in|sign in|masuk)\s*(?:/|atau|or|dan|&)\s*(?:daftar|register|sign up)\b.{0,40}$",
    r"^\s*(?:masuk|daftar)\s+(?:akun|sekarang|gratis|dengan (?:google|facebook|apple|email))\b.{0,80}$",
    r"^\s*(?:sudah|belum) punya akun\b.{0,60}$",
    r"^\s*(?:bagikan|share)\s+(?:artikel|berita|tulisan|konten|halaman)(?:\s+ini)?\b.{0,60}$",
    r"^\s*(?:bagikan|share)\s*(?:ke|to|on|via|melalui|lewat)\b.{0,60}$",
    r"^\s*baca berita dengan (?:sedikit|lebih sedikit|tanpa) iklan\b.{0,80}$",
    (r"^\s*(?:bagikan|share)(?: artikel(?: ini)?| berita(?: ini)?| this article| on)?\s*[:]?\s*"
     r"(?:facebook|twitter|whatsapp|line|telegram|link|x)?\s*$"),
    r"^\s*salin (?:link|tautan)\s*$",
    # pagination
    r"^\s*halaman\s*(?:selanjutnya|berikutnya|sebelumnya|all|:?\s*\d+(?:\s*(?:/|dari)\s*\d+)?)?\s*(?:[>»›]\s*)?$",
    r"^\s*(?:\d+\s+)+(?:selanjutnya|berikutnya|next)\s*[>»›]*\s*$",
    r"^\s*\d+(?:\s+\d+)+\s*[>»›]*\s*$",
    (r"^\s*(?:selanjutnya|berikutnya|sebelumnya|next|previous|lanjut(?:kan)? membaca"
     r"|scroll (?:untuk|to) (?:melanjutkan|continue)[^\n]*)\s*[>»›]*\s*$"),
    (r"^\s*(?:advertisement|iklan|adv|scroll to continue with content|scroll to resume content|sponsored|konten sponsor"
     r"|loading\.*)\s*$"),
    # page furniture that is a line of its own: buttons, menus, share targets, section heads
    (r"^\s*(?:close ads?|tutup iklan|tutup|close|bagikan|share|kirim|salin(?: link| tautan)?|copy link|link disalin"
     r"|tautan disalin|balas|laporkan|komentar|comments?|muat lebih banyak|load more|lihat foto|lihat video|lihat semua"
     r"|tampilkan semua|show all|selengkapnya|terkini|terbaru|terpopuler|populer|trending|rekomendasi|berita terkait"
     r"|artikel terkait|topik terkait|berita lainnya|artikel lainnya|tag|tags|topik|ads|login|log in|masuk|daftar"
     r"|logout|keluar|facebook|twitter|x|whatsapp|telegram|line|linkedin|pinterest|e-?mail|instagram|tiktok|youtube"
     r"|threads)\s*[:>»›↓]*\s*(?:\(\d+\))?\s*$"),
    r"^\s*(?:home|beranda)\s*[>»›/|].{0,120}$",
    # the page's own time stamp: "Senin, 12 Februari 2024 | 10:30 WIB", "Kompas.com - 23/11/2018, 16:10 WIB"
    (r"^\s*(?:[\w.]+\s*[-,|]\s*)?(?:(?:diperbarui|dipublikasikan|diterbitkan|tayang|update|updated|published)\s*:?\s*)?"
     r"(?:(?:senin|selasa|rabu|kamis|jumat|jum'at|sabtu|minggu|ahad)\s*,?\s*)?"
     r"\d{1,2}(?:\s+[a-z]{3,9}\s+|[/.-]\d{1,2}[/.-])\d{2,4}\s*[,|-]?\s*(?:pukul\s*)?\d{1,2}[:.]\d{2}"
     r"(?:\s*(?:wib|wita|wit))?\s*$"),
    # photo credits and captions closing with one: "Foto: Rengga Sancaya/detikcom", "... (SHUTTERSTOCK/ANDREY)"
    r"^\s*(?:foto|photo|ilustrasi foto|sumber foto)\s*:\s*.{0,160}$",
    (r"^.{0,240}\((?:foto|dok\.?|dokumentasi|ist\.?|istimewa|shutterstock|freepik|unsplash|pexels|istock\w*|getty images"
     r"|antara foto)\b[^)\n]{0,80}\)\s*$"),
    # credits and labels on their own line
    (r"^\s*(?:editor|penulis|reporter|pewarta|penyunting|redaktur|kontributor|fotografer|sumber foto|editor foto)"
     r"\s*:\s*\S.{0,80}$"),
    r"^\s*(?:penulis|reporter|pewarta|kontributor)\s*:?\s*[^|\n]{2,60}\|\s*(?:editor|penyunting|redaktur)\b.{0,60}$",
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
        rf"^(?:(?P<place1>{_PLACE}){_DATE}\s*,\s*(?P<outlet1>(?i:{outlet})){_DATE}"
        rf"|(?P<outlet2>(?i:{outlet}))\s*,\s*(?P<place2>{_PLACE}){_DATE}"
        rf"|(?P<place3>{_PLACE}){_DATE}\s*\(\s*(?P<outlet3>(?i:{outlet}))\s*\)"
        rf"|(?P<outlet4>(?i:{outlet}))){_DASH}"
    )
    place_only = re.compile(rf"^(?P<place4>{_PLACE}){_DASH}(?=[A-Z\"“‘'(]|$)")
    return with_outlet, place_only


@lru_cache(maxsize=64)
def _boilerplate_regex(outlet_patterns: tuple[str, ...]) -> re.Pattern[str]:
    # One "^" in front of every line-anchored pattern: the engine tries a match at every character, and a shared
    # anchor fails there once instead of once per pattern (cleaning ran about 30% slower without it).
    patterns = (*GENERAL_BOILERPLATE, *outlet_patterns)
    anchored = "|".join(f"(?:{p[1:]})" for p in patterns if p.startswith("^"))
    floating = [f"(?:{p})" for p in patterns if not p.startswith("^")]
    return re.compile("|".join([f"^(?:{anchored})", *floating]), re.IGNORECASE | re.MULTILINE)


def normalize_line(line: str) -> str:
    """NFC, no zero-width or non-breaking spaces, single spaces, stripped."""
    if not line.isascii():  # most lines of Indonesian news are ASCII: nothing to normalise or replace
        line = unicodedata.normalize("NFC", line)
        line = line.replace("\u00a0", " ").replace("\u200b", "").replace("\u200c", "").replace("\ufeff", "")
    return " ".join(line.split())


def clean_text(text: str, outlet: Outlet | None = None) -> CleanedText:
    """Remove boilerplate lines and take the dateline out of the first paragraph."""
    lines = [normalized for line in (text or "").splitlines() if (normalized := normalize_line(line))]
    patterns = outlet.boilerplate_patterns if outlet is not None else ()
    lines, removed = remove_boilerplate(lines, patterns)
    names = tuple(outlet.dateline_names) if outlet is not None else ()
    dateline, lines = take_dateline(lines, names, trust_place_only=outlet is not None)
    return CleanedText(text="\n".join(lines), paragraphs=lines, dateline=dateline, removed_lines=removed)


# A pasted page's header (menu, section, headline, byline, time stamp) comes before its dateline within this many
# lines; the dateline is looked for there.
HEADER_LINES = 40
# In a page header, a dateline without an outlet's name ("Jakarta - …") must open a real paragraph.
MIN_WORDS_AFTER_HEADER_DATELINE = 6
# Lines that head a list of other stories' headlines on a pasted page: the headlines below them go too.
_LIST_HEADING = re.compile(
    r"^\s*(?:berita|artikel|topik|video|foto)? ?(?:terkait|terkini|terbaru|terpopuler|populer|lainnya|pilihan|rekomendasi"
    r"|trending)(?: untuk anda| hari ini| minggu ini)?\s*:?\s*$|^\s*(?:baca|lihat) (?:juga|pula)\s*:?\s*$"
    r"|^\s*(?:pilihan|rekomendasi) (?:editor|redaksi|untuk anda)\s*:?\s*$",
    re.IGNORECASE)
# A headline in such a list: a short line that does not end like a sentence.
_MAX_LISTED_HEADLINE_WORDS = 25


def clean_document(text: str, outlet: Outlet | None = None) -> tuple[CleanedText, Outlet | None]:
    """A text document (a .txt file, text pasted from a page) and its outlet: the outlet named in the text when
    `outlet` is None, the general and the outlet's boilerplate out (lists of other headlines under "Berita
    Terkait" and the like too), and the page header above the dateline out of the body, its headline the title."""
    lines = [normalized for line in (text or "").splitlines() if (normalized := normalize_line(line))]
    if outlet is None:
        outlet = outlet_named_in_text(lines)
    patterns = tuple(outlet.boilerplate_patterns) if outlet is not None else ()
    removed = boilerplate_lines(lines, patterns)
    kept = [index for index in range(len(lines)) if index not in removed]
    names = tuple(outlet.dateline_names) if outlet is not None else ()
    found = find_dateline([lines[index] for index in kept], names, trust_place_only=outlet is not None,
                          within=HEADER_LINES, min_words_after_place_only=MIN_WORDS_AFTER_HEADER_DATELINE)
    opening = kept[found.index] if found is not None else -1  # the dateline's line; the header is above it
    # Headline lists come after the story starts (above it, a list heading may be a menu item before the headline).
    removed |= {index for index in listed_headlines(lines, removed) if index > opening}
    header = [lines[index] for index in kept if index < opening]
    body = [lines[index] for index in kept if index > opening and index not in removed]
    if found is not None and found.rest:
        body.insert(0, found.rest)
    cleaned = CleanedText(text="\n".join(body), paragraphs=body, dateline=found.place if found is not None else None,
                          removed_lines=len(removed) + len(header), title=headline_of(header))
    return cleaned, outlet


def outlet_named_in_text(lines: list[str]) -> Outlet | None:
    """The registry outlet a page's text names as its own: the outlet of a dateline near the top ("GORONTALO,
    KOMPAS.com -", "Jakarta, CNN Indonesia --"), otherwise the one its app, share and footer lines name most
    ("Dapatkan update … dari Kompas.com", "Download Apps Detikcom", "Follow Berita Okezone di Google News").
    Names come from each entry's `dateline_names`, `publisher_names` and `name`; a name two outlets share is
    ignored, and so is a tie. A story naming another outlet in a sentence ("dikutip dari Kompas.com") does not count."""
    registry = _outlets_by_name()
    if not registry or not lines:
        return None
    names = tuple(sorted(registry, key=len, reverse=True))
    found = find_dateline(lines, _written_names(), within=HEADER_LINES, place_only_too=False)
    if found is not None and found.outlet_name and found.outlet_name.lower() in registry:
        return registry[found.outlet_name.lower()]
    furniture = _boilerplate_regex(_all_outlet_patterns())
    name_regex = re.compile(r"(?<![\w.])(?:" + "|".join(re.escape(name) for name in names) + r")(?!\w)", re.IGNORECASE)
    votes: Counter[str] = Counter()
    by_id = {outlet.id: outlet for outlet in registry.values()}
    for line in lines:
        if furniture.search(line):
            votes.update({registry[match.group(0).lower()].id for match in name_regex.finditer(line)})
    ranked = votes.most_common(2)
    if not ranked or len(ranked) == 2 and ranked[0][1] == ranked[1][1]:
        return None
    return by_id[ranked[0][0]]


@lru_cache(maxsize=1)
def _outlets_by_name() -> dict[str, Outlet]:
    """Lower-cased outlet names of the registry (dateline and publisher names, the entry's name) -> the outlet;
    names two outlets share ("Trans Media") are left out."""
    owners: dict[str, set[str]] = {}
    outlets = {outlet.id: outlet for outlet in all_outlets()}
    for outlet in outlets.values():
        for name in (outlet.name, *outlet.dateline_names, *outlet.publisher_names):
            owners.setdefault(name.lower(), set()).add(outlet.id)
    return {name: outlets[next(iter(ids))] for name, ids in owners.items() if len(ids) == 1}


@lru_cache(maxsize=1)
def _written_names() -> tuple[str, ...]:
    return tuple(sorted({name for outlet in all_outlets() for name in (*outlet.dateline_names, *outlet.publisher_names)}))


@lru_cache(maxsize=1)
def _all_outlet_patterns() -> tuple[str, ...]:
    return tuple(pattern for outlet in all_outlets() for pattern in outlet.boilerplate_patterns)


def listed_headlines(lines: list[str], removed: set[int]) -> set[int]:
    """Lines of headline lists on a pasted page: the short, unpunctuated lines right after a removed list heading
    ("Berita Terkait", "Terpopuler", "Baca juga:")."""
    listed: set[int] = set()
    for index in sorted(removed):
        if not _LIST_HEADING.match(lines[index]):
            continue
        following = index + 1
        while following < len(lines) and (following in removed or _looks_like_a_headline(lines[following])):
            listed.add(following)
            following += 1
    return listed - removed


def _looks_like_a_headline(line: str) -> bool:
    words = line.split()
    return 0 < len(words) <= _MAX_LISTED_HEADLINE_WORDS and not line.rstrip("\"”’')").endswith((".", "!", "?", ":", ";"))


def headline_of(header: list[str]) -> str | None:
    """The headline among a page's header lines: the longest line of four words or more that does not end like a
    sentence (section names, bylines and time stamps are shorter or removed already)."""
    candidates = [line for line in header if len(line.split()) >= 4 and _looks_like_a_headline(line)]
    return max(candidates, key=lambda line: len(line.split()), default=None)


def boilerplate_lines(lines: list[str], outlet_patterns: Iterable[str] = ()) -> set[int]:
    """Indexes of the lines a boilerplate pattern touches."""
    if not lines:
        return set()
    joined = "\n".join(lines)
    starts = [0]
    for line in lines[:-1]:
        starts.append(starts[-1] + len(line) + 1)
    removed: set[int] = set()
    for match in _boilerplate_regex(tuple(outlet_patterns)).finditer(joined):
        first = _line_index(starts, match.start())
        last = _line_index(starts, max(match.start(), match.end() - 1))
        removed.update(range(first, last + 1))
    return removed


def remove_boilerplate(lines: list[str], outlet_patterns: Iterable[str] = ()) -> tuple[list[str], int]:
    """The lines no pattern touches, and how many were removed."""
    removed = boilerplate_lines(lines, outlet_patterns)
    kept = [line for index, line in enumerate(lines) if index not in removed]
    return kept, len(removed)


def _line_index(starts: list[int], offset: int) -> int:
    return bisect.bisect_right(starts, offset) - 1


@dataclass(frozen=True)
class Dateline:
    index: int  # the line it opens
    place: str | None  # "Gorontalo"
    outlet_name: str | None  # the outlet as the dateline writes it: "KOMPAS.com"
    rest: str  # the rest of its line


def take_dateline(lines: list[str], outlet_names: tuple[str, ...] = (),
                  trust_place_only: bool = False) -> tuple[str | None, list[str]]:
    """(place of reporting, lines without the dateline) when the first paragraph opens with one."""
    found = find_dateline(lines, outlet_names, trust_place_only)
    if found is None:
        return None, lines
    return found.place, ([found.rest] if found.rest else []) + lines[1:]


def find_dateline(lines: list[str], outlet_names: tuple[str, ...] = (), trust_place_only: bool = False,
                  within: int = 1, min_words_after_place_only: int = 0, place_only_too: bool = True) -> Dateline | None:
    """The first dateline opening one of the first `within` lines. A dateline without an outlet's name ("Jakarta -")
    counts when `place_only_too`, in Indonesian text (or when `trust_place_only`), and when at least
    `min_words_after_place_only` words follow it on its line (in a page header, "Nasional - Politik" is a menu)."""
    with_outlet, place_only = _dateline_patterns(outlet_names)
    for index, line in enumerate(lines[:within]):
        match = with_outlet.match(line)
        if match is None:
            match = place_only.match(line) if place_only_too else None
            if match is None or len(line[match.end():].split()) < min_words_after_place_only \
                    or not (trust_place_only or _looks_indonesian(lines[index:])):
                continue
        groups = match.groupdict()
        place = next((groups[g] for g in ("place1", "place2", "place3", "place4") if groups.get(g)), None)
        outlet = next((groups[g] for g in ("outlet1", "outlet2", "outlet3", "outlet4") if groups.get(g)), None)
        return Dateline(index, _place_name(place) if place else None, outlet, line[match.end():].strip())
    return None


def _looks_indonesian(lines: list[str]) -> bool:
    return detect_language(" ".join(lines[:5])) in _PLACE_ONLY_LANGUAGES


def _place_name(place: str) -> str:
    """'GORONTALO' -> 'Gorontalo', 'BANDAR LAMPUNG' -> 'Bandar Lampung'; mixed case is kept."""
    place = place.strip(" .,")
    if place.isupper():
        return " ".join(word.capitalize() for word in place.split(" "))
    return place
