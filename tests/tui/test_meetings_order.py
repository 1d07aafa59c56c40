"""Meetings happen in order, by keyboard only (F-keys, Ctrl, Enter, Tab, digits: works with an IME on):
check-in refused before its window, a meeting rescheduled with its warnings recomputed, a vote
recorded in error voided with a reason, a resolution needing no action item carried out, a
resolution voided, a meeting cancelled."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from conftest import screen_text, wait_for

TZ = ZoneInfo("Asia/Shanghai")


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 30, 10, 0, tzinfo=TZ)  # Monday

    def __call__(self) -> datetime:
        return self.now


def build(path: Path, clock: Clock) -> tuple[str, str, str]:
    from grassroots_tui.services.clerks import current_clerk
    from grassroots_tui.services.concerns import ConcernDraft, log_concern
    from grassroots_tui.services.meetings import MeetingDraft, add_agenda_concern, add_participant, schedule_meeting
    from grassroots_tui.services.workspace import Workspace

    ws = Workspace.open(path, clock=clock)
    try:
        clerk = current_clerk(ws).id
        first = schedule_meeting(ws, clerk, MeetingDraft(type="joint", topic="消防通道清理", place="议事厅",
                                                         chair="王主任", start=datetime(2026, 12, 3, 14, 30, tzinfo=TZ),
                                                         notice_date=datetime(2026, 11, 30).date())).meeting.reference
        second = schedule_meeting(ws, clerk, MeetingDraft(type="talk", topic="冬季供暖", place="议事厅", chair="李书记",
                                                          start=datetime(2026, 12, 8, 14, 30, tzinfo=TZ),
                                                          notice_date=datetime(2026, 11, 30).date())).meeting.reference
        concern = log_concern(ws, clerk, ConcernDraft(summary="消防通道堆满杂物", category="1102")).reference
        add_agenda_concern(ws, clerk, first, concern)
        add_participant(ws, first, "物业经理", role="unit_rep")
    finally:
        ws.close()
    return first, second, concern


async def test_reschedule_void_carry_out_and_cancel_by_keyboard(tmp_path: Path) -> None:
    from grassroots_tui.services.concerns import get_concern
    from grassroots_tui.tui.app import GrassrootsApp
    from grassroots_tui.tui.screens.meeting_checkin import CheckInScreen
    from grassroots_tui.tui.screens.meeting_detail import MeetingScreen
    from grassroots_tui.tui.screens.meeting_forms import (
        CancelMeetingForm,
        CarriedOutForm,
        RescheduleForm,
        ResolutionForm,
        VoidForm,
        VoteForm,
    )
    from grassroots_tui.tui.screens.meetings import MeetingsScreen

    clock = Clock()
    path = tmp_path / "order.sqlite3"
    first, second, concern = build(path, clock)
    app = GrassrootsApp(path, clock=clock)
    app.animation_level = "none"
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: app.ws is not None and app.clerk is not None)
        await pilot.press("f4")
        await wait_for(pilot, lambda: isinstance(app.screen, MeetingsScreen)
                       and app.screen.query_one("#meeting-list").is_idle)
        await pilot.press("enter")  # the soonest: the first meeting
        await wait_for(pilot, lambda: isinstance(app.screen, MeetingScreen) and app.screen.meeting is not None)
        detail = app.screen
        assert detail.reference == first

        # -- days before: check-in refused in one Chinese sentence, nobody checked in
        await pilot.press("f7")
        await wait_for(pilot, lambda: isinstance(app.screen, CheckInScreen) and app.screen.meeting is not None)
        await pilot.press("1", "enter")
        await wait_for(pilot, lambda: "签到尚未开始" in screen_text(app))
        assert "12月3日 13:30 起才能签到" in screen_text(app)
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is detail)
        assert detail.meeting.present == 0 and detail.meeting.status == "planned"

        # -- F8: move it onto the other meeting's afternoon in the same hall: the warning comes back
        await pilot.press("f8")
        await wait_for(pilot, lambda: isinstance(app.screen, RescheduleForm))
        form = app.screen
        await pilot.press("end", "ctrl+u", *"12-08 15:00")
        await wait_for(pilot, lambda: any("会场冲突" in w and second in w for w in form.warnings))
        await pilot.press("tab", "tab", "tab", "tab", *"会场维修")  # minutes, place, chair kept: the reason
        await pilot.press("enter")  # Enter on the last field saves
        await wait_for(pilot, lambda: app.screen is detail and detail.meeting.start_at.day == 8)
        assert detail.meeting.start_at == datetime(2026, 12, 8, 15, 0, tzinfo=TZ)
        assert detail.meeting.events[-1].action == "rescheduled" and detail.meeting.events[-1].note == "会场维修"
        assert "12月8日" in screen_text(app)

        # -- the meeting has begun: check in, a resolution, a vote recorded in error
        clock.now = datetime(2026, 12, 8, 15, 5, tzinfo=TZ)
        await pilot.press("f7")
        await wait_for(pilot, lambda: isinstance(app.screen, CheckInScreen) and app.screen.meeting is not None)
        await pilot.press("1", "enter")
        await wait_for(pilot, lambda: app.screen.meeting.present == 1)
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is detail and detail.meeting.present == 1)
        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: isinstance(app.screen, ResolutionForm))
        await pilot.press(*"物业当场清理", "ctrl+s")
        await wait_for(pilot, lambda: app.screen is detail and len(detail.meeting.resolutions) == 1)
        await pilot.press("down")  # agenda 1, resolution 1
        await pilot.press("ctrl+t")
        await wait_for(pilot, lambda: isinstance(app.screen, VoteForm))
        await pilot.press("1", "ctrl+s")
        await wait_for(pilot, lambda: app.screen is detail and detail.meeting.resolutions[0].status == "consensus")

        # -- Ctrl+Y: void that vote with a reason; it stays on screen as 已作废
        await pilot.press("ctrl+y")
        await wait_for(pilot, lambda: isinstance(app.screen, VoidForm))
        void_form = app.screen
        await pilot.press("tab", "enter")  # no reason
        error = void_form.query_one("#err-reason")
        await wait_for(pilot, lambda: error.has_class("-shown"))
        assert "作废原因" in str(error.render()) and app.screen is void_form
        await pilot.press(*"点错了", "enter")
        await wait_for(pilot, lambda: app.screen is detail and detail.meeting.resolutions[0].status == "draft")
        res = detail.meeting.resolutions[0]
        assert res.vote is None and [v.void_reason for v in res.voided_votes] == ["点错了"]
        await wait_for(pilot, lambda: "已作废" in screen_text(app) and "点错了" in screen_text(app))

        # -- voted again; Ctrl+O: carried out without an action item, the concern goes to 待回访
        await pilot.press("ctrl+t")
        await wait_for(pilot, lambda: isinstance(app.screen, VoteForm))
        await pilot.press("1", "ctrl+s")
        await wait_for(pilot, lambda: app.screen is detail and detail.meeting.resolutions[0].carried)
        assert detail.check_action("complete", ()) is True
        await pilot.press("ctrl+o")
        await wait_for(pilot, lambda: isinstance(app.screen, CarriedOutForm))
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is detail and detail.meeting.resolutions[0].done_at is not None)
        assert get_concern(app.ws, concern, with_events=False).status == "awaiting_followup"
        assert detail.meeting.agenda[0].concern_status == "awaiting_followup"

        # -- a resolution recorded twice: voided as a whole
        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: isinstance(app.screen, ResolutionForm))
        await pilot.press(*"重复的决议", "ctrl+s")
        await wait_for(pilot, lambda: app.screen is detail and len(detail.meeting.resolutions) == 2)
        while detail.current is None or detail.current.key != f"resolution:{detail.meeting.resolutions[1].id}":
            await pilot.press("down")
        await pilot.press("ctrl+y")
        await wait_for(pilot, lambda: isinstance(app.screen, VoidForm))
        await pilot.press("tab", *"与决议1重复", "enter")
        await wait_for(pilot, lambda: app.screen is detail and detail.meeting.resolutions[1].voided)
        assert detail.meeting.resolutions[1].status_label == "已作废"
        assert detail.check_action("vote", ()) is False

        # -- the other meeting: Ctrl+K cancels it with its reason
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, MeetingsScreen))
        listing = app.screen
        await wait_for(pilot, lambda: listing.query_one("#meeting-list").is_idle)
        await pilot.press("enter")  # the soonest now: the other meeting (14:30, before 15:00)
        await wait_for(pilot, lambda: isinstance(app.screen, MeetingScreen) and app.screen.meeting is not None)
        other = app.screen
        assert other.reference == second and other.check_action("reschedule", ()) is True
        await pilot.press("ctrl+k")
        await wait_for(pilot, lambda: isinstance(app.screen, CancelMeetingForm))
        await pilot.press(*"天气原因", "enter")
        await wait_for(pilot, lambda: app.screen is other and other.meeting.status == "cancelled")
        assert "已取消" in screen_text(app)
        assert other.check_action("reschedule", ()) is False and other.check_action("cancel_meeting", ()) is False
        assert other.meeting.events[-1].action == "cancelled"
