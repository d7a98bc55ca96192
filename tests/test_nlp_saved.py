"""The built NLP pipeline saved to disk and read back: same output as a fresh build, rebuilt when stale or damaged."""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

import pytest

from pipeline.nlp import make_doc, tags_from_doc
from pipeline.nlp.assembly import CACHE_RECORD, STAGES, cached_nlp, pipeline_key, read_saved_nlp

PROJECT_ROOT = Path(__file__).resolve().parents[1]
ORGANIZATIONS_ONLY = ("pantau_organizations",)

EDGE_TEXTS = [
    ("", None),
    ("...", None),
    ("GORONTALO, KOMPAS.com - Wali Kota Gorontalo Marten Taha membuka pelatihan literasi digital.", "GORONTALO"),
    ("BANJIR RENDAM KABUPATEN BANDUNG, BUPATI DADANG SUPRIATNA TINJAU LOKASI", None),
    ("\"Kami ingin UMKM naik kelas,\" kata Menkominfo Rudiantara di Jl. Medan Merdeka Barat, Jakarta Pusat.", None),
    ("Survei APJII: 78,19 persen warga terhubung internet; Rp 2,5 triliun transaksi di Kab. Bogor dan Kota Bogor.", None),
    ("Asosiasi E-Commerce Indonesia (IdEA) bersama Kementerian Koperasi dan UKM menggelar Laju Digital di Solo, Jogja, Makasar.", None),
    ("Pemkot Surabaya, Polda Sulsel dan Universitas Negeri Jakarta menandatangani nota kesepahaman di Davenport, Amerika Serikat.", None),
]


def varied_documents() -> list[tuple[str, str | None]]:
    """The replay corpus, the labelled campaign articles and edge cases: news of many kinds and shapes."""
    from pipeline.evaluation.campaigns import load_labelled_set

    documents = []
    for path in sorted((PROJECT_ROOT / "crawlers" / "replay" / "corpus" / "articles").glob("*.json")):
        entry = json.loads(path.read_text(encoding="utf-8"))
        documents.append(("\n".join(entry["paragraphs"]), entry.get("dateline")))
    documents += [(article.text, None) for article in load_labelled_set()]
    return documents + EDGE_TEXTS


def annotations(nlp, documents) -> list[dict]:
    """Every tag and every span (start, end, label, kb_id) of each document, run stage by stage."""
    found = []
    for text, dateline in documents:
        doc = make_doc(nlp, text, dateline)
        for _name, component in nlp.pipeline:
            doc = component(doc)
        spans = {key: [(s.start, s.end, s.label_, s.kb_id_) for s in group] for key, group in doc.spans.items()}
        found.append({"tags": tags_from_doc(doc), "spans": spans, "tokens": [t.text for t in doc]})
    return found


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """(freshly built pipeline, the same read back from disk, the folder it was saved in) of every stage."""
    cache_dir = tmp_path_factory.mktemp("nlp-cache")
    built = cached_nlp(STAGES, cache_dir=cache_dir)
    folder = cache_dir / pipeline_key(STAGES)
    assert (folder / CACHE_RECORD).is_file()
    return built, read_saved_nlp(folder, STAGES), folder


def test_the_saved_pipeline_tags_exactly_like_a_fresh_build(saved):
    built, loaded, _ = saved
    assert loaded is not built and loaded.pipe_names == built.pipe_names == list(STAGES)
    documents = varied_documents()
    expected = annotations(built, documents)
    assert annotations(loaded, documents) == expected
    assert sum(len(item["tags"]["places"]) + len(item["tags"]["people"]) + len(item["tags"]["statistics"]) for item in expected) > 500


def test_components_come_back_from_disk_not_from_their_resources(saved, monkeypatch):
    import pipeline.nlp.organizations as organizations
    import pipeline.nlp.people as people
    import pipeline.nlp.places as places

    def unavailable(*args, **kwargs):
        raise AssertionError("rebuilt from the resources instead of read from disk")

    for module in (organizations, people, places):
        monkeypatch.setattr(module, "pattern_docs", unavailable)
    monkeypatch.setattr(places, "load_gazetteer", unavailable)
    monkeypatch.setattr(people, "_place_names", unavailable)
    built, _, folder = saved
    loaded = read_saved_nlp(folder, STAGES)
    text = "Menkominfo Rudiantara meresmikan program di Kota Makassar bersama Kementerian Koperasi dan UKM."
    assert annotations(loaded, [(text, None)]) == annotations(built, [(text, None)])
    assert len(loaded.get_pipe("pantau_places").matcher) > 70_000


