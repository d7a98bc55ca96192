"""`pantau_people`: people named in an article, their roles and organisations, and what they said.

Runs after `pantau_organizations` and reads its spans. People are found, strongest evidence first:
1. a role written before the name ("Menteri Komunikasi dan Informatika Rudiantara", "Direktur Utama PT X,
   Budi Santoso"), with the organisation the role names;
2. the speaker of a quote or a reported statement ("…," kata Ruben Hattari, Kepala Kebijakan Publik
   Facebook Indonesia.; Menurut X, …; X mengatakan …), with the role written after the name;
3. an honorific ("Bapak Joko", "Prof. Dr. Ir. H. Budi Santoso, M.Si");
4. for the PER spans only, any other run of capitalised words that is not a common word, an
   organisation, a role or a place.
A later short mention ("Ruben") resolves to the full name; pronouns (ia, dia, beliau, -nya) as speakers
resolve to the last person named and are never returned as names.
"""

from __future__ import annotations

import re
from bisect import bisect_left, insort
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import srsly
from spacy.attrs import IDX, LENGTH
from spacy.language import Language
from spacy.tokens import Doc, Span

from models.organizations import LEXICON_PATH, Lexicon, load_lexicon
from pipeline.names import ORGANIZATION_WORDS
from pipeline.nlp import doc_text, pattern_docs
from pipeline.nlp.phrases import PhraseTable
from pipeline.nlp.places import FACILITY_HEADS, GAZETTEER_PATH, LOCATIVE_CUES, listed_in_places, load_gazetteer
from pipeline.nlp.vocabulary import common_words, is_common, lemma_table_path, stop_words

SPAN_KEY = "people"
LABEL = "PER"
ORG_SPAN_KEY = "organizations"

# Verbs that follow a quote and introduce its speaker ("…," kata X). "-nya" forms point back to the
# last person named ("…," ujarnya).
AFTER_QUOTE_VERBS = frozenset({
    "kata", "ujar", "tutur", "jelas", "ungkap", "sebut", "imbuh", "tambah", "terang", "papar", "lanjut", "ucap",
    "tegas", "pungkas", "kilah", "aku", "tukas", "timpal", "seru", "sambung", "beber", "urai", "tandas", "bilang",
    "katanya", "ujarnya", "tuturnya", "jelasnya", "ungkapnya", "sebutnya", "imbuhnya", "tambahnya", "terangnya",
    "paparnya", "lanjutnya", "ucapnya", "tegasnya", "pungkasnya", "kilahnya", "akunya", "tukasnya", "timpalnya",
    "serunya", "sambungnya", "bebernya", "urainya", "tandasnya", "bilangnya", "harapnya", "pintanya", "ajaknya",
    "katanya.", "tanya", "jawab", "jawabnya", "tanyanya", "harap", "pinta", "ajak", "klaim", "klaimnya",
})
# Verbs that follow the speaker and introduce what was said (X mengatakan, "…").
REPORTING_VERBS = frozenset({
    "mengatakan", "menyatakan", "menjelaskan", "mengungkapkan", "menuturkan", "menyebutkan", "menyebut",
    "menambahkan", "menerangkan", "memaparkan", "melanjutkan", "menegaskan", "berkata", "menilai", "berpendapat",
    "mengakui", "menyampaikan", "mengimbau", "menekankan", "mengklaim", "membeberkan", "mengingatkan",
    "berharap", "mengharapkan", "meyakini", "menduga", "memperkirakan", "mengemukakan", "bilang", "berujar",
    "bertutur", "menjawab", "mengaku", "menandaskan", "mengungkap", "menuturkan,", "optimistis", "yakin",
})
PRONOUNS = frozenset({"ia", "dia", "beliau", "nya", "mereka", "kami", "saya", "aku", "-nya"})
# Honorifics written before a name; they are not part of it.
HONORIFICS = frozenset({
    "Dr.", "dr.", "Prof.", "Ir.", "H.", "Hj.", "Drs.", "Dra.", "KH.", "K.H.", "Kiai", "Kyai", "Habib", "Gus", "Bapak",
    "Ibu", "Pak", "Bu", "Mr.", "Mrs.", "Ms.", "Sdr.", "Sdri.", "Bpk.", "Tuan", "Nyonya", "Nona", "Mbak", "Mas",
    "Bung", "Syekh", "Ustaz", "Ustadz", "Ustazah", "Dr", "Prof", "Ir", "Drs", "Hj", "Sir", "Dato", "Datuk",
    "KH", "K.H", "Cak", "Kang", "Abah", "Mbah", "Ning", "Daeng", "drg.", "Drg.", "Ust.", "Hajjah", "Haji",
})
# Honorifics that make the next capitalised words a person even without a role or a quote.
PERSON_CUES = frozenset({"Bapak", "Ibu", "Pak", "Bu", "Mr.", "Mrs.", "Ms.", "Sdr.", "Sdri.", "Bpk.", "Dr.", "dr.", "Prof.",
                         "Ir.", "Hj.", "Drs.", "Dra.", "KH.", "K.H.", "Kiai", "Habib", "Mbak", "Mas", "Bung",
                         "Ustaz", "Ustadz", "saudara", "Saudara", "almarhum", "mendiang", "Almarhum"})
# The few public figures the press names by their initials alone; any other acronym is not a person.
KNOWN_INITIALS = {"SBY": "Susilo Bambang Yudhoyono", "JK": "Jusuf Kalla", "AHY": "Agus Harimurti Yudhoyono",
                  "BTP": "Basuki Tjahaja Purnama"}
# Degrees written after a name (", S.Kom", ", M.Si", ", Ph.D", ", MBA").
DEGREE = re.compile(r"^(?:(?:[A-Z][a-zA-Z]{0,3}\.){1,4}[A-Za-z]{0,4}\.?|Ph\.?D\.?|MBA|MSc|MA|SH|SE|MM|MT|MH)$")
CAPITAL_PARTICLES = frozenset({"Di", "De", "Van", "Von", "Da", "Dos", "Del", "Le", "La", "Al", "El"})  # "Angel Di Maria"
PARTICLES = frozenset({"bin", "binti", "van", "der", "den", "de", "von", "da", "dos", "al", "el", "des", "du", "del",
                       "della", "la", "le", "y", "ter", "bte", "ibn"})
# Words that head a job title: capitalised before a name ("Kepala Dinas … Budi") or after a comma.
ROLE_HEADS = frozenset({
    "presiden", "wakil", "wapres", "menteri", "menko", "wamen", "direktur", "dirut", "dirjen", "kepala", "ketua",
    "ketum", "waketum", "sekretaris", "sekjen", "sekda", "gubernur", "wagub", "bupati", "wabup", "wali", "walikota",
    "wawali", "camat", "lurah", "kades", "kapolri", "kapolda", "kapolres", "kapolresta", "kapolsek", "wakapolri",
    "kabareskrim", "kadiv", "kabid", "kasubdit", "kadis", "kabag", "kasat", "kasatreskrim", "karo", "kapuspen",
    "panglima", "pangdam", "danrem", "dandim", "komandan", "kasad", "kasal", "kasau", "komisaris", "manajer",
    "manager", "ceo", "cto", "cfo", "coo", "cmo", "founder", "co-founder", "pendiri", "head", "chief", "country",
    "vice", "president", "director", "pengamat", "peneliti", "dosen", "rektor", "wakil rektor", "dekan", "guru",
    "pakar", "ahli", "ekonom", "analis", "aktivis", "praktisi", "pengacara", "kuasa", "juru", "jubir", "koordinator",
    "deputi", "asisten", "staf", "anggota", "pimpinan", "pemimpin", "plt", "plh", "pj", "penjabat", "hakim", "jaksa",
    "pelatih", "kapten", "owner", "pemilik", "senior", "general", "associate", "executive", "managing", "partner",
    "inspektur", "auditor", "kapuspenkum", "kasubag", "kasi", "kepsek", "ketua umum", "wakil ketua", "penasihat",
    "pembina", "bendahara", "humas", "spokesperson", "chairman", "chairwoman", "presdir", "wadirut", "komut",
    "direktris", "dirops", "irjen", "sesjen", "sesditjen", "kaur", "kabiro", "kapusdatin", "kapolrestabes",
    "jenderal", "letjen", "mayjen", "brigjen", "laksamana", "marsekal", "kombes", "akbp", "kompol", "akp", "iptu",
    "ipda", "kolonel", "letkol", "mayor", "mahasiswa", "mahasiswi", "warga", "pengusaha", "pedagang", "pelaku",
    "petani", "nelayan", "pengemudi", "sopir", "pengguna", "konsumen", "siswa", "relawan", "pegiat", "penggiat",
    "fasilitator", "mentor", "narasumber", "pembicara", "trainer", "instruktur", "influencer", "kreator", "konten",
    "politisi", "politikus", "mantan", "eks", "calon", "kandidat", "bakal", "petahana", "legislator", "senator",
    "dubes", "duta", "aktor", "aktris", "artis", "penyanyi", "pebalap", "pemain", "petenis", "pebulutangkis",
    "pesepakbola", "striker", "gelandang", "bek", "kiper", "penyerang", "sutradara", "produser", "penulis",
    "wartawan", "jurnalis", "fotografer", "pemred", "ketua dpr", "raja", "ratu", "pangeran", "putri", "sultan",
    "wasekjen", "menneg", "meneg", "wakasad", "wakapolda", "wakapolres", "pria", "wanita", "perempuan", "lelaki",
    "sosok", "bocah", "remaja", "komisioner", "sekertaris", "pelaksana", "menkokesra", "kadiskominfo", "kadisdik",
    "kadinkes", "kasatlantas", "kaprodi", "kajari", "kajati", "kalapas", "kabais", "kabaharkam",
    "kakanwil", "kadispenad", "kasubbag", "kasubbid", "kanit", "dirreskrimum", "dirreskrimsus", "dirlantas",
    "kepala bidang", "kapendam", "danlanud", "danlantamal", "danramil", "danpomdam", "kasdam", "wakasal", "wakasau",
    "sekretaris jenderal", "wamendagri", "dewan", "caleg", "cawapres", "capres", "cagub", "cawagub",
    "cabup", "cawabup", "cawalkot", "katib", "uskup", "pendeta", "ulama", "chairperson", "vp", "evp", "svp",
    "avp", "cio", "cso",
})
# Military and police ranks: written before a name, part of neither the name nor the role ("Kapolda Jawa Barat
# Irjen Pol Edi Darnadi": role "Kapolda Jawa Barat", name "Edi Darnadi").
RANKS = frozenset({
    "jenderal", "jend", "jend.", "letjen", "mayjen", "brigjen", "laksamana", "laksdya", "laksda", "laksma",
    "marsekal", "marsdya", "marsda", "marsma", "kolonel", "kol", "kol.", "letkol", "mayor", "kapten", "lettu",
    "letda", "peltu", "pelda", "serma", "serka", "sertu", "serda", "kopral", "praka", "prada", "komjen", "irjen",
    "kombes", "kombespol", "akbp", "kompol", "akp", "iptu", "ipda", "aiptu", "aipda", "bripka",
    "brigpol", "briptu", "bripda", "bharada", "pol", "pol.", "purn", "purn.",
})
# Forms of address that with one name make a nickname ("Gus Dur", "Bung Karno", "Cak Imin", "Kang Emil"): kept
# as the name when only one name word follows; before a full name they are dropped like other honorifics.
NICKNAME_ADDRESS = frozenset({"Gus", "Bung", "Cak", "Kang", "Abah", "Mbah", "Ning", "Daeng"})
# Words that may stand lower-case inside a job title ("Pengamat politik dari Universitas X", "Anggota pansus dari
# PDIP", "Pelaksana tugas Sekjen PDIP", "mantan Ketua Umum ..."): the title still needs a name after it.
ROLE_LOWER_WORDS = frozenset({
    "dari", "bidang", "urusan", "politik", "hukum", "ekonomi", "tugas", "harian", "pansus", "panja", "senior",
    "muda", "utama", "umum", "khusus", "ahli", "independen", "internasional", "nasional", "daerah", "pusat",
    "partai", "fraksi", "komisi", "dewan", "pembina", "pengawas", "hubungan", "masyarakat", "pemerintahan",
    "kebijakan", "publik", "sosial", "budaya", "pendidikan", "kesehatan", "keuangan", "perbankan", "pertanian",
    "energi", "lingkungan", "hidup", "teknologi", "informasi", "komunikasi", "digital", "siber", "keamanan",
    "pertahanan", "militer", "intelijen", "tata", "negara", "pidana", "perdata", "pajak", "infrastruktur",
    "perempuan", "anak", "pemuda", "olahraga", "agama", "desa", "kota", "kabupaten", "provinsi", "wilayah",
    "cabang", "perwakilan", "divisi", "pemasaran", "penjualan", "operasional", "bisnis", "usaha", "kecil",
    "menengah", "mikro", "koperasi", "perdagangan", "industri", "transportasi", "perhubungan", "pariwisata",
    "kehutanan", "kelautan", "perikanan", "pertambangan", "migas", "listrik", "air", "pangan", "statistik",
    "survei", "riset", "penelitian", "kajian", "studi", "strategis", "mantan", "eks", "calon", "bakal", "terpilih",
    "definitif", "sementara", "baru", "lama", "kehormatan", "tetap", "tidak", "pengajar", "fakultas", "jurusan",
    "program", "pascasarjana", "universitas", "institut", "sekolah", "tinggi", "besar", "pemenangan",
    "pemilu", "kampanye", "sekaligus", "dan", "serta", "kuasa", "juru", "bicara", "tim", "sukses",
    "pengacara", "penasihat", "staf", "asisten", "wakil", "ketua", "anggota", "kepala", "sekretaris",
    "direktur", "menteri", "koordinator", "deputi", "pengamat", "peneliti", "dosen", "guru", "analis",
    "ekonom", "pakar", "praktisi", "aktivis", "politisi", "politikus", "legislator", "pelaksana", "jenderal",
    "komisaris", "manajer", "pendiri", "pemilik", "pemimpin", "pimpinan", "redaksi", "pemred", "wartawan",
})
# Words of job titles that are not in the common-word list ("Direktur Jenderal Aplikasi Informatika").
ROLE_WORDS = frozenset({
    "jenderal", "informatika", "eksekutif", "humas", "operasional", "korporat", "regional", "divisi", "bidang",
    "komisaris", "direktur", "utama", "kebijakan", "publik", "digital", "teknologi", "bisnis", "strategis",
    "pemasaran", "officer", "executive", "manager", "director", "marketing", "public", "policy", "affairs",
    "general", "operations", "communications", "relations", "corporate", "head", "chief", "senior", "vice",
    "president", "country", "indonesia", "asia", "pasifik", "tenggara", "government", "partnership", "partnerships",
    "business", "development", "product", "technology", "founder", "co-founder", "umum", "harian", "pelaksana",
    "tugas", "ad", "interim", "kominfo", "sekretaris", "sekjen", "deputi", "asisten", "staf", "khusus", "ahli",
    "koordinator", "perwakilan", "cabang", "wilayah", "daerah", "provinsi", "kabupaten", "kota", "pusat",
    "hubungan", "masyarakat", "internasional", "nasional", "fraksi", "komisi", "dewan", "pembina", "pengawas",
    "agung", "muda", "madya", "pratama", "besar", "raya", "negeri", "tinggi", "mantan", "eks",
})
# Words between a subject and its reporting verb ("Bambang juga memaparkan").
ADVERBS = frozenset({"juga", "pun", "telah", "sudah", "akan", "kembali", "lalu", "tidak", "tak", "masih", "sempat",
                     "kemudian", "bahkan", "sendiri", "pula", "lantas", "secara", "langsung", "hanya", "justru",
                     "sebelumnya", "kini", "saat", "itu", "ini", "mengaku", "turut", "segera", "tegas", "pernah"})
