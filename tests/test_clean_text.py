"""Cleaning of Indonesian news bodies: boilerplate lines out, datelines into their own field."""

from __future__ import annotations

import pytest

from pantau.core.outlets import get_outlet
from pipeline.clean import clean_text

BODY = "Sebanyak 350 pelaku UMKM mengikuti pelatihan literasi digital yang digelar pemerintah daerah bersama Kominfo."


@pytest.mark.parametrize(
    "line",
    [
        "Baca juga: Ribuan UMKM Mulai Berjualan di Marketplace",
        "Baca: Jawaban Soal SMP Belajar dari Rumah",
        "BACA JUGA : Menhub Lobi Sri Mulyani",
        "Simak breaking news dan berita pilihan kami langsung di ponselmu.",
        "Baca berita tanpa iklan. Gabung Kompas.com+",
        "Periksa kembali dan lengkapi data dirimu.",
        "Data dirimu akan digunakan untuk verifikasi akun ketika kamu membutuhkan bantuan.",
        'Simak Video "Penyakit Jantung Penyakit Orang Tua?"',
        "[Gambas:Video 20detik]",
        "(vyp/kna)",
        "(ANT)",
        "(Tribunnews.com/Renald)",
        "Halaman Selanjutnya",
        "Halaman 2",
        "Dapatkan update berita pilihan dan breaking news setiap hari dari Kompas.com.",
        "Pilih saluran andalanmu akses berita Kompas.com WhatsApp Channel.",
        "Cek berita dan artikel yg lain di Google News dan ikuti WhatsApp channel mediaindonesia.com",
        "Ikuti berita terkini dari kami di Google News",
        "Silakan login untuk berkomentar",
        "Editor: Yoga Sukmana",
        "Copyright 2008 - 2023 PT. Kompas Cyber Media. All Rights Reserved.",
        "ADVERTISEMENT",
    ],
)
def test_boilerplate_line_is_removed_and_counted(line: str) -> None:
    cleaned = clean_text(f"{BODY}\n{line}\n{BODY} Kedua.")
    assert line not in cleaned.text
    assert cleaned.paragraphs == [BODY, BODY + " Kedua."]
    assert cleaned.removed_lines == 1


@pytest.mark.parametrize(
    "sentence",
    [
        "Pesan itu disebarkan melalui grup WhatsApp warga sejak pekan lalu, kata polisi.",
        "Berita terkait kasus ini sudah dilaporkan ke Dewan Pers oleh pihak keluarga.",
        "Hak cipta lagu tersebut kini dipegang oleh label rekaman asal Jakarta.",
        "Baca tulis menjadi kemampuan dasar yang diajarkan di sekolah itu.",
        "Sebanyak 2.000 peserta dari 15 kota ikut serta dalam program tersebut.",
    ],
)
def test_article_sentences_survive(sentence: str) -> None:
    cleaned = clean_text(f"{BODY}\n{sentence}")
    assert cleaned.paragraphs == [BODY, sentence]
    assert cleaned.removed_lines == 0


@pytest.mark.parametrize(
    ("opening", "place"),
    [
        ("GORONTALO, KOMPAS.com - ", "Gorontalo"),
        ("BANDAR LAMPUNG, KOMPAS.com - ", "Bandar Lampung"),
        ("Jakarta, CNN Indonesia -- ", "Jakarta"),
        ("Liputan6.com, Jakarta - ", "Jakarta"),
        ("REPUBLIKA.CO.ID, JAKARTA -- ", "Jakarta"),
        ("Makassar (ANTARA) - ", "Makassar"),
        ("TRIBUNNEWS.COM - ", None),
        ("Jakarta - ", "Jakarta"),
    ],
)
def test_dateline_becomes_a_field_and_leaves_the_text(opening: str, place: str | None) -> None:
    cleaned = clean_text(opening + BODY)
    assert cleaned.dateline == place
    assert cleaned.paragraphs[0] == BODY
    assert cleaned.removed_lines == 0


def test_dateline_on_its_own_line() -> None:
    cleaned = clean_text("Jakarta -\n" + BODY)
    assert cleaned.dateline == "Jakarta"
    assert cleaned.paragraphs == [BODY]


def test_place_only_dateline_is_not_taken_from_english_text() -> None:
    text = "Update - The committee published its annual report on Monday with new figures on broadband access."
    assert clean_text(text).dateline is None
    assert clean_text(text).text == text


def test_outlet_patterns_from_the_registry_apply() -> None:
    outlet = get_outlet("mediaindonesia")
    text = f"Headline\nTeaser cerita lain dari edisi cetak.\n{BODY}"
    cleaned = clean_text(text, outlet)
    assert cleaned.paragraphs == [BODY]
    assert cleaned.removed_lines == 2
    # Without the outlet, the label line is not known to be furniture.
    assert clean_text(text).removed_lines == 0


def test_whitespace_is_normalised_and_empty_lines_dropped() -> None:
    cleaned = clean_text(f"  {BODY}\u00a0 \n\n\u200b\n  Kalimat   kedua  yang cukup panjang.  ")
    assert cleaned.paragraphs == [BODY, "Kalimat kedua yang cukup panjang."]
    assert cleaned.text == "\n".join(cleaned.paragraphs)


def test_empty_text() -> None:
    cleaned = clean_text("")
    assert (cleaned.text, cleaned.paragraphs, cleaned.dateline, cleaned.removed_lines) == ("", [], None, 0)
