"""`pantau_people`: who said a quote (sentences written for these tests), and the invariant that every quote's
speaker is in the people list."""

from __future__ import annotations

import pytest

from pipeline.nlp.assembly import build_nlp
from pipeline.nlp.people import find_quotations


@pytest.fixture(scope="module")
def nlp():
    return build_nlp(stages=("pantau_organizations", "pantau_people", "pantau_places"))


def speakers(nlp, text: str) -> list[tuple[str, str]]:
    return [(quote["speaker"], quote["text"]) for quote in nlp(text)._.quotes]


@pytest.mark.parametrize("verb", ["kata", "ujar", "tutur", "jelas", "ungkap", "imbuh", "tambah", "terang", "sebut"])
def test_a_speech_verb_after_the_quote_names_the_speaker(nlp, verb):
    text = f'Menteri Koperasi Teten Masduki hadir. "Pelaku usaha harus naik kelas tahun ini," {verb} Rina Kusumawati.'
    assert speakers(nlp, text) == [("Rina Kusumawati", "Pelaku usaha harus naik kelas tahun ini")]


@pytest.mark.parametrize("text", [
    'Rina Kusumawati mengatakan, "Pelaku usaha harus naik kelas tahun ini."',
    'Rina Kusumawati: "Pelaku usaha harus naik kelas tahun ini."',
    'Rina Kusumawati menjawab singkat, "Pelaku usaha harus naik kelas tahun ini."',
    'Rina Kusumawati menjawab diplomatis, "Pelaku usaha harus naik kelas tahun ini." Lalu ia pamit.',
    '"Pelaku usaha harus naik kelas tahun ini," Rina Kusumawati menegaskan.',
])
def test_the_speaker_written_before_or_after_the_quote(nlp, text):
    assert speakers(nlp, text)[0][0] == "Rina Kusumawati"


def test_a_pronoun_after_a_verb_form_names_the_speaker_of_the_last_statement(nlp):
    text = ('"Pelatihan ini gratis," Rina Susanti menegaskan.\n'
            '"Semua peserta mendapat sertifikat," dia tegaskan.')
    assert [speaker for speaker, _ in speakers(nlp, text)] == ["Rina Susanti", "Rina Susanti"]


def test_a_quote_continued_over_paragraphs_is_one_quote_of_its_speaker(nlp):
    text = ("Kepala Dinas Koperasi Kota Malang Slamet Riyadi menjelaskan rencana tahun depan.\n"
            '"Kami akan membuka 20 kelas baru.\n'
            '"Setiap kelas diisi 30 pelaku usaha," kata Slamet.')
    assert ("Slamet Riyadi", "Kami akan membuka 20 kelas baru. Setiap kelas diisi 30 pelaku usaha") in speakers(nlp, text)


def test_a_quote_standing_alone_after_a_quote_goes_on_with_its_speaker(nlp):
    text = ('"Antusiasme warga luar biasa," kata Wali Kota Surabaya Eri Cahyadi.\n'
            '"Kelas berikutnya kami buka bulan depan."')
    assert [speaker for speaker, _ in speakers(nlp, text)] == ["Eri Cahyadi", "Eri Cahyadi"]


def test_single_quotes_inside_a_quote_stay_in_it(nlp):
    text = '"Dia bilang \'jangan takut berjualan daring\' kepada semua peserta," kata Hendra Wijaya.'
    assert speakers(nlp, text) == [("Hendra Wijaya", "Dia bilang 'jangan takut berjualan daring' kepada semua peserta")]


def test_a_quotation_scanner_pairs_marks_per_paragraph():
    text = 'Ia berkata: “Satu dua tiga.\n“Empat lima,” katanya. Lalu "enam tujuh delapan" dan “istilah "asing" di sini”.'
    found = [(quotation.text, text[quotation.start]) for quotation in find_quotations(text)]
    assert found == [("Satu dua tiga. Empat lima,", "“"), ("enam tujuh delapan", '"'), ('istilah "asing" di sini', "“")]


