"""Spiders of pantau's Scrapy project (`scrapy list` from crawlers/)."""
