"""Durability: every connection commits with synchronous=FULL in WAL, and a new database is private."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pytest

from grassroots_tui.services.workspace import Workspace
from grassroots_tui.store.engine import make_engine


def _pragmas(engine) -> tuple[str, int]:  # noqa: ANN001
    with engine.connect() as conn:
        return (conn.exec_driver_sql("PRAGMA journal_mode").scalar(),
                conn.exec_driver_sql("PRAGMA synchronous").scalar())


def test_reader_and_writer_connections_are_wal_and_synchronous_full(db_path: Path) -> None:
    ws = Workspace.open(db_path)
    try:
        assert _pragmas(ws.engine) == ("wal", 2)  # 2 = FULL
        assert _pragmas(ws.writer_engine) == ("wal", 2)
        # A write inside the workspace's own transaction runs on a FULL connection too.
        with ws.write() as s:
            assert s.connection().exec_driver_sql("PRAGMA synchronous").scalar() == 2
        # And a fresh pooled connection (not the first one) gets the same settings.
        with ws.engine.connect() as a, ws.engine.connect() as b:
            assert a.exec_driver_sql("PRAGMA synchronous").scalar() == 2
            assert b.exec_driver_sql("PRAGMA synchronous").scalar() == 2
    finally:
        ws.close()


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")
def test_new_database_and_its_wal_are_created_owner_only(tmp_path: Path) -> None:
    old = os.umask(0o022)  # the usual umask, which would give SQLite's own files 0644
    try:
        path = tmp_path / "new" / "committee.sqlite3"
        ws = Workspace.open(path)
        try:
            assert stat.S_IMODE(path.stat().st_mode) == 0o600
            with ws.write() as s:
                s.connection().exec_driver_sql("INSERT INTO setting (key, value) VALUES ('x', '1')")
                wal = Path(f"{path}-wal")
                assert wal.exists()
                assert stat.S_IMODE(wal.stat().st_mode) == 0o600
        finally:
            ws.close()
    finally:
        os.umask(old)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")
def test_an_existing_database_keeps_its_mode(tmp_path: Path) -> None:
    path = tmp_path / "shared.sqlite3"
    Workspace.open(path).close()
    path.chmod(0o640)  # the committee chose to share it with a group
    Workspace.open(path).close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


def test_engine_alone_creates_the_file_privately(tmp_path: Path) -> None:
    path = tmp_path / "e.sqlite3"
    engine = make_engine(path)
    try:
        assert path.exists() and path.stat().st_size == 0
        if sys.platform != "win32":
            assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert _pragmas(engine) == ("wal", 2)
    finally:
        engine.dispose()
