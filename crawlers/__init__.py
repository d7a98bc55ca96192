"""The Scrapy project of pantau: outlet registry, spiders, settings and the item pipeline into the store."""
