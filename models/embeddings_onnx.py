"""Preparation of the fast CPU variant of a prepared embedding model: ONNX, int8 (ONNX Runtime).

Done once by `pantau models prepare`, offline, from the prepared sentence-transformers folder (for
the default model, `<models_dir>/multilingual-e5-small`); the result goes next to it in
`<models_dir>/multilingual-e5-small-onnx-int8/`:

- the transformer exported with `torch.onnx.export`, mean pooling and L2 normalisation inside the
  graph (one output: the sentence vector);
- dynamically quantised by ONNX Runtime (`quantize_dynamic`): the weights of every matrix product
  and the token-embedding table in int8, one scale per output channel; activations are quantised
  at run time;
- the model's `tokenizer.json`, and a manifest with the prompts, the sequence limit, the dimension,
  the fingerprint of the source folder and the result of a check against the fp32 model.

Like the fp32 conversion it is written into a temporary sibling and renamed into place, and a run
with nothing changed returns at once. The check embeds `PROBE_TEXTS` with both models and refuses
the export when any cosine falls below `MIN_PROBE_COSINE` (the PyTorch path stays the reference).
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from models.embeddings import (
    DEFAULT_MODEL_NAME,
    MANIFEST_NAME,
    PrepareResult,
    _replace_folder,
    file_sha256,
    quiet_transformers,
    read_manifest,
    size_problem,
    write_manifest,
)
from pantau.core.errors import ModelMissingError

BACKEND = "onnx-int8"
FOLDER_SUFFIX = "-" + BACKEND
# The files of an exported folder besides the manifest (read by pipeline/embeddings_onnx.py).
MODEL_FILE = "model.onnx"
TOKENIZER_FILE = "tokenizer.json"
# Bump when the export or the quantisation changes its output; folders of another version are rebuilt.
EXPORTER_VERSION = "1"
OPSET = 17
MIN_PROBE_COSINE = 0.99
# Embedded with both models at preparation (queries with the query prompt, passages with the passage one).
PROBE_QUERIES = (
    "pelatihan literasi digital untuk pelaku UMKM",
    "kampanye keamanan siber bagi pelajar",
)
PROBE_PASSAGES = (
    "Kementerian Komunikasi dan Informatika menggelar pelatihan literasi digital bagi 500 pelaku UMKM di Makassar.",
    "Harga cabai rawit di pasar tradisional naik menjelang Lebaran.",
    "\"Kami ingin pelaku usaha kecil percaya diri berjualan secara daring,\" kata Semuel Abrijani Pangerapan.",
    "Banjir merendam ratusan rumah di Kabupaten Bandung setelah hujan deras sejak Senin malam.",
)


def onnx_folder(models_dir: Path, name: str = DEFAULT_MODEL_NAME) -> Path:
    """Where the int8 ONNX variant of the prepared model `name` lives."""
    return models_dir / f"{name}{FOLDER_SUFFIX}"


def source_fingerprint(source: Path) -> str:
    """What the export depends on in the source folder: the recorded hashes of a prepared folder (cheap),
    else the hashes of its files."""
    manifest = read_manifest(source)
    recorded = (manifest or {}).get("sha256")
    if not recorded:
        recorded = {str(path.relative_to(source)): file_sha256(path) for path in sorted(source.rglob("*")) if path.is_file()}
    return hashlib.sha256(json.dumps(recorded, sort_keys=True).encode("utf-8")).hexdigest()


def onnx_problem(folder: Path, source: Path | None = None) -> str | None:
    """Why `folder` cannot be used as is (None when complete and current); cheap: manifest and file sizes."""
    manifest = read_manifest(folder)
    if manifest is None:
        return f"{folder} has no readable {MANIFEST_NAME}"
    if manifest.get("exporter_version") != EXPORTER_VERSION:
        return f"{folder} was exported by version {manifest.get('exporter_version')}, current is {EXPORTER_VERSION}"
    if source is not None and manifest.get("source_fingerprint") != source_fingerprint(source):
        return f"{folder} was exported from another version of {source.name}"
    return size_problem(folder, manifest)


def prepare_onnx_int8(source: Path, runtime: Callable[[Path], Any], target: Path | None = None, force: bool = False,
                      progress: Callable[[str], None] | None = None) -> PrepareResult:
    """Export the sentence-transformers folder `source` to int8 ONNX in `target` unless that is current.

    `runtime` loads a prepared folder as the embedder will run it (`pipeline.embeddings_onnx.OnnxSentenceModel`,
    which sits in a layer above this one): the export is checked through it against the fp32 model."""
    started = time.perf_counter()
    target = target or source.parent / f"{source.name}{FOLDER_SUFFIX}"
    if not force and target.is_dir() and onnx_problem(target, source) is None:
        return PrepareResult(target.name, target, False, time.perf_counter() - started)
    say = progress or (lambda message: None)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        build = staging / target.name
        build.mkdir()
        say("loading the fp32 model")
        reference, layout = _load_reference(source)
        say("exporting to ONNX")
        fp32 = staging / "model-fp32.onnx"
        _export(source, layout, fp32)
        say("quantising to int8")
        _quantize(fp32, build / MODEL_FILE)
        fp32.unlink()
        shutil.copyfile(layout["tokenizer_file"], build / TOKENIZER_FILE)
        manifest = {
            "name": target.name,
            "backend": BACKEND,
            "exporter_version": EXPORTER_VERSION,
            "source": source.name,
            "source_fingerprint": source_fingerprint(source),
            "prompts": layout["prompts"],
            "max_seq_length": layout["max_seq_length"],
            "dim": layout["dim"],
            "bos_id": layout["bos_id"],
            "eos_id": layout["eos_id"],
            "quantization": {"tool": "onnxruntime.quantization.quantize_dynamic", "weights": "int8, per channel",
                             "ops": ["MatMul", "Gather"], "activations": "uint8, per tensor, at run time"},
        }
        (build / MANIFEST_NAME).write_text(json.dumps(manifest), encoding="utf-8")  # what the check's loader reads
        say("checking against the fp32 model")
        manifest["check"] = check_against_reference(runtime(build), reference, build.name)
        write_manifest(build, manifest)
        say("moving into place")
        _replace_folder(build, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return PrepareResult(target.name, target, True, time.perf_counter() - started)


def check_against_reference(quantised: Any, reference: Any, name: str) -> dict[str, Any]:
    """Cosine between the int8 (`quantised`, loaded from the export `name`) and the fp32 vectors of the probe
    texts; an error below MIN_PROBE_COSINE."""
    cosines = []
    for texts, prompt_name in ((PROBE_QUERIES, "query"), (PROBE_PASSAGES, "passage")):
        prompt = reference.prompts.get(prompt_name) or None
        expected = reference.encode(list(texts), prompt=prompt, normalize_embeddings=True, convert_to_numpy=True)
        found = quantised.encode(list(texts), prompt=prompt)
        cosines.extend(np.sum(expected * found, axis=1).tolist())
    worst = min(cosines)
    if worst < MIN_PROBE_COSINE:
        raise ModelMissingError(f"the int8 ONNX export of {name} is too far from the fp32 model (cosine {worst:.4f} < "
                                f"{MIN_PROBE_COSINE}); set embedding.backend = \"torch\" and report this")
    return {"texts": len(cosines), "min_cosine": round(worst, 5)}


def _load_reference(source: Path) -> tuple[Any, dict[str, Any]]:
    """The fp32 model and what the export needs to know of it; only Transformer + mean Pooling (+ Normalize)."""
    from sentence_transformers import SentenceTransformer  # noqa: PLC0415 - loads torch and transformers (seconds); only the export needs it

    quiet_transformers()
    try:
        modules = json.loads((source / "modules.json").read_text(encoding="utf-8"))
        model = SentenceTransformer(str(source), device="cpu", local_files_only=True)
    except Exception as error:  # noqa: BLE001 - torch/transformers/safetensors raise many types for one cause
        raise ModelMissingError(f"cannot load {source} for the ONNX export ({type(error).__name__}: {error}); "
                                "run `pantau models prepare --force`".replace("\n", " ")) from error
    model.eval()
    kinds = [entry["type"].rsplit(".", 1)[-1] for entry in modules]
    pooling = model[1] if len(model) > 1 else None
    if kinds[:2] != ["Transformer", "Pooling"] or kinds[2:] not in ([], ["Normalize"]) \
            or getattr(pooling, "pooling_mode", None) != "mean" or not getattr(pooling, "include_prompt", True):
        raise ModelMissingError(f"the onnx-int8 backend takes Transformer + mean Pooling (+ Normalize) models; {source} has "
                                f"{' + '.join(kinds)}: set embedding.backend = \"torch\"")
    transformer_dir = source / modules[0].get("path", "")
    tokenizer_file = transformer_dir / "tokenizer.json"
    if not tokenizer_file.is_file():
        raise ModelMissingError(f"the onnx-int8 backend needs a fast tokenizer ({tokenizer_file} is missing); "
                                "set embedding.backend = \"torch\"")
    from tokenizers import Tokenizer  # noqa: PLC0415 - only the export reads a tokenizer; the embedder loads this module at run time

    tokenizer = Tokenizer.from_file(str(tokenizer_file))
    tokenizer.no_truncation()
    tokenizer.no_padding()
    bos_id, eos_id = _special_ids(tokenizer, source)
    config_path = transformer_dir / "sentence_bert_config.json"
    model_kwargs = json.loads(config_path.read_text(encoding="utf-8")).get("model_kwargs", {}) if config_path.is_file() else {}
    dimension = (model.get_embedding_dimension() if hasattr(model, "get_embedding_dimension")
                 else model.get_sentence_embedding_dimension())
    layout = {
        "transformer_dir": transformer_dir, "tokenizer_file": tokenizer_file, "model_kwargs": model_kwargs,
        "prompts": dict(model.prompts or {}), "max_seq_length": int(model.max_seq_length), "dim": int(dimension),
        "bos_id": bos_id, "eos_id": eos_id,
    }
    return model, layout


def _special_ids(tokenizer: Any, source: Path) -> tuple[int, int]:
    """The ids put around one text (<s> … </s>, [CLS] … [SEP]); the runtime adds them itself after truncating."""
    around = tokenizer.encode("", add_special_tokens=True).ids
    inner = tokenizer.encode("uji", add_special_tokens=False).ids
    if len(around) != 2 or tokenizer.encode("uji", add_special_tokens=True).ids != [around[0], *inner, around[1]]:
        raise ModelMissingError(f"the tokenizer of {source} does not put one token before and after a text; "
                                "the onnx-int8 backend cannot run it: set embedding.backend = \"torch\"")
    return around[0], around[1]


def _export(source: Path, layout: dict[str, Any], path: Path) -> None:
    import torch  # noqa: PLC0415 - optional heavy dependency (~1.5 s): only the export needs it
    from transformers import AutoModel  # noqa: PLC0415 - optional heavy dependency: only the export needs it

    # Eager attention traces into plain ONNX operators.
    encoder = AutoModel.from_pretrained(str(layout["transformer_dir"]), attn_implementation="eager", local_files_only=True,
                                        **layout["model_kwargs"]).eval()

    class Pooled(torch.nn.Module):
        """The sentence vector as sentence-transformers makes it: mean over the text's tokens, L2-normalised."""

        def __init__(self, model: Any):
            super().__init__()
            self.model = model

        def forward(self, input_ids: Any, attention_mask: Any) -> Any:
            hidden = self.model(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, p=2, dim=1)

    bos, eos = layout["bos_id"], layout["eos_id"]
    input_ids = torch.tensor([[bos, 1000, 2000, 3000, eos], [bos, 1000, eos, eos, eos]], dtype=torch.long)
    attention_mask = torch.tensor([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0]], dtype=torch.long)
    axes = {0: "batch", 1: "tokens"}
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")  # tracer notes about shapes that are constant for one text per pass
        torch.onnx.export(
            Pooled(encoder), (input_ids, attention_mask), str(path), input_names=["input_ids", "attention_mask"],
            output_names=["sentence_embedding"], opset_version=OPSET, dynamo=False, do_constant_folding=True,
            dynamic_axes={"input_ids": axes, "attention_mask": axes, "sentence_embedding": {0: "batch"}},
        )


def _quantize(fp32: Path, int8: Path) -> None:
    from onnxruntime.quantization import QuantType, quantize_dynamic  # noqa: PLC0415 - loads onnx and onnxruntime; only the export quantises

    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)  # the quantiser suggests a pre-processing step on the root logger
    try:
        quantize_dynamic(str(fp32), str(int8), weight_type=QuantType.QInt8, per_channel=True,
                         op_types_to_quantize=["MatMul", "Gather"])
    finally:
        root.setLevel(level)
