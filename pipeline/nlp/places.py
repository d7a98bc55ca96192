"""The `pantau_places` stage: Indonesian regions (38 provinces, 514 kabupaten/kota) and foreign places.

Reads `doc._.dateline` (the place of reporting), `doc.spans["organizations"]` and `doc.spans["people"]`
(tokens inside them are not places: "Universitas Indonesia", "Bima Arya"); writes `doc._.places` (one
entry per distinct place, the dateline place first) and `doc.spans["places"]` (label LOC).

Matching is one case-sensitive phrase table (`PhraseTable`, like spaCy's PhraseMatcher) over every written
form of the gazetteer (models/regions/gazetteer.json.gz, built by models/regions/build_gazetteer.py), then a
few rules per match:
- "Kota X" / "Kabupaten X" / "Kab. X" / "Provinsi X" choose the level; so do cues before a bare name
  (Bupati, Pemkab -> kabupaten; Wali Kota, Pemkot -> kota; Gubernur, Pemprov -> province);
- a bare name shared by a kota and a kabupaten (or a province) means the kota;
- a bare name that is also a word or a given name ("Batu", "Bima", "Pati") needs a cue: a preposition or
  an administrative word before it, a province after a comma, or the dateline naming the same region;
- named places that are not regions (islands, "Jabodetabek", streets, airports, buildings) become LOC
  spans only: they have no Kemendagri code to list;
- a span covers the name as written: "Provinsi Aceh" names Aceh (a province's name has no level word, a
  kabupaten's or a kota's has), "Afrika Barat" and "Bandung Raya" hold their compass word or "Raya"; a place that
  opens a company's, a paper's or a club's name ("Texas Instruments", "Jakarta Post") is not a place; an acronym
  defined in brackets after a named place ("Taman Ismail Marzuki (TIM)") is a place wherever it is used.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import astuple, dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import srsly
from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

import pipeline.nlp  # noqa: F401 - registers the Doc extensions
from models.regions import GAZETTEER_PATH, read_gazetteer
from pantau.core.errors import ModelMissingError
from pipeline.nlp import pattern_docs
from pipeline.nlp.phrases import PhraseTable
from pipeline.nlp.vocabulary import is_common, lemma_table_path

CITY_PREFIXES = ("Kota", "kota", "Kota Administrasi")
REGENCY_PREFIXES = ("Kabupaten", "kabupaten", "Kab.", "Kab", "kab.", "Kabupaten Administrasi")
PROVINCE_PREFIXES = ("Provinsi", "provinsi", "Prov.", "Prov")

# Lower-cased words just before a bare name that say which level it is.
LEVEL_CUES = {
    "bupati": "regency", "pemkab": "regency", "kabupaten": "regency", "kab.": "regency", "kab": "regency",
    "wabup": "regency", "walikota": "city", "pemkot": "city", "kota": "city", "wawali": "city",
    "gubernur": "province", "pemprov": "province", "provinsi": "province", "prov.": "province", "wagub": "province",
}
# Lower-cased words just before a name that make it a place even if it is also an ordinary word.
PLACE_CUES = frozenset({
    "di", "ke", "dari", "asal", "menuju", "wilayah", "daerah", "kawasan", "warga", "masyarakat", "penduduk",
    "polres", "polresta", "kapolres", "kapolresta", "dprd", "kodim", "dandim", "kejari", "kemenag", "bps",
    "sekitar", "pinggiran", "selatan", "utara", "barat", "timur", "tengah", "se-", *LEVEL_CUES,
})
# Capitalised words that may follow a place name without making it part of a longer (person's) name.
NAME_CONTINUATIONS = frozenset({"Raya", "Utara", "Selatan", "Barat", "Timur", "Tengah", "Kota", "Kabupaten"})
# Heads of named places that are not administrative regions (LOC spans only).
FACILITY_HEADS = (
    "Jalan", "Jl", "Jl.", "Jln", "Jln.", "Bandara", "Bandar", "Pelabuhan", "Stasiun", "Terminal", "Gedung",
    "Stadion", "Istana", "Museum", "Selat", "Laut", "Teluk", "Gunung", "Danau", "Sungai", "Pulau", "Kepulauan",
    "Pantai", "Kompleks", "Wisma", "Alun-alun", "Lapangan", "Taman", "Kecamatan", "Kec.",
    "Kelurahan", "Kampung", "Dusun", "Jembatan", "Desa",  # "Desa" not after a minister: see NOT_FACILITY_BEFORE
    "Hotel", "Mall", "Plaza", "Pasar", "Masjid", "Gereja", "Candi", "Monumen", "Tugu", "Sirkuit", "Komplek",
    "Apartemen", "Menara", "Kantor", "Gedung", "gedung", "Balai", "Bundaran", "Simpang", "Pesisir",
    "Kawasan", "Kebun", "Hutan", "Tanjung", "Semenanjung", "Dermaga", "Lembah", "Bukit", "Pegunungan",
    "Dukuh", "Warung", "Restoran", "Kafe", "RSUD", "Sentra", "Pertokoan", "Waduk", "Bendungan", "Situs",
    "Keraton", "Kraton", "Pura", "Vihara", "Klenteng", "Benteng",
    "Gua", "Goa", "Kastil", "Curug", "Telaga", "Kawedanan", "Padukuhan", "Cagar",
    # Written in lower case mid-sentence, the head is still part of the name: "di jalan Medan Merdeka Barat", "di sirkuit
    # Sakhir", "desa Suren" (after "dukuh" the name alone is: see LOCATIVE_CUES).
    "jalan", "bandara", "pelabuhan", "stadion", "sirkuit", "pulau", "gunung", "masjid", "desa", "kelurahan",
    "kecamatan",
)
# Words before a head that make it part of a title, not a facility: "Menteri Desa Marwan Jafar", "Kepala Desa".
NOT_FACILITY_BEFORE = frozenset({"menteri", "kementerian", "wakil", "kepala", "kades", "mendes", "dana", "perangkat",
                                 "aparatur", "pemerintah", "pemerintahan", "badan", "sekretaris", "ibu", "angkasa"})
# Heads that may name an organisation's building: "Gedung DPR", "Kantor Kementerian Sekretariat Negara".
BUILDING_HEADS = frozenset({"Gedung", "gedung", "Kantor", "Istana", "Kompleks", "Komplek", "Balai", "Wisma"})
# Words that end a named venue: "Volkswagen Arena", "King Power Stadium", "Ambon City Center".
FACILITY_TAILS = ("Arena", "Stadium", "Park", "Mall", "Plaza", "Center", "Centre", "Square", "Hall", "Theatre",
                  "Theater", "Hotel", "Resort", "Convention", "Circuit", "Airport", "Lane", "Valley", "Land", "Island")
# Words that open a sentence in title case but never a venue's name ("Di Maluku City Mall").
NOT_VENUE_STARTS = frozenset({"di", "ke", "dari", "menuju", "sejak", "saat", "dalam", "pada", "usai", "selain", "para"})
FACILITY_HEADS_SET = frozenset(FACILITY_HEADS)
FACILITY_TAILS_SET = frozenset(FACILITY_TAILS)
# Tokens between places in a list or a route.
LIST_SEPARATORS = frozenset({",", "-", "dan", "hingga", "sampai", "atau", "/", "–"})
# Lower-cased words that end a facility's name: a region named after it is a place of its own.
NAME_BREAKS = frozenset({"kabupaten", "kota", "provinsi", "kecamatan", "kelurahan", "desa", "kab."})
# The words before "Kota X" that make "Kota" part of a title: "Wali Kota Surabaya" names Surabaya.
CITY_TITLE_WORDS = frozenset({"wali", "wakil", "balai", "pemerintah"})
# Lower-cased words after which a capitalised name no stage knows is a place: "di Parc des Princes", "ke Anfield",
# "pria asal Meruya", "kawasan Kenjeran". ("dari" is not one: "dari Jokowi", "dari Google" are as common.)
LOCATIVE_CUES = frozenset({"di", "ke", "menuju", "asal", "kawasan", "wilayah", "daerah", "kota", "sekitar", "dekat",
                           "lokasi", "dukuh", "provinsi", "prefektur", "distrik", "bagian", "kabupaten", "kecamatan"})
# Words that join the members of a list; a name listed beside a place is a place too ("Liberia, Guinea dan Sierra
# Leone", "Pulau Onrust, Cipir, Kelor, dan Bidadari"). Not "-": "Jakarta - Budi mengatakan" is a dateline.
LIST_JOINS = frozenset({"dan", "serta", "atau"})
# The longest unknown name taken as a member of a list of places.
MAX_LISTED_NAME = 3
# Lower-case words inside a place's name: "Parc des Princes", "Santiago de Compostela".
NAME_PARTICLES = frozenset({"de", "des", "del", "della", "da", "do", "dos", "du", "la", "le", "van", "von", "der"})
# Capitalised words that make a name after "di"/"ke" an event, a body or a document, not a place:
# "di Liga Champions", "ke Pilgub DKI", "di Komisi II", "di Premier League".
NOT_PLACE_WORDS = frozenset({
    "liga", "league", "bundesliga", "eredivisie", "laliga", "ligue", "piala", "cup", "championship", "championships",
    "open", "terbuka", "masters", "series",
    "serie", "games", "olimpiade", "olympics", "festival", "expo", "pilgub", "pilkada", "pilpres", "pileg",
    "pemilu", "munas", "munaslub", "paripurna", "kongres", "rakernas", "rapimnas", "muktamar", "konferensi", "conference",
    "summit", "sidang", "rapat", "komisi", "kabinet", "fraksi", "pansus", "panja", "program", "gerakan", "kartu",
    "awards", "award", "forum", "seminar", "workshop", "webinar", "pelatihan", "ujian", "peraturan", "undang-undang",
    "aplikasi", "situs", "website", "akun", "grup", "group", "channel", "tv", "radio", "news", "online", "facebook",
    "instagram", "twitter", "youtube", "tiktok", "whatsapp", "google", "wars", "film", "serial", "album",
    "januari", "februari", "maret", "april", "mei", "juni", "juli", "agustus", "september", "oktober", "november",
    "desember", "senin", "selasa", "rabu", "kamis", "jumat", "sabtu", "minggu",
})
# Heads of an organisation that governs or polices a region: the region at the end of its name is a place of
# its own ("Pemkot Surabaya" names Surabaya, "Polda Sulsel" names Sulawesi Selatan), a LOC span as well as a place.
REGION_LEVELS = frozenset({"province", "regency", "city"})
REGIONAL_BODY_HEADS = (
    "Pemkot", "Pemkab", "Pemprov", "Pemda", "Pemerintah", "Pemerintah Kota", "Pemerintah Kabupaten", "Pemerintah Provinsi",
    "Pemerintah Daerah", "DPRD", "Polda", "Polres", "Polresta", "Polrestabes", "Kejari", "Kejati",
    "Kejaksaan Negeri", "Kejaksaan Tinggi", "Bappeda", "KPU", "KPUD", "Bawaslu", "Kemenag", "Kanwil",
)
REGIONAL_BODY_HEAD_SET = frozenset(REGIONAL_BODY_HEADS)
# Capitalised words that make a place name before them part of a company's, a paper's or a club's name: "Texas
# Instruments", "Jakarta Post", "Korea Times", "Bali United", "Glasgow Rangers", "Surabaya Community".
ORGANISATION_NAME_TAILS = frozenset({
    "Times", "Post", "Star", "Today", "Herald", "Tribune", "Daily", "News", "Journal", "Gazette", "Press",
    "Television", "TV", "Radio", "Instruments", "Airlines", "Airways", "Motor", "Motors", "Electric", "Electronics",
    "Telecom", "Energy", "Petroleum", "Holdings", "Group", "Corporation", "Corp", "Corp.", "Inc", "Inc.", "Ltd",
    "Ltd.", "Community", "Foundation", "University", "College", "Institute", "United", "Rangers", "FC", "SC",
    "Club", "Saint", "St.",
})
# Capitalised words after a place that are part of its name: "Afrika Barat", "Jerman Timur", "Sumatera Timur".
# (Regions written that way, "Jawa Barat", "Jakarta Utara", are gazetteer forms of their own.)
COMPASS_WORDS = frozenset({"Barat", "Timur", "Utara", "Selatan", "Tengah", "Tenggara"})
# "Bandung Raya", "Malang Raya": a metropolitan area named after its Indonesian city ("Indonesia Raya" is the anthem).
METROPOLITAN_WORD = "Raya"
# Words before a province's name that are not part of it: the province is "Jawa Barat", not "Provinsi Jawa Barat"
# (a kabupaten's or a kota's official name holds its level word: "Kabupaten Bogor", "Kota Bogor").
PROVINCE_WORDS = frozenset({"Provinsi", "provinsi", "Prov.", "Prov", "Propinsi", "propinsi"})
# Level words in lower case before a kota's or a kabupaten's name are ordinary nouns, not part of it: "di kota Palembang"
# ("in the city of Palembang") names Palembang; the capitalised "Kota Palembang" is the region's official name.
LOWER_CASE_LEVEL_WORDS = frozenset({"kota", "kabupaten", "kab.", "kab"})
# The longest unknown name taken after a locative word: longer runs are headlines or titles.
MAX_CUED_NAME = 4
# Buildings whose name is also used for the body housed there ("Balai Kota Surabaya"): always a LOC span.
CIVIC_BUILDINGS = frozenset({"Balai Kota", "Balai Desa", "balai kota"})


@dataclass(frozen=True)
class Place:
    """One gazetteer entry: an Indonesian region, a foreign place, or an Indonesian area (span only)."""

    key: str
    name: str
    level: str  # "province" | "regency" | "city" | "foreign" | "area"
    code: str | None = None
    province: str | None = None
    lat: float | None = None
    lon: float | None = None
    needs_context: bool = False
    kind: str | None = None  # foreign places: "country" | "city" | "state" | "region"

    def as_tag(self) -> dict[str, Any]:
        return {"name": self.name, "level": self.level, "code": self.code, "province": self.province,
                "lat": self.lat, "lon": self.lon}


@dataclass(frozen=True)
class Form:
    """A written form: which places it may mean, which level it forces, and whether it is a bare name."""

    places: tuple[Place, ...]
    forced_level: str | None
    bare: bool


class Gazetteer:
    """Written forms -> places, built from the generated gazetteer file.

    Each form lists (place number, forced level, bare) entries; a place is made from its fields when a
    form that names it is first looked up, so a gazetteer read back from a saved pipeline (`to_bytes`,
    `from_bytes`: 69,000 places) is ready in milliseconds."""

    def __init__(self, data: dict[str, Any] | None = None):
        self._fields: list[tuple[Any, ...]] = []
        self._places: list[Place | None] = []
        self._number: dict[tuple[Any, ...], int] = {}  # place fields -> place number
        self._entries: dict[str, list[tuple[int, str | None, bool]]] = {}
        self.never_bare = frozenset((data or {}).get("never_bare", []))
        if data is None:
            return
        for record in data["regions"]:
            self._add_region(record)
        for record in data["foreign"]:
            place = Place(key=f"foreign:{record['country']}:{record['name']}", name=record["name"], level="foreign",
                          lat=record.get("lat"), lon=record.get("lon"), kind=record.get("kind"),
                          needs_context=record.get("needs_context", False))
            for form in (record["name"], *record.get("aliases", [])):
                self._add(form, place, "foreign", bare=False)
        for name in data.get("indonesian_areas", []):
            self._add(name, Place(key=f"area:{name}", name=name, level="area"), "area", bare=False)
        for name in data.get("districts", []):
            if name not in self._entries:
                self._add(name, Place(key=f"district:{name}", name=name, level="area", needs_context=True), None, bare=True)

    @property
    def forms(self) -> dict[str, list[tuple[Place, str | None, bool]]]:
        """Every written form with its (place, forced level, bare) entries (makes every place: for building)."""
        return {form: [(self._place(number), level, bare) for number, level, bare in entries]
                for form, entries in self._entries.items()}

    def form_texts(self) -> list[str]:
        return list(self._entries)

    def to_bytes(self) -> bytes:
        return srsly.msgpack_dumps({"places": self._fields, "forms": self._entries, "never_bare": sorted(self.never_bare)})

    @classmethod
    def from_bytes(cls, data: bytes) -> Gazetteer:
        content = srsly.msgpack_loads(data, use_list=False)
        gazetteer = cls()
        gazetteer._fields = list(content["places"])
        gazetteer._places = [None] * len(gazetteer._fields)
        gazetteer._entries = content["forms"]
        gazetteer.never_bare = frozenset(content["never_bare"])
        return gazetteer

    def _place(self, number: int) -> Place:
        place = self._places[number]
        if place is None:
            place = self._places[number] = Place(*self._fields[number])
        return place

    def _add_region(self, record: dict[str, Any]) -> None:
        place = Place(key=record["code"], name=record["name"], level=record["level"], code=record["code"],
                      province=record["province"], lat=record["lat"], lon=record["lon"],
                      needs_context=record.get("needs_context", False))
        bare = record["bare"]
        if bare not in self.never_bare:
            self._add(bare, place, None, bare=True)
        for alias in record.get("aliases", []):
            self._add(alias, place, None, bare=False)
        prefixes = {"city": CITY_PREFIXES, "regency": REGENCY_PREFIXES, "province": PROVINCE_PREFIXES}[place.level]
        for name in (bare, *record.get("aliases", [])):
            for prefix in prefixes:
                self._add(f"{prefix} {name}", place, place.level, bare=False)
        self._add(record["name"], place, place.level, bare=False)

    def _add(self, form: str, place: Place, forced_level: str | None, bare: bool) -> None:
        entries = self._entries.setdefault(form, [])
        if any(self._fields[existing][0] == place.key for existing, _, _ in entries):
            return
        fields = astuple(place)
        number = self._number.get(fields)
        if number is None:
            number = self._number[fields] = len(self._places)
            self._places.append(place)
            self._fields.append(fields)
        entries.append((number, forced_level, bare))

    def form(self, text: str) -> Form | None:
        entries = self._entries.get(text)
        if not entries:
            return None
        forced = next((level for _, level, _ in entries if level), None)
        return Form(places=tuple(self._place(number) for number, _, _ in entries), forced_level=forced,
                    bare=any(bare for _, _, bare in entries))

    def resolve_dateline(self, dateline: str) -> Place | None:
        """The place of reporting from a dateline as written ('GORONTALO', 'Jakarta', 'Kab. Bogor')."""
        text = " ".join(dateline.replace(",", " ").split())
        for candidate in (text, text.title(), _title_words(text)):
            form = self.form(candidate)
            if form:
                return choose_place(form, cue_level=None)
        return None


def _title_words(text: str) -> str:
    return " ".join(word if word.isupper() and len(word) <= 4 else word.capitalize() for word in text.split())


def choose_place(form: Form, cue_level: str | None) -> Place | None:
    """Which place a written form means: the forced or cued level, otherwise kota > kabupaten > province."""
    wanted = form.forced_level or cue_level
    if wanted:
        for place in form.places:
            if place.level == wanted:
                return place
    order = {"city": 0, "regency": 1, "province": 2, "foreign": 3, "area": 4}
    return min(form.places, key=lambda place: order.get(place.level, 9), default=None)


@lru_cache(maxsize=4)
def load_gazetteer(path: str | None = None) -> Gazetteer:
    location = Path(path) if path else GAZETTEER_PATH
    try:
        return Gazetteer(read_gazetteer(location))
    except FileNotFoundError as missing:
        raise ModelMissingError(
            f"place gazetteer {location} is missing: run `python -m models.regions.build_gazetteer`"
        ) from missing


class PlaceTagger:
    """The spaCy component. One phrase table for every written form, a scan of token texts for facilities.

    Given a gazetteer it is built at once; made by its factory it is built by `initialize` (from the
    gazetteer file, or on the first document), or restored by `from_disk` (gazetteer and phrase table)."""

    def __init__(self, nlp: Language, gazetteer: Gazetteer | None = None, gazetteer_path: str | None = None):
        self._nlp = nlp
        self.gazetteer_path = gazetteer_path
        self.gazetteer: Gazetteer | None = None
        self.matcher = PhraseTable("ORTH")
        if gazetteer is not None:
            self.build(gazetteer)

    def initialize(self, get_examples: Any = None, *, nlp: Language | None = None) -> None:
        self.build(load_gazetteer(self.gazetteer_path), nlp)

    def build(self, gazetteer: Gazetteer, nlp: Language | None = None) -> None:
        forms = sorted(gazetteer.form_texts())
        matcher = PhraseTable("ORTH")
        for form, pattern in zip(forms, pattern_docs(nlp or self._nlp, forms), strict=True):
            matcher.add(form, [pattern])
        self.gazetteer, self.matcher = gazetteer, matcher

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        self._ensure_ready()
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        (path / "gazetteer.msgpack").write_bytes(self.gazetteer.to_bytes())
        (path / "forms.msgpack").write_bytes(self.matcher.to_bytes())

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> PlaceTagger:
        path = Path(path)
        gazetteer = Gazetteer.from_bytes((path / "gazetteer.msgpack").read_bytes())
        self.matcher = PhraseTable().from_bytes((path / "forms.msgpack").read_bytes())
        self.gazetteer = gazetteer
        return self

    def _ensure_ready(self) -> None:
        if self.gazetteer is None:
            self.initialize()

    def __call__(self, doc: Doc) -> Doc:
        self._ensure_ready()
        organizations = list(doc.spans["organizations"]) if "organizations" in doc.spans else []
        blocked = _blocked_tokens(doc)
        dateline_place = self.gazetteer.resolve_dateline(doc._.dateline) if doc._.dateline else None
        found: list[tuple[Span, Place]] = []
        undecided: list[Span] = []
        inside: list[tuple[Span, Place, Span]] = []
        in_names: list[range] = []  # places opening an unknown company's or paper's name ("Texas Instruments")
        words = [token.text for token in doc]
        for span in filter_spans(self.matcher(doc)):
            if any(i in blocked for i in range(span.start, span.end)):
                organization = _enclosing(organizations, span)
                if organization is not None or not self._holds_a_misread_person(doc, span, organizations):
                    place = self._accept(doc, span, dateline_place) if organization is not None else None
                    if place is not None and place.level in REGION_LEVELS:
                        inside.append((span, place, organization))
                    continue
            place = self._accept(doc, span, dateline_place)
            if place is not None and _names_an_organisation(words, span):
                in_names.append(range(span.start, span.end + 1))
            elif place is not None:
                found.append((_as_written_name(doc, words, _without_title_word(doc, span), place), place))
            else:
                undecided.append(span)
        # Spans: the longest of places and facilities ('Jl Medan Merdeka Barat' over 'Medan'); the listed places
        # keep every region named, inside a facility's name or not ('Bandara Changi Singapura').
        facilities = [span for span in facility_spans(doc, words) if _facility_allowed(span, blocked)]
        found = sorted(found + self._listed_with_places(doc, undecided, [span for span, _ in found] + facilities),
                       key=lambda item: item[0].start)
        governed = [_as_written_name(doc, words, span, place) for span, place, organization in inside
                    if _names_regional_body(organization, span)]
        taken = blocked.union(*(range(span.start, span.end) for span in [*(s for s, _ in found), *facilities, *governed]),
                              *in_names)
        spans = filter_spans([span for span, _ in found] + facilities + cued_names(doc, words, taken))
        spans = filter_spans(spans + listed_names(doc, words, spans, taken))
        spans = filter_spans(spans + defined_acronyms(doc, words, spans, taken)) + governed
        doc.spans["places"] = [Span(doc, span.start, span.end, label="LOC") for span in sorted(spans, key=lambda s: s.start)]
        doc._.places = place_tags(found, dateline_place, doc._.dateline, inside)
        return doc

    def pipe(self, docs: Iterable[Doc], batch_size: int = 64) -> Iterator[Doc]:
        for doc in docs:
            yield self(doc)

    def _holds_a_misread_person(self, doc: Doc, span: Span, organizations: list[Span]) -> bool:
        """ "Los Angeles", "Raja Ampat": a place name that needs no cue and holds a person found by the people stage
        ("Angeles", "Ampat") is the place; a person's name is never a part of a longer place name."""
        if any(org.start < span.end and span.start < org.end for org in organizations) or "people" not in doc.spans:
            return False
        inner = [person for person in doc.spans["people"] if person.start < span.end and span.start < person.end]
        if not inner or any(person.start < span.start or person.end > span.end or len(person) == len(span)
                            for person in inner):
            return False
        form = self.gazetteer.form(span.label_)
        return form is not None and not any(place.needs_context for place in form.places)

    def _listed_with_places(self, doc: Doc, undecided: list[Span], places: list[Span]) -> list[tuple[Span, Place]]:
        """Names that needed a cue but are listed next to another place ("Karawang, Cikampek, Purwakarta",
        "rute Cibubur - Cawang", "Bandara Soekarno Hatta, Kelapa Gading"): a list or a route of places makes its
        members places. Areas only (kecamatan, kelurahan): an ambiguous kab/kota in a list still needs its own cue."""
        candidates: list[tuple[Span, Place]] = []
        for span in undecided:
            form = self.gazetteer.form(span.label_)
            place = choose_place(form, None) if form else None
            if place is not None and place.level == "area" and not _continues_a_name(doc, span):
                candidates.append((span, place))
        # Each accepted member makes its neighbours members too ("Karawang, Cikampek, Kosambi"); names that need a cue
        # make each other places in a list of two or more distinct names ("Cibubur - Cawang", "Tembalang, Kramas dan
        # Pedalangan"), not in a repeated one ("Sorry, Sorry", a song).
        ends, starts = {span.end for span in places}, {span.start for span in places}
        for first, second in zip(candidates, candidates[1:], strict=False):
            if first[0].end + 1 == second[0].start and doc[first[0].end].lower_ in LIST_SEPARATORS \
                    and first[0].text != second[0].text:
                ends.update((first[0].end, second[0].end))
                starts.update((first[0].start, second[0].start))
        accepted: list[tuple[Span, Place]] = []
        pending = candidates
        while pending:
            joined = [(span, place) for span, place in pending if _next_to(doc, span, ends, starts)]
            if not joined:
                break
            accepted += joined
            ends.update(span.end for span, _ in joined)
            starts.update(span.start for span, _ in joined)
            pending = [item for item in pending if item not in joined]
        return accepted

    def _accept(self, doc: Doc, span: Span, dateline_place: Place | None) -> Place | None:
        # The match's label is the form it matched: "Asia - Pasifik" in the text is the form "Asia-Pasifik".
        form = self.gazetteer.form(span.label_)
        if form is None:
            return None
        previous = doc[span.start - 1].lower_ if span.start > 0 else ""
        place = choose_place(form, LEVEL_CUES.get(previous))
        if place is None or not place.needs_context or not (form.bare or place.level in ("area", "foreign")):
            return place
        if dateline_place is not None and dateline_place.key == place.key:
            return place
        if _continues_a_name(doc, span):
            return None
        if previous in PLACE_CUES or _followed_by_region(doc, span, self.gazetteer):
            return place
        return None


