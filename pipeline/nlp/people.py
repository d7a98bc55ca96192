"""`pantau_people`: people named in an article, their roles and organisations, and what they said.

Runs after `pantau_organizations` and reads its spans. People are found, strongest evidence first:
1. a role written before the name ("Menteri Komunikasi dan Informatika Rudiantara", "Direktur Utama PT X,
   Budi Santoso"), with the organisation the role names;
2. the speaker of a quote or a reported statement ("…," kata Ruben Hattari, Kepala Kebijakan Publik
   Facebook Indonesia.; Menurut X, …; X mengatakan …), with the role written after the name;
3. an honorific ("Bapak Joko", "Prof. Dr. Ir. H. Budi Santoso, M.Si");
4. for the PER spans only, any other run of capitalised words that is not a common word, an
   organisation, a role or a place.
A later short mention ("Ruben") resolves to the full name; pronouns (ia, dia, beliau, -nya) as speakers
resolve to the last person named and are never returned as names.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

import srsly
from spacy.language import Language
from spacy.tokens import Doc, Span

from models.organizations import LEXICON_PATH, Lexicon, load_lexicon
from pipeline.nlp import doc_text, pattern_docs
from pipeline.nlp.phrases import PhraseTable
from pipeline.nlp.places import GAZETTEER_PATH, LOCATIVE_CUES
from pipeline.nlp.vocabulary import common_words, is_common, lemma_table_path, stop_words

SPAN_KEY = "people"
LABEL = "PER"
ORG_SPAN_KEY = "organizations"

# Verbs that follow a quote and introduce its speaker ("…," kata X). "-nya" forms point back to the
# last person named ("…," ujarnya).
AFTER_QUOTE_VERBS = frozenset({
    "kata", "ujar", "tutur", "jelas", "ungkap", "sebut", "imbuh", "tambah", "terang", "papar", "lanjut", "ucap",
    "tegas", "pungkas", "kilah", "aku", "tukas", "timpal", "seru", "sambung", "beber", "urai", "tandas", "bilang",
    "katanya", "ujarnya", "tuturnya", "jelasnya", "ungkapnya", "sebutnya", "imbuhnya", "tambahnya", "terangnya",
    "paparnya", "lanjutnya", "ucapnya", "tegasnya", "pungkasnya", "kilahnya", "akunya", "tukasnya", "timpalnya",
    "serunya", "sambungnya", "bebernya", "urainya", "tandasnya", "bilangnya", "harapnya", "pintanya", "ajaknya",
    "katanya.", "tanya", "jawab", "jawabnya", "tanyanya", "harap", "pinta", "ajak", "klaim", "klaimnya",
})
# Verbs that follow the speaker and introduce what was said (X mengatakan, "…").
REPORTING_VERBS = frozenset({
    "mengatakan", "menyatakan", "menjelaskan", "mengungkapkan", "menuturkan", "menyebutkan", "menyebut",
    "menambahkan", "menerangkan", "memaparkan", "melanjutkan", "menegaskan", "berkata", "menilai", "berpendapat",
    "mengakui", "menyampaikan", "mengimbau", "menekankan", "mengklaim", "membeberkan", "mengingatkan",
    "berharap", "mengharapkan", "meyakini", "menduga", "memperkirakan", "mengemukakan", "bilang", "berujar",
    "bertutur", "menjawab", "mengaku", "menandaskan", "mengungkap", "menuturkan,", "optimistis", "yakin",
})
PRONOUNS = frozenset({"ia", "dia", "beliau", "nya", "mereka", "kami", "saya", "aku", "-nya"})
# Honorifics written before a name; they are not part of it.
HONORIFICS = frozenset({
    "Dr.", "dr.", "Prof.", "Ir.", "H.", "Hj.", "Drs.", "Dra.", "KH.", "K.H.", "Kiai", "Kyai", "Habib", "Gus", "Bapak",
    "Ibu", "Pak", "Bu", "Mr.", "Mrs.", "Ms.", "Sdr.", "Sdri.", "Bpk.", "Tuan", "Nyonya", "Nona", "Mbak", "Mas",
    "Bung", "Syekh", "Ustaz", "Ustadz", "Ustazah", "Dr", "Prof", "Ir", "Drs", "Hj", "Sir", "Dato", "Datuk",
})
# Honorifics that make the next capitalised words a person even without a role or a quote.
PERSON_CUES = frozenset({"Bapak", "Ibu", "Pak", "Bu", "Mr.", "Mrs.", "Ms.", "Sdr.", "Sdri.", "Bpk.", "Dr.", "dr.", "Prof.",
                         "Ir.", "Hj.", "Drs.", "Dra.", "KH.", "K.H.", "Kiai", "Habib", "Mbak", "Mas", "Bung",
                         "Ustaz", "Ustadz", "saudara", "Saudara", "almarhum", "mendiang", "Almarhum"})
# The few public figures the press names by their initials alone; any other acronym is not a person.
KNOWN_INITIALS = {"SBY": "Susilo Bambang Yudhoyono", "JK": "Jusuf Kalla", "AHY": "Agus Harimurti Yudhoyono",
                  "BTP": "Basuki Tjahaja Purnama"}
# Degrees written after a name (", S.Kom", ", M.Si", ", Ph.D", ", MBA").
DEGREE = re.compile(r"^(?:(?:[A-Z][a-zA-Z]{0,3}\.){1,4}[A-Za-z]{0,4}\.?|Ph\.?D\.?|MBA|MSc|MA|SH|SE|MM|MT|MH)$")
CAPITAL_PARTICLES = frozenset({"Di", "De", "Van", "Von", "Da", "Dos", "Del", "Le", "La", "Al", "El"})  # "Angel Di Maria"
PARTICLES = frozenset({"bin", "binti", "van", "der", "den", "de", "von", "da", "dos", "al", "el", "des", "du", "del",
                       "della", "la", "le", "y", "ter", "bte", "ibn"})
# Words that head a job title: capitalised before a name ("Kepala Dinas … Budi") or after a comma.
ROLE_HEADS = frozenset({
    "presiden", "wakil", "wapres", "menteri", "menko", "wamen", "direktur", "dirut", "dirjen", "kepala", "ketua",
    "ketum", "waketum", "sekretaris", "sekjen", "sekda", "gubernur", "wagub", "bupati", "wabup", "wali", "walikota",
    "wawali", "camat", "lurah", "kades", "kapolri", "kapolda", "kapolres", "kapolresta", "kapolsek", "wakapolri",
    "kabareskrim", "kadiv", "kabid", "kasubdit", "kadis", "kabag", "kasat", "kasatreskrim", "karo", "kapuspen",
    "panglima", "pangdam", "danrem", "dandim", "komandan", "kasad", "kasal", "kasau", "komisaris", "manajer",
    "manager", "ceo", "cto", "cfo", "coo", "cmo", "founder", "co-founder", "pendiri", "head", "chief", "country",
    "vice", "president", "director", "pengamat", "peneliti", "dosen", "rektor", "wakil rektor", "dekan", "guru",
    "pakar", "ahli", "ekonom", "analis", "aktivis", "praktisi", "pengacara", "kuasa", "juru", "jubir", "koordinator",
    "deputi", "asisten", "staf", "anggota", "pimpinan", "pemimpin", "plt", "plh", "pj", "penjabat", "hakim", "jaksa",
    "pelatih", "kapten", "owner", "pemilik", "senior", "general", "associate", "executive", "managing", "partner",
    "inspektur", "auditor", "kapuspenkum", "kasubag", "kasi", "kepsek", "ketua umum", "wakil ketua", "penasihat",
    "pembina", "bendahara", "humas", "spokesperson", "chairman", "chairwoman", "presdir", "wadirut", "komut",
    "direktris", "dirops", "irjen", "sesjen", "sesditjen", "kaur", "kabiro", "kapusdatin", "kapolrestabes",
    "jenderal", "letjen", "mayjen", "brigjen", "laksamana", "marsekal", "kombes", "akbp", "kompol", "akp", "iptu",
    "ipda", "kolonel", "letkol", "mayor", "mahasiswa", "mahasiswi", "warga", "pengusaha", "pedagang", "pelaku",
    "petani", "nelayan", "pengemudi", "sopir", "pengguna", "konsumen", "siswa", "relawan", "pegiat", "penggiat",
    "fasilitator", "mentor", "narasumber", "pembicara", "trainer", "instruktur", "influencer", "kreator", "konten",
    "politisi", "politikus", "mantan", "eks", "calon", "kandidat", "bakal", "petahana", "legislator", "senator",
    "dubes", "duta", "aktor", "aktris", "artis", "penyanyi", "pebalap", "pemain", "petenis", "pebulutangkis",
    "pesepakbola", "striker", "gelandang", "bek", "kiper", "penyerang", "sutradara", "produser", "penulis",
    "wartawan", "jurnalis", "fotografer", "pemred", "ketua dpr", "raja", "ratu", "pangeran", "putri", "sultan",
    "wasekjen", "menneg", "meneg", "wakasad", "wakapolda", "wakapolres", "pria", "wanita", "perempuan", "lelaki",
    "sosok", "bocah", "remaja",
})
# Words of job titles that are not in the common-word list ("Direktur Jenderal Aplikasi Informatika").
ROLE_WORDS = frozenset({
    "jenderal", "informatika", "eksekutif", "humas", "operasional", "korporat", "regional", "divisi", "bidang",
    "komisaris", "direktur", "utama", "kebijakan", "publik", "digital", "teknologi", "bisnis", "strategis",
    "pemasaran", "officer", "executive", "manager", "director", "marketing", "public", "policy", "affairs",
    "general", "operations", "communications", "relations", "corporate", "head", "chief", "senior", "vice",
    "president", "country", "indonesia", "asia", "pasifik", "tenggara", "government", "partnership", "partnerships",
    "business", "development", "product", "technology", "founder", "co-founder", "umum", "harian", "pelaksana",
    "tugas", "ad", "interim", "kominfo", "sekretaris", "sekjen", "deputi", "asisten", "staf", "khusus", "ahli",
    "koordinator", "perwakilan", "cabang", "wilayah", "daerah", "provinsi", "kabupaten", "kota", "pusat",
    "hubungan", "masyarakat", "internasional", "nasional", "fraksi", "komisi", "dewan", "pembina", "pengawas",
    "agung", "muda", "madya", "pratama", "besar", "raya", "negeri", "tinggi", "mantan", "eks",
})
# Words between a subject and its reporting verb ("Bambang juga memaparkan").
ADVERBS = frozenset({"juga", "pun", "telah", "sudah", "akan", "kembali", "lalu", "tidak", "tak", "masih", "sempat",
                     "kemudian", "bahkan", "sendiri", "pula", "lantas", "secara", "langsung", "hanya", "justru",
                     "sebelumnya", "kini", "saat", "itu", "ini", "mengaku", "turut", "segera", "tegas", "pernah"})
MONTHS_AND_DAYS = frozenset({
    "januari", "februari", "maret", "april", "mei", "juni", "juli", "agustus", "september", "oktober", "november",
    "desember", "senin", "selasa", "rabu", "kamis", "jumat", "sabtu", "minggu", "ahad", "january", "february",
    "march", "june", "july", "august", "october", "december", "monday", "tuesday", "wednesday", "thursday",
    "friday", "saturday", "sunday", "idul", "fitri", "adha", "ramadan", "ramadhan", "lebaran", "natal", "imlek",
    "tahun", "baru", "covid-19", "covid",
})
# Words after which a role written after a name ends ("…, Kepala Dinas X di Jakarta, Senin").
ROLE_STOPS = frozenset({"di", "saat", "ketika", "dalam", "pada", "kepada", "usai", "seusai", "dengan", "sambil",
                        "melalui", "lewat", "dari", "kemarin", "saat", "tadi", "sebelumnya", "beberapa", "yang",
                        "bahwa", "menurut", "juga", "pun", "ini", "itu", "kepada", "ketika", "selepas", "sesudah"})
# Words that make a run of capitalised words a place, a building, an event or a product, not a person:
# written before it ("Bandara Juwata", "Liga Champions") or inside it ("Premier League").
NOT_PERSON_WORDS = frozenset({
    "jalan", "jl", "jl.", "jln", "jln.", "bandara", "bandar", "pelabuhan", "stasiun", "terminal", "gedung", "stadion",
    "istana", "museum", "selat", "laut", "teluk", "gunung", "danau", "sungai", "pulau", "kepulauan", "pantai",
    "kompleks", "komplek", "wisma", "lapangan", "taman", "kecamatan", "kelurahan", "kampung", "dusun", "desa",
    "jembatan", "hotel", "mall", "plaza", "pasar", "masjid", "gereja", "pura", "candi", "monumen", "tugu", "tol",
    "kawasan", "kampus", "arena", "tower", "menara", "apartemen", "rumah", "kantor", "balai", "liga", "league",
    "piala", "cup", "championship", "championships", "olimpiade", "olympics", "games", "festival", "expo",
    "muktamar", "pilpres", "pilkada", "pileg", "pemilu", "munas", "munaslub", "kongres", "rakernas", "rapimnas",
    "konferensi", "conference", "summit", "pekan", "hari", "award", "awards", "series", "open", "masters", "prix",
    "galaxy", "iphone", "ipad", "android", "windows", "tab", "world", "bundesliga", "serie", "amnesty", "program",
    "gerakan", "kartu", "undang-undang", "uu", "perpres", "perppu", "permen", "rancangan", "ruu", "pasal",
    "wars", "park", "city", "club", "fc", "united", "airport", "street", "road", "bay", "island", "mount", "river",
    "tahun", "abad", "era", "orde", "reformasi", "hut", "sidang", "rapat", "paripurna", "lebaran", "natal",
    "pictures", "channel", "group", "grup", "communication", "communications", "express", "studios", "records",
    "magazine", "news", "tv", "online", "media", "formula", "operasi", "peraturan", "nomor", "no", "ayat", "undang",
    "ujian", "kurikulum", "sekolah", "universitas", "institut", "fakultas", "aplikasi", "situs", "platform",
    "pansus", "panja", "satgas", "tim", "koalisi", "unit", "divisi", "divre", "kejuaraan", "turnamen", "show",
    "ratas", "komite", "circuit", "sirkuit", "theatre", "theater", "bioskop", "film", "serial", "album", "lagu",
    "forum", "asosiasi", "yayasan", "komunitas", "lembaga", "badan", "dinas", "kementerian", "partai", "bank",
    # English names of events, often after a job title ("CEO Talk", "CEO Networking Night"): not a name after "CEO".
    "talk", "talks", "night", "meeting", "meetup", "dialogue", "dialog", "breakfast", "dinner", "lunch", "gathering",
    "networking", "session", "bootcamp", "camp", "fair", "fest", "competition", "challenge", "hackathon", "webinar",
    "seminar", "workshop", "roadshow", "exhibition", "talkshow", "roundtable", "panel", "keynote", "briefing",
    "lounge", "academy", "class", "day", "week", "gala", "retreat", "meet",
})
CONNECTORS = frozenset({"dan", "&", "untuk", "serta", "bidang", "of", "and", "for", "the", "-", "/"})
QUOTE_PATTERN = re.compile(r"[“\"]([^“”\"]{2,2000}?)[”\"]")
SENTENCE_END = frozenset({".", "!", "?", "…"})
MAX_NAME_TOKENS = 6


@dataclass
class Person:
    name: str
    role: str | None = None
    organization: str | None = None
    last_seen: int = -1


@dataclass(frozen=True)
class Pronoun:
    """A speaker written as "ia", "dia", "beliau" or "-nya" at token `position`: resolved once every name is known."""

    position: int


Speaker = Person | Pronoun


@dataclass
class DocState:
    """What one document's analysis has found so far."""

    doc: Doc
    words: list[str]  # token texts, read once: creating Token objects dominates the cost of this stage
    lowers: list[str]
    text: str  # doc.text, built once
    token_starts: list[int]
    org_at: dict[int, tuple[int, str]]  # token -> (org span end, canonical name)
    role_at: dict[int, tuple[int, str]]  # token -> (leader title end, organisation it names)
    sentence_start: list[bool]
    headline_tokens: set[int] = field(default_factory=set)
    role_tokens: set[int] = field(default_factory=set)
    people: dict[str, Person] = field(default_factory=dict)
    short_names: dict[str, str] = field(default_factory=dict)
    spans: dict[tuple[int, int], str] = field(default_factory=dict)
    quotes: list[tuple[int, Speaker, str]] = field(default_factory=list)
    claimed: set[int] = field(default_factory=set)


