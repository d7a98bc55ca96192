"""Backfill benchmark on the replay site multiplied to >= 1,000 article pages, throttling off.

1. Requests per new article of `pantau backfill` over every day of the site (robots.txt, index pages and
   articles, everything counted). Goal <= 1.2. Baseline of the same run: the regular crawl of the same
   site into another store (robots.txt, sitemaps, articles).
2. Second backfill of the same days: requests (goal 0) and articles fetched (goal 0).

The index pages list `--page-size` articles (Kompas and Tribun list 15-20); the multiplied site puts an
article every 10 minutes, so each outlet has some 70 articles a day.

    .venv/bin/python bench/backfill.py [--pages 1000] [--page-size 20] [--outlet kompas --outlet tribunnews]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from crawlers.backfill import backfill_outlets
from crawlers.replay.server import start_in_thread
from crawlers.replay.site import multiplied_site
from crawlers.run import crawl_outlets

# The same download settings as bench/crawl.py: no throttling, the same concurrency.
SETTINGS = {"AUTOTHROTTLE_ENABLED": False, "CONCURRENT_REQUESTS": 16, "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
            "LOG_LEVEL": "WARNING"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=1000, help="article pages on the site")
    parser.add_argument("--page-size", type=int, default=20, help="articles per index page")
    parser.add_argument("--outlet", action="append", default=None,
                        help="outlets to multiply the corpus over (default: kompas, tribunnews)")
    args = parser.parse_args()
    return benchmark(args.pages, args.page_size, args.outlet or ["kompas", "tribunnews"])


def benchmark(pages: int, page_size: int, outlets: list[str]) -> int:
    site = multiplied_site(pages, outlets, archive_page_size=page_size)
    days = sorted({article.archive_day for article in site.articles})
    server = start_in_thread(site)
    workdir = Path(tempfile.mkdtemp(prefix="pantau-bench-backfill-"))
    backfill_db, crawl_db = f"sqlite:///{workdir / 'backfill.db'}", f"sqlite:///{workdir / 'crawl.db'}"
    print(f"replay site: {len(site.articles)} article pages of {', '.join(site.outlet_ids)}, {days[0]} .. {days[-1]} "
          f"({len(days)} days), {page_size} articles per index page; load average {os.getloadavg()[0]:.2f}")

    started = time.perf_counter()
    report = backfill_outlets(outlets, days[0], days[-1], replay=server.base_url, database_url=backfill_db, settings=SETTINGS)
    backfill_s = time.perf_counter() - started
    started = time.perf_counter()
    crawled = crawl_outlets(outlets, replay=server.base_url, database_url=crawl_db, settings=SETTINGS)
    crawl_s = time.perf_counter() - started

    totals = report["totals"]
    crawl_new, crawl_requests = sum(r["new"] for r in crawled), sum(r["requests"] for r in crawled)
    print("\n1. requests per new article (everything counted), same site, same run")
    print(f"   backfill : {totals['requests']} requests ({totals['index_pages']} index pages, {totals['fetched']} articles), "
          f"{totals['new']} new, {totals['days_walked']} days walked, failed {totals['failed']} in {backfill_s:.1f} s: "
          f"{totals['requests'] / max(totals['new'], 1):.3f} requests per new article (goal <= 1.2)")
    print(f"   crawl    : {crawl_requests} requests, {crawl_new} new in {crawl_s:.1f} s: "
          f"{crawl_requests / max(crawl_new, 1):.3f} requests per new article (baseline)")

    second = backfill_outlets(outlets, days[0], days[-1], replay=server.base_url, database_url=backfill_db,
                              settings=SETTINGS)["totals"]
    print("\n2. second backfill of the same days")
    print(f"   requests: {second['requests']} (goal 0); articles fetched: {second['fetched']} (goal 0); "
          f"days skipped: {second['days_skipped']}")
    server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
