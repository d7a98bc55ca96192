"""NER-UGM QUANTITY evaluation: reading the TSV, rebuilding text, overlap scoring, and the real fold."""

from __future__ import annotations

from pathlib import Path

import pytest

from pantau.core.errors import InputError
from pipeline.evaluation.quantities import GOAL_RECALL, Sentence, evaluate, read_conll, score, to_sentence


def test_text_rebuilt_with_print_spacing_and_gold_spans(tmp_path: Path):
    tsv = tmp_path / "test.01.tsv"
    tsv.write_text("Langsat\tO\ndipatok\tO\nRp\tB-QUANTITY\n4\tI-QUANTITY\n-\tI-QUANTITY\n6\tI-QUANTITY\nribu\tI-QUANTITY\n"
                   "dari\tO\nRp\tB-QUANTITY\n10\tI-QUANTITY\nribu\tI-QUANTITY\n.\tO\n\nNaik\tO\n5\tB-QUANTITY\n%\tI-QUANTITY\n", encoding="utf-8")
    first, second = [to_sentence(tokens) for tokens in read_conll(tsv)]
    assert first.text == "Langsat dipatok Rp 4 - 6 ribu dari Rp 10 ribu."
    assert [first.text[a:b] for a, b in first.gold] == ["Rp 4 - 6 ribu", "Rp 10 ribu"]
    assert [second.text[a:b] for a, b in second.gold] == ["5%"]


def test_overlap_scoring():
    sentences = [Sentence("Rp 10 ribu dan 5 orang", [(0, 10), (15, 22)]), Sentence("tahun 2014", [])]
    scores = score(sentences, [[(3, 10)], [(6, 10)]])
    assert (scores.gold, scores.found, scores.predicted, scores.correct_predictions) == (2, 1, 2, 1)
    assert scores.recall == 0.5 and scores.precision == 0.5
    assert scores.missed == ["…Rp 10 ribu dan [[5 orang]]…"]


def test_missing_data_is_a_clear_error(tmp_path: Path):
    with pytest.raises(InputError, match="PANTAU_SHARED"):
        evaluate(tmp_path / "absent")


def test_nerugm_test_fold1_recall_meets_goal(shared_dir: Path):
    path = shared_dir / "eval" / "ner" / "indolem" / "ner" / "data" / "nerugm"
    if not path.is_dir():
        pytest.skip(f"NER-UGM not available at {path}")
    scores = evaluate(path, split="test", fold=1)
    assert scores.gold > 100
    # Measured 0.931 (95/102); precision 0.766 is reported for information only.
    assert scores.recall >= GOAL_RECALL