MONTHS_AND_DAYS = frozenset({
    "januari", "februari", "maret", "april", "mei", "juni", "juli", "agustus", "september", "oktober", "november",
    "desember", "senin", "selasa", "rabu", "kamis", "jumat", "sabtu", "minggu", "ahad", "january", "february",
    "march", "june", "july", "august", "october", "december", "monday", "tuesday", "wednesday", "thursday",
    "friday", "saturday", "sunday", "idul", "fitri", "adha", "ramadan", "ramadhan", "lebaran", "natal", "imlek",
    "tahun", "baru", "covid-19", "covid",
})
# Words after which a role written after a name ends ("…, Kepala Dinas X di Jakarta, Senin").
ROLE_STOPS = frozenset({"di", "saat", "ketika", "dalam", "pada", "kepada", "usai", "seusai", "dengan", "sambil",
                        "melalui", "lewat", "dari", "kemarin", "tadi", "sebelumnya", "beberapa", "yang",
                        "bahwa", "menurut", "juga", "pun", "ini", "itu", "selepas", "sesudah"})
# Words that make a run of capitalised words a place, a building, an event or a product, not a person:
# written before it ("Bandara Juwata", "Liga Champions") or inside it ("Premier League"); and the words of a
# media or team name that bylines share (pipeline.names). The organisations below stay this stage's own:
# shared, they would change which bylines extraction takes for writers (a change for that stage's version).
NOT_PERSON_WORDS = ORGANIZATION_WORDS | frozenset({
    "jalan", "jl", "jl.", "jln", "jln.", "bandara", "bandar", "pelabuhan", "stasiun", "terminal", "gedung", "stadion",
    "istana", "museum", "selat", "laut", "teluk", "gunung", "danau", "sungai", "pulau", "kepulauan", "pantai",
    "kompleks", "komplek", "wisma", "lapangan", "taman", "kecamatan", "kelurahan", "kampung", "dusun", "desa",
    "jembatan", "hotel", "mall", "plaza", "pasar", "masjid", "gereja", "pura", "candi", "monumen", "tugu", "tol",
    "kawasan", "kampus", "arena", "tower", "menara", "apartemen", "rumah", "kantor", "balai", "liga", "league",
    "piala", "cup", "championship", "championships", "olimpiade", "olympics", "games", "festival", "expo",
    "muktamar", "pilpres", "pilkada", "pileg", "pemilu", "munas", "munaslub", "kongres", "rakernas", "rapimnas",
    "konferensi", "conference", "summit", "pekan", "hari", "award", "awards", "series", "open", "masters", "prix",
    "galaxy", "iphone", "ipad", "android", "windows", "tab", "world", "bundesliga", "serie", "amnesty", "program",
    "gerakan", "kartu", "undang-undang", "uu", "perpres", "perppu", "permen", "rancangan", "ruu", "pasal",
    "wars", "park", "city", "club", "fc", "united", "airport", "street", "road", "bay", "island", "mount", "river",
    "tahun", "abad", "era", "orde", "reformasi", "hut", "sidang", "rapat", "paripurna", "lebaran", "natal",
    "pictures", "communication", "communications", "express", "studios", "records",
    "formula", "operasi", "peraturan", "nomor", "no", "ayat", "undang",
    "ujian", "kurikulum", "sekolah", "universitas", "institut", "fakultas", "aplikasi", "situs", "platform",
    "pansus", "panja", "satgas", "koalisi", "unit", "divisi", "divre", "kejuaraan", "turnamen", "show",
    "ratas", "komite", "circuit", "sirkuit", "theatre", "theater", "bioskop", "film", "serial", "album", "lagu",
    "forum", "asosiasi", "yayasan", "komunitas", "lembaga", "badan", "dinas", "kementerian", "partai", "bank",
    # English names of events, often after a job title ("CEO Talk", "CEO Networking Night"): not a name after "CEO".
    "talk", "talks", "night", "meeting", "meetup", "dialogue", "dialog", "breakfast", "dinner", "lunch", "gathering",
    "networking", "session", "bootcamp", "camp", "fair", "fest", "competition", "challenge", "hackathon", "webinar",
    "seminar", "workshop", "roadshow", "exhibition", "talkshow", "roundtable", "panel", "keynote", "briefing",
    "lounge", "academy", "class", "day", "week", "gala", "retreat", "meet",
    # Elections, party meetings and bodies that everyday word lists miss.
    "pilgub", "pilwalkot", "pilbup", "pemilukada", "mukernas", "musda", "muswil", "musyawarah", "rakerda",
    "rakornas", "parlemen", "legislatif", "eksekutif", "presidium", "litbang", "parliamentary",
    "threshold", "service", "health", "national",
}) | frozenset(word.lower() for word in FACILITY_HEADS if word not in {"Tanjung", "Bukit"})
# (Every head of a named facility of the places stage: "Waduk Ngancar", "Sentra Ikan Bulak" are places. Not "Tanjung"
# and "Bukit": also family names, "Chairul Tanjung". Not the venue tails: "Lane" is a surname, and a body named
# "... Center" may stand before its head's name.)
CONNECTORS = frozenset({"dan", "&", "untuk", "serta", "bidang", "of", "and", "for", "the", "-", "/"})
QUOTE_MARKS = re.compile(r"[“”\"]")
MAX_QUOTE_CHARS = 4000
# Verb forms after the speaker of a quote just made: "…," dia tegaskan; "…," Nurul menegaskan.
SPEECH_VERBS_AFTER_SPEAKER = frozenset({
    "tegaskan", "katakan", "jelaskan", "ungkapkan", "tambahkan", "sampaikan", "tuturkan", "paparkan", "terangkan",
    "akui", "sebutkan", "ujarkan", "ucapkan", "lanjutkan", "pastikan",
})
DEMONSTRATIVES = frozenset({"ini", "itu", "tersebut"})
# Words that complete the title just before them ("Jaksa Agung", "Hakim Madya") but are given names after an
# organisation or a full title ("Menkokesra Agung Laksono", "Ketua Umum Partai Golkar Agung Laksono").
TITLE_COMPLETIONS = frozenset({"agung", "muda", "madya", "pratama", "besar", "raya", "jaya", "tinggi", "utama", "mulia"})
# Words before a title that make it a predicate, not a title written beside the name ("yang merupakan warga negara
# Perancis, Serge Atlaoui").
PREDICATE_WORDS = frozenset({"yang", "merupakan"})
# Words of time after a title, not part of it ("Ketua Umum Partai Demokrat saat ini, ...").
TIME_WORDS = frozenset({"saat", "ini", "kini", "kala", "itu", "sekarang"})
# Heads of bodies never named after a person: a name at the end of one found by its shape after a title is the
# title holder's ("Sekretaris Kabinet Andi Widjajanto"). Universities, hospitals and foundations often are.
BODY_HEADS = frozenset({
    "badan", "dinas", "kabinet", "majelis", "komisi", "dewan", "kementerian", "kemenko", "direktorat", "ditjen", "biro",
    "sekretariat", "lembaga", "pusat", "balai", "inspektorat", "kantor", "satgas", "satuan", "otoritas", "kejaksaan",
    "pengadilan", "kepolisian", "polda", "polres", "polresta", "polrestabes", "polsek", "pemerintah", "pemprov", "pemkab",
    "pemkot", "fraksi", "pansus", "panja", "asosiasi", "federasi", "ikatan", "persatuan", "perhimpunan", "himpunan",
    "serikat", "forum", "koalisi", "komunitas", "paguyuban", "korps", "kanwil", "diskominfo", "dinkes", "disdik",
    "bappeda", "partai", "perum", "koperasi", "kodam", "kodim", "korem", "konfederasi", "aliansi", "organisasi",
    "gerakan", "panitia", "mahkamah",
})
# Ranks written out in full before a name ("Komisaris Jenderal Budi Gunawan" = Komjen).
SPELLED_RANKS = frozenset({("komisaris", "jenderal"), ("inspektur", "jenderal"), ("brigadir", "jenderal"),
                           ("komisaris", "besar"), ("letnan", "jenderal"), ("mayor", "jenderal"), ("letnan", "kolonel"),
                           ("laksamana", "madya"), ("laksamana", "muda"), ("marsekal", "madya"), ("marsekal", "muda"),
                           ("ajun", "komisaris"), ("ajun", "inspektur")})
# Lower-case titles that, right before a name, say "led by" rather than name the person's job ("PKB pimpinan X").
NOT_LOWER_CASE_HEADS = frozenset({"pimpinan", "pemimpin", "pemilik", "kuasa", "juru", "calon", "bakal", "pria", "wanita",
                                  "perempuan", "lelaki", "sosok", "bocah", "remaja", "warga"})
