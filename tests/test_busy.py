"""Another clerk's long transaction never turns a save into a traceback: one Chinese sentence, nothing half-saved.

The busy timeout is shortened through GRASSROOTS_BUSY_TIMEOUT_MS so these tests do not wait 30 s.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError

from grassroots_tui.domain.errors import STORAGE_MESSAGES, StorageUnavailable
from grassroots_tui.services.errors import describe, explain
from grassroots_tui.services.residents import import_residents
from grassroots_tui.services.workspace import Workspace
from grassroots_tui.store.engine import BUSY_TIMEOUT_ENV

BUSY = STORAGE_MESSAGES["busy"]


@pytest.fixture
def short_busy_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(BUSY_TIMEOUT_ENV, "100")


class OtherClerk:
    """A second connection holding the write lock, as another clerk's save in progress does."""

    def __init__(self, path: Path) -> None:
        self.con = sqlite3.connect(path, isolation_level=None)
        self.con.execute("BEGIN IMMEDIATE")

    def release(self) -> None:
        self.con.execute("ROLLBACK")
        self.con.close()


def count(path: Path, table: str) -> int:
    con = sqlite3.connect(path)
    try:
        return con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    finally:
        con.close()


def _cli_concern_add(db_path: Path, *, limit_ms: int) -> subprocess.CompletedProcess:
    """`grassroots concern add` in its own process, with a busy limit of `limit_ms`."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path), BUSY_TIMEOUT_ENV: str(limit_ms)}
    return subprocess.run(
        [sys.executable, "-m", "grassroots_tui", "concern", "add", "--summary", "楼道灯不亮", "--category", "0302",
         "--db", str(db_path)], capture_output=True, text=True, env=env, timeout=120)


def test_cli_save_under_another_clerks_lock_says_busy_in_one_line(db_path: Path) -> None:
    Workspace.open(db_path).close()
    other = OtherClerk(db_path)
    try:
        result = _cli_concern_add(db_path, limit_ms=200)
    finally:
        other.release()
    assert result.returncode == 1
    assert result.stderr.strip() == f"错误：{BUSY}"
    assert "Traceback" not in result.stdout + result.stderr
    assert count(db_path, "concern") == 0


def test_a_workspace_write_under_a_lock_raises_the_sentence_and_saves_nothing(
        db_path: Path, clock, short_busy_timeout) -> None:  # noqa: ANN001
    ws = Workspace.open(db_path, clock=clock)
    other = OtherClerk(db_path)
    try:
        with pytest.raises(StorageUnavailable) as caught:
            ws.set_setting("committee_note", "半截")
        assert caught.value.message == BUSY and caught.value.kind == "busy"
    finally:
        other.release()
    assert ws.get_setting("committee_note") == ""
    ws.set_setting("committee_note", "保存了")  # the lock gone, the same workspace saves
    assert ws.get_setting("committee_note") == "保存了"
    ws.close()


def _driver_error(text: str) -> OperationalError:
    return OperationalError("INSERT ...", {}, sqlite3.OperationalError(text))


@pytest.mark.parametrize(("text", "kind"), [
    ("database is locked", "busy"),
    ("disk I/O error", "io"),
    ("database or disk is full", "full"),
    ("attempt to write a readonly database", "readonly"),
])
def test_one_mapping_from_driver_errors_to_sentences(text: str, kind: str) -> None:
    assert describe(_driver_error(text)) == STORAGE_MESSAGES[kind]
    assert describe(sqlite3.OperationalError(text)) == STORAGE_MESSAGES[kind]
    try:
        try:
            raise sqlite3.OperationalError(text)
        except sqlite3.OperationalError as inner:
            raise RuntimeError("wrapped") from inner
    except RuntimeError as outer:
        assert describe(outer) == STORAGE_MESSAGES[kind]


def test_other_errors_are_not_mistaken_for_a_busy_database() -> None:
    assert describe(_driver_error("no such table: concern")) is None
    assert describe(KeyError("x")) is None
    assert "意外错误" in explain(KeyError("x"), "保存")


def _register_csv(path: Path, rows: int) -> Path:
    lines = ["姓名,手机"] + [f"居民{n:05d},139{n:08d}" for n in range(rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_an_import_lets_another_clerk_save_while_it_checks_the_file(
        db_path: Path, clock, tmp_path: Path, short_busy_timeout) -> None:  # noqa: ANN001
    from grassroots_tui.services.clerks import current_clerk

    ws = Workspace.open(db_path, clock=clock)
    other = Workspace.open(db_path, clock=clock)
    saved_while_checking: list[int] = []

    def progress(done: int, total: int) -> None:
        if done < total // 2 and not saved_while_checking:  # still reading and checking rows
            other.set_setting("note", f"第 {done} 行时保存")  # fails with the busy sentence if the import held the lock
            saved_while_checking.append(done)

    report = import_residents(ws, current_clerk(ws).id, _register_csv(tmp_path / "r.csv", 1000), progress=progress)
    assert report.ok and report.imported == 1000
    assert saved_while_checking and other.get_setting("note").startswith("第 ")
    other.close()
    ws.close()


def test_an_import_that_meets_a_lock_says_busy_and_writes_nothing(
        db_path: Path, clock, tmp_path: Path, short_busy_timeout) -> None:  # noqa: ANN001
    from grassroots_tui.services.clerks import current_clerk

    ws = Workspace.open(db_path, clock=clock)
    clerk_id = current_clerk(ws).id
    other = OtherClerk(db_path)
    try:
        with pytest.raises(StorageUnavailable, match="数据库正被其他工作人员占用"):
            import_residents(ws, clerk_id, _register_csv(tmp_path / "r.csv", 50))
    finally:
        other.release()
    assert count(db_path, "resident") == 0
    assert count(db_path, "audit_log") == 0
    ws.close()


def test_a_resident_registered_meanwhile_is_reported_not_duplicated(
        db_path: Path, clock, tmp_path: Path) -> None:  # noqa: ANN001
    from grassroots_tui.services.clerks import current_clerk
    from grassroots_tui.services.residents import ResidentDraft, add_resident

    ws = Workspace.open(db_path, clock=clock)
    other = Workspace.open(db_path, clock=clock)

    def progress(done: int, total: int) -> None:
        if done == total // 2:  # checks done, the write not yet begun
            add_resident(other, 1, ResidentDraft(name="居民00007", phone="13900000007"))

    report = import_residents(ws, current_clerk(ws).id, _register_csv(tmp_path / "r.csv", 300), progress=progress)
    assert not report.ok and report.imported == 0
    assert [(e.row, e.duplicate) for e in report.errors] == [(9, True)]
    assert count(db_path, "resident") == 1
    other.close()
    ws.close()


# ------------------------------------------------------------------ the wait is seen, then refused

class HeldLock:
    """Another clerk's save on its own thread: holds the write lock until `release` is set."""

    def __init__(self, path: Path) -> None:
        import threading

        self.path = path
        self.taken = threading.Event()
        self.release = threading.Event()
        self.thread = threading.Thread(target=self._hold, daemon=True)
        self.thread.start()
        assert self.taken.wait(60)

    def _hold(self) -> None:
        con = sqlite3.connect(self.path, isolation_level=None)
        try:
            con.execute("BEGIN IMMEDIATE")
            self.taken.set()
            self.release.wait(120)
            con.execute("ROLLBACK")
        finally:
            con.close()

    def end(self) -> None:
        self.release.set()
        self.thread.join(60)


