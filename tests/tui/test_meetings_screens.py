"""F4 screens: warnings while scheduling, typed dates read back, the agenda views, user text as data."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from conftest import screen_text, wait_for

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 9, 28, 10, 0, tzinfo=TZ)  # Monday before the National Day holiday
TOPIC = "[red]危险[/red] 电线"


class Clock:
    def __call__(self) -> datetime:
        return NOW


def build(path: Path) -> None:
    from grassroots_tui.services.clerks import current_clerk
    from grassroots_tui.services.meetings import MeetingDraft, schedule_meeting
    from grassroots_tui.services.workspace import Workspace

    ws = Workspace.open(path, clock=Clock())
    try:
        clerk = current_clerk(ws).id
        schedule_meeting(ws, clerk, MeetingDraft(type="consultation", topic=TOPIC,
                                                 start=datetime(2026, 9, 30, 14, 30, tzinfo=TZ),
                                                 place="议事厅", chair="王主任"))
    finally:
        ws.close()


@pytest.fixture
async def meetings_app(tmp_path: Path):  # noqa: ANN201
    from grassroots_tui.tui.app import GrassrootsApp
    from grassroots_tui.tui.screens.meetings import MeetingsScreen

    path = tmp_path / "screens.sqlite3"
    build(path)
    app = GrassrootsApp(path, clock=Clock())
    app.animation_level = "none"
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.ws is not None)
        await pilot.press("f4")
        await wait_for(pilot, lambda: isinstance(app.screen, MeetingsScreen)
                       and app.screen.query_one("#meeting-list").is_idle)
        yield app, pilot


async def test_upcoming_list_shows_user_text_literally(meetings_app) -> None:  # noqa: ANN001
    app, pilot = meetings_app
    await wait_for(pilot, lambda: TOPIC in screen_text(app))
    assert "09-30 三 14:30" in screen_text(app)


async def test_warnings_while_typing_conflict_and_a_holiday(meetings_app) -> None:  # noqa: ANN001
    from grassroots_tui.tui.screens.meeting_forms import NewMeetingForm
    from grassroots_tui.tui.widgets.date_field import DateField

    app, pilot = meetings_app
    await pilot.press("ctrl+n")
    await wait_for(pilot, lambda: isinstance(app.screen, NewMeetingForm))
    form = app.screen
    # Full-width digits (Pilot drops full-width punctuation keys).
    await pilot.press(*"停车", "tab", "tab", *"２０２６-０９-３０ １５:００")
    preview = form.query_one("#start", DateField).query_one(".date-preview")
    assert str(preview.render()) == "2026年9月30日 星期三 15:00"
    await pilot.press("enter", "enter", *"议事厅")
    await wait_for(pilot, lambda: any("会场冲突" in w for w in form.warnings))
    assert any("通知期只有 2 天" in w for w in form.warnings)
    # Move the meeting into the National Day holiday: the holiday warning replaces the conflict.
    start = form.query_one("#start", DateField)
    start.text = "10-03 9:00"
    await wait_for(pilot, lambda: any("国庆节" in w for w in form.warnings))
    assert not any("会场冲突" in w for w in form.warnings)
    start.text = "10-35 9:00"
    await pilot.pause()
    assert "日期不存在" in str(preview.render())
    await pilot.press("ctrl+s")
    error = form.query_one("#err-start")
    await wait_for(pilot, lambda: error.has_class("-shown"))
    assert "日期不存在：2026年10月35日" in str(error.render())
    assert app.screen is form  # nothing saved


async def test_week_and_month_views(meetings_app) -> None:  # noqa: ANN001
    app, pilot = meetings_app
    screen = app.screen
    await pilot.press("f7")
    await wait_for(pilot, lambda: screen.view == "week" and screen.loads >= 1)
    text = screen_text(app)
    assert "09-28 至 10-04" in text and "三 09-30" in text and "14:30 [red]" in text
    loads = screen.loads
    await pilot.press("right")  # the week of the holiday's end and the worked Saturday
    await wait_for(pilot, lambda: screen.loads > loads)
    assert "10-05 至 10-11" in screen_text(app)
    await pilot.press("f7")
    await wait_for(pilot, lambda: screen.view == "month" and screen.loads > loads + 1)
    text = screen_text(app)
    assert "2026年10月的会议" in text and "周日" in text
    await pilot.press("left")
    await wait_for(pilot, lambda: "2026年9月的会议" in screen_text(app))
    await wait_for(pilot, lambda: "30 1场" in screen_text(app))


async def test_other_agenda_item_and_papers_from_the_meeting(meetings_app, tmp_path: Path) -> None:  # noqa: ANN001
    from grassroots_tui.tui.screens.meeting_detail import MeetingScreen
    from grassroots_tui.tui.screens.meeting_forms import AgendaItemForm, PaperMenu

    app, pilot = meetings_app
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(app.screen, MeetingScreen) and app.screen.meeting is not None)
    detail = app.screen
    assert TOPIC in screen_text(app)
    await pilot.press("ctrl+g")
    await wait_for(pilot, lambda: isinstance(app.screen, AgendaItemForm))
    await pilot.press(*"增设充电桩", "enter", *"网格员小王", "ctrl+s")
    await wait_for(pilot, lambda: app.screen is detail and len(detail.meeting.agenda) == 1)
    item = detail.meeting.agenda[0]
    assert (item.title, item.source_label, item.proposer) == ("增设充电桩", "居民书面提议", "网格员小王")
    await pilot.press("ctrl+e")
    await wait_for(pilot, lambda: isinstance(app.screen, PaperMenu))
    await pilot.press("2")  # 签到表
    papers = tmp_path / "userdata" / "papers"
    sheet = papers / f"{detail.meeting.reference}-签到表.html"
    await wait_for(pilot, lambda: sheet.exists())
    html = sheet.read_text(encoding="utf-8")
    assert "签到表" in html and "[red]危险[/red]" in html and "@page" in html
    await pilot.press("ctrl+e")
    await wait_for(pilot, lambda: isinstance(app.screen, PaperMenu))
    await pilot.press("6")  # .ics
    await wait_for(pilot, lambda: (papers / f"{detail.meeting.reference}.ics").exists())
