"""No write destroys or half-writes anything: papers, calendars, templates, workbooks, backups.

Real files throughout: a real database the refusals must leave byte for byte unchanged, a
real full disk (a file size limit set in a child process, so the write fails midway with
EFBIG exactly as on a full disk), a real SIGKILL in the middle of an XLSX export.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from datetime import datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from grassroots_tui.cli import app
from grassroots_tui.domain.errors import DomainError
from grassroots_tui.services.backup import backup_database, check_database, restore_database
from grassroots_tui.services.concerns import ConcernDraft, log_concern
from hand_db import TZ

runner = CliRunner()
posix_only = pytest.mark.skipif(os.name != "posix", reason="modes, rlimits and SIGKILL are POSIX")


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def count(path: Path, sql: str) -> int:
    con = sqlite3.connect(path)
    try:
        return con.execute(sql).fetchone()[0]
    finally:
        con.close()


# ------------------------------------------------------------------ backups and restores

def test_restore_of_a_backup_with_another_page_size(ws, clerk_id, clock, db_path, tmp_path) -> None:  # noqa: ANN001
    clock.set(2026, 10, 12, 10)
    log_concern(ws, clerk_id, ConcernDraft(summary="八千页的备份", category="0302"))
    backup = backup_database(db_path, tmp_path / "big-pages.sqlite3")
    con = sqlite3.connect(backup)
    con.execute("PRAGMA page_size=8192")
    con.execute("VACUUM")
    assert con.execute("PRAGMA page_size").fetchone()[0] == 8192
    con.close()
    log_concern(ws, clerk_id, ConcernDraft(summary="恢复后不应再有", category="0302"))
    assert count(db_path, "PRAGMA page_size") == 4096
    assert count(db_path, "PRAGMA journal_mode") == "wal"
    # Restored while the workspace (WAL, 4096-byte pages) is still open.
    result = restore_database(db_path, backup, now=datetime(2026, 10, 12, 11, 0, tzinfo=TZ))
    assert result.concerns == 1 and count(result.aside, "SELECT count(*) FROM concern") == 2
    from grassroots_tui.services.concerns import ConcernFilter, list_concerns

    assert [v.summary for v in list_concerns(ws, ConcernFilter())] == ["八千页的备份"]
    ws.close()
    from grassroots_tui.services.workspace import Workspace

    again = Workspace.open(db_path, clock=clock)
    try:
        assert [v.summary for v in list_concerns(again, ConcernFilter())] == ["八千页的备份"]
    finally:
        again.close()
    assert check_database(db_path).ok
