"""Errors speak Chinese and leave a trace: every OS failure is one sentence, a wrong configuration
file is named with its line and key, `check` tells read-only from damaged, and an unexpected error
is written with its traceback to a rotating log (phone and ID numbers masked) whose place the
clerk is told.
"""

from __future__ import annotations

import errno
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from grassroots_tui.cli import app
from grassroots_tui.config import packaged_data_dir
from grassroots_tui.domain.errors import OVERFLOW_MESSAGE, DomainError
from grassroots_tui.services.backup import check_database
from grassroots_tui.services.errors import LOG_BACKUPS, LOG_BYTES, describe, explain, log_path
from grassroots_tui.services.workspace import Workspace

runner = CliRunner()
PHONE = "13912345678"
ID_NUMBER = "110101199003074514"


def _cli(*args: str):  # noqa: ANN202
    return runner.invoke(app, list(args))


def _no_driver_text(text: str) -> None:
    assert "Traceback" not in text and "Errno" not in text and "sqlalchemy" not in text.lower()
    assert "INSERT" not in text and "SELECT" not in text


# ------------------------------------------------------------------ the operating system

@pytest.mark.parametrize(("exc", "words"), [
    (OSError(errno.ENOSPC, "No space left on device", "ledger.xlsx"), "磁盘空间不足"),
    (OSError(errno.EROFS, "Read-only file system", "ledger.xlsx"), "只读"),
    (PermissionError(errno.EACCES, "Permission denied", "ledger.xlsx"), "没有权限"),
    (OSError(errno.EIO, "Input/output error", "ledger.xlsx"), "磁盘出错"),
    (FileNotFoundError(errno.ENOENT, "No such file or directory", "ledger.xlsx"), "找不到"),
])
def test_each_os_failure_is_one_chinese_sentence_naming_the_file(exc: OSError, words: str) -> None:
    message = describe(exc)
    assert message is not None and words in message and "ledger.xlsx" in message
    assert "No space" not in message and "denied" not in message and "Errno" not in message


@pytest.mark.parametrize("winerror", [32, 33])
def test_a_file_open_in_another_program_on_windows(winerror: int) -> None:
    # What Windows raises when Excel holds the file: PermissionError with winerror 32
    # (ERROR_SHARING_VIOLATION) or 33 (ERROR_LOCK_VIOLATION); built here as Windows builds it.
    exc = PermissionError(errno.EACCES, "The process cannot access the file because it is being used "
                                        "by another process", "台账.xlsx")
    exc.winerror = winerror
    message = describe(exc)
    assert message == "台账.xlsx 正被其他程序打开（例如 Excel 或 WPS），请先关闭它再试。"


def test_an_os_failure_wrapped_by_another_error_is_found() -> None:
    try:
        try:
            raise OSError(errno.ENOSPC, "No space left on device", "x.csv")
        except OSError as inner:
            raise RuntimeError("export failed") from inner
    except RuntimeError as outer:
        assert "磁盘空间不足" in describe(outer)


def test_a_number_too_large_for_the_database_and_an_overflowing_sum(tmp_path: Path) -> None:
    con = sqlite3.connect(tmp_path / "n.sqlite3")
    con.execute("CREATE TABLE t (n INTEGER)")
    with pytest.raises(OverflowError) as too_big:
        con.execute("INSERT INTO t VALUES (?)", (10**30,))  # Python's int does not fit SQLite's 64 bits
    assert describe(too_big.value) == OVERFLOW_MESSAGE
    con.executemany("INSERT INTO t VALUES (?)", [(2**63 - 1,), (2**63 - 1,)])
    with pytest.raises(sqlite3.OperationalError, match="integer overflow") as summed:
        con.execute("SELECT sum(n) FROM t").fetchone()
    assert describe(summed.value) == OVERFLOW_MESSAGE
    con.close()


