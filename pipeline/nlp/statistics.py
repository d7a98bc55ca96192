"""The `pantau_statistics` component: every quantity in an article with unit, subject, sentence and source.

A number from `pipeline.nlp.numbers.find_quantities` becomes a statistic unless its context makes it a
date, a time, a year, a phone number, an identifier ("pasal 27", "Boeing 737", "lantai 3"), an ordinal
("ke-3") or a bare number nothing anchors. The unit is "percent", a currency code ("IDR", "USD", ...)
or the counted noun as written ("responden", "UKM"); the subject is the noun phrase the number
measures; the source is the organisation a survey, data or statement is attributed to.

Everything works on `doc.text` with compiled patterns over small windows around each number, so the
stage costs little more than one regex scan of the text.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Iterator
from typing import Any

from spacy.attrs import IDX, LOWER
from spacy.language import Language
from spacy.tokens import Doc
from spacy.vocab import Vocab

from pipeline.nlp import doc_text
from pipeline.nlp.numbers import START_WORDS, Quantity, find_quantities

# ----------------------------------------------------------------------------- vocabulary (data)

MONTHS = (
    "Januari", "Februari", "Pebruari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
    "Oktober", "November", "Nopember", "Desember", "Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Agu", "Agt",
    "Ags", "Agust", "Sep", "Sept", "Okt", "Nov", "Nop", "Des", "January", "February", "March", "May", "June",
    "July", "August", "October", "December",
)
WEEKDAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Jum'at", "Sabtu", "Minggu", "Ahad")
# Words after which a number names something (an article of law, a floor, a version) instead of counting it.
IDENTIFIER_WORDS = frozenset((
    "pasal", "ayat", "butir", "bab", "nomor", "no", "nomer", "nr", "halaman", "hal", "hlm", "page", "lantai",
    "kamar", "ruang", "blok", "jalur", "peron", "gerbang", "pintu", "loket", "km", "kilometer", "rt", "rw",
    "versi", "seri", "tipe", "type", "generasi", "kelas", "level", "tingkat", "tahap", "babak", "gelombang",
    "angkatan", "edisi", "jilid", "volume", "vol", "periode", "putaran", "ronde", "kode", "pos", "sektor",
    "zona", "grup", "kloter", "sesi", "gang", "kav", "kavling", "urutan", "peringkat", "ranking", "rangking",
    "juara", "posisi", "ke", "uu", "pp", "perpres", "permen", "perda", "kepmen", "sk", "keppres", "inpres",
    "perppu", "pojk", "tahun", "thn", "pukul", "pkl", "jam", "tanggal", "tgl", "abad", "dekade", "medio",
    "era", "ta", "nim", "nip", "nik", "npwp", "id", "telepon", "telp", "tel", "hp", "wa", "whatsapp", "ext",
    "fax", "faks", "rekening", "rek",
))
# Words that introduce an amount, so that a number after them needs no unit to be a statistic.
ANCHOR_WORDS = frozenset((
    "sebanyak", "sebesar", "senilai", "seharga", "setinggi", "sejumlah", "berjumlah", "jumlah", "jumlahnya",
    "total", "totalnya", "mencapai", "capai", "menjadi", "jadi", "dari", "ada", "terdapat", "yakni", "yaitu",
    "naik", "turun", "tumbuh", "meningkat", "menurun", "bertambah", "berkurang", "melonjak", "merosot", "anjlok",
    "sekitar", "hanya", "cuma", "tinggal", "berkisar", "dipatok", "ditetapkan", "diperkirakan", "menembus",
    "menyentuh", "setara", "rata-rata", "rerata", "adalah", "ialah", "sebanyak-banyaknya", "tercatat", "dengan",
    "hampir", "lebih", "kurang", "setidaknya", "sedikitnya", "minimal", "maksimal", "nilai", "nilainya",
))
# Only these make a plain 2000 a count rather than a year ("sebanyak 2000 orang").
YEAR_COUNT_ANCHORS = frozenset((
    "sebanyak", "sebesar", "berjumlah", "jumlahnya", "total", "totalnya", "mencapai", "sekitar", "hampir",
    "setidaknya", "sedikitnya", "kurang", "lebih",
))
# Function words: never a counted noun, and they end a subject phrase.
FUNCTION_WORDS = frozenset((
    "yang", "dan", "atau", "serta", "di", "ke", "dari", "pada", "untuk", "dengan", "dalam", "oleh", "bagi",
    "kepada", "terhadap", "tentang", "sejak", "hingga", "sampai", "menuju", "antara", "per", "itu", "ini",
    "tersebut", "adalah", "ialah", "merupakan", "akan", "telah", "sudah", "masih", "sedang", "belum", "tidak",
    "tak", "bukan", "juga", "pun", "saja", "lagi", "kini", "saat", "ketika", "karena", "sehingga",
    "namun", "tetapi", "tapi", "sedangkan", "sementara", "bahwa", "jika", "kalau", "agar", "supaya", "meski",
    "meskipun", "walaupun", "sebagai", "seperti", "yakni", "yaitu", "ya", "lebih", "kurang", "sekitar",
    "hanya", "bisa", "dapat", "harus", "perlu", "ingin", "mau", "pernah", "selama", "setelah", "sebelum",
    "sesudah", "tiap", "setiap", "para", "sang", "si", "nya", "pula", "lainnya", "sekali", "lalu",
    "mendatang", "kemudian", "dia", "ia", "mereka", "kami", "kita", "saya", "anda", "dst", "dll", "dsb",
    "maupun", "ataupun", "bila", "apabila", "atas", "bawah", "usai", "jelang", "menjelang",
    "kata", "ujar", "tutur", "jelas", "ungkap", "tegas", "sebut", "imbuh", "tambah", "menurut",
    "percaya", "tewas", "mati", "hilang", "ikut", "masuk", "keluar", "tiba", "datang", "punya", "hadir",
    "lahir", "hidup", "selamat", "luka", "tinggal", "pulang", "kembali", "naik", "turun", "tumbuh", "jatuh",
))
# Nouns that look like verbs by their prefix (me-, di-, ber-, ter-) but count things.
PREFIXED_NOUNS = frozenset((
    "menteri", "meter", "menit", "mesin", "merek", "media", "medali", "metode", "menara", "meja", "menu",
    "member", "megawatt", "megabit", "megabyte", "merchant", "direktur", "dinas", "distrik", "divisi", "dimensi",
    "diskon", "disabilitas", "dokumen", "dirjen", "direksi", "dirut", "digit", "digital", "terminal",
    "tersangka", "terdakwa", "terpidana", "ternak", "teroris", "teritori", "berita", "beras", "berkas",
    "bersaudara", "mereka", "megapiksel", "derajat", "terabyte", "menantu", "merpati",
))
# Measurement units may be capitalised in headlines and wire copy ("2.000 Kilometer").
MEASURE_UNITS = frozenset((
    "kilometer", "meter", "sentimeter", "milimeter", "hektare", "hektar", "are", "ton", "kilogram", "gram", "liter",
    "kiloliter", "barel", "watt", "kilowatt", "megawatt", "gigawatt", "volt", "mil", "knot", "derajat", "kalori",
))
_VERB_SHAPE = re.compile(r"^(?:me(?:m|n|ng|ny)?|di|ber|ter)[a-z]{3,}$")
# Currency words after a number; more specific phrases first.
CURRENCY_WORDS: tuple[tuple[str, str], ...] = (
    (r"(?:dolar|dollar)\s+(?:AS|Amerika(?:\s+Serikat)?|US)\b", "USD"),
    (r"(?:dolar|dollar)\s+Singapura\b", "SGD"),
    (r"(?:dolar|dollar)\s+Australia\b", "AUD"),
    (r"(?:dolar|dollar)\s+Hong\s?Kong\b", "HKD"),
    (r"rupiah\b", "IDR"),
    (r"(?:USD|US\$)(?!\w)", "USD"),
    (r"(?:euro|EUR)\b", "EUR"),
    (r"(?:poundsterling|pound\s+sterling|pound|GBP)\b", "GBP"),
    (r"(?:yen|JPY)\b", "JPY"),
    (r"(?:yuan|renminbi|CNY)\b", "CNY"),
    (r"(?:ringgit|MYR)\b", "MYR"),
    (r"(?:riyal|SAR)\b", "SAR"),
    (r"(?:won|KRW)\b", "KRW"),
    (r"(?:baht|THB)\b", "THB"),
)
CURRENCY_CODES = frozenset(code for _, code in CURRENCY_WORDS) | {"EUR", "GBP", "JPY", "SGD", "MYR", "USD", "IDR"}
SOURCE_TRIGGERS = (
    "survei", "survey", "data", "riset", "studi", "kajian", "laporan", "penelitian", "sensus", "catatan",
    "menurut", "berdasarkan", "mengutip", "dikutip", "merujuk", "rilis", "temuan", "analisis", "statistik",
    "polling", "jajak pendapat", "publikasi", "report", "indeks", "pendataan", "pencatatan", "penghitungan",
    "perhitungan", "pantauan", "rekapitulasi", "hitungan", "proyeksi", "estimasi", "perkiraan", "pemetaan",
)
# Words allowed between a trigger and the name it points at: "survei yang dilakukan oleh IdEA".
SOURCE_GAP_WORDS = (
    "yang", "dilakukan", "digelar", "dirilis", "diterbitkan", "dikeluarkan", "disusun", "dibuat", "oleh",
    "dari", "terbaru", "terkini", "terakhir", "resmi", "milik", "lembaga", "tahunan", "nasional", "global",
    "bersama", "hasil", "pihak",
)
ABBREVIATIONS = frozenset((
    "dr", "drs", "dra", "ir", "h", "hj", "prof", "st", "kec", "kab", "kel", "prov", "jl", "jln", "no", "tbk",
    "pt", "cv", "dkk", "dll", "dsb", "tsb", "rp", "kh", "bpk", "sdr", "yth", "kompol", "akbp", "kapt", "letjen",
    "mayjen", "brigjen", "irjen", "kombes", "mr", "mrs", "ms", "jr", "sr", "inc", "co", "vs", "hlm", "hal",
))

# ----------------------------------------------------------------------------- compiled patterns

_WORD = r"[^\W\d_][\w'’-]*"
_PERCENT_AFTER = re.compile(r"\s?(?:%|(?i:persen|per\s?sen|prosen)\b)")
_CURRENCY_AFTER = re.compile(r"\s*(?:" + "|".join(f"(?P<c{i}>{pattern})" for i, (pattern, _) in enumerate(CURRENCY_WORDS)) + ")")
_WORD_AFTER = re.compile(r"\s*(?P<word>" + _WORD + r")")
_PER_UNIT_AFTER = re.compile(r"\s*(?:/|\bper\b)\s*(?P<word>" + _WORD + r")")
_MONTH_AFTER = re.compile(r"\s*[-–]?\s*(?:" + "|".join(MONTHS) + r")\b\.?")
_MONTH_SET = frozenset(MONTHS)
_WEEKDAY_SET = frozenset(WEEKDAYS)
_TIME_AFTER = re.compile(r"\s*(?:WIB|WITA|WIT|GMT|UTC|a\.m\.|p\.m\.|am|pm)\b")
_ORDINAL_BEFORE = re.compile(r"(?:\bke-\s*|#)$", re.IGNORECASE)
_SALAH_BEFORE = re.compile(r"\b(?i:salah)\s+$")
_WORDS_AFTER_SATU = re.compile(r"\s*(?:[-–]|\b(?i:per\s+satu|sama\s+lain|pun)\b)")
_HYPHEN_WORD_AFTER = re.compile(r"-[^\W\d_]")
_AGE_PARENTHESES = re.compile(r"\(\s*$")
_AGE_CLOSE = re.compile(r"\s*(?:(?i:tahun|thn|th)\.?\s*)?\)")
# The last word of a window ("Kamis, ", "Budi (", "pasal ") is read from the reversed window with an anchored
# match: the same word as `(WORD)\.?\s*[,(]?\s*$` searched forwards, without trying every position.
_LAST_WORD_REVERSED = re.compile(r"\s*[,(]?\s*\.?(?P<word>[\w'’-]*[^\W\d_])")
_WORD_JUST_BEFORE_REVERSED = re.compile(r"\s*\.?(?P<word>[\w'’-]*[^\W\d_])")
_WHITESPACE = re.compile(r"\s")
# The word before a full stop, read from the reversed text: "(\w+)\.$" without trying every position.
_WORD_BEFORE_STOP_REVERSED = re.compile(r"\.(\w+)")
_PERCENT_OF = re.compile(r"\s*%?(?i:\s*persen)?\s+(?i:dari)\s+(?P<word>" + _WORD + ")")
_TOKENS = re.compile(r"[^\W_][\w'’-]*|[^\w\s]")
_SENTENCE_BREAK = re.compile(r"[.!?](?P<close>[\"”’')\]]*)\s+(?=[\"“‘(\[]?[A-Z0-9])|\n+")
_TRIGGER = re.compile(r"\b(?i:" + "|".join(re.escape(word) for word in SOURCE_TRIGGERS) + r")\b")
_NAME = r"(?:[A-Z][\w&.'’-]*|[0-9]+[A-Za-z][\w-]*)"
_SOURCE_AFTER_TRIGGER = re.compile(
    r"(?:\s+(?:" + "|".join(SOURCE_GAP_WORDS) + r")){0,5}\s+(?P<name>" + _NAME
    + r"(?:\s+(?:(?:dan|&|of|for|de)\s+)?" + _NAME + r"){0,6})"
)
_ANAPHORA_AFTER_TRIGGER = re.compile(r"\s+(?:tersebut|itu|ini)\b")
# "Angka itu naik 20 persen": a figure of the sentence before, whose source carries over.
_ANAPHORIC_FIGURE = re.compile(
    r"\b(?i:angka|jumlah|jumlahnya|data|hasil|temuan|capaian|realisasi|nilai)\s+(?:tersebut|itu|ini)\b")
_PRONOUNS = frozenset(("Dia", "Ia", "Mereka", "Kami", "Kita", "Ini", "Itu", "Tersebut"))
# A country or capital alone after "data" is where the data is about, not who made it.
_NON_SOURCE_NAMES = frozenset(("Rp", "Indonesia", "Jakarta"))

# Classifier nouns say little about what is counted: "26,4 juta orang" -> the subject is looked for before.
CLASSIFIER_NOUNS = frozenset(("orang", "jiwa", "unit", "buah", "ekor", "biji", "lembar", "batang", "kali", "pcs", "item"))
MAX_SUBJECT_WORDS = 6
MAX_RELATIVE_CLAUSE_WORDS = 12
MAX_AGE = 120
# "berusia 25 tahun", "usia 17 tahun ke atas", "usianya baru 19": the age of whoever is named, not a statistic about
# a subject; the count of people of that age ("sebanyak 1.200 orang") is read on its own.
AGE_WORDS = frozenset({"usia", "berusia", "usianya", "umur", "berumur", "umurnya"})
# Words that may stand between an age word and the number: "berusia di atas 60", "berumur sekitar 40".
AGE_QUALIFIERS = frozenset({"di", "atas", "bawah", "antara", "sekitar", "kira-kira", "hampir", "lebih", "kurang",
                            "dari", "baru", "sudah", "masih", "genap", "mencapai", "minimal", "maksimal", "rata-rata"})


@Language.factory("pantau_statistics", default_config={"max_subject_words": MAX_SUBJECT_WORDS},
                  requires=["doc._.organizations"], assigns=["doc._.statistics"])
def make_statistics(nlp: Language, name: str, max_subject_words: int) -> StatisticsComponent:
    return StatisticsComponent(nlp.vocab, max_subject_words=max_subject_words)


class StatisticsComponent:
    """Writes `doc._.statistics` (contract dicts) and `doc.spans["statistics"]` (label QUANTITY)."""

    def __init__(self, vocab: Vocab, max_subject_words: int = MAX_SUBJECT_WORDS):
        self.max_subject_words = max_subject_words
        # Number words are found through the tokens' lowercase hashes: far cheaper than a word regex.
        self.start_word_ids = frozenset(vocab.strings.add(word) for word in START_WORDS)

    def __call__(self, doc: Doc) -> Doc:
        word_starts = [offset for lower, offset in doc.to_array([LOWER, IDX]).tolist() if lower in self.start_word_ids]
        person_ends = frozenset(span.end_char for span in doc.spans["people"]) if "people" in doc.spans else None
        statistics = find_statistics(doc_text(doc), _organisation_spans(doc), self.max_subject_words, word_starts, person_ends)
        doc._.statistics = [statistic for statistic, _ in statistics]
        spans = []
        for _, (start, end) in statistics:
            span = doc.char_span(start, end, label="QUANTITY", alignment_mode="expand")
            if span is not None:
                spans.append(span)
        doc.spans["statistics"] = spans
        return doc

    def pipe(self, docs: Iterable[Doc], batch_size: int = 64) -> Iterator[Doc]:
        for doc in docs:
            yield self(doc)


def _organisation_spans(doc: Doc) -> list[tuple[int, int, str]]:
    # The organisations stage may store a canonical name in kb_id_; otherwise the text as written is the name.
    if "organizations" not in doc.spans:
        return []
    return [(span.start_char, span.end_char, span.kb_id_ or span.text) for span in doc.spans["organizations"]]


def find_statistics(
    text: str, organisations: list[tuple[int, int, str]] | None = None, max_subject_words: int = MAX_SUBJECT_WORDS,
    word_starts: list[int] | None = None, person_ends: frozenset[int] | None = None,
) -> list[tuple[dict[str, Any], tuple[int, int]]]:
    """Statistics of `text` in order, each with the character span of its number and unit. `person_ends` are the
    character offsets where people's names end (from the people stage): a number in parentheses right after one is
    an age; without them, after any capitalised word."""
    results: list[tuple[dict[str, Any], tuple[int, int]]] = []
    if not text:
        return results
    sentences: _Sentences | None = None
    source_cache: dict[int, list[tuple[int, str]]] = {}
    for quantity in find_quantities(text, word_starts):
        reading = _read_context(text, quantity, person_ends)
        if reading is None:
            continue
        unit, raw_end, noun_start, noun_end = reading
        sentences = sentences or _Sentences(text)
        sentence_start, sentence_end = sentences.around(quantity.start)
        subject = _subject(text, quantity, unit, noun_start, noun_end, sentence_start, sentence_end, max_subject_words)
        source = _source(text, quantity.start, sentence_start, sentence_end, sentences, organisations or [], source_cache)
        statistic = {
            "value": float(quantity.value),
            "unit": unit,
            "raw": " ".join(text[quantity.start:raw_end].split()),
            "subject": subject,
            "sentence": " ".join(text[sentence_start:sentence_end].split()),
            "source": source,
            "value_max": float(quantity.value_max) if quantity.value_max is not None else None,
            "qualifier": quantity.qualifier,
        }
        results.append((statistic, (quantity.start, raw_end)))
    return results


# ----------------------------------------------------------------------------- is it a statistic, and of what?

def _read_context(text: str, quantity: Quantity, person_ends: frozenset[int] | None = None
                  ) -> tuple[str, int, int | None, int | None] | None:
    """(unit, end of raw, counted-noun span) for a statistic; None for dates, codes, ages and other non-statistics."""
    start, end = quantity.start, quantity.end
    before = text[max(0, start - 40):start]
    if _is_date_or_time(text, quantity, before) or _is_identifier(text, quantity, before) or _is_age_of(before) \
            or _is_age(text, quantity, person_ends):
        return None
    if quantity.in_words and not _number_words_count(text, quantity):
        return None
    if _HYPHEN_WORD_AFTER.match(text, end):
        return None  # "90-an", "satu-satunya", "dua-duanya"
    unit, raw_end = _money_or_percent(text, quantity)
    noun_start = noun_end = None
    noun = _counted_noun(text, raw_end if unit == "percent" else end)
    if unit is None and noun is not None:
        word, noun_start, noun_end = noun
        unit, raw_end = word, noun_end
    elif unit == "percent" and noun is not None:
        _, noun_start, noun_end = noun
    if quantity.raw.lower() == "satu" and quantity.qualifier is None and unit not in ("percent", *CURRENCY_CODES):
        return None  # "satu serangan", "dalam satu pernyataan": an article, not a count
    if quantity.year_like and unit not in ("percent", "IDR", "USD") and not _anchored(before, YEAR_COUNT_ANCHORS):
        return None  # news writes counts as "2.000"; a plain 2014 is a year
    if unit is None:
        if not (quantity.scaled or quantity.qualifier or _anchored(before)):
            return None
        if len(_plain_digits(quantity) or "") >= 7:
            return None  # long bare digit runs are IDs
        unit = ""
    per = _PER_UNIT_AFTER.match(text, raw_end)
    if per is not None and unit and per["word"].lower() not in FUNCTION_WORDS:
        raw_end = per.end()
    return unit, raw_end, noun_start, noun_end


def _plain_digits(quantity: Quantity) -> str | None:
    # Digits as written without separators, for the "long runs are IDs" rule.
    raw = quantity.raw
    return raw if raw.isdigit() else None


def _last_word(window: str) -> str | None:
    """The word ending `window`, before an optional full stop, comma or "(" and spaces."""
    found = _LAST_WORD_REVERSED.match(window[::-1])
    return found["word"][::-1] if found else None


def _word_just_before(window: str) -> tuple[str, int] | None:
    """The word ending `window` (before an optional full stop and spaces) and where it starts in `window`."""
    found = _WORD_JUST_BEFORE_REVERSED.match(window[::-1])
    return (found["word"][::-1], len(window) - found.end("word")) if found else None


def _is_date_or_time(text: str, quantity: Quantity, before: str) -> bool:
    if _MONTH_AFTER.match(text, quantity.end):
        return True
    last = _last_word(before)
    if last is not None and (last in _MONTH_SET or last in _WEEKDAY_SET):
        return True  # "Agustus 2014", "Kamis, 28", "Selasa (2"
    return _TIME_AFTER.match(text, quantity.end) is not None


def _is_age_of(before: str) -> bool:
    """ "berusia 25", "usia di atas 60", "umurnya baru 19": an age word, then at most three qualifiers, then the number."""
    for word in reversed(before.lower().split()[-4:]):
        if word in AGE_WORDS:
            return True
        if word not in AGE_QUALIFIERS:
            return False
    return False


def _is_identifier(text: str, quantity: Quantity, before: str) -> bool:
    """'pasal 27', 'ke-3', 'Boeing 737', links and handles: numbers that name rather than count."""
    if quantity.currency is not None:
        return False
    if _ORDINAL_BEFORE.search(before):
        return True
    last = _word_just_before(before)
    if last is None:
        return _inside_link(text, quantity.start, quantity.end)
    word, word_start = last
    if word.lower() == "ke":
        # "yang ke 3" is an ordinal, "terbang ke 42 kota" a preposition before a count.
        return _counted_noun(text, quantity.end) is None
    if word.lower() in IDENTIFIER_WORDS:
        # "pasal 27", "No. 6", "tahun 2014"; a percent after it still counts ("tahun 5 persen" is rare but real).
        return not _PERCENT_AFTER.match(text, quantity.end)
    if _inside_link(text, quantity.start, quantity.end):
        return True
    if word[:1].isupper() and not _sentence_initial(before, word_start) and word.lower() not in ANCHOR_WORDS:
        # "Boeing 737", "Golkar 1", "Society 5.0": a name followed by a number with nothing counted.
        if not _PERCENT_AFTER.match(text, quantity.end) and not quantity.scaled:
            noun = _counted_noun(text, quantity.end)
            return noun is None or not noun[0][:1].islower()  # "Boeing 737 MAX" names, "Golkar 20 kursi" counts
    return False


def _inside_link(text: str, start: int, end: int) -> bool:
    left = max(text.rfind(" ", 0, start), text.rfind("\n", 0, start)) + 1
    right_space = _WHITESPACE.search(text, end)
    chunk = text[left:right_space.start() if right_space else len(text)]
    return "://" in chunk or "www." in chunk or "@" in chunk or chunk.count("/") >= 2


def _sentence_initial(before: str, word_start: int) -> bool:
    head = before[:word_start].rstrip()
    return not head or head[-1] in ".!?\"“”\n:(" or len(before) < 40 and word_start == 0


def _number_words_count(text: str, quantity: Quantity) -> bool:
    """Number words count things unless capitalised inside a sentence (Lima, Empat Lawang) or idiomatic."""
    first = quantity.raw.lstrip()[:1]
    if first.isupper() and not _sentence_initial(text[max(0, quantity.start - 40):quantity.start], min(40, quantity.start)):
        return False
    if quantity.raw.lower() == "satu" and (_SALAH_BEFORE.search(text, max(0, quantity.start - 8), quantity.start)
                                           or _WORDS_AFTER_SATU.match(text, quantity.end)):
        return False
    return True


def _money_or_percent(text: str, quantity: Quantity) -> tuple[str | None, int]:
    if quantity.currency is not None:
        return quantity.currency, quantity.end
    percent = _PERCENT_AFTER.match(text, quantity.end)
    if percent is not None or "%" in quantity.raw:
        return "percent", percent.end() if percent else quantity.end
    currency = _CURRENCY_AFTER.match(text, quantity.end)
    if currency is not None:
        for index, (_, code) in enumerate(CURRENCY_WORDS):
            if currency[f"c{index}"]:
                return code, currency.end()
    return None, quantity.end


def _counted_noun(text: str, position: int) -> tuple[str, int, int] | None:
    """The noun right after a number ("1.800 responden", "48 juta KL"), as written, with its span."""
    found = _WORD_AFTER.match(text, position)
    if found is None or "\n" in text[position:found.start("word")]:
        return None
    word = found["word"].rstrip("-'’")
    lower = word.lower()
    if len(word) == 1:
        return None  # "1024 x 768", "5 M" without currency
    if lower in FUNCTION_WORDS or lower in ANCHOR_WORDS or word in MONTHS or word in WEEKDAYS:
        return None
    if word[:1].isupper() and not word.isupper() and not re.search(r"[A-Z]", word[1:]) and lower not in MEASURE_UNITS:
        return None  # a capitalised word after a number starts a name, not a counted noun
    if _looks_like_verb(lower):
        return None
    return word, found.start("word"), found.start("word") + len(word)


def _looks_like_verb(lower: str) -> bool:
    return _VERB_SHAPE.match(lower) is not None and lower.removesuffix("nya") not in PREFIXED_NOUNS


def _is_age(text: str, quantity: Quantity, person_ends: frozenset[int] | None = None) -> bool:
    """'Hartono (52)', 'Budi (30 tahun)': a person's age in parentheses right after the name, not a statistic."""
    if quantity.in_words or quantity.value > MAX_AGE or quantity.value != int(quantity.value) or quantity.currency:
        return False
    opening = _AGE_PARENTHESES.search(text, max(0, quantity.start - 3), quantity.start)
    if opening is None or not _AGE_CLOSE.match(text, quantity.end):
        return False
    if person_ends is not None:
        name_end = opening.start()
        while name_end > 0 and text[name_end - 1] == " ":
            name_end -= 1
        return name_end in person_ends
    name = _last_word(text[max(0, quantity.start - 40):quantity.start])
    return name is not None and name[:1].isupper()


