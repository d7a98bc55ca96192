"""Generate a synthetic store of N articles with tags, for the query benchmark (bench/query.py).

    .venv/bin/python bench/make_synthetic_store.py --articles 1000000 --database-url sqlite:///data/bench.db

The shape follows what the pipeline writes: every article has 0-5 statistics, 1-3 places (real
Kemendagri codes and coordinates from the project's gazetteer), 1-3 organisations, 0-2 people and
quotes, one campaign decision per configured campaign (about 3% matched each), and belongs to a story
(about three articles per story). Rows are written with executemany (SQLite) or COPY (PostgreSQL),
never as ORM objects. The schema comes from the migrations, so the indexes are the product's.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Iterator

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

START = datetime(2019, 1, 1, tzinfo=timezone.utc)
SPAN_DAYS = 6 * 365
MATCH_RATE = 0.03
ARTICLES_PER_STORY = 3
UNITS = [("percent", 25), ("IDR", 15), ("orang", 12), ("peserta", 10), ("UKM", 8), ("responden", 6), ("kota", 5),
         ("desa", 4), ("sekolah", 4), ("pengguna", 6), ("unit", 5)]
ORGANIZATIONS = [
    ("Kementerian Komunikasi dan Informatika", "Kominfo"), ("Kementerian Komunikasi dan Digital", "Komdigi"),
    ("Kementerian Pendidikan dan Kebudayaan", "Kemendikbud"), ("Kementerian Koperasi dan UKM", "KemenkopUKM"),
    ("Badan Pusat Statistik", "BPS"), ("Asosiasi E-Commerce Indonesia", "IdEA"),
    ("Asosiasi Penyelenggara Jasa Internet Indonesia", "APJII"), ("Otoritas Jasa Keuangan", "OJK"),
    ("Bank Indonesia", "BI"), ("Facebook", None), ("Google", None), ("WhatsApp", None), ("Siberkreasi", None),
    ("Badan Siber dan Sandi Negara", "BSSN"), ("Universitas Indonesia", "UI"), ("Universitas Gadjah Mada", "UGM"),
    ("Pemerintah Provinsi Jawa Barat", None), ("Dinas Komunikasi dan Informatika", "Diskominfo"),
    ("Masyarakat Antifitnah Indonesia", "Mafindo"), ("Tokopedia", None), ("Shopee", None), ("Bukalapak", None),
]
PEOPLE = ["Ruben Hattari", "Sri Widowati", "Johnny G Plate", "Semuel A Pangerapan", "Budi Arie Setiadi", "Rudiantara",
          "Teten Masduki", "Nadiem Makarim", "Meutya Hafid", "Usman Kansong", "Dedy Permadi", "Randy Jusuf"]
WORDS = ("literasi digital pelatihan warganet hoaks internet usaha kecil menengah pemasaran daring seminar kota "
         "peserta pemerintah kementerian program masyarakat keamanan data pribadi sekolah guru siswa desa "
         "jaringan sinyal aplikasi platform media sosial ekonomi transaksi pembayaran nontunai keuangan bank "
         "startup teknologi inovasi pemilu berita banjir jalan pasar harga beras pajak kesehatan vaksin").split()


def load_regions() -> list[tuple[str, str, str, str, float, float]]:
    from pipeline.nlp.places import GAZETTEER_PATH

    with gzip.open(GAZETTEER_PATH, "rt", encoding="utf-8") as handle:
        data = json.load(handle)
    return [(r["code"], r["name"], r["level"], r["province"], r["lat"], r["lon"]) for r in data["regions"]
            if r.get("lat") is not None]


def sqlite_time(value: datetime) -> str:
    return value.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")


class Generator:
    """Deterministic rows for articles [first, last) from a seed."""

    def __init__(self, campaigns: list[str], outlets: list[tuple[str, str]], seed: int, dialect: str):
        self.random = random.Random(seed)
        self.campaigns = campaigns
        self.outlets = outlets
        self.outlet_weights = [1.0 / (rank + 1) ** 0.6 for rank in range(len(outlets))]
        self.regions = load_regions()
        self.units = [unit for unit, _ in UNITS]
        self.unit_weights = [weight for _, weight in UNITS]
        self.when = sqlite_time if dialect == "sqlite" else (lambda value: value)
        self.ids = {"statistics": 0, "places": 0, "organizations": 0, "people": 0, "quotes": 0, "matches": 0}

    def words(self, count: int) -> str:
        return " ".join(self.random.choice(WORDS) for _ in range(count))

    def article_rows(self, first: int, last: int) -> dict[str, list[tuple]]:
        r = self.random
        rows: dict[str, list[tuple]] = {name: [] for name in
                                        ("articles", "statistics", "article_places", "article_organizations",
                                         "article_people", "quotes", "campaign_matches")}
        now = self.when(datetime.now(timezone.utc))
        for article_id in range(first, last):
            outlet_id, outlet_name = r.choices(self.outlets, self.outlet_weights)[0]
            published = START + timedelta(seconds=r.randrange(SPAN_DAYS * 86400))
            title = self.words(8).capitalize()
            text = self.words(r.randint(25, 45))
            url = f"https://{outlet_id}.example/read/{article_id}"
            story_id = (article_id - 1) // ARTICLES_PER_STORY + 1
            rows["articles"].append((
                article_id, url, url, outlet_id, outlet_name, title, text, self.when(published),
                published.astimezone(timezone(timedelta(hours=7))).isoformat(), "[]", "[]", len(text.split()),
                True, False, "synthetic", now, story_id, "{}",
            ))
            for position in range(r.choices(range(6), [15, 25, 25, 15, 12, 8])[0]):
                unit = r.choices(self.units, self.unit_weights)[0]
                value = r.choice([r.randint(1, 100), r.randint(100, 50_000), round(r.uniform(0.5, 99), 1)])
                if unit == "IDR":
                    value = r.randint(1, 900) * 10 ** r.choice([6, 9, 12])
                source = r.choice(ORGANIZATIONS)[1] if r.random() < 0.3 else None
                rows["statistics"].append((article_id, position, float(value), None, None, unit, f"{value} {unit}",
                                           self.words(3), self.words(15), source))
            for region in r.sample(self.regions, r.randint(1, 3)):
                code, name, level, province, lat, lon = region
                rows["article_places"].append((article_id, name, level, code, province, lat, lon, r.randint(1, 4),
                                               json.dumps([name]), False))
            for name, acronym in r.sample(ORGANIZATIONS, r.randint(1, 3)):
                rows["article_organizations"].append((article_id, name, acronym, r.randint(1, 3)))
            for position, person in enumerate(r.sample(PEOPLE, r.choices(range(3), [40, 40, 20])[0])):
                rows["article_people"].append((article_id, person, "Juru bicara", None))
                rows["quotes"].append((article_id, position, person, self.words(12)))
            for campaign_id in self.campaigns:
                matched = r.random() < MATCH_RATE
                rows["campaign_matches"].append((article_id, campaign_id, round(r.uniform(0.6, 1) if matched else r.uniform(0, 0.4), 3),
                                                 matched, "[]"))
        return rows


COLUMNS = {
    "articles": ("id", "url_key", "url", "outlet_id", "outlet_name", "title", "text", "published_at", "published_at_local",
                 "authors", "tags", "word_count", "is_article", "is_paywalled", "pipeline_version", "processed_at",
                 "story_id", "extra"),
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


def story_rows(count: int, dialect: str) -> Iterator[tuple]:
    when = sqlite_time if dialect == "sqlite" else (lambda value: value)
    for story_id in range(1, count + 1):
        yield (story_id, f"Cerita {story_id}", when(START), when(START), ARTICLES_PER_STORY, 1)


def generate(database_url: str, articles: int, batch: int = 20_000, seed: int = 7) -> dict[str, Any]:
    from crawlers.outlets import all_outlets
    from pipeline.campaigns import load_campaigns
    from pipeline.store import open_store

    store = open_store(database_url)
    dialect = store.dialect
    campaigns = [campaign.id for campaign in load_campaigns()]
    outlets = [(outlet.id, outlet.name) for outlet in all_outlets()]
    generator = Generator(campaigns, outlets, seed, dialect)
    started = time.perf_counter()
    raw = store.engine.raw_connection()
    try:
        connection = raw.driver_connection
        cursor = connection.cursor()
        if dialect == "sqlite":
            cursor.execute("PRAGMA synchronous=OFF")
        stories = (articles + ARTICLES_PER_STORY - 1) // ARTICLES_PER_STORY
        story_sql = "INSERT INTO stories (id, title, first_published_at, last_published_at, article_count, outlet_count) VALUES "
        if dialect == "sqlite":
            cursor.executemany(story_sql + "(?, ?, ?, ?, ?, ?)", story_rows(stories, dialect))
        else:
            with cursor.copy("COPY stories (id, title, first_published_at, last_published_at, article_count, outlet_count) FROM STDIN") as copy:
                for row in story_rows(stories, dialect):
                    copy.write_row(row)
        counts: dict[str, int] = {}
        for first in range(1, articles + 1, batch):
            rows = generator.article_rows(first, min(first + batch, articles + 1))
            for table, table_rows in rows.items():
                write_rows(connection, dialect, table, table_rows)
                counts[table] = counts.get(table, 0) + len(table_rows)
            connection.commit()
            done = min(first + batch - 1, articles)
            print(f"\r{done:,}/{articles:,} articles  {time.perf_counter() - started:.0f} s", end="", file=sys.stderr, flush=True)
        print(file=sys.stderr)
        if dialect == "postgresql":
            for table in ("stories", "articles"):
                cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
            connection.commit()
            connection.autocommit = True
            cursor.execute("VACUUM ANALYZE")
        else:
            cursor.execute("ANALYZE")
            connection.commit()
        cursor.close()
    finally:
        raw.close()
        store.dispose()
    return {"articles": articles, "rows": counts, "seconds": round(time.perf_counter() - started, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1_000_000)
    parser.add_argument("--database-url", required=True, help="an empty database: sqlite:///data/bench.db or postgresql+psycopg://...")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    print(json.dumps(generate(args.database_url, args.articles, seed=args.seed), indent=2))


if __name__ == "__main__":
    main()