# Words before a title given to several people ("dua pimpinan KPK A dan B", "para menteri A, B, dan C").
GROUP_WORDS = frozenset({"para", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan", "sepuluh",
                         "kedua", "ketiga", "keempat", "kelima", "sejumlah", "beberapa"})
# A party's boards ("Ketua DPD Partai Demokrat Bali") and internal bodies ("Fraksi PKB", "Dewan Pembina Partai
# Demokrat", "Komisi III DPR"): the person's organisation is the one they belong to.
PARTY_BOARDS = frozenset({"DPP", "DPD", "DPW", "DPC", "DPRt", "PP", "PW", "PC", "PWNU", "PCNU"})
UNIT_WORDS = frozenset({"fraksi", "komisi", "dewan", "badan", "bidang", "divisi", "departemen", "biro", "dpp", "dpd",
                        "dpw", "dpc", "pengurus", "sayap", "tim", "pansus", "panja", "majelis", "mahkamah", "sekretariat",
                        "direktorat", "unit", "seksi", "satuan", "lembaga", "kantor"})
# Words that may open a sentence before its subject ("Namun, Sutan berharap", "Lebih lanjut Akbar mengatakan").
SENTENCE_OPENERS = frozenset({"namun", "sementara", "itu", "meski", "meskipun", "demikian", "begitu", "lebih", "lanjut",
                              "kemudian", "selain", "sebelumnya", "sedangkan", "adapun", "tetapi", "tapi", "bahkan", "kini",
                              "akhirnya", "karena", "oleh", "sebab", "jadi", "maka", "lalu", "pun", "juga", "selanjutnya",
                              "sementaraitu", "di", "sisi", "lain", "pada", "kesempatan", "dalam", "hal", "ini"})
# Nicknames the press uses beside the full name ("Jokowi" for Joko Widodo): one person when both are written.
KNOWN_NICKNAMES = {"Jokowi": "Joko Widodo", "Ical": "Aburizal Bakrie", "Gus Dur": "Abdurrahman Wahid",
                   "Ahok": "Basuki Tjahaja Purnama", "Cak Imin": "Muhaimin Iskandar", "Kang Emil": "Ridwan Kamil",
                   "Zulhas": "Zulkifli Hasan", "Bamsoet": "Bambang Soesatyo", "Gus Ipul": "Saifullah Yusuf",
                   "Gus Yahya": "Yahya Cholil Staquf", "Pak Harto": "Soeharto", "Bung Karno": "Soekarno",
                   "Bung Hatta": "Mohammad Hatta", "Emil": "Ridwan Kamil", "Kang Dedi": "Dedi Mulyadi"}
# Two-capital abbreviations that start names of places, schools and bodies, not given names.
NOT_INITIALS = frozenset({"RS", "SD", "SMP", "SMA", "SMK", "KA", "KM", "PN", "PT", "CV", "UD", "PO", "TK", "MI", "MA",
                          "RT", "RW", "TV", "FC", "BK", "MK", "KY", "BI", "UI", "UGM", "RI", "AS", "UK", "PD", "PP",
                          "PB", "PW", "PC", "SK", "UU", "PM", "DR", "KH", "ST", "JL"})
SENTENCE_END = frozenset({".", "!", "?", "…"})
MAX_NAME_TOKENS = 6


@dataclass
class Person:
    name: str
    role: str | None = None
    organization: str | None = None
    last_seen: int = -1


@dataclass(frozen=True)
class Pronoun:
    """A speaker written as "ia", "dia", "beliau", "-nya" or as an anaphora ("politikus PDI-P ini") at token
    `position`: resolved, once every name is known, to the person last given as a speaker or a sentence's subject."""

    position: int


@dataclass(frozen=True)
class TitleRef:
    """A speaker written as a title alone ("ujar Menhub", "kata Presiden") at token `position`: the person the text
    gives that title, or a title of that organisation, once every role is known."""

    position: int
    title: str
    organization: str | None


Speaker = Person | Pronoun | TitleRef


@dataclass(frozen=True)
class Quotation:
    """A quoted statement: `start` at its opening mark, `end` after its closing mark (or its paragraph's end); a
    quote continued over several paragraphs is one quotation, its paragraphs joined by a space."""

    start: int
    end: int
    text: str


@dataclass
class DocState:
    """What one document's analysis has found so far."""

    doc: Doc
    words: list[str]  # token texts, read once: creating Token objects dominates the cost of this stage
    lowers: list[str]
    text: str  # doc.text, built once
    token_starts: list[int]
    org_at: dict[int, tuple[int, str]]  # token -> (org span end, canonical name)
    role_at: dict[int, tuple[int, str]]  # token -> (leader title end, organisation it names)
    sentence_start: list[bool]
    headline_tokens: set[int] = field(default_factory=set)
    role_tokens: set[int] = field(default_factory=set)
    people: dict[str, Person] = field(default_factory=dict)
    short_names: dict[str, str] = field(default_factory=dict)
    spans: dict[tuple[int, int], str] = field(default_factory=dict)
    quotes: list[tuple[int, Speaker, str, int | None]] = field(default_factory=list)  # (at, speaker, text, name start)
    last_mention: int | None = None  # start of the name last registered or looked up
    claimed: set[int] = field(default_factory=set)
    quotations: list[Quotation] = field(default_factory=list)
    quoted: set[int] = field(default_factory=set)  # tokens inside quotation marks
    salient: set[int] = field(default_factory=set)  # starts of names given as a speaker
    merged: dict[str, str] = field(default_factory=dict)  # a short name -> the full name it was merged into
    span_end: dict[int, int] = field(default_factory=dict)  # start -> end of each name span
    quote_ends: dict[int, int] = field(default_factory=dict)  # quotation start -> end (characters)
    organization_cuts: dict[int, int] = field(default_factory=dict)  # organisation span start -> its end without a name


