"""The generated gazetteer: complete, well-formed, and consistent with independent region data when present."""

from __future__ import annotations

import csv
import gzip
import json
import math
import re
import statistics

import pytest

from models.regions import GAZETTEER_PATH


@pytest.fixture(scope="module")
def gazetteer() -> dict:
    with gzip.open(GAZETTEER_PATH, "rt", encoding="utf-8") as handle:
        return json.load(handle)


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 6371 * 2 * math.asin(math.sqrt(h))


def test_every_province_and_regency_with_code_and_point(gazetteer):
    regions = gazetteer["regions"]
    assert sum(r["level"] == "province" for r in regions) == 38
    assert sum(r["level"] in {"city", "regency"} for r in regions) == 514
    for region in regions:
        assert re.fullmatch(r"\d\d(\.\d\d)?", region["code"]), region
        assert -11.5 < region["lat"] < 6.5 and 94.5 < region["lon"] < 141.5, region


def test_kota_and_kabupaten_named_by_level(gazetteer):
    by_code = {r["code"]: r for r in gazetteer["regions"]}
    assert by_code["73.71"]["name"] == "Kota Makassar" and by_code["73.71"]["level"] == "city"
    assert by_code["75.01"]["name"] == "Kabupaten Gorontalo" and by_code["75.01"]["level"] == "regency"
    assert by_code["75"]["name"] == "Gorontalo" and by_code["31"]["name"] == "DKI Jakarta"
    assert "Solo" in by_code["33.72"]["aliases"]


def test_names_that_are_words_need_context(gazetteer):
    flagged = {r["bare"] for r in gazetteer["regions"] if r["needs_context"]}
    assert {"Batu", "Bima", "Solok", "Agam", "Pati"} <= flagged
    assert not {"Surabaya", "Malang", "Bandung", "Gorontalo"} & flagged


def test_codes_and_names_match_kemendagri_reference(gazetteer, shared_dir):
    sql = (shared_dir / "reference/regions/cahyadsn-wilayah/db/wilayah.sql").read_text(encoding="utf-8")
    reference = dict(re.findall(r"\('(\d\d(?:\.\d\d)?)','([^']+)'\)", sql))
    ours = {r["code"]: r for r in gazetteer["regions"]}
    assert set(ours) == set(reference)
    for code, region in ours.items():
        if region["level"] != "province":  # provinces carry short display names (DKI Jakarta)
            assert region["name"] == reference[code].replace(" Administrasi ", " ").strip(), code


def test_points_near_reference_centroids(gazetteer, shared_dir):
    path = shared_dir / "reference/regions/cahyadsn-wilayah_boundaries/centroids_prov_kabkota.csv"
    with open(path, encoding="utf-8") as handle:
        centroids = {row["kode"]: (float(row["lat"]), float(row["lng"])) for row in csv.DictReader(handle)}
    distances: dict[str, list[float]] = {"city": [], "regency": [], "province": []}
    for region in gazetteer["regions"]:
        if region["code"] in centroids:
            distances[region["level"]].append(_km((region["lat"], region["lon"]), centroids[region["code"]]))
    # Points are representative towns from geonames, not polygon centroids: cities sit on their centroid,
    # regencies and provinces within a typical regency's radius.
    assert statistics.median(distances["city"]) < 10
    assert sum(d < 50 for d in distances["city"]) / len(distances["city"]) > 0.9
    assert statistics.median(distances["regency"]) < 40
    assert statistics.median(distances["province"]) < 120
