"""Scrapy settings of pantau's crawlers, as data, from pantau's configuration (`[crawl]` in pantau.toml
or `PANTAU_CRAWL__*` variables). Politeness first: robots.txt, AutoThrottle, two requests at a time per
outlet domain, retries with backoff that honour Retry-After, a timeout and a size cap on every download.
"""

from pantau.core.config import get_settings

_crawl = get_settings().crawl

BOT_NAME = "pantau"
SPIDER_MODULES = ["crawlers.spiders"]
NEWSPIDER_MODULE = "crawlers.spiders"

USER_AGENT = _crawl.user_agent
ROBOTSTXT_OBEY = _crawl.obey_robots_txt

CONCURRENT_REQUESTS = 16
# Scrapy starts this many asyncio workers for every callback's output; ours yield one item or a few
# requests and the store pipeline is synchronous, so the default 100 only costs scheduling time.
CONCURRENT_ITEMS = 4
CONCURRENT_REQUESTS_PER_DOMAIN = _crawl.concurrent_requests_per_domain
AUTOTHROTTLE_ENABLED = _crawl.autothrottle
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0

DOWNLOAD_TIMEOUT = _crawl.download_timeout_s
DOWNLOAD_MAXSIZE = _crawl.max_page_bytes
DOWNLOAD_WARNSIZE = 0
# Sitemaps may be larger than articles (the protocol allows 50 MB); requests for them raise this cap.
PANTAU_LISTING_MAXSIZE = 50 * 1024 * 1024

# An article that failed for good (404, 410, ...) is asked for again only after this many days.
PANTAU_RECHECK_FAILED_AFTER_DAYS = _crawl.recheck_failed_after_days

RETRY_ENABLED = True
RETRY_TIMES = _crawl.retry_times
RETRY_HTTP_CODES = [429, 500, 502, 503, 504, 522, 524, 408]
# Backoff before retry n is base * 2**(n-1) seconds, or the server's Retry-After when it says more;
# a Retry-After beyond the maximum gives up on the URL for this run (it is recorded).
PANTAU_RETRY_BACKOFF_BASE = 1.0
PANTAU_RETRY_MAX_DELAY = 120.0
# A 429 is waited out (Retry-After) this many times; after that it is a wall (crawlers/blocking.py),
# and PANTAU_BLOCKED_AFTER walls in a row stop the outlet.
PANTAU_RATE_LIMIT_RETRIES = 1
PANTAU_BLOCKED_AFTER = _crawl.blocked_after

REDIRECT_MAX_TIMES = 10
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
LOG_LEVEL = "INFO"
# Every crawl records its own counts; the periodic stats line is noise in `pantau crawl`.
LOGSTATS_INTERVAL = 0

DOWNLOADER_MIDDLEWARES = {
    # Replaces Scrapy's: robots.txt fetched by the spider is also the one that is obeyed (one request).
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawlers.middlewares.SharedRobotsTxtMiddleware": 100,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawlers.middlewares.BackoffRetryMiddleware": 550,
    # After RedirectMiddleware (600) in request order, so it sees responses first.
    "crawlers.middlewares.RedirectGuardMiddleware": 650,
}

# The transport maps real outlet URLs to a replay host when the spider has one (see crawlers/replay).
DOWNLOAD_HANDLERS = {
    "http": "crawlers.transport.ReplayableHttpDownloadHandler",
    "https": "crawlers.transport.ReplayableHttpDownloadHandler",
}

ITEM_PIPELINES = {"crawlers.pipelines.StorePipeline": 300}

# Store writes are batched: a crash loses at most this many pages, which the next crawl fetches again.
PANTAU_STORE_BATCH = 50