class PeopleRecognizer:
    """The spaCy component; one instance per pipeline, stateless between documents.

    Made by its factory it is built by `initialize` (leader titles from the organisation lexicon at
    `lexicon_path`, place names from the places gazetteer; or on the first document), or restored by
    `from_disk` (the titles' phrase table and the place-name sets)."""

    def __init__(self, nlp: Language, lexicon_path: str | None = None):
        self._nlp = nlp
        self.lexicon_path = lexicon_path
        self.ready = False
        self.common = common_words()
        self.stop_words = stop_words()
        self.leader_matcher = PhraseTable("ORTH")

    def initialize(self, get_examples: Any = None, *, nlp: Language | None = None) -> None:
        self.build(load_lexicon(self.lexicon_path), *_place_names(), nlp=nlp)

    def build(self, lexicon: Lexicon, place_names: frozenset[str], village_names: frozenset[str] = frozenset(),
              cued_foreign_names: frozenset[str] = frozenset(), unambiguous_place_names: frozenset[str] = frozenset(),
              nlp: Language | None = None) -> None:
        matcher = PhraseTable("ORTH")
        titles = _leader_titles(lexicon)
        for (_title, organization), pattern in zip(titles.items(), pattern_docs(nlp or self._nlp, titles), strict=True):
            matcher.add(organization, [pattern])
        self.leader_matcher = matcher
        self._set_organizations(lexicon)
        self._set_place_names(place_names, village_names, cued_foreign_names, unambiguous_place_names)

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        self._ensure_ready()
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        (path / "leaders.msgpack").write_bytes(self.leader_matcher.to_bytes())
        # One list of names with a bit per subset: each name string is read (and hashed) once.
        names = sorted(self.place_names)
        kinds = [(name in self._village_names) | (name in self._cued_foreign_names) << 1
                 | (name in self.unambiguous_place_names) << 2
                 for name in names]
        content = {"names": names, "kinds": kinds, "words": sorted(self.place_words)}
        (path / "place_names.msgpack").write_bytes(srsly.msgpack_dumps(content))

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> PeopleRecognizer:
        path = Path(path)
        content = srsly.msgpack_loads((path / "place_names.msgpack").read_bytes(), use_list=False)
        self.leader_matcher = PhraseTable().from_bytes((path / "leaders.msgpack").read_bytes())
        # The lexicon is read again (milliseconds): its forms are not worth a file of their own.
        self._set_organizations(load_lexicon(self.lexicon_path))
        names, kinds = content["names"], content["kinds"]
        subsets = [frozenset(name for name, kind in zip(names, kinds, strict=True) if kind & bit) for bit in (1, 2, 4)]
        self._set_place_names(frozenset(names), *subsets, place_words=frozenset(content["words"]))
        return self

    def _ensure_ready(self) -> None:
        if not self.ready:
            self.initialize()

    def _set_organizations(self, lexicon: Lexicon) -> None:
        # Every written form of a lexicon organisation -> its canonical name, to find the organisation an internal
        # body belongs to ("Fraksi PKB" -> PKB, "Dewan Pembina Partai Demokrat" -> Partai Demokrat).
        self.organization_forms = {form: entry.name for entry in lexicon.entries for form in entry.surface_forms()}
        self.lexicon_names = frozenset(entry.name for entry in lexicon.entries)
        self.organization_heads = frozenset(head.split()[0] for head in lexicon.shapes.heads)

    def _set_place_names(self, place_names: frozenset[str], village_names: frozenset[str], cued_foreign_names: frozenset[str],
                         unambiguous_place_names: frozenset[str], place_words: frozenset[str] | None = None) -> None:
        self._village_names, self._cued_foreign_names = village_names, cued_foreign_names
        self.place_names = place_names
        # One-word kecamatan/village names ("Paul", "Pete", "Hatta") are given names too: a name standing alone is
        # not a person, but one opening a longer name ("Paul Kagame") is not a place to skip.
        self.leading_place_names = place_names - village_names - cued_foreign_names
        # Smaller foreign cities ("Davenport", "Elizabeth") are places only after a cue: with a role before them or a
        # reporting verb after them they are people ("Ratu Elizabeth", "Davenport mengatakan"). Village names stay
        # places there: "Camat Mojolaban", "Raja Pagaruyung" name the place.
        self.named_place_names = place_names - cued_foreign_names
        # Indonesian places that are never a word or a name ("Jatim", "Jayapura"): one ending a run of capitalised
        # words is not part of a person's name ("Sail Morotai", "Mapolda Jatim", "Strategi Jayapura").
        self.unambiguous_place_names = unambiguous_place_names
        self.place_words = place_words if place_words is not None else frozenset(
            word.lower() for name in place_names for word in name.split())
        self.ready = True

    def __call__(self, doc: Doc) -> Doc:
        self._ensure_ready()
        state = self._start(doc)
        self._people_after_roles(state)
        self._people_with_honorifics(state)
        self._quotes(state)
        self._speakers_without_quotes(state)
        self._reported_speech(state)
        self._other_names(state)
        self._known_mentions(state)
        self._complete_people(state)
        doc.spans[SPAN_KEY] = [Span(doc, start, end, label=LABEL, kb_id=name)
                               for (start, end), name in sorted(state.spans.items())]
        doc._.people = self._people_in_text_order(state)
        doc._.quotes = self._resolved_quotes(state)
        if state.organization_cuts:
            _cut_organizations(doc, state.organization_cuts)
        return doc

    def pipe(self, docs: Iterable[Doc], batch_size: int = 64) -> Iterable[Doc]:
        for doc in docs:
            yield self(doc)

    # --- set-up ---------------------------------------------------------------------------------------------

    def _start(self, doc: Doc) -> DocState:
        org_at: dict[int, tuple[int, str]] = {}
        for span in doc.spans.get(ORG_SPAN_KEY, []) if ORG_SPAN_KEY in doc.spans else []:
            org_at[span.start] = (span.end, span.kb_id_ or span.text)
        role_at = {span.start: (span.end, span.label_) for span in self.leader_matcher(doc)}
        text, starts, words = _token_texts(doc)
        spaces = [text[start + len(word):following] for start, word, following in
                  zip(starts, words, [*starts[1:], len(text)], strict=False)]
        lowers = [word.lower() for word in words]
        state = DocState(doc=doc, words=words, lowers=lowers, text=text, token_starts=starts, org_at=org_at,
                         role_at=role_at, sentence_start=_sentence_starts(words, spaces))
        state.headline_tokens = _title_case_lines(words, spaces)
        for start, (end, _) in role_at.items():
            state.role_tokens.update(range(start, end))
        for start, (end, _) in org_at.items():
            state.claimed.update(range(start, end))
        state.quotations = find_quotations(text)
        for quotation in state.quotations:
            state.quoted.update(range(bisect_left(starts, quotation.start), bisect_left(starts, quotation.end)))
        return state

    # --- token tests ----------------------------------------------------------------------------------------

    def _is_name_token(self, state: DocState, i: int) -> bool:
        text = state.words[i]
        if i in state.claimed or i in state.role_tokens or i in state.headline_tokens or not text[:1].isupper() \
                or not _wordlike(text):
            return False
        lower = state.lowers[i]
        return lower not in ROLE_HEADS and lower not in MONTHS_AND_DAYS and text not in HONORIFICS \
            and lower not in self.stop_words and lower not in RANKS

    def _is_initial(self, state: DocState, i: int) -> bool:
        text = state.words[i]
        return len(text) == 2 and text[0].isupper() and text[1] == "." and i not in state.claimed

    def _is_role_word(self, state: DocState, i: int) -> bool:
        lower = state.lowers[i]
        return lower in ROLE_HEADS or lower in ROLE_WORDS or lower in self.common or lower in CONNECTORS \
            or lower in ROLE_LOWER_WORDS  # fields a title names ("Infrastruktur Digital", "Keamanan Siber")

    # --- reading names --------------------------------------------------------------------------------------

    def read_name(self, state: DocState, i: int) -> tuple[int, int] | None:
        """The person name starting at token i (honorifics and ranks skipped, degrees excluded), as (start, end).
        A form of address with one name word is kept as a nickname ("Gus Dur")."""
        n = len(state.words)
        address = None
        while i < n and i not in state.claimed and (state.words[i] in HONORIFICS or state.lowers[i] in RANKS
                                                    or DEGREE.match(state.words[i]) and state.words[i].endswith(".")):
            address = i if state.words[i] in NICKNAME_ADDRESS else None
            i += 1
        start = end = i
        while end < n and end - start < MAX_NAME_TOKENS:
            if self._is_name_token(state, end) or (self._is_initial(state, end) and end + 1 < n
                                                   and self._is_name_token(state, end + 1)):
                end += 1
            elif state.lowers[end] in PARTICLES and end > start and end + 1 < n and self._is_name_token(state, end + 1):
                end += 1
            else:
                break
        if end == start:
            return None
        if (DEGREE.match(state.words[end - 1]) and end - start > 1 and len(state.words[end - 1]) <= 4
                and state.words[end - 1].isupper()):
            end -= 1
        if address is not None and end - start == 1 and address + 1 == start:
            start = address
        return (start, end)

    def read_role_after(self, state: DocState, i: int) -> tuple[str | None, str | None, int]:
        """A role written after a name: ", Kepala Kebijakan Publik Facebook Indonesia". Returns (role, org, end)."""
        n = len(state.words)
        while i < n and state.words[i] == "," and i + 1 < n and DEGREE.match(state.words[i + 1]):
            i += 2  # ", S.Kom, M.Si"
        if i >= n or state.words[i] not in {",", "("}:
            return None, None, i
        start = i + 1
        if start >= n or (state.lowers[start] not in ROLE_HEADS and start not in state.role_at
                          and not (state.words[start][:1].isupper() and state.lowers[start] in ROLE_WORDS)):
            return None, None, i
        end, organizations = start, []
        while end < n:
            word, lower = state.words[end], state.lowers[end]
            if end in state.org_at or end in state.role_at:
                stop, key = state.org_at.get(end) or state.role_at[end]
                organizations.append((end, stop, key))
                end = stop
                continue
            if word in SENTENCE_END or word in {",", "\"", "“", "”", ";", ":"} or lower in ROLE_STOPS \
                    or lower in REPORTING_VERBS or lower in AFTER_QUOTE_VERBS or "\n" in word:
                break
            if word == ")" and state.words[i] == "(":
                break
            end += 1
        role = _span_text(state, start, end).strip() or None
        return role, self._role_organization(state, organizations), end

    def role_before(self, state: DocState, head: int) -> tuple[int, int, str, str | None] | None:
        """A role then a name: "Menteri Komunikasi dan Informatika Rudiantara", "Pengamat politik dari Universitas
        Gadjah Mada, Arie Sudjito", "Ketua Bidang Pajak, Infrastruktur, dan Keamanan Siber Bima Laga".
        Returns (name start, end, role, org)."""
        n = len(state.words)
        organizations: list[tuple[int, int, str]] = []
        name_from = taken_from_organization = None
        if (head + 2 < n and (state.lowers[head], state.lowers[head + 1]) in SPELLED_RANKS
                and self._is_name_token(state, head + 2)):
            name = self.read_name(state, head + 2)  # "Komisaris Jenderal Budi Gunawan": a rank, not a role
            return (name[0], name[1], None, None) if name else None
        if head in state.role_at:
            j, key = state.role_at[head]
            organizations.append((head, j, key))
            after_name_of = True  # after an organisation, a title or a place the next name word is the person's
        else:
            j, after_name_of = head + 1, False
        limit = min(n, head + 24)
        lower_words = 0
        while j < limit:
            word, lower = state.words[j], state.lowers[j]
            if "\n" in word:
                break
            if j in state.org_at or j in state.role_at:
                stop, key = state.org_at.get(j) or state.role_at[j]
                cut = self._name_inside_organization(state, j, stop) if j in state.org_at else None
                if cut is not None:
                    # What is left of the organisation names it unless it is only a head word ("Partai", "Kabinet").
                    state.org_at[j] = (cut, _span_text(state, j, cut))
                    if cut - j > 1:
                        organizations.append((j, cut, _span_text(state, j, cut)))
                    state.organization_cuts[j] = cut if cut - j > 1 else j
                    state.claimed.difference_update(range(cut, stop))
                    name_from = taken_from_organization = cut
                    break
                organizations.append((j, stop, key))
                j, after_name_of = stop, True
                continue
            if word in {"(", ")", "-", "/"} or lower in CONNECTORS:
                after_name_of = after_name_of and not word[:1].isalpha()  # "Ketua DPP Bidang Ekonomi ..."
                j += 1
                continue
            if word == ",":
                if j + 1 < limit and self._list_goes_on(state, j + 1):
                    j += 1  # a portfolio list: "Ketua Bidang Pajak, Infrastruktur, dan Keamanan Siber"
                    continue
                following = j + 1
                if following < limit and (self._is_name_token(state, following) and state.lowers[following] not in ROLE_WORDS
                                          or following in state.span_end or state.words[following] in HONORIFICS
                                          or state.lowers[following] in RANKS
                                          or self._is_initial(state, following)):
                    name_from = following  # "Direktur Utama PT X, Budi Santoso"
                break
            if not word[:1].isupper():
                if lower in TIME_WORDS and j + 2 < n and state.lowers[j + 1] in TIME_WORDS and state.words[j + 2] == ",":
                    j += 2  # "Ketua Umum Partai Demokrat saat ini, Susilo Bambang Yudhoyono"
                    continue
                if (lower in ROLE_LOWER_WORDS or lower in ROLE_HEADS) and lower_words < 5:
                    lower_words += 1
                    j += 1
                    continue
                break
            lower_words = 0
            if j in state.span_end:
                name_from = j  # a name already known
                break
            if word in HONORIFICS or lower in RANKS and not (lower in {"jenderal", "jend."} and not after_name_of):
                name_from = j
                break
            if word in KNOWN_INITIALS:
                name_from = j  # "Presiden SBY"
                break
            if word.isupper() and word.isalpha() and len(word) > 1:
                if _initials(word) and j + 1 < n and self._is_name_token(state, j + 1) and not state.words[j + 1].isupper():
                    name_from = j  # initials before a name: "TB Hasanuddin", "MS Hidayat"
                    break
                j, after_name_of = j + 1, True  # an acronym inside the title: "Ketua DPP Partai Golkar"
                continue
            place_end = self._place_end(state, j)
            if place_end is not None:
                if self._place_opens_name(state, j, place_end):
                    name_from = j  # "Keamanan Siber Bima Laga": the place name is the person's first name
                    break
                j, after_name_of = place_end, True
                continue
            if (lower in ROLE_HEADS or lower in ROLE_WORDS) and not (after_name_of and lower in TITLE_COMPLETIONS):
                j, after_name_of = j + 1, False
                continue
            if after_name_of or not self._is_role_word(state, j):
                name_from = j
                break
            j += 1
        if name_from is None or name_from >= n:
            return None
        known_end = state.span_end.get(name_from)
        name = (name_from, known_end) if known_end else self.read_name(state, name_from)
        from_organization = taken_from_organization == name_from
        if name is None or self._looks_like_place(state, *name) or (
                any(state.lowers[k] in NOT_PERSON_WORDS for k in range(*name)) if from_organization
                else self._not_a_person(state, *name)):
            return None
        if state.words[name[0]].isupper() and name[1] - name[0] == 1 and state.words[name[0]] not in KNOWN_INITIALS:
            return None  # "Ketua DPP", "Kepala BPS": an acronym after a title is an organisation
        if name[1] + 1 < n and state.words[name[1]] == "-" and state.words[name[1] + 1][:1].isupper():
            return name[0], name[1], None, None  # "pasangan calon presiden A-B": the title is the pair's
        role = self._role_text(state, head, name_from)
        chosen = [org for org in organizations if org[0] < name_from]
        organization = self._role_organization(state, chosen)
        if organization is None:
            organization = next((state.words[k] for k in range(head + 1, name_from) if state.words[k].isupper()
                                 and state.words[k].isalpha() and len(state.words[k]) > 1
                                 and state.words[k] not in PARTY_BOARDS), None)
        return name[0], name[1], role, organization

    def _name_inside_organization(self, state: DocState, start: int, end: int) -> int | None:
        """Where a person's name starts inside an organisation found by its shape after a title ("Sekretaris Kabinet
        Andi Widjajanto mengatakan", "Kepala Badan X Budi Santoso"): the organisation's last words are names (not
        everyday words, titles, places or acronyms) and no name follows it. None when it took no name."""
        n = len(state.words)
        if end - start < 2 or state.org_at[start][1] in self.lexicon_names:
            return None
        for stop in range(end - 1, start, -1):
            if _span_text(state, start, stop) in self.organization_forms:
                # "Komisi Pemberantasan Korupsi Johan Budi": capitalised words after a known organisation's full name
                return stop if all(state.words[k][:1].isupper() and _wordlike(state.words[k])
                                   and state.lowers[k] not in ROLE_WORDS and self._place_end(state, k) is None
                                   for k in range(stop, end)) else None
        if state.lowers[start] not in BODY_HEADS:
            return None  # universities, hospitals and foundations are often named after people
        for first in range(start + 1, end):
            run = first
            while run < end and run - first < 4 and self._name_word_in_organization(state, run):
                run += 1
            if run == first:
                continue
            if run == end and (end >= n or not self._is_name_token(state, end)):
                return first  # "Sekretaris Kabinet Andi Widjajanto mengatakan"
            if run - first >= 2 and run < end and state.lowers[run] in {"dan", "serta", ","}:
                return first  # "Dinas Kesehatan Kota Depok Mary Liziawati dan ..."
        return None

    def _name_word_in_organization(self, state: DocState, i: int) -> bool:
        word = state.words[i]
        return word[:1].isupper() and _wordlike(word) and not word.isupper() and not is_common(word) \
            and state.lowers[i] not in ROLE_WORDS and state.lowers[i] not in ROLE_HEADS \
            and self._place_end(state, i) is None and word not in self.organization_forms

    def _role_text(self, state: DocState, start: int, end: int) -> str | None:
        """The role written from token `start` up to the name at `end`, without the ranks, honorifics and punctuation
        just before the name ("Kapolda Jawa Barat Irjen Pol" -> "Kapolda Jawa Barat")."""
        while end > start:
            word, lower = state.words[end - 1], state.lowers[end - 1]
            if word in {",", "(", "-"} or word in HONORIFICS or lower in TIME_WORDS or lower in RANKS and not (
                    lower in {"jenderal", "jend."} and end - 2 >= start and state.lowers[end - 2] in ROLE_HEADS):
                end -= 1
                continue
            break
        return _span_text(state, start, end).strip() or None

    def _list_goes_on(self, state: DocState, i: int) -> bool:
        """Whether the words after a comma inside a title go on listing fields up to "dan"/"serta" ("Pajak,
        Infrastruktur, dan Keamanan Siber"), rather than giving the name ("PT X, Budi Santoso")."""
        n = len(state.words)
        for k in range(i, min(n, i + 10)):
            word, lower = state.words[k], state.lowers[k]
            if lower in {"dan", "serta"}:
                return k + 1 < n and state.words[k + 1][:1].isupper()  # ", dan Keamanan Siber"
            if word == ",":
                continue
            if not (word[:1].isupper() and (is_common(word) or lower in ROLE_WORDS)) or k in state.claimed:
                return False
        return False

    def _place_opens_name(self, state: DocState, start: int, end: int) -> bool:
        """A place name inside a title followed by a single everyday word ("Bima Laga"): the place is a given name."""
        n = len(state.words)
        if end >= n or not self._is_name_token(state, end) or not is_common(state.words[end]):
            return False
        return end + 1 >= n or not (self._is_name_token(state, end + 1) or self._is_initial(state, end + 1))

    def _role_organization(self, state: DocState, organizations: list[tuple[int, int, str]]) -> str | None:
        """The organisation a title names: the first one, but a party board or an internal body written before or
        around its organisation gives that organisation ("Ketua DPD Partai X", "Fraksi PKB", "Komisi III DPR")."""
        for index, (start, end, key) in enumerate(organizations):
            if state.words[start] in PARTY_BOARDS and index + 1 < len(organizations):
                continue
            if state.lowers[start] in UNIT_WORDS:
                parent = self._parent_organization(state, start, end)
                if parent:
                    return parent
            return key
        return None

    def _parent_organization(self, state: DocState, start: int, end: int) -> str | None:
        """The lexicon organisation written inside tokens start..end, longest first ("Partai Demokrat" in "Dewan
        Pembina Partai Demokrat")."""
        for inner in range(start + 1, end):
            for stop in range(end, inner, -1):
                key = self.organization_forms.get(_span_text(state, inner, stop))
                if key:
                    return key
        for inner in range(start + 1, end - 1):
            if state.words[inner] in self.organization_heads and state.lowers[inner] not in UNIT_WORDS:
                return _span_text(state, inner, end)  # "Dewan Pembina Yayasan Golden Nusantara" -> the foundation
        return None

    def _place_end(self, state: DocState, start: int) -> int | None:
        """End of the longest place name starting at token `start` ("Jawa Barat"), if any."""
        doc = state.doc
        for length in (4, 3, 2, 1):
            end = start + length
            if end <= len(doc) and _span_text(state, start, end) in self.leading_place_names:
                return end
        return None

    def _looks_like_place(self, state: DocState, start: int, end: int) -> bool:
        return _span_text(state, start, end) in self.named_place_names

    def _not_a_person(self, state: DocState, start: int, end: int) -> bool:
        """A building, an event or a product: "Bandara Juwata", "Liga Champions", "Galaxy Tab"; a body or a phrase
        ending in a place (see `_everyday_words_then_place`)."""
        before = start - 1
        while before > 0 and state.words[before][:1].isupper() and state.lowers[before] in ROLE_HEADS:
            before -= 1  # "Jalan Gubernur Suryo": a title inside a street's or a building's name
        if before >= 0 and state.lowers[before] in NOT_PERSON_WORDS:
            return True
        return any(lower in NOT_PERSON_WORDS for lower in state.lowers[start:end]) \
            or self._everyday_words_then_place(state, start, end)

    def _everyday_words_then_place(self, state: DocState, start: int, end: int) -> bool:
        """ "Militer Israel", "Kendati Jepang", "Kehormatan Pariwisata Korea": capitalised everyday words (or titles)
        then a place's name are a body, a title or a phrase, never a person's name (a name has a word that is not an
        everyday one: "Badrodin Haiti")."""
        for cut in range(start + 1, end):
            if _span_text(state, cut, end) in self.leading_place_names:
                return all(is_common(word) or lower in ROLE_WORDS
                           for word, lower in zip(state.words[start:cut], state.lowers[start:cut], strict=True))
        return False

    # --- registering people ---------------------------------------------------------------------------------

    def register(self, state: DocState, start: int, end: int, role: str | None = None,
                 organization: str | None = None) -> Person:
        surface = _span_text(state, start, end)
        name = self._resolve(state, surface, start)
        person = state.people.get(name)
        if person is None:
            person = state.people[name] = Person(name=name)
            for word, lower in zip(state.words[start:end], state.lowers[start:end], strict=True):
                if len(word) > 2 and lower not in PARTICLES:
                    state.short_names.setdefault(word, name)
        if role and not person.role:
            person.role = role
        if organization and not person.organization:
            person.organization = organization
        person.last_seen = max(person.last_seen, start)
        state.last_mention = start
        self._add_span(state, start, end, name)
        return person

    def _resolve(self, state: DocState, surface: str, position: int | None = None) -> str:
        """A short mention ("Ruben") is the full name seen earlier ("Ruben Hattari"); of two people sharing it
        ("Almaraja Limbong", "John Waller Limbong"), the one named last before `position`."""
        if surface in state.people:
            return surface
        if surface in KNOWN_INITIALS:
            return KNOWN_INITIALS[surface]
        candidates = [name for name in state.people if _contains_words(name, surface)]
        if not candidates:
            return state.short_names.get(surface, surface) if " " not in surface else surface
        if len(candidates) == 1 or position is None:
            return candidates[0]
        last_named = {name: start for (start, end), name in sorted(state.spans.items())
                      if start < position and _span_text(state, start, end) == name}
        return max(candidates, key=lambda name: last_named.get(name, -1))

    def _add_span(self, state: DocState, start: int, end: int, name: str) -> None:
        if any(i in state.claimed for i in range(start, end)):
            return
        state.spans[(start, end)] = name
        state.span_end[start] = end
        state.claimed.update(range(start, end))

    def last_person(self, state: DocState, before: int) -> Pronoun:
        return Pronoun(position=before)

    def _complete_people(self, state: DocState) -> None:
        """Short mentions ("Firman", "Made") become the full name written nearest before them ("Firman Wijaya", else
        the first after them), people known by a short name merge into that full name, and every name the text
        gives a person joins the people list."""
        spans = sorted(state.spans.items())
        full_names = {name for _, name in spans if " " in name} | {name for name in state.people if " " in name}
        by_word: dict[str, list[str]] = {}
        for name in full_names:
            for word in set(name.split()):
                by_word.setdefault(word, []).append(name)
        surfaces = [_name_text(state, start, end) for (start, end), _ in spans]
        mentions: dict[str, list[int]] = {}
        for ((start, _), name), surface in zip(spans, surfaces, strict=True):
            if surface == name:
                mentions.setdefault(name, []).append(start)  # only a name written in full points to a person
        target_of: dict[str, str] = {}
        for ((start, end), name), surface in zip(spans, surfaces, strict=True):
            if surface not in name and name not in KNOWN_INITIALS.values():
                continue
            first_word = surface.split(" ", 1)[0]
            candidates = [full for full in by_word.get(first_word, ()) if full != surface and _contains_words(full, surface)]
            if not candidates:
                continue
            target = max(candidates, key=lambda full: (max((s for s in mentions.get(full, ()) if s < start), default=-1),
                                                       -min(mentions.get(full, [len(state.words)]))))
            state.spans[(start, end)] = target
            if name == surface:
                target_of.setdefault(name, target)  # a person known only by the short name joins the full name
        for name, target in target_of.items():
            self._merge_person(state, name, target)
        for nickname, full in KNOWN_NICKNAMES.items():
            if (nickname in state.people or nickname in mentions) and (full in state.people or full in mentions):
                self._merge_person(state, nickname, full)
        self._merge_spellings(state)
        for (start, _end), name in sorted(state.spans.items()):
            if name not in state.people and (" " in name or name in KNOWN_INITIALS.values()
                                             or self._single_name(state, start, name)):
                state.people[name] = Person(name=name)

    def _merge_spellings(self, state: DocState) -> None:
        """Two spellings of one name ("Hajriyanto"/"Hajrianto", "Soesilo"/"Susilo", "Djan Faridz"/"Djan Farid"): one
        person, under the longer name, else the one named first. Only names sharing a word, or a word's first or last
        two letters (one edit leaves one of them), are compared."""
        first_seen: dict[str, int] = {}
        for (start, _), name in sorted(state.spans.items()):
            first_seen.setdefault(name, start)
        for name in state.people:
            first_seen.setdefault(name, len(state.words))
        index: dict[str, list[str]] = {}
        keys: dict[str, tuple[str, ...]] = {}
        for name in sorted(first_seen, key=first_seen.get):
            key = keys[name] = _spelling_key(name)
            entries = _spelling_entries(key)
            seen: set[str] = set()
            match = None
            for entry in entries:
                for earlier in index.get(entry, ()):
                    if earlier not in seen and earlier not in state.merged:
                        seen.add(earlier)
                        if _same_spelling(keys[earlier], key) and (match is None or first_seen[earlier] < first_seen[match]):
                            match = earlier
            if match is not None:
                target, merged = (match, name) if len(keys[match]) >= len(key) else (name, match)
                self._merge_person(state, merged, target)
                if target != name:
                    continue
            for entry in entries:
                index.setdefault(entry, []).append(name)

    def _merge_person(self, state: DocState, name: str, target: str) -> None:
        """Every mention of `name` becomes `target`, which keeps the role and organisation either had."""
        for key, value in list(state.spans.items()):
            if value == name:
                state.spans[key] = target
        person = state.people.pop(name, None)
        if person is not None:
            kept = state.people.setdefault(target, Person(name=target))
            kept.role = kept.role or person.role
            kept.organization = kept.organization or person.organization
        state.merged[name] = target

    def _single_name(self, state: DocState, start: int, name: str) -> bool:
        """Whether a one-word name with no other evidence is a person: not an everyday word, not only capitalised
        by opening a sentence, not an abbreviation in parentheses after a longer name ("Litbang")."""
        if is_common(name):
            return False
        if state.sentence_start[start] or self._opens_sentence(state, start):
            following = state.lowers[start + 1] if start + 1 < len(state.words) else ""
            # "Megawati akan ...", "Wiranto mengatakan ...": a sentence's subject that says or will do something.
            return following in REPORTING_VERBS or following in ADVERBS and following not in DEMONSTRATIVES
        return not (start > 0 and state.words[start - 1] == "(" and start + 1 < len(state.words)
                    and state.words[start + 1] == ")")

    def _people_in_text_order(self, state: DocState) -> list[dict]:
        first_seen: dict[str, int] = {}
        for (start, _), name in sorted(state.spans.items()):
            first_seen.setdefault(name, start)
        people = sorted(state.people.values(), key=lambda person: first_seen.get(person.name, len(state.words)))
        return [{"name": person.name, "role": person.role, "organization": person.organization} for person in people]

    def _resolved_quotes(self, state: DocState) -> list[dict]:
        """Quotes in text order with their speakers' names. A pronoun or an anaphora is the person last given as a
        speaker, or as a sentence's subject, before it (names inside quotes do not count); failing that the person
        last named. A title alone is the person given that title. A quote whose speaker stays unknown is dropped."""
        mentions = sorted((start, name) for (start, _), name in state.spans.items()
                          if name in state.people and start not in state.quoted)
        salient = [(start, name) for start, name in mentions if start in state.salient or self._opens_sentence(state, start)]
        quotes = []
        for at_char, speaker, text, mention in sorted(state.quotes, key=lambda item: item[0]):
            if isinstance(speaker, Pronoun):
                inside = self._names_inside(state, at_char, state.quote_ends.get(at_char, at_char))
                name = _last_before(salient, speaker.position, inside) or _last_before(mentions, speaker.position, inside)
            elif isinstance(speaker, TitleRef):
                name = self._titled_person(state, speaker, mentions)
            else:
                name = state.spans.get((mention, state.span_end.get(mention, -1))) if mention is not None else None
                name = name or state.merged.get(speaker.name, speaker.name)
            if name is None or name not in state.people:
                continue
            if not isinstance(speaker, Person):
                insort(salient, (speaker.position, name))
            quotes.append({"speaker": name, "text": text})
        return quotes

    def _names_inside(self, state: DocState, start_char: int, end_char: int) -> frozenset[str]:
        """People named inside a quotation: one who speaks does not name themselves ("Pak Suhardi itu kalem," kata dia)."""
        if end_char <= start_char:
            return frozenset()
        first, last = bisect_left(state.token_starts, start_char), bisect_left(state.token_starts, end_char)
        return frozenset(name for (start, _), name in state.spans.items() if first <= start < last)

    def _titled_person(self, state: DocState, reference: TitleRef, mentions: list[tuple[int, str]]) -> str | None:
        """The person a title alone stands for: one whose role is or begins with that title, or names its
        organisation; of several, the one named last before it."""
        title = reference.title.casefold()
        holders = {person.name for person in state.people.values() if person.role and (
            person.role.casefold() == title or person.role.casefold().startswith(title + " ")
            or reference.organization is not None and person.organization == reference.organization)}
        if not holders:
            return None
        before = [name for start, name in mentions if name in holders and start < reference.position]
        return before[-1] if before else sorted(holders)[0]

    def _opens_sentence(self, state: DocState, start: int) -> bool:
        """Whether the name at `start` is its sentence's subject: it opens the sentence, or follows only a short
        opening ("Namun,", "Meski demikian,", "Lebih lanjut")."""
        for back in range(5):
            k = start - back
            if k < 0:
                return False
            if back and state.words[k] not in {",", "\"", "“"} and state.lowers[k] not in SENTENCE_OPENERS:
                return False
            if state.sentence_start[k]:
                return True
        return False

    # --- evidence, strongest first ------------------------------------------------------------------------

    def _people_after_roles(self, state: DocState) -> None:
        # Only a title can open one: looking at every token here was a large share of the stage's time.
        heads = [i for i, lower in enumerate(state.lowers) if lower in ROLE_HEADS or i in state.role_at]
        for i in heads:
            lower = state.lowers[i]
            if i in state.claimed and i not in state.role_at:
                continue
            if i > 0 and state.lowers[i - 1] in NOT_PERSON_WORDS:
                continue  # "Jalan Gubernur Suryo", "Bandara Sultan Hasanuddin": a street or a building, not a person
            if i > 0 and state.lowers[i - 1] in PREDICATE_WORDS:
                continue  # "yang merupakan warga negara Perancis, X": a predicate, not a title beside the name
            if i in state.role_at or lower in ROLE_HEADS and (
                    state.words[i][:1].isupper() or lower not in NOT_LOWER_CASE_HEADS or self._names_a_group(state, i)
                    or i + 1 < len(state.words) and not state.words[i + 1][:1].isupper()):
                found = self.role_before(state, i)
                if found:
                    start, end, role, organization = found
                    self.register(state, start, end, role=role, organization=organization)
                    state.role_tokens.update(range(i, start))  # "Infrastruktur Digital" of a title is no name
                    if self._opens_sentence(state, i):
                        state.salient.add(start)  # "Menteri X Rudiantara menyambut ...": the sentence's subject
                    if self._names_a_group(state, i) or start > 0 and state.words[start - 1] == ",":
                        self._people_in_list(state, end, role, organization)

    def _names_a_group(self, state: DocState, head: int) -> bool:
        """A title given to several people: after a number or "para" ("dua pimpinan KPK A dan B")."""
        return head > 0 and (state.lowers[head - 1] in GROUP_WORDS or state.words[head - 1].isdigit())

    def _people_in_list(self, state: DocState, i: int, role: str | None, organization: str | None) -> None:
        """More names after the first one of a group's title: "..., A, B, dan C" all get the title."""
        n = len(state.words)
        while i + 1 < n and state.words[i] in {",", "dan", "serta"}:
            k = i + 1
            if state.words[i] == "," and state.lowers[k] in {"dan", "serta"}:
                k += 1
            name = self.read_name(state, k) if k < n else None
            if name is None or self._looks_like_place(state, *name) or self._not_a_person(state, *name) \
                    or any(t in state.claimed for t in range(*name)):
                return
            self.register(state, *name, role=role, organization=organization)
            i = name[1]

    def _people_with_honorifics(self, state: DocState) -> None:
        doc = state.doc
        for i, word in enumerate(state.words):
            if word in PERSON_CUES and i not in state.claimed and i + 1 < len(doc):
                name = self.read_name(state, i + 1)
                if name and not self._looks_like_place(state, *name) and not self._not_a_person(state, *name) and \
                        not (name[1] - name[0] == 1 and state.lowers[name[0]] in ROLE_WORDS):  # "Ibu Kota"
                    role, organization, _ = self.read_role_after(state, name[1])
                    self.register(state, *name, role=role, organization=organization)

    def _speaker_at(self, state: DocState, i: int) -> tuple[Speaker | None, int]:
        """The speaker written from token i on: a name, a role then a name, a pronoun, an anaphora ("politikus
        PDI-P ini") or a title alone ("Menhub"). Returns the speaker and where its words end."""
        n = len(state.words)
        if i >= n:
            return None, i
        if state.lowers[i] in PRONOUNS:
            return self.last_person(state, i), i + 1
        if i in state.role_at or state.lowers[i] in ROLE_HEADS:
            found = self.role_before(state, i)
            if found:
                start, end, role, organization = found
                state.salient.add(start)
                state.role_tokens.update(range(i, start))
                return self.register(state, start, end, role=role, organization=organization), end
            end = self._anaphora_end(state, i)
            if end is not None:
                return Pronoun(position=i), end
            titled = self._title_alone(state, i)
            if titled is not None:
                return titled
        end = state.span_end.get(i)
        if end is not None:
            person = state.people.get(state.spans[(i, end)])
            if person:
                role, organization, _ = self.read_role_after(state, end)
                if role and not person.role:
                    person.role, person.organization = role, organization
                person.last_seen = max(person.last_seen, i)
                state.salient.add(i)
                state.last_mention = i
                return person, end
        name = self.read_name(state, i)
        if name is None:
            return None, i
        surface = _span_text(state, *name)
        known = surface in state.short_names or surface in state.people
        # After a speech verb a village's name is a person's ("kata Hasanuddin"); a region's is not.
        if not known and (surface in self.unambiguous_place_names or name[1] - name[0] == 1 and state.words[name[0]].isupper()
                          and surface not in KNOWN_INITIALS):
            return None, i
        role, organization, _ = self.read_role_after(state, name[1])
        state.salient.add(name[0])
        return self.register(state, *name, role=role, organization=organization), name[1]

    def _anaphora_end(self, state: DocState, i: int) -> int | None:
        """End of a title pointing back at a person, "politikus PDI-P ini", "anggota Komisi I itu", from token i."""
        n = len(state.words)
        j = i
        while j < min(n, i + 10):
            if j in state.org_at or j in state.role_at:
                j = (state.org_at.get(j) or state.role_at[j])[0]
                continue
            word, lower = state.words[j], state.lowers[j]
            if lower in DEMONSTRATIVES:
                return j + 1 if j > i else None
            if not (word[:1].isupper() or lower in ROLE_LOWER_WORDS or lower in ROLE_HEADS or word in {"-", "(", ")"}):
                return None
            j += 1
        return None

    def _title_alone(self, state: DocState, i: int) -> tuple[TitleRef, int] | None:
        """A title standing for a person ("ujar Menhub saat ...", "kata Presiden"): the title and where it ends."""
        n = len(state.words)
        if i in state.role_at:
            end, organization = state.role_at[i]
        elif state.words[i][:1].isupper():
            end, organization = i + 1, None
            while end < n and end - i < 4 and state.words[end][:1].isupper() and (
                    state.lowers[end] in ROLE_HEADS or state.lowers[end] in ROLE_WORDS):
                end += 1
        else:
            return None
        if end < n and (self._is_name_token(state, end) or state.words[end] in HONORIFICS):
            return None
        return TitleRef(position=i, title=_span_text(state, i, end), organization=organization), end

    def _quotes(self, state: DocState) -> None:
        """Quoted statements and who said them ("…," kata X; X mengatakan, "…"; a quote going on over paragraphs; a
        quote standing alone right after another goes on with its speaker)."""
        last_speaker: Speaker | None = None
        last_mention: int | None = None
        for quotation in state.quotations:
            state.last_mention = None
            text = quotation.text.strip().rstrip(",").strip()
            words = len(text.split())
            if words < 2:
                continue  # a term in quotes ("hoaks"), not a statement
            speaker = self._speaker_after_quote(state, quotation.end)
            if words < 3 and speaker is None:
                continue  # a short phrase in quotes is a statement only when a speech verb follows it
            speaker = speaker or self._speaker_before_quote(state, quotation.start)
            mention = state.last_mention
            if speaker is None and last_speaker is not None and self._continues(state, quotation.start):
                speaker, mention = last_speaker, last_mention
            if speaker is None:
                continue
            last_speaker, last_mention = speaker, mention
            state.quotes.append((quotation.start, speaker, text, mention if isinstance(speaker, Person) else None))
            state.quote_ends[quotation.start] = quotation.end

    def _speaker_after_quote(self, state: DocState, char: int) -> Speaker | None:
        """ "…," kata X / ujarnya / X menegaskan / dia tegaskan."""
        n = len(state.words)
        i = bisect_left(state.token_starts, char)
        while i < n and state.words[i] in {",", "”", "\"", "'", "’"}:
            i += 1
        if i >= n or "\n" in state.words[i] or (i > 0 and "\n" in state.text[state.token_starts[i - 1]:state.token_starts[i]]):
            return None
        lower = state.lowers[i]
        if lower in AFTER_QUOTE_VERBS:
            if lower.endswith("nya"):
                return self.last_person(state, i)
            speaker, _ = self._speaker_at(state, i + 1)
            return speaker
        verb = self._speech_verb_after_name(state, i)
        if verb is None:
            return None
        speaker, _ = self._speaker_at(state, i)
        return speaker

    def _speech_verb_after_name(self, state: DocState, i: int) -> int | None:
        """Where a speech verb follows the name or pronoun at token i ("Nurul menegaskan", "dia tegaskan")."""
        n = len(state.words)
        if state.lowers[i] in PRONOUNS:
            j = i + 1
        else:
            j = i
            while j < n and j - i < MAX_NAME_TOKENS + 2 and (self._is_name_token(state, j) or self._is_initial(state, j)
                                                             or state.words[j] in HONORIFICS or j in state.claimed):
                j += 1
            if j == i:
                return None
        while j < n and state.lowers[j] in ADVERBS:
            j += 1
        if j < n and (state.lowers[j] in REPORTING_VERBS or state.lowers[j] in SPEECH_VERBS_AFTER_SPEAKER):
            return j
        return None

    def _speaker_before_quote(self, state: DocState, char: int) -> Speaker | None:
        """X mengatakan, "…"; X menjawab diplomatis, "…"; ia menegaskan, "…"."""
        i = bisect_left(state.token_starts, char) - 1
        if i < 1:
            return None
        if state.words[i] == ":" and state.lowers[i - 1] not in REPORTING_VERBS:
            return self._subject_of(state, i)  # "Rina Kusumawati: "…""
        while i >= 0 and state.words[i] in {",", ":", "bahwa"}:
            i -= 1
        for verb in range(i, max(-1, i - 3), -1):
            if state.lowers[verb] in REPORTING_VERBS:
                between = state.words[verb + 1:i + 1]
                if all(word.isalpha() and word.islower() for word in between):  # "menjawab diplomatis,"
                    return self._subject_of(state, verb)
                return None
        return None

    def _subject_of(self, state: DocState, verb: int) -> Speaker | None:
        """Who does the reporting verb at `verb`: the name (or pronoun) right before it, past adverbs and an
        apposition ("Budi Santoso, Direktur Utama PT X, mengatakan"; "Direktur PT X, Budi Santoso, mengatakan"), or
        a title pointing back at a person ("Politisi PDIP ini mengatakan")."""
        end = verb
        while end > 1 and state.lowers[end - 1] in ADVERBS and state.lowers[end - 1] not in DEMONSTRATIVES:
            end -= 1
        if end > 1 and state.lowers[end - 1] in DEMONSTRATIVES and self._anaphora_start(state, end - 1) is not None:
            return Pronoun(position=end - 1)
        while end > 1 and state.lowers[end - 1] in ADVERBS:
            end -= 1
        if end > 4 and state.words[end - 1] == "," and state.words[end - 2] == ")":
            age = end - 3 if state.lowers[end - 3] not in {"tahun", "thn"} else end - 4
            if state.words[age].isdigit() and state.words[age - 1] == "(":
                end = age - 1  # "Sutarman (52), mengaku ...": the age after the name
        if end > 0 and state.words[end - 1] == ",":
            known = self._person_ending_at(state, end - 1)
            if known:
                return known
            comma = end - 2
            while comma > 0 and state.words[comma] != "," and not state.sentence_start[comma] and verb - comma < 16:
                comma -= 1
            if comma > 0 and state.words[comma] == ",":
                end = comma
        while end > 1 and (state.words[end - 1] == ","
                           or DEGREE.match(state.words[end - 1]) and not state.words[end - 1].isalpha()):
            end -= 1
        if end > 0 and state.lowers[end - 1] in PRONOUNS:
            return self.last_person(state, end)
        known = self._person_ending_at(state, end)
        if known:
            return known
        start = end
        while start > 0 and end - start < MAX_NAME_TOKENS and (self._is_name_token(state, start - 1)
                                                               or self._is_initial(state, start - 1)):
            start -= 1
        while start < end and (state.lowers[start] in ROLE_WORDS or state.sentence_start[start] and
                               state.lowers[start] in self.stop_words and end - start > 1):
            start += 1
        if start == end or state.words[start].isupper() and end - start == 1:
            return None
        if end - start == 1 and state.words[start] in state.short_names:
            state.salient.add(start)
            return self.register(state, start, end)
        if (end - start == 1 and (state.sentence_start[start] or state.lowers[start] in ROLE_WORDS)
                and is_common(state.words[start])):
            return None  # "Pemerintah mengatakan": a common noun, not a name
        if self._looks_like_place(state, start, end) or self._not_a_person(state, start, end):
            return None
        role, organization, _ = self.read_role_after(state, end)
        state.salient.add(start)
        return self.register(state, start, end, role=role, organization=organization)

    def _anaphora_start(self, state: DocState, demonstrative: int) -> int | None:
        """Start of a title ending with ini/itu at `demonstrative` ("Politisi PDIP ini"), if one does."""
        for start in range(demonstrative - 1, max(-1, demonstrative - 9), -1):
            word, lower = state.words[start], state.lowers[start]
            if lower in ROLE_HEADS and not (start > 0 and state.lowers[start - 1] in ROLE_HEADS):
                return start
            if not (word[:1].isupper() or lower in ROLE_LOWER_WORDS or word in {"-", "(", ")"}) or word == ",":
                return None
        return None

    def _person_ending_at(self, state: DocState, end: int) -> Person | None:
        for (start, stop), name in state.spans.items():
            if stop == end and name in state.people:
                person = state.people[name]
                person.last_seen = max(person.last_seen, start)
                state.salient.add(start)
                state.last_mention = start
                return person
        return None

    def _continues(self, state: DocState, char: int) -> bool:
        # A quote standing alone as a paragraph right after another quote goes on with the same speaker.
        text = state.text
        while char > 0 and text[char - 1] == " ":
            char -= 1
        return char == 0 or text[char - 1] == "\n"

    def _speakers_without_quotes(self, state: DocState) -> None:
        """ "…, kata Bambang, …": a speech verb names its speaker even where the quotation marks are missing."""
        for i, lower in enumerate(state.lowers[:-1]):
            if lower in AFTER_QUOTE_VERBS and not lower.endswith("nya") and i > 0 and \
                    state.words[i - 1] in {",", "\"", "”"} and i + 1 not in state.claimed:
                self._speaker_at(state, i + 1)

    def _reported_speech(self, state: DocState) -> None:
        """Indirect statements: "Menurut X, …" and "X mengatakan (bahwa) …" without quotation marks."""
        n = len(state.words)
        for i, lower in enumerate(state.lowers):
            if i in state.quoted:
                continue
            if lower == "menurut":
                state.last_mention = None
                speaker, end = self._speaker_at(state, i + 1)
                role, _, role_end = self.read_role_after(state, end)
                end = role_end if role else end
                if speaker and end < n and state.words[end] == ",":
                    self._add_reported(state, speaker, end + 1, state.token_starts[i])
            elif lower in REPORTING_VERBS and i > 0 and i + 1 < n:
                following = i + 1
                while following < n and state.lowers[following] in {",", ":", "bahwa"}:
                    following += 1
                if following < n and state.words[following] not in {"\"", "“"}:
                    state.last_mention = None
                    speaker = self._subject_of(state, i)
                    if speaker:
                        self._add_reported(state, speaker, following, state.token_starts[i])

    def _add_reported(self, state: DocState, speaker: Speaker, start: int, at_char: int) -> None:
        n = len(state.words)
        end = start
        while end < n and state.words[end] not in SENTENCE_END and "\n" not in state.words[end]:
            end += 1
        text = _span_text(state, start, end).strip(" ,")
        if len(text.split()) >= 3 and all(at_char != position for position, _, _, _ in state.quotes):
            state.quotes.append((at_char, speaker, text, state.last_mention if isinstance(speaker, Person) else None))

    def _other_names(self, state: DocState) -> None:
        """Runs of capitalised words that are not common words, organisations, roles or places: PER spans."""
        end = 0
        listed_ends: set[int] = set()  # ends of names left to the places stage as members of a list of places
        # Only a capitalised word can open a name: testing every token was this stage's largest cost.
        for i in [k for k, word in enumerate(state.words) if word[:1].isupper()]:
            if i < end or not self._is_name_token(state, i):
                continue
            end = self._run_end(state, i)
            start = i
            # A capitalised common word opens a sentence ("Saat", "Namun"); mid-sentence it is usually a name.
            while start < end and state.sentence_start[start] and is_common(state.words[start]):
                start += 1
            start = self._skip_places(state, start, end)
            stop = self._before_trailing_place(state, start, end)
            if stop - start == 1 and start > 0 and state.words[start - 1] in NICKNAME_ADDRESS and start - 1 not in state.claimed:
                start -= 1  # "Gus Dur"
            if stop > start and self._listed_with_places(state, start, stop, listed_ends):
                listed_ends.add(stop)
                continue
            if stop > start and self._plausible_name(state, start, stop) and not self._after_locative(state, start, stop):
                name = self._resolve(state, _name_text(state, start, stop), start)
                self._add_span(state, start, stop, name)

    def _run_end(self, state: DocState, start: int) -> int:
        """End of a run of name words from `start`, through particles and hyphens ("Kevin de Bruyne", "Hye-kyo") and a
        nickname in quotes ("Aburizal "Ical" Bakrie")."""
        doc = state.doc
        end = start + 1
        while end < len(doc) and end - start < MAX_NAME_TOKENS:
            if self._is_name_token(state, end) or self._is_initial(state, end):
                end += 1
            elif end + 3 < len(doc) and state.words[end] in {"\"", "“"} and state.words[end + 2] in {"\"", "”"} \
                    and state.words[end + 1][:1].isupper() and self._is_name_token(state, end + 3):
                end += 4
            elif self._surname_like_title(state, end):
                end += 1
                break
            elif end + 1 < len(doc) and ((state.lowers[end] in PARTICLES or state.words[end] in CAPITAL_PARTICLES)
                                         and self._is_name_token(state, end + 1)
                                         or state.words[end] == "-"
                                         and state.token_starts[end] == state.token_starts[end - 1] + len(state.words[end - 1])
                                         and state.token_starts[end + 1] == state.token_starts[end] + 1
                                         and state.words[end + 1].isalpha()
                                         and end + 1 not in state.claimed and not self._joins_two_names(state, end)):
                end += 2
            else:
                break
        return end

    def _surname_like_title(self, state: DocState, i: int) -> bool:
        """A title word or a rank closing a run of names, with no capitalised word after it, is a surname ("Tatang
        Farhanul Hakim", "Oktarina Putri", "Lex Laksamana")."""
        word = state.words[i]
        if not (word[:1].isupper() and word[1:].islower()) or i in state.claimed or i in state.headline_tokens \
                or not (state.lowers[i] in ROLE_HEADS or state.lowers[i] in RANKS):
            return False
        following = state.words[i + 1] if i + 1 < len(state.words) else ""
        return not following[:1].isupper() and not following[:1].isalpha()

    def _joins_two_names(self, state: DocState, hyphen: int) -> bool:
        """A hyphen between two capitalised names pairs two people ("Prabowo-Hatta", "Ahmad Heryawan-Deddy Mizwar");
        inside one name the second part is lower case ("Hye-kyo") or the first is a particle ("Al-Ghazali")."""
        before, after = state.words[hyphen - 1], state.words[hyphen + 1]
        return after[:1].isupper() and before not in CAPITAL_PARTICLES and before.lower() not in PARTICLES

    def _skip_places(self, state: DocState, start: int, end: int) -> int:
        # "Surabaya Whisnu Sakti Buana" (after "Wakil Wali Kota"): the place belongs to the role.
        while start < end:
            place_end = self._place_end(state, start)
            if place_end is None or place_end >= end:
                return start
            start = place_end
        return start

    def _before_trailing_place(self, state: DocState, start: int, end: int) -> int:
        """Where a run of name words stops if it ends with an unambiguous Indonesian place: "Mapolda Jatim" -> "Mapolda"."""
        for cut in range(max(start + 1, end - 3), end):
            if _span_text(state, cut, end) in self.unambiguous_place_names:
                return cut
        return end

    def _plausible_name(self, state: DocState, start: int, end: int) -> bool:
        text = _span_text(state, start, end)
        if text in self.place_names or self._not_a_person(state, start, end):
            return False
        if (self._place_end(state, start) or 0) > end:
            return False  # "Kebayoran" of "Kebayoran Lama": a place whose last word is a common word
        if all(is_common(word) or lower in ROLE_WORDS or lower in PARTICLES or not word.isalpha()
               for word, lower in zip(state.words[start:end], state.lowers[start:end], strict=True)):
            return False  # "Lalu Lintas", "Ujian Nasional", "Kebijakan Publik": capitalised common words
        if end - start == 1 and text.lower().endswith("nya"):
            return False  # "Ekosistemnya": a possessive noun opening a sentence
        if (end - start > 1 and _initials(state.words[start])
                and not any(_acronym_like(state.words[k]) for k in range(start + 1, end))):
            return True  # initials before a name: "MS Hidayat", "TB Hasanuddin"
        if any(_acronym_like(state.words[k]) for k in range(start, end)):
            return text in state.short_names or text in state.people or text in KNOWN_INITIALS
        return not (end - start == 1 and len(text) < 3)

    def _after_locative(self, state: DocState, start: int, end: int) -> bool:
        """ "di Parc des Princes", "ke Anfield", "asal Meruya": a name no other evidence makes a person, right after a
        locative word, is a place (the places stage takes it); a person already named stays one ("ke Federer")."""
        if start == 0 or state.lowers[start - 1] not in LOCATIVE_CUES:
            return False
        text = _span_text(state, start, end)
        named = state.spans.values()
        return text not in state.people and text not in state.short_names and \
            not any(name.startswith(text + " ") or name.endswith(" " + text) for name in named)

    def _listed_with_places(self, state: DocState, start: int, end: int, listed_ends: set[int]) -> bool:
        """ "Liberia, Guinea dan Sierra Leone", "Pulau Onrust, Cipir, Kelor, dan Bidadari": a name no other
        evidence makes a person, listed with places, is a place (the places stage takes it); a person already named
        stays one ("Jakarta dan Ahok"). One word only: two are more often a person's full name ("dari Amerika Serikat dan
        Kurt Wuethrich")."""
        text = _span_text(state, start, end)
        if end - start > 1 or text in state.people or text in state.short_names:
            return False

        def ends_a_place(stop: int) -> bool:
            # Not a name ending a person's ("Basuki Tjahaja Purnama atau Ahok": "Purnama" is also a village).
            return stop in listed_ends or stop - 1 not in state.claimed and any(
                _span_text(state, k, stop) in self.place_names
                or state.words[k] in FACILITY_HEADS and all(word[:1].isupper() for word in state.words[k + 1:stop])
                for k in range(max(0, stop - 4), stop))

        def starts_a_place(first: int) -> bool:
            return self._place_end(state, first) is not None or state.words[first] in FACILITY_HEADS

        return listed_in_places(state.words, start, end, ends_a_place, starts_a_place)

    def _known_mentions(self, state: DocState) -> None:
        """Every other mention of a person already named ("Ruben" after "Ruben Hattari")."""
        for i, word in enumerate(state.words):
            if i in state.claimed or word not in state.short_names and word not in state.people:
                continue
            name = state.short_names.get(word) or word
            self._add_span(state, i, i + 1, name)


