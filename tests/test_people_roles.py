"""`pantau_people`: names and roles as Indonesian news writes them (sentences written for these tests)."""

from __future__ import annotations

import pytest

from pipeline.nlp.assembly import build_nlp


@pytest.fixture(scope="module")
def nlp():
    return build_nlp(stages=("pantau_organizations", "pantau_people", "pantau_places"))


def people(nlp, text: str) -> dict[str, dict]:
    return {person["name"]: person for person in nlp(text)._.people}


def test_a_role_listing_fields_with_commas_and_dan(nlp):
    found = people(nlp, '"Semua pelaku usaha bisa ikut kelas ini," kata Wakil Ketua Bidang Perdagangan, Investasi, dan '
                        "Ekonomi Digital Kadin Sulawesi Selatan Rahmat Hidayat saat jumpa pers di Makassar.")
    assert list(found) == ["Rahmat Hidayat"]
    assert found["Rahmat Hidayat"]["role"] == ("Wakil Ketua Bidang Perdagangan, Investasi, dan Ekonomi Digital Kadin "
                                               "Sulawesi Selatan")


def test_a_capitalised_field_inside_a_role_is_never_a_person(nlp):
    doc = nlp("Ketua Bidang Hukum, Keamanan, dan Infrastruktur Digital Yuliana Anggraini membuka diskusi itu.")
    assert [(p["name"], p["role"]) for p in doc._.people] == [
        ("Yuliana Anggraini", "Ketua Bidang Hukum, Keamanan, dan Infrastruktur Digital")]
    assert not {span.text for span in doc.spans["people"]} & {"Hukum", "Keamanan", "Infrastruktur", "Bidang"}


def test_a_place_name_that_is_a_given_name_at_the_end_of_a_role(nlp):
    # "Bima" is a city; before an everyday word ("Jaya") at the end of a title it is the person's first name.
    found = people(nlp, '"Kami membuka kelas gratis," kata Koordinator Bidang Riset, Data, dan Keamanan Informasi '
                        "Bima Jaya di Jakarta.")
    assert found == {"Bima Jaya": {"name": "Bima Jaya", "role": "Koordinator Bidang Riset, Data, dan Keamanan Informasi",
                                   "organization": None}}


def test_a_role_after_the_name(nlp):
    found = people(nlp, "Budi Arie Setiadi, Menteri Komunikasi dan Informatika, mengatakan program itu akan diperluas.")
    assert found["Budi Arie Setiadi"] == {"name": "Budi Arie Setiadi", "role": "Menteri Komunikasi dan Informatika",
                                          "organization": "Kementerian Komunikasi dan Informatika"}


@pytest.mark.parametrize(("text", "name", "role", "organization"), [
    ("Menkominfo Johnny G. Plate membuka acara itu.", "Johnny G. Plate", "Menkominfo",
     "Kementerian Komunikasi dan Informatika"),
    ("Dirjen Aptika Semuel Abrijani Pangerapan menjelaskan aturannya.", "Semuel Abrijani Pangerapan", "Dirjen Aptika",
     "Direktorat Jenderal Aplikasi Informatika"),
    ("Kadiskominfo Jawa Barat Setiaji turut hadir.", "Setiaji", "Kadiskominfo Jawa Barat", None),
    ("Wamen BUMN Kartika Wirjoatmodjo ikut hadir.", "Kartika Wirjoatmodjo", "Wamen BUMN", "Badan Usaha Milik Negara"),
    ("Sekjen Kemendag Suhanto ikut hadir.", "Suhanto", "Sekjen Kemendag", "Kementerian Perdagangan"),
    ("Pj Gubernur Jawa Tengah Nana Sudjana meninjau lokasi.", "Nana Sudjana", "Pj Gubernur Jawa Tengah", None),
    ("Plt Kepala Dinas Kesehatan Kota Depok Mary Liziawati meninjau lokasi.", "Mary Liziawati",
     "Plt Kepala Dinas Kesehatan Kota Depok", "Dinas Kesehatan Kota Depok"),
    ("Kapolda Jawa Barat Irjen Pol Ahmad Dofiri meninjau lokasi.", "Ahmad Dofiri", "Kapolda Jawa Barat", None),
    ("Kabid Humas Polda Riau Kombes Sunarto menyampaikan hal itu.", "Sunarto", "Kabid Humas Polda Riau", "Kepolisian Daerah"),
])
def test_abbreviated_titles_and_ranks(nlp, text, name, role, organization):
    assert people(nlp, text)[name] == {"name": name, "role": role, "organization": organization}


def test_lower_case_words_and_an_organisation_inside_a_role(nlp):
    found = people(nlp, "Pengamat politik dari Universitas Airlangga, Hendra Kurniawan, menilai koalisi itu rapuh. "
                        "Menurut peneliti LIPI, Siti Rahma, survei itu sahih.")
    assert found["Hendra Kurniawan"]["role"] == "Pengamat politik dari Universitas Airlangga"
    assert found["Hendra Kurniawan"]["organization"] == "Universitas Airlangga"
    assert found["Siti Rahma"]["role"] == "peneliti LIPI"


def test_a_former_office_keeps_mantan(nlp):
    assert people(nlp, "Kegiatan itu dihadiri mantan Ketua Umum Partai Golkar Setya Darmawan.")["Setya Darmawan"]["role"] \
        == "mantan Ketua Umum Partai Golkar"


