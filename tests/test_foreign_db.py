"""A file that is not a grassroots database is refused in Chinese and left byte for byte as it was."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from grassroots_tui.domain.errors import DomainError
from grassroots_tui.services.workspace import Workspace
from grassroots_tui.store import migrate


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    return subprocess.run([sys.executable, "-m", "grassroots_tui", *args], capture_output=True, text=True,
                          env=env, timeout=120)


def other_programs_database(path: Path) -> Path:
    con = sqlite3.connect(path)  # rollback journal, as most programs leave it
    con.execute("CREATE TABLE invoice (id INTEGER PRIMARY KEY, customer TEXT, amount REAL)")
    con.executemany("INSERT INTO invoice (customer, amount) VALUES (?, ?)", [("甲公司", 12.5), ("乙公司", 99.0)])
    con.execute("CREATE TABLE setting (key TEXT PRIMARY KEY, value TEXT)")  # a name we use too
    con.commit()
    con.close()
    return path


def other_alembic_database(path: Path) -> Path:
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)")
    con.execute("INSERT INTO alembic_version VALUES ('ae1027a6acf')")
    con.execute("CREATE TABLE account (id INTEGER PRIMARY KEY, email TEXT)")
    con.commit()
    con.close()
    return path


def text_file(path: Path) -> Path:
    path.write_text("姓名,电话\n张三,13812345678\n", encoding="utf-8")
    return path


def zero_filled(path: Path) -> Path:
    path.write_bytes(bytes(8192))
    return path


def workbook(path: Path) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["姓名", "电话"])
    wb.save(path)
    return path


def short_garbage(path: Path) -> Path:
    path.write_bytes(b"SQLite format 3\x00")  # the magic alone, no header
    return path


def corrupt_sqlite(path: Path) -> Path:
    other_programs_database(path)
    data = bytearray(path.read_bytes())
    data[100:4096] = b"\xff" * (4096 - 100)  # the schema page destroyed
    path.write_bytes(bytes(data))
    return path


MAKERS = {
    "another program's SQLite": (other_programs_database, "另一个程序的数据库"),
    "another program using alembic": (other_alembic_database, "另一个程序的数据库"),
    "a text file": (text_file, "不是数据库文件"),
    "a zero-filled file": (zero_filled, "不是数据库文件"),
    "an xlsx workbook": (workbook, "不是数据库文件"),
    "a truncated header": (short_garbage, "不是数据库文件"),
    "a corrupt SQLite file": (corrupt_sqlite, "无法作为本程序的数据库读取"),
}


@pytest.mark.parametrize("kind", list(MAKERS))
def test_foreign_file_is_refused_and_unchanged(tmp_path: Path, kind: str) -> None:
    make, words = MAKERS[kind]
    path = make(tmp_path / "target.db")
    before, mode = sha256(path), path.stat().st_mode
    with pytest.raises(DomainError, match=words):
        Workspace.open(path)
    assert sha256(path) == before and path.stat().st_mode == mode
    assert sorted(p.name for p in tmp_path.iterdir()) == ["target.db"]  # no -wal, -shm, backup


@pytest.mark.parametrize("kind", ["another program's SQLite", "a text file", "an xlsx workbook"])
def test_cli_refuses_a_foreign_file_with_one_chinese_line(tmp_path: Path, kind: str) -> None:
    make, words = MAKERS[kind]
    path = make(tmp_path / "target.db")
    before = sha256(path)
    result = cli("init", "--db", str(path))
    assert result.returncode == 1
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("错误：") and words in lines[0], result.stderr
    assert "Traceback" not in result.stderr
    assert sha256(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["target.db"]


def test_table_names_of_another_program_are_shown_without_control_characters(tmp_path: Path) -> None:
    path = tmp_path / "evil.db"
    con = sqlite3.connect(path)
    con.execute('CREATE TABLE "x\x1b]2;pwned\x07" (id INTEGER)')
    con.commit()
    con.close()
    with pytest.raises(DomainError) as caught:
        Workspace.open(path)
    assert "\x1b" not in caught.value.message and "\x07" not in caught.value.message
    assert "\\x1b" in caught.value.message


def test_an_empty_file_is_initialised(tmp_path: Path) -> None:
    path = tmp_path / "blank.sqlite3"
    path.touch()
    ws = Workspace.open(path)
    try:
        assert migrate.current_revision(ws.engine) == migrate.HEAD_REVISION
    finally:
        ws.close()


def test_an_empty_sqlite_database_is_initialised(tmp_path: Path) -> None:
    path = tmp_path / "vacuumed.sqlite3"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE t (x)")
    con.execute("DROP TABLE t")  # a valid SQLite file with no tables left
    con.commit()
    con.close()
    assert path.stat().st_size > 0
    ws = Workspace.open(path)
    try:
        assert migrate.current_revision(ws.engine) == migrate.HEAD_REVISION
    finally:
        ws.close()


def test_a_newer_programs_database_is_refused_before_the_engine_touches_it(tmp_path: Path) -> None:
    path = tmp_path / "newer.sqlite3"
    Workspace.open(path).close()
    con = sqlite3.connect(path)
    con.execute("UPDATE alembic_version SET version_num = 'ffff'")
    con.commit()
    con.close()
    before = sha256(path)
    with pytest.raises(DomainError, match="更新版本的程序"):
        Workspace.open(path)
    assert sha256(path) == before


def test_a_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DomainError, match="是文件夹"):
        Workspace.open(tmp_path)


def test_our_own_database_at_an_older_revision_still_opens(tmp_path: Path) -> None:
    from grassroots_tui.store.engine import make_engine

    path = tmp_path / "old.sqlite3"
    engine = make_engine(path)
    migrate.upgrade(engine, path, "0001")
    engine.dispose()
    assert migrate.check_file(path) == "0001"
    ws = Workspace.open(path)
    try:
        assert migrate.current_revision(ws.engine) == migrate.HEAD_REVISION
    finally:
        ws.close()
