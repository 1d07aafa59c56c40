"""A paper or calendar over an existing file asks first: 2 (or Esc, Enter) keeps it, 1 replaces it.

And a database at the paper's path is refused with a Chinese sentence, never written over.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from conftest import screen_text, wait_for

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 9, 28, 10, 0, tzinfo=TZ)


class Clock:
    def __call__(self) -> datetime:
        return NOW


@pytest.fixture
async def detail(tmp_path: Path):  # noqa: ANN201
    from grassroots_tui.services.clerks import current_clerk
    from grassroots_tui.services.meetings import MeetingDraft, schedule_meeting
    from grassroots_tui.services.workspace import Workspace
    from grassroots_tui.tui.app import GrassrootsApp
    from grassroots_tui.tui.screens.meeting_detail import MeetingScreen
    from grassroots_tui.tui.screens.meetings import MeetingsScreen

    path = tmp_path / "papers.sqlite3"
    ws = Workspace.open(path, clock=Clock())
    try:
        schedule_meeting(ws, current_clerk(ws).id, MeetingDraft(type="consultation", topic="楼道堆物",
                                                                start=datetime(2026, 9, 30, 14, 30, tzinfo=TZ),
                                                                place="议事厅", chair="王主任"))
    finally:
        ws.close()
    app = GrassrootsApp(path, clock=Clock())
    app.animation_level = "none"
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.ws is not None)
        await pilot.press("f4")
        await wait_for(pilot, lambda: isinstance(app.screen, MeetingsScreen)
                       and app.screen.query_one("#meeting-list").is_idle)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, MeetingScreen) and app.screen.meeting is not None)
        yield app, pilot, app.screen, tmp_path / "userdata" / "papers"


def told(app, text: str) -> bool:  # noqa: ANN001
    return any(text in n.message for n in app._notifications)


async def ask_for_signin_sheet(app, pilot) -> None:  # noqa: ANN001
    from grassroots_tui.tui.screens.meeting_forms import PaperMenu

    await pilot.press("ctrl+e")
    await wait_for(pilot, lambda: isinstance(app.screen, PaperMenu))
    await pilot.press("2")  # 签到表


async def test_the_paper_dialog_asks_before_replacing(detail) -> None:  # noqa: ANN001
    from grassroots_tui.tui.screens.confirm import ReplaceFileDialog

    app, pilot, screen, papers = detail
    papers.mkdir(parents=True)
    sheet = papers / f"{screen.meeting.reference}-签到表.html"
    sheet.write_text("上周打印过的签到表", encoding="utf-8")

    await ask_for_signin_sheet(app, pilot)
    await wait_for(pilot, lambda: isinstance(app.screen, ReplaceFileDialog))
    assert "文件已存在" in screen_text(app) and "按 1 替换" in screen_text(app)
    await pilot.press("2")  # keep it
    await wait_for(pilot, lambda: app.screen is screen and told(app, "已保留原有文件"))
    assert sheet.read_text(encoding="utf-8") == "上周打印过的签到表"

    for key in ("escape", "enter"):  # the safe answer is the default
        await ask_for_signin_sheet(app, pilot)
        await wait_for(pilot, lambda: isinstance(app.screen, ReplaceFileDialog))
        await pilot.press(key)
        await wait_for(pilot, lambda: app.screen is screen)
    assert sheet.read_text(encoding="utf-8") == "上周打印过的签到表"

    await ask_for_signin_sheet(app, pilot)
    await wait_for(pilot, lambda: isinstance(app.screen, ReplaceFileDialog))
    await pilot.press("1")  # replace it
    await wait_for(pilot, lambda: "签到表" in sheet.read_text(encoding="utf-8")
                   and sheet.read_text(encoding="utf-8") != "上周打印过的签到表")
    await wait_for(pilot, lambda: told(app, "已生成签到表"))
    assert "@page" in sheet.read_text(encoding="utf-8")
    assert sorted(p.name for p in papers.iterdir()) == [sheet.name]  # no temporary file left


async def test_a_new_paper_is_written_without_asking(detail) -> None:  # noqa: ANN001
    app, pilot, screen, papers = detail
    await ask_for_signin_sheet(app, pilot)
    sheet = papers / f"{screen.meeting.reference}-签到表.html"
    await wait_for(pilot, lambda: told(app, "已生成签到表"))
    assert app.screen is screen and "@page" in sheet.read_text(encoding="utf-8")


async def test_a_database_at_the_paper_path_is_refused(detail) -> None:  # noqa: ANN001
    app, pilot, screen, papers = detail
    papers.mkdir(parents=True)
    sheet = papers / f"{screen.meeting.reference}-签到表.html"
    con = sqlite3.connect(sheet)
    con.execute("CREATE TABLE residents (name)")
    con.commit()
    con.close()
    before = sheet.read_bytes()
    await ask_for_signin_sheet(app, pilot)
    await wait_for(pilot, lambda: told(app, "是数据库文件"))
    assert app.screen is screen and sheet.read_bytes() == before


async def test_the_calendar_export_asks_before_replacing(detail) -> None:  # noqa: ANN001
    from grassroots_tui.tui.screens.confirm import ReplaceFileDialog
    from grassroots_tui.tui.screens.meetings import MeetingsScreen

    app, pilot, screen, papers = detail
    await pilot.press("escape")
    await wait_for(pilot, lambda: isinstance(app.screen, MeetingsScreen))
    listing = app.screen
    papers.mkdir(parents=True)
    ics = papers / "近期会议.ics"
    ics.write_text("旧日历", encoding="utf-8")
    listing.action_export_ics()
    await wait_for(pilot, lambda: isinstance(app.screen, ReplaceFileDialog))
    await pilot.press("2")
    await wait_for(pilot, lambda: app.screen is listing and told(app, "已保留原有文件"))
    assert ics.read_text(encoding="utf-8") == "旧日历"
    listing.action_export_ics()
    await wait_for(pilot, lambda: isinstance(app.screen, ReplaceFileDialog))
    await pilot.press("1")
    await wait_for(pilot, lambda: told(app, "已导出 1 场会议"))
    assert ics.read_text(encoding="utf-8").startswith("BEGIN:VCALENDAR")