def _anchored(before: str, anchors: frozenset[str] = ANCHOR_WORDS) -> bool:
    last = _last_word(before)
    return last is not None and last.lower() in anchors


# ----------------------------------------------------------------------------- subject

def _subject(
    text: str, quantity: Quantity, unit: str, noun_start: int | None, noun_end: int | None,
    sentence_start: int, sentence_end: int, max_words: int,
) -> str | None:
    if noun_start is not None:
        forward = _phrase_forward(text, noun_start, sentence_end, max_words)
        if forward is None or forward.lower() not in CLASSIFIER_NOUNS:
            return forward
        return _phrase_backward(text, sentence_start, _qualifier_start(text, quantity), max_words) or forward
    if unit == "percent":
        after_dari = _PERCENT_OF.match(text, quantity.end)
        if after_dari is not None and after_dari["word"].lower() not in FUNCTION_WORDS:
            return _phrase_forward(text, after_dari.start("word"), sentence_end, max_words)
    qualifier_start = _qualifier_start(text, quantity)
    return _phrase_backward(text, sentence_start, qualifier_start, max_words)


def _qualifier_start(text: str, quantity: Quantity) -> int:
    if not quantity.qualifier or quantity.in_words:
        return quantity.start
    window_start = max(0, quantity.start - 30)
    found = text[window_start:quantity.start].lower().rfind(quantity.qualifier.split()[0])
    return window_start + found if found >= 0 else quantity.start


