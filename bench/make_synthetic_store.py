"""Generate a synthetic store of N articles with tags, for the query benchmark (bench/query.py).

    .venv/bin/python bench/make_synthetic_store.py --articles 1000000 --database-url sqlite:////tmp/bench/1m.db
    .venv/bin/python bench/make_synthetic_store.py --articles 1000000 --database-url postgresql+psycopg://u@host/bench

The shape follows what the pipeline writes, with distributions chosen to look like a few years of
Indonesian online news:
- outlets of the registry with a long-tailed share (the big portals publish most);
- publication times over about three years, roughly in crawl order (ids grow with time), a growing
  volume, a daytime peak in WIB and some back-filled older articles;
- title and body of Indonesian words drawn from a Zipf law over spaCy's Indonesian stop words (the
  most frequent words of any Indonesian text), news vocabulary and the inflected forms of
  spacy-lookups-data's Indonesian lemma table, so full-text posting lists have realistic lengths;
  campaign articles also use the campaigns' vocabulary;
- one campaign decision per configured campaign for every article (as the process stage stores them),
  about 5% of articles matched to some campaign;
- 3-8 statistics per article (percent, rupiah, counted nouns) with subject, sentence and sometimes a
  source; 1-4 places (real Kemendagri codes and coordinates from the project's gazetteer, the capital
  and big cities most often), one of them often the dateline; 1-4 organisations; 0-3 people, each quoted;
- stories of one to several consecutive articles, later ones often syndicated copies of the first.

Rows are built with numpy, a batch at a time, and written with executemany (SQLite) or COPY
(PostgreSQL), never as ORM objects. The schema comes from the migrations, so the indexes are the
product's: during the load only, the secondary indexes and the FTS insert trigger are dropped and are
then re-created from their own stored definitions (SQLite also runs without journal or fsync, and
PostgreSQL without foreign-key triggers, while loading).
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import spacy_lookups_data

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from models.regions import GAZETTEER_PATH  # noqa: E402
from pantau.core.campaigns import load_campaigns  # noqa: E402
from pantau.core.outlets import all_outlets  # noqa: E402
from pantau.store import open_store  # noqa: E402
from pantau.store.coverage import rebuild  # noqa: E402

# Local midnight (WIB, UTC+7) of the first day, as seconds since the epoch.
START_EPOCH_S = int(np.datetime64("2022-01-01T00:00:00", "s").astype(np.int64)) - 7 * 3600
SPAN_DAYS = 3 * 365
WIB_S = 7 * 3600
BACKFILL_RATE = 0.08
MATCHED_ANY_RATE = 0.05
SECOND_CAMPAIGN_RATE = 0.12
BODY_SENTENCES_MEDIAN = 11
SENTENCE_POOL = 400_000
STATISTIC_POOL = 60_000
SYNDICATED_COPY_RATE = 0.3
PIPELINE_VERSION = "synthetic"

UNITS = [("percent", 25), ("IDR", 15), ("orang", 12), ("peserta", 10), ("UKM", 8), ("responden", 6), ("kota", 5),
         ("desa", 4), ("sekolah", 4), ("pengguna", 6), ("unit", 5)]
SUBJECTS = {
    "percent": ["UKM berjualan di marketplace", "pengguna internet", "warganet percaya hoaks", "inflasi tahunan",
                "pertumbuhan ekonomi digital", "transaksi nontunai", "penetrasi internet", "siswa belajar daring"],
    "IDR": ["nilai transaksi e-commerce", "anggaran program", "dana bantuan", "investasi startup", "kerugian penipuan daring"],
}
COUNTED = ["pelaku usaha", "warga", "guru", "siswa", "pengguna baru", "peserta pelatihan", "desa digital", "relawan"]
VERBS = ["mencapai", "tercatat", "sebanyak", "sekitar", "lebih dari", "naik menjadi", "turun menjadi"]
SCALES = [(1e6, "juta"), (1e9, "miliar"), (1e12, "triliun")]
ORGANIZATIONS = [
    ("Kementerian Komunikasi dan Informatika", "Kominfo"), ("Kementerian Komunikasi dan Digital", "Komdigi"),
    ("Badan Pusat Statistik", "BPS"), ("Kementerian Pendidikan dan Kebudayaan", "Kemendikbud"),
    ("Kementerian Koperasi dan UKM", "KemenkopUKM"), ("Otoritas Jasa Keuangan", "OJK"), ("Bank Indonesia", "BI"),
    ("Asosiasi E-Commerce Indonesia", "IdEA"), ("Asosiasi Penyelenggara Jasa Internet Indonesia", "APJII"),
    ("Facebook", None), ("Google", None), ("WhatsApp", None), ("Siberkreasi", None), ("Tokopedia", None),
    ("Shopee", None), ("Bukalapak", None), ("Badan Siber dan Sandi Negara", "BSSN"), ("Universitas Indonesia", "UI"),
    ("Universitas Gadjah Mada", "UGM"), ("Institut Teknologi Bandung", "ITB"), ("Masyarakat Antifitnah Indonesia", "Mafindo"),
    ("Dinas Komunikasi dan Informatika", "Diskominfo"), ("Pemerintah Provinsi Jawa Barat", None),
    ("Kepolisian Negara Republik Indonesia", "Polri"), ("Dewan Perwakilan Rakyat", "DPR"), ("Komisi Pemilihan Umum", "KPU"),
    ("Kementerian Keuangan", "Kemenkeu"), ("Kementerian Kesehatan", "Kemenkes"), ("Gojek", None), ("Telkomsel", None),
]
PEOPLE = [("Ruben Hattari", "Kepala Kebijakan Publik Facebook Indonesia", "Facebook"),
          ("Semuel A Pangerapan", "Dirjen Aplikasi Informatika", "Kominfo"), ("Budi Arie Setiadi", "Menteri", "Kominfo"),
          ("Meutya Hafid", "Menteri", "Komdigi"), ("Teten Masduki", "Menteri", "KemenkopUKM"),
          ("Nadiem Makarim", "Menteri", "Kemendikbud"), ("Usman Kansong", "Dirjen IKP", "Kominfo"),
          ("Dedy Permadi", "Juru Bicara", "Kominfo"), ("Randy Jusuf", "Managing Director", "Google"),
          ("Sri Widowati", "Country Director", "Facebook"), ("Bima Laga", "Ketua Umum", "IdEA"),
          ("Margareth Aritonang", "Kepala BPS", "BPS"), ("Septiaji Eko Nugroho", "Ketua Presidium", "Mafindo"),
          ("Ismail Fahmi", "Pengamat media sosial", None), ("Heru Sutadi", "Pengamat telekomunikasi", None)]
# News vocabulary, most common first; placed among the stop words' ranks so that their document
# frequencies run from "in a third of articles" down to "in a few hundred".
NEWS_WORDS = (
    "pemerintah masyarakat indonesia program kota daerah tahun warga jakarta kegiatan presiden menteri data "
    "ekonomi digital layanan internet informasi kebijakan anggaran polisi harga pasar sekolah usaha kesehatan "
    "teknologi media sosial aplikasi pengguna online nasional pelatihan pendidikan bisnis kerja sama bank "
    "keuangan transaksi pembayaran pelaku umkm platform keamanan pemilu berita hoaks banjir vaksin pajak "
    "startup inovasi literasi warganet seminar peserta perempuan petani nelayan desa jaringan sinyal "
    "nontunai e-commerce marketplace siber privasi penipuan kreator konten influencer ketahanan talenta"
).split()
# Extra words of articles that a campaign matched (they talk about the campaign's subject).
CAMPAIGN_WORDS = (
    "literasi digital pelatihan umkm warganet siberkreasi cakap hoaks keamanan data pribadi internet "
    "pemasaran daring seminar kominfo kreatif etika budaya"
).split()
CAMPAIGN_SHARES = (0.35, 0.25, 0.2, 0.12, 0.08)
# Share of articles published in each local hour (WIB): a morning and an evening peak.
HOUR_WEIGHTS = np.array([1, 1, 1, 1, 2, 4, 6, 8, 9, 9, 9, 8, 8, 8, 8, 8, 7, 7, 7, 6, 5, 4, 3, 2], float)


# --------------------------------------------------------------------------- reference data


def load_regions() -> list[tuple[str, str, str, str, float, float]]:
    with gzip.open(GAZETTEER_PATH, "rt", encoding="utf-8") as handle:
        data = json.load(handle)
    return [(r["code"], r["name"], r["level"], r["province"], r["lat"], r["lon"]) for r in data["regions"]
            if r.get("lat") is not None]


def indonesian_vocabulary(rng: np.random.Generator) -> np.ndarray:
    """Indonesian words in rank order: stop words first, news words among them, then the rest."""
    from spacy.lang.id.stop_words import STOP_WORDS  # noqa: PLC0415 - heavy: spaCy (~4 s with torch); only a new store's text needs its stop words, and bench/query.py imports this module to time queries on a filled store too

    path = Path(spacy_lookups_data.__file__).parent / "data" / "id_lemma_lookup.json.gz"
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        inflected = sorted(word for word in json.load(handle) if word.isalpha())
    head = sorted(STOP_WORDS)
    rng.shuffle(head)
    words: list[str] = list(head)
    # News words at geometrically spaced ranks between 40 and about 4000.
    for index, word in enumerate(NEWS_WORDS):
        rank = int(40 * (100 ** (index / len(NEWS_WORDS))))
        words.insert(min(rank, len(words)), word)
    seen = set(words)
    tail = [word for word in inflected if word not in seen]
    rng.shuffle(tail)
    return np.array(words + tail, dtype=object)


def zipf_weights(count: int, exponent: float = 1.0, shift: float = 2.7) -> np.ndarray:
    weights = 1.0 / (np.arange(count) + shift) ** exponent
    return weights / weights.sum()


def inverse_cdf_table(p: np.ndarray, bits: int = 22) -> np.ndarray:
    """Index drawn by `table[random integer below 2**bits]` follows `p` (to 2**-bits): much faster
    than searching the cumulative sum for every draw."""
    points = (np.arange(1 << bits) + 0.5) / (1 << bits)
    return np.minimum(np.searchsorted(np.cumsum(p), points), len(p) - 1).astype(np.int32)


# --------------------------------------------------------------------------- time formats


def utc_text(seconds: np.ndarray, dialect: str) -> list[str]:
    """UTC instants as the store writes them: SQLAlchemy's SQLite text, or timestamptz input."""
    text = np.datetime_as_string(seconds.astype("datetime64[s]"), unit="s")
    if dialect == "sqlite":
        return [value.replace("T", " ") + ".000000" for value in text.tolist()]
    return [value.replace("T", " ") + "+00" for value in text.tolist()]