def test_where_a_match_label_is_used_no_token_sequence_has_two(saved):
    built, loaded, _ = saved
    for nlp in (built, loaded):
        organizations, people = nlp.get_pipe("pantau_organizations"), nlp.get_pipe("pantau_people")
        for table in (organizations.exact_matcher, organizations.caseless_matcher, people.leader_matcher):
            assert len(table) > 300 and table.shared_sequences() == []


def test_a_changed_resource_or_version_means_another_key_and_a_rebuild(tmp_path, monkeypatch):
    import pipeline.nlp.assembly as assembly

    lexicon = tmp_path / "organizations.toml"
    shutil.copyfile(PROJECT_ROOT / "models" / "organizations.toml", lexicon)
    config = {"pantau_organizations": {"lexicon_path": str(lexicon)}}
    cache_dir = tmp_path / "cache"
    first_key = pipeline_key(ORGANIZATIONS_ONLY, config)
    cached_nlp(ORGANIZATIONS_ONLY, config, cache_dir=cache_dir)
    assert [path.name for path in cache_dir.iterdir()] == [first_key]

    lexicon.write_text(lexicon.read_text(encoding="utf-8") + "\n", encoding="utf-8")  # a changed resource
    second_key = pipeline_key(ORGANIZATIONS_ONLY, config)
    monkeypatch.setattr(assembly, "NLP_VERSION", "99")
    third_key = pipeline_key(ORGANIZATIONS_ONLY, config)
    assert len({first_key, second_key, third_key}) == 3
    cached_nlp(ORGANIZATIONS_ONLY, config, cache_dir=cache_dir)
    assert sorted(path.name for path in cache_dir.iterdir()) == sorted([first_key, third_key])
    assert pipeline_key(ORGANIZATIONS_ONLY) != pipeline_key(STAGES)  # the stage list is part of the key


@pytest.mark.parametrize("damage", ["truncated", "garbled", "missing"])
def test_a_damaged_saved_pipeline_is_rebuilt_with_a_one_line_warning(tmp_path, caplog, damage):
    cache_dir = tmp_path / "cache"
    built = cached_nlp(ORGANIZATIONS_ONLY, cache_dir=cache_dir)
    folder = cache_dir / pipeline_key(ORGANIZATIONS_ONLY)
    table = folder / "pantau_organizations" / "exact.msgpack"
    data = table.read_bytes()
    if damage == "truncated":
        table.write_bytes(data[: len(data) // 2])
    elif damage == "garbled":
        table.write_bytes(b"\xc1" * len(data))  # same size, not msgpack
    else:
        table.unlink()
    with caplog.at_level(logging.WARNING, logger="pipeline.nlp.assembly"):
        rebuilt = cached_nlp(ORGANIZATIONS_ONLY, cache_dir=cache_dir)
    warnings = [record for record in caplog.records if record.levelno >= logging.WARNING]
    assert len(warnings) == 1 and "building it again" in warnings[0].getMessage() and "\n" not in warnings[0].getMessage()
    text = "Kementerian Komunikasi dan Informatika (Kominfo) dan IdEA menggelar pelatihan."
    assert annotations(rebuilt, [(text, None)]) == annotations(built, [(text, None)])
    assert table.read_bytes() == data  # saved again, whole
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="pipeline.nlp.assembly"):
        read_again = cached_nlp(ORGANIZATIONS_ONLY, cache_dir=cache_dir)
    assert not caplog.records and annotations(read_again, [(text, None)]) == annotations(built, [(text, None)])


def test_load_nlp_saves_under_the_data_dir_and_reads_it_back(tmp_path):
    from pantau.core.config import get_settings
    from pipeline.nlp.assembly import load_nlp

    load_nlp.cache_clear()
    try:
        first = load_nlp()
        folder = get_settings().data_dir / "cache" / "nlp" / pipeline_key(STAGES)
        assert (folder / CACHE_RECORD).is_file()
        load_nlp.cache_clear()
        second = load_nlp()
        assert second is not first and second._path == folder  # read from disk, not built
    finally:
        load_nlp.cache_clear()


def test_a_pipeline_saved_meanwhile_by_another_process_is_kept(tmp_path):
    from pipeline.nlp.assembly import save_nlp

    cache_dir = tmp_path / "cache"
    nlp = cached_nlp(ORGANIZATIONS_ONLY, cache_dir=cache_dir)
    key = pipeline_key(ORGANIZATIONS_ONLY)
    record = (cache_dir / key / CACHE_RECORD).stat().st_ino
    save_nlp(nlp, cache_dir / key, key)  # a second process that built it at the same time
    assert (cache_dir / key / CACHE_RECORD).stat().st_ino == record
    assert [path.name for path in cache_dir.iterdir()] == [key]  # no staging folder left behind
