"""NER evaluation: IOB reading, exact-span scoring, and the full pipeline on NER-UI when present."""

from __future__ import annotations

from pipeline.evaluation.ner import (
    DATASETS,
    Report,
    Sentence,
    ambiguous_place_name,
    evaluate,
    place_false_positives,
    score,
    spans_from_iob,
)

NERUI = DATASETS["nerui"].label_map


def test_spans_from_iob():
    tags = ["B-PERSON", "I-PERSON", "O", "B-LOCATION", "B-LOCATION", "I-LOCATION", "I-ORGANIZATION", "O"]
    assert spans_from_iob(tags, NERUI) == {(0, 2, "PER"), (3, 4, "LOC"), (4, 6, "LOC"), (6, 7, "ORG")}
    assert spans_from_iob(["B-TIME", "I-TIME"], NERUI) == set()


def test_exact_span_scoring():
    gold = [Sentence(["Di", "Kota", "Bandung"], {(2, 3, "LOC")}), Sentence(["Ke", "Solo"], {(1, 2, "LOC")})]
    predicted = [{(1, 3, "LOC")}, {(1, 2, "LOC")}]
    report = score(gold, predicted, Report("toy", 2, [], ""))
    loc = report.per_label["LOC"]
    assert (loc.true_positive, loc.false_positive, loc.false_negative) == (1, 1, 1)
    assert loc.f1 == 0.5


def test_nerui_fold1_places(shared_dir):
    report = evaluate("nerui", root=shared_dir).as_dict()
    assert report["sentences"] > 400
    # Regression guard below the measured LOC F1 with every stage (0.76 at first; 0.82 after facilities, venues,
    # kelurahan and the people stage leaving place names alone; 0.83 after unknown names after di/ke/asal, regions of
    # regional bodies, foreign cities under 300 000 needing a cue).
    assert report["labels"]["LOC"]["f1"] > 0.82
    # Place names that are also words or names (Batu, Bima, Malang, smaller foreign cities): measured 3 wrong of 43.
    wrong = report["place_false_positives"]
    assert wrong["ambiguous_false_positive"] <= 0.15 * wrong["ambiguous_predicted"]
    assert wrong["person_as_place"] <= 3


def test_place_false_positives_count_ambiguous_names_and_people():
    gold = [Sentence(["Ia", "pindah", "ke", "Batu"], {(3, 4, "LOC")}),
            Sentence(["Batu", "itu", "besar"], set()),
            Sentence(["Bima", "Arya", "hadir"], {(0, 2, "PER")}),
            Sentence(["Bima", "hadir", "di", "Jakarta"], {(0, 1, "PER"), (3, 4, "LOC")})]
    predicted = [{(3, 4, "LOC")}, {(0, 1, "LOC")}, set(), {(0, 1, "LOC"), (3, 4, "LOC")}]
    counts = place_false_positives(gold, predicted, lambda text: text in {"Batu", "Bima"})
    assert counts == {"ambiguous_predicted": 3, "ambiguous_false_positive": 2, "person_as_place": 1,
                      "ambiguous_examples": ["Batu", "Bima"]}


def test_ambiguous_place_names_come_from_the_gazetteer():
    from pipeline.nlp.places import load_gazetteer

    is_ambiguous = ambiguous_place_name(load_gazetteer())
    assert is_ambiguous("Batu") and is_ambiguous("Bima") and is_ambiguous("Malang")
    assert not is_ambiguous("Surabaya") and not is_ambiguous("Indonesia") and not is_ambiguous("rumah")