def facility_spans(doc: Doc, words: list[str] | None = None) -> list[Span]:
    """Named facilities: a head and capitalised words ("Bandara Soekarno - Hatta", "Gedung DPR"), or capitalised
    words ending in a venue word ("Volkswagen Arena"). A scan of token texts: a token Matcher with regular
    expressions cost more than the rest of the stage."""
    words = words if words is not None else [token.text for token in doc]
    spans: list[Span] = []
    for i, word in enumerate(words):
        if word in FACILITY_HEADS_SET and i + 1 < len(words) and words[i + 1][:1].isupper() \
                and not (i > 0 and words[i - 1].lower() in NOT_FACILITY_BEFORE):
            end = i + 2
            while end < len(words) and (_name_word(words[end]) or _inner_particle(words, end)):
                end += 1
            # Not "Kantor Wali" of "Kantor Wali Kota Jayapura": the mayor's title runs into the city's name.
            if not (end < len(words) and words[end].lower() == "kota" and words[end - 1].lower() in {"wali", "wakil"}):
                spans.append(doc[i:end])
        elif word in FACILITY_TAILS_SET and i + 2 < len(words) and words[i + 1] == "of" and words[i + 2][:1].isupper():
            end = i + 2
            while end < len(words) and (_name_word(words[end]) or _inner_particle(words, end)
                                        or words[end] == "The" and end == i + 2):
                end += 1
            spans.append(doc[i:end])
        elif word in FACILITY_TAILS_SET and i > 0:
            start = i
            while start > 0 and _name_word(words[start - 1]):
                start -= 1
            while start < i and not (words[start].istitle() and words[start].lower() not in NOT_VENUE_STARTS):
                start += 1
            if start < i:
                spans.append(doc[start:i + 1])
    return spans


