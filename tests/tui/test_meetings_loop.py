"""The whole loop by keyboard (issue #5): two concerns -> a meeting -> both on the agenda ->
check-in reaching quorum -> the vote passes -> a resolution with an action item -> the action
is done -> both concerns in 待回访 -> follow-up -> closed; and a meeting short of its quorum
cannot record a passing vote.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from conftest import screen_text, wait_for

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 30, 10, 0, tzinfo=TZ)  # Monday


class Clock:
    """Settable: the meeting is scheduled days ahead, checked in and voted once it has begun."""

    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


def build(path: Path) -> list[str]:
    from grassroots_tui.services.clerks import current_clerk
    from grassroots_tui.services.concerns import ConcernDraft, log_concern
    from grassroots_tui.services.residents import ResidentDraft, add_resident
    from grassroots_tui.services.workspace import Workspace

    ws = Workspace.open(path, clock=Clock())
    try:
        clerk = current_clerk(ws).id
        add_resident(ws, clerk, ResidentDraft(name="张三丰", phone="13812345678", address="3-2-301"))
        add_resident(ws, clerk, ResidentDraft(name="李四光", phone="13912345679", address="5-1-202"))
        refs = [log_concern(ws, clerk, ConcernDraft(summary="3号楼楼道堆满杂物", category="0203")).reference,
                log_concern(ws, clerk, ConcernDraft(summary="杂物挡住消防通道", category="1102")).reference]
    finally:
        ws.close()
    return refs


async def type_text(pilot, text: str) -> None:  # noqa: ANN001
    await pilot.press(*text)


def concern_status(app, reference: str) -> str:  # noqa: ANN001
    from grassroots_tui.services.concerns import get_concern

    return get_concern(app.ws, reference, with_events=False).status


async def new_meeting(pilot, app, topic: str, start: str, type_downs: int = 0):  # noqa: ANN001, ANN201
    from grassroots_tui.tui.screens.meeting_detail import MeetingScreen
    from grassroots_tui.tui.screens.meeting_forms import NewMeetingForm

    await pilot.press("ctrl+n")
    await wait_for(pilot, lambda: isinstance(app.screen, NewMeetingForm))
    await type_text(pilot, topic)
    await pilot.press("tab")  # the type list
    if type_downs:
        await pilot.press("enter", *["down"] * type_downs, "enter")
    await pilot.press("tab")
    await type_text(pilot, start)
    for value in ("", "议事厅", "王主任", "李四", "11-26"):  # minutes (keep 90), place, chair, taker, notice
        await pilot.press("enter")
        await type_text(pilot, value)
    await pilot.press("enter")  # Enter on the last field saves
    await wait_for(pilot, lambda: isinstance(app.screen, MeetingScreen) and app.screen.meeting is not None)
    return app.screen


async def add_member(pilot, app, name: str) -> None:  # noqa: ANN001
    from grassroots_tui.tui.screens.meeting_checkin import CheckInScreen
    from grassroots_tui.tui.screens.meeting_forms import ParticipantForm

    await pilot.press("ctrl+n")
    await wait_for(pilot, lambda: isinstance(app.screen, ParticipantForm))
    await type_text(pilot, name)
    await pilot.press("ctrl+s")
    await wait_for(pilot, lambda: isinstance(app.screen, CheckInScreen))


async def check_in(pilot, app, number: str, present: int) -> None:  # noqa: ANN001
    await pilot.press("f7", *number, "enter")
    await wait_for(pilot, lambda: app.screen.meeting is not None and app.screen.meeting.present == present)


async def vote(pilot, app, counts: str):  # noqa: ANN001, ANN201
    from grassroots_tui.tui.screens.meeting_detail import MeetingScreen
    from grassroots_tui.tui.screens.meeting_forms import VoteForm

    loads = app.screen.loads
    await pilot.press("ctrl+t")
    await wait_for(pilot, lambda: isinstance(app.screen, VoteForm))
    form = app.screen
    await type_text(pilot, counts)
    await pilot.pause()
    preview = form.query_one("#outcome").render()
    await pilot.press("ctrl+s")
    await wait_for(pilot, lambda: isinstance(app.screen, MeetingScreen) and app.screen.loads > loads)
    return str(preview)


async def test_the_whole_loop_by_keyboard(tmp_path: Path, make_app) -> None:  # noqa: ANN001
    from grassroots_tui.tui.app import GrassrootsApp
    from grassroots_tui.tui.screens.meeting_checkin import CheckInScreen
    from grassroots_tui.tui.screens.meeting_forms import (
        ActionItemForm,
        CompleteActionForm,
        ConcernPicker,
        FollowupForm,
        ResolutionForm,
        VoteForm,
    )
    from grassroots_tui.tui.screens.meetings import MeetingsScreen

    path = tmp_path / "loop.sqlite3"
    refs = build(path)
    clock = Clock()
    app = GrassrootsApp(path, clock=clock)
    app.animation_level = "none"
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.ws is not None and app.clerk is not None)
        await pilot.press("f4")
        await wait_for(pilot, lambda: isinstance(app.screen, MeetingsScreen))

        # -- schedule
        detail = await new_meeting(pilot, app, "楼道堆物集中清理", "12-03 14:30")
        meeting = detail.meeting
        assert meeting.type == "consultation" and meeting.start_at == datetime(2026, 12, 3, 14, 30, tzinfo=TZ)
        assert meeting.place == "议事厅" and meeting.chair == "王主任" and meeting.minute_taker == "李四"

        # -- both concerns on the agenda
        for search in ("楼道堆满", "消防"):
            count = len(detail.meeting.agenda)
            await pilot.press("ctrl+a")
            await wait_for(pilot, lambda: isinstance(app.screen, ConcernPicker))
            await type_text(pilot, search)
            await pilot.press("enter")
            await wait_for(pilot, lambda: app.screen is detail and len(detail.meeting.agenda) == count + 1)
        assert [a.concern_reference for a in detail.meeting.agenda] == refs
        assert "议题 2" in screen_text(app)

        # -- participants and check-in: 3 entitled, quorum (at least 2/3) is 2; the meeting has begun
        clock.now = datetime(2026, 12, 3, 14, 35, tzinfo=TZ)
        await pilot.press("f7")
        await wait_for(pilot, lambda: isinstance(app.screen, CheckInScreen) and app.screen.meeting is not None)
        checkin = app.screen
        for initials in ("zsf", "lsg"):
            count = len(checkin.meeting.participants)
            await pilot.press("f8")
            await type_text(pilot, initials)
            await pilot.press("enter")
            await wait_for(pilot, lambda: len(checkin.meeting.participants) == count + 1)
        await add_member(pilot, app, "王委员")
        await wait_for(pilot, lambda: len(checkin.meeting.participants) == 3)
        assert [p.name for p in checkin.meeting.participants] == ["张三丰", "李四光", "王委员"]
        await check_in(pilot, app, "1", 1)
        assert not checkin.meeting.quorum.reached
        assert "未达到法定人数" in screen_text(app)
        await check_in(pilot, app, "３", 2)  # full-width digit from the IME
        assert checkin.meeting.quorum.reached
        assert "已达到法定人数" in screen_text(app)
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is detail and detail.meeting.present == 2)

        # -- resolution and a passing vote (more than half of 3 members: 2)
        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: isinstance(app.screen, ResolutionForm))
        await type_text(pilot, "物业两周内清理楼道杂物")
        await pilot.press("enter", "enter")  # no agenda number: the resolution covers both items
        await wait_for(pilot, lambda: app.screen is detail and len(detail.meeting.resolutions) == 1)
        await pilot.press("down", "down")  # agenda 1, agenda 2, resolution 1
        await pilot.press("ctrl+t")
        await wait_for(pilot, lambda: isinstance(app.screen, VoteForm))
        form = app.screen
        await type_text(pilot, "3")  # 3 for with 2 present: refused, nothing saved
        await pilot.press("ctrl+s")
        error = form.query_one("#err-votes")
        await wait_for(pilot, lambda: error.has_class("-shown"))
        assert "超过了实到的 2 人" in str(error.render())
        assert app.screen is form
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is detail)
        assert detail.meeting.resolutions[0].status == "draft"
        preview = await vote(pilot, app, "2")
        assert "通过" in preview
        assert detail.meeting.resolutions[0].status == "passed"

        # -- action item, then done
        await pilot.press("ctrl+d")
        await wait_for(pilot, lambda: isinstance(app.screen, ActionItemForm))
        await type_text(pilot, "清理3号楼楼道杂物")
        await pilot.press("enter")
        await type_text(pilot, "WY")
        await pilot.press("enter")
        await type_text(pilot, "12-17")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is detail and detail.meeting.resolutions[0].actions)
        action = detail.meeting.resolutions[0].actions[0]
        assert action.concern_reference.startswith("YD-2026-") and action.status == "dispatched"
        await pilot.press("down")
        await pilot.press("ctrl+o")
        await wait_for(pilot, lambda: isinstance(app.screen, CompleteActionForm))
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is detail and detail.meeting.resolutions[0].done_at is not None)
        assert [a.concern_status for a in detail.meeting.agenda] == ["awaiting_followup"] * 2
        assert all(concern_status(app, r) == "awaiting_followup" for r in refs)

        # -- follow-up closes both
        await pilot.press("up", "up", "up")  # back to agenda item 1
        for position in (1, 2):
            await pilot.press("ctrl+f")
            await wait_for(pilot, lambda: isinstance(app.screen, FollowupForm))
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: app.screen is detail
                           and detail.meeting.agenda[position - 1].concern_status == "closed")
            await pilot.press("down")
        assert all(concern_status(app, r) == "closed" for r in refs)

        # -- a second meeting, a residents' meeting, short of its quorum
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, MeetingsScreen))
        detail = await new_meeting(pilot, app, "加装电梯意见征询", "12-04 9:00", type_downs=4)
        assert detail.meeting.type == "residents"
        clock.now = datetime(2026, 12, 4, 9, 5, tzinfo=TZ)
        await pilot.press("f7")
        await wait_for(pilot, lambda: isinstance(app.screen, CheckInScreen) and app.screen.meeting is not None)
        checkin = app.screen
        for name in ("代表甲", "代表乙", "代表丙", "代表丁"):
            await add_member(pilot, app, name)
        await wait_for(pilot, lambda: len(checkin.meeting.participants) == 4)
        await check_in(pilot, app, "1", 1)
        await check_in(pilot, app, "2", 2)  # exactly half: not more than half
        assert not checkin.meeting.quorum.reached
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is detail and detail.meeting.present == 2)
        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: isinstance(app.screen, ResolutionForm))
        await type_text(pilot, "同意加装电梯")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is detail and len(detail.meeting.resolutions) == 1)
        preview = await vote(pilot, app, "2")
        assert "不足法定人数" in preview
        res = detail.meeting.resolutions[0]
        assert res.status == "no_quorum" and not res.carried
        assert "不足法定人数" in screen_text(app)
        assert detail.check_action("action_item", ()) is False  # no action items from a vote without quorum
