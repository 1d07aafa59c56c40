"""Every integer option of the command line reads full-width digits and refuses a bad number in one Chinese line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from grassroots_tui.cli import app

runner = CliRunner()


def invoke(*args: str):  # noqa: ANN201
    return runner.invoke(app, list(args))


def _log_three(db: Path) -> None:
    for summary in ("漏水", "停电", "噪音"):
        result = invoke("concern", "add", "--summary", summary, "--category", "0801", "--db", str(db))
        assert result.exit_code == 0, result.output


def test_full_width_digits_are_numbers(db_path: Path) -> None:
    _log_three(db_path)
    rows = json.loads(invoke("concern", "list", "--limit", "２", "--json", "--db", str(db_path)).stdout)
    assert len(rows) == 2
    rows = json.loads(invoke("concern", "list", "--limit", "\u3000３\u3000", "--json", "--db", str(db_path)).stdout)
    assert len(rows) == 3
    result = invoke("resident", "list", "--limit", "１０", "--db", str(db_path))
    assert result.exit_code == 0, result.output
    result = invoke("meeting", "list", "--limit", "５", "--json", "--db", str(db_path))
    assert result.exit_code == 0 and json.loads(result.stdout) == []
    result = invoke("calendar", "show", "２０２７", "--json")
    assert result.exit_code == 0 and json.loads(result.stdout)["year"] == 2027


@pytest.mark.parametrize(("args", "message"), [
    (["concern", "list", "--limit", "abc"], "最多条数应填整数（如 3），“abc”不是整数。"),
    (["concern", "list", "--limit", "-1"], "最多条数不能小于 1。"),
    (["concern", "list", "--limit", "－１"], "最多条数不能小于 1。"),
    (["concern", "list", "--limit", "2.5"], "最多条数应填整数（如 3），“2.5”不是整数。"),
    (["concern", "list", "--limit", ""], "最多条数应填整数（如 3），不能为空。"),
    (["resident", "list", "--limit", "十"], "最多条数应填整数（如 3），“十”不是整数。"),
    (["meeting", "list", "--limit", "0"], "最多条数不能小于 1。"),
    (["demo", "--residents", "-5", "--no-launch"], "居民人数不能小于 0。"),
    (["demo", "--concerns", "许多", "--no-launch"], "诉求件数应填整数（如 3），“许多”不是整数。"),
    (["demo", "--seed", "x", "--no-launch"], "随机种子应填整数（如 3），“x”不是整数。"),
])
def test_a_bad_number_is_one_chinese_line(db_path: Path, args: list[str], message: str) -> None:
    result = invoke(*args, "--db", str(db_path))
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [f"错误：{message}"]
    assert "Invalid value" not in result.output + result.stderr


@pytest.mark.parametrize(("year", "message"), [
    ("abc", "年份应填整数（如 2027），“abc”不是整数。"),
    ("99999", "年份不能大于 2100。"),
    ("１９９９", "年份不能小于 2000。"),
])
def test_a_bad_year_is_one_chinese_line(year: str, message: str) -> None:
    for command in ("show", "check"):
        result = invoke("calendar", command, year)
        assert result.exit_code == 1
        assert result.stderr.strip().splitlines() == [f"错误：{message}"]
    result = invoke("calendar", "add", year, "--holiday", "2027-02-04")
    assert result.stderr.strip().splitlines() == [f"错误：{message}"]