def find_quotations(text: str) -> list[Quotation]:
    """Quoted statements of `text` in order. Marks pair within a paragraph (curly marks by their shape, straight ones
    in turn; marks of the other kind inside a quote are a quote within it). A paragraph that opens a quote without
    closing it goes on in the next paragraph when that one opens with a mark again (the press's convention), up to
    the first closing mark; otherwise the quote ends with its paragraph."""
    quotations: list[Quotation] = []
    pending_start: int | None = None
    pending_parts: list[str] = []
    offset = 0
    for paragraph in text.split("\n"):
        marks = [(found.start(), found.group()) for found in QUOTE_MARKS.finditer(paragraph)]
        open_at: int | None = None
        open_mark = ""
        if pending_start is not None:
            lead = len(paragraph) - len(paragraph.lstrip())
            if marks and marks[0][0] == lead and marks[0][1] in {"“", "\""}:
                open_at, open_mark = marks[0]
                marks = marks[1:]
            else:
                quotations.append(Quotation(pending_start, offset - 1, " ".join(pending_parts)))
                pending_start, pending_parts = None, []
        for position, mark in marks:
            if open_at is None:
                if mark != "”":
                    open_at, open_mark = position, mark
                continue
            closes = mark == "”" and open_mark == "“" or mark == "\"" and open_mark == "\"" \
                or mark == "”" and open_mark == "\""
            if not closes:
                continue  # a quote within the quote
            part = paragraph[open_at + 1:position]
            start = pending_start if pending_start is not None else offset + open_at
            if len(part) <= MAX_QUOTE_CHARS:
                quotations.append(Quotation(start, offset + position + 1, " ".join([*pending_parts, part]).strip()))
            pending_start, pending_parts, open_at = None, [], None
        if open_at is not None:
            if pending_start is None:
                pending_start = offset + open_at
            pending_parts.append(paragraph[open_at + 1:].strip())
            if sum(len(part) for part in pending_parts) > MAX_QUOTE_CHARS:
                pending_start, pending_parts = None, []
        offset += len(paragraph) + 1
    if pending_start is not None:
        quotations.append(Quotation(pending_start, len(text), " ".join(pending_parts)))
    return quotations


