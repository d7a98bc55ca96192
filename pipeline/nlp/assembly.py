"""Assembly of pantau's spaCy pipeline: `spacy.blank("id")` plus the registered pantau components.

Each stage is a component registered with `@Language.factory("pantau_<stage>", requires=..., assigns=...)`
in a module of `pipeline/nlp/`; every such module is imported here, so a new stage is a new module.
The order comes from what each stage requires: organisations are found first so that "Universitas
Indonesia" is not read as a place, people after organisations so that roles can name them, places
after both (a person named like a town is not a place), statistics after organisations so that a
statistic can cite one as its source.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import lru_cache
from typing import Any, Mapping

import spacy
from spacy.language import Language
from spacy.symbols import ORTH
from spacy.util import registry

import pipeline.nlp

# Bump when a change to any NLP stage or resource changes its output (articles are then re-processed).
NLP_VERSION = "4"

# Abbreviations that end in a full stop but do not end a sentence or a token in Indonesian news.
TOKENIZER_EXCEPTIONS = (
    "Kec.", "Kab.", "Kel.", "Prov.", "Kota.", "Jl.", "Jln.", "No.", "Dr.", "dr.", "Drs.", "Dra.", "Ir.", "H.", "Hj.",
    "Prof.", "St.", "Sp.", "M.Si.", "S.E.", "S.H.", "S.Kom.", "S.Sos.", "M.Kom.", "M.M.", "Tbk.", "PT.", "CV.",
    "dkk.", "dll.", "dsb.", "tsb.", "a.n.", "u.p.", "Rp.", "KH.", "Bpk.", "Ibu.", "Sdr.", "Yth.", "Kompol.",
    "AKBP.", "Kapt.", "Letjen.", "Mayjen.", "Brigjen.", "Irjen.", "Kombes.",
)


# Importing every module of pipeline.nlp registers its components with spaCy.
for _module in pkgutil.iter_modules(pipeline.nlp.__path__):
    importlib.import_module(f"pipeline.nlp.{_module.name}")


def registered_stages(prefix: str = "pantau_") -> tuple[str, ...]:
    """Every registered pantau component, each after the stages that assign what it requires.

    Ties keep alphabetical order, so the order is the same in every process."""
    metas = {name: Language.get_factory_meta(name) for name in sorted(registry.factories.get_all()) if name.startswith(prefix)}
    assigned_by = {attribute: name for name, meta in metas.items() for attribute in meta.assigns}
    ordered: list[str] = []

    def place(name: str, waiting: tuple[str, ...]) -> None:
        if name in ordered:
            return
        if name in waiting:
            raise ValueError(f"NLP stages require each other in a circle: {' -> '.join((*waiting, name))}")
        for attribute in metas[name].requires:
            if attribute in assigned_by:
                place(assigned_by[attribute], (*waiting, name))
        ordered.append(name)

    for name in metas:
        place(name, ())
    return tuple(ordered)


STAGES: tuple[str, ...] = registered_stages()


def build_nlp(stages: tuple[str, ...] = STAGES, config: Mapping[str, Mapping[str, Any]] | None = None) -> Language:
    """A fresh pipeline with `stages` in order; `config` maps a stage name to its factory settings."""
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
