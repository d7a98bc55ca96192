"""The hand-written name lists of the gazetteer build: every entry must reach the generated file."""

from __future__ import annotations

import gzip
import json

import pytest

from models.regions.build_gazetteer import build_foreign
from pipeline.nlp.assembly import build_nlp
from pipeline.nlp.places import GAZETTEER_PATH


@pytest.fixture(scope="module")
def foreign() -> dict[str, dict]:
    with gzip.open(GAZETTEER_PATH, "rt", encoding="utf-8") as handle:
        entries = json.load(handle)["foreign"]
    return {form: entry for entry in entries for form in (entry["name"], *entry["aliases"])}


def test_a_city_key_geonames_does_not_know_stops_the_build():
    # Such a key used to be skipped without a word, and its Indonesian names were lost ("Washington, D.C.|US").
    with pytest.raises(SystemExit, match="Washington, D.C.|US"):
        build_foreign({"cities": {"Washington, D.C.|US": ["Washington DC"]}}, set(), set(), set())


def test_an_alias_of_an_unknown_world_region_stops_the_build():
    with pytest.raises(SystemExit, match="Asia Raya"):
        build_foreign({"world_regions": {"Asia": [29.8, 89.3]}, "world_region_aliases": {"Asia-Raya": "Asia Raya"}},
                      set(), set(), set())


def test_indonesian_names_of_foreign_cities_and_regions_are_in_the_gazetteer(foreign):
    assert foreign["Washington DC"]["name"] == foreign["Washington"]["name"] == "Washington DC"
    assert foreign["Makkah"]["name"] == foreign["Mekkah"]["name"] == "Mekkah"
    assert foreign["Asia-Pasifik"]["name"] == "Asia Pasifik" and foreign["Asia-Pasifik"]["kind"] == "region"


def test_city_names_news_uses_for_other_things_are_left_out(foreign):
    assert not {"Batman", "Van", "Bursa"} & set(foreign)


def test_indonesian_exonyms_german_spellings_and_foreign_regions(foreign):
    assert foreign["Wina"]["country"] == "AT" and foreign["Praha"]["country"] == "CZ"
    # "Kabul" is also an Indonesian word; listed by hand, the capital is in.
    assert foreign["Kabul"]["country"] == "AF"
    assert foreign["Muenchen"]["name"] == foreign["Munich"]["name"] == "München"
    assert foreign["Duesseldorf"]["name"] == "Dusseldorf"
    # Umlauts are spelled out for German names only ("Ürümqi" is never written "Ueruemqi").
    assert "Ueruemqi" not in foreign and foreign["Urumqi"]["country"] == "CN"
    assert foreign["Xinjiang"]["kind"] == "region" and 43 < foreign["Xinjiang"]["lat"] < 44


def test_a_foreign_region_without_a_known_city_for_its_point_stops_the_build():
    with pytest.raises(SystemExit, match="Atlantis"):
        build_foreign({"foreign_regions": {"Atlantis": {"country": "GR", "point": "Atlantis City"}}}, set(), set(), set())


def test_countries_are_also_named_with_their_form_of_state(foreign):
    assert foreign["Republik India"]["name"] == "India" and foreign["Republik Irlandia"]["country"] == "IE"
    assert "Republik Republik Ceko" not in foreign


def test_countries_have_their_indonesian_names_from_cldr(foreign):
    # CLDR's Indonesian names (Babel) reach countries foreign_names.toml does not list.
    assert foreign["Guinea"]["country"] == "GN" and foreign["Kamerun"]["country"] == "CM"
    assert foreign["Republik Dominika"]["country"] == "DO" and foreign["Kosta Rika"]["country"] == "CR"
    assert foreign["Jordania"]["name"] == "Yordania"
    # A name CLDR shares with a word or a given name stays out, as the English one does ("Chad", "Mali").
    assert not {"Chad", "Mali", "Niger"} & set(foreign)


def test_the_country_named_by_its_english_name_holds_no_other_country(nlp_places):
    doc = nlp_places("Tim dari Papua New Guinea dan Guinea bertanding di Kamerun.")
    assert [span.text for span in doc.spans["places"]] == ["Papua New Guinea", "Guinea", "Kamerun"]


@pytest.fixture(scope="module")
def nlp_places():
    nlp = build_nlp(stages=("pantau_places",))

    def run(text: str):
        doc = nlp.make_doc(text)
        doc._.dateline = None
        return nlp.get_pipe("pantau_places")(doc)

    return run
