"""`grassroots calendar show|add|check YEAR` against the real calendar.toml in the config folder."""

from __future__ import annotations

import json
import os
import tomllib
from datetime import date
from pathlib import Path

from typer.testing import CliRunner

from grassroots_tui.cli import app
from grassroots_tui.config import load_calendar

runner = CliRunner()


def run(*args: str, code: int = 0):  # noqa: ANN201
    result = runner.invoke(app, list(args))
    assert result.exit_code == code, result.output
    return result.output


def user_file() -> Path:
    return Path(os.environ["GRASSROOTS_CONFIG_DIR"]) / "calendar.toml"


def test_show_an_unscheduled_year_uses_the_statutory_days() -> None:
    out = run("calendar", "show", "2027")
    assert "尚未载入" in out
    assert "2027-02-05 星期五 农历除夕" in out and "2027-02-08 星期一 春节" in out
    assert "周末上班（调休）0 天" in out
    info = json.loads(run("calendar", "show", "2027", "--json"))
    assert info["known"] is False and info["workdays"] == []
    assert len(info["statutory"]) == 13


def test_show_an_official_year() -> None:
    info = json.loads(run("calendar", "show", "2026", "--json"))
    assert info["known"] is True and "2026-02-14" in info["workdays"]  # Sat 14 Feb 2026 was worked


def test_add_writes_the_user_file_keeps_entries_and_changes_the_calendar() -> None:
    out = run("calendar", "add", "2027", "--holiday", "2027-02-04..2027-02-10", "--workday", "2027-02-14")
    assert "放假 5 个工作日" in out and "调休上班 1 天" in out and "不会因此改变" in out
    data = tomllib.loads(user_file().read_text(encoding="utf-8"))
    # The weekend of 6-7 Feb rests anyway and is not written.
    assert data["holidays"] == ["2027-02-04", "2027-02-05", "2027-02-08", "2027-02-09", "2027-02-10"]
    assert data["workdays"] == ["2027-02-14"]
    run("calendar", "add", "2027", "--holiday", "2027-10-04..2027-10-07", "--workday", "2027-09-26")
    data = tomllib.loads(user_file().read_text(encoding="utf-8"))
    assert "2027-02-04" in data["holidays"] and "2027-10-07" in data["holidays"]
    assert data["workdays"] == ["2027-02-14", "2027-09-26"]
    cal = load_calendar()
    assert cal.knows(2027) and cal.is_workday(date(2027, 2, 14)) and not cal.is_workday(date(2027, 2, 9))
    assert "居委会录入" in run("calendar", "show", "2027")
    out = run("calendar", "check", "2027")
    assert "问题" not in out and "尚未载入" not in out


def test_add_refuses_what_cannot_be_a_schedule() -> None:
    cases = [
        (["--workday", "2027-02-15"], "本来就是工作日"),
        (["--workday", "2027-02-06"], "法定节假日（春节）"),
        (["--holiday", "2027-02-13"], "本来就休息"),
        (["--holiday", "2028-01-03"], "不在 2027 年内"),
        (["--holiday", "2027-02-10..2027-02-04"], "结束日期早于开始日期"),
        (["--holiday", "2027-13-01"], "不是日期"),
        (["--holiday", "2027-02-09", "--workday", "2027-02-09"], "本来就是工作日"),
        ([], "至少给出一个"),
    ]
    for extra, message in cases:
        result = runner.invoke(app, ["calendar", "add", "2027", *extra])
        assert result.exit_code == 1, (extra, result.output)
        assert message in result.output and "Traceback" not in result.output
    assert not user_file().exists()


def test_add_accepts_full_width_digits_and_a_chinese_range() -> None:
    run("calendar", "add", "2027", "--holiday", "２０２７-０２-０９至2027-02-10")
    assert tomllib.loads(user_file().read_text(encoding="utf-8"))["holidays"] == ["2027-02-09", "2027-02-10"]


def test_check_reports_a_statutory_day_counted_as_worked_and_odd_rest_days() -> None:
    # A hand-edited file: 除夕 marked as a working day, and a rest day in March far from any festival.
    user_file().parent.mkdir(parents=True, exist_ok=True)
    user_file().write_text('holidays = ["2027-03-17"]\nworkdays = ["2027-02-05"]\n', encoding="utf-8")
    result = runner.invoke(app, ["calendar", "check", "2027"])
    assert result.exit_code == 1
    assert "2027-02-05（农历除夕，星期五）是法定节假日，却被算作工作日" in result.output
    assert "2027-03-17（星期三）放假，但前后一周内没有法定节假日" in result.output


def test_check_an_unscheduled_year_says_so() -> None:
    out = run("calendar", "check", "2027")
    assert "尚未载入" in out and "calendar add 2027" in out
