"""The engine factory: SQLite with WAL, foreign keys and a busy timeout, set on connect.

Durability: WAL with `synchronous=FULL`, so a commit is on the disk (the WAL fsynced) before
the clerk is told it was saved; NORMAL would survive a crash of the program but may lose the
last commits on a power cut. A new database file is created readable by its owner only (0600);
SQLite gives its `-wal` and `-shm` files the same permissions. An existing file keeps its mode.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, create_engine

BUSY_TIMEOUT_MS = 30_000
# How long a save waits for another clerk's transaction before it gives up (milliseconds):
# this variable, else `[database] busy_timeout_seconds` in settings.toml, else 30 s.
BUSY_TIMEOUT_ENV = "GRASSROOTS_BUSY_TIMEOUT_MS"
MAX_BUSY_TIMEOUT_MS = 600_000
# A save that has waited this long for the write lock is announced to the wait listeners.
WAIT_NOTICE_MS = 1000
NEW_FILE_MODE = 0o600

# Called as listener(event, waited_seconds, limit_seconds) with event "waiting" (the write lock
# is held by someone else and this save has waited WAIT_NOTICE_MS) or "done" (the wait ended,
# with the lock or without). Called on the thread that waits; the CLI prints a line, the TUI
# posts a notification.
WaitListener = Callable[[str, float, float], None]
_wait_listeners: list[WaitListener] = []


def add_wait_listener(listener: WaitListener) -> None:
    _wait_listeners.append(listener)


def remove_wait_listener(listener: WaitListener) -> None:
    with suppress(ValueError):
        _wait_listeners.remove(listener)


def _announce(event_name: str, waited: float, limit: float) -> None:
    for listener in list(_wait_listeners):
        with suppress(Exception):  # a listener's trouble must not turn a save into a failure
            listener(event_name, waited, limit)


def busy_timeout_ms(configured: int | None = None) -> int:
    """The busy limit in force: GRASSROOTS_BUSY_TIMEOUT_MS, else `configured` (settings.toml), else 30 s."""
    raw = os.environ.get(BUSY_TIMEOUT_ENV, "").strip()
    if raw.isdigit() and int(raw) <= MAX_BUSY_TIMEOUT_MS:
        return int(raw)
    if configured is not None:
        return configured
    return BUSY_TIMEOUT_MS


def _on_connect(limit_ms: int, dbapi_connection) -> None:  # noqa: ANN001
    # Let SQLAlchemy, not the driver, decide when transactions begin (see _begin).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout={int(limit_ms)}")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.close()


def _begin(limit_ms: int, conn) -> None:  # noqa: ANN001
    # Writers take the write lock up front (BEGIN IMMEDIATE) so two clerks saving at
    # once wait on the busy timeout instead of failing on a lock upgrade.
    mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
    if mode != "IMMEDIATE":
        conn.exec_driver_sql(f"BEGIN {mode}")
        return
    _begin_immediate(conn.connection.dbapi_connection, limit_ms)


def _begin_immediate(raw: sqlite3.Connection, limit_ms: int) -> None:
    """BEGIN IMMEDIATE, waiting up to `limit_ms` for another clerk's write lock, the wait announced.

    SQLite sleeps inside its busy handler; it is given the wait in slices of WAIT_NOTICE_MS so
    that after the first slice the listeners hear that this save is waiting. No polling of
    ours: each try blocks in SQLite until the lock is free or the slice is over.
    """
    start = time.monotonic()
    announced = False
    try:
        while True:
            waited_ms = (time.monotonic() - start) * 1000
            slice_ms = max(0, min(WAIT_NOTICE_MS, limit_ms - waited_ms))
            raw.execute(f"PRAGMA busy_timeout={int(slice_ms)}")
            try:
                raw.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                waited_ms = (time.monotonic() - start) * 1000
                if storage_failure(exc) != "busy" or waited_ms >= limit_ms or slice_ms == 0:
                    raise OperationalError("BEGIN IMMEDIATE", (), exc) from exc
                if not announced:
                    announced = True
                    _announce("waiting", waited_ms / 1000, limit_ms / 1000)
    finally:
        with suppress(sqlite3.Error):
            raw.execute(f"PRAGMA busy_timeout={int(limit_ms)}")
        if announced:
            _announce("done", (time.monotonic() - start) * 1000 / 1000, limit_ms / 1000)


def create_private(path: Path) -> None:
    """Create `path` as an empty file readable by its owner only, unless it exists."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, NEW_FILE_MODE)
    except FileExistsError:
        return
    os.close(fd)


def make_engine(path: Path | str, busy_limit_ms: int | None = None) -> Engine:
    """The engine for the database at `path`; `busy_limit_ms` from settings.toml (see busy_timeout_ms)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    create_private(path)  # SQLite would create it 0644; an empty file is an empty database
    limit_ms = busy_timeout_ms(busy_limit_ms)
    engine = create_engine(f"sqlite:///{path.as_posix()}", connect_args={"check_same_thread": False})
    event.listen(engine, "connect", lambda dbapi_connection, _record: _on_connect(limit_ms, dbapi_connection))
    event.listen(engine, "begin", lambda conn: _begin(limit_ms, conn))
    return engine


def make_server_engine(url: str, busy_limit_ms: int | None = None) -> Engine:
    """A PostgreSQL engine through psycopg 3 (`pip install ".[postgres]"`).

    Statements that wait for another clerk's lock give up after the same busy limit as on SQLite
    (`lock_timeout`); connections are checked before use, as a server may restart.
    """
    from grassroots_tui.domain.errors import DomainError

    try:
        import psycopg  # noqa: F401
    except ImportError:
        raise DomainError("连接 PostgreSQL 需要 psycopg：请在程序目录运行 pip install \".[postgres]\"。", "db") from None
    limit_ms = busy_timeout_ms(busy_limit_ms)
    return create_engine(url, pool_pre_ping=True, connect_args={
        "connect_timeout": 10, "application_name": "grassroots",
        "options": f"-c lock_timeout={limit_ms} -c timezone=UTC"})


def tidy_after_bulk_load(engine: Engine) -> None:
    """The planner's statistics after many rows arrived at once (the demo, a copy). On PostgreSQL
    also VACUUM, outside a transaction, so the visibility map lets counts read the indexes alone."""
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM (ANALYZE)")
        return
    with engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")


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
    ("integer overflow", "overflow"),
    ("attempt to write a readonly database", "readonly"),
    ("unable to open database file", "unopenable"),
    ("database disk image is malformed", "corrupt"),
    ("file is not a database", "corrupt"),
)


# PostgreSQL's SQLSTATE codes -> the same kinds.
_PG_STATES = {"55P03": "busy", "40001": "busy", "40P01": "busy", "53100": "full", "25006": "readonly",
              "28P01": "denied", "28000": "denied", "42501": "denied", "3D000": "denied", "22003": "overflow",
              "58030": "io"}


def _server_failure(exc: BaseException) -> str | None:
    try:
        import psycopg
    except ImportError:
        return None
    if not isinstance(exc, psycopg.Error):
        return None
    state = getattr(exc, "sqlstate", None)
    if state in _PG_STATES:
        return _PG_STATES[state]
    if isinstance(exc, psycopg.OperationalError):
        text = str(exc).lower()
        if "password" in text or "authentication" in text or "does not exist" in text:
            return "denied"
        return "unreachable"
    return None


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
        kind = _server_failure(current)
        if kind is not None:
            return kind
        current = getattr(current, "orig", None) or current.__cause__ or current.__context__
    return None
