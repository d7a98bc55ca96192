"""Assembly of pantau's spaCy pipeline: `spacy.blank("id")` plus the registered pantau components.

Each stage is a component registered with `@Language.factory("pantau_<stage>", requires=..., assigns=...)`
in a module of `pipeline/nlp/`; every such module is imported here, so a new stage is a new module.
The order comes from what each stage requires: organisations are found first so that "Universitas
Indonesia" is not read as a place, people after organisations so that roles can name them, places
after both (a person named like a town is not a place), statistics after organisations so that a
statistic can cite one as its source.

Building the stages from their resources (72,000 gazetteer forms and the organisation lexicon,
tokenised into phrase tables) takes seconds, so `load_nlp` saves the built pipeline once with
`nlp.to_disk` under `<data_dir>/cache/nlp/<key>/` and later processes read it back with `nlp.from_disk`.
The key covers everything the built state depends on: NLP_VERSION, the spaCy version, the stages and
their settings, the tokenizer exceptions, the source of the NLP code and the resource files each stage
names (`resource_files` in its module). A folder whose key differs is never read; a damaged one
(missing or truncated file, unreadable data) is built again, with a one-line warning.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import logging
import os
import pkgutil
import re
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import pipeline.nlp  # isort: skip - imports spaCy without torch (see there); must come before `import spacy`
import spacy
from spacy import util
from spacy.language import Language
from spacy.symbols import ORTH
from spacy.tokenizer import Tokenizer
from spacy.util import registry

from pantau.core.config import get_settings

log = logging.getLogger(__name__)

# Bump when a change to any NLP stage or resource changes its output (articles are then re-processed).
NLP_VERSION = "5"

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


# The saved pipeline: what `to_disk` writes and `from_disk` reads. The tokenizer is left out: it is
# `spacy.blank("id")`'s plus TOKENIZER_EXCEPTIONS, made by code either way, and reading it back would
# rebuild its 16,000 special cases a second time (1.7 s). The vocabulary is left out too: the stages
# keep token ids (string hashes), not strings.
NOT_SAVED = ("tokenizer", "vocab")
CACHE_RECORD = "pantau-cache.json"
_ROOT = Path(__file__).resolve().parents[2]
TOKENIZER = "pantau.tokenizer.v1"


def prefix_regex(entries: Iterable[str]) -> re.Pattern[str]:
    """spaCy's prefix regex (`util.compile_prefix_regex`) in a form that `search` runs faster, matching the same.

    spaCy joins the prefixes as `^p1|^p2|…|^p170`: `search` tries all 170 anchored alternatives at every
    position of every string it is given (the tokenizer asks for each chunk of text and each of its
    16,000 special cases at start-up). Here the anchor stands once before the group, so every position
    but the first fails at once. A prefix with a `|` of its own has alternatives that spaCy's join leaves
    unanchored (`<a([^>]+)>` of the HTML-tag prefix matches anywhere); it is repeated after the group,
    anchored as spaCy anchors it, so those alternatives are still tried at every position, in order."""
    pieces = [piece for piece in entries if piece.strip()]
    return re.compile("^(?:" + "|".join(pieces) + ")" + "".join("|^" + piece for piece in pieces if "|" in piece))


@spacy.registry.tokenizers(TOKENIZER)
def create_tokenizer() -> Callable[[Language], Tokenizer]:
    """spaCy's default tokenizer for the language (`spacy.Tokenizer.v1`), with the faster prefix search."""

    def make(nlp: Language) -> Tokenizer:
        defaults = nlp.Defaults
        return Tokenizer(
            nlp.vocab,
            rules=defaults.tokenizer_exceptions,
            prefix_search=prefix_regex(defaults.prefixes).search if defaults.prefixes else None,
            suffix_search=util.compile_suffix_regex(defaults.suffixes).search if defaults.suffixes else None,
            infix_finditer=util.compile_infix_regex(defaults.infixes).finditer if defaults.infixes else None,
            token_match=defaults.token_match,
            url_match=defaults.url_match,
        )

    return make


def assemble_nlp(stages: tuple[str, ...] = STAGES, config: Mapping[str, Mapping[str, Any]] | None = None) -> Language:
    """The pipeline with `stages` in order, its components not built yet (`build_nlp` builds them,
    `from_disk` restores them)."""
    nlp = spacy.blank("id", config={"nlp": {"tokenizer": {"@tokenizers": TOKENIZER}}})
    for exception in TOKENIZER_EXCEPTIONS:
        nlp.tokenizer.add_special_case(exception, [{ORTH: exception}])
    for stage in stages:
        nlp.add_pipe(stage, config=dict((config or {}).get(stage, {})))
    return nlp