# Old and new spellings of Indonesian names: "oe" = "u" (Soesilo), "dj" = "j" (Djan), "tj" = "c" (Tjahjo), "j" = "y".
_OLD_SPELLINGS = (("oe", "u"), ("dj", "j"), ("tj", "c"), ("j", "y"), ("ch", "kh"), ("y", "i"), ("h", ""))


def _spelling_key(name: str) -> tuple[str, ...]:
    text = name.lower()
    for old, new in _OLD_SPELLINGS:
        text = text.replace(old, new)
    return tuple(text.split())


def _spelling_entries(key: tuple[str, ...]) -> set[str]:
    """Index entries of a spelling key: its words, and the first and last two letters of its longer words."""
    entries = {"w" + word for word in key}
    entries.update(edge for word in key if len(word) >= 5 for edge in ("p" + word[:2], "s" + word[-2:]))
    return entries


def _same_spelling(first: tuple[str, ...], second: tuple[str, ...]) -> bool:
    """Whether two names are spellings of one: the same number of words, each the same or one edit apart (in a word
    of five letters or more), with at least one word exactly the same when there are two or more."""
    if len(first) != len(second) and 1 in (len(first), len(second)):
        single, other = (first, second) if len(first) == 1 else (second, first)
        return any(len(word) >= 5 and _one_edit(word, single[0]) for word in other)  # "Hajrianto" of "Hajriyanto Tohari"
    if len(first) != len(second) or first == second:
        return first == second and len(first) > 0
    same = sum(a == b for a, b in zip(first, second, strict=True))
    if len(first) > 1 and same == 0:
        return False
    return all(a == b or min(len(a), len(b)) >= 5 and _one_edit(a, b) for a, b in zip(first, second, strict=True))


