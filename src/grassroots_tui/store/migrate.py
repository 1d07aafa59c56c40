"""Alembic migrations run from code: `grassroots init` and every open upgrade the file.

Before an existing database is upgraded, a backup copy is written next to it with
SQLite's online backup API.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from datetime import datetime
from pathlib import Path

from typing import TYPE_CHECKING

from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent / "migrations"

# The newest revision in migrations/versions. Kept here so that opening a current
# database needs no Alembic import (a test checks it matches the scripts).
HEAD_REVISION = "0005"


def alembic_config(engine: Engine | None) -> "Config":
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def head_revision() -> str:
    """The head according to the migration scripts themselves."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config(None))
    head = script.get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        try:
            return conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
        except OperationalError:  # no alembic_version table: a new file
            return None


def has_tables(path: Path) -> bool:
    if not path.exists() or path.stat().st_size == 0:
        return False
    con = sqlite3.connect(path)
    try:
        return con.execute("SELECT count(*) FROM sqlite_master WHERE type='table'").fetchone()[0] > 0
    finally:
        con.close()


def backup(path: Path, revision: str | None) -> Path:
    """The copy kept before an upgrade: single-file, 0600, fsynced under a temporary name, renamed in.

    (The store imports nothing of io/, so this repeats the few lines of `safe_file.atomic_write`.)
    """
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.stem}.backup-{stamp}-{revision or 'none'}{path.suffix}")
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)  # 0600
    os.close(fd)
    tmp = Path(name)
    try:
        src = sqlite3.connect(path)
        dst = sqlite3.connect(tmp)
        try:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        finally:
            dst.close()
            src.close()
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, target)
        if os.name == "posix":
            folder = os.open(target.parent, os.O_RDONLY)
            try:
                os.fsync(folder)
            finally:
                os.close(folder)
    finally:
        tmp.unlink(missing_ok=True)
    return target


class UnknownRevision(Exception):
    """The database was written by a newer version of the program."""


def upgrade(engine: Engine, path: Path, revision: str = "head") -> Path | None:
    """Bring the database to `revision`; returns the backup path when one was made."""
    current = current_revision(engine)
    target = HEAD_REVISION if revision == "head" else revision
    if current == target:
        return None
    from alembic import command
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config(engine))
    if current is not None:
        try:
            script.get_revision(current)
        except Exception as exc:  # alembic raises several types here
            raise UnknownRevision(current) from exc
    made = backup(path, current) if has_tables(path) else None
    command.upgrade(alembic_config(engine), revision)
    return made
