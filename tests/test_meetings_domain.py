"""Meeting rules (domain.md §4), typed dates, and the warnings at scheduling."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from grassroots_tui.config import Settings
from grassroots_tui.domain.calendar import WorkCalendar
from grassroots_tui.domain.dates import describe, parse_date, parse_datetime
from grassroots_tui.domain.errors import DomainError
from grassroots_tui.domain.meetings import (
    MeetingRule,
    Slot,
    Threshold,
    VoteOutcome,
    check_schedule,
    conflicts,
    decide,
    load_rules,
    parse_ratio,
    publication_until,
    quorum_status,
)

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 30, 10, 0, tzinfo=TZ)  # a Monday
CAL = WorkCalendar()


@pytest.fixture(scope="module")
def rules() -> dict[str, MeetingRule]:
    return load_rules(Settings().meeting_rules)


def at(y: int, m: int, d: int, hh: int = 14, mm: int = 30) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=TZ)


# ---------------------------------------------------------------- typed dates

@pytest.mark.parametrize(("typed", "expected"), [
    ("2026-12-03 14:30", at(2026, 12, 3)),
    ("12-03 14:30", at(2026, 12, 3)),
    ("明天 14:30", at(2026, 12, 1)),
    ("后天 9:00", at(2026, 12, 2, 9, 0)),
    ("２０２６－１２－０３　１４：３０", at(2026, 12, 3)),
    ("１２－０３ １４：３０", at(2026, 12, 3)),
    ("明天14:30", at(2026, 12, 1)),
    ("2026年12月3日 14:30", at(2026, 12, 3)),
    ("12月3日 下午2点半", at(2026, 12, 3)),
    ("2026/12/03 14:30", at(2026, 12, 3)),
    ("周三 14:30", at(2026, 12, 2)),
    ("下周一 9点", at(2026, 12, 7, 9, 0)),
    ("01-05 09:00", at(2027, 1, 5, 9, 0)),  # January typed at the end of November: next year
    ("11-20 09:00", at(2027, 11, 20, 9, 0)),  # a meeting is the next such day: ten days ago is next year
    ("11-30 09:00", at(2026, 11, 30, 9, 0)),  # today counts as the next one, even an hour ago
])
def test_typed_date_times(typed: str, expected: datetime) -> None:
    assert parse_datetime(typed, NOW) == expected


@pytest.mark.parametrize(("typed", "fragment"), [
    ("", "请填写时间"),
    ("下个月", "无法识别的时间"),
    ("2026-02-30 10:00", "日期不存在：2026年2月30日"),
    ("2026-13-01 10:00", "月份 13 不存在"),
    ("明天 25:00", "小时 25 不对"),
    ("明天 10:75", "分钟 75 不对"),
    ("2026-12-03", "缺少时刻"),
    ("明天 十几点", "无法识别"),  # Chinese numerals are read (tests/test_dates_chinese.py), vague ones are not
])
def test_typed_dates_refused_with_a_chinese_sentence(typed: str, fragment: str) -> None:
    with pytest.raises(DomainError) as err:
        parse_datetime(typed, NOW)
    assert fragment in err.value.message


def test_date_alone_and_preview() -> None:
    assert parse_date("１２－０３", NOW.date()) == date(2026, 12, 3)
    assert parse_date("明天", NOW.date()) == date(2026, 12, 1)
    assert describe(at(2026, 12, 3)) == "2026年12月3日 星期四 14:30"


@given(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31)))
def test_any_iso_date_time_round_trips_also_full_width(value: datetime) -> None:
    value = value.replace(second=0, microsecond=0)
    typed = value.strftime("%Y-%m-%d %H:%M")
    wide = typed.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789-:"})
    assert parse_datetime(typed, NOW) == value.replace(tzinfo=TZ)
    assert parse_datetime(wide, NOW) == value.replace(tzinfo=TZ)


@given(st.text(max_size=20))
def test_garbage_never_crashes(text: str) -> None:
    try:
        parse_datetime(text, NOW)
    except DomainError as exc:
        assert exc.message


# ---------------------------------------------------------------- rules

def test_ratios_are_exact_fractions() -> None:
    assert parse_ratio("2/3") == Fraction(2, 3)
    assert parse_ratio("５０%") == Fraction(1, 2)
    assert parse_ratio("0.5") == Fraction(1, 2)
    for bad in ("3/2", "0", "abc", "1/0"):
        with pytest.raises(DomainError):
            parse_ratio(bad)


def test_more_than_versus_at_least() -> None:
    more_than_half = Threshold(Fraction(1, 2), strict=True)
    at_least_two_thirds = Threshold(Fraction(2, 3), strict=False)
    assert not more_than_half.met(5, 10) and more_than_half.met(6, 10)
    assert more_than_half.minimum(10) == 6 and more_than_half.minimum(9) == 5
    assert at_least_two_thirds.met(6, 9) and not at_least_two_thirds.met(5, 9)
    assert at_least_two_thirds.minimum(9) == 6 and at_least_two_thirds.minimum(10) == 7


def test_residents_meeting_more_than_half_present_and_of_those_present(rules) -> None:  # noqa: ANN001
    rule = rules["residents"]
    assert not quorum_status(rule, 10, 5).reached  # exactly half is not "more than half"
    assert quorum_status(rule, 10, 6).reached
    # passes with more than half of those present (6 present: 4 needed)
    assert decide(rule, 10, 6, 4, 2, 0).outcome is VoteOutcome.PASSED
    assert decide(rule, 10, 6, 3, 1, 2).outcome is VoteOutcome.FAILED
    assert decide(rule, 10, 5, 5, 0, 0).outcome is VoteOutcome.NO_QUORUM


def test_council_meeting_two_thirds_present_passes_with_half_of_members(rules) -> None:  # noqa: ANN001
    rule = rules["consultation"]
    assert quorum_status(rule, 9, 6).reached and not quorum_status(rule, 9, 5).reached
    # 9 members: more than half of the members = 5 votes, whoever is present
    assert decide(rule, 9, 6, 5, 1, 0).outcome is VoteOutcome.PASSED
    result = decide(rule, 9, 7, 4, 0, 3)
    assert result.outcome is VoteOutcome.FAILED and result.needed == 5
    assert "未通过" in result.reason


def test_joint_meeting_no_quorum_records_consensus(rules) -> None:  # noqa: ANN001
    rule = rules["joint"]
    assert quorum_status(rule, 8, 2).reached
    assert decide(rule, 8, 3, 3, 0, 0).outcome is VoteOutcome.CONSENSUS
    assert decide(rule, 8, 3, 2, 1, 0).outcome is VoteOutcome.FAILED


def test_talk_meeting_does_not_vote(rules) -> None:  # noqa: ANN001
    with pytest.raises(DomainError, match="不作表决"):
        decide(rules["talk"], 5, 5, 5, 0, 0)


def test_counts_exceeding_those_present_are_refused(rules) -> None:  # noqa: ANN001
    with pytest.raises(DomainError, match="超过了实到的 6 人"):
        decide(rules["residents"], 10, 6, 5, 1, 1)
    with pytest.raises(DomainError, match="负数"):
        decide(rules["residents"], 10, 6, -1, 0, 0)


def test_rules_are_editable_data(tmp_path, monkeypatch) -> None:  # noqa: ANN001
    (tmp_path / "userconfig").mkdir(exist_ok=True)
    (tmp_path / "userconfig" / "meeting_rules.toml").write_text(
        '[type.residents]\nlabel = "居民会议"\nquorum = { ratio = "2/3", strict = false }\n'
        'passing = { ratio = "2/3", strict = false, base = "present" }\nnotice_days = 5\n', encoding="utf-8")
    rule = load_rules(Settings().meeting_rules)["residents"]
    assert rule.notice_days == 5
    assert decide(rule, 9, 6, 4, 2, 0).outcome is VoteOutcome.PASSED
    assert decide(rule, 9, 6, 3, 3, 0).outcome is VoteOutcome.FAILED


# ---------------------------------------------------------------- warnings

def kinds(warnings) -> list[str]:  # noqa: ANN001
    return [w.kind for w in warnings]


def test_notice_shorter_than_the_rule_across_the_end_of_a_month(rules) -> None:  # noqa: ANN001
    rule = rules["consultation"]  # 3 days
    slot = Slot(at(2026, 12, 1), at(2026, 12, 1, 16, 0))
    warnings = check_schedule(rule, slot, date(2026, 11, 29), datetime(2026, 11, 29, 9, tzinfo=TZ), CAL)
    assert kinds(warnings) == ["notice"]
    assert "只有 2 天" in warnings[0].message and "至少提前 3 天" in warnings[0].message
    assert check_schedule(rule, slot, date(2026, 11, 28), datetime(2026, 11, 28, 9, tzinfo=TZ), CAL) == []


def test_meeting_on_a_holiday_and_notice_spanning_national_day(rules) -> None:  # noqa: ANN001
    rule = rules["consultation"]
    on_holiday = Slot(at(2026, 10, 5), at(2026, 10, 5, 16, 0))
    warnings = check_schedule(rule, on_holiday, date(2026, 9, 28), datetime(2026, 9, 28, 9, tzinfo=TZ), CAL)
    assert kinds(warnings) == ["holiday", "notice_holiday"]  # only Sep 29 and 30 are working days
    assert "国庆节" in warnings[0].message and "不是工作日" in warnings[0].message
    # Notice on Sep 30 for Oct 8: eight days by the calendar, no working day in between.
    after = Slot(at(2026, 10, 8), at(2026, 10, 8, 16, 0))
    warnings = check_schedule(rule, after, date(2026, 9, 30), datetime(2026, 9, 30, 9, tzinfo=TZ), CAL)
    assert kinds(warnings) == ["notice_holiday"]
    assert "只有 0 个工作日" in warnings[0].message
    # The worked Saturday Oct 10 is a working day: no holiday warning.
    saturday = Slot(at(2026, 10, 10), at(2026, 10, 10, 16, 0))
    assert check_schedule(rule, saturday, date(2026, 9, 25), datetime(2026, 9, 25, 9, tzinfo=TZ), CAL) == []


def test_place_and_chair_conflicts_overlapping_midnight_at_month_end() -> None:
    late = Slot(at(2026, 10, 31, 22, 0), at(2026, 11, 1, 0, 30), place="社区议事厅", chair="王主任",
                reference="YS-2026-0001", topic="夜间施工噪声")
    new = Slot(at(2026, 11, 1, 0, 0), at(2026, 11, 1, 1, 0), place="社区议事厅 ", chair="王主任")
    found = conflicts(new, [late])
    assert kinds(found) == ["conflict_place", "conflict_chair"]
    assert "YS-2026-0001" in found[0].message and "10-31 22:00至11-01 00:30" in found[0].message
    touching = Slot(at(2026, 11, 1, 0, 30), at(2026, 11, 1, 1, 30), place="社区议事厅", chair="王主任")
    assert conflicts(touching, [late]) == []  # back to back is fine
    other_room = Slot(new.start, new.end, place="二楼会议室", chair="李书记")
    assert conflicts(other_room, [late]) == []


def test_end_before_start_refused(rules) -> None:  # noqa: ANN001
    with pytest.raises(DomainError, match="结束时间"):
        check_schedule(rules["consultation"], Slot(at(2026, 12, 3), at(2026, 12, 3) - timedelta(minutes=1)),
                       date(2026, 11, 20), NOW, CAL)


def test_publication_period(rules) -> None:  # noqa: ANN001
    assert publication_until(date(2026, 12, 28), rules["consultation"]) == date(2027, 1, 3)