class PeopleRecognizer:
    """The spaCy component; one instance per pipeline, stateless between documents.

    Made by its factory it is built by `initialize` (leader titles from the organisation lexicon at
    `lexicon_path`, place names from the places gazetteer; or on the first document), or restored by
    `from_disk` (the titles' phrase table and the place-name sets)."""

    def __init__(self, nlp: Language, lexicon_path: str | None = None):
        self._nlp = nlp
        self.lexicon_path = lexicon_path
        self.ready = False
        self.common = common_words()
        self.stop_words = stop_words()
        self.leader_matcher = PhraseTable("ORTH")

    def initialize(self, get_examples: Any = None, *, nlp: Language | None = None) -> None:
        self.build(load_lexicon(self.lexicon_path), *_place_names(), nlp=nlp)

    def build(self, lexicon: Lexicon, place_names: frozenset[str], village_names: frozenset[str] = frozenset(),
              cued_foreign_names: frozenset[str] = frozenset(), unambiguous_place_names: frozenset[str] = frozenset(),
              nlp: Language | None = None) -> None:
        matcher = PhraseTable("ORTH")
        titles = _leader_titles(lexicon)
        for (title, organization), pattern in zip(titles.items(), pattern_docs(nlp or self._nlp, titles)):
            matcher.add(organization, [pattern])
        self.leader_matcher = matcher
        self._set_place_names(place_names, village_names, cued_foreign_names, unambiguous_place_names)

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        self._ensure_ready()
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        (path / "leaders.msgpack").write_bytes(self.leader_matcher.to_bytes())
        # One list of names with a bit per subset: each name string is read (and hashed) once.
        names = sorted(self.place_names)
        kinds = [(name in self._village_names) | (name in self._cued_foreign_names) << 1 | (name in self.unambiguous_place_names) << 2
                 for name in names]
        (path / "place_names.msgpack").write_bytes(srsly.msgpack_dumps({"names": names, "kinds": kinds, "words": sorted(self.place_words)}))

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> "PeopleRecognizer":
        path = Path(path)
        content = srsly.msgpack_loads((path / "place_names.msgpack").read_bytes(), use_list=False)
        self.leader_matcher = PhraseTable().from_bytes((path / "leaders.msgpack").read_bytes())
        names, kinds = content["names"], content["kinds"]
        subsets = [frozenset(name for name, kind in zip(names, kinds) if kind & bit) for bit in (1, 2, 4)]
        self._set_place_names(frozenset(names), *subsets, place_words=frozenset(content["words"]))
        return self

    def _ensure_ready(self) -> None:
        if not self.ready:
            self.initialize()

    def _set_place_names(self, place_names: frozenset[str], village_names: frozenset[str], cued_foreign_names: frozenset[str],
                         unambiguous_place_names: frozenset[str], place_words: frozenset[str] | None = None) -> None:
        self._village_names, self._cued_foreign_names = village_names, cued_foreign_names
        self.place_names = place_names
        # One-word kecamatan/village names ("Paul", "Pete", "Hatta") are given names too: a name standing alone is
        # not a person, but one opening a longer name ("Paul Kagame") is not a place to skip.
        self.leading_place_names = place_names - village_names - cued_foreign_names
        # Smaller foreign cities ("Davenport", "Elizabeth") are places only after a cue: with a role before them or a
        # reporting verb after them they are people ("Ratu Elizabeth", "Davenport mengatakan"). Village names stay
        # places there: "Camat Mojolaban", "Raja Pagaruyung" name the place.
        self.named_place_names = place_names - cued_foreign_names
        # Indonesian places that are never a word or a name ("Jatim", "Jayapura"): one ending a run of capitalised
        # words is not part of a person's name ("Sail Morotai", "Mapolda Jatim", "Strategi Jayapura").
        self.unambiguous_place_names = unambiguous_place_names
        self.place_words = place_words if place_words is not None else frozenset(
            word.lower() for name in place_names for word in name.split())
        self.ready = True

    def __call__(self, doc: Doc) -> Doc:
        self._ensure_ready()
        state = self._start(doc)
        self._people_after_roles(state)
        self._people_with_honorifics(state)
        self._quotes(state)
        self._speakers_without_quotes(state)
        self._reported_speech(state)
        self._other_names(state)
        self._known_mentions(state)
        doc.spans[SPAN_KEY] = [Span(doc, start, end, label=LABEL, kb_id=name)
                               for (start, end), name in sorted(state.spans.items())]
        doc._.people = self._people_in_text_order(state)
        doc._.quotes = self._resolved_quotes(state)
        return doc

    def pipe(self, docs: Iterable[Doc], batch_size: int = 64) -> Iterable[Doc]:
        for doc in docs:
            yield self(doc)

    # --- set-up ---------------------------------------------------------------------------------------------

    def _start(self, doc: Doc) -> DocState:
        org_at: dict[int, tuple[int, str]] = {}
        for span in doc.spans.get(ORG_SPAN_KEY, []) if ORG_SPAN_KEY in doc.spans else []:
            org_at[span.start] = (span.end, span.kb_id_ or span.text)
        role_at = {span.start: (span.end, span.label_) for span in self.leader_matcher(doc)}
        text, starts, words = _token_texts(doc)
        spaces = [text[start + len(word):following] for start, word, following in
                  zip(starts, words, [*starts[1:], len(text)])]
        lowers = [word.lower() for word in words]
        state = DocState(doc=doc, words=words, lowers=lowers, text=text, token_starts=starts, org_at=org_at,
                         role_at=role_at, sentence_start=_sentence_starts(words, spaces))
        state.headline_tokens = _title_case_lines(words, spaces)
        for start, (end, _) in role_at.items():
            state.role_tokens.update(range(start, end))
        for start, (end, _) in org_at.items():
            state.claimed.update(range(start, end))
        return state

    # --- token tests ----------------------------------------------------------------------------------------

    def _is_name_token(self, state: DocState, i: int) -> bool:
        text = state.words[i]
        if i in state.claimed or i in state.role_tokens or i in state.headline_tokens or not text[:1].isupper() \
                or not _wordlike(text):
            return False
        lower = state.lowers[i]
        return lower not in ROLE_HEADS and lower not in MONTHS_AND_DAYS and text not in HONORIFICS \
            and lower not in self.stop_words

    def _is_initial(self, state: DocState, i: int) -> bool:
        text = state.words[i]
        return len(text) == 2 and text[0].isupper() and text[1] == "." and i not in state.claimed

    def _is_role_word(self, state: DocState, i: int) -> bool:
        lower = state.lowers[i]
        return lower in ROLE_HEADS or lower in ROLE_WORDS or lower in self.common or lower in CONNECTORS

    # --- reading names --------------------------------------------------------------------------------------

    def read_name(self, state: DocState, i: int) -> tuple[int, int] | None:
        """The person name starting at token i (honorifics skipped, degrees excluded), as (start, end)."""
        doc = state.doc
        while i < len(doc) and (state.words[i] in HONORIFICS or DEGREE.match(state.words[i]) and state.words[i].endswith(".")) \
                and i not in state.claimed:
            i += 1
        start = end = i
        while end < len(doc) and end - start < MAX_NAME_TOKENS:
            if self._is_name_token(state, end) or (self._is_initial(state, end) and end + 1 < len(doc)
                                                   and self._is_name_token(state, end + 1)):
                end += 1
            elif state.lowers[end] in PARTICLES and end > start and end + 1 < len(doc) and self._is_name_token(state, end + 1):
                end += 1
            else:
                break
        if end == start or DEGREE.match(state.words[end - 1]) and end - start > 1 and len(state.words[end - 1]) <= 4 and state.words[end - 1].isupper():
            return None if end == start else (start, end - 1)
        return (start, end)

    def read_role_after(self, state: DocState, i: int) -> tuple[str | None, str | None, int]:
        """A role written after a name: ", Kepala Kebijakan Publik Facebook Indonesia". Returns (role, org, end)."""
        doc = state.doc
        while i < len(doc) and state.words[i] == "," and i + 1 < len(doc) and DEGREE.match(state.words[i + 1]):
            i += 2  # ", S.Kom, M.Si"
        if i >= len(doc) or state.words[i] not in {",", "("}:
            return None, None, i
        start = i + 1
        if start >= len(doc) or (state.lowers[start] not in ROLE_HEADS and start not in state.role_at
                                 and not (state.words[start][:1].isupper() and state.lowers[start] in ROLE_WORDS)):
            return None, None, i
        end, organization = start, None
        while end < len(doc):
            word, lower = state.words[end], state.lowers[end]
            if end in state.org_at:
                stop, key = state.org_at[end]
                organization = organization or key
                end = stop
                continue
            if end in state.role_at:
                stop, key = state.role_at[end]
                organization = organization or key
                end = stop
                continue
            if word in SENTENCE_END or word in {",", "\"", "“", "”", ";", ":"} or lower in ROLE_STOPS \
                    or lower in REPORTING_VERBS or lower in AFTER_QUOTE_VERBS:
                break
            if word == ")" and state.words[i] == "(":
                break
            end += 1
        role = _span_text(state, start, end).strip() or None
        return role, organization, end

    def role_before(self, state: DocState, head: int) -> tuple[int, int, str, str | None] | None:
        """A role then a name: "Menteri Komunikasi dan Informatika Rudiantara". Returns (name start, end, role, org)."""
        doc = state.doc
        j, organization, name_from = head, None, None
        if head in state.role_at:
            j, organization = state.role_at[head]
            name_from = j
        else:
            j = head + 1
        limit = min(len(doc), head + 14)
        while j < limit:
            word, lower = state.words[j], state.lowers[j]
            if j in state.org_at:
                stop, key = state.org_at[j]
                organization = organization or key
                j = name_from = stop
                continue
            if j in state.role_at:
                stop, key = state.role_at[j]
                organization = organization or key
                j = name_from = stop
                continue
            if word in {"(", ")"} or lower in CONNECTORS:
                if name_from == j:
                    name_from = j + 1  # "Asosiasi E-Commerce Indonesia (idEA) Aulia E. Marinto"
                j += 1
                continue
            if word == ",":
                # "Direktur Utama PT X, Budi Santoso": the name follows the comma.
                following = state.lowers[j + 1] if j + 1 < limit else ""
                if following and self._is_name_token(state, j + 1) and following not in ROLE_WORDS:
                    name_from = j + 1
                break
            if not word[:1].isupper():
                break
            place_end = self._place_end(state, j)
            if place_end is not None:
                j = place_end
                continue
            if name_from is None and not self._is_role_word(state, j):
                name_from = j
                break
            if name_from is not None and j == name_from:
                break
            j += 1
        if name_from is None or name_from >= len(doc):
            return None
        if state.words[name_from].isupper():
            return None  # "Ketua DPP", "Kepala BPS": an acronym after a title is an organisation
        name = self.read_name(state, name_from)
        if name is None or self._looks_like_place(state, *name) or self._not_a_person(state, *name):
            return None
        role = _span_text(state, head, name_from).rstrip(" ,").strip()
        return name[0], name[1], role, organization

    def _place_end(self, state: DocState, start: int) -> int | None:
        """End of the longest place name starting at token `start` ("Jawa Barat"), if any."""
        doc = state.doc
        for length in (4, 3, 2, 1):
            end = start + length
            if end <= len(doc) and _span_text(state, start, end) in self.leading_place_names:
                return end
        return None

    def _looks_like_place(self, state: DocState, start: int, end: int) -> bool:
        return _span_text(state, start, end) in self.named_place_names

    def _not_a_person(self, state: DocState, start: int, end: int) -> bool:
        """A building, an event or a product: "Bandara Juwata", "Liga Champions", "Galaxy Tab"."""
        before = start - 1
        while before > 0 and state.words[before][:1].isupper() and state.lowers[before] in ROLE_HEADS:
            before -= 1  # "Jalan Gubernur Suryo": a title inside a street's or a building's name
        if before >= 0 and state.lowers[before] in NOT_PERSON_WORDS:
            return True
        return any(lower in NOT_PERSON_WORDS for lower in state.lowers[start:end])

    # --- registering people ---------------------------------------------------------------------------------

    def register(self, state: DocState, start: int, end: int, role: str | None = None,
                 organization: str | None = None) -> Person:
        doc = state.doc
        surface = _span_text(state, start, end)
        name = self._resolve(state, surface)
        person = state.people.get(name)
        if person is None:
            person = state.people[name] = Person(name=name)
            for word, lower in zip(state.words[start:end], state.lowers[start:end]):
                if len(word) > 2 and lower not in PARTICLES:
                    state.short_names.setdefault(word, name)
        if role and not person.role:
            person.role = role
        if organization and not person.organization:
            person.organization = organization
        person.last_seen = max(person.last_seen, start)
        self._add_span(state, start, end, name)
        return person

    def _resolve(self, state: DocState, surface: str) -> str:
        """A short mention ("Ruben") is the full name seen earlier ("Ruben Hattari")."""
        if surface in state.people:
            return surface
        if surface in KNOWN_INITIALS:
            return KNOWN_INITIALS[surface]
        if " " not in surface and surface in state.short_names:
            return state.short_names[surface]
        for name in state.people:
            if name.startswith(surface + " ") or name.endswith(" " + surface):
                return name
        return surface

    def _add_span(self, state: DocState, start: int, end: int, name: str) -> None:
        if any(i in state.claimed for i in range(start, end)):
            return
        state.spans[(start, end)] = name
        state.claimed.update(range(start, end))

    def last_person(self, state: DocState, before: int) -> Pronoun:
        return Pronoun(position=before)

    def _people_in_text_order(self, state: DocState) -> list[dict]:
        first_seen: dict[str, int] = {}
        for (start, _), name in sorted(state.spans.items()):
            first_seen.setdefault(name, start)
        people = sorted(state.people.values(), key=lambda person: first_seen.get(person.name, len(state.words)))
        return [{"name": person.name, "role": person.role, "organization": person.organization} for person in people]

    def _resolved_quotes(self, state: DocState) -> list[dict]:
        """Quotes in text order; a pronoun speaker is the last person named before it (else the quote is dropped)."""
        named = sorted((start, name) for (start, _), name in state.spans.items() if name in state.people)
        quotes = []
        for _, speaker, text in sorted(state.quotes, key=lambda item: item[0]):
            if isinstance(speaker, Pronoun):
                earlier = [name for start, name in named if start < speaker.position]
                if not earlier:
                    continue
                name = earlier[-1]
            else:
                name = speaker.name
            quotes.append({"speaker": name, "text": text})
        return quotes

    # --- evidence, strongest first ------------------------------------------------------------------------

    def _people_after_roles(self, state: DocState) -> None:
        doc = state.doc
        for i, lower in enumerate(state.lowers):
            if i in state.claimed and i not in state.role_at:
                continue
            if i > 0 and state.lowers[i - 1] in NOT_PERSON_WORDS:
                continue  # "Jalan Gubernur Suryo", "Bandara Sultan Hasanuddin": a street or a building, not a person
            if i in state.role_at or (lower in ROLE_HEADS and (state.words[i][:1].isupper() or
                                                               i > 0 and state.lowers[i - 1] in AFTER_QUOTE_VERBS)):
                found = self.role_before(state, i)
                if found:
                    start, end, role, organization = found
                    self.register(state, start, end, role=role, organization=organization)

    def _people_with_honorifics(self, state: DocState) -> None:
        doc = state.doc
        for i, word in enumerate(state.words):
            if word in PERSON_CUES and i not in state.claimed and i + 1 < len(doc):
                name = self.read_name(state, i + 1)
                if name and not self._looks_like_place(state, *name) and not self._not_a_person(state, *name) and \
                        not (name[1] - name[0] == 1 and state.lowers[name[0]] in ROLE_WORDS):  # "Ibu Kota"
                    role, organization, _ = self.read_role_after(state, name[1])
                    self.register(state, *name, role=role, organization=organization)

    def _speaker_at(self, state: DocState, i: int) -> tuple[Speaker | None, int]:
        """The speaker written from token i on (a name, a role then a name, or a pronoun)."""
        doc = state.doc
        if i >= len(doc):
            return None, i
        if state.lowers[i] in PRONOUNS:
            return self.last_person(state, i), i + 1
        if (i in state.role_at or state.lowers[i] in ROLE_HEADS) and (found := self.role_before(state, i)):
            start, end, role, organization = found
            return self.register(state, start, end, role=role, organization=organization), end
        if (i, i + 1) in state.spans or any(start == i for start, _ in state.spans):
            end = next(end for start, end in state.spans if start == i)
            person = state.people.get(state.spans[(i, end)])
            if person:
                role, organization, _ = self.read_role_after(state, end)
                if role and not person.role:
                    person.role, person.organization = role, organization
                person.last_seen = max(person.last_seen, i)
                return person, end
        name = self.read_name(state, i)
        if name is None or self._looks_like_place(state, *name):
            return None, i
        role, organization, _ = self.read_role_after(state, name[1])
        return self.register(state, *name, role=role, organization=organization), name[1]

    def _quotes(self, state: DocState) -> None:
        doc = state.doc
        last_speaker: Speaker | None = None
        for match in QUOTE_PATTERN.finditer(state.text):
            text = match.group(1).strip().rstrip(",").strip()
            if len(text.split()) < 3:
                continue  # a term in quotes ("hoaks"), not a statement
            speaker = self._speaker_after_quote(state, match.end()) or self._speaker_before_quote(state, match.start())
            if speaker is None and last_speaker is not None and self._continues(state, match.start()):
                speaker = last_speaker
            if speaker is None:
                continue
            last_speaker = speaker
            state.quotes.append((match.start(), speaker, text))

    def _speaker_after_quote(self, state: DocState, char: int) -> Speaker | None:
        doc = state.doc
        i = bisect_left(state.token_starts, char)
        while i < len(doc) and state.words[i] in {",", "”", "\"", "'"}:
            i += 1
        if i >= len(doc) or state.lowers[i] not in AFTER_QUOTE_VERBS:
            return None
        if state.lowers[i].endswith("nya"):
            return self.last_person(state, i)
        speaker, _ = self._speaker_at(state, i + 1)
        return speaker

    def _speaker_before_quote(self, state: DocState, char: int) -> Speaker | None:
        doc = state.doc
        i = bisect_left(state.token_starts, char) - 1
        if i < 1:
            return None
        while i >= 0 and state.words[i] in {",", ":", "bahwa"}:
            i -= 1
        if i < 0 or state.lowers[i] not in REPORTING_VERBS:
            return None
        return self._subject_of(state, i)

    def _subject_of(self, state: DocState, verb: int) -> Speaker | None:
        """Who does the reporting verb at `verb`: the name (or pronoun) right before it, past adverbs and an
        apposition ("Budi Santoso, Direktur Utama PT X, mengatakan"; "Direktur PT X, Budi Santoso, mengatakan")."""
        doc = state.doc
        end = verb
        while end > 1 and state.lowers[end - 1] in ADVERBS:
            end -= 1
        if end > 0 and state.words[end - 1] == ",":
            known = self._person_ending_at(state, end - 1)
            if known:
                return known
            comma = end - 2
            while comma > 0 and state.words[comma] != "," and not state.sentence_start[comma] and verb - comma < 16:
                comma -= 1
            if comma > 0 and state.words[comma] == ",":
                end = comma
        while end > 1 and (state.words[end - 1] == "," or DEGREE.match(state.words[end - 1]) and not state.words[end - 1].isalpha()):
            end -= 1
        if end > 0 and state.lowers[end - 1] in PRONOUNS:
            return self.last_person(state, end)
        known = self._person_ending_at(state, end)
        if known:
            return known
        start = end
        while start > 0 and end - start < MAX_NAME_TOKENS and (self._is_name_token(state, start - 1)
                                                               or self._is_initial(state, start - 1)):
            start -= 1
        while start < end and (state.lowers[start] in ROLE_WORDS or state.sentence_start[start] and
                               state.lowers[start] in self.stop_words and end - start > 1):
            start += 1
        if start == end or state.words[start].isupper() and end - start == 1:
            return None
        if end - start == 1 and state.words[start] in state.short_names:
            return self.register(state, start, end)
        if end - start == 1 and (state.sentence_start[start] or state.lowers[start] in ROLE_WORDS) and is_common(state.words[start]):
            return None  # "Pemerintah mengatakan": a common noun, not a name
        if self._looks_like_place(state, start, end) or self._not_a_person(state, start, end):
            return None
        role, organization, _ = self.read_role_after(state, end)
        return self.register(state, start, end, role=role, organization=organization)

    def _person_ending_at(self, state: DocState, end: int) -> Person | None:
        for (start, stop), name in state.spans.items():
            if stop == end and name in state.people:
                person = state.people[name]
                person.last_seen = max(person.last_seen, start)
                return person
        return None

    def _continues(self, state: DocState, char: int) -> bool:
        # A quote standing alone as a paragraph right after another quote goes on with the same speaker.
        text = state.text
        while char > 0 and text[char - 1] == " ":
            char -= 1
        return char == 0 or text[char - 1] == "\n"

    def _speakers_without_quotes(self, state: DocState) -> None:
        """ "…, kata Bambang, …": a speech verb names its speaker even where the quotation marks are missing."""
        doc = state.doc
        for i, lower in enumerate(state.lowers[:-1]):
            if lower in AFTER_QUOTE_VERBS and not lower.endswith("nya") and i > 0 and \
                    state.words[i - 1] in {",", "\"", "”"} and i + 1 not in state.claimed:
                self._speaker_at(state, i + 1)

    def _reported_speech(self, state: DocState) -> None:
        """Indirect statements: "Menurut X, …" and "X mengatakan (bahwa) …" without quotation marks."""
        doc = state.doc
        quoted: set[int] = set()
        for match in QUOTE_PATTERN.finditer(state.text):
            quoted.update(range(bisect_left(state.token_starts, match.start()), bisect_left(state.token_starts, match.end())))
        for i, lower in enumerate(state.lowers):
            if i in quoted:
                continue
            if lower == "menurut":
                speaker, end = self._speaker_at(state, i + 1)
                role, _, role_end = self.read_role_after(state, end)
                end = role_end if role else end
                if speaker and end < len(doc) and state.words[end] == ",":
                    self._add_reported(state, speaker, end + 1, state.token_starts[i])
            elif lower in REPORTING_VERBS and i > 0 and i + 1 < len(doc):
                following = i + 1
                while following < len(doc) and state.lowers[following] in {",", ":", "bahwa"}:
                    following += 1
                if following < len(doc) and state.words[following] not in {"\"", "“"}:
                    speaker = self._subject_of(state, i)
                    if speaker:
                        self._add_reported(state, speaker, following, state.token_starts[i])

    def _add_reported(self, state: DocState, speaker: Speaker, start: int, at_char: int) -> None:
        doc = state.doc
        end = start
        while end < len(doc) and state.words[end] not in SENTENCE_END:
            end += 1
        text = _span_text(state, start, end).strip(" ,")
        if len(text.split()) >= 3 and all(at_char != position for position, _, _ in state.quotes):
            state.quotes.append((at_char, speaker, text))

    def _other_names(self, state: DocState) -> None:
        """Runs of capitalised words that are not common words, organisations, roles or places: PER spans."""
        end = 0
        # Only a capitalised word can open a name: testing every token was this stage's largest cost.
        for i in [k for k, word in enumerate(state.words) if word[:1].isupper()]:
            if i < end or not self._is_name_token(state, i):
                continue
            end = self._run_end(state, i)
            start = i
            # A capitalised common word opens a sentence ("Saat", "Namun"); mid-sentence it is usually a name.
            while start < end and state.sentence_start[start] and is_common(state.words[start]):
                start += 1
            start = self._skip_places(state, start, end)
            stop = self._before_trailing_place(state, start, end)
            if stop > start and self._plausible_name(state, start, stop) and not self._after_locative(state, start, stop):
                name = self._resolve(state, _span_text(state, start, stop))
                self._add_span(state, start, stop, name)

    def _run_end(self, state: DocState, start: int) -> int:
        """End of a run of name words from `start`, through particles and hyphens ("Kevin de Bruyne", "Hye-kyo")."""
        doc = state.doc
        end = start + 1
        while end < len(doc) and end - start < MAX_NAME_TOKENS:
            if self._is_name_token(state, end) or self._is_initial(state, end):
                end += 1
            elif end + 1 < len(doc) and ((state.lowers[end] in PARTICLES or state.words[end] in CAPITAL_PARTICLES)
                                         and self._is_name_token(state, end + 1)
                                         or state.words[end] == "-" and state.token_starts[end] == state.token_starts[end - 1] + len(state.words[end - 1])
                                         and state.token_starts[end + 1] == state.token_starts[end] + 1 and state.words[end + 1].isalpha()
                                         and end + 1 not in state.claimed):
                end += 2
            else:
                break
        return end

    def _skip_places(self, state: DocState, start: int, end: int) -> int:
        # "Surabaya Whisnu Sakti Buana" (after "Wakil Wali Kota"): the place belongs to the role.
        while start < end:
            place_end = self._place_end(state, start)
            if place_end is None or place_end >= end:
                return start
            start = place_end
        return start

    def _before_trailing_place(self, state: DocState, start: int, end: int) -> int:
        """Where a run of name words stops if it ends with an unambiguous Indonesian place: "Mapolda Jatim" -> "Mapolda"."""
        for cut in range(max(start + 1, end - 3), end):
            if _span_text(state, cut, end) in self.unambiguous_place_names:
                return cut
        return end

    def _plausible_name(self, state: DocState, start: int, end: int) -> bool:
        doc = state.doc
        text = _span_text(state, start, end)
        if text in self.place_names or self._not_a_person(state, start, end):
            return False
        if (self._place_end(state, start) or 0) > end:
            return False  # "Kebayoran" of "Kebayoran Lama": a place whose last word is a common word
        if all(is_common(word) or lower in ROLE_WORDS or lower in PARTICLES or not word.isalpha()
               for word, lower in zip(state.words[start:end], state.lowers[start:end])):
            return False  # "Lalu Lintas", "Ujian Nasional", "Kebijakan Publik": capitalised common words
        if end - start == 1 and text.lower().endswith("nya"):
            return False  # "Ekosistemnya": a possessive noun opening a sentence
        if any(_acronym_like(state.words[k]) for k in range(start, end)):
            return text in state.short_names or text in state.people or text in KNOWN_INITIALS
        return not (end - start == 1 and len(text) < 3)

    def _after_locative(self, state: DocState, start: int, end: int) -> bool:
        """ "di Parc des Princes", "ke Anfield", "asal Meruya": a name no other evidence makes a person, right after a
        locative word, is a place (the places stage takes it); a person already named stays one ("ke Federer")."""
        if start == 0 or state.lowers[start - 1] not in LOCATIVE_CUES:
            return False
        text = _span_text(state, start, end)
        named = state.spans.values()
        return text not in state.people and text not in state.short_names and \
            not any(name.startswith(text + " ") or name.endswith(" " + text) for name in named)

    def _known_mentions(self, state: DocState) -> None:
        """Every other mention of a person already named ("Ruben" after "Ruben Hattari")."""
        doc = state.doc
        for i, word in enumerate(state.words):
            if i in state.claimed or word not in state.short_names and word not in state.people:
                continue
            name = state.short_names.get(word) or word
            self._add_span(state, i, i + 1, name)


