"""The int8 ONNX Runtime backend of the embedder against the PyTorch fp32 reference.

Needs the prepared default model; the int8 variant is exported here when `pantau models prepare` has
not made it yet (about a minute, once per models folder)."""

from __future__ import annotations

import json
import logging
import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from pantau.core.errors import InputError, ModelMissingError
from pipeline.embeddings import Embedder, clear_loaded_models, load_embedder

PROJECT_ROOT = Path(__file__).resolve().parents[1]
REPLAY_ARTICLES = PROJECT_ROOT / "crawlers" / "replay" / "corpus" / "articles"

# Varied Indonesian text: news leads, quotes, figures, names and acronyms, headlines in capitals,
# everyday and slang registers, regional words, code-mixing, links, emoji, very short and very long.
SENTENCES = [
    "JAKARTA, KOMPAS.com - Kementerian Komunikasi dan Informatika menggelar pelatihan literasi digital bagi 500 pelaku UMKM.",
    "\"Kami ingin pelaku usaha kecil percaya diri berjualan secara daring,\" kata Semuel Abrijani Pangerapan.",
    "Survei Asosiasi Penyelenggara Jasa Internet Indonesia (APJII) mencatat 78,19 persen penduduk sudah terhubung ke internet.",
    "Nilai transaksi e-commerce diperkirakan mencapai Rp 2,5 triliun pada akhir tahun ini.",
    "Sebanyak 1.800 responden dari 34 provinsi mengikuti survei tersebut.",
    "Harga cabai rawit di Pasar Induk Kramat Jati naik menjadi Rp 80.000 per kilogram menjelang Lebaran.",
    "BANJIR RENDAM RATUSAN RUMAH DI KABUPATEN BANDUNG",
    "Gempa bermagnitudo 6,4 mengguncang Lombok Utara, Nusa Tenggara Barat, Minggu (29/7/2018) pagi.",
    "Timnas Indonesia menang 2-0 atas Vietnam dalam laga kualifikasi Piala Dunia di Stadion Gelora Bung Karno.",
    "Gue nggak nyangka jualan online bisa serame ini, omzet naik dua kali lipat, mantap banget!",
    "Warga Desa Sukamaju gotong royong membersihkan saluran irigasi yang tersumbat sampah plastik.",
    "Pak camat ngendika, sedaya warga kedah nderek vaksinasi wonten puskesmas.",
    "Startup fintech itu baru saja menutup pendanaan Series B senilai US$ 40 juta yang dipimpin East Ventures.",
    "Info lengkap pendaftaran kelas digital bisa dilihat di https://literasidigital.id atau akun @siberkreasi #MakinCakapDigital",
    "Selamat Hari Raya Idul Fitri 1444 H, mohon maaf lahir dan batin 🙏",
    "Apa saja syarat mengikuti program Kartu Prakerja gelombang berikutnya?",
    "Hoaks",
    "literasi digital",
    "Polisi menangkap tiga tersangka penipuan daring yang mengatasnamakan bank BUMN di Medan, Sumatera Utara.",
    "Menurut Badan Pusat Statistik (BPS), inflasi tahunan pada Maret 2023 tercatat 4,97 persen (yoy).",
    "Presiden Joko Widodo meresmikan Bendungan Bener di Purworejo, Jawa Tengah, Selasa (24/5).",
    "Para petani kopi di Gayo, Aceh Tengah, mulai memasarkan hasil panen melalui lokapasar.",
    "Pemprov DKI Jakarta memperpanjang PPKM level 2 hingga dua pekan ke depan.",
    "Facebook bekerja sama dengan Kemenkop UKM dan Kemendikbud meluncurkan Laju Digital di 15 kota.",
    "Ustaz Abdul Somad mengisi kajian Ramadan di Masjid Raya Baiturrahman, Banda Aceh.",
    "Rupiah melemah 0,3% ke level Rp15.750/US$ pada perdagangan Jumat sore.",
    "Anak-anak muda di Makassar belajar membuat konten kreatif lewat lokakarya yang digelar Google Gapura Digital.",
    "Sekolah diminta memperketat pengawasan penggunaan gawai oleh siswa selama jam pelajaran.",
    "Kecamatan Tembalang, Kota Semarang, menjadi lokasi uji coba jaringan 5G pertama di Jawa Tengah.",
    "Dalam rilisnya, Google menyebut ekonomi digital Indonesia akan tumbuh menjadi US$ 146 miliar pada 2025.",
]