def _settings_with(tmp_config: Path, line: str) -> None:
    """The committee's settings.toml: the default with `busy_timeout_seconds` set by `line`."""
    from grassroots_tui.config import packaged_data_dir

    tmp_config.mkdir(parents=True, exist_ok=True)
    text = (packaged_data_dir() / "settings.toml").read_text(encoding="utf-8")
    assert "# busy_timeout_seconds = 30" in text
    (tmp_config / "settings.toml").write_text(text.replace("# busy_timeout_seconds = 30", line), encoding="utf-8")


def test_the_limit_comes_from_settings_toml_and_the_wait_is_announced_then_refused(
        db_path: Path, clock, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    from grassroots_tui.services.errors import announce_waits

    monkeypatch.delenv(BUSY_TIMEOUT_ENV, raising=False)
    _settings_with(Path(os.environ["GRASSROOTS_CONFIG_DIR"]), "busy_timeout_seconds = 2")
    ws = Workspace.open(db_path, clock=clock)
    with ws.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 2000
    shown: list[str] = []
    other = HeldLock(db_path)
    try:
        with announce_waits(shown.append), pytest.raises(StorageUnavailable) as caught:
            ws.set_setting("committee_note", "半截")
    finally:
        other.end()
    assert shown == ["数据库正被其他工作人员占用，正在等待（最多 2 秒）。"]  # once, after about a second
    assert caught.value.message == "数据库正被其他工作人员占用，请稍后再试。"
    assert ws.get_setting("committee_note") == ""
    ws.close()


def test_a_save_that_waits_goes_through_once_the_other_clerk_is_done(
        db_path: Path, clock, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    from grassroots_tui.services.errors import announce_waits

    monkeypatch.delenv(BUSY_TIMEOUT_ENV, raising=False)  # the default limit, 30 s
    ws = Workspace.open(db_path, clock=clock)
    other = HeldLock(db_path)
    shown: list[str] = []

    def seen(sentence: str) -> None:
        shown.append(sentence)
        other.release.set()  # the other clerk finishes while this save waits

    try:
        with announce_waits(seen):
            ws.set_setting("committee_note", "等到了")
    finally:
        other.end()
    assert shown == ["数据库正被其他工作人员占用，正在等待（最多 30 秒）。"]
    assert ws.get_setting("committee_note") == "等到了"
    ws.close()


def test_a_settings_limit_out_of_range_is_refused_in_chinese(monkeypatch: pytest.MonkeyPatch) -> None:
    from grassroots_tui.config import Settings
    from grassroots_tui.domain.errors import DomainError

    _settings_with(Path(os.environ["GRASSROOTS_CONFIG_DIR"]), "busy_timeout_seconds = 0")
    with pytest.raises(DomainError, match="busy_timeout_seconds 应为 1 到 600"):
        _ = Settings().busy_timeout_ms


def test_the_cli_shows_the_wait_on_stderr_then_one_sentence(db_path: Path) -> None:
    Workspace.open(db_path).close()
    other = HeldLock(db_path)
    try:
        result = _cli_concern_add(db_path, limit_ms=1500)
    finally:
        other.end()
    assert result.returncode == 1
    assert result.stderr.splitlines() == ["数据库正被其他工作人员占用，正在等待（最多 1.5 秒）。",
                                          "错误：数据库正被其他工作人员占用，请稍后再试。"]
    assert "Traceback" not in result.stderr and "INSERT" not in result.stderr and "locked" not in result.stderr
    assert count(db_path, "concern") == 0
