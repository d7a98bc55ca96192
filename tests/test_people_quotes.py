"""`pantau_people`: speakers, roles, organisations and quotes in Indonesian news text."""

from __future__ import annotations

import pytest

from pipeline.nlp.assembly import build_nlp

ARTICLE = """JAKARTA, KOMPAS.com - Facebook bersama Kementerian Komunikasi dan Informatika (Kominfo) meluncurkan program pelatihan di 15 kota.
"Kami ingin membantu UKM Indonesia tumbuh melalui platform digital," kata Ruben Hattari, Kepala Kebijakan Publik Facebook Indonesia, di Jakarta, Senin (12/3/2018).
Menurut Ruben, sekitar 16 persen UKM sudah berjualan melalui marketplace.
Menteri Komunikasi dan Informatika Rudiantara menyambut baik inisiatif tersebut. Ia mengatakan bahwa pemerintah menargetkan delapan juta UKM go online.
"Literasi digital adalah kunci agar pelaku usaha tidak tertinggal," ujar Rudiantara.
Sementara itu, Ketua Umum Asosiasi E-Commerce Indonesia (idEA) Aulia E. Marinto menjelaskan, kolaborasi ini penting. "Ekosistemnya harus dibangun bersama-sama," tuturnya.
Dr. Ir. H. Bambang Santoso, M.Si, dosen Universitas Gadjah Mada, menilai program serupa perlu diperluas ke daerah.
Direktur Utama PT Telkom Indonesia (Persero) Tbk, Alex J. Sinaga, mengatakan: "Jaringan kami siap mendukung seluruh peserta pelatihan."
"""


@pytest.fixture(scope="module")
def nlp():
    return build_nlp(stages=("pantau_organizations", "pantau_people"))


@pytest.fixture(scope="module")
def article(nlp):
    return nlp(ARTICLE)


def person(doc, name):
    return next(p for p in doc._.people if p["name"] == name)


def test_speaker_after_a_quote_gets_the_role_and_organisation_written_after_the_name(article):
    assert person(article, "Ruben Hattari") == {
        "name": "Ruben Hattari", "role": "Kepala Kebijakan Publik Facebook Indonesia", "organization": "Facebook"}
    assert {"speaker": "Ruben Hattari", "text": "Kami ingin membantu UKM Indonesia tumbuh melalui platform digital"} \
        in article._.quotes


def test_a_minister_title_names_the_ministry(article):
    assert person(article, "Rudiantara") == {
        "name": "Rudiantara", "role": "Menteri Komunikasi dan Informatika",
        "organization": "Kementerian Komunikasi dan Informatika"}


def test_a_role_with_a_company_before_the_name_and_a_quote_after_a_colon(article):
    assert person(article, "Alex J. Sinaga") == {
        "name": "Alex J. Sinaga", "role": "Direktur Utama PT Telkom Indonesia (Persero) Tbk",
        "organization": "PT Telkom Indonesia (Persero) Tbk"}
    assert {"speaker": "Alex J. Sinaga", "text": "Jaringan kami siap mendukung seluruh peserta pelatihan."} \
        in article._.quotes


def test_titles_and_degrees_are_not_part_of_the_name(article):
    assert person(article, "Bambang Santoso")["organization"] == "Universitas Gadjah Mada"


def test_indirect_statements_and_short_names_resolve_to_the_full_name(article):
    assert {"speaker": "Ruben Hattari", "text": "sekitar 16 persen UKM sudah berjualan melalui marketplace"} \
        in article._.quotes
    assert [span.text for span in article.spans["people"]].count("Ruben") == 1
    assert {span.kb_id_ for span in article.spans["people"] if span.text == "Ruben"} == {"Ruben Hattari"}


def test_pronoun_speakers_resolve_to_the_last_person_named_and_are_never_names(article):
    speakers = [(quote["speaker"], quote["text"][:20]) for quote in article._.quotes]
    assert ("Rudiantara", "pemerintah menargetk") in speakers
    assert ("Aulia E. Marinto", "Ekosistemnya harus d") in speakers
    names = {p["name"].lower() for p in article._.people} | {s.text.lower() for s in article.spans["people"]}
    assert not names & {"ia", "dia", "beliau", "nya", "tuturnya"}


