"""Migrations: an empty file, a populated older file (with a backup), and no drift from the models."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlmodel import SQLModel

from grassroots_tui.domain.errors import DomainError
from grassroots_tui.services.workspace import Workspace
from grassroots_tui.store import migrate
from grassroots_tui.store.engine import make_engine


def test_empty_database_is_created_at_head(db_path: Path) -> None:
    ws = Workspace.open(db_path)
    assert migrate.current_revision(ws.engine) == migrate.head_revision()
    assert ws.backup_path is None  # nothing to back up in a new file
    con = sqlite3.connect(db_path)
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert con.execute("SELECT count(*) FROM category").fetchone()[0] == 94
    ws.close()


def test_engine_sets_foreign_keys_and_busy_timeout(db_path: Path) -> None:
    engine = make_engine(db_path)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30_000
    engine.dispose()


def test_populated_older_database_is_backed_up_then_upgraded(db_path: Path) -> None:
    engine = make_engine(db_path)
    migrate.upgrade(engine, db_path, "0001")
    engine.dispose()
    con = sqlite3.connect(db_path)
    con.execute("INSERT INTO clerk (name, role, active) VALUES ('老张', '社工', 1)")
    con.commit()
    con.close()

    ws = Workspace.open(db_path)
    assert migrate.current_revision(ws.engine) == migrate.head_revision()
    assert ws.backup_path is not None and ws.backup_path.exists()
    backup = sqlite3.connect(ws.backup_path)
    assert backup.execute("SELECT version_num FROM alembic_version").fetchone()[0] == "0001"
    assert backup.execute("SELECT name FROM clerk").fetchall() == [("老张",)]
    backup.close()
    con = sqlite3.connect(db_path)
    assert ("老张",) in con.execute("SELECT name FROM clerk").fetchall()
    triggers = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='trigger'")}
    assert {"concern_event_no_update", "concern_event_no_delete"} <= triggers
    con.close()
    ws.close()


def test_the_pre_upgrade_backup_is_named_in_the_committees_time(db_path: Path) -> None:
    from datetime import datetime, timezone

    engine = make_engine(db_path)
    migrate.upgrade(engine, db_path, "0001")
    engine.dispose()
    # 17:30 UTC on 2 December is already 01:30 on 3 December in Shanghai (the committee's zone).
    ws = Workspace.open(db_path, clock=lambda: datetime(2026, 12, 2, 17, 30, 5, tzinfo=timezone.utc))
    assert ws.backup_path is not None
    assert ws.backup_path.name == "test.backup-20261203-013005-0001.sqlite3"
    ws.close()


def test_reopening_a_current_database_makes_no_backup(db_path: Path) -> None:
    Workspace.open(db_path).close()
    ws = Workspace.open(db_path)
    assert ws.backup_path is None
    ws.close()


def test_database_from_a_newer_program_is_refused_in_chinese(db_path: Path) -> None:
    Workspace.open(db_path).close()
    con = sqlite3.connect(db_path)
    con.execute("UPDATE alembic_version SET version_num = 'ffff'")
    con.commit()
    con.close()
    with pytest.raises(DomainError, match="更新版本的程序"):
        Workspace.open(db_path)


def test_migrations_match_the_models(db_path: Path) -> None:
    ws = Workspace.open(db_path)
    with ws.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    ws.close()
    assert diff == []


def test_head_constant_matches_the_migration_scripts() -> None:
    assert migrate.HEAD_REVISION == migrate.head_revision()