def test_a_short_name_resolves_to_the_full_name(nlp):
    text = ('Ketua Komunitas Pasar Digital Ruben Sitompul membuka kelas. "Kami ingin semua pedagang bisa berjualan '
            'daring," kata Ruben.')
    assert speakers(nlp, text)[-1] == ("Ruben Sitompul", "Kami ingin semua pedagang bisa berjualan daring")
    assert [person["name"] for person in nlp(text)._.people] == ["Ruben Sitompul"]


def test_a_pronoun_is_the_last_speaker_not_the_last_name(nlp):
    text = ("Ketua Komisi I DPR Meutya Hafid menilai pelatihan itu penting. Ia lalu bertemu Sri Mulyani di Gedung DPR.\n"
            '"Kami akan memanggil Sri Mulyani pekan depan," ujarnya.')
    assert speakers(nlp, text)[-1] == ("Meutya Hafid", "Kami akan memanggil Sri Mulyani pekan depan")


def test_a_person_named_inside_the_quote_is_not_its_speaker(nlp):
    text = ('Politikus Partai Golkar Dewi Kartika menjenguk Ketua Umum Partai Gerindra Suryadi Pratama.\n'
            "Suryadi masih dirawat di rumah sakit.\n"
            '"Pak Suryadi itu orangnya tenang," kata dia.')
    assert speakers(nlp, text)[-1][0] == "Dewi Kartika"


def test_a_title_pointing_back_is_the_last_speaker(nlp):
    text = ('"Program ini perlu anggaran yang cukup," kata Dewi Kartika. Ia juga meminta pemerintah bergerak cepat.\n'
            '"Desa harus terhubung internet," kata politikus Partai Golkar itu kepada wartawan.')
    assert [speaker for speaker, _ in speakers(nlp, text)] == ["Dewi Kartika"] * 2


def test_a_title_alone_is_the_person_holding_it(nlp):
    text = ("Menteri Komunikasi dan Informatika Budi Arie Setiadi membuka pelatihan itu di Surabaya.\n"
            '"Literasi digital harus menjangkau desa," ujar Menkominfo.')
    assert speakers(nlp, text)[-1] == ("Budi Arie Setiadi", "Literasi digital harus menjangkau desa")


def test_a_short_statement_needs_a_speech_verb(nlp):
    assert speakers(nlp, '"Kami terkejut," kata Rina Kusumawati.') == [("Rina Kusumawati", "Kami terkejut")]
    assert speakers(nlp, 'Warga menyebut jalan itu "jalan tikus" sejak lama.') == []


INVARIANT_TEXTS = [
    '"Semua pelaku usaha harus belajar berjualan daring," ujarnya.',
    '"Kami siap," kata Presiden.',
    '"Data itu valid," ujar Menhub.',
    'Menurut dia, "program itu penting sekali".',
    '"Kami menolak," kata politikus itu. "Ini tidak adil," tambahnya.',
    'Ketua KPU Hasyim Asy\'ari mengatakan, "Tahapan berjalan." "Kami siap," ujar Hasyim. Ia menambahkan, "Semua aman."',
    '"Pelatihan ini gratis," Rina Susanti menegaskan.\n"Semua peserta dapat sertifikat," dia tegaskan.',
]


@pytest.mark.parametrize("text", INVARIANT_TEXTS)
def test_every_quote_has_a_speaker_from_the_people_list_or_none(nlp, text):
    doc = nlp(text)
    names = {person["name"] for person in doc._.people}
    assert all(quote["speaker"] is None or quote["speaker"] in names for quote in doc._.quotes)


def test_an_age_after_the_name_does_not_hide_the_speaker(nlp):
    text = ("Salah satu peserta, Sutarman (52), mengaku baru belajar berjualan di marketplace.\n"
            '"Saya senang bisa ikut.\n"Anak saya yang mengajari," ujarnya.')
    assert [speaker for speaker, _ in speakers(nlp, text)] == ["Sutarman", "Sutarman"]
