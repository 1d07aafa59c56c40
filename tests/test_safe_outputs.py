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
    from grassroots_tui.services.concern_list import ConcernFilter, list_concerns

    assert [v.summary for v in list_concerns(ws, ConcernFilter())] == ["八千页的备份"]
    ws.close()
    from grassroots_tui.services.workspace import Workspace

    again = Workspace.open(db_path, clock=clock)
    try:
        assert [v.summary for v in list_concerns(again, ConcernFilter())] == ["八千页的备份"]
    finally:
        again.close()
    assert check_database(db_path).ok


def mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


@posix_only
def test_backups_are_0600_in_a_0700_folder_and_leave_no_temporary(ws, clerk_id, clock, db_path) -> None:  # noqa: ANN001
    from grassroots_tui.services.backup import auto_backup

    log_concern(ws, clerk_id, ConcernDraft(summary="路灯不亮", category="0302"))
    old = os.umask(0o022)  # a common umask: files 0644 and folders 0755 unless we say otherwise
    try:
        manual = backup_database(db_path, now=datetime(2026, 10, 12, 18, 30))
        auto = auto_backup(ws)
        again = auto_backup(ws)  # the day's automatic backup replaced by a newer one
    finally:
        os.umask(old)
    folder = db_path.parent / "backups"
    assert auto == again and mode(folder) == 0o700
    assert mode(manual) == 0o600 and mode(auto) == 0o600
    assert sorted(p.name for p in folder.iterdir()) == sorted([manual.name, auto.name])
    assert count(auto, "SELECT count(*) FROM concern") == 1 and count(auto, "PRAGMA journal_mode") == "delete"


@posix_only
def test_the_upgrade_backup_is_0600_single_file(db_path: Path) -> None:
    from grassroots_tui.services.workspace import Workspace
    from grassroots_tui.store import migrate
    from grassroots_tui.store.engine import make_engine

    engine = make_engine(db_path)
    migrate.upgrade(engine, db_path, "0001")
    engine.dispose()
    ws = Workspace.open(db_path)
    ws.close()
    assert ws.backup_path is not None and mode(ws.backup_path) == 0o600
    assert count(ws.backup_path, "PRAGMA journal_mode") == "delete"
    assert not [p for p in db_path.parent.iterdir() if p.name.endswith(".part")]


def test_a_backup_onto_the_live_database_or_its_companions_is_refused(ws, db_path, tmp_path) -> None:  # noqa: ANN001
    other = tmp_path / "other.sqlite3"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.commit()
    before = {p: sha(p) for p in (db_path, other)}
    for target in (db_path, db_path.with_name(db_path.name + "-wal"), db_path.with_name(db_path.name + "-shm"),
                   other):
        with pytest.raises(DomainError, match="数据库文件"):
            backup_database(db_path, target, force=True)
        r = runner.invoke(app, ["--db", str(db_path), "backup", "--out", str(target), "--force"])
        assert r.exit_code == 1 and "数据库文件" in r.output and "Traceback" not in r.output
    assert {p: sha(p) for p in before} == before
    plain = tmp_path / "notes.bak"
    plain.write_text("clerk's file")
    r = runner.invoke(app, ["--db", str(db_path), "backup", "--out", str(plain)])
    assert r.exit_code == 1 and "已存在" in r.output and plain.read_text() == "clerk's file"
    r = runner.invoke(app, ["--db", str(db_path), "backup", "--out", str(plain), "--force"])
    assert r.exit_code == 0 and check_database(plain).ok


# ------------------------------------------------------------------ the command line refuses before any work

def add_meeting(db: Path) -> str:
    r = runner.invoke(app, ["meeting", "add", "--type", "consultation", "--topic", "楼道堆物", "--start",
                            "2030-12-03 14:30", "--place", "议事厅", "--json", "--db", str(db)])
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)["reference"]


def companions(db: Path) -> list[Path]:
    return [db.with_name(db.name + s) for s in ("", "-wal", "-shm")]


WRITERS = {
    "paper": lambda db, ref, out: ["meeting", "paper", ref, "--kind", "notice", "--out", str(out), "--db", str(db)],
    "ics": lambda db, ref, out: ["meeting", "ics", ref, "--out", str(out), "--db", str(db)],
    "template": lambda db, ref, out: ["resident", "template", "--out", str(out), "--db", str(db)],
}
SUFFIX = {"paper": ".html", "ics": ".ics", "template": ".csv"}


