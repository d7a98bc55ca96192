"""Item pipeline: fetched pages and failures go into the store, in batches, keyed by normalised URL."""

from __future__ import annotations

from crawlers import store as crawl_store
from crawlers.items import FailureItem, PageItem


class StorePipeline:
    """Writes PageItems (Page + PagePart rows) and FailureItems (CrawlFailure rows) of one spider.

    Uses the spider's open store and run id; counts new pages on the spider for the run record.
    """

    def __init__(self, batch_size: int):
        self.batch_size = batch_size
        self.pages: list[PageItem] = []
        self.failures: list[FailureItem] = []

    @classmethod
    def from_crawler(cls, crawler):  # noqa: ANN001, ANN206
        pipeline = cls(crawler.settings.getint("PANTAU_STORE_BATCH", 50))
        pipeline.crawler = crawler
        return pipeline

    def process_item(self, item, spider=None):  # noqa: ANN001, ANN201
        if isinstance(item, PageItem):
            self.pages.append(item)
        elif isinstance(item, FailureItem):
            self.failures.append(item)
        if len(self.pages) + len(self.failures) >= self.batch_size or self.crawler.spider.flush_due():
            self.flush()
        self.crawler.spider.report_progress()
        return item

    def close_spider(self, spider=None) -> None:  # noqa: ANN001
        self.flush()

    def flush(self) -> None:
        spider = self.crawler.spider
        flushed = {item.url_key for item in self.pages}
        if self.pages:
            spider.counts["new"] += crawl_store.save_pages(spider.store, self.pages, spider.run_id)
            self.pages = []
        if self.failures:
            crawl_store.save_failures(spider.store, self.failures, spider.run_id)
            self.failures = []
        # A backfill records a day as walked only once its pages are committed.
        spider.pages_flushed(flushed)