def _phrase_forward(text: str, start: int, limit: int, max_words: int) -> str | None:
    """The noun phrase from `start`: head noun, modifiers, and a 'yang' clause up to punctuation."""
    words: list[re.Match] = []
    in_clause = False
    for token in _TOKENS.finditer(text, start, limit):
        value = token.group(0)
        lower = value.lower()
        if not value[0].isalnum():
            break
        if lower == "yang" and words and not in_clause:
            in_clause = True
            words.append(token)
            continue
        if in_clause:
            if (lower in {"dan", "atau", "sedangkan", "sementara", "namun", "tetapi", "karena", "sehingga", "kata", "ujar"}
                    or len(words) >= MAX_RELATIVE_CLAUSE_WORDS):
                break
        elif words and (lower in FUNCTION_WORDS or _looks_like_verb(lower) or value[0].isdigit() or len(words) >= max_words):
            break
        words.append(token)
    while words and words[-1].group(0).lower() in {"yang", "di", "ke", "dari", "dengan", "untuk", "pada"}:
        words.pop()
    if not words:
        return None
    return " ".join(text[words[0].start():words[-1].end()].split())


# Words between a measured thing and its number: "anggaran subsidi BBM [sekitar] Rp 246,5 triliun".
_LINK_WORDS = frozenset((*ANCHOR_WORDS, "di", "pada", "stabil", "sudah", "telah", "baru", "masih", "kini", "sekarang",
                        "saat", "ini", "yang", "itu", "tersebut", "kurang", "lebih", "dari", "sebesar", "bernilai"))


