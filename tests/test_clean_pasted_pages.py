"""Text pasted from a news page (`pantau analyze page.txt`): the outlet named by the text itself, its app, share,
login, comment, ad and footer lines out, the page header above the dateline out with its headline kept as the title.

The pages below are written for these tests in the layouts of the outlets' pages; none is a real article."""

from __future__ import annotations

import pytest

from pantau.core.outlets import get_outlet
from pipeline.clean import clean_document, clean_text, outlet_named_in_text
from pipeline.extract import extract_text_document

KOMPAS_PAGE = """Tekno
Pelaku UMKM di Kupang Belajar Jualan Online lewat Kelas Digital
Kompas.com - 14/03/2024, 09:15 WIB
Lihat Foto
Peserta mengikuti kelas pemasaran digital di Kupang, Rabu (13/3/2024).(KOMPAS.com/MARIA YOSEFA)
Penulis Maria Yosefa | Editor Agustinus Rangga
Close Ads
KUPANG, KOMPAS.com - Sebanyak 240 pelaku usaha mikro di Kupang mengikuti kelas pemasaran digital yang digelar dinas koperasi setempat bersama sejumlah platform belanja daring, Rabu (13/3/2024).
Kepala Dinas Koperasi Kota Kupang, Yohanes Bria, mengatakan kelas itu membahas cara memotret produk, menulis deskripsi, dan membalas komentar pembeli dengan cepat.
Baca juga: Warung Kelontong di NTT Mulai Terima Pembayaran QRIS
"Banyak pelaku usaha yang belum tahu cara login ke dasbor penjual, jadi kami dampingi satu per satu," kata Yohanes.
Login untuk memaksimalkan pengalaman membaca di Kompas.com
Menurut dia, sepertiga peserta sudah berjualan lewat media sosial dan membagikan tautan produk ke grup WhatsApp, tetapi belum memakai toko daring.
Bagikan artikel ini melalui
Facebook
Twitter
WhatsApp
Salin Link
Baca berita dengan sedikit iklan, klik di sini
Simak breaking news dan berita pilihan kami langsung di ponselmu. Pilih saluran andalanmu akses berita Kompas.com WhatsApp Channel.
Tulis komentar
Berita Terkait
Dinas Koperasi Latih 500 Perajin Tenun Berjualan Daring
Ekspor Kopi Flores Naik Dua Kali Lipat
Terpopuler
Harga Cabai di Pasar Oeba Turun Jelang Ramadhan
Copyright 2008 - 2024 PT. Kompas Cyber Media (Kompas Gramedia Digital Group). All Rights Reserved.
"""

KOMPAS_BODY = [
    ("Sebanyak 240 pelaku usaha mikro di Kupang mengikuti kelas pemasaran digital yang digelar dinas koperasi setempat "
     "bersama sejumlah platform belanja daring, Rabu (13/3/2024)."),
    ("Kepala Dinas Koperasi Kota Kupang, Yohanes Bria, mengatakan kelas itu membahas cara memotret produk, menulis "
     "deskripsi, dan membalas komentar pembeli dengan cepat."),
    "\"Banyak pelaku usaha yang belum tahu cara login ke dasbor penjual, jadi kami dampingi satu per satu,\" kata Yohanes.",
    ("Menurut dia, sepertiga peserta sudah berjualan lewat media sosial dan membagikan tautan produk ke grup WhatsApp, "
     "tetapi belum memakai toko daring."),
]

DETIK_PAGE = """detikNews
Berita
Kementerian Gelar Pelatihan Keamanan Siber untuk Guru di Sleman
Rina Pratiwi - detikNews
Kamis, 21 Nov 2024 14:32 WIB
Bagikan
Komentar
Foto: Pelatihan keamanan siber bagi guru di Sleman (Rina Pratiwi/detikJateng)
Sleman - Sebanyak 120 guru sekolah menengah di Kabupaten Sleman mengikuti pelatihan keamanan siber, Kamis (21/11/2024).
Materi pelatihan meliputi pengenalan penipuan daring, pengamanan akun surel sekolah, dan cara melapor bila menemukan konten berbahaya.
"Guru harus jadi contoh, mulai dari tidak membagikan kata sandi dan rajin memperbarui aplikasi," ujar Kepala Bidang Literasi Digital, Dewi Anggraini.
Simak Video "Waspada Modus Penipuan Undangan Pernikahan Digital"
[Gambas:Video 20detik]
(ams/fds)
Baca artikel detiknews, "Kementerian Gelar Pelatihan Keamanan Siber untuk Guru di Sleman" selengkapnya https://news.detik.com/berita/d-7000001/kementerian-gelar-pelatihan.
Download Apps Detikcom Sekarang https://apps.detik.com/detik/
"""