def _one_edit(a: str, b: str) -> bool:
    """Whether a and b are one insertion, deletion, substitution or swap of neighbours apart."""
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diffs = [k for k in range(len(a)) if a[k] != b[k]]
        return len(diffs) == 1 or (len(diffs) == 2 and diffs[1] == diffs[0] + 1
                                   and a[diffs[0]] == b[diffs[1]] and a[diffs[1]] == b[diffs[0]])
    shorter, longer = (a, b) if len(a) < len(b) else (b, a)
    k = 0
    while k < len(shorter) and shorter[k] == longer[k]:
        k += 1
    return shorter[k:] == longer[k + 1:]


def _contains_words(name: str, part: str) -> bool:
    """Whether `part` is a run of whole words of `name` ("Hatta" of "Hatta Rajasa", "Agus Condro" of "Agus Condro
    Prayitno")."""
    return name != part and f" {part} " in f" {name} "


def _last_before(mentions: list[tuple[int, str]], position: int, excluded: frozenset[str] = frozenset()) -> str | None:
    index = bisect_left(mentions, (position, ""))
    while index and mentions[index - 1][1] in excluded:
        index -= 1
    return mentions[index - 1][1] if index else None


def _cut_organizations(doc: Doc, cuts: dict[int, int]) -> None:
    """Organisation spans that took a person's name, cut before it (the spans and the organisation list)."""
    spans = list(doc.spans[ORG_SPAN_KEY]) if ORG_SPAN_KEY in doc.spans else []
    records = {record["name"]: record for record in doc._.organizations or []}
    kept = []
    for span in spans:
        end = cuts.get(span.start)
        if end is None or end >= span.end:
            kept.append(span)
            continue
        old = records.get(span.kb_id_)
        if old is not None:
            old["mentions"] -= 1
        if end <= span.start:
            continue  # nothing but the head word was left
        shorter = Span(doc, span.start, end, label=span.label_, kb_id=doc[span.start:end].text)
        kept.append(shorter)
        records.setdefault(shorter.kb_id_, {"name": shorter.kb_id_, "acronym": None, "mentions": 0})["mentions"] += 1
    doc.spans[ORG_SPAN_KEY] = kept
    doc._.organizations = [record for record in records.values() if record["mentions"] > 0]


