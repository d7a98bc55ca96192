"""Campaign definitions: the shipped defaults, validation errors, `pantau campaigns add|list`."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from pantau.cli.main import run
from pantau.core.campaigns import CampaignConfigError, load_campaigns, parse_campaigns

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_FILE = PROJECT_ROOT / "campaigns.toml"

MINIMAL = """
[[campaign]]
id = "sekolah-digital"
name = "Sekolah Digital"
query = '"sekolah digital" OR (guru AND tablet)'
description = "Program pembagian tablet dan pelatihan guru."
"""


def test_default_campaigns_load_with_the_project_ids() -> None:
    campaigns = load_campaigns(DEFAULT_FILE)
    assert [c.id for c in campaigns] == ["laju-digital", "siberkreasi", "makin-cakap-digital", "gapura-digital", "umkm-go-digital"]
    laju = campaigns[0]
    assert laju.start == date(2018, 1, 1)
    assert "Facebook" in laju.organisers and "Ruben Hattari" in laju.spokespeople
    assert all(c.description and c.parsed_query is not None for c in campaigns)


def test_minimal_campaign_has_empty_optional_fields() -> None:
    (campaign,) = parse_campaigns(MINIMAL)
    assert campaign.aliases == () and campaign.subscribers == () and campaign.start is None
    assert campaign.names() == ("Sekolah Digital",)
    assert campaign.active_on(date(1990, 1, 1))


@pytest.mark.parametrize(
    "change, message",
    [
        (("'\"sekolah digital\" OR (guru AND tablet)'", "'\"sekolah digital\" OR (guru AND tablet'"),
         "campaign 'sekolah-digital': query error at column 22: unbalanced parenthesis"),
        (('id = "sekolah-digital"', 'id = "Sekolah Digital"'), "id must be lowercase"),
        (('description = "Program pembagian tablet dan pelatihan guru."', ""), "'description' is required"),
        (('name = "Sekolah Digital"', 'name = "Sekolah Digital"\nstart = "2021-13-01"'), "'start' must be a date"),
        (('name = "Sekolah Digital"', 'name = "Sekolah Digital"\nstart = 2022-01-01\nend = 2021-01-01'), "end 2021-01-01 is before start"),
        (('name = "Sekolah Digital"', 'name = "Sekolah Digital"\nsubscribers = ["tim@@contoh"]'), "is not an e-mail address"),
        (('name = "Sekolah Digital"', 'name = "Sekolah Digital"\nkeywords = ["a"]'), "unknown key(s) keywords"),
        (('name = "Sekolah Digital"', 'name = "Sekolah Digital"\naliases = "SD"'), "'aliases' must be a list"),
    ],
)
def test_validation_errors_name_the_campaign(change: tuple[str, str], message: str) -> None:
    text = MINIMAL.replace(*change)
    with pytest.raises(CampaignConfigError) as caught:
        parse_campaigns(text, "my.toml")
    assert message in str(caught.value)
    assert str(caught.value).startswith("my.toml: ")


def test_duplicate_ids_and_bad_toml_are_rejected() -> None:
    with pytest.raises(CampaignConfigError, match="defined twice"):
        parse_campaigns(MINIMAL + MINIMAL)
    with pytest.raises(CampaignConfigError, match="not valid TOML"):
        parse_campaigns("[[campaign]\nid=")


def test_missing_file_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(CampaignConfigError, match="pantau campaigns add"):
        load_campaigns(tmp_path / "nope.toml")


def test_add_appends_a_validated_entry_and_keeps_comments(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "campaigns.toml"
    original = "# our campaigns\n" + MINIMAL
    path.write_text(original, encoding="utf-8")
    code = run([
        "campaigns", "add", "--file", str(path), "--id", "cek-fakta", "--name", 'Cek "Fakta" Bersama',
        "--query", '"cek fakta" NEAR/5 hoaks', "--description", "Kelas memeriksa fakta untuk warga.",
        "--alias", "#CekFakta", "--organiser", "Mafindo", "--start", "2019-01-01", "--subscriber", "tim@contoh.id",
    ])
    assert code == 0, capsys.readouterr().err
    written = path.read_text(encoding="utf-8")
    assert written.startswith(original)
    campaigns = load_campaigns(path)
    assert [c.id for c in campaigns] == ["sekolah-digital", "cek-fakta"]
    added = campaigns[1]
    assert added.name == 'Cek "Fakta" Bersama' and added.start == date(2019, 1, 1)
    assert added.aliases == ("#CekFakta",) and added.subscribers == ("tim@contoh.id",)


def test_add_rejects_an_invalid_query_and_leaves_the_file_alone(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "campaigns.toml"
    path.write_text(MINIMAL, encoding="utf-8")
    code = run(["campaigns", "add", "--file", str(path), "--id", "rusak", "--name", "Rusak",
                "--query", "(hoaks OR fitnah", "--description", "x"])
    assert code != 0
    err = capsys.readouterr().err
    assert "campaign 'rusak': query error at column 1: unbalanced parenthesis" in err
    assert path.read_text(encoding="utf-8") == MINIMAL


def test_add_creates_a_new_file(tmp_path: Path) -> None:
    path = tmp_path / "new.toml"
    assert run(["campaigns", "add", "--file", str(path), "--id", "baru", "--name", "Baru", "--query", "baru", "--description", "Kampanye baru."]) == 0
    assert [c.id for c in load_campaigns(path)] == ["baru"]
    assert path.read_text(encoding="utf-8").startswith("#")


def test_list_prints_every_campaign(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["campaigns", "list", "--file", str(DEFAULT_FILE)]) == 0
    out = capsys.readouterr().out
    for campaign_id in ("laju-digital", "siberkreasi", "makin-cakap-digital", "gapura-digital", "umkm-go-digital"):
        assert campaign_id in out