def cued_names(doc: Doc, words: list[str], taken: set[int]) -> list[Span]:
    """Capitalised names no stage knows, right after a locative word: "di Parc des Princes", "ke Anfield", "asal
    Meruya". Not a common word ("di Tengah"), an acronym ("di DPR": organisations are the other stage's), or a
    name holding an event or body word ("di Liga Champions")."""
    spans: list[Span] = []
    for i in [k for k, word in enumerate(words[:-1]) if word in LOCATIVE_CUES]:
        start = end = i + 1
        if start in taken or not _title_word(words[start]) or is_common(words[start]) \
                or words[start] in PROVINCE_WORDS and start + 1 in taken:  # "di Provinsi Aceh" names Aceh
            continue
        while end < len(words) and end not in taken and (
                _title_word(words[end]) or words[end] in NAME_PARTICLES and end + 1 < len(words)
                and end > start and _title_word(words[end + 1])):
            end += 1
        if end - start <= MAX_CUED_NAME and not any(word.lower() in NOT_PLACE_WORDS for word in words[start:end]):
            spans.append(doc[start:end])
    return spans


def listed_in_places(words: list[str], start: int, end: int, ends_a_place: Any, starts_a_place: Any) -> bool:
    """Whether the name at start..end is a member of a list of places: after "dan"/"serta"/"atau" and a place ("Zintan
    dan Misrata"), between a place and the next member ("Pulau Onrust, Cipir, Kelor"), or inside a list before "dan"
    and a place (", Guinea dan Sierra Leone"). A name after a place and a comma alone is an apposition ("warga Bekasi,
    Andi, mengaku"); one opening a list before "dan" and a place is as often a person or a club ("Klopp dan
    Liverpool"). `ends_a_place(i)`: a place ends before token i; `starts_a_place(i)`: one starts at i."""
    before = words[start - 1].lower() if start > 0 else ""
    after = words[end].lower() if end < len(words) else ""
    if before in LIST_JOINS and (ends_a_place(start - 1) or start > 1 and words[start - 2] == "," and ends_a_place(start - 2)):
        return True  # "Zintan dan Misrata", "Cipir, Kelor, dan Bidadari"
    if before == "," and ends_a_place(start - 1) and (after in LIST_JOINS or after == ",") \
            and end + 1 < len(words) and (words[end + 1][:1].isupper() or words[end + 1] in LIST_JOINS):
        return True
    return (before == "," or before in LIST_JOINS) and after in LIST_JOINS and end + 1 < len(words) \
        and starts_a_place(end + 1)


