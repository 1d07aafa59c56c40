"""The working-day calendar in a year chinesecalendar does not cover (2027 onwards).

The statutory holidays of 《全国年节及纪念日放假办法》 (2024 revision) come from python-holidays;
the adjusted working weekends (调休) only from a published schedule. Real libraries, fixed dates.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar
from hypothesis import given, settings
from hypothesis import strategies as st

from grassroots_tui.domain.calendar import WorkCalendar, official_year, schedule_notice, statutory_holidays
from grassroots_tui.domain.deadlines import Limit

TZ = ZoneInfo("Asia/Shanghai")
CAL = WorkCalendar()


def test_2027_statutory_days_by_the_2024_rule() -> None:
    # 元旦 Fri 1 Jan; 春节 from 除夕 Fri 5 Feb (正月初一 is Sat 6 Feb 2027) to 初三 Mon 8 Feb;
    # 清明 5 Apr; 劳动节 1-2 May; 端午 9 Jun; 中秋 15 Sep; 国庆 1-3 Oct: 13 days.
    days = statutory_holidays(2027)
    assert sorted(days) == [date(2027, 1, 1), date(2027, 2, 5), date(2027, 2, 6), date(2027, 2, 7),
                            date(2027, 2, 8), date(2027, 4, 5), date(2027, 5, 1), date(2027, 5, 2),
                            date(2027, 6, 9), date(2027, 9, 15), date(2027, 10, 1), date(2027, 10, 2),
                            date(2027, 10, 3)]
    assert days[date(2027, 2, 5)] == "农历除夕" and days[date(2027, 2, 8)] == "春节"
    # python-holidays' guessed days in lieu (2-9, 2-10, 5-3, 10-4 ...) are not statutory.
    assert date(2027, 2, 9) not in days and date(2027, 10, 4) not in days


def test_coverage_of_the_packages() -> None:
    assert official_year(2026) and not official_year(2027)
    assert CAL.knows(2026) and not CAL.knows(2027)


def test_intake_2026_12_28_five_working_days() -> None:
    # Mon 28 Dec 2026: 29 (1), 30 (2), 31 (3); Fri 1 Jan 2027 元旦 rests; Sat 2, Sun 3;
    # Mon 4 Jan (4), Tue 5 Jan (5). Counting 元旦 as worked would give 4 Jan.
    received = datetime(2026, 12, 28, 10, 0, tzinfo=TZ)
    due = Limit(working_days=5).due(received, CAL)
    assert due.date() == date(2027, 1, 5)


def test_intake_2026_12_31_three_working_days() -> None:
    # Thu 31 Dec 2026: Fri 1 Jan 元旦 rests; Sat 2, Sun 3; Mon 4 (1), Tue 5 (2), Wed 6 (3).
    assert CAL.add_working_days(date(2026, 12, 31), 3) == date(2027, 1, 6)
    assert CAL.add_working_days(date(2026, 12, 31), 1) == date(2027, 1, 4)


def test_intake_2027_02_04_five_working_days() -> None:
    # Thu 4 Feb 2027: Fri 5 Feb 除夕 rests; Sat 6 初一, Sun 7 初二; Mon 8 初三 rests;
    # Tue 9 (1), Wed 10 (2), Thu 11 (3), Fri 12 (4); Sat 13, Sun 14; Mon 15 Feb (5).
    assert CAL.add_working_days(date(2027, 2, 4), 5) == date(2027, 2, 15)
    assert CAL.working_days_between(date(2027, 2, 4), date(2027, 2, 15)) == 5


def test_published_schedule_entered_by_the_committee_wins() -> None:
    # A schedule as the State Council might publish it: rest 4-10 Feb, work Sun 14 Feb.
    holidays = [date(2027, 2, 4) + timedelta(days=i) for i in range(7)]
    cal = WorkCalendar.from_lists(holidays=holidays, workdays=["2027-02-14"])
    assert cal.knows(2027) and not cal.knows(2028)
    # Wed 3 Feb: 4-10 rest, 11 (1), 12 (2), Sat 13 rests, Sun 14 worked (3).
    assert cal.add_working_days(date(2027, 2, 3), 3) == date(2027, 2, 14)
    assert cal.workdays_of(2027) == [date(2027, 2, 14)]
    # Only the published schedule adds weekend work: without it no weekend is worked.
    assert CAL.workdays_of(2027) == []
    assert CAL.holidays_of(2027) == [d for d in statutory_holidays(2027) if d.weekday() < 5]


def test_schedule_notice() -> None:
    assert schedule_notice(CAL, [date(2026, 12, 31)]) is None
    assert schedule_notice(CAL, [date(2026, 12, 31), date(2027, 1, 5)]) == \
        "2027年放假调休安排尚未载入，时限按法定节假日计算"
    assert schedule_notice(CAL, [date(2028, 1, 5), date(2027, 1, 5)]) == \
        "2027年、2028年放假调休安排尚未载入，时限按法定节假日计算"
    entered = WorkCalendar.from_lists(holidays=["2027-02-09"])
    assert schedule_notice(entered, [date(2027, 1, 5)]) is None


@settings(max_examples=300, deadline=None)
@given(st.dates(min_value=date(2025, 1, 1), max_value=date(2026, 12, 31)))
def test_statutory_rule_agrees_with_the_published_2025_2026_schedules(day: date) -> None:
    # Every statutory day is a rest day in the State Council's schedule ...
    if day in statutory_holidays(day.year):
        assert chinese_calendar.is_holiday(day)
    # ... and every run of weekday rest days in the schedule lies next to a statutory festival
    # (within a week), so the rule misses no festival.
    if chinese_calendar.is_holiday(day) and day.weekday() < 5:
        near = {day + timedelta(days=i) for i in range(-7, 8)}
        assert near & set(statutory_holidays(2025)) | near & set(statutory_holidays(2026))


def test_statutory_counts_2025_2026() -> None:
    # The revision from 2025 makes 13 statutory days (元旦1 春节4 清明1 劳动2 端午1 中秋1 国庆3).
    assert len(statutory_holidays(2025)) == 13 and len(statutory_holidays(2026)) == 13


# --- the warning on the dashboard, the intake and the meeting scheduler (services, real SQLite) ---

NOTICE = "2027年放假调休安排尚未载入，时限按法定节假日计算"


def test_dashboard_warns_once_deadlines_reach_an_unscheduled_year(ws, clerk_id, clock) -> None:  # noqa: ANN001
    from grassroots_tui.services.concerns import ConcernDraft, log_concern
    from grassroots_tui.services.dashboard import load_dashboard

    clock.set(2026, 10, 14, 10)
    log_concern(ws, clerk_id, ConcernDraft(summary="漏水", category="0801", received_at=clock.now))
    assert load_dashboard(ws).calendar_notice is None
    clock.set(2026, 12, 28, 10)  # a concern received today is due in January 2027
    view = log_concern(ws, clerk_id, ConcernDraft(summary="路灯不亮", category="0801", received_at=clock.now))
    assert view.feedback_due.year == 2027
    assert load_dashboard(ws).calendar_notice == NOTICE


def test_intake_deadline_skips_new_year_2027(ws, clerk_id, clock) -> None:  # noqa: ANN001
    from grassroots_tui.services.concerns import ConcernDraft, log_concern

    clock.set(2026, 12, 31, 10)
    view = log_concern(ws, clerk_id, ConcernDraft(summary="路灯不亮", category="0801", received_at=clock.now))
    # Every working-day limit from Thu 31 Dec skips Fri 1 Jan (元旦) and the weekend.
    assert view.dispatch_due.date() >= date(2027, 1, 4)
    assert CAL.is_workday(view.feedback_due.date())
    assert schedule_notice(ws.settings.calendar, [view.feedback_due.date()]) == NOTICE


def test_meeting_scheduler_warns_for_a_meeting_in_2027(ws, clerk_id, clock) -> None:  # noqa: ANN001
    from grassroots_tui.services import meetings as ms

    clock.set(2026, 12, 1, 10)

    def draft(start: datetime) -> ms.MeetingDraft:
        return ms.MeetingDraft(type="consultation", topic="楼道堆物集中清理", start=start, place="社区议事厅",
                               chair="王主任")

    december = ms.schedule_meeting(ws, clerk_id, draft(datetime(2026, 12, 10, 14, 30, tzinfo=TZ)))
    assert NOTICE not in december.warnings
    january = ms.schedule_meeting(ws, clerk_id, draft(datetime(2027, 1, 6, 14, 30, tzinfo=TZ)))
    assert NOTICE in january.warnings
    assert any(w.message == NOTICE for w in ms.check_meeting(ws, draft(datetime(2027, 2, 5, 14, 30, tzinfo=TZ))))
