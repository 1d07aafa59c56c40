"""Alembic migrations run from code: `grassroots init` and every open upgrade the file.

Before an existing database is upgraded, a backup copy is written next to it with
SQLite's online backup API.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.engine import Engine

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent / "migrations"

# The newest revision in migrations/versions. Kept here so that opening a current
# database needs no Alembic import (a test checks it matches the scripts).
HEAD_REVISION = "0010"


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
    import sqlalchemy as sa

    with engine.connect() as conn:
        if not sa.inspect(conn).has_table("alembic_version"):
            return None  # a new file or an empty database
        return conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()


def has_tables(path: Path) -> bool:
    if not path.exists() or path.stat().st_size == 0:
        return False
    con = sqlite3.connect(path)
    try:
        return con.execute("SELECT count(*) FROM sqlite_master WHERE type='table'").fetchone()[0] > 0
    finally:
        con.close()


def backup(path: Path, revision: str | None, now: datetime | None = None) -> Path:
    """The copy kept before an upgrade: single-file, 0600, fsynced under a temporary name, renamed in.

    Its name carries `now`, the committee's time (the workspace passes its clock, in the
    committee's zone), like every time the clerk sees; without it, the machine's clock in UTC.
    (The store imports nothing of io/, so this repeats the few lines of `safe_file.atomic_write`.)
    """
    stamp = (now or datetime.now(timezone.utc)).strftime("%Y%m%d-%H%M%S")
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


class ForeignFile(Exception):
    """The file is not a grassroots database; `reason` says what it is instead."""

    def __init__(self, reason: str, tables: tuple[str, ...] = ()) -> None:
        super().__init__(reason)
        self.reason = reason  # "not_sqlite" | "unreadable" | "foreign"
        self.tables = tables


SQLITE_MAGIC = b"SQLite format 3\x00"
# Tables every grassroots database has had since revision 0001.
CORE_TABLES = frozenset({"setting", "clerk", "concern", "resident"})


def check_file(path: Path) -> str | None:
    """Refuse, without changing a byte of it, a file that is not a grassroots database.

    Returns the file's revision (None for a missing or empty file, which may be
    initialised). Raises ForeignFile for a file that is not SQLite, cannot be read, or
    holds another program's tables, and UnknownRevision for a newer program's database.
    Runs before the engine connects, since the engine's first connection switches the
    file to WAL. A grassroots database always has alembic_version: the first migration
    creates the tables and stamps the revision in one transaction, so there is no such
    thing as an unstamped grassroots file.
    """
    try:
        with path.open("rb") as fh:
            head = fh.read(100)
    except FileNotFoundError:
        return None
    except IsADirectoryError:
        raise ForeignFile("directory") from None
    if not head:
        return None
    if len(head) < 100 or not head.startswith(SQLITE_MAGIC):
        raise ForeignFile("not_sqlite")
    try:
        # mode=ro: this connection can write nothing; the file stays as it is.
        con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error:
        raise ForeignFile("unreadable") from None
    try:
        names = tuple(sorted(r[0] for r in con.execute(
            "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%'")))
        revision = None
        if "alembic_version" in names:
            revision = con.execute("SELECT version_num FROM alembic_version").fetchone()
            revision = revision[0] if revision else None
    except sqlite3.Error:
        raise ForeignFile("unreadable") from None
    finally:
        con.close()
    if not names:
        return None  # an empty SQLite file: a new database
    if "alembic_version" not in names or not CORE_TABLES <= set(names):
        raise ForeignFile("foreign", tuple(n for n in names if n != "alembic_version"))
    if revision is None:
        raise ForeignFile("unreadable")  # our tables but no revision row: not something we wrote
    if revision != HEAD_REVISION and not _known_revision(revision):
        raise UnknownRevision(revision)
    return revision


def _known_revision(revision: str) -> bool:
    from alembic.script import ScriptDirectory

    try:
        return ScriptDirectory.from_config(alembic_config(None)).get_revision(revision) is not None
    except Exception:  # noqa: BLE001 - alembic raises several types here
        return False


def upgrade(engine: Engine, path: Path, revision: str = "head", now: datetime | None = None) -> Path | None:
    """Bring the database to `revision`; returns the backup path when one was made.

    `now` (the committee's time) names the backup, see `backup`.
    """
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
    made = backup(path, current, now) if has_tables(path) else None
    command.upgrade(alembic_config(engine), revision)
    return made


def upgrade_server(engine: Engine, revision: str = "head") -> None:
    """Bring a PostgreSQL database to `revision`. A database holding other tables and no
    version of ours is refused before anything is written (ForeignFile "foreign").

    Backups of a server database are the server's business (pg_dump), not a copy beside a file.
    """
    import sqlalchemy as sa

    current = current_revision(engine)
    if current is None:
        names = [n for n in sa.inspect(engine).get_table_names() if n != "alembic_version"]
        if names:
            raise ForeignFile("foreign", tuple(sorted(names)))
    target = HEAD_REVISION if revision == "head" else revision
    if current == target:
        return
    if current is not None and not _known_revision(current):
        raise UnknownRevision(current)
    from alembic import command

    command.upgrade(alembic_config(engine), revision)