def listed_names(doc: Doc, words: list[str], spans: list[Span], taken: set[int]) -> list[Span]:
    """Capitalised names no stage knows, listed with places (see `listed_in_places`); each one found joins the list
    for the next ("Pulau Onrust, Cipir, Kelor, dan Bidadari")."""
    ends, starts = {span.end for span in spans}, {span.start for span in spans}
    found: list[Span] = []
    i = 0
    while i < len(words):
        if i in taken or i in starts or not _title_word(words[i]) or is_common(words[i]):
            i += 1
            continue
        end = i + 1
        while end < len(words) and end - i < MAX_LISTED_NAME and end not in taken and _title_word(words[end]):
            end += 1
        # Not a level word before a place ("Provinsi Aceh dan Provinsi Sumatera Utara"), a name running on into another
        # one ("Persisam Samarinda") or a run holding everyday words ("Aktor Sinetron Terpuji").
        if words[i] not in PROVINCE_WORDS and not (end < len(words) and (end in taken or words[end][:1].isupper())) \
                and not any(word.lower() in NOT_PLACE_WORDS for word in words[i:end]) \
                and not any(is_common(word) and word not in NAME_CONTINUATIONS for word in words[i + 1:end]) \
                and listed_in_places(words, i, end, ends.__contains__, starts.__contains__):
            found.append(doc[i:end])
            ends.add(end)
            starts.add(i)
        i = end
    return found


