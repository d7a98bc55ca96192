"""Two-sentence summaries: the opening sentences of an article, split the way Indonesian news is written."""

from __future__ import annotations

import re

# Words that end in a full stop inside a sentence in Indonesian news ("Kab. Gowo", "Dr. Ruben", "Rp. 5").
# Single letters (initials: "Johnny G. Plate") are handled separately.
ABBREVIATIONS = frozenset((
    "dr", "drs", "dra", "ir", "hj", "prof", "st", "sp", "kec", "kab", "kel", "prov", "jl", "jln", "no", "tbk",
    "pt", "cv", "dkk", "dll", "dsb", "tsb", "rp", "kh", "bpk", "sdr", "sdri", "yth", "kompol", "akbp", "kapt",
    "letjen", "mayjen", "brigjen", "irjen", "kombes", "mr", "mrs", "ms", "jr", "sr", "inc", "co", "vs", "hlm",
    "hal",
))
# A candidate end: terminal punctuation, optional closing quotes/brackets, space, then something that can
# open a sentence (a capital or a digit, possibly after an opening quote or bracket).
_CANDIDATE_END = re.compile(r"(?P<stop>[.!?…]+)(?P<close>[\"”’')\]]*)\s+(?=[\"“‘(\[]?[A-Z0-9])")
_WORD_BEFORE = re.compile(r"(?P<word>[\w.]+)$")
SUMMARY_MAX_CHARS = 420


def split_sentences(text: str) -> list[str]:
    """The sentences of `text` in order; a paragraph break always ends a sentence."""
    sentences: list[str] = []
    for paragraph in text.splitlines():
        paragraph = " ".join(paragraph.split())
        if paragraph:
            sentences.extend(_paragraph_sentences(paragraph))
    return sentences


def _paragraph_sentences(paragraph: str) -> list[str]:
    sentences, start = [], 0
    for found in _CANDIDATE_END.finditer(paragraph):
        if found["stop"] == "." and not found["close"] and _ends_with_abbreviation(paragraph[start:found.start()]):
            continue
        sentences.append(paragraph[start:found.end("close")].strip())
        start = found.end()
    tail = paragraph[start:].strip()
    if tail:
        sentences.append(tail)
    return sentences


def _ends_with_abbreviation(before_stop: str) -> bool:
    found = _WORD_BEFORE.search(before_stop)
    if found is None:
        return False
    word = found["word"]
    if "." in word.strip("."):
        # A degree after a name ("Ruben Hattari, M.Si.") usually closes the sentence.
        return False
    return (len(word) == 1 and word.isalpha()) or word.lower() in ABBREVIATIONS


def summarize(text: str | None, sentences: int = 2, max_chars: int = SUMMARY_MAX_CHARS) -> str:
    """The first `sentences` sentences of `text`, cut at a word boundary (with '…') if very long."""
    if not text:
        return ""
    summary = " ".join(split_sentences(text)[:sentences])
    if len(summary) <= max_chars:
        return summary
    cut = summary[:max_chars].rsplit(" ", 1)[0].rstrip(",;:-–—")
    return cut + "…"