@pytest.mark.parametrize(("text", "name", "organization"), [
    ("Ketua Fraksi PKB DPR Cucun Ahmad Sudrajat menolak usulan itu.", "Cucun Ahmad Sudrajat", "Partai Kebangkitan Bangsa"),
    ("Anggota Komisi I DPR Dave Laksmana menolak usulan itu.", "Dave Laksmana", "Dewan Perwakilan Rakyat"),
    ("Ketua DPD Partai Demokrat Bali Made Wirasa menolak usulan itu.", "Made Wirasa", "Partai Demokrat"),
    ("Ketua Dewan Pembina Yayasan Cahaya Bangsa Rudolf Simanjuntak menolak usulan itu.", "Rudolf Simanjuntak",
     "Yayasan Cahaya Bangsa"),
])
def test_a_body_of_an_organisation_gives_the_organisation(nlp, text, name, organization):
    assert people(nlp, text)[name]["organization"] == organization


def test_a_title_holder_named_after_an_organisation_found_by_its_shape(nlp):
    doc = nlp("Sekretaris Kabinet Andika Pramudya mengatakan rapat ditunda. Juru Bicara Komisi Pemberantasan Korupsi "
              "Johan Budi mengatakan berkas sudah lengkap.")
    found = {p["name"]: p for p in doc._.people}
    assert found["Andika Pramudya"]["role"] == "Sekretaris Kabinet"
    assert found["Johan Budi"]["organization"] == "Komisi Pemberantasan Korupsi"
    assert [span.text for span in doc.spans["organizations"]] == ["Komisi Pemberantasan Korupsi"]
    assert [org["name"] for org in doc._.organizations] == ["Komisi Pemberantasan Korupsi"]


@pytest.mark.parametrize(("text", "name"), [
    ("Hadir pula Prof. Dr. Ir. H. Sutrisno Wibowo, M.Si., dosen Universitas Brawijaya.", "Sutrisno Wibowo"),
    ("Acara dibuka dr. Reisa Kartikasari di aula.", "Reisa Kartikasari"),
    ("Pengajian dipimpin Drs. KH Ahmad Mustofa, S.H., M.M. di masjid itu.", "Ahmad Mustofa"),
    ("Materi disampaikan Hj. Nur Aini, S.Kom. kepada peserta.", "Nur Aini"),
    ("Komjen Budi Gunawan hadir di rapat itu.", "Budi Gunawan"),
    ("Rapat itu dipimpin Komisaris Jenderal Agus Andrianto.", "Agus Andrianto"),
])
def test_honorifics_degrees_and_ranks_are_not_part_of_the_name(nlp, text, name):
    assert name in people(nlp, text)


def test_initials_and_a_nickname_in_quotes_are_part_of_the_name(nlp):
    found = people(nlp, "Hadir dalam acara itu MS Kaban dan Aburizal \"Ical\" Bakrie.")
    assert set(found) == {"MS Kaban", "Aburizal Bakrie"}


def test_a_form_of_address_with_one_name_is_a_nickname(nlp):
    assert "Gus Mus" in people(nlp, "Pesan itu disampaikan oleh Gus Mus di hadapan santri.")


def test_a_hyphen_between_two_names_pairs_two_people_without_the_title(nlp):
    found = people(nlp, "Pasangan calon gubernur Andika Perkasa-Hendrar Prihadi mendaftar ke KPU Jawa Tengah.")
    assert {name: person["role"] for name, person in found.items()} == {"Andika Perkasa": None, "Hendrar Prihadi": None}


def test_a_title_before_a_list_of_names_is_the_title_of_each(nlp):
    found = people(nlp, "Hadir pula anggota Komisi I DPR, Rudi Hartono, Sinta Dewi, dan Yosef Manurung.")
    assert {person["role"] for person in found.values()} == {"anggota Komisi I DPR"}
    assert set(found) == {"Rudi Hartono", "Sinta Dewi", "Yosef Manurung"}
    found = people(nlp, "Dua pimpinan KPK Alexander Marwata dan Nurul Ghufron hadir.")
    assert {name: person["role"] for name, person in found.items()} == {
        "Alexander Marwata": "pimpinan KPK", "Nurul Ghufron": "pimpinan KPK"}


def test_a_title_in_a_predicate_is_not_the_role(nlp):
    found = people(nlp, "Terdakwa yang merupakan warga negara Belanda, Johan Vermeer, mengajukan banding.")
    assert found["Johan Vermeer"]["role"] is None


def test_every_person_named_is_listed_once_under_the_full_name(nlp):
    doc = nlp("Ketua Umum Partai Demokrat Agus Harimurti Yudhoyono bertemu Prabowo Subianto. Prabowo menyambutnya di "
              "Hambalang. Menurut Agus, pertemuan itu hangat. Rekannya, Hajriyanto Tohari, ikut hadir; Hajrianto "
              "kemudian pulang lebih dulu.")
    assert [p["name"] for p in doc._.people] == ["Agus Harimurti Yudhoyono", "Prabowo Subianto", "Hajriyanto Tohari"]


def test_a_short_name_is_the_full_name_written_nearest_before_it(nlp):
    doc = nlp("Almarhum Darmawan Sitepu mendirikan sekolah itu. Putranya, Budiman Sitepu, kini memimpinnya. "
              '"Ayah selalu ingin semua anak bisa sekolah," kata Sitepu.')
    assert doc._.quotes == [{"speaker": "Budiman Sitepu", "text": "Ayah selalu ingin semua anak bisa sekolah"}]


def test_old_spellings_of_a_name_are_one_person(nlp):
    doc = nlp("Presiden Soesilo Bambang Yudhoyono membuka sidang kabinet. Kebijakan pemerintahan Susilo Bambang "
              "Yudhoyono dinilai berhasil.")
    assert [p["name"] for p in doc._.people] == ["Soesilo Bambang Yudhoyono"]


def test_a_sentence_opening_word_is_a_person_only_with_a_verb_after_it(nlp):
    found = people(nlp, "Mayoritas responden setuju. Widyawati akan hadir besok. Beleid-beleid itu merugikan petani.")
    assert list(found) == ["Widyawati"]
