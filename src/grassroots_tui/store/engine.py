"""The engine factory: SQLite with WAL, foreign keys and a busy timeout, set on connect.

Durability: WAL with `synchronous=FULL`, so a commit is on the disk (the WAL fsynced) before
the clerk is told it was saved; NORMAL would survive a crash of the program but may lose the
last commits on a power cut. A new database file is created readable by its owner only (0600);
SQLite gives its `-wal` and `-shm` files the same permissions. An existing file keeps its mode.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

BUSY_TIMEOUT_MS = 5000
# How long a save waits for another clerk's transaction before it gives up (milliseconds).
BUSY_TIMEOUT_ENV = "GRASSROOTS_BUSY_TIMEOUT_MS"
NEW_FILE_MODE = 0o600


def busy_timeout_ms() -> int:
    raw = os.environ.get(BUSY_TIMEOUT_ENV, "").strip()
    if raw.isdigit() and int(raw) <= 600_000:
        return int(raw)
    return BUSY_TIMEOUT_MS


def _on_connect(dbapi_connection, _record) -> None:  # noqa: ANN001
    # Let SQLAlchemy, not the driver, decide when transactions begin (see _on_begin).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout={busy_timeout_ms()}")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.close()


def _on_begin(conn) -> None:  # noqa: ANN001
    # Writers take the write lock up front (BEGIN IMMEDIATE) so two clerks saving at
    # once wait on the busy timeout instead of failing on a lock upgrade.
    mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
    conn.exec_driver_sql(f"BEGIN {mode}")


def create_private(path: Path) -> None:
    """Create `path` as an empty file readable by its owner only, unless it exists."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, NEW_FILE_MODE)
    except FileExistsError:
        return
    os.close(fd)


def make_engine(path: Path | str) -> Engine:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    create_private(path)  # SQLite would create it 0644; an empty file is an empty database
    engine = create_engine(f"sqlite:///{path.as_posix()}", connect_args={"check_same_thread": False})
    event.listen(engine, "connect", _on_connect)
    event.listen(engine, "begin", _on_begin)
    return engine


def writer(engine: Engine) -> Engine:
    """The same engine, beginning its transactions with BEGIN IMMEDIATE."""
    return engine.execution_options(sqlite_begin="IMMEDIATE")


def session(engine: Engine) -> Session:
    return Session(engine, expire_on_commit=False)


# SQLite's words for a database that cannot be used right now -> a kind domain.errors names.
_FAILURES = (
    ("database is locked", "busy"),
    ("database table is locked", "busy"),
    ("database or disk is full", "full"),
    ("disk i/o error", "io"),
    ("attempt to write a readonly database", "readonly"),
    ("unable to open database file", "unopenable"),
    ("database disk image is malformed", "corrupt"),
    ("file is not a database", "corrupt"),
)


def storage_failure(exc: BaseException) -> str | None:
    """The kind of storage failure behind `exc` ("busy", "full", "io", ...), or None.

    Looks through SQLAlchemy's wrapper (`.orig`) and the exception's causes for the
    driver's own error.
    """
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, sqlite3.Error):
            text = str(current).lower()
            for words, kind in _FAILURES:
                if words in text:
                    return kind
            return None
        current = getattr(current, "orig", None) or current.__cause__ or current.__context__
    return None
