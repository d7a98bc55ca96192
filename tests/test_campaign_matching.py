"""Campaign matching with a real embedding model (the English fallback, shipped as a package).

The default multilingual model's figures are measured by `pantau eval campaigns` (see
test_campaign_eval.py); here the behaviour is checked: decisions and reasons, dates, mentions in
passing, bad input, long articles, precomputed vectors.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pytest

from pipeline.campaigns import ArticleForMatching, CampaignMatcher, load_campaigns, matching_passages
from pipeline.campaigns.matching import SimilarityScale, passage_words_for
from pipeline.errors import InputError

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
    article.published_at = datetime(2016, 3, 6, tzinfo=timezone.utc)
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
    passages = matching_passages(text, matcher.max_words)
    assert sum(len(p.text.split()) for p in passages) == len(text.split())  # nothing dropped
    gapura = by_id(matcher.match(ArticleForMatching("Kabar desa pekan ini", text, datetime(2016, 5, 1))))["gapura-digital"]
    assert gapura.matched
    best = next(r for r in gapura.reasons if " similar " in r)
    first_relevant = 151
    assert int(best.split()[1].split("-")[0]) >= first_relevant - 1, best


def test_precomputed_vectors_are_used_and_checked(matcher, embedder) -> None:
    article = labelled("22-bbi-peluncuran.txt")
    passages = matcher.passages(article.text)
    article.paragraph_vectors = embedder.embed_passages([p.text for p in passages])
    assert by_id(matcher.match(article))["umkm-go-digital"].reasons == by_id(matcher.match(labelled("22-bbi-peluncuran.txt")))["umkm-go-digital"].reasons
    article.paragraph_vectors = np.ones((2, embedder.dim + 1), np.float32)
    with pytest.raises(InputError, match="dimensions"):
        matcher.match(article)
    # Vectors of other chunks (e.g. the stored article chunks) still count, named by their row.
    article.paragraph_vectors = embedder.embed_passages([article.text])
    reasons = by_id(matcher.match(article))["umkm-go-digital"].reasons
    assert any(r.startswith("chunk 1 similar ") for r in reasons)


def test_match_many_equals_match(matcher) -> None:
    names = ["02-laju-digital-makassar.txt", "33-neg-palapa-ring.txt"]
    batch = matcher.match_many([labelled(n) for n in names])
    assert [[(d.campaign_id, d.score, d.matched) for d in ds] for ds in batch] == [
        [(d.campaign_id, d.score, d.matched) for d in matcher.match(labelled(n))] for n in names
    ]


def test_passages_pack_paragraphs_and_split_long_ones() -> None:
    text = "Satu dua tiga.\nEmpat lima.\n" + " ".join(["kata"] * 25) + ". " + " ".join(["lagi"] * 25) + "."
    passages = matching_passages(text, max_words=20)
    assert [p.label for p in passages][0] == "paragraphs 1-2"
    assert all(len(p.text.split()) <= 20 for p in passages)
    assert sum(len(p.text.split()) for p in passages) == len(text.split())
    assert matching_passages("") == [] and matching_passages(" \n \n") == []


def test_passages_fit_the_model(embedder) -> None:
    assert passage_words_for(embedder) * 3 <= embedder.max_chunk_tokens
    texts = [labelled(path.name).text for path in sorted(ARTICLES.glob("*.txt"))]
    passages = [p.text for text in texts for p in matching_passages(text, passage_words_for(embedder))]
    assert max(embedder.count_tokens_many(passages)) <= embedder.max_chunk_tokens


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
