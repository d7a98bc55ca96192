"""The pipeline version recorded on every article: it changes when any stage's output would change,
so the process stage knows which articles to re-make from their stored raw HTML."""

from __future__ import annotations

import hashlib
from functools import lru_cache

from pantau import __version__
from pipeline.campaigns.matching import MATCHER_VERSION
from pipeline.embeddings import CHUNKING_VERSION, LEAD_TOKENS
from pipeline.extract import EXTRACTOR_VERSION


@lru_cache(maxsize=1)
def pipeline_version() -> str:
    from pipeline.nlp.assembly import NLP_VERSION, STAGES  # noqa: PLC0415 - heavy: pipeline.nlp.assembly loads spaCy (~1 s) for two constants; pipeline.process, the flows and the web app import this module before any version is asked for

    # A stage added or removed changes the output too: the stages are part of the NLP version.
    stages = hashlib.sha256(",".join(STAGES).encode("utf-8")).hexdigest()[:6]
    return f"{__version__}+x{EXTRACTOR_VERSION}.n{NLP_VERSION}-{stages}.e{CHUNKING_VERSION}l{LEAD_TOKENS}.m{MATCHER_VERSION}"