def build_nlp(stages: tuple[str, ...] = STAGES, config: Mapping[str, Mapping[str, Any]] | None = None) -> Language:
    """A fresh pipeline with `stages` in order, built from the resources; `config` maps a stage name to its
    factory settings."""
    nlp = assemble_nlp(stages, config)
    for _name, component in nlp.pipeline:
        if hasattr(component, "initialize"):
            component.initialize(nlp=nlp)
    return nlp


@lru_cache(maxsize=1)
def load_nlp() -> Language:
    """The default pipeline, once per process: read from the saved copy under the data dir, built (and
    saved) when there is none for the current code and resources."""
    return cached_nlp(STAGES, cache_dir=get_settings().data_dir / "cache" / "nlp")


def cached_nlp(stages: tuple[str, ...], config: Mapping[str, Mapping[str, Any]] | None = None, *,
               cache_dir: Path) -> Language:
    """The pipeline of `stages` read from `cache_dir/<key>`, or built and saved there."""
    key = pipeline_key(stages, config)
    folder = cache_dir / key
    damaged = False
    if folder.is_dir():
        try:
            return read_saved_nlp(folder, stages, config)
        except Exception as error:  # noqa: BLE001 - any unreadable part means the same: build it again
            damaged = True
            log.warning("the saved NLP pipeline in %s cannot be read (%s); building it again",
                        folder, f"{type(error).__name__}: {error}".replace("\n", " ")[:300])
    nlp = build_nlp(stages, config)
    try:
        save_nlp(nlp, folder, key, replace=damaged)
    except OSError as error:
        log.warning("cannot save the NLP pipeline in %s (%s); the next start builds it again", folder, error)
    return nlp


def read_saved_nlp(folder: Path, stages: tuple[str, ...], config: Mapping[str, Mapping[str, Any]] | None = None) -> Language:
    """The pipeline saved in `folder` by `save_nlp`; an error when a file is missing, cut short or unreadable."""
    record = json.loads((folder / CACHE_RECORD).read_text(encoding="utf-8"))
    for relative, size in record["files"].items():
        path = folder / relative
        if not path.is_file() or path.stat().st_size != size:
            raise ValueError(f"{relative} is missing or has {path.stat().st_size if path.is_file() else 0} bytes, not {size}")
    nlp = assemble_nlp(stages, config)
    return nlp.from_disk(folder, exclude=NOT_SAVED)


def save_nlp(nlp: Language, folder: Path, key: str, replace: bool = False) -> None:
    """`nlp.to_disk` into a temporary sibling, a record of the key and file sizes last, then renamed into place.

    An existing `folder` is replaced only when `replace` (it was found damaged): otherwise it was saved by
    another process meanwhile, from the same code and resources, and is kept."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    try:
        nlp.to_disk(staging, exclude=NOT_SAVED)
        files = sorted(path for path in staging.rglob("*") if path.is_file())
        record = {"key": key, "nlp_version": NLP_VERSION, "stages": list(nlp.pipe_names),
                  "files": {str(path.relative_to(staging)): path.stat().st_size for path in files}}
        (staging / CACHE_RECORD).write_text(json.dumps(record, indent=2), encoding="utf-8")
        if replace and folder.exists():  # damaged: moved aside, then removed
            old = folder.with_name(f".{folder.name}.old-{os.getpid()}")
            os.replace(folder, old)
            shutil.rmtree(old, ignore_errors=True)
        try:
            os.replace(staging, folder)
        except OSError:
            if not (folder / CACHE_RECORD).is_file():  # another process saved it first: theirs is as good
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def stage_module(stage: str) -> Any:
    """The module that registered the factory of `stage` (its `resource_files` say what it is built from)."""
    return sys.modules[registry.factories.get(stage).__module__]


def pipeline_key(stages: tuple[str, ...], config: Mapping[str, Mapping[str, Any]] | None = None) -> str:
    """What a built pipeline depends on, hashed: versions, stages and settings, NLP code, resource files."""
    settings = {stage: dict((config or {}).get(stage, {})) for stage in stages}
    resources: set[Path] = set()
    for stage in stages:
        module = stage_module(stage)
        if hasattr(module, "resource_files"):
            resources.update(Path(path) for path in module.resource_files(settings[stage]))
    code = sorted({*Path(pipeline.nlp.__file__).resolve().parent.glob("*.py"), _ROOT / "models" / "organizations.py"})
    content = {
        "nlp_version": NLP_VERSION,
        "spacy": spacy.__version__,
        "stages": list(stages),
        "settings": settings,
        "tokenizer_exceptions": list(TOKENIZER_EXCEPTIONS),
        "code": {str(path.relative_to(_ROOT)): _file_digest(path) for path in code},
        "resources": {str(path): _file_digest(path) for path in sorted(resources)},
    }
    digest = hashlib.sha256(json.dumps(content, sort_keys=True, default=str).encode("utf-8")).hexdigest()
    return f"nlp-v{NLP_VERSION}-{digest[:20]}"


def _file_digest(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return "missing"
