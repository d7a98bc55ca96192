"""The organisation lexicon: size, coverage of the 2024 renamings, and validation of bad files."""

from __future__ import annotations

from pathlib import Path

import pytest

from models.organizations import load_lexicon
from pantau.core.errors import ModelMissingError, PantauError


def test_lexicon_has_at_least_300_entries_of_every_kind_the_issue_names():
    lexicon = load_lexicon()
    kinds = {entry.kind for entry in lexicon.entries}
    assert len(lexicon.entries) >= 300
    assert {"ministry", "agency", "state_company", "platform", "association", "university", "media", "ngo"} <= kinds


@pytest.mark.parametrize("old, successors", [
    ("Kementerian Komunikasi dan Informatika", {"Kementerian Komunikasi dan Digital"}),
    ("Kementerian Pendidikan, Kebudayaan, Riset, dan Teknologi",
     {"Kementerian Pendidikan Dasar dan Menengah", "Kementerian Pendidikan Tinggi, Sains, dan Teknologi"}),
    ("Kementerian Koperasi dan Usaha Kecil dan Menengah",
     {"Kementerian Usaha Mikro, Kecil, dan Menengah", "Kementerian Koperasi"}),
])
def test_renamed_ministries_point_to_their_successors(old, successors):
    entry = load_lexicon().by_name()[old]
    assert entry.valid_until == 2024 or entry.valid_until is not None
    assert successors <= set(entry.renamed_to)


def test_short_forms_belong_to_their_ministry():
    by_name = load_lexicon().by_name()
    assert {"Kominfo", "Kemenkominfo"} <= set(by_name["Kementerian Komunikasi dan Informatika"].surface_forms())
    assert "Komdigi" in by_name["Kementerian Komunikasi dan Digital"].surface_forms()
    assert "Kemendikbud" in by_name["Kementerian Pendidikan dan Kebudayaan"].surface_forms()


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "orgs.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_an_alias_naming_two_organisations_is_refused(tmp_path):
    path = _write(tmp_path, '[[org]]\nname = "Alpha"\naliases = ["AX"]\n\n[[org]]\nname = "Beta"\nacronym = "AX"\n')
    with pytest.raises(PantauError, match="'AX' names both 'Alpha' and 'Beta'"):
        load_lexicon(path)


def test_a_successor_without_an_entry_is_refused(tmp_path):
    path = _write(tmp_path, '[[org]]\nname = "Alpha"\nrenamed_to = ["Gamma"]\n')
    with pytest.raises(PantauError, match="renamed_to 'Gamma'"):
        load_lexicon(path)


def test_missing_and_malformed_files_say_what_to_do(tmp_path):
    with pytest.raises(ModelMissingError, match="restore models/organizations.toml"):
        load_lexicon(tmp_path / "absent.toml")
    with pytest.raises(PantauError, match="not valid TOML"):
        load_lexicon(_write(tmp_path, "[[org]\nname = "))