def _token_texts(doc: Doc) -> tuple[str, list[int], list[str]]:
    """The text, token offsets and token texts, read from arrays: creating Token objects is this stage's main cost."""
    text = doc_text(doc)
    if len(doc) == 0:
        return text, [], []
    columns = doc.to_array([IDX, LENGTH]).tolist()
    starts = [start for start, _ in columns]
    words = [text[start:start + length] for start, length in columns]
    return text, starts, words


def _name_text(state: DocState, start: int, end: int) -> str:
    """A name as written, without a nickname in quotes inside it ("Aburizal "Ical" Bakrie" -> "Aburizal Bakrie")."""
    words = state.words[start:end]
    if not any(word in {"\"", "“"} for word in words):
        return _span_text(state, start, end)
    kept, inside = [], False
    for word in words:
        if word in {"\"", "“", "”"}:
            inside = not inside
            continue
        if not inside:
            kept.append(word)
    return " ".join(kept)


def _span_text(state: DocState, start: int, end: int) -> str:
    """The text of tokens start..end, as Span.text would give it, without building a Span."""
    if end <= start:
        return ""
    return state.text[state.token_starts[start]:state.token_starts[end - 1] + len(state.words[end - 1])]


def _acronym_like(text: str) -> bool:
    """ "BPS", "MoU", "GHz": not a name word ("DiCaprio" and "McDonald" are)."""
    capitals = sum(c.isupper() for c in text)
    return len(text) > 1 and (text.isupper() or capitals >= 2 and (text[-1].isupper() or len(text) <= 4))


def _initials(text: str) -> bool:
    """Two capitals written for given names ("MS", "TB", "HM"), not an abbreviation for a place or a body."""
    return len(text) == 2 and text.isupper() and text.isalpha() and text not in NOT_INITIALS


def _wordlike(text: str) -> bool:
    return text.replace("-", "").replace("'", "").replace("’", "").isalpha()


def _title_case_lines(words: list[str], spaces: list[str]) -> set[int]:
    """Tokens of lines written in title case ("Menhub Lobi Sri Mulyani Soal Tarif"): headlines and links to other
    articles, where capitals say nothing about names."""
    headline: set[int] = set()
    if not words:
        return headline
    line_ends = [i for i, (word, space) in enumerate(zip(words, spaces, strict=True)) if "\n" in space or "\n" in word]
    if not line_ends or line_ends[-1] != len(words) - 1:
        line_ends.append(len(words) - 1)
    start = 0
    for end in line_ends:
        alphabetic = [word for word in words[start:end + 1] if word[:1].isalpha()]
        capitalised = sum(word[:1].isupper() for word in alphabetic)
        last = end
        while last > start and words[last].isspace():
            last -= 1  # the line break is a token of its own after the line's last word
        ends_a_sentence = words[last][-1:] in SENTENCE_END or words[last] in {"\"", "”", ")"}
        if len(alphabetic) >= 4 and capitalised >= 0.75 * len(alphabetic) and not ends_a_sentence:
            headline.update(range(start, end + 1))
        start = end + 1
    return headline


def _sentence_starts(words: list[str], spaces: list[str]) -> list[bool]:
    starts = [False] * len(words)
    new_sentence = True
    for i, word in enumerate(words):
        starts[i] = new_sentence
        if word.isspace() or word in {"\"", "“", "”", "(", "'"}:
            new_sentence = new_sentence or "\n" in word
            continue
        new_sentence = word in SENTENCE_END or "\n" in spaces[i]
    return starts


def _leader_titles(lexicon: Lexicon) -> dict[str, str]:
    """Job titles that name an organisation: "Menkominfo", "Menteri Komunikasi dan Informatika" -> Kominfo."""
    titles: dict[str, str] = {}
    for entry in lexicon.entries:
        for title in entry.leader_titles:
            titles.setdefault(title, entry.name)
        for form in entry.surface_forms():
            if form.startswith("Kementerian "):
                subject = form[len("Kementerian "):]
                titles.setdefault(f"Menteri {subject}", entry.name)
                titles.setdefault(f"Wakil Menteri {subject}", entry.name)
            elif form.startswith("Kemen") and len(form) > 6 and form[5].isalpha():
                titles.setdefault("Men" + form[5:], entry.name)
    return titles


def _place_names() -> tuple[frozenset[str], frozenset[str], frozenset[str], frozenset[str]]:
    """Written forms of places from the places stage's gazetteer, so that "Surabaya" is not read as a person; which
    of them are one-word kecamatan/village names only, which are smaller foreign cities (both need a cue to be
    places), and which are regions, countries or areas that need no cue at all."""
    try:
        gazetteer = load_gazetteer()
    except Exception:  # noqa: BLE001 - without a gazetteer people are still found, with more false positives
        return frozenset(), frozenset(), frozenset(), frozenset()
    forms = gazetteer.forms  # a property that makes every place: read it once
    villages = frozenset(form for form, entries in forms.items()
                         if " " not in form and all(place.key.startswith("district:") for place, _, _ in entries))
    cued_foreign = frozenset(form for form, entries in forms.items()
                             if all(place.level == "foreign" and place.needs_context for place, _, _ in entries))
    # Indonesian only: a foreign name ending a run is often a surname ("Badrodin Haiti") or a company's ("Nielsen Korea").
    unambiguous = frozenset(form for form, entries in forms.items()
                            if not any(place.needs_context or place.level == "foreign" for place, _, _ in entries))
    return frozenset(forms), villages, cued_foreign, unambiguous


@Language.factory("pantau_people", default_config={"lexicon_path": ""},
                  requires=["doc._.organizations"], assigns=["doc._.people", "doc._.quotes"])
def make_people_recognizer(nlp: Language, name: str, lexicon_path: str) -> PeopleRecognizer:
    """People and quotes; `lexicon_path` is the organisation lexicon whose leader titles name organisations.
    Built by `initialize` (`pipeline.nlp.assembly.build_nlp` calls it) or restored by `from_disk`."""
    return PeopleRecognizer(nlp, lexicon_path=lexicon_path or None)


def resource_files(settings: dict[str, Any]) -> list[Path]:
    """The files this stage is built from (for the key of a saved pipeline)."""
    return [Path(settings.get("lexicon_path") or LEXICON_PATH), GAZETTEER_PATH, *lemma_table_path()]