def _phrase_backward(text: str, sentence_start: int, end: int, max_words: int) -> str | None:
    """The noun phrase before the number, skipping linking verbs and qualifiers."""
    tokens = list(_TOKENS.finditer(text, sentence_start, end))
    index = len(tokens) - 1
    while index >= 0 and (tokens[index].group(0).lower() in _LINK_WORDS or tokens[index].group(0) in "(:"
                          or _looks_like_verb(tokens[index].group(0).lower())):
        index -= 1
    words: list[re.Match] = []
    while index >= 0 and len(words) < max_words:
        value = tokens[index].group(0)
        lower = value.lower()
        if not value[0].isalpha() or lower in FUNCTION_WORDS or lower in ANCHOR_WORDS or _looks_like_verb(lower):
            break
        words.append(tokens[index])
        index -= 1
    if not words:
        return None
    words.reverse()
    return " ".join(text[words[0].start():words[-1].end()].split())


# ----------------------------------------------------------------------------- sentence and source

class _Sentences:
    """Sentence boundaries of a text, computed once, looked up by bisection."""

    def __init__(self, text: str):
        self.text = text
        self._mentions_source: dict[int, bool] = {}
        self.starts = [0]
        self.ends: list[int] = []
        for found in _SENTENCE_BREAK.finditer(text):
            if found["close"] is None or not self._after_abbreviation(found.start() + 1):
                self.ends.append(found.end("close") if found["close"] is not None else found.start())
                self.starts.append(found.end())
        self.ends.append(len(text))

    def _after_abbreviation(self, position: int) -> bool:
        head = self.text[max(0, position - 12):position].rstrip("\"”’')]")
        if not head.endswith("."):
            return False
        word = _WORD_BEFORE_STOP_REVERSED.match(head[::-1])
        return word is not None and (word[1][::-1].lower() in ABBREVIATIONS or len(word[1]) == 1)

    def mentions_source(self, start: int, end: int) -> bool:
        """Whether the sentence text[start:end] contains a source trigger at all (a substring test, once per sentence)."""
        known = self._mentions_source.get(start)
        if known is None:
            lowered = self.text[start:end].lower()
            known = self._mentions_source[start] = any(trigger in lowered for trigger in SOURCE_TRIGGERS)
        return known

    def around(self, position: int) -> tuple[int, int]:
        index = bisect.bisect_right(self.starts, position) - 1
        return self.starts[index], self.ends[index]

    def previous(self, sentence_start: int) -> tuple[int, int] | None:
        index = bisect.bisect_right(self.starts, sentence_start) - 1
        if index <= 0 or "\n" in self.text[self.ends[index - 1]:sentence_start]:
            return None  # the previous sentence belongs to another paragraph
        return self.starts[index - 1], self.ends[index - 1]


