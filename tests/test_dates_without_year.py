"""A month-day typed without a year: the most recent one for a period, the next one for a meeting.

Every test passes its own "today"; none reads the machine's clock.
"""

from __future__ import annotations

import json
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from grassroots_tui.cli import app
from grassroots_tui.domain.dates import parse_date, parse_datetime, parse_period_days
from grassroots_tui.domain.errors import DomainError

TZ = ZoneInfo("Asia/Shanghai")
DEC_2 = date(2026, 12, 2)


@pytest.mark.parametrize(("typed", "today", "expected"), [
    ("10-01", DEC_2, date(2026, 10, 1)),            # typed on 2 December: this October
    ("１０－０１", DEC_2, date(2026, 10, 1)),        # full-width digits and dash
    ("10月1日", DEC_2, date(2026, 10, 1)),
    ("12-02", DEC_2, date(2026, 12, 2)),            # today is not in the future
    ("12-03", DEC_2, date(2025, 12, 3)),            # tomorrow is: last year's
    ("10-01", date(2027, 1, 2), date(2026, 10, 1)),  # on 2 January 2027: still October 2026
    ("10-01", date(2027, 11, 5), date(2027, 10, 1)),
    ("02-29", date(2027, 3, 1), date(2024, 2, 29)),  # the most recent 29 February
])
def test_period_day_is_the_most_recent_not_in_the_future(typed: str, today: date, expected: date) -> None:
    assert parse_date(typed, today, "from", direction="past") == expected


@pytest.mark.parametrize(("typed", "today", "expected"), [
    ("10-01 14:30", DEC_2, datetime(2027, 10, 1, 14, 30, tzinfo=TZ)),   # this October is over: next one
    ("１２－０２ ９：００", DEC_2, datetime(2026, 12, 2, 9, 0, tzinfo=TZ)),  # today is the next one
    ("01-05 09:00", DEC_2, datetime(2027, 1, 5, 9, 0, tzinfo=TZ)),
    ("12-20 09:00", DEC_2, datetime(2026, 12, 20, 9, 0, tzinfo=TZ)),
    ("02-29 09:00", date(2027, 3, 1), datetime(2028, 2, 29, 9, 0, tzinfo=TZ)),
])
def test_meeting_start_is_the_next_such_day(typed: str, today: date, expected: datetime) -> None:
    now = datetime.combine(today, time(10, 0), tzinfo=TZ)
    assert parse_datetime(typed, now) == expected


def test_a_day_that_never_exists_is_refused_in_either_direction() -> None:
    for direction in ("past", "future", "near"):
        with pytest.raises(DomainError, match="日期不存在"):
            parse_date("04-31", DEC_2, direction=direction)
        with pytest.raises(DomainError, match="月份 13"):
            parse_date("13-01", DEC_2, direction=direction)


def test_period_end_typed_as_month_day_follows_the_start() -> None:
    assert parse_period_days("10-01", "10-31", DEC_2) == (date(2026, 10, 1), date(2026, 10, 31))
    # 12-31 alone would be last year's; after a start of 10-01 it closes this year's quarter.
    assert parse_period_days("10-01", "12-31", DEC_2) == (date(2026, 10, 1), date(2026, 12, 31))
    assert parse_period_days("2025-11-01", "01-31", DEC_2) == (date(2025, 11, 1), date(2026, 1, 31))
    assert parse_period_days(None, "11-30", DEC_2) == (None, date(2026, 11, 30))
    # A relative day is not moved: 昨天 before the start stays an error for Period to name.
    assert parse_period_days("12-01", "前天", DEC_2) == (date(2026, 12, 1), date(2026, 11, 30))


def _cli_json(db: Path, *args: str) -> dict:
    result = CliRunner().invoke(app, [*args, "--db", str(db), "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.mark.parametrize(("now", "expected"), [
    ("2026-12-02T09:00:00+08:00", ("2026-10-01", "2026-10-31")),
    ("2027-01-02T10:00:00+08:00", ("2026-10-01", "2026-10-31")),
    ("2027-11-05T10:00:00+08:00", ("2027-10-01", "2027-10-31")),
])
def test_report_period_on_the_command_line(db_path: Path, monkeypatch: pytest.MonkeyPatch,
                                           now: str, expected: tuple[str, str]) -> None:
    monkeypatch.setenv("GRASSROOTS_NOW", now)
    rep = _cli_json(db_path, "report", "--from", "10-01", "--to", "１０－３１")
    assert (rep["period"]["from"], rep["period"]["to"]) == expected


def test_meeting_add_month_day_is_the_next_one(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRASSROOTS_NOW", "2026-12-02T09:00:00+08:00")
    out = _cli_json(db_path, "meeting", "add", "--type", "consultation", "--topic", "议题", "--start", "10-01 14:30")
    assert out["start"] == "2027-10-01T14:30:00+08:00" and out["reference"] == "YS-2027-0001"


def test_bad_grassroots_now_is_one_chinese_line(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRASSROOTS_NOW", "tomorrow")
    result = CliRunner().invoke(app, ["report", "--db", str(db_path)])
    assert result.exit_code == 1 and "GRASSROOTS_NOW" in result.stderr and "Traceback" not in result.output
