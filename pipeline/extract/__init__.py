"""Extraction: one article (body and metadata) from the raw HTML of a news page.

trafilatura (pinned) finds the body; metadata comes from the page's own structured data, read once
from the parsed tree before trafilatura runs, in a fixed order of trust: JSON-LD, then Open Graph /
article meta, then outlet meta and data-layer fields (Kompas's `content_PublishedDate`, Detik's
`dtk:author`), then what the visible page says. The body then goes through `pipeline.clean`
(boilerplate lines out, dateline into its own field) and `pipeline.language`.

Bad input never crashes a batch: `extract_article` raises `InputError` with a one-line reason, and
`extract_many` turns every failure (including a page that runs over its time limit) into an
`ExtractionFailure` and goes on.

Modules, in the order a page goes through them: `html` (bytes to text to tree), `metadata` (what the
page says about itself), `dates` and `authors` (chosen from it), `article` (the body and the record);
`pool` runs many pages in worker processes (`extract_batches`: batch after batch, one ahead of the
caller), `preload` readies their fork server.
"""

from __future__ import annotations

from importlib.metadata import version as _package_version

from pipeline.extract.article import ExtractedArticle, extract_article, extract_text_document
from pipeline.extract.pool import ExtractionFailure, extract_batches, extract_many

# Part of the pipeline version: bump the first number when the output of this stage changes.
EXTRACTOR_VERSION = f"2.0+trafilatura-{_package_version('trafilatura')}"

__all__ = [
    "EXTRACTOR_VERSION", "ExtractedArticle", "ExtractionFailure", "extract_article", "extract_batches", "extract_many",
    "extract_text_document",
]