TRIBUN_PAGE = """TRIBUNNEWS.COM
Home » Regional
Pemkab Banyumas Buka Pelatihan Konten Kreator untuk Pemuda Desa
Selasa, 8 Oktober 2024 10:05 WIB
Laporan Wartawan Tribunnews.com, Galuh Permana
TRIBUNNEWS.COM, PURWOKERTO - Pemerintah Kabupaten Banyumas membuka pelatihan pembuatan konten digital bagi 300 pemuda dari 27 kecamatan.
Pelatihan berlangsung tiga hari dan ditutup dengan lomba video promosi produk desa.
Baca juga: Desa Wisata di Banyumas Kebanjiran Pengunjung
Peserta diminta menonaktifkan kolom komentar bila video mereka diserbu akun palsu, kata panitia.
Artikel ini telah tayang di Tribunbanyumas.com dengan judul Pemuda Desa Dilatih Jadi Konten Kreator
Editor: Hasanudin Aco
Ikuti kami di Google News
© 2024 TRIBUNnews.com, a subsidiary of KG Media. All Right Reserved
"""

ANTARA_PAGE = """Makassar (ANTARA) - Dinas Komunikasi dan Informatika Sulawesi Selatan melatih 150 relawan untuk mengenali hoaks menjelang pemilihan kepala daerah.
Baca juga: Relawan TIK Sulsel Sasar Pelajar Pesisir
Pelatihan itu diikuti relawan dari 24 kabupaten dan kota, kata Kepala Bidang Informasi Publik, Andi Rahmat.
Pewarta: Nur Aisyah
Editor: Budi Setiawan
COPYRIGHT © ANTARA 2024
Dilarang keras mengambil konten, melakukan crawling atau pengindeksan otomatis tanpa izin tertulis.
"""

CNN_PAGE = """Ekonomi
Transaksi Belanja Daring Naik Jelang Akhir Tahun
CNN Indonesia
Jumat, 20 Des 2024 11:20 WIB
Bagikan:
url telah tercopy
Jakarta, CNN Indonesia -- Nilai transaksi belanja daring naik 18 persen dibanding bulan sebelumnya, menurut asosiasi perusahaan dagang elektronik.
ADVERTISEMENT
SCROLL TO CONTINUE WITH CONTENT
Kenaikan terbesar terjadi pada kategori kebutuhan rumah tangga dan pakaian.
[Gambas:Video CNN]
(rea/dal)
"""

OKEZONE_PAGE = """Anak Muda Diajak Cek Fakta Sebelum Membagikan Kabar
Follow Berita Okezone di Google News
JAKARTA - Komunitas pemeriksa fakta mengajak pelajar memeriksa sumber berita sebelum membagikannya di media sosial.
Kegiatan digelar di 12 sekolah selama sepekan dan diikuti sekitar 2.000 siswa.
Copyright © 2024 Okezone.com, All Rights Reserved
"""

KUMPARAN_PAGE = """Konten dari Pengguna
Literasi Digital untuk Orang Tua Dimulai dari Meja Makan
Sari Wulandari
12 Januari 2024 19:40 WIB
Tulisan dari Sari Wulandari tidak mewakili pandangan dari redaksi kumparan
Anak-anak kami mulai bertanya soal iklan yang muncul di video kartun kesukaan mereka.
Kami lalu membuat aturan sederhana: tidak ada yang mengisi kolom komentar atau login ke aplikasi baru tanpa bertanya dulu.
Bagikan
"""


def test_kompas_page_pasted_whole() -> None:
    cleaned, outlet = clean_document(KOMPAS_PAGE)
    assert outlet is not None and outlet.id == "kompas"
    assert cleaned.dateline == "Kupang"
    assert cleaned.title == "Pelaku UMKM di Kupang Belajar Jualan Online lewat Kelas Digital"
    # Real paragraphs that mention comments, login, sharing or WhatsApp stay; every app line goes.
    assert cleaned.paragraphs == KOMPAS_BODY
    assert cleaned.removed_lines == KOMPAS_PAGE.count("\n") - len(KOMPAS_BODY)  # every line but the body's