def defined_acronyms(doc: Doc, words: list[str], spans: list[Span], taken: set[int]) -> list[Span]:
    """ "Taman Ismail Marzuki (TIM)", "Stadion Utama Gelora Bung Karno (SUGBK)": an acronym in brackets right after a
    named place whose words it abbreviates is a LOC span there and wherever the text uses it again ("parkir di TIM")."""
    acronyms = {words[span.end + 1] for span in spans if len(span) > 1 and span.end + 2 < len(words)
                and words[span.end] == "(" and words[span.end + 2] == ")" and _abbreviates(words[span.end + 1], span)}
    if not acronyms:
        return []
    return [doc[i:i + 1] for i, word in enumerate(words) if word in acronyms and i not in taken]


def _abbreviates(word: str, span: Span) -> bool:
    """Whether `word` is an acronym of the span's words: capitals, the first one the span's initial, the rest initials
    of its words in order ("TNGL" for "Taman Nasional Gunung Leuser", "SUGBK" for "Stadion Utama Gelora Bung Karno")."""
    if not (2 <= len(word) <= 6 and word.isalpha() and word.isupper()):
        return False
    initials = [token.text[0].upper() for token in span if token.text[:1].isalpha()]
    if not initials or initials[0] != word[0]:
        return False
    position = 1
    for letter in word[1:]:
        while position < len(initials) and initials[position] != letter:
            position += 1
        if position == len(initials):
            return False
        position += 1
    return True


