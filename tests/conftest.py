"""Shared fixtures: an isolated configuration per test, stores on SQLite and PostgreSQL, ../shared."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from pantau.core.config import reload_settings

PROJECT_ROOT = Path(__file__).resolve().parents[1]

# Read once, before the per-test isolation removes DATABASE_URL from the environment.
_DATABASE_URL_AT_START = os.environ.get("DATABASE_URL", "")
_PROJECT_MODELS_DIR = os.environ.get("PANTAU_MODELS_DIR") or str(PROJECT_ROOT / "data" / "models")


def postgres_url() -> str | None:
    """The PostgreSQL server the store tests use: PANTAU_TEST_POSTGRES_URL, else DATABASE_URL."""
    url = os.environ.get("PANTAU_TEST_POSTGRES_URL") or _DATABASE_URL_AT_START
    return url if url.startswith("postgresql") else None


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every test gets its own data dir and SQLite file; prepared models stay shared (read-only)."""
    monkeypatch.setenv("PANTAU_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("PANTAU_MODELS_DIR", _PROJECT_MODELS_DIR)
    monkeypatch.setenv("PANTAU_CONFIG", str(tmp_path / "pantau.toml"))
    monkeypatch.setenv("PANTAU_CAMPAIGNS_FILE", str(PROJECT_ROOT / "campaigns.toml"))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("DO_NOT_TRACK", "1")
    monkeypatch.setenv("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    reload_settings()
    yield
    reload_settings()


@pytest.fixture
def shared_dir() -> Path:
    """../shared (or $PANTAU_SHARED); the test is skipped when it is absent."""
    from pipeline.evaluation import shared_dir as locate

    path = locate()
    if not path.is_dir():
        pytest.skip(f"reference data not available at {path} (set PANTAU_SHARED)")
    return path


@pytest.fixture
def sqlite_store(tmp_path: Path):
    from pantau.store import open_store

    store = open_store(f"sqlite:///{tmp_path / 'pantau.db'}")
    yield store
    store.dispose()


# The default store for tests that do not care about the backend.
store = sqlite_store


@pytest.fixture
def postgres_store():
    """A migrated store in a new, empty PostgreSQL database, dropped afterwards."""
    url = postgres_url()
    if url is None:
        if os.environ.get("CI"):
            pytest.fail("CI must run the store tests on PostgreSQL: .ci/run sets DATABASE_URL")
        pytest.skip("PostgreSQL not configured: set DATABASE_URL or PANTAU_TEST_POSTGRES_URL to postgresql+psycopg://...")
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from pantau.store import open_store

    name = f"pantau_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    store = open_store(make_url(url).set(database=name).render_as_string(hide_password=False))
    try:
        yield store
    finally:
        store.dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def any_store(request: pytest.FixtureRequest):
    """The same test on SQLite and on PostgreSQL."""
    return request.getfixturevalue("sqlite_store" if request.param == "sqlite" else "postgres_store")
