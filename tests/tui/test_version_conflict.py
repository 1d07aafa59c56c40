"""The minutes form when another clerk saved the same minutes first: refused, the typed text kept."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from conftest import screen_text, wait_for

TZ = ZoneInfo("Asia/Shanghai")


def build(path: Path) -> str:
    import known_db

    from grassroots_tui.services.clerks import current_clerk
    from grassroots_tui.services.meetings import MeetingDraft, add_agenda_item, schedule_meeting
    from grassroots_tui.services.workspace import Workspace

    ws = Workspace.open(path, clock=known_db.FixedClock())
    try:
        draft = MeetingDraft(type="consultation", topic="楼道堆物", start=datetime(2030, 12, 3, 14, 30, tzinfo=TZ))
        ref = schedule_meeting(ws, current_clerk(ws).id, draft).meeting.reference
        add_agenda_item(ws, ref, "清理楼道杂物")
    finally:
        ws.close()
    return ref


async def test_stale_minutes_are_refused_and_the_typed_text_stays(tmp_path: Path, make_app) -> None:  # noqa: ANN001
    import known_db

    from grassroots_tui.services.meetings import get_meeting, record_minutes
    from grassroots_tui.services.workspace import Workspace
    from grassroots_tui.tui.screens.meeting_forms import MinutesForm

    path = tmp_path / "v.sqlite3"
    ref = build(path)
    app = make_app(path)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: getattr(app, "ws", None) is not None)
        item = get_meeting(app.ws, ref).agenda[0]
        form = MinutesForm(ref, item)
        app.push_screen(form)
        await wait_for(pilot, lambda: app.screen is form and getattr(app.focused, "id", None) == "minutes")
        await pilot.press(*"jumin")  # letters stand in for what the IME would type
        other = Workspace.open(path, clock=known_db.FixedClock())  # another clerk saves first
        try:
            record_minutes(other, ref, 1, "乙的记录", expected_version=item.version)
        finally:
            other.close()
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "刚被其他人修改过" in screen_text(app))
        assert app.screen is form
        assert form.query_one("#minutes").text == "jumin"
        assert get_meeting(app.ws, ref).agenda[0].minutes == "乙的记录"
