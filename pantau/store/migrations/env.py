"""Alembic environment: migrations run on the engine the Store hands over (or DATABASE_URL)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from pantau.core.config import get_settings
from pantau.store.tables import Base

config = context.config
target_metadata = Base.metadata


def _engine():
    engine = config.attributes.get("engine")
    if engine is not None:
        return engine
    return create_engine(get_settings().effective_database_url)


def run_migrations_online() -> None:
    with _engine().connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()


run_migrations_online()