@pytest.mark.parametrize("command", sorted(WRITERS))
def test_the_database_and_any_sqlite_file_are_refused(command: str, db_path: Path, tmp_path: Path) -> None:
    ref = add_meeting(db_path)
    con = sqlite3.connect(db_path)  # keep a -wal and -shm beside the database, as while the program runs
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("BEGIN")
    con.execute("SELECT count(*) FROM meeting").fetchone()
    other = tmp_path / "other.sqlite3"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.commit()
    renamed = tmp_path / f"looks-like{SUFFIX[command]}"  # a database whatever its name
    other_bytes = other.read_bytes()
    renamed.write_bytes(other_bytes)
    files = [p for p in companions(db_path) if p.exists()] + [other, renamed]
    before = {p: sha(p) for p in files}
    for target in (*companions(db_path), db_path.with_name(db_path.name + "-journal"), other, renamed):
        for force in ([], ["--force"]):
            r = runner.invoke(app, WRITERS[command](db_path, ref, target) + force)
            assert r.exit_code == 1, (target, r.output)
            assert "数据库文件" in r.output and "Traceback" not in r.output
    con.close()
    assert {p: sha(p) for p in files if p.exists()} == {p: h for p, h in before.items() if p.exists()}
    assert sha(other) == before[other] and sha(renamed) == before[renamed]
    assert not list(tmp_path.glob(".*.part"))


@pytest.mark.parametrize("command", sorted(WRITERS))
def test_an_existing_file_is_replaced_only_with_force(command: str, db_path: Path, tmp_path: Path) -> None:
    ref = add_meeting(db_path)
    target = tmp_path / f"out{SUFFIX[command]}"
    target.write_text("书记的旧文件", encoding="utf-8")
    r = runner.invoke(app, WRITERS[command](db_path, ref, target))
    assert r.exit_code == 1 and "已存在" in r.output and "--force" in r.output
    assert target.read_text(encoding="utf-8") == "书记的旧文件"
    r = runner.invoke(app, WRITERS[command](db_path, ref, target) + ["--force"])
    assert r.exit_code == 0, r.output
    assert target.read_text(encoding="utf-8-sig") != "书记的旧文件"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_refusal_comes_before_any_work(tmp_path: Path) -> None:
    """The check runs before the database is opened: a refused command creates no database."""
    db = tmp_path / "never.sqlite3"
    folder = tmp_path / "missing"
    r = runner.invoke(app, ["meeting", "ics", "--out", str(folder / "x.ics"), "--db", str(db)])
    assert r.exit_code == 1 and "不存在" in r.output
    assert not db.exists()


# ------------------------------------------------------------------ a full disk, for real

# Reads the meeting first, then limits the size of any file this process writes (RLIMIT_FSIZE,
# SIGXFSZ ignored): a write past the limit fails with EFBIG midway, as on a full disk.
FULL_DISK = r"""
import json, resource, signal, sys
from datetime import date
from pathlib import Path

what, db, ref, target, limit = sys.argv[1:6]
meeting = None
if what in ("paper", "ics"):
    from grassroots_tui.services.meetings import get_meeting
    from grassroots_tui.services.workspace import Workspace
    ws = Workspace.open(db)
    meeting, tz = get_meeting(ws, ref), ws.tz
    ws.close()
from grassroots_tui.domain.errors import DomainError
from grassroots_tui.io import ics, paper, residents_import
import openpyxl.writer.excel  # everything imported before the limit
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (int(limit), int(limit)))
try:
    if what == "paper":
        paper.write("minutes", meeting, "幸福里社区居委会", target)
    elif what == "ics":
        ics.write_calendar(target, [meeting], committee="幸福里社区居委会", tz=tz)
    else:
        residents_import.write_template(target)
except DomainError as exc:
    print(json.dumps({"error": exc.message}, ensure_ascii=False))
else:
    print(json.dumps({"error": None}))
"""

# (what, file name, a size limit below the file's size)
FULL_CASES = [("paper", "minutes.html", 1500), ("ics", "one.ics", 400), ("template", "t.xlsx", 3000),
              ("template", "t.csv", 40)]


@posix_only
@pytest.mark.parametrize(("what", "name", "limit"), FULL_CASES)
@pytest.mark.parametrize("old", [True, False], ids=["over-a-file", "new-file"])
def test_a_full_disk_leaves_the_old_file_or_none(what: str, name: str, limit: int, old: bool,
                                                 db_path: Path, tmp_path: Path) -> None:
    ref = add_meeting(db_path)
    folder = tmp_path / "out"
    folder.mkdir()
    target = folder / name
    if old:
        target.write_bytes(b"old")

    def run(limit: int) -> dict:
        proc = subprocess.run([sys.executable, "-c", FULL_DISK, what, str(db_path), ref, str(target), str(limit)],
                              capture_output=True, text=True, timeout=120, check=False)
        assert proc.returncode == 0, proc.stderr
        return json.loads(proc.stdout.strip().splitlines()[-1])

    result = run(limit)
    assert result["error"] and "磁盘空间不足" in result["error"] and "Errno" not in result["error"]
    assert sorted(p.name for p in folder.iterdir()) == ([name] if old else [])
    if old:
        assert target.read_bytes() == b"old"
    # The limit really was below the file's size: with room enough the same write succeeds.
    assert run(10_000_000)["error"] is None
    assert target.stat().st_size > limit and sorted(p.name for p in folder.iterdir()) == [name]


# ------------------------------------------------------------------ openpyxl's temporary files

