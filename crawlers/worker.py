"""One crawl process: `python -m crawlers.worker` reads a job (JSON on stdin) and runs the news
spider for each outlet in it, in one Scrapy CrawlerProcess. `crawlers.run` starts it, so that any
number of crawls can run from one Python process (Twisted's reactor cannot be restarted).
"""

from __future__ import annotations

import json
import os
import sys

from scrapy.crawler import CrawlerProcess
from scrapy.utils.project import get_project_settings

from crawlers.spiders.news import NewsSpider
from pantau.core.errors import PantauError
from pantau.store import open_store


def main() -> int:
    job = json.load(sys.stdin)
    os.environ["SCRAPY_SETTINGS_MODULE"] = "crawlers.settings"

    # Migrate once here rather than in each spider.
    try:
        open_store(job["database_url"]).dispose()
    except PantauError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    settings = get_project_settings()
    settings.set("PANTAU_STORE_MIGRATED", True, priority="cmdline")
    settings.set("PANTAU_PROGRESS", True, priority="cmdline")
    settings.set("LOG_LEVEL", job.get("log_level", "WARNING"), priority="cmdline")
    for name, value in job.get("settings", {}).items():
        settings.set(name, value, priority="cmdline")
    process = CrawlerProcess(settings)
    for outlet_id in job["outlets"]:
        process.crawl(
            NewsSpider,
            outlet=outlet_id,
            replay=job.get("replay"),
            since=job.get("since"),
            max_pages=job.get("max_pages"),
            database_url=job["database_url"],
            # The archive mode of a backfill (crawlers/backfill.py): mode, first_day, last_day, order, dry_run.
            **job.get("spider_args", {}),
        )
    process.start()
    return 0


if __name__ == "__main__":
    sys.exit(main())
