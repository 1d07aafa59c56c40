"""Safekeeping: online backups, rotation, checked restores, and surviving a killed writer."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from grassroots_tui.domain.errors import DomainError
from grassroots_tui.services.backup import (
    auto_backup,
    backup_database,
    check_database,
    restore_database,
    rotate,
)
from grassroots_tui.services.concerns import ConcernDraft, log_concern
from hand_db import TZ, at

# A clerk saving concerns as fast as possible; prints each reference once its transaction committed.
WRITER = r"""
import sys
from grassroots_tui.domain.codes import Action
from grassroots_tui.domain.pipeline import Request
from grassroots_tui.services.clerks import current_clerk
from grassroots_tui.services.concerns import ConcernDraft, act, log_concern
from grassroots_tui.services.workspace import Workspace

ws = Workspace.open(sys.argv[1])
clerk = current_clerk(ws).id
print("ready", flush=True)
i = 0
while True:
    i += 1
    v = log_concern(ws, clerk, ConcernDraft(summary=f"连续保存第{i}件：楼道灯不亮", category="0105",
                                            detail="详细情况" * 200))
    act(ws, clerk, v.reference, Request(Action.DISPATCH, unit_code="WY"))
    print(v.reference, flush=True)
"""

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX-only")


def count(path: Path, sql: str) -> int:
    con = sqlite3.connect(path)
    try:
        return con.execute(sql).fetchone()[0]
    finally:
        con.close()


def consistent(path: Path) -> None:
    """Integrity and foreign keys pass, and every concern carries the events of its state."""
    rep = check_database(path)
    assert rep.ok, rep.lines()
    assert count(path, "SELECT count(*) FROM concern c WHERE NOT EXISTS (SELECT 1 FROM concern_event e "
                       "WHERE e.concern_id = c.id AND e.action = 'receive')") == 0
    assert count(path, "SELECT count(*) FROM concern c WHERE c.status = 'dispatched' AND NOT EXISTS "
                       "(SELECT 1 FROM concern_event e WHERE e.concern_id = c.id AND e.action = 'dispatch')") == 0
    assert count(path, "SELECT count(*) FROM concern c WHERE c.status = 'received' AND EXISTS "
                       "(SELECT 1 FROM concern_event e WHERE e.concern_id = c.id AND e.action = 'dispatch')") == 0


def start_writer(db_path: Path) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(db_path)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    assert proc.stdout is not None
    line = proc.stdout.readline().strip()
    assert line == "ready", proc.stderr.read() if proc.stderr else line
    return proc


def read_acks(proc: subprocess.Popen, n: int) -> list[str]:
    assert proc.stdout is not None
    acks = []
    while len(acks) < n:
        line = proc.stdout.readline()
        assert line, proc.stderr.read() if proc.stderr else "writer died"
        acks.append(line.strip())
    return acks


def kill(proc: subprocess.Popen) -> list[str]:
    """SIGKILL now; returns the acknowledgements already written to the pipe."""
    proc.send_signal(signal.SIGKILL)
    out, _err = proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    return [line.strip() for line in out.splitlines() if line.strip()]


@posix_only
def test_sigkill_in_a_burst_of_saves_loses_no_acknowledged_save(ws, db_path) -> None:  # noqa: ANN001
    ws.close()
    proc = start_writer(db_path)
    acked = read_acks(proc, 40)
    acked += kill(proc)  # in the middle of the next save
    con = sqlite3.connect(db_path)
    stored = {r[0] for r in con.execute("SELECT reference FROM concern")}
    con.close()
    assert len(acked) >= 40
    assert set(acked) <= stored  # every acknowledged save is there
    assert len(stored) - len(acked) <= 1  # at most the one in flight, and only if it committed
    consistent(db_path)


@posix_only
def test_a_backup_taken_during_writes_restores_consistently(ws, db_path, tmp_path) -> None:  # noqa: ANN001
    ws.close()
    proc = start_writer(db_path)
    try:
        read_acks(proc, 5)
        backups = []
        for i in range(3):
            backups.append(backup_database(db_path, tmp_path / f"during-{i}.sqlite3"))
            read_acks(proc, 5)
    finally:
        kill(proc)
    for b in backups:
        consistent(b)
        assert count(b, "PRAGMA journal_mode") == "delete"  # one self-contained file
    sizes = [count(b, "SELECT count(*) FROM concern") for b in backups]
    assert sizes == sorted(sizes) and sizes[0] >= 5
    target = tmp_path / "restored.sqlite3"
    result = restore_database(target, backups[-1])
    assert result.aside is None and result.concerns == sizes[-1]
    consistent(target)
    # The restored file opens in the program and takes new concerns after the restored numbers.
    from grassroots_tui.services.clerks import current_clerk
    from grassroots_tui.services.workspace import Workspace

    ws2 = Workspace.open(target)
    v = log_concern(ws2, current_clerk(ws2).id, ConcernDraft(summary="恢复后登记", category="0105"))
    ws2.close()
    assert v.reference.endswith(f"{sizes[-1] + 1:06d}")


def test_backup_is_a_checked_copy(ws, clerk_id, clock, db_path) -> None:  # noqa: ANN001
    clock.set(2026, 10, 12, 10)
    log_concern(ws, clerk_id, ConcernDraft(summary="路灯不亮", category="0302", received_at=at(2026, 10, 12, 9)))
    path = backup_database(db_path, now=datetime(2026, 10, 12, 18, 30))
    assert path == db_path.parent / "backups" / "test-20261012-183000.sqlite3"
    assert count(path, "SELECT count(*) FROM concern") == 1
    assert check_database(path).ok
    with pytest.raises(DomainError, match="找不到数据库"):
        backup_database(db_path.parent / "nope.sqlite3")


def test_auto_backup_keeps_the_newest_days(ws, clock, db_path, tmp_path) -> None:  # noqa: ANN001
    folder = db_path.parent / "backups"
    folder.mkdir()
    for day in range(1, 21):  # twenty older automatic backups and one of another database
        (folder / f"test.auto-202609{day:02d}.sqlite3").write_bytes(b"old")
    (folder / "other.auto-20260901.sqlite3").write_bytes(b"other")
    (folder / "test-20260901-120000.sqlite3").write_bytes(b"manual")
    clock.set(2026, 10, 12, 18)
    path = auto_backup(ws)
    assert path == folder / "test.auto-20261012.sqlite3" and check_database(path).ok
    autos = sorted(p.name for p in folder.glob("test.auto-*"))
    # keep_days defaults to 14: today and the 13 newest before it.
    assert autos == [f"test.auto-202609{d:02d}.sqlite3" for d in range(8, 21)] + ["test.auto-20261012.sqlite3"]
    assert (folder / "other.auto-20260901.sqlite3").exists() and (folder / "test-20260901-120000.sqlite3").exists()
    assert auto_backup(ws) == path  # a second close the same day replaces the day's file
    assert len(list(folder.glob("test.auto-*"))) == 14


def test_auto_backup_follows_the_settings(ws, clock, db_path, tmp_path) -> None:  # noqa: ANN001
    from grassroots_tui.config import Settings, packaged_data_dir

    cfg = tmp_path / "userconfig"
    cfg.mkdir(exist_ok=True)
    # The shipped settings without their [backup] table, which the test writes itself.
    base = (packaged_data_dir() / "settings.toml").read_text(encoding="utf-8").split("\n[backup]")[0]
    (cfg / "settings.toml").write_text(base + f'\n[backup]\nkeep_days = 2\nfolder = "{(tmp_path / "bk").as_posix()}"\n',
                                       encoding="utf-8")
    ws.settings = Settings()
    for day in (1, 2, 3):
        clock.set(2026, 10, day, 18)
        auto_backup(ws)
    assert sorted(p.name for p in (tmp_path / "bk").iterdir()) == ["test.auto-20261002.sqlite3",
                                                                   "test.auto-20261003.sqlite3"]
    (cfg / "settings.toml").write_text(base + "\n[backup]\nauto = false\n", encoding="utf-8")
    ws.settings = Settings()
    assert auto_backup(ws) is None


def test_rotate_ignores_other_files(tmp_path) -> None:  # noqa: ANN001
    for name in ("db.auto-20260101.sqlite3", "db.auto-20260102.sqlite3", "db.auto-x.sqlite3", "db.sqlite3"):
        (tmp_path / name).write_text("x")
    assert [p.name for p in rotate(tmp_path, "db", 1)] == ["db.auto-20260101.sqlite3"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["db.auto-20260102.sqlite3", "db.auto-x.sqlite3",
                                                          "db.sqlite3"]


def test_restore_refuses_bad_files_and_changes_nothing(ws, clerk_id, clock, db_path, tmp_path) -> None:  # noqa: ANN001
    clock.set(2026, 10, 12, 10)
    log_concern(ws, clerk_id, ConcernDraft(summary="路灯不亮", category="0302"))
    garbage = tmp_path / "garbage.sqlite3"
    garbage.write_bytes(b"this is not a database" * 100)
    other = tmp_path / "other.sqlite3"
    con = sqlite3.connect(other)
    con.execute("CREATE TABLE t (x)")
    con.commit()
    con.close()
    newer = backup_database(db_path, tmp_path / "newer.sqlite3")
    con = sqlite3.connect(newer)
    con.execute("UPDATE alembic_version SET version_num = '9999'")
    con.commit()
    con.close()
    corrupt = backup_database(db_path, tmp_path / "corrupt.sqlite3")
    data = bytearray(corrupt.read_bytes())
    page = 4096
    for i in range(page * 2, len(data) - page, page):  # scribble over b-tree pages, keep the header
        data[i + 100:i + 400] = b"\xff" * 300
    corrupt.write_bytes(bytes(data))
    for bad, words in ((garbage, "不是可用的数据库"), (other, "不是本程序的数据库"), (newer, "更新版本"),
                       (corrupt, "未做任何改动"), (tmp_path / "missing.sqlite3", "找不到备份文件")):
        with pytest.raises(DomainError, match=words):
            restore_database(db_path, bad)
    assert not list(db_path.parent.glob("*.before-restore-*"))
    ws.close()
    assert check_database(db_path).ok and count(db_path, "SELECT count(*) FROM concern") == 1


def test_restore_keeps_the_current_database_aside(ws, clerk_id, clock, db_path, tmp_path) -> None:  # noqa: ANN001
    clock.set(2026, 10, 12, 10)
    log_concern(ws, clerk_id, ConcernDraft(summary="一", category="0302"))
    good = backup_database(db_path, tmp_path / "one.sqlite3")
    log_concern(ws, clerk_id, ConcernDraft(summary="二", category="0302"))
    # Restored while the workspace is still open (its connections see the restored data).
    result = restore_database(db_path, good, now=datetime(2026, 10, 12, 11, 0, tzinfo=TZ))
    assert result.aside == db_path.with_name("test.before-restore-20261012-110000.sqlite3")
    assert count(result.aside, "SELECT count(*) FROM concern") == 2
    assert count(db_path, "SELECT count(*) FROM concern") == 1
    from grassroots_tui.services.concern_list import ConcernFilter, list_concerns

    assert [v.summary for v in list_concerns(ws, ConcernFilter())] == ["一"]
    ws.close()
    assert check_database(db_path).ok


def test_backup_restore_check_commands(ws, clerk_id, clock, db_path, tmp_path) -> None:  # noqa: ANN001
    from grassroots_tui.cli import app

    clock.set(2026, 10, 12, 10)
    log_concern(ws, clerk_id, ConcernDraft(summary="路灯不亮", category="0302"))
    ws.close()
    runner = CliRunner()
    out = tmp_path / "manual.sqlite3"
    r = runner.invoke(app, ["--db", str(db_path), "backup", "--out", str(out)])
    assert r.exit_code == 0 and "已备份到" in r.output and out.is_file()
    r = runner.invoke(app, ["--db", str(db_path), "check"])
    assert r.exit_code == 0, r.output
    assert "完整性检查：通过" in r.output and "外键检查：通过" in r.output and "诉求 1 件" in r.output
    r = runner.invoke(app, ["--db", str(db_path), "restore", str(out)])
    assert r.exit_code == 0 and "已从" in r.output and "另存为" in r.output
    r = runner.invoke(app, ["--db", str(db_path), "restore", str(tmp_path / "nope.sqlite3")])
    assert r.exit_code == 1 and "找不到备份文件" in r.output
    con = sqlite3.connect(db_path)
    con.execute("PRAGMA foreign_keys=OFF")
    con.execute("INSERT INTO concern_event (concern_id, action, at, to_status, note, data) "
                "VALUES (999, 'receive', '2026-10-12 01:00:00.000000', 'received', '', '')")
    con.commit()
    con.close()
    r = runner.invoke(app, ["--db", str(db_path), "check"])
    assert r.exit_code == 1 and "外键检查：1 行引用了不存在的记录" in r.output and "结论：有问题" in r.output


def test_a_backups_name_reads_the_committees_time_not_the_machines(ws, db_path, monkeypatch) -> None:  # noqa: ANN001
    import time
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from grassroots_tui.services.backup import backup_database

    monkeypatch.setenv("TZ", "America/Los_Angeles")
    if hasattr(time, "tzset"):
        time.tzset()
    try:
        before = datetime.now(ZoneInfo("Asia/Shanghai"))
        path = backup_database(db_path)
        after = datetime.now(ZoneInfo("Asia/Shanghai"))
    finally:
        monkeypatch.delenv("TZ")
        if hasattr(time, "tzset"):
            time.tzset()
    stamps = {f"{t:%Y%m%d-%H%M}" for t in (before, after)}
    assert any(s in path.name for s in stamps), path.name
