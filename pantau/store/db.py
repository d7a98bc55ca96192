"""Opening the store: engine, SQLite pragmas, automatic migrations, sessions, human errors."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from pantau.core.config import get_settings
from pantau.core.errors import StoreError
from pantau.store.coverage import keep_in_step

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


class Store:
    """One database: an engine, a session factory and the migration state."""

    def __init__(self, url: str, echo: bool = False, sqlite_busy_timeout_s: float = 15.0):
        self.url = url
        self.engine = _create_engine(url, echo=echo, busy_timeout_s=sqlite_busy_timeout_s)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        keep_in_step(self._sessions)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @property
    def display_url(self) -> str:
        return make_url(self.url).render_as_string(hide_password=True)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session that commits on success and rolls back on any error."""
        session = self._sessions()
        try:
            yield session
            session.commit()
        except OperationalError as error:
            session.rollback()
            raise _explain(error, self) from error
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def upgrade(self, revision: str = "head") -> None:
        from alembic import command  # noqa: PLC0415 - alembic costs ~0.2 s at every CLI start (--help loads this module); only upgrading the schema needs it

        try:
            command.upgrade(_alembic_config(self), revision)
        except (OperationalError, DBAPIError) as error:
            raise _explain(error, self) from error

    def current_revision(self) -> str | None:
        from alembic.runtime.migration import MigrationContext  # noqa: PLC0415 - alembic costs ~0.2 s at every CLI start (--help loads this module); only reading the schema's revision needs it

        try:
            with self.engine.connect() as connection:
                return MigrationContext.configure(connection).get_current_revision()
        except (OperationalError, DBAPIError) as error:
            raise _explain(error, self) from error

    def head_revision(self) -> str:
        from alembic.script import ScriptDirectory  # noqa: PLC0415 - alembic costs ~0.2 s at every CLI start (--help loads this module); only reading the head revision needs it

        head = ScriptDirectory.from_config(_alembic_config(self)).get_current_head()
        assert head is not None
        return head

    def ensure_schema(self) -> None:
        """Apply pending migrations; a no-op (one query) when the schema is current."""
        if self.current_revision() != self.head_revision():
            log.info("migrating %s to %s", self.display_url, self.head_revision())
            self.upgrade()

    def table_names(self) -> list[str]:
        return inspect(self.engine).get_table_names()

    def dispose(self) -> None:
        self.engine.dispose()


def open_store(url: str | None = None, migrate: bool = True) -> Store:
    """Open the configured store (or `url`) and bring its schema up to date."""
    if url is None:
        url = get_settings().effective_database_url
    store = Store(url)
    if migrate:
        store.ensure_schema()
    return store


def _create_engine(url: str, echo: bool, busy_timeout_s: float) -> Engine:
    try:
        parsed = make_url(url)
    except ArgumentError as error:
        raise StoreError(f"DATABASE_URL {url!r} is not a database URL; use e.g. "
                         "sqlite:///data/pantau.db or postgresql+psycopg://user@host/db") from error
    try:
        if parsed.get_backend_name() == "sqlite":
            return _create_sqlite_engine(parsed, echo, busy_timeout_s)
        # JIT compilation and parallel workers pay off for long analytical scans; pantau's queries walk
        # indexes for a page and take milliseconds, and the few that count everything are cached by
        # the API. Measured at 1,000,000 articles (EXPLAIN ANALYZE): 60 ms of JIT compiling in one
        # search, and starting parallel workers made a campaign's statistics or quotes page 70-150 ms
        # instead of 25-30 ms on a loaded two-core machine.
        connect_args = (
            {"options": "-c jit=off -c max_parallel_workers_per_gather=0"} if parsed.get_backend_name() == "postgresql" else {}
        )
        return create_engine(parsed, echo=echo, pool_pre_ping=True, future=True, connect_args=connect_args)
    except NoSuchModuleError as error:
        raise StoreError(f"DATABASE_URL uses an unsupported database driver ({parsed.drivername}); "
                         "use sqlite:/// or postgresql+psycopg://") from error
    except ModuleNotFoundError as error:
        raise StoreError(f"the database driver for {parsed.drivername} is not installed ({error.name}); "
                         "install the 'postgres' extra: pip install -e '.[postgres]'") from error


def _create_sqlite_engine(parsed, echo: bool, busy_timeout_s: float) -> Engine:  # noqa: ANN001
    database = parsed.database
    if database and database != ":memory:" and not database.startswith("file:"):
        path = Path(database)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise StoreError(f"cannot create the folder for the SQLite file {path}: {error.strerror}; "
                             "set PANTAU_DATA_DIR or DATABASE_URL to a writable place") from error
    # A writer waits this long for another process's lock before giving up with a clear error.
    engine = create_engine(parsed, echo=echo, future=True, connect_args={"timeout": busy_timeout_s})

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, _record):  # noqa: ANN001
        cursor = dbapi_connection.cursor()
        # WAL lets the dashboard read while a crawl writes; NORMAL is durable enough with WAL.
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    return engine


def _alembic_config(store: Store):  # noqa: ANN202
    from alembic.config import Config  # noqa: PLC0415 - alembic costs ~0.2 s at every CLI start (--help loads this module); only configuring a migration run needs it

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = store.engine
    return config


def _explain(error: Exception, store: Store) -> StoreError:
    message = str(getattr(error, "orig", error)).strip().splitlines()[0]
    lowered = message.lower()
    if "database is locked" in lowered:
        return StoreError(f"the SQLite database {store.display_url} is locked by another process; "
                          "wait for it to finish (or stop it) and re-run")
    if "unable to open database file" in lowered or "readonly database" in lowered:
        return StoreError(f"cannot open the SQLite database {store.display_url} ({message}); check the path and its permissions, "
                          "or set DATABASE_URL")
    if "file is not a database" in lowered:
        return StoreError(f"{store.display_url} is not a SQLite database; point DATABASE_URL at a pantau database or a new file")
    if "connection" in lowered or "could not" in lowered or "password" in lowered or "does not exist" in lowered:
        return StoreError(f"cannot connect to {store.display_url}: {message}; check DATABASE_URL and that the server is running")
    return StoreError(f"database error on {store.display_url}: {message}")