def _next_to(doc: Doc, span: Span, ends: set[int], starts: set[int]) -> bool:
    """Whether a list separator joins `span` to a place ending at `ends` before it or starting at `starts` after it."""
    before = span.start >= 2 and doc[span.start - 1].lower_ in LIST_SEPARATORS and span.start - 1 in ends
    after = span.end + 1 < len(doc) and doc[span.end].lower_ in LIST_SEPARATORS and span.end + 1 in starts
    return before or after


def _names_an_organisation(words: list[str], span: Span) -> bool:
    """ "Texas Instruments", "Jakarta Post", "Bali United": a place name that opens a company's, a paper's or a club's."""
    return span.end < len(words) and words[span.end] in ORGANISATION_NAME_TAILS


def _as_written_name(doc: Doc, words: list[str], span: Span, place: Place) -> Span:
    """The span of the place's name as written: without "Provinsi" before a province ("Provinsi Aceh" names Aceh) or a
    level word in lower case ("kota Palembang" names Palembang), with a compass word after a foreign place or an island
    ("Afrika Barat", "Sumatera Timur") and "Raya" after an Indonesian city ("Bandung Raya")."""
    if span.end - span.start > 1 and (place.level == "province" and words[span.start] in PROVINCE_WORDS
                                      or words[span.start] in LOWER_CASE_LEVEL_WORDS):
        span = doc[span.start + 1:span.end]
    if span.end < len(words):
        following = words[span.end]
        if following in COMPASS_WORDS and place.level in ("foreign", "area") \
                or following == METROPOLITAN_WORD and place.level in ("city", "regency"):
            return doc[span.start:span.end + 1]
    return span


