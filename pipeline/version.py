"""The pipeline version recorded on every article: it changes when any stage's output would change,
so the process stage knows which articles to re-make from their stored raw HTML."""

from __future__ import annotations

from functools import lru_cache

from pantau import __version__
from pipeline.campaigns.matching import MATCHER_VERSION
from pipeline.embeddings import CHUNKING_VERSION
from pipeline.extract import EXTRACTOR_VERSION


@lru_cache(maxsize=1)
def pipeline_version() -> str:
    from pipeline.nlp.assembly import NLP_VERSION  # noqa: PLC0415 - heavy: pipeline.nlp.assembly loads spaCy and torch (~4 s) for one constant; pipeline.process, the flows and the web app import this module before any version is asked for

    return f"{__version__}+x{EXTRACTOR_VERSION}.n{NLP_VERSION}.e{CHUNKING_VERSION}.m{MATCHER_VERSION}"
