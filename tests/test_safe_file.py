"""io.safe_file: no write lands on a database, none is ever half-written at its target."""

from __future__ import annotations

import errno
import os
import sqlite3
from pathlib import Path

import pytest

from grassroots_tui.domain.errors import DomainError
from grassroots_tui.io import safe_file
from grassroots_tui.io.safe_file import TargetExists, atomic_write, check_target


def _sqlite(path: Path) -> Path:
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE t (x)")
    con.commit()
    con.close()
    return path


def test_open_database_and_its_companions_are_refused(tmp_path: Path) -> None:
    db = _sqlite(tmp_path / "data.sqlite3")
    for name in ("data.sqlite3", "data.sqlite3-wal", "data.sqlite3-shm", "data.sqlite3-journal"):
        with pytest.raises(DomainError, match="数据库文件") as caught:
            check_target(tmp_path / name, force=True, protected=[db])
        assert not isinstance(caught.value, TargetExists)
    # The same file reached by another path (a link), and its -wal before SQLite made one.
    (tmp_path / "link.csv").symlink_to(db)
    with pytest.raises(DomainError, match="数据库文件"):
        check_target(tmp_path / "link.csv", force=True, protected=[db])


def test_any_other_sqlite_database_is_refused_even_with_force(tmp_path: Path) -> None:
    other = _sqlite(tmp_path / "export.csv")  # a database whatever its name
    with pytest.raises(DomainError, match="数据库文件"):
        check_target(other, force=True)


def test_existing_ordinary_file_needs_force(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    target.write_text("old")
    with pytest.raises(TargetExists, match="已存在"):
        check_target(target)
    assert check_target(target, force=True) == target
    assert check_target(tmp_path / "new.csv") == tmp_path / "new.csv"


def test_folders_are_refused(tmp_path: Path) -> None:
    with pytest.raises(DomainError, match="文件夹"):
        check_target(tmp_path, force=True)
    with pytest.raises(DomainError, match="不存在"):
        check_target(tmp_path / "missing" / "x.csv")


def test_atomic_write_replaces_only_on_success(tmp_path: Path) -> None:
    target = tmp_path / "paper.html"
    target.write_text("old")
    with pytest.raises(RuntimeError):
        with atomic_write(target) as tmp:
            tmp.write_text("half")
            raise RuntimeError("killed")
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["paper.html"]
    with atomic_write(target) as tmp:
        assert tmp.parent == target.parent and tmp.name.endswith(".part")
        assert (tmp.stat().st_mode & 0o777) == 0o600 or os.name != "posix"
        tmp.write_text("new")
    assert target.read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["paper.html"]


def test_full_disk_is_one_chinese_sentence_and_leaves_the_old_file(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "meetings.ics"
    target.write_text("old")

    def full(_path: Path) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(safe_file, "fsync_file", full)
    with pytest.raises(DomainError, match="磁盘空间不足") as caught:
        safe_file.write_text(target, "new")
    assert "No space" not in caught.value.message
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["meetings.ics"]


def test_final_mode_can_be_set(tmp_path: Path) -> None:
    target = safe_file.write_bytes(tmp_path / "b.sqlite3.bak", b"x", mode=0o600)
    if os.name == "posix":
        assert target.stat().st_mode & 0o777 == 0o600


def test_a_file_too_large_reads_as_a_full_disk(tmp_path: Path) -> None:
    message = safe_file.os_error_message(OSError(errno.EFBIG, "File too large"), tmp_path / "x.html")
    assert "磁盘空间不足" in message and "File too large" not in message


def test_sqlite_ok_lets_a_backup_replace_an_older_backup_but_never_the_database(tmp_path: Path) -> None:
    db = _sqlite(tmp_path / "data.sqlite3")
    older = _sqlite(tmp_path / "data.auto-20261001.sqlite3")
    assert check_target(older, force=True, protected=[db], sqlite_ok=True) == older
    with pytest.raises(TargetExists):
        check_target(older, protected=[db], sqlite_ok=True)
    for name in ("data.sqlite3", "data.sqlite3-wal", "data.sqlite3-shm"):
        with pytest.raises(DomainError, match="数据库文件"):
            check_target(tmp_path / name, force=True, protected=[db], sqlite_ok=True)