def _title_word(word: str) -> bool:
    """ "Meruya", "Parc", "O'Hare": a capital then lower-case letters (not "DPR", not "Rp")."""
    return len(word) >= 3 and word[0].isupper() and word[1:].replace("'", "").replace("-", "").islower() \
        and word.replace("'", "").replace("-", "").isalpha()


def _enclosing(organizations: list[Span], span: Span) -> Span | None:
    """The organisation whose name holds `span` ("Pemkot Surabaya" holds "Surabaya"), if any."""
    return next((org for org in organizations if org.start <= span.start and span.end <= org.end), None)


def _names_regional_body(organization: Span, region: Span) -> bool:
    """ "Pemkot Surabaya", "Polda Sulsel", "Pemerintah Provinsi DKI Jakarta": a regional body's head, then the region."""
    head = organization.doc[organization.start:region.start].text
    return region.end == organization.end and head in REGIONAL_BODY_HEAD_SET


def _inner_particle(words: list[str], i: int) -> bool:
    """ "Parc des Princes", "Stadium of Light": a lower-case particle between two capitalised words of a name."""
    return (words[i] in NAME_PARTICLES or words[i] == "of") and i + 1 < len(words) and words[i + 1][:1].isupper()


def _name_word(word: str) -> bool:
    """A word that continues a facility's name: capitalised ('Soekarno', 'DPR', 'Jl.') or a hyphen."""
    if word == "-":
        return True
    return "A" <= word[:1] <= "Z" and word.lower() not in NAME_BREAKS and all(ch.isalnum() or ch in "._-" for ch in word)


