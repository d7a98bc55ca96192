"""Ages are not statistics about a subject ("berusia 25 tahun"); counts of people of an age still are."""

from __future__ import annotations

import pytest

from pipeline.nlp.assembly import build_nlp


@pytest.fixture(scope="module")
def nlp():
    return build_nlp(stages=("pantau_statistics",))


def raws(nlp, text: str) -> list[str]:
    return [statistic["raw"] for statistic in nlp(text)._.statistics]


@pytest.mark.parametrize("text", [
    "Korban berusia 25 tahun itu dirawat di rumah sakit.",
    "Pemilih usia 17 tahun ke atas wajib membawa KTP.",
    "Anak umur 5 tahun sudah bisa membaca.",
    "Usianya baru 19 tahun.",
    "Pria berumur sekitar 40 tahun itu kabur.",
    "Remaja berusia antara 13 dan 17 tahun dilarang membuat akun.",
])
def test_an_age_is_not_a_statistic(nlp, text):
    assert raws(nlp, text) == []


def test_a_count_of_people_of_an_age_keeps_the_count(nlp):
    assert raws(nlp, "Warga berusia di atas 60 tahun sebanyak 1.200 orang menerima bantuan.") == ["1.200 orang"]
    assert raws(nlp, "Sebanyak 300 anak berusia di bawah 5 tahun diimunisasi.") == ["300 anak"]
    assert raws(nlp, "Sebanyak 40 persen pengguna berusia 18-24 tahun.") == ["40 persen"]


@pytest.fixture(scope="module")
def full_nlp():
    return build_nlp(stages=("pantau_organizations", "pantau_people", "pantau_statistics"))


@pytest.mark.parametrize("text", [
    "Sutarman (52) ditangkap polisi di rumahnya.",
    "Warga bernama Rina Wulandari (34 tahun) melapor ke polsek.",
    "Anaknya, Dimas (7), selamat dari kebakaran itu.",
    "Budi (30) ditangkap polisi.",
])
def test_an_age_in_parentheses_after_a_name_is_not_a_statistic(nlp, full_nlp, text):
    assert raws(nlp, text) == []
    assert [statistic["raw"] for statistic in full_nlp(text)._.statistics] == []


def test_a_number_in_parentheses_after_anything_but_a_name_stays(full_nlp):
    found = [statistic["raw"] for statistic in full_nlp(
        "Harga naik menjadi Rp 5.000 (naik 10 persen). Peserta pelatihan (120 orang) datang dari Sleman.")._.statistics]
    assert found == ["Rp 5.000", "10 persen", "120 orang"]

