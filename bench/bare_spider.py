"""The baseline of bench/crawl.py: Scrapy's defaults plus the same download settings, fetching a URL list,
keeping nothing. bench/crawl.py times it in a fresh process, so it loads Scrapy and nothing of pantau.

    .venv/bin/python bench/bare_spider.py JOB.json   (JOB: {"urls": [...], "settings": {...}}; prints {"fetched": N})
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import scrapy
from scrapy.crawler import CrawlerProcess


def fetch_all(urls: list[str], settings: dict) -> int:
    """Fetch every URL once; the number of responses."""
    fetched = []

    class BareSpider(scrapy.Spider):
        name = "bare"

        async def start(self):  # noqa: ANN201
            for url in urls:
                yield scrapy.Request(url, callback=self.parse)

        def parse(self, response):  # noqa: ANN001, ANN201
            fetched.append(len(response.body))

    process = CrawlerProcess({**settings, "ROBOTSTXT_OBEY": False, "TELNETCONSOLE_ENABLED": False, "LOGSTATS_INTERVAL": 0})
    process.crawl(BareSpider)
    process.start()
    return len(fetched)


if __name__ == "__main__":
    job = json.loads(Path(sys.argv[1]).read_text())
    print(json.dumps({"fetched": fetch_all(job["urls"], job["settings"])}))