def test_detik_page_named_by_its_own_lines_without_a_dateline_outlet() -> None:
    cleaned, outlet = clean_document(DETIK_PAGE)
    assert outlet is not None and outlet.id == "detik"
    assert (cleaned.dateline, cleaned.title) == ("Sleman", "Kementerian Gelar Pelatihan Keamanan Siber untuk Guru di Sleman")
    assert [line[:30] for line in cleaned.paragraphs] == [
        "Sebanyak 120 guru sekolah mene", "Materi pelatihan meliputi peng", "\"Guru harus jadi contoh, mulai"]


def test_tribun_page_with_reporter_line_and_footer() -> None:
    cleaned, outlet = clean_document(TRIBUN_PAGE)
    assert outlet is not None and outlet.id == "tribunnews"
    assert (cleaned.dateline, cleaned.title) == ("Purwokerto", "Pemkab Banyumas Buka Pelatihan Konten Kreator untuk Pemuda Desa")
    assert cleaned.paragraphs == [
        "Pemerintah Kabupaten Banyumas membuka pelatihan pembuatan konten digital bagi 300 pemuda dari 27 kecamatan.",
        "Pelatihan berlangsung tiga hari dan ditutup dengan lomba video promosi produk desa.",
        "Peserta diminta menonaktifkan kolom komentar bila video mereka diserbu akun palsu, kata panitia.",
    ]


@pytest.mark.parametrize(
    ("page", "outlet_id", "dateline", "paragraphs"),
    [
        (ANTARA_PAGE, "antaranews", "Makassar", 2),
        (CNN_PAGE, "cnnindonesia", "Jakarta", 2),
        (OKEZONE_PAGE, "okezone", "Jakarta", 2),
    ],
)
def test_outlets_named_by_dateline_or_app_line(page: str, outlet_id: str, dateline: str, paragraphs: int) -> None:
    cleaned, outlet = clean_document(page)
    assert outlet is not None and outlet.id == outlet_id
    assert cleaned.dateline == dateline
    assert len(cleaned.paragraphs) == paragraphs
    assert all(line.endswith(".") for line in cleaned.paragraphs), cleaned.paragraphs


def test_a_page_without_a_dateline_keeps_its_header_but_loses_the_furniture() -> None:
    cleaned, outlet = clean_document(KUMPARAN_PAGE)
    assert outlet is not None and outlet.id == "kumparan"
    assert cleaned.dateline is None and cleaned.title is None
    # Without a dateline the header cannot be told from the story: headline and author stay; labels, time stamp,
    # disclaimer and share button go.
    assert cleaned.paragraphs == [
        "Literasi Digital untuk Orang Tua Dimulai dari Meja Makan",
        "Sari Wulandari",
        "Anak-anak kami mulai bertanya soal iklan yang muncul di video kartun kesukaan mereka.",
        ("Kami lalu membuat aturan sederhana: tidak ada yang mengisi kolom komentar atau login ke aplikasi baru tanpa "
         "bertanya dulu."),
    ]


def test_an_outlet_named_in_a_sentence_is_not_the_page_outlet() -> None:
    text = ("Jakarta - Angka itu, seperti dikutip dari Kompas.com dan detikcom, naik dua kali lipat sejak tahun lalu.\n"
            "Baca juga: Survei Baru Soal Belanja Daring\nPara peneliti akan merilis laporan lengkap bulan depan.")
    cleaned, outlet = clean_document(text)
    assert outlet is None
    assert cleaned.dateline == "Jakarta" and len(cleaned.paragraphs) == 2


def test_a_tie_between_outlets_names_none() -> None:
    lines = ["Dapatkan update berita pilihan setiap hari dari Kompas.com.", "Download Apps Detikcom Sekarang",
             "Warga diminta melapor bila menerima pesan mencurigakan."]
    assert outlet_named_in_text(lines) is None


def test_a_url_outlet_wins_over_the_text() -> None:
    # The text carries a Kompas dateline, but the user said where the page is from.
    article = extract_text_document(KOMPAS_PAGE, url="https://www.tribunnews.com/regional/2024/03/14/umkm-kupang")
    assert article.outlet_id == "tribunnews"
    assert article.title == "Pelaku UMKM di Kupang Belajar Jualan Online lewat Kelas Digital"


