"""Indonesian number parsing: digits, number words, scale words, fractions, ranges and qualifiers.

Indonesian writes `1.800` for 1800 and `2,5` for 2.5; news also carries English-style `2.5` and
`1,234.56` from wire copy, so a separator is read as decimal or grouping from the digits around it.
Words follow the usual grammar: `dua puluh lima ribu`, `seratus`, `tiga belas`, `satu setengah juta`.

`find_quantities(text)` scans a whole text once with compiled patterns and returns every number
expression with its character offsets; it does not judge whether a number is a statistic (dates,
codes, phone numbers are the statistics stage's business), except that numbers glued to letters
(`G20`, `4G`, `K-3`) or written as `1.2.3` are not numbers at all.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

UNIT_WORDS: dict[str, int] = {
    "nol": 0, "satu": 1, "dua": 2, "tiga": 3, "empat": 4, "lima": 5,
    "enam": 6, "tujuh": 7, "delapan": 8, "sembilan": 9,
}
# Words that are a whole number by themselves inside the thousand ("se-" means "one").
SE_WORDS: dict[str, int] = {"sepuluh": 10, "sebelas": 11, "seratus": 100}
# Multipliers that need a unit word before them: "dua belas", "tiga puluh", "empat ratus".
MULTIPLIER_WORDS = ("belas", "puluh", "ratus")
SCALE_WORDS: dict[str, float] = {
    "ribu": 1e3, "rb": 1e3, "juta": 1e6, "jt": 1e6,
    "miliar": 1e9, "milyar": 1e9, "triliun": 1e12, "trilyun": 1e12,
}
SE_SCALE_WORDS: dict[str, float] = {"seribu": 1e3, "sejuta": 1e6, "semiliar": 1e9, "semilyar": 1e9, "setriliun": 1e12}
# Abbreviations that are only safe after a currency sign: "Rp 2 M" is two billion, "2 M" may be metres.
CURRENCY_SCALE_ABBREVIATIONS: dict[str, float] = {"k": 1e3, "rb": 1e3, "jt": 1e6, "m": 1e9, "t": 1e12}
DENOMINATOR_WORDS: dict[str, int] = {
    "dua": 2, "tiga": 3, "empat": 4, "lima": 5, "enam": 6, "tujuh": 7, "delapan": 8, "sembilan": 9,
    "sepuluh": 10, "seratus": 100, "seribu": 1000,
}
# "setengah" is the only irregular fraction; the rest are "se" + "per" + a number word.
FRACTION_WORDS: dict[str, float] = {"setengah": 0.5, **{f"seper{word}": 1 / n for word, n in DENOMINATOR_WORDS.items()}}
PER_DENOMINATOR_WORDS: dict[str, int] = {f"per{word}": n for word, n in DENOMINATOR_WORDS.items()}
# "puluhan ribu" = tens of thousands: the value is the lower bound, the word is kept as qualifier.
VAGUE_WORDS: dict[str, float] = {
    "belasan": 10, "puluhan": 10, "ratusan": 100, "ribuan": 1e3, "jutaan": 1e6,
    "miliaran": 1e9, "milyaran": 1e9, "triliunan": 1e12,
}
QUALIFIERS: tuple[str, ...] = (
    "tidak kurang dari", "tak kurang dari", "tidak lebih dari", "tak lebih dari",
    "lebih dari", "kurang dari", "kurang lebih", "lebih kurang", "sekurang-kurangnya", "sebanyak-banyaknya",
    "paling sedikit", "paling banyak", "kira-kira", "sekitar", "hampir", "nyaris", "setidaknya", "sedikitnya",
    "minimal", "maksimal", "minimum", "maksimum", "mencapai", "hingga", "sampai", "di atas", "di bawah",
    "lebih", "±",
)
CURRENCY_SIGNS: dict[str, str] = {
    "rp": "IDR", "idr": "IDR", "us$": "USD", "usd": "USD", "$": "USD", "€": "EUR", "eur": "EUR",
    "£": "GBP", "¥": "JPY", "s$": "SGD", "sgd": "SGD", "rm": "MYR",
}


@dataclass(frozen=True)
class Quantity:
    """A number expression found in a text: `text[start:end]` is `raw` (currency sign included)."""

    start: int
    end: int
    raw: str
    value: float
    value_max: float | None = None
    qualifier: str | None = None
    currency: str | None = None
    # True for words ("tiga", "ratusan"); the statistics stage treats them differently from digits.
    in_words: bool = False
    scaled: bool = False
    # Plain four-digit numbers between 1900 and 2100 (a year or a range of years unless context says otherwise).
    year_like: bool = False


def parse_digits(written: str) -> float | None:
    """`1.800` -> 1800, `2,5` -> 2.5, `3.761,412` -> 3761.412, `2.5` -> 2.5; None for `1.2.3`."""
    if not written or not written[0].isdigit() or not written[-1].isdigit():
        return None
    if "/" in written:
        return _parse_fraction(written)
    has_dot, has_comma = "." in written, "," in written
    if has_dot and has_comma:
        decimal = "." if written.rfind(".") > written.rfind(",") else ","
        grouping = "," if decimal == "." else "."
        whole, _, fraction = written.rpartition(decimal)
        if decimal in whole or not _is_grouped(whole, grouping):
            return None
        return float(whole.replace(grouping, "") + "." + fraction)
    if has_dot or has_comma:
        separator = "." if has_dot else ","
        parts = written.split(separator)
        if len(parts) > 2:
            return float("".join(parts)) if _is_grouped(written, separator) else None
        whole, fraction = parts
        # One dot before exactly three digits groups thousands ("1.800"); a comma is Indonesian decimal.
        if separator == "." and len(fraction) == 3 and _is_grouped(written, ".") and whole != "0":
            return float(whole + fraction)
        return float(whole + "." + fraction)
    return float(written)


def _is_grouped(written: str, separator: str) -> bool:
    parts = written.split(separator)
    return 1 <= len(parts[0]) <= 3 and all(len(part) == 3 for part in parts[1:])


def _parse_fraction(written: str) -> float | None:
    # Only a proper fraction reads as a number; "22/3" or "3/5/2011" are dates, left to None.
    parts = written.split("/")
    if len(parts) != 2 or not all(part.isdigit() for part in parts):
        return None
    numerator, denominator = int(parts[0]), int(parts[1])
    if denominator == 0 or numerator >= denominator:
        return None
    return numerator / denominator


def parse_number_words(written: str) -> float | None:
    """`dua puluh lima ribu` -> 25000, `satu setengah juta` -> 1.5e6, `dua pertiga` -> 2/3; None if not a number."""
    words = [word for word in re.split(r"[\s-]+", written.lower().strip()) if word]
    if not words:
        return None
    total, chunk, pending, last_scale = 0.0, 0.0, None, float("inf")
    for word in words:
        if word in UNIT_WORDS:
            if pending is not None:
                return None
            pending = UNIT_WORDS[word]
        elif word in MULTIPLIER_WORDS:
            if pending is None:
                return None
            chunk += {"belas": pending + 10, "puluh": pending * 10, "ratus": pending * 100}[word]
            pending = None
        elif word in SE_WORDS:
            if pending is not None:
                return None
            chunk += SE_WORDS[word]
        elif word in PER_DENOMINATOR_WORDS:
            if pending is None:
                return None
            chunk += pending / PER_DENOMINATOR_WORDS[word]
            pending = None
        elif word in FRACTION_WORDS:
            chunk += (pending or 0) + FRACTION_WORDS[word]
            pending = None
        elif word in SCALE_WORDS or word in SE_SCALE_WORDS:
            scale = SCALE_WORDS.get(word) or SE_SCALE_WORDS[word]
            if scale >= last_scale:
                return None
            amount = chunk + (pending or 0)
            if word in SE_SCALE_WORDS:
                if amount:
                    return None
                amount = 1
            elif not amount:
                return None
            total += amount * scale
            chunk, pending, last_scale = 0.0, None, scale
        else:
            return None
    return total + chunk + (pending or 0)


def parse_number(written: str) -> float | None:
    """One number expression without range or qualifier: `2,5 juta`, `tiga juta`, `1/3`, `750rb`, `setengah`."""
    quantity = parse_quantity(written)
    if quantity is None or quantity.value_max is not None or quantity.qualifier is not None:
        return None
    return quantity.value


def parse_quantity(written: str) -> Quantity | None:
    """The first number expression in `written`, with range and qualifier (`lebih dari 10 ribu`)."""
    found = find_quantities(written)
    return found[0] if found else None


# ----------------------------------------------------------------------------- scanning patterns

def _alternation(words) -> str:
    return "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True))


_START_WORDS = _alternation([*UNIT_WORDS, *SE_WORDS, *SE_SCALE_WORDS, *FRACTION_WORDS])
_NEXT_WORDS = _alternation([*UNIT_WORDS, *SE_WORDS, *MULTIPLIER_WORDS, *SCALE_WORDS, *SE_SCALE_WORDS,
                            *FRACTION_WORDS, *PER_DENOMINATOR_WORDS])
_SCALES = _alternation(SCALE_WORDS)
_CURRENCY = r"(?:Rp\.?|IDR|US\$|USD|S\$|SGD|RM|EUR|\$|€|£|¥)"

# One number: digits (with an optional glued or spaced scale word) or a run of number words or a vague word.
_NUMBER = (
    r"(?:(?P<{p}digits>\d+(?:[.,]\d+)*(?:/\d+)*)(?:\s?(?P<{p}scale>(?i:" + _SCALES + r"))\b)?"
    r"|(?P<{p}vague>(?i:" + _alternation(VAGUE_WORDS) + r"))(?:\s+(?P<{p}vscale>(?i:" + _SCALES + r")))?\b"
    r"|(?P<{p}words>\b(?i:(?:" + _START_WORDS + r")(?:[\s-]+(?:" + _NEXT_WORDS + r"))*)\b))"
)
_QUANTITY = re.compile(
    r"(?:(?<![\w$])(?P<currency>" + _CURRENCY + r")\s?)?" + _NUMBER.format(p="a_")
)
# A second number after a range separator: "4-6 ribu", "10%-15%", "empat hingga lima", "Rp 3 - Rp 4 ribu".
_RANGE_TAIL = re.compile(
    r"\s*(?:%|(?i:persen)\b)?\s*(?:[-–—]|\b(?i:hingga|sampai(?:\s+dengan)?|sd)\b|\b(?i:s\.\s?d\.?|s/d))\s*"
    r"(?:" + _CURRENCY + r"\s?)?" + _NUMBER.format(p="b_")
)
_AND_TAIL = re.compile(r"\s+(?i:dan)\s+(?:" + _CURRENCY + r"\s?)?" + _NUMBER.format(p="b_"))
_CURRENCY_ABBREVIATION = re.compile(r"\s?(?P<abbr>(?i:rb|jt|k|m|t))\b")
_QUALIFIER_BEFORE = re.compile(
    r"(?:^|(?<=[\s(\"“]))(?P<qualifier>(?i:" + _alternation(QUALIFIERS).replace(r"\ ", r"\s+") + r"))\s+$"
)
# The last word of every qualifier: the window before a number can only hold one if it ends with one of them.
_QUALIFIER_ENDINGS = tuple(sorted({qualifier.split()[-1].lower() for qualifier in QUALIFIERS}))
_LONGEST_QUALIFIER_ENDING = max(map(len, _QUALIFIER_ENDINGS))
_ANTARA_BEFORE = re.compile(r"(?:^|(?<=\s))(?i:antara)\s+$")
# What may follow a number glued without a space: a percent sign or a short unit ("10km", "5kg", "2jt").
# Case matters: "5G" and "4G" are network generations, "5g" is grams.
_GLUED_SUFFIX = re.compile(r"(?:%|(?:rb|jt|km|kg|cm|mm|ha|GB|MB|TB|KB|Gb|Mb|MW|KW|kW|kWh|KWh|ton|m|l|L|ml|gr|g)\b)")
# The rest of a phone number or code after a rejected leading-zero or "+" part: "0812-3456-7890".
_DIGIT_CHAIN = re.compile(r"\)?(?:[-\s.]?\d+)+")


# Words a number expression can start with; a caller that has tokens passes their offsets instead of
# letting the (slower) word pattern scan the text.
START_WORDS = frozenset((*UNIT_WORDS, *SE_WORDS, *SE_SCALE_WORDS, *FRACTION_WORDS, *VAGUE_WORDS))
_START_WORD = re.compile(r"\b(?:" + _alternation(START_WORDS) + r")\b", re.IGNORECASE)
_DIGIT_RUN = re.compile(r"\d+")
_CURRENCY_BEFORE = re.compile(r"(?<![\w$])" + _CURRENCY + r"\s?$")


def find_quantities(text: str, word_starts: Iterable[int] | None = None) -> list[Quantity]:
    """Every number expression in `text`, in order, without overlaps.

    `word_starts` are the offsets of tokens that are START_WORDS (from a tokenizer); without them the
    text is scanned for those words.
    """
    if word_starts is None:
        word_starts = [found.start() for found in _START_WORD.finditer(text)]
    candidates = sorted({*(found.start() for found in _DIGIT_RUN.finditer(text)), *word_starts})
    found: list[Quantity] = []
    position = 0
    for candidate in candidates:
        if candidate < position:
            continue
        start = candidate
        if text[candidate].isdigit():
            if candidate > 0 and text[candidate - 1].isdigit():
                continue
            currency = _CURRENCY_BEFORE.search(text, max(position, candidate - 5), candidate)
            start = currency.start() if currency else candidate
        match = _QUANTITY.match(text, start)
        if match is None:
            continue
        quantity, end = _read_quantity(text, match)
        position = max(end, match.end())
        if quantity is not None:
            found.append(quantity)
    return found


def _read_quantity(text: str, match: re.Match) -> tuple[Quantity | None, int]:
    """The Quantity at `match` (None when it is not a number after all) and where scanning resumes."""
    start, end = match.start(), match.end()
    currency = CURRENCY_SIGNS.get(match["currency"].rstrip(".").lower()) if match["currency"] else None
    if not _stands_alone(text, match.start("a_digits") if match["a_digits"] else start, end, currency,
                         match["a_digits"] is not None):
        chain = _DIGIT_CHAIN.match(text, end) if text[start - 1:start] == "+" else None
        return None, chain.end() if chain else end
    value = _number_value(match, "a_")
    if value is None:
        chain = _DIGIT_CHAIN.match(text, end) if match["a_digits"] else None
        return None, chain.end() if chain else end
    value_max = None
    year_like = looks_like_year(match["a_digits"])
    scaled = bool(match["a_scale"] or match["a_vscale"] or (match["a_words"] and _has_scale_word(match["a_words"])))
    tail = _RANGE_TAIL.match(text, end)
    antara = _ANTARA_BEFORE.search(text, max(0, start - 10), start)
    if tail is None and antara:
        tail = _AND_TAIL.match(text, end)
    if tail is not None and not match["a_vague"] and _same_kind(match, tail) and _stands_alone(
            text, tail.start("b_digits") if tail["b_digits"] else tail.start(), tail.end(), currency,
            tail["b_digits"] is not None):
        high = _number_value(tail, "b_")
        low = value
        if high is not None and not _has_own_scale(match, "a_") and _has_own_scale(tail, "b_"):
            low = value * _scale_of(tail, "b_")
        if high is not None and high > low and not (looks_like_year(tail["b_digits"]) and not looks_like_year(match["a_digits"])):
            value, value_max, end = low, high, tail.end()
            year_like = year_like and looks_like_year(tail["b_digits"])
            scaled = scaled or _has_own_scale(tail, "b_")
        elif match["a_digits"] and tail.group(0).lstrip().startswith(("-", "–")):
            # "2-1" (a score) or "0812-3456-7890" (a phone number) is no quantity.
            return None, tail.end()
    if currency is not None and not scaled:
        abbreviation = _CURRENCY_ABBREVIATION.match(text, end)
        if abbreviation is not None:
            value *= CURRENCY_SCALE_ABBREVIATIONS[abbreviation["abbr"].lower()]
            value_max = value_max * CURRENCY_SCALE_ABBREVIATIONS[abbreviation["abbr"].lower()] if value_max else None
            end, scaled = abbreviation.end(), True
    qualifier = None
    if match["a_vague"]:
        qualifier = text[match.start("a_vague"):match.end("a_vscale") if match["a_vscale"] else match.end("a_vague")].lower()
    elif value_max is None:
        found = _qualifier_before(text, start)
        qualifier = " ".join(found["qualifier"].lower().split()) if found else None
    return Quantity(
        start=start, end=end, raw=text[start:end], value=value, value_max=value_max, qualifier=qualifier,
        currency=currency, in_words=match["a_digits"] is None, scaled=scaled, year_like=year_like and not scaled,
    ), end


def _qualifier_before(text: str, start: int) -> re.Match[str] | None:
    """The qualifier right before a number ("lebih dari 10"); most numbers have none, and a test of the window's
    last word saves the pattern's search through every position of it."""
    window_start = max(0, start - 30)
    stripped = text[window_start:start].rstrip()
    if len(stripped) == start - window_start:
        return None  # the pattern needs a space before the number
    tail = stripped[-_LONGEST_QUALIFIER_ENDING:]
    # Only for ASCII is lower() exactly the pattern's case-insensitive match; other text gets the search.
    if tail.isascii() and not tail.lower().endswith(_QUALIFIER_ENDINGS):
        return None
    return _QUALIFIER_BEFORE.search(text, window_start, start)