def test_the_cli_says_a_path_under_a_file_is_unusable_in_chinese(tmp_path: Path) -> None:
    a_file = tmp_path / "not-a-folder"
    a_file.write_text("x", encoding="utf-8")
    result = _cli("init", "--db", str(a_file / "grassroots.sqlite3"))
    assert result.exit_code == 1
    assert result.output.startswith("错误：") and "不是一个可用的文件路径" in result.output
    _no_driver_text(result.output)


# ------------------------------------------------------------------ configuration files

def _override(name: str, old: str, new: str) -> Path:
    """A copy of the default `name` in the user's config folder with `old` replaced by `new`."""
    folder = Path(os.environ["GRASSROOTS_CONFIG_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    text = (packaged_data_dir() / name).read_text(encoding="utf-8")
    assert old in text
    target = folder / name
    target.write_text(text.replace(old, new, 1), encoding="utf-8")
    return target


def _line_of(path: Path, words: str) -> int:
    return next(n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if words in line)


def test_a_broken_toml_override_names_the_file_the_line_and_the_key(db_path: Path) -> None:
    sla = _override("sla.toml", "fraction = 0.2", "fraction = 0,2")
    result = _cli("--db", str(db_path), "concern", "add", "--summary", "楼道灯不亮", "--category", "0302")
    assert result.exit_code == 1
    line = _line_of(sla, "fraction = 0,2")
    assert result.output.strip() == (f"错误：配置文件 {sla} 第 {line} 行有误："
                                     "值的后面多了内容（一行只能写一项）（键 due_soon.fraction）。")


def test_an_unquoted_word_is_an_invalid_value_on_its_line() -> None:
    from grassroots_tui.config import load_toml

    settings = _override("settings.toml", 'concern_prefix = "SQ"', "concern_prefix = SQ")
    with pytest.raises(DomainError) as caught:
        load_toml("settings.toml")
    line = _line_of(settings, "concern_prefix = SQ")
    assert caught.value.message == (f"配置文件 {settings} 第 {line} 行有误："
                                    "值的写法不对（文字要加英文双引号，数字不加）（键 concern_prefix）。")


def test_a_wrong_kind_of_value_names_the_key_and_its_line(db_path: Path) -> None:
    sla = _override("sla.toml", "feedback = { working_days = 7 }", 'feedback = { working_days = "two" }')
    result = _cli("--db", str(db_path), "concern", "add", "--summary", "楼道灯不亮", "--category", "0302")
    assert result.exit_code == 1
    line = _line_of(sla, '"two"')
    assert result.output.strip() == (f"错误：配置文件 {sla} 第 {line} 行有误："
                                     "urgency.ordinary.feedback.working_days 的值“two”应为整数（不加引号）。")
    _no_driver_text(result.output)


def test_a_missing_table_in_an_override_says_what_is_missing() -> None:
    from grassroots_tui.config import Settings

    folder = Path(os.environ["GRASSROOTS_CONFIG_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "units.toml").write_text("# emptied by mistake\n", encoding="utf-8")
    with pytest.raises(DomainError, match=r"units\.toml 缺少 unit 一项"):
        _ = Settings().units


# ------------------------------------------------------------------ check on a read-only database

def _make_read_only(target: Path) -> str:
    """Make `target` unwritable for this process; returns how. As root chmod stops nothing, so the
    immutable attribute (chattr +i, which stops root too) is used; skipped where neither works."""
    if os.geteuid() != 0:
        target.chmod(0o555 if target.is_dir() else 0o444)
        return "chmod"
    chattr = shutil.which("chattr")
    if chattr is None or subprocess.run([chattr, "+i", str(target)], capture_output=True).returncode != 0:
        pytest.skip("running as root without a working chattr +i: no way to make a file read-only here")
    return "chattr"


def _make_writable(target: Path, how: str) -> None:
    if how == "chattr":
        subprocess.run(["chattr", "-i", str(target)], check=True)
    else:
        target.chmod(0o755 if target.is_dir() else 0o600)


@pytest.fixture
def closed_db(tmp_path: Path, clock) -> Path:  # noqa: ANN001
    folder = tmp_path / "shared"
    folder.mkdir()
    path = folder / "grassroots.sqlite3"
    Workspace.open(path, clock=clock).close()
    for leftover in folder.glob("grassroots.sqlite3-*"):
        leftover.unlink()
    return path


@pytest.mark.parametrize("what", ["file", "folder"])
def test_check_on_a_read_only_database_says_read_only_not_corrupt(closed_db: Path, what: str) -> None:
    target = closed_db if what == "file" else closed_db.parent
    how = _make_read_only(target)
    try:
        with pytest.raises(OSError):  # the system really refuses writing there
            with open(closed_db if what == "file" else closed_db.parent / "probe", "ab"):
                pass
        rep = check_database(closed_db)
        result = _cli("check", "--db", str(closed_db))
    finally:
        _make_writable(target, how)
    assert rep.read_only == what and rep.ok and rep.integrity == ["ok"]
    assert result.exit_code == 0, result.output
    assert "只读" in result.output and "这不是文件损坏" in result.output
    assert "已损坏" not in result.output and "结论：正常" in result.output


def test_check_on_a_writable_database_says_nothing_of_read_only(closed_db: Path) -> None:
    rep = check_database(closed_db)
    assert rep.ok and rep.read_only is None and not any("只读" in line for line in rep.lines())


# ------------------------------------------------------------------ the log

def test_an_unexpected_cli_error_is_logged_with_its_trace_and_numbers_masked(
        db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import grassroots_tui.services.concern_list as concern_list

    def broken(*_args, **_kwargs):  # noqa: ANN002, ANN003, ANN202
        raise KeyError(f"resident {PHONE} with id {ID_NUMBER}")

    assert _cli("--db", str(db_path), "init").exit_code == 0
    monkeypatch.setattr(concern_list, "list_concerns", broken)
    result = _cli("--db", str(db_path), "concern", "list")
    log = log_path()
    assert result.exit_code == 1
    assert result.output.strip() == f"错误：执行命令时出现意外错误，刚才的操作没有完成（详细情况已记入日志 {log}）。"
    text = log.read_text(encoding="utf-8")
    assert "Traceback (most recent call last)" in text and "in broken" in text and "执行命令: KeyError" in text
    assert PHONE not in text and ID_NUMBER not in text
    assert "139****5678" in text and ID_NUMBER[:6] in text  # masked as the screens mask them


def test_paths_shows_where_the_log_is(tmp_path: Path) -> None:
    result = _cli("paths")
    assert result.exit_code == 0
    assert f"错误日志（意外错误的详细情况）：{tmp_path / 'userlog' / 'grassroots.log'}" in result.output


def test_the_log_rotates_keeping_five_older_files(monkeypatch: pytest.MonkeyPatch) -> None:
    import grassroots_tui.services.errors as errors

    assert (LOG_BYTES, LOG_BACKUPS) == (1_000_000, 5)
    monkeypatch.setattr(errors, "LOG_BYTES", 20_000)  # 1 MB a file in use; 20 kB keeps the test short
    for n in range(20_000 // 2000 * (LOG_BACKUPS + 2)):
        try:
            raise RuntimeError("x" * 2000 + str(n))
        except RuntimeError as exc:
            explain(exc, "测试")
    folder = log_path().parent
    names = sorted(p.name for p in folder.iterdir())
    assert names == ["grassroots.log"] + [f"grassroots.log.{n}" for n in range(1, LOG_BACKUPS + 1)]
    assert all(p.stat().st_size <= 20_000 for p in folder.iterdir())


def test_an_error_the_clerk_can_act_on_is_not_logged() -> None:
    assert explain(DomainError("手机号应为11位。"), "保存") == "手机号应为11位。"
    assert explain(OSError(errno.ENOSPC, "No space left on device", "a.csv"), "导出").startswith("磁盘空间不足")
    assert not log_path().exists()