def _source(
    text: str, position: int, sentence_start: int, sentence_end: int, sentences: _Sentences,
    organisations: list[tuple[int, int, str]], cache: dict[int, list[tuple[int, str]]],
) -> str | None:
    """Who the text credits for the number: an organisation or name after survei/data/menurut/..."""
    source = _source_in(text, position, sentence_start, sentence_end, sentences, organisations, cache)
    if source is not None:
        return source
    if not sentences.mentions_source(sentence_start, sentence_end):
        previous = sentences.previous(sentence_start)
        if previous is not None and _ANAPHORIC_FIGURE.search(text, sentence_start, position):
            return _source_in(text, previous[1], previous[0], previous[1], sentences, organisations, cache)
        return None
    # "Survei itu juga menunjukkan ...": the survey was named in the sentence before.
    for trigger in _TRIGGER.finditer(text, sentence_start, sentence_end):
        if _ANAPHORA_AFTER_TRIGGER.match(text, trigger.end()):
            previous = sentences.previous(sentence_start)
            if previous is not None:
                return _source_in(text, previous[1], previous[0], previous[1], sentences, organisations, cache)
            break
    return None


def _source_in(text: str, position: int, start: int, end: int, sentences: _Sentences,
               organisations: list[tuple[int, int, str]], cache: dict[int, list[tuple[int, str]]]) -> str | None:
    """The attributed name in the sentence text[start:end] closest to `position`; candidates are found once per sentence."""
    if start not in cache:
        cache[start] = _source_candidates(text, start, end, sentences, organisations)
    candidates = cache[start]
    if not candidates:
        return None
    return min(candidates, key=lambda candidate: abs(candidate[0] - position))[1]