def wib_text(seconds: np.ndarray) -> list[str]:
    """The same instants as the page writes them (ISO 8601 with the WIB offset)."""
    text = np.datetime_as_string((seconds + WIB_S).astype("datetime64[s]"), unit="s")
    return [value + "+07:00" for value in text.tolist()]


# --------------------------------------------------------------------------- the generator


@dataclass
class Batch:
    rows: dict[str, list[tuple]]
    next_story_id: int


class Generator:
    """Deterministic rows for articles [first, last) of `total`, from a seed."""

    def __init__(self, campaigns: list[str], outlets: list[tuple[str, str, str]], total: int, seed: int, dialect: str):
        self.rng = np.random.default_rng(seed)
        self.total = total
        self.dialect = dialect
        self.campaigns = campaigns
        shares = np.array(CAMPAIGN_SHARES[: len(campaigns)] or [1.0], float)
        if len(campaigns) > len(CAMPAIGN_SHARES):
            shares = np.concatenate([shares, np.full(len(campaigns) - len(CAMPAIGN_SHARES), shares[-1])])
        self.campaign_p = shares[: len(campaigns)] / shares[: len(campaigns)].sum() if campaigns else shares
        self.outlets = outlets
        self.outlet_p = zipf_weights(len(outlets), 0.9, 1.0)
        self.regions = load_regions()
        # The capital's cities, provincial capitals and big cities are named most: order regions so
        # that provinces and cities come first, then regencies, each group shuffled.
        order = sorted(
            range(len(self.regions)), key=lambda i: ({"province": 0, "city": 1}.get(self.regions[i][2], 2), self.rng.random())
        )
        self.regions = [self.regions[i] for i in order]
        self.region_p = zipf_weights(len(self.regions), 1.0, 3.0)
        self.region_surface = [json.dumps([region[1]]) for region in self.regions]
        self.vocabulary = indonesian_vocabulary(self.rng)
        word_p = zipf_weights(len(self.vocabulary), 1.05, 2.7)
        self.word_table = inverse_cdf_table(word_p)
        # Titles skip the function words at the head of the ranking.
        self.title_table = inverse_cdf_table(word_p[60:] / word_p[60:].sum())
        self.campaign_words = np.array(CAMPAIGN_WORDS, dtype=object)
        self.campaign_table = inverse_cdf_table(np.full(len(CAMPAIGN_WORDS), 1 / len(CAMPAIGN_WORDS)), 12)
        # Bodies are sentences of Zipf-drawn words; drawing every word of a million articles one by one
        # costs more than the database load, so articles pick their sentences from a large pool.
        self.sentences = [sentence.capitalize() + "." for sentence in
                          self.phrases(self.word_table, self.vocabulary, self.rng.integers(6, 22, SENTENCE_POOL))]
        self.units = [unit for unit, _ in UNITS]
        self.unit_p = np.array([weight for _, weight in UNITS], float) / sum(weight for _, weight in UNITS)
        self.org_p = zipf_weights(len(ORGANIZATIONS), 1.0, 1.5)
        self.person_p = zipf_weights(len(PEOPLE), 0.8, 1.5)
        self.hour_p = HOUR_WEIGHTS / HOUR_WEIGHTS.sum()
        self.statistic_pool = self.statistics(STATISTIC_POOL)
        self.now = utc_text(np.array([int(time.time())]), dialect)[0]

    # ---- pieces

    def draw(self, table: np.ndarray, count: int) -> np.ndarray:
        return table[self.rng.integers(0, len(table), count)]

    def phrases(self, table: np.ndarray, vocabulary: np.ndarray, lengths: np.ndarray) -> list[str]:
        """One string per length, of words drawn from the ranked vocabulary."""
        tokens = vocabulary[self.draw(table, int(lengths.sum()))].tolist()
        bounds = np.concatenate([[0], np.cumsum(lengths)]).tolist()
        return [" ".join(tokens[bounds[i]:bounds[i + 1]]) for i in range(len(lengths))]

    def joined(self, pool: list[str], counts: np.ndarray, separator: str) -> list[str]:
        """One string per count, of that many pool entries chosen at random."""
        picks = self.rng.integers(0, len(pool), int(counts.sum())).tolist()
        bounds = np.concatenate([[0], np.cumsum(counts)]).tolist()
        return [separator.join([pool[k] for k in picks[bounds[i]:bounds[i + 1]]]) for i in range(len(counts))]

    def published_seconds(self, ids: np.ndarray) -> np.ndarray:
        """Roughly in crawl order (id), with growth over time, daytime hours and some back-fill."""
        n = len(ids)
        position = (ids - 1 + self.rng.random(n)) / self.total
        day = np.floor(SPAN_DAYS * position ** 0.8).astype(np.int64)
        backfill = self.rng.random(n) < BACKFILL_RATE
        day[backfill] = np.floor(self.rng.random(int(backfill.sum())) * (day[backfill] + 1)).astype(np.int64)
        hour = self.rng.choice(24, size=n, p=self.hour_p)
        return START_EPOCH_S + day * 86400 + hour * 3600 + self.rng.integers(0, 3600, n)

    def stories(self, n: int, first_story: int) -> np.ndarray:
        """Story number of each article: runs of consecutive articles, many of them alone."""
        sizes = self.rng.geometric(0.45, size=n)
        starts = np.zeros(n, bool)
        starts[np.cumsum(sizes)[np.cumsum(sizes) < n]] = True
        starts[0] = True
        return first_story + np.cumsum(starts) - 1

    def campaign_matrix(self, n: int) -> np.ndarray:
        matched = np.zeros((n, len(self.campaigns)), bool)
        if not self.campaigns:
            return matched
        hit = np.flatnonzero(self.rng.random(n) < MATCHED_ANY_RATE)
        matched[hit, self.rng.choice(len(self.campaigns), size=len(hit), p=self.campaign_p)] = True
        second = hit[self.rng.random(len(hit)) < SECOND_CAMPAIGN_RATE]
        matched[second, self.rng.choice(len(self.campaigns), size=len(second), p=self.campaign_p)] = True
        return matched

    def per_article(self, article_ids: np.ndarray, low: int, high: int, weights: Iterable[float] | None = None) -> np.ndarray:
        """Owner article of each child row: low..high children per article."""
        counts = np.arange(low, high + 1)
        p = None if weights is None else np.array(list(weights), float) / sum(weights)
        return np.repeat(article_ids, self.rng.choice(counts, size=len(article_ids), p=p))

    def unique_pairs(self, owners: np.ndarray, items: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Drop repeated (article, item) pairs: an article names a place or organisation once."""
        _, keep = np.unique(owners.astype(np.int64) * 100_000 + items, return_index=True)
        keep.sort()
        return owners[keep], items[keep]

    # ---- one batch

    def batch(self, first: int, last: int, first_story: int) -> Batch:
        rng = self.rng
        ids = np.arange(first, last, dtype=np.int64)
        n = len(ids)
        rows: dict[str, list[tuple]] = {}

        outlet_index = rng.choice(len(self.outlets), size=n, p=self.outlet_p)
        seconds = self.published_seconds(ids)
        story = self.stories(n, first_story)
        is_story_start = np.concatenate([[True], story[1:] != story[:-1]])
        story_first_index = np.maximum.accumulate(np.where(is_story_start, np.arange(n), 0))
        copy_of = np.where(~is_story_start & (rng.random(n) < SYNDICATED_COPY_RATE), ids[story_first_index], 0)
        matched = self.campaign_matrix(n)
        matched_any = matched.any(axis=1)

        titles = self.phrases(self.title_table, self.vocabulary[60:], rng.integers(7, 15, n))
        sentence_counts = np.clip(rng.lognormal(np.log(BODY_SENTENCES_MEDIAN), 0.45, n), 4, 45).astype(np.int64)
        bodies = self.joined(self.sentences, sentence_counts, " ")
        lengths = np.array([body.count(" ") + 1 for body in bodies])
        topical = np.flatnonzero(matched_any)
        if len(topical):
            extra = self.phrases(self.campaign_table, self.campaign_words, rng.integers(8, 25, len(topical)))
            for index, words in zip(topical.tolist(), extra, strict=True):
                bodies[index] = bodies[index] + "\n" + words.capitalize() + "."
                titles[index] = titles[index] + " " + words.split(" ", 1)[0] + " digital"
        published = utc_text(seconds, self.dialect)
        local = wib_text(seconds)
        article_rows = []
        for i, article_id in enumerate(ids.tolist()):
            outlet_id, outlet_name, domain = self.outlets[outlet_index[i]]
            url = f"https://{domain}/read/{local[i][:10].replace('-', '/')}/{article_id}/artikel-{article_id}"
            article_rows.append((
                article_id, url, url, outlet_id, outlet_name, titles[i].capitalize(), bodies[i], published[i], local[i],
                "[]", "[]", int(lengths[i]), True, False, PIPELINE_VERSION, self.now, int(story[i]),
                int(copy_of[i]) or None, "id", "{}",
            ))
        rows["articles"] = article_rows

        # Stories: title of the first article, first/last publication, counts.
        starts = np.flatnonzero(is_story_start)
        ends = np.append(starts[1:], n)
        firsts = np.minimum.reduceat(seconds, starts)
        lasts = np.maximum.reduceat(seconds, starts)
        first_text, last_text = utc_text(firsts, self.dialect), utc_text(lasts, self.dialect)
        outlet_list = outlet_index.tolist()
        rows["stories"] = [
            (int(story[s]), titles[s].capitalize(), first_text[k], last_text[k], int(e - s), len(set(outlet_list[s:e])))
            for k, (s, e) in enumerate(zip(starts.tolist(), ends.tolist(), strict=True))
        ]

        rows["campaign_matches"] = self.campaign_rows(ids, matched)
        rows["statistics"] = self.statistic_rows(ids)
        rows["article_places"] = self.place_rows(ids)
        rows["article_organizations"] = self.organization_rows(ids)
        rows["article_people"], rows["quotes"] = self.people_rows(ids)
        return Batch(rows, int(story[-1]) + 1)

    def campaign_rows(self, ids: np.ndarray, matched: np.ndarray) -> list[tuple]:
        count = len(self.campaigns)
        owners = np.repeat(ids, count).tolist()
        flags = matched.reshape(-1)
        scores = np.where(flags, self.rng.uniform(0.62, 0.98, flags.size), self.rng.beta(2, 6, flags.size) * 0.6).round(3)
        campaign_ids = self.campaigns * len(ids)
        return list(zip(owners, campaign_ids, scores.tolist(), flags.tolist(), ["[]"] * flags.size, strict=True))

    def statistic_rows(self, ids: np.ndarray) -> list[tuple]:
        owners = self.per_article(ids, 3, 8, [18, 22, 20, 16, 13, 11])
        m = len(owners)
        starts = np.concatenate([[True], owners[1:] != owners[:-1]])
        positions = np.arange(m) - np.maximum.accumulate(np.where(starts, np.arange(m), 0))
        picks = self.rng.integers(0, len(self.statistic_pool), m).tolist()
        pool = self.statistic_pool
        return [
            (owner, position, *pool[k]) for owner, position, k in zip(owners.tolist(), positions.tolist(), picks, strict=True)
        ]

    def statistics(self, count: int) -> list[tuple]:
        """Distinct figures (value, value_max, qualifier, unit, raw, subject, sentence, source) that
        articles quote; a pool, because formatting millions of them one by one is slow."""
        rng = self.rng
        units = rng.choice(len(self.units), size=count, p=self.unit_p)
        small = rng.integers(1, 100, count)
        large = rng.integers(100, 50_000, count)
        decimal = rng.integers(5, 990, count) / 10
        shape = rng.integers(0, 3, count)
        mantissa = rng.integers(1, 900, count) / np.where(rng.random(count) < 0.5, 1, 10)
        scale = rng.integers(0, 3, count)
        sourced = rng.random(count) < 0.3
        source_index = rng.choice(len(ORGANIZATIONS), size=count, p=self.org_p)
        subject_pick = rng.integers(0, 1 << 30, count)
        verb_pick = rng.integers(0, len(VERBS), count)
        result = []
        for i, unit_index in enumerate(units.tolist()):
            unit = self.units[unit_index]
            if unit == "IDR":
                factor, word = SCALES[scale[i]]
                value = float(mantissa[i]) * factor
                raw = f"Rp {_indonesian_number(float(mantissa[i]))} {word}"
                subjects = SUBJECTS["IDR"]
            elif unit == "percent":
                value = float(decimal[i]) if shape[i] else float(small[i])
                raw = f"{_indonesian_number(value)} persen"
                subjects = SUBJECTS["percent"]
            else:
                value = float((small, large, large)[shape[i]][i])
                raw = f"{_indonesian_number(value)} {unit}"
                subjects = COUNTED
            subject = subjects[subject_pick[i] % len(subjects)]
            source = None
            sentence = f"{subject.capitalize()} {VERBS[verb_pick[i]]} {raw}."
            if sourced[i]:
                name, acronym = ORGANIZATIONS[source_index[i]]
                source = acronym or name
                sentence = f"Menurut data {name}, {subject} {VERBS[verb_pick[i]]} {raw}."
            result.append((value, None, None, unit, raw, subject, sentence, source))
        return result

    def place_rows(self, ids: np.ndarray) -> list[tuple]:
        owners = self.per_article(ids, 1, 4, [35, 35, 20, 10])
        owners, regions = self.unique_pairs(owners, self.rng.choice(len(self.regions), size=len(owners), p=self.region_p))
        starts = np.concatenate([[True], owners[1:] != owners[:-1]])
        dateline = starts & (self.rng.random(len(owners)) < 0.6)
        mentions = self.rng.geometric(0.55, len(owners))
        result = []
        for owner, region, is_dateline, count in zip(
            owners.tolist(), regions.tolist(), dateline.tolist(), mentions.tolist(), strict=True
        ):
            code, name, level, province, lat, lon = self.regions[region]
            result.append((owner, name, level, code, province, lat, lon, count, self.region_surface[region], is_dateline))
        return result

    def organization_rows(self, ids: np.ndarray) -> list[tuple]:
        owners = self.per_article(ids, 1, 4, [30, 35, 22, 13])
        owners, orgs = self.unique_pairs(owners, self.rng.choice(len(ORGANIZATIONS), size=len(owners), p=self.org_p))
        mentions = self.rng.geometric(0.5, len(owners))
        return [
            (owner, *ORGANIZATIONS[org], count)
            for owner, org, count in zip(owners.tolist(), orgs.tolist(), mentions.tolist(), strict=True)
        ]

    def people_rows(self, ids: np.ndarray) -> tuple[list[tuple], list[tuple]]:
        owners = self.per_article(ids, 0, 3, [35, 35, 20, 10])
        owners, people = self.unique_pairs(owners, self.rng.choice(len(PEOPLE), size=len(owners), p=self.person_p))
        starts = np.concatenate([[True], owners[1:] != owners[:-1]]) if len(owners) else np.zeros(0, bool)
        positions = (
            np.arange(len(owners)) - np.maximum.accumulate(np.where(starts, np.arange(len(owners)), 0)) if len(owners) else starts
        )
        said = self.joined(self.sentences, self.rng.integers(1, 3, len(owners)), " ")
        person_rows, quote_rows = [], []
        for owner, person, position, text in zip(owners.tolist(), people.tolist(), positions.tolist(), said, strict=True):
            name, role, organization = PEOPLE[person]
            person_rows.append((owner, name, role, organization))
            quote_rows.append((owner, position, name, text))
        return person_rows, quote_rows


def _indonesian_number(value: float) -> str:
    """1800 -> "1.800", 2.5 -> "2,5" (Indonesian separators)."""
    whole = int(value)
    text = f"{whole:,}".replace(",", ".")
    fraction = round(value - whole, 1)
    return text + (f",{int(round(fraction * 10))}" if fraction else "")


# --------------------------------------------------------------------------- writing


COLUMNS = {
    "stories": ("id", "title", "first_published_at", "last_published_at", "article_count", "outlet_count"),
    "articles": ("id", "url_key", "url", "outlet_id", "outlet_name", "title", "text", "published_at", "published_at_local",
                 "authors", "tags", "word_count", "is_article", "is_paywalled", "pipeline_version", "processed_at",
                 "story_id", "duplicate_of_id", "language", "extra"),
    "statistics": ("article_id", "position", "value", "value_max", "qualifier", "unit", "raw", "subject", "sentence", "source"),
    "article_places": ("article_id", "name", "level", "code", "province", "lat", "lon", "mentions", "surface", "is_dateline"),
    "article_organizations": ("article_id", "name", "acronym", "mentions"),
    "article_people": ("article_id", "name", "role", "organization"),
    "quotes": ("article_id", "position", "speaker", "text"),
    "campaign_matches": ("article_id", "campaign_id", "score", "matched", "reasons"),
}


def write_rows(connection: Any, dialect: str, table: str, rows: list[tuple]) -> None:
    columns = COLUMNS[table]
    cursor = connection.cursor()
    if dialect == "sqlite":
        cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})", rows)
    else:
        with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    cursor.close()


class SqliteLoad:
    """SQLite during the load: no journal, no fsync, no secondary indexes, no FTS trigger."""

    def __init__(self, connection: Any):
        self.connection = connection
        self.saved: list[str] = []

    def __enter__(self) -> SqliteLoad:
        c = self.connection
        c.execute("PRAGMA journal_mode=DELETE")
        c.execute("PRAGMA journal_mode=OFF")
        c.execute("PRAGMA synchronous=OFF")
        c.execute("PRAGMA foreign_keys=OFF")
        c.execute("PRAGMA cache_size=-1000000")
        tables = tuple(COLUMNS)
        marks = ", ".join("?" * len(tables))
        saved = c.execute(
            f"SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL AND tbl_name IN ({marks}) AND "
            "(type = 'index' OR (type = 'trigger' AND name = 'articles_fts_insert'))", tables,
        ).fetchall()
        for kind, name, sql in saved:
            c.execute(f'DROP {kind.upper()} "{name}"')
            self.saved.append(sql)
        c.commit()
        return self

    def finish(self, progress: Callable[[str], None]) -> None:
        c = self.connection
        progress("full-text index")
        # One build without incremental merges, then one merge into a single segment: about twice
        # as fast as merging while building; later inserts merge incrementally again (default 4).
        c.execute("INSERT INTO articles_fts(articles_fts, rank) VALUES ('automerge', 0)")
        c.execute("INSERT INTO articles_fts(articles_fts) VALUES ('rebuild')")
        c.commit()
        progress("full-text index: merge")
        c.execute("INSERT INTO articles_fts(articles_fts) VALUES ('optimize')")
        c.execute("INSERT INTO articles_fts(articles_fts, rank) VALUES ('automerge', 4)")
        c.commit()
        for sql in self.saved:
            progress(sql.split(" ON ")[0].replace("CREATE ", "").lower())
            c.execute(sql)
            c.commit()
        progress("ANALYZE")
        c.execute("ANALYZE")
        c.commit()

    def __exit__(self, *exc: Any) -> None:
        self.connection.execute("PRAGMA synchronous=NORMAL")
        self.connection.execute("PRAGMA foreign_keys=ON")
        self.connection.execute("PRAGMA journal_mode=WAL")


class PostgresLoad:
    """PostgreSQL during the load: no foreign-key triggers, secondary indexes built afterwards."""

    def __init__(self, connection: Any):
        self.connection = connection
        self.saved: list[str] = []

    def __enter__(self) -> PostgresLoad:
        c = self.connection
        c.execute("SET session_replication_role = replica")
        c.execute("SET maintenance_work_mem = '1GB'")
        rows = c.execute(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.schemaname = current_schema() AND i.tablename = ANY(%s) "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conname = i.indexname)", (list(COLUMNS),),
        ).fetchall()
        for name, definition in rows:
            c.execute(f'DROP INDEX "{name}"')
            self.saved.append(definition)
        c.commit()
        return self

    def finish(self, progress: Callable[[str], None]) -> None:
        c = self.connection
        for definition in self.saved:
            progress(definition.split(" ON ")[0].replace("CREATE ", "").lower())
            c.execute(definition)
            c.commit()
        for table in ("stories", "articles", "statistics", "article_places", "article_organizations", "article_people",
                      "quotes", "campaign_matches"):
            c.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        c.commit()
        progress("VACUUM ANALYZE")
        c.autocommit = True
        c.execute("VACUUM ANALYZE")

    def __exit__(self, *exc: Any) -> None:
        if not self.connection.autocommit:
            self.connection.rollback()
        self.connection.execute("SET session_replication_role = DEFAULT")


def generate(database_url: str, articles: int, batch: int = 25_000, seed: int = 7) -> dict[str, Any]:
    store = open_store(database_url)
    dialect = store.dialect
    campaigns = [campaign.id for campaign in load_campaigns()]
    outlets = [
        (outlet.id, outlet.name, outlet.domains[0] if outlet.domains else f"{outlet.id}.example") for outlet in all_outlets()
    ]
    started = time.perf_counter()
    generator = Generator(campaigns, outlets, articles, seed, dialect)
    raw = store.engine.raw_connection()

    def progress(what: str) -> None:
        print(f"\r{what:<60} {time.perf_counter() - started:6.0f} s", end="", file=sys.stderr, flush=True)

    counts: dict[str, int] = {}
    try:
        connection = raw.driver_connection
        existing = connection.execute("SELECT count(*) FROM articles").fetchone()[0]
        if existing:
            raise SystemExit(f"{store.display_url} already holds {existing:,} articles: give an empty database")
        loader = SqliteLoad(connection) if dialect == "sqlite" else PostgresLoad(connection)
        with loader:
            story_id = 1
            for first in range(1, articles + 1, batch):
                made = generator.batch(first, min(first + batch, articles + 1), story_id)
                story_id = made.next_story_id
                for table in COLUMNS:
                    write_rows(connection, dialect, table, made.rows[table])
                    counts[table] = counts.get(table, 0) + len(made.rows[table])
                connection.commit()
                progress(f"{min(first + batch - 1, articles):,}/{articles:,} articles")
            loader.finish(progress)
        # Rows written here bypass the store's sessions, which keep the weekly coverage summary:
        # it is counted once from the loaded articles, as migration 0003 does for an existing store.
        progress("coverage summary")
        connection.commit()
        with store.session() as session:
            rebuild(session)
        print(file=sys.stderr)
    finally:
        raw.close()
        store.dispose()
    return {"articles": articles, "rows": counts, "seconds": round(time.perf_counter() - started, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1_000_000)
    parser.add_argument("--database-url", required=True, help="an empty database: "
                                                              "sqlite:////tmp/bench/1m.db or postgresql+psycopg://...")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    print(json.dumps(generate(args.database_url, args.articles, seed=args.seed), indent=2))


if __name__ == "__main__":
    main()
