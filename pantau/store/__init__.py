"""The store: SQLAlchemy models, migrations, sessions and full-text search."""

from pantau.store.db import Store, open_store

__all__ = ["Store", "open_store"]