def test_extracted_text_document_carries_outlet_title_and_dateline() -> None:
    article = extract_text_document(TRIBUN_PAGE)
    assert (article.outlet_id, article.outlet) == ("tribunnews", "Tribunnews.com")
    assert article.title.startswith("Pemkab Banyumas") and article.dateline == "Purwokerto"
    assert "Laporan Wartawan" not in article.text and "Ikuti kami" not in article.text
    assert article.text.splitlines()[0].startswith("Pemerintah Kabupaten Banyumas")


@pytest.mark.parametrize(
    "sentence",
    [
        "Warga bisa login ke aplikasi layanan kependudukan memakai nomor induk kependudukan.",
        "Komentar warganet di unggahan itu kebanyakan mendukung langkah pemerintah daerah.",
        "Pihak kampus meminta mahasiswa tidak membagikan kata sandi kepada siapa pun.",
        "Iklan rokok di dekat sekolah sudah dilarang sejak tahun lalu, kata Kepala Satpol PP.",
        "Bagikan informasi yang benar, pesan Menteri dalam sambutannya di depan ratusan pelajar.",
        "Masuk untuk pertama kalinya ke stadion itu, para suporter terlihat antusias.",
        "Facebook dan Twitter diminta menurunkan konten penipuan dalam waktu 24 jam.",
        "Sebanyak 12 orang ditangkap pada Senin, 12 Februari 2024, kata polisi.",
    ],
)
def test_article_sentences_about_accounts_comments_and_sharing_survive(sentence: str) -> None:
    body = "Jakarta - Pemerintah daerah meluncurkan aplikasi layanan warga yang bisa diunduh gratis oleh siapa saja."
    cleaned, _ = clean_document(f"{body}\n{sentence}")
    assert cleaned.paragraphs[-1] == sentence
    assert clean_text(f"{body}\n{sentence}", get_outlet("kompas")).paragraphs[-1] == sentence


@pytest.mark.parametrize(
    "line",
    [
        "Close Ads",
        "Bagikan artikel ini melalui",
        "Login untuk memaksimalkan pengalaman mengakses Kompas.com",
        "Baca berita dengan sedikit iklan, klik di sini",
        "Tulis komentar",
        "Lihat semua komentar (12)",
        "Belum punya akun? Daftar di sini",
        "Salin Link",
        "WhatsApp",
        "Senin, 12 Februari 2024 | 10:30 WIB",
        "Copyright 2008 - 2025 PT. Kompas Cyber Media. All Rights Reserved.",
        "Editor: Glori K. Wadrianto",
        "Penulis: Ahmad Naufal Dzulfaroh",
        "Penulis Ahmad Naufal | Editor Glori Wadrianto",
        "Foto: Warga mengantre di kantor kelurahan (Andi Saputra/detikcom)",
        "Petugas memeriksa dokumen warga di kantor kecamatan. (Dok. Humas Pemkot)",
        "Home > Tekno > Aplikasi",
        "SCROLL TO RESUME CONTENT",
    ],
)
def test_generic_app_share_login_comment_and_ad_lines_go_for_any_outlet(line: str) -> None:
    body = "Sebanyak 350 pelaku UMKM mengikuti pelatihan literasi digital yang digelar pemerintah daerah bersama Kominfo."
    cleaned = clean_text(f"{body}\n{line}\n{body} Kedua.")
    assert cleaned.paragraphs == [body, body + " Kedua."], line


def test_pantau_analyze_on_a_page_pasted_on_standard_input(monkeypatch, capsys) -> None:
    import io
    import json

    from pantau.cli.main import run

    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(KOMPAS_PAGE.encode("utf-8")), encoding="utf-8"))
    assert run(["analyze", "-", "--no-campaigns"]) == 0
    contract = json.loads(capsys.readouterr().out)
    assert (contract["outlet"], contract["dateline"]) == ("Kompas.com", "Kupang")
    assert contract["title"] == "Pelaku UMKM di Kupang Belajar Jualan Online lewat Kelas Digital"
    assert contract["text"].splitlines() == KOMPAS_BODY
    assert "Kota Kupang" in {place["name"] for place in contract["places"]}
