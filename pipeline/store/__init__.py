"""The store: SQLAlchemy models, migrations, sessions and full-text search."""

from pipeline.store.db import Store, open_store

__all__ = ["Store", "open_store"]