def _source_candidates(text: str, start: int, end: int, sentences: _Sentences,
                       organisations: list[tuple[int, int, str]]) -> list[tuple[int, str]]:
    found_names: list[tuple[int, str]] = []
    if not sentences.mentions_source(start, end):
        return found_names  # a substring test is far cheaper than the word pattern, and most sentences have none
    for trigger in _TRIGGER.finditer(text, start, end):
        for org_start, org_end, name in organisations:
            if trigger.end() <= org_start <= trigger.end() + 60 and org_end <= end:
                gap = text[trigger.end():org_start].split()
                if len(gap) <= 5 and all(word.lower() in SOURCE_GAP_WORDS for word in gap):
                    found_names.append((org_start, name))
                    break
        else:
            found = _SOURCE_AFTER_TRIGGER.match(text, trigger.end(), end)
            if found is not None:
                name = _clean_source_name(found["name"])
                if name:
                    found_names.append((found.start("name"), name))
    return found_names


def _clean_source_name(name: str) -> str | None:
    words = name.rstrip(".,").split()
    while words and words[-1].lower() in {"dan", "&", "of", "for", "de"}:
        words.pop()
    while words and (words[0] in MONTHS or words[0] in WEEKDAYS or words[0] in _PRONOUNS):
        words.pop(0)
    cleaned = " ".join(words)
    return cleaned if cleaned and cleaned not in _NON_SOURCE_NAMES else None