def _stands_alone(text: str, start: int, end: int, currency: str | None, is_digits: bool) -> bool:
    """Digits glued to letters (`G20`, `K-3`, `4G`, `COVID-19`) or to a time (`14:30`) are not numbers."""
    if not is_digits:
        return True
    before = text[start - 1] if start > 0 else " "
    if currency is not None:
        before = " "  # "Rp9.100", "Rp.5 miliar": the sign may touch the digits
    if before.isalpha() or before in "_@#+":
        return False
    if before in "-." and start > 1 and text[start - 2].isalpha():
        return False
    if before in ":/+" and (start < 2 or not text[start - 2].isspace()):
        return False
    after = text[end] if end < len(text) else " "
    if after == ":" and end + 1 < len(text) and text[end + 1].isdigit():
        return False
    if after.isalpha() or after in "_@":
        glued = _GLUED_SUFFIX.match(text, end) or (currency and _CURRENCY_ABBREVIATION.match(text, end))
        return glued is not None
    if after in "-." and end + 1 < len(text) and text[end + 1].isalpha():
        return False
    return True


def looks_like_year(digits: str | None) -> bool:
    """Four plain digits between 1900 and 2100: read as a year unless the context says otherwise."""
    return bool(digits) and len(digits) == 4 and digits.isdigit() and 1900 <= int(digits) <= 2100