def _token_texts(doc: Doc) -> tuple[str, list[int], list[str]]:
    """The text, token offsets and token texts, read from arrays: creating Token objects is this stage's main cost."""
    from spacy.attrs import IDX, LENGTH

    text = doc_text(doc)
    if len(doc) == 0:
        return text, [], []
    columns = doc.to_array([IDX, LENGTH]).tolist()
    starts = [start for start, _ in columns]
    words = [text[start:start + length] for start, length in columns]
    return text, starts, words


def _span_text(state: "DocState", start: int, end: int) -> str:
    """The text of tokens start..end, as Span.text would give it, without building a Span."""
    if end <= start:
        return ""
    return state.text[state.token_starts[start]:state.token_starts[end - 1] + len(state.words[end - 1])]


def _acronym_like(text: str) -> bool:
    """ "BPS", "MoU", "GHz": not a name word ("DiCaprio" and "McDonald" are)."""
    capitals = sum(c.isupper() for c in text)
    return len(text) > 1 and (text.isupper() or capitals >= 2 and (text[-1].isupper() or len(text) <= 4))


def _wordlike(text: str) -> bool:
    return text.replace("-", "").replace("'", "").replace("’", "").isalpha()


def _title_case_lines(words: list[str], spaces: list[str]) -> set[int]:
    """Tokens of lines written in title case ("Menhub Lobi Sri Mulyani Soal Tarif"): headlines and links to other
    articles, where capitals say nothing about names."""
    headline: set[int] = set()
    if not words:
        return headline
    line_ends = [i for i, (word, space) in enumerate(zip(words, spaces)) if "\n" in space or "\n" in word]
    if not line_ends or line_ends[-1] != len(words) - 1:
        line_ends.append(len(words) - 1)
    start = 0
    for end in line_ends:
        alphabetic = [word for word in words[start:end + 1] if word[:1].isalpha()]
        capitalised = sum(word[:1].isupper() for word in alphabetic)
        ends_a_sentence = words[end] in SENTENCE_END or words[end] in {"\"", "”", ")"}
        if len(alphabetic) >= 4 and capitalised >= 0.75 * len(alphabetic) and not ends_a_sentence:
            headline.update(range(start, end + 1))
        start = end + 1
    return headline


