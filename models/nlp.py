"""Assembly of pantau's spaCy pipeline: `spacy.blank("id")` plus the registered pantau components.

Each stage is a component registered with `@Language.factory` in `pipeline/nlp/<stage>.py`; the order
below matters: organisations are found first so that "Universitas Indonesia" is not read as a place,
people after organisations so that roles can name them, places after both, statistics last so that
a statistic can cite an organisation as its source.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Mapping

import spacy
from spacy.language import Language
from spacy.symbols import ORTH

# Bump when a change to any NLP stage or resource changes its output (articles are then re-processed).
NLP_VERSION = "3"

STAGES: tuple[str, ...] = (
    "pantau_organizations",
    "pantau_people",
    "pantau_places",
    "pantau_statistics",
)

# Abbreviations that end in a full stop but do not end a sentence or a token in Indonesian news.
TOKENIZER_EXCEPTIONS = (
    "Kec.", "Kab.", "Kel.", "Prov.", "Kota.", "Jl.", "Jln.", "No.", "Dr.", "dr.", "Drs.", "Dra.", "Ir.", "H.", "Hj.",
    "Prof.", "St.", "Sp.", "M.Si.", "S.E.", "S.H.", "S.Kom.", "S.Sos.", "M.Kom.", "M.M.", "Tbk.", "PT.", "CV.",
    "dkk.", "dll.", "dsb.", "tsb.", "a.n.", "u.p.", "Rp.", "KH.", "Bpk.", "Ibu.", "Sdr.", "Yth.", "Kompol.",
    "AKBP.", "Kapt.", "Letjen.", "Mayjen.", "Brigjen.", "Irjen.", "Kombes.",
)


# The module whose import registers each stage's factory with spaCy.
STAGE_MODULES = {
    "pantau_organizations": "pipeline.nlp.organizations",
    "pantau_people": "pipeline.nlp.people",
    "pantau_places": "pipeline.nlp.places",
    "pantau_statistics": "pipeline.nlp.statistics",
}


def _register_stages(stages: tuple[str, ...]) -> None:
    # Only the requested stages are imported, so a pipeline of some stages builds without the others.
    import importlib

    for stage in stages:
        if stage in STAGE_MODULES:
            importlib.import_module(STAGE_MODULES[stage])


def build_nlp(stages: tuple[str, ...] = STAGES, config: Mapping[str, Mapping[str, Any]] | None = None) -> Language:
    """A fresh pipeline with `stages` in order; `config` maps a stage name to its factory settings."""
    _register_stages(stages)
    nlp = spacy.blank("id")
    for exception in TOKENIZER_EXCEPTIONS:
        nlp.tokenizer.add_special_case(exception, [{ORTH: exception}])
    for stage in stages:
        nlp.add_pipe(stage, config=dict((config or {}).get(stage, {})))
    return nlp


@lru_cache(maxsize=1)
def load_nlp() -> Language:
    """The default pipeline, built once per process."""
    return build_nlp()