def _number_value(match: re.Match, prefix: str) -> float | None:
    if match[prefix + "digits"]:
        digits = match[prefix + "digits"]
        if len(digits) > 1 and digits[0] == "0" and digits[1].isdigit():
            return None  # "021", "0812": phone prefixes and codes, not amounts
        value = parse_digits(digits)
        if value is None:
            return None
        return value * _scale_of(match, prefix)
    if match[prefix + "vague"]:
        value = VAGUE_WORDS[match[prefix + "vague"].lower()]
        return value * _scale_of(match, prefix)
    return parse_number_words(match[prefix + "words"])


def _scale_of(match: re.Match, prefix: str) -> float:
    word = match[prefix + "scale"] or match[prefix + "vscale"]
    return SCALE_WORDS[word.lower()] if word else 1.0


def _has_own_scale(match: re.Match, prefix: str) -> bool:
    return bool(match[prefix + "scale"] or match[prefix + "vscale"])


def _has_scale_word(words: str) -> bool:
    return any(word in SCALE_WORDS or word in SE_SCALE_WORDS for word in re.split(r"[\s-]+", words.lower()))


def _same_kind(low: re.Match, tail: re.Match) -> bool:
    # "4-6" and "empat hingga lima" are ranges; "4 - enam" and a vague word are not.
    if low["a_digits"] is not None:
        return tail["b_digits"] is not None
    return tail["b_words"] is not None