def long_text() -> str:
    """An article longer than the model's 512-token window (the model cuts it; both backends must cut alike)."""
    first = sorted(REPLAY_ARTICLES.glob("*.json"))[0]
    paragraphs = json.loads(first.read_text(encoding="utf-8"))["paragraphs"]
    return " ".join(paragraphs * 3)


@pytest.fixture(scope="module")
def backends() -> tuple[Embedder, Embedder]:
    """(PyTorch fp32 reference, int8 ONNX) of the prepared default model, on the CPU."""
    from models.embeddings import prepare_default_model
    from models.embeddings_onnx import prepare_onnx_int8
    from pipeline.embeddings_onnx import OnnxSentenceModel

    models_dir = Path(os.environ.get("PANTAU_MODELS_DIR") or PROJECT_ROOT / "data" / "models")
    prepare_onnx_int8(prepare_default_model(models_dir).path, OnnxSentenceModel)
    clear_loaded_models()
    return load_embedder(device="cpu", backend="torch"), load_embedder(device="cpu", backend="onnx-int8")


def cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.sum(a * b, axis=1)


def test_int8_vectors_stay_within_cosine_0_99_of_fp32(backends):
    torch_model, onnx_model = backends
    assert (torch_model.backend, onnx_model.backend) == ("torch", "onnx-int8") and onnx_model.dim == torch_model.dim == 384
    texts = SENTENCES + [long_text()]
    assert torch_model.count_tokens(texts[-1]) > torch_model.max_seq_length  # really past the window
    for embed in ("embed_queries", "embed_passages"):
        reference = getattr(torch_model, embed)(texts)
        found = getattr(onnx_model, embed)(texts)
        assert found.dtype == np.float32 and found.shape == reference.shape
        assert np.allclose(np.linalg.norm(found, axis=1), 1.0, atol=1e-5)
        similarity = cosines(reference, found)
        worst = int(np.argmin(similarity))
        assert similarity.min() >= 0.99, f"{embed}: cosine {similarity[worst]:.4f} for {texts[worst][:60]!r}"


def test_chunks_of_real_articles_agree_and_are_cut_identically(backends):
    torch_model, onnx_model = backends
    texts = ["\n".join(json.loads(path.read_text(encoding="utf-8"))["paragraphs"]) for path in sorted(REPLAY_ARTICLES.glob("*.json"))[::6]]
    chunks = [chunk for text in texts for chunk in torch_model.chunk(text)]
    assert [chunk for text in texts for chunk in onnx_model.chunk(text)] == chunks  # same token counts, same chunks
    similarity = cosines(torch_model.embed_passages([c.text for c in chunks]), onnx_model.embed_passages([c.text for c in chunks]))
    assert len(chunks) > len(texts) and similarity.min() >= 0.99


def test_a_text_gets_the_same_vector_whatever_else_is_embedded_with_it_and_on_any_thread_count(backends):
    from pipeline.embeddings_onnx import OnnxSentenceModel

    _, onnx_model = backends
    alone = onnx_model.embed_passages([SENTENCES[0]])[0]
    with_others = onnx_model.embed_passages([long_text(), SENTENCES[0], SENTENCES[16]])[1]
    assert np.array_equal(alone, with_others)
    folder = onnx_model._model.folder
    one, three = OnnxSentenceModel(folder, threads=1), OnnxSentenceModel(folder, threads=3)
    texts = SENTENCES[:7]
    assert np.array_equal(one.encode(texts, prompt="passage: "), three.encode(texts, prompt="passage: "))
    assert np.array_equal(one.encode(texts, prompt="passage: "), onnx_model.embed_passages(texts))


