"""Deadlines of domain.md §2 on China's official working-day calendar."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from grassroots_tui.config import Settings
from grassroots_tui.domain.calendar import WorkCalendar
from grassroots_tui.domain.codes import Status, Urgency
from grassroots_tui.domain.deadlines import (
    DeadlineState,
    DueSoonRule,
    active_deadline,
    compute_deadlines,
    deadline_state,
    due_soon_from,
)

TZ = ZoneInfo("Asia/Shanghai")
RULES = Settings().sla
CAL = WorkCalendar()


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=TZ)


def test_national_day_example_of_the_brief() -> None:
    # Ordinary concern on Wed 2026-09-30: 7 working days are Oct 8, 9, 10 (Saturday worked
    # in exchange), 12, 13, 14, 15 -> due at the end of 2026-10-15.
    d = compute_deadlines(at(2026, 9, 30, 10, 0), Urgency.ORDINARY, RULES, CAL)
    assert d.feedback_due == at(2026, 10, 15, 23, 59, 59)
    assert d.dispatch_due == at(2026, 10, 8, 23, 59, 59)


def test_adjusted_working_saturday_counts_and_holidays_do_not() -> None:
    assert CAL.is_workday(date(2026, 10, 10))  # Saturday, worked (调休)
    assert not CAL.is_workday(date(2026, 10, 1))  # National Day
    assert not CAL.is_workday(date(2026, 10, 7))  # still holiday, a Wednesday
    assert CAL.add_working_days(date(2026, 10, 9), 1) == date(2026, 10, 10)


def test_intake_on_a_holiday_counts_from_the_next_working_day() -> None:
    d = compute_deadlines(at(2026, 10, 3, 15, 0), Urgency.ORDINARY, RULES, CAL)
    assert d.dispatch_due == at(2026, 10, 8, 23, 59, 59)


def test_complex_concern_gets_fifteen_working_days() -> None:
    d = compute_deadlines(at(2026, 9, 30, 10, 0), Urgency.COMPLEX, RULES, CAL)
    # Oct 8,9,10,12-16,19-23,26,27 -> the 15th is Oct 27
    assert d.feedback_due == at(2026, 10, 27, 23, 59, 59)


@pytest.mark.parametrize(("urgency", "dispatch_h", "feedback_h"), [
    (Urgency.EMERGENCY, 1, 2), (Urgency.UTILITIES, 2, 24),
])
def test_hour_limits_are_natural_hours_even_on_holidays(urgency: Urgency, dispatch_h: int, feedback_h: int) -> None:
    received = at(2026, 10, 1, 23, 30)
    d = compute_deadlines(received, urgency, RULES, CAL)
    assert d.dispatch_due == received + timedelta(hours=dispatch_h)
    assert d.feedback_due == received + timedelta(hours=feedback_h)


def test_years_beyond_the_official_schedule_fall_back_to_weekdays_plus_overrides() -> None:
    assert not CAL.knows(2099)
    assert CAL.is_workday(date(2099, 1, 5)) and not CAL.is_workday(date(2099, 1, 3))
    cal = WorkCalendar.from_lists(holidays=["2099-01-05"], workdays=["2099-01-03"])
    assert not cal.is_workday(date(2099, 1, 5)) and cal.is_workday(date(2099, 1, 3))


def test_overdue_and_due_soon_are_derived_from_now() -> None:
    received = at(2026, 9, 30, 10, 0)
    due = at(2026, 10, 15, 23, 59, 59)
    soon = due_soon_from(received, due, DueSoonRule(0.2, True), CAL, working_days=True)
    # 20 % of ~15.6 days is ~3.1 days, earlier than the start of the last working day
    assert soon < at(2026, 10, 15, 0, 0)
    assert deadline_state(at(2026, 10, 9, 9), due, soon) is DeadlineState.OK
    assert deadline_state(at(2026, 10, 14, 9), due, soon) is DeadlineState.DUE_SOON
    assert deadline_state(at(2026, 10, 16, 0, 0, 1), due, soon) is DeadlineState.OVERDUE
    assert deadline_state(at(2026, 10, 16), None, None) is DeadlineState.NONE


def test_last_working_day_rule_wins_when_it_starts_sooner() -> None:
    received = at(2026, 10, 14, 17, 0)
    due = at(2026, 10, 15, 23, 59, 59)  # one working day
    soon = due_soon_from(received, due, DueSoonRule(0.2, True), CAL, working_days=True)
    assert soon == at(2026, 10, 15, 0, 0)
    hours_only = due_soon_from(received, due, DueSoonRule(0.2, True), CAL, working_days=False)
    assert hours_only > soon


def test_the_clock_that_runs_depends_on_the_state() -> None:
    d, f = at(2026, 10, 8, 23, 59, 59), at(2026, 10, 15, 23, 59, 59)
    assert active_deadline(Status.RECEIVED, d, f) == d
    assert active_deadline(Status.IN_PROGRESS, d, f) == f
    for st in (Status.PARKED, Status.AWAITING_FOLLOWUP, Status.CLOSED, Status.REJECTED, Status.MERGED):
        assert active_deadline(st, d, f) is None
