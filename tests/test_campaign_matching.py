"""Campaign matching with a real embedding model (the English fallback, shipped as a package).

The default multilingual model's figures are measured by `pantau eval campaigns` (see
test_campaign_eval.py); here the behaviour is checked: decisions and reasons, dates, mentions in
passing, bad input, long articles, vectors from the store's cache (the embedder's chunks).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import select

from pantau.core.campaigns import load_campaigns
from pantau.core.errors import InputError
from pipeline.campaigns import ArticleForMatching, CampaignMatcher
from pipeline.campaigns.matching import SimilarityScale

PROJECT_ROOT = Path(__file__).resolve().parents[1]
ARTICLES = PROJECT_ROOT / "tests" / "data" / "campaigns" / "articles"


@pytest.fixture(scope="module")
def embedder():
    from pipeline.embeddings import load_embedder

    return load_embedder("minilm", device="cpu")


@pytest.fixture(scope="module")
def matcher(embedder):
    return CampaignMatcher(load_campaigns(PROJECT_ROOT / "campaigns.toml"), embedder)


def labelled(name: str) -> ArticleForMatching:
    from pipeline.evaluation.campaigns import parse_labelled_article

    article = parse_labelled_article(ARTICLES / name)
    return ArticleForMatching(article.title, article.text, article.published_at)


def by_id(decisions):
    return {d.campaign_id: d for d in decisions}


def test_a_decision_for_every_campaign_with_reasons(matcher) -> None:
    decisions = matcher.match(labelled("01-laju-digital-peluncuran.txt"))
    assert [d.campaign_id for d in decisions] == [c.id for c in matcher.campaigns]
    laju = by_id(decisions)["laju-digital"]
    assert laju.matched and laju.name == "Laju Digital" and 0.5 <= laju.score <= 1.0
    assert "alias 'Laju Digital' in title" in laju.reasons
    assert any(r.startswith("query matched: ") for r in laju.reasons)
    assert any(r.startswith("paragraph") and " similar " in r for r in laju.reasons)
    assert "spokesperson 'Ruben Hattari' named" in laju.reasons
    others = [d for d in decisions if d.campaign_id != "laju-digital"]
    assert not any(d.matched for d in others)


def test_published_before_the_campaign_started_is_not_matched(matcher) -> None:
    article = labelled("01-laju-digital-peluncuran.txt")
    article.published_at = datetime(2016, 3, 6, tzinfo=UTC)
    laju = by_id(matcher.match(article))["laju-digital"]
    assert not laju.matched
    assert "published 2016-03-06, before the campaign started (2018-01-01)" in laju.reasons


def test_unknown_date_is_said_not_guessed(matcher) -> None:
    article = labelled("01-laju-digital-peluncuran.txt")
    article.published_at = None
    laju = by_id(matcher.match(article))["laju-digital"]
    assert laju.matched
    assert "publication date unknown: active dates not checked" in laju.reasons


def test_a_campaign_named_in_passing_is_not_matched(matcher) -> None:
    decision = by_id(matcher.match(labelled("39-neg-facebook-kantor-sepintas-laju.txt")))["laju-digital"]
    assert not decision.matched
    assert any(r.startswith("query matched by one mention in passing: ") for r in decision.reasons)


def test_organisers_found_in_the_text_or_the_tag_lists(matcher) -> None:
    text = "Pelatihan pemasaran untuk pedagang pasar digelar pekan ini."
    plain = by_id(matcher.match(ArticleForMatching("Pelatihan", text, None)))["gapura-digital"]
    tagged = by_id(matcher.match(ArticleForMatching("Pelatihan", text, None, organizations=["Google Indonesia"], people=["Randy Jusuf"])))["gapura-digital"]
    assert not any(r.startswith("organiser") for r in plain.reasons)
    assert "organiser 'Google Indonesia' named" in tagged.reasons and "spokesperson 'Randy Jusuf' named" in tagged.reasons
    assert tagged.score > plain.score and not tagged.matched  # organisers never match on their own


def test_empty_text_is_decided_on_the_title(matcher) -> None:
    decisions = by_id(matcher.match(ArticleForMatching("Gapura Digital hadir di Ambon", "", None)))
    gapura = decisions["gapura-digital"]
    assert "no text to compare with the description" in gapura.reasons
    assert "alias 'Gapura Digital' in title" in gapura.reasons
    assert all(0.0 <= d.score <= 1.0 for d in decisions.values())
    assert not any(d.matched for d in by_id(matcher.match(ArticleForMatching("", "", None))).values())


def test_a_long_article_with_one_relevant_section_still_matches(matcher) -> None:
    filler = [f"Paragraf {n}: pertandingan sepak bola antarkampung berlangsung meriah di lapangan desa, penonton bersorak." for n in range(1, 301)]
    relevant = labelled("17-gapura-digital-yogyakarta.txt").text.splitlines()
    text = "\n".join(filler[:150] + relevant + filler[150:])
    passages = matcher.passages(text)
    assert " ".join(p.text for p in passages).split() == text.split()  # nothing dropped
    gapura = by_id(matcher.match(ArticleForMatching("Kabar desa pekan ini", text, datetime(2016, 5, 1))))["gapura-digital"]
    assert gapura.matched
    best = next(r for r in gapura.reasons if " similar " in r)
    # The reason names paragraphs of the relevant section (151 to 150 + its length), not filler.
    first, _, last = best.split()[1].partition("-")
    assert int(first) <= 150 + len(relevant) and int(last or first) >= 151, best


def test_reasons_name_the_paragraphs_of_the_best_passage(matcher) -> None:
    article = labelled("22-bbi-peluncuran.txt")
    passages = matcher.passages(article.text)
    assert len(passages) > 1 and passages[0].first_paragraph == 1 and passages[-1].last_paragraph == len(article.text.splitlines())
    reason = next(r for r in by_id(matcher.match(article))["umkm-go-digital"].reasons if " similar " in r)
    label, similarity = reason.split(" similar ")
    row = [p.label for p in passages].index(label)
    expected = float(matcher.embedder.embed_passages([passages[row].text])[0] @ matcher.description_vectors[[c.id for c in matcher.campaigns].index("umkm-go-digital")])
    assert float(similarity) == pytest.approx(expected, abs=0.006)


def test_the_process_stage_passes_cached_vectors_and_nothing_is_embedded_again(matcher, embedder, store, monkeypatch) -> None:
    from types import SimpleNamespace

    from pantau.store.tables import Embedding
    from pipeline.process import stored_vectors

    names = ["22-bbi-peluncuran.txt", "33-neg-palapa-ring.txt"]  # one that could match, one that could not
    expected = matcher.match_many([labelled(n) for n in names])  # the matcher embedding itself
    analyzer = SimpleNamespace(matcher=matcher, embedder=embedder)
    with store.session() as session:  # the cache table, filled in one batch
        cached = matcher.match_many([labelled(n) for n in names], stored_vectors(session, analyzer))
        rows = {row.chunk_count for row in session.scalars(select(Embedding))}
    assert rows == {0, len(matcher.passages(labelled(names[0]).text))}  # the second text's chunks were not embedded

    def no_model(texts):
        raise AssertionError(f"embedded {len(texts)} passage(s) again")

    monkeypatch.setattr(embedder, "embed_passages", no_model)
    with store.session() as session:  # a re-run reads the stored rows
        again = matcher.match_many([labelled(n) for n in names], stored_vectors(session, analyzer))
    for given in (cached, again):
        assert [[(d.campaign_id, d.matched, d.reasons) for d in ds] for ds in given] == [
            [(d.campaign_id, d.matched, d.reasons) for d in ds] for ds in expected]
        assert [d.score for ds in given for d in ds] == pytest.approx([d.score for ds in expected for d in ds], abs=1e-3)


def test_passages_are_compared_only_for_articles_that_could_match(matcher) -> None:
    could, could_not = labelled("22-bbi-peluncuran.txt"), labelled("33-neg-palapa-ring.txt")
    assert matcher.needs_passages([could, could_not]) == [True, False]
    asked = []

    def recording(texts, with_chunks):
        asked.append(list(with_chunks))
        return matcher.compute_vectors(texts, with_chunks)

    decisions = matcher.match_many([could, could_not], recording)
    assert asked == [[True, False]]
    # The one that could not match is compared by its lead, and says so; no campaign is matched.
    assert all(any(r.startswith("lead similar ") for r in d.reasons) and not d.matched for d in decisions[1])
    assert not any(any(r.startswith("lead similar ") for r in d.reasons) for d in decisions[0])
    # Comparing every passage of it would not change a decision: the lead only lowers the score.
    everything = matcher.match_many([could_not], lambda texts, flags: matcher.compute_vectors(texts, [True] * len(texts)))[0]
    assert [d.matched for d in everything] == [d.matched for d in decisions[1]]
    weight = matcher.weights.semantic
    for lead_only, passages in zip(decisions[1], everything, strict=True):
        assert lead_only.score <= passages.score + 1e-6 and passages.score - lead_only.score <= weight + 1e-6


def test_vectors_that_do_not_line_up_are_refused(matcher, embedder) -> None:
    from pipeline.embeddings import ArticleVectors

    article = labelled("22-bbi-peluncuran.txt")
    wrong_dimension = ArticleVectors(np.ones(embedder.dim, np.float32), np.ones((2, embedder.dim + 1), np.float32))
    with pytest.raises(InputError, match="dimensions"):
        matcher.match_many([article], lambda texts, flags: [wrong_dimension])
    # One vector too many: the reasons could not name the right paragraph.
    rows = len(matcher.passages(article.text)) + 1
    one_too_many = ArticleVectors(np.ones(embedder.dim, np.float32), np.ones((rows, embedder.dim), np.float32))
    with pytest.raises(InputError, match="chunks"):
        matcher.match_many([article], lambda texts, flags: [one_too_many])


def test_match_many_equals_match(matcher) -> None:
    names = ["02-laju-digital-makassar.txt", "33-neg-palapa-ring.txt"]
    batch = matcher.match_many([labelled(n) for n in names])
    assert [[(d.campaign_id, d.score, d.matched) for d in ds] for ds in batch] == [
        [(d.campaign_id, d.score, d.matched) for d in matcher.match(labelled(n))] for n in names
    ]


def test_passages_fit_the_model(embedder) -> None:
    assert embedder.chunk_tokens <= embedder.max_chunk_tokens
    texts = [labelled(path.name).text for path in sorted(ARTICLES.glob("*.txt"))]
    passages = [p.text for text in texts for p in embedder.chunk(text)]
    assert max(embedder.count_tokens_many(passages)) <= embedder.chunk_tokens
    assert len(passages) > len(texts)  # 150-350 words: passages of a few paragraphs, not whole articles


def test_similarity_scale_clamps() -> None:
    scale = SimilarityScale(0.8, 0.9)
    assert scale.normalise(0.7) == 0.0 and scale.normalise(0.95) == 1.0
    assert scale.normalise(0.85) == pytest.approx(0.5)


def test_an_uncalibrated_model_gets_a_scale_from_anchor_texts(embedder) -> None:
    from pipeline.campaigns.matching import load_calibration, similarity_scale

    calibration = load_calibration()
    calibration["models"] = {}
    descriptions = embedder.embed_queries(["Program pelatihan UKM"])
    scale = similarity_scale(embedder, descriptions, calibration)
    assert scale.source == "estimated from anchor texts"
    assert -1.0 < scale.unrelated < scale.related < 1.0
