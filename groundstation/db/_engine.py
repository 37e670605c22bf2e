"""Engine, sessions and migrations: SQLite (WAL) in the data directory, or PostgreSQL by URL."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import anyio.to_thread
from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from groundstation.config import Settings

__all__ = ["Database", "database_url", "migrate"]

_log = logging.getLogger(__name__)
_ALEMBIC_DIR = Path(__file__).resolve().parent / "alembic"
T = TypeVar("T")


def database_url(settings: Settings) -> str:
    """The configured URL, or SQLite in ``data_dir`` by default."""
    if settings.storage.database_url:
        return settings.storage.database_url
    return f"sqlite:///{(settings.data_dir / 'station.sqlite3').resolve()}"


def _sqlite_pragmas(busy_timeout_ms: int) -> Callable[[Any, Any], None]:
    def on_connect(dbapi_conn: Any, _record: Any) -> None:
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={busy_timeout_ms}")
        cursor.close()

    return on_connect


def _make_engine(url: str, settings: Settings) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            connect_args={
                "check_same_thread": False,
                "timeout": settings.storage.sqlite_busy_timeout_s,
            },
        )
        event.listen(
            engine,
            "connect",
            _sqlite_pragmas(int(settings.storage.sqlite_busy_timeout_s * 1000)),
        )
        return engine
    return create_engine(url, pool_pre_ping=settings.storage.pool_pre_ping)


def migrate(engine: Engine) -> None:
    """Bring the schema up to the newest Alembic revision (idempotent)."""
    config = Config()
    config.set_main_option("script_location", str(_ALEMBIC_DIR))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")


class Database:
    """The station's engine and session factory; migrations are applied when it is opened."""

    def __init__(self, settings: Settings) -> None:
        self.url = database_url(settings)
        self.engine = _make_engine(self.url, settings)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self.engine.dialect.name

    def open(self) -> None:
        """Apply migrations; call once at start-up."""
        migrate(self.engine)
        _log.info("database ready (%s)", self.engine.url.render_as_string(hide_password=True))

    def close(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session that commits on success and rolls back on error."""
        with self.sessions() as session, session.begin():
            yield session

    def run_sync(self, fn: Callable[[Session], T]) -> T:
        """Run ``fn(session)`` in one transaction (blocking)."""
        with self.session() as session:
            return fn(session)

    async def run(self, fn: Callable[[Session], T]) -> T:
        """Run ``fn(session)`` in one transaction on a worker thread."""
        return await anyio.to_thread.run_sync(self.run_sync, fn)
