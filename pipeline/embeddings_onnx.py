"""The fast CPU path of the embedder: a prepared int8 ONNX model run by ONNX Runtime.

`pantau models prepare` writes the folder (see `models/embeddings_onnx.py`): `model.onnx` (the
transformer with mean pooling and L2 normalisation inside, matrix weights and the token embedding
table quantised to int8), the model's `tokenizer.json`, and a manifest with its prompts, sequence
limit and dimension. Loading it needs neither torch, transformers nor sentence-transformers (their
imports alone take seconds), only `onnxruntime` and `tokenizers`.

`OnnxSentenceModel` offers the part of `SentenceTransformer`'s interface that `Embedder` uses:
`tokenizer(texts, add_special_tokens=False)["input_ids"]`, `encode(...)`, `prompts`,
`max_seq_length` and `get_embedding_dimension()`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from models.embeddings_onnx import MANIFEST_NAME, MODEL_FILE, TOKENIZER_FILE
from pantau.core.errors import ModelMissingError


def available_threads() -> int:
    """The cores this process may run on (what torch uses by default too)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


class _TokenCounter:
    """`tokenizer(texts, add_special_tokens=False, return_offsets_mapping=...)`, answered with "input_ids" (and
    "offset_mapping") as a transformers fast tokenizer answers it."""

    def __init__(self, tokenizer: Any):
        self._tokenizer = tokenizer

    def __call__(self, texts: str | Sequence[str], add_special_tokens: bool = True,
                 return_offsets_mapping: bool = False) -> dict[str, Any]:
        single = isinstance(texts, str)
        encoded = ([self._tokenizer.encode(texts, add_special_tokens=add_special_tokens)] if single
                   else self._tokenizer.encode_batch(list(texts), add_special_tokens=add_special_tokens))
        answer = {"input_ids": [item.ids for item in encoded]}
        if return_offsets_mapping:
            answer["offset_mapping"] = [item.offsets for item in encoded]
        return {key: value[0] for key, value in answer.items()} if single else answer


class OnnxSentenceModel:
    """A prepared int8 ONNX sentence-embedding model on ONNX Runtime's CPU provider."""

    def __init__(self, folder: Path, threads: int | None = None):
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        try:
            import onnxruntime as ort  # noqa: PLC0415 - heavy (~0.15 s) and needed by the int8 backend only; missing, it is reported below
            from tokenizers import Tokenizer  # noqa: PLC0415 - needed with onnxruntime by the int8 backend only; missing, it is reported below
        except ImportError as error:
            raise ModelMissingError(f"the onnx-int8 embedding backend needs onnxruntime ({error}); "
                                    "run `pip install onnxruntime`, or set embedding.backend = \"torch\"") from error
        self.folder = Path(folder)
        try:
            manifest = json.loads((self.folder / MANIFEST_NAME).read_text(encoding="utf-8"))
            tokenizer = Tokenizer.from_file(str(self.folder / TOKENIZER_FILE))
        except Exception as error:  # noqa: BLE001 - a missing file, bad JSON, or tokenizers' own exception type
            raise ModelMissingError(f"cannot read the onnx-int8 model in {self.folder} ({type(error).__name__}: {error}); "
                                    "run `pantau models prepare --force`".replace("\n", " ")) from error
        # Counting and encoding both see the whole text; truncation to the model's window happens in `_ids`.
        tokenizer.no_truncation()
        tokenizer.no_padding()
        self.tokenizer = _TokenCounter(tokenizer)
        self._tokenizer = tokenizer
        self.prompts: dict[str, str] = dict(manifest.get("prompts", {}))
        self.max_seq_length = int(manifest["max_seq_length"])
        self._dim = int(manifest["dim"])
        self._bos, self._eos = int(manifest["bos_id"]), int(manifest["eos_id"])
        # Parallel over texts, not inside one: each text's pass runs on one thread, `threads` texts at a time.
        # Splitting every operation across threads made them wait for each other hundreds of times per text;
        # on the shared 2-core machines that cost more than the second core gave (spinning threads also took
        # 1.8x the CPU time for the same work). One thread per pass also keeps a text's vector the same
        # whatever the thread count.
        self.threads = threads or available_threads()
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.log_severity_level = 3  # errors only: no warnings about unused initialisers on every load
        try:
            self._session = ort.InferenceSession(str(self.folder / MODEL_FILE), options, providers=["CPUExecutionProvider"])
        except Exception as error:  # noqa: BLE001 - onnxruntime raises its own exception types for a bad file
            raise ModelMissingError(f"cannot load {self.folder / MODEL_FILE} ({type(error).__name__}: {error}); "
                                    "run `pantau models prepare --force`".replace("\n", " ")) from error
        self._pool = ThreadPoolExecutor(self.threads, thread_name_prefix="pantau-onnx") if self.threads > 1 else None

    def get_embedding_dimension(self) -> int:
        return self._dim

    def encode(self, texts: Sequence[str], prompt: str | None = None, batch_size: int = 32, normalize_embeddings: bool = True,
               convert_to_numpy: bool = True, show_progress_bar: bool = False) -> np.ndarray:
        """L2-normalised vectors (len(texts), dim), float32.

        One text per forward pass: dynamic quantisation takes one activation scale per tensor, so texts
        sharing a batch would change each other's vectors (by up to 0.004 in cosine, measured); alone, a
        text always gets the same vector, and there is no padding to compute. The longest texts go first,
        so that the threads finish together. `batch_size` is accepted for the interface and not used."""
        ids = self._ids([(prompt or "") + text for text in texts])
        vectors = np.zeros((len(ids), self._dim), dtype=np.float32)
        order = sorted(range(len(ids)), key=lambda row: -len(ids[row]))
        def embed(row: int) -> np.ndarray:
            return self._embed(ids[row])

        passes = self._pool.map(embed, order) if self._pool is not None and len(ids) > 1 else map(embed, order)
        for row, vector in zip(order, passes, strict=True):
            vectors[row] = vector
        if normalize_embeddings:
            norms = np.linalg.norm(vectors, axis=1, keepdims=True)
            vectors = vectors / np.where(norms > 0, norms, 1.0)
        return vectors

    def _embed(self, ids: list[int]) -> np.ndarray:
        input_ids = np.asarray([ids], dtype=np.int64)
        return self._session.run(None, {"input_ids": input_ids, "attention_mask": np.ones_like(input_ids)})[0][0]

    def _ids(self, texts: list[str]) -> list[list[int]]:
        """Token ids with <s> and </s>, cut to the model's window as sentence-transformers cuts them."""
        if not texts:
            return []
        encoded = self._tokenizer.encode_batch(texts, add_special_tokens=False)
        room = self.max_seq_length - 2
        return [[self._bos, *item.ids[:room], self._eos] for item in encoded]