def _sentence_starts(words: list[str], spaces: list[str]) -> list[bool]:
    starts = [False] * len(words)
    new_sentence = True
    for i, word in enumerate(words):
        starts[i] = new_sentence
        if word.isspace() or word in {"\"", "“", "”", "(", "'"}:
            new_sentence = new_sentence or "\n" in word
            continue
        new_sentence = word in SENTENCE_END or "\n" in spaces[i]
    return starts


def _leader_titles(lexicon: Lexicon) -> dict[str, str]:
    """Job titles that name an organisation: "Menkominfo", "Menteri Komunikasi dan Informatika" -> Kominfo."""
    titles: dict[str, str] = {}
    for entry in lexicon.entries:
        for title in entry.leader_titles:
            titles.setdefault(title, entry.name)
        for form in entry.surface_forms():
            if form.startswith("Kementerian "):
                subject = form[len("Kementerian "):]
                titles.setdefault(f"Menteri {subject}", entry.name)
                titles.setdefault(f"Wakil Menteri {subject}", entry.name)
            elif form.startswith("Kemen") and len(form) > 6 and form[5].isalpha():
                titles.setdefault("Men" + form[5:], entry.name)
    return titles


def _place_names() -> tuple[frozenset[str], frozenset[str], frozenset[str], frozenset[str]]:
    """Written forms of places from the places stage's gazetteer, so that "Surabaya" is not read as a person; which
    of them are one-word kecamatan/village names only, which are smaller foreign cities (both need a cue to be
    places), and which are regions, countries or areas that need no cue at all."""
    try:
        from pipeline.nlp.places import load_gazetteer

        gazetteer = load_gazetteer()
    except Exception:  # noqa: BLE001 - without a gazetteer people are still found, with more false positives
        return frozenset(), frozenset(), frozenset(), frozenset()
    villages = frozenset(form for form, entries in gazetteer.forms.items()
                         if " " not in form and all(place.key.startswith("district:") for place, _, _ in entries))
    cued_foreign = frozenset(form for form, entries in gazetteer.forms.items()
                             if all(place.level == "foreign" and place.needs_context for place, _, _ in entries))
    # Indonesian only: a foreign name ending a run is often a surname ("Badrodin Haiti") or a company's ("Nielsen Korea").
    unambiguous = frozenset(form for form, entries in gazetteer.forms.items()
                            if not any(place.needs_context or place.level == "foreign" for place, _, _ in entries))
    return frozenset(gazetteer.forms), villages, cued_foreign, unambiguous


@Language.factory("pantau_people", default_config={"lexicon_path": ""})
def make_people_recognizer(nlp: Language, name: str, lexicon_path: str) -> PeopleRecognizer:
    """People and quotes; `lexicon_path` is the organisation lexicon whose leader titles name organisations.
    Built by `initialize` (`models.nlp.build_nlp` calls it) or restored by `from_disk`."""
    return PeopleRecognizer(nlp, lexicon_path=lexicon_path or None)


def resource_files(settings: dict[str, Any]) -> list[Path]:
    """The files this stage is built from (for the key of a saved pipeline)."""
    return [Path(settings.get("lexicon_path") or LEXICON_PATH), GAZETTEER_PATH, *lemma_table_path()]