def _facility_allowed(span: Span, blocked: set[int]) -> bool:
    """A facility's head or tail word is its own, never another stage's: a person's or an organisation's name
    after it is the facility's name ("Bandara Soekarno-Hatta", "Gedung DPR", "Volkswagen Arena"), but a span that
    starts or ends inside an organisation ("Museum" in "Museum Nasional Indonesia" registered as one) is not,
    unless it is a civic building whose name also stands for its body ("Balai Kota Surabaya")."""
    head, last = span[0], span[-1]
    if span[:2].text in CIVIC_BUILDINGS:
        return True
    if head.text in FACILITY_TAILS_SET and len(span) > 2 and span[1].text == "of" and head.i not in blocked:
        return True  # "Stadium of Light", "Circuit of The Americas": the venue owns the name after "of"
    if last.text in FACILITY_TAILS and last.i not in blocked:
        return True
    if head.i in blocked or last.i in blocked and last.text not in FACILITY_TAILS:
        return head.text in BUILDING_HEADS and head.i not in blocked
    return True


def _without_title_word(doc: Doc, span: Span) -> Span:
    """'Wali Kota Surabaya' names Surabaya: "Kota" there belongs to the title, not to the place's name."""
    if span[0].lower_ == "kota" and len(span) > 1 and span.start > 0 and doc[span.start - 1].lower_ in CITY_TITLE_WORDS:
        return doc[span.start + 1: span.end]
    return span


def _blocked_tokens(doc: Doc) -> set[int]:
    """Tokens inside an organisation or a person found by the earlier stages."""
    blocked: set[int] = set()
    for key in ("organizations", "people"):
        if key in doc.spans:
            for span in doc.spans[key]:
                blocked.update(range(span.start, span.end))
    return blocked


def _continues_a_name(doc: Doc, span: Span) -> bool:
    """'Bima Arya', 'Agam Rinjani': a capitalised word right after makes the name a person's or an org's."""
    if span.end >= len(doc):
        return False
    following = doc[span.end]
    return following.is_title and following.text not in NAME_CONTINUATIONS


def _followed_by_region(doc: Doc, span: Span, gazetteer: Gazetteer) -> bool:
    """'Batu, Jawa Timur', 'Batu (Jatim)', 'Davenport, Amerika Serikat': a province or a country written right after
    confirms the place."""
    if span.end + 1 >= len(doc) or doc[span.end].text not in {",", "("}:
        return False
    for length in (3, 2, 1):
        form = gazetteer.form(doc[span.end + 1: span.end + 1 + length].text)
        if form and any(place.level == "province" or place.kind == "country" or place.key == "area:Indonesia"
                        for place in form.places):
            return True
    return False


def place_tags(found: list[tuple[Span, Place]], dateline_place: Place | None, dateline: str | None,
               inside: list[tuple[Span, Place, Span]] = ()) -> list[dict[str, Any]]:
    """One entry per distinct listed place (not areas), the dateline place first, then by first mention. A region
    named inside an organisation's name ("Pemkot Surabaya", "Universitas Negeri Jakarta") is a mention too, and
    `inside_organizations` lists those names, so a reader can tell "in Surabaya" from "by Surabaya's government"."""
    entries: dict[str, dict[str, Any]] = {}
    if dateline_place is not None and dateline_place.level != "area":
        entries[dateline_place.key] = {**dateline_place.as_tag(), "mentions": 1, "surface": [dateline.strip()],
                                       "is_dateline": True, "inside_organizations": []}
    mentions = [(span, place, None) for span, place in found] + list(inside)
    for span, place, organization in sorted(mentions, key=lambda item: item[0].start):
        if place.level == "area":
            continue
        entry = entries.setdefault(place.key, {**place.as_tag(), "mentions": 0, "surface": [], "is_dateline": False,
                                               "inside_organizations": []})
        entry["mentions"] += 1
        if span.text not in entry["surface"]:
            entry["surface"].append(span.text)
        if organization is not None and organization.text not in entry["inside_organizations"]:
            entry["inside_organizations"].append(organization.text)
    return list(entries.values())


@Language.factory("pantau_places", default_config={"gazetteer_path": None},
                  requires=["doc._.organizations", "doc._.people"], assigns=["doc._.places"])
def make_places(nlp: Language, name: str, gazetteer_path: str | None) -> PlaceTagger:
    """Places from the gazetteer at `gazetteer_path` (default: models/regions/gazetteer.json.gz); built by
    `initialize` (`pipeline.nlp.assembly.build_nlp` calls it) or restored by `from_disk`."""
    return PlaceTagger(nlp, gazetteer_path=gazetteer_path)


def resource_files(settings: dict[str, Any]) -> list[Path]:
    """The files this stage is built from (for the key of a saved pipeline)."""
    return [Path(settings.get("gazetteer_path") or GAZETTEER_PATH), *lemma_table_path()]