def test_quotes_come_in_text_order(article):
    speakers = [quote["speaker"] for quote in article._.quotes]
    assert speakers[:2] == ["Ruben Hattari", "Ruben Hattari"]
    assert speakers[-1] == "Alex J. Sinaga"


def test_a_pronoun_with_no_one_named_before_it_is_dropped(nlp):
    doc = nlp('"Semua pelaku usaha harus belajar berjualan daring," ujarnya.')
    assert doc._.quotes == [] and doc._.people == []


def test_quote_before_the_speaker_with_a_straight_quote(nlp):
    doc = nlp('Budi Santoso mengatakan, "Kami akan membuka kelas baru bulan depan."')
    assert doc._.quotes == [{"speaker": "Budi Santoso", "text": "Kami akan membuka kelas baru bulan depan."}]


def test_people_named_with_honorifics_and_roles_elsewhere(nlp):
    doc = nlp("Acara dibuka oleh Bapak Sutrisno dan dihadiri Gubernur Jawa Barat Ridwan Kamil serta "
              "Presiden Joko Widodo.")
    assert [(p["name"], p["role"]) for p in doc._.people] == [
        ("Sutrisno", None), ("Ridwan Kamil", "Gubernur Jawa Barat"), ("Joko Widodo", "Presiden")]
    assert {span.label_ for span in doc.spans["people"]} == {"PER"}


def test_sentence_starters_and_common_capitalised_words_are_not_people(nlp):
    doc = nlp("Namun, Lalu Lintas di Jalan Sudirman padat. Pemerintah mengatakan Ujian Nasional tetap digelar.")
    assert [span.text for span in doc.spans["people"]] == []
    assert doc._.quotes == []


def test_names_without_cues_become_person_spans(nlp):
    doc = nlp("Pertandingan itu dimenangi Roger Federer setelah Nadal cedera.")
    assert [span.text for span in doc.spans["people"]] == ["Roger Federer", "Nadal"]


@pytest.mark.parametrize("text", [
    "", " ", "\u200b\u200b\u200b", '"', '""', '“”', '"," kata', "kata", "Menurut", "Menurut ,", "ia mengatakan",
    "Direktur ,", "\u00a0“Hai,”\u00a0ujar\u00a0Budi.", "Kepala (", ")" * 50, "Dr. Prof. H.",
])
def test_odd_input_gives_no_crash_and_no_garbage(nlp, text):
    doc = nlp(text)
    assert isinstance(doc._.people, list) and isinstance(doc._.quotes, list)
    assert all(quote["speaker"] for quote in doc._.quotes)


def test_a_long_article_is_handled_in_linear_time(nlp):
    paragraph = ('"Kami siap membantu pelaku usaha kecil," kata Budi Santoso, Kepala Dinas Koperasi Kota Malang. '
                 "Menurut Budi, pelatihan digelar setiap pekan di balai kota.\n")
    doc = nlp(paragraph * 2000)
    assert len(doc._.quotes) == 4000
    assert [p["name"] for p in doc._.people] == ["Budi Santoso"]


def test_title_case_links_to_other_articles_yield_no_people(nlp):
    doc = nlp("Menhub menyebut tarif turun.\nBaca juga: Menhub Lobi Sri Mulyani dan Airlangga untuk Bebaskan Pajak Impor\n"
              "Menteri Perhubungan Budi Karya Sumadi mengatakan tarif akan turun.")
    assert [p["name"] for p in doc._.people] == ["Budi Karya Sumadi"]


def test_a_family_word_is_not_the_role_of_the_person_named_after_it(nlp):
    doc = nlp('"Saya kaget," kata suami Donna kepada wartawan.')
    assert all(p["role"] != "suami" for p in doc._.people)