def test_auto_takes_the_int8_model_on_the_cpu_and_keeps_its_vectors_apart(backends):
    from pipeline.embeddings import choose_backend

    torch_model, onnx_model = backends
    assert load_embedder(device="cpu") is onnx_model
    assert onnx_model.cache_key != torch_model.cache_key and onnx_model.cache_key.startswith(torch_model.name + "+onnx-int8#")
    models_dir = Path(os.environ["PANTAU_MODELS_DIR"])
    prepared = str(models_dir / torch_model.name)
    assert choose_backend("auto", torch_model.name, prepared, "cpu", models_dir)[0] == "onnx-int8"
    assert choose_backend("auto", torch_model.name, prepared, "cuda", models_dir) == ("torch", None)  # the GPU path
    # A model given as a folder of its own has no int8 variant: auto runs it with PyTorch, onnx-int8 says why not.
    assert choose_backend("auto", "/elsewhere/model", "/elsewhere/model", "cpu", models_dir) == ("torch", None)
    with pytest.raises(ModelMissingError, match="prepared under"):
        choose_backend("onnx-int8", "/elsewhere/model", "/elsewhere/model", "cpu", models_dir)
    with pytest.raises(InputError, match="auto, onnx-int8, torch"):
        load_embedder(device="cpu", backend="openvino")
    with pytest.raises(InputError, match="runs on the CPU"):
        load_embedder(device="cuda", backend="onnx-int8")


def test_a_stale_or_missing_int8_model_falls_back_to_torch_or_says_how_to_prepare(tmp_path, caplog):
    from models.embeddings import DEFAULT_MODEL_NAME
    from models.embeddings_onnx import onnx_folder
    from pipeline.embeddings import choose_backend

    shared = Path(os.environ["PANTAU_MODELS_DIR"])
    models_dir = tmp_path / "models"
    models_dir.mkdir()
    (models_dir / DEFAULT_MODEL_NAME).symlink_to(shared / DEFAULT_MODEL_NAME)
    prepared = str(models_dir / DEFAULT_MODEL_NAME)
    with pytest.raises(ModelMissingError, match="pantau models prepare"):
        choose_backend("onnx-int8", DEFAULT_MODEL_NAME, prepared, "cpu", models_dir)
    assert choose_backend("auto", DEFAULT_MODEL_NAME, prepared, "cpu", models_dir) == ("torch", None)  # quietly the reference

    copy = onnx_folder(models_dir)
    shutil.copytree(onnx_folder(shared), copy)
    assert choose_backend("auto", DEFAULT_MODEL_NAME, prepared, "cpu", models_dir) == ("onnx-int8", str(copy))
    original = (copy / "pantau-manifest.json").read_text(encoding="utf-8")
    manifest = json.loads(original)
    manifest["source_fingerprint"] = "0" * 64  # exported from another version of the fp32 model
    (copy / "pantau-manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="pipeline.embeddings"):
        assert choose_backend("auto", DEFAULT_MODEL_NAME, prepared, "cpu", models_dir) == ("torch", None)
    assert "out of date" in caplog.text and "pantau models prepare" in caplog.text
    with pytest.raises(ModelMissingError, match="another version"):
        choose_backend("onnx-int8", DEFAULT_MODEL_NAME, prepared, "cpu", models_dir)
    (copy / "pantau-manifest.json").write_text(original, encoding="utf-8")
    (copy / "model.onnx").write_bytes(b"")  # an interrupted copy
    with pytest.raises(ModelMissingError, match="wrong size"):
        choose_backend("onnx-int8", DEFAULT_MODEL_NAME, prepared, "cpu", models_dir)


@pytest.mark.slow
def test_campaign_decisions_are_identical_on_the_labelled_set_and_the_replay_corpus(backends):
    from datetime import datetime

    from pantau.core.campaigns import load_campaigns
    from pipeline.campaigns import ArticleForMatching, CampaignMatcher
    from pipeline.evaluation.campaigns import load_labelled_set

    articles = [ArticleForMatching(a.title, a.text, a.published_at) for a in load_labelled_set()]
    for path in sorted(REPLAY_ARTICLES.glob("*.json")):
        entry = json.loads(path.read_text(encoding="utf-8"))
        articles.append(ArticleForMatching(entry["title"], "\n".join(entry["paragraphs"]), datetime.fromisoformat(entry["published_at"])))
    campaigns = load_campaigns()
    decided = [CampaignMatcher(campaigns, model).match_many(articles) for model in backends]
    matched = [[[d.matched for d in per_article] for per_article in decisions] for decisions in decided]
    assert matched[0] == matched[1]
    assert any(any(row) for row in matched[0]) and not all(all(row) for row in matched[0])  # both kinds of decision occur