# A real XLSX export; the progress callback (called after the rows reached the sheet's file)
# says so and then waits, so the test can kill the export in the middle of writing.
XLSX_EXPORT = r"""
import sys
from grassroots_tui.services.exports import export_concerns
from grassroots_tui.services.clerks import current_clerk
from grassroots_tui.services.workspace import Workspace

db, out, wait = sys.argv[1:4]
ws = Workspace.open(db)

def progress(done, total):
    if wait == "wait":
        print("rows written", flush=True)
        sys.stdin.readline()  # killed here

export_concerns(ws, "xlsx", out, actor_id=current_clerk(ws).id, progress=progress)
ws.close()
print("done", flush=True)
"""


@pytest.fixture
def ledger_db(ws, clerk_id, db_path: Path) -> Path:  # noqa: ANN001
    from grassroots_tui.services.residents import ResidentDraft, add_resident

    add_resident(ws, clerk_id, ResidentDraft(name="张三丰", phone="13812345678", id_number="11010519491231002X",
                                             address="3-2-301", estate="幸福里"))
    for i in range(30):
        log_concern(ws, clerk_id, ConcernDraft(summary=f"第{i}件：楼道电线裸露", category="1102",
                                               resident_phone="13812345678"))
    ws.close()
    return db_path


def _export(ledger_db: Path, tmp_path: Path, wait: str) -> tuple[subprocess.Popen, Path, Path]:
    """The export running in a child whose system temp folder is an empty folder of ours."""
    tmpdir, folder = tmp_path / "systemp", tmp_path / "exports"
    tmpdir.mkdir()
    folder.mkdir()
    out = folder / "台账.xlsx"
    proc = subprocess.Popen([sys.executable, "-c", XLSX_EXPORT, str(ledger_db), str(out), wait],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "TMPDIR": str(tmpdir), "TEMP": str(tmpdir), "TMP": str(tmpdir)})
    return proc, tmpdir, out


@posix_only
def test_a_killed_xlsx_export_leaves_nothing_in_the_system_temp_folder(ledger_db: Path, tmp_path: Path) -> None:
    proc, tmpdir, out = _export(ledger_db, tmp_path, "wait")
    folder = out.parent
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert line.strip() == "rows written", proc.stderr.read() if proc.stderr else line
    # The rows went to a file beside the target (openpyxl's default: the system temp folder).
    assert [p for p in folder.iterdir() if p.name.startswith(".") and ".sheet" in p.name]
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    assert list(tmpdir.iterdir()) == []
    assert not out.exists()
    assert all(p.name.startswith(f".{out.name}") or p.name.startswith(f"..{out.name}") for p in folder.iterdir())


@posix_only
def test_an_xlsx_export_leaves_only_its_file(ledger_db: Path, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    proc, tmpdir, out = _export(ledger_db, tmp_path, "go")
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 0 and stdout.strip() == "done", stderr
    assert list(tmpdir.iterdir()) == [] and [p.name for p in out.parent.iterdir()] == [out.name]
    rows = list(load_workbook(out, read_only=True)["诉求台账"].iter_rows(values_only=True))
    assert len(rows) == 31 and any("楼道电线裸露" in str(v) for v in rows[1])


def test_a_failing_workbook_removes_its_sheet_files(tmp_path: Path) -> None:
    from openpyxl.worksheet import _writer as openpyxl_writer

    from grassroots_tui.io.xlsx_file import scratch_workbook

    target = tmp_path / "x.xlsx"
    with pytest.raises(RuntimeError):
        with scratch_workbook(target) as wb:
            sheet = wb.create_sheet("a")
            sheet.append(["张三丰", "13812345678"])
            assert [p.parent for p in wb.scratch_files] == [tmp_path]
            raise RuntimeError("export failed")
    assert list(tmp_path.iterdir()) == []
    assert not [f for f in openpyxl_writer.ALL_TEMP_FILES if f.startswith(str(tmp_path))]


BACKUP_FULL = r"""
import resource, signal, sys
from grassroots_tui.cli import app
import grassroots_tui.commands.figures, grassroots_tui.services.backup, grassroots_tui.io.safe_file
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (int(sys.argv[3]), int(sys.argv[3])))
app(["--db", sys.argv[1], "backup", "--out", sys.argv[2], *sys.argv[4:]])
"""


@posix_only
def test_a_backup_on_a_full_disk_leaves_the_old_file(ws, clerk_id, db_path: Path, tmp_path: Path) -> None:  # noqa: ANN001
    for i in range(20):
        log_concern(ws, clerk_id, ConcernDraft(summary=f"第{i}件", detail="详细情况" * 300, category="0302"))
    ws.close()
    folder = tmp_path / "keep"
    folder.mkdir()
    target = folder / "week.bak"
    target.write_bytes(b"last week")
    size = db_path.stat().st_size
    proc = subprocess.run([sys.executable, "-c", BACKUP_FULL, str(db_path), str(target), str(size // 2), "--force"],
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 1, proc.stderr
    assert "磁盘空间不足" in proc.stderr and "Traceback" not in proc.stderr
    assert target.read_bytes() == b"last week" and sorted(p.name for p in folder.iterdir()) == ["week.bak"]
