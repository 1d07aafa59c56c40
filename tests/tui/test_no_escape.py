"""A resident's text never controls the terminal (issue 9): the bytes the app writes, screen by screen.

The headless driver used by `run_test` writes nothing, and the app does not even render for a
headless driver. Here the driver claims to be a real one and records every string the app sends:
exactly what a terminal would receive. Every text field of the database carries an OSC 52
clipboard write, an OSC 2 window title, `ESC[2J`, a BEL-terminated OSC and U+202E
(`hostile_db`); on each screen the recorded output must show the payload's visible symbols
(the text was drawn) and none of its raw sequences.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

import hostile_db
from conftest import screen_text, wait_for
from hostile_db import ESC_PICTURE, RAW

# The app's own escape codes: CSI sequences (cursor moves, colours, synchronised output) and the
# mouse pointer's shape (OSC 22, BEL-terminated), which Textual sets when it starts.
_OWN = re.compile(r"\x1b\[[0-9;?<=>]*[ -/]*[@-~]|\x1b\]22;[a-z-]+\x07")


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Everything the app writes to its terminal, in order."""
    from textual.drivers.headless_driver import HeadlessDriver

    written: list[str] = []
    monkeypatch.setattr(HeadlessDriver, "is_headless", property(lambda self: False))
    monkeypatch.setattr(HeadlessDriver, "write", lambda self, data: written.append(data))
    return written


def raw_in(output: str) -> list[str]:
    """The forbidden sequences and control characters found in `output` (empty: clean)."""
    from grassroots_tui.domain.text import FORBIDDEN

    rest = _OWN.sub("", output)
    found = [r for r in RAW if r in rest] + [hostile_db.CLEAR for _ in range(output.count(hostile_db.CLEAR))]
    found += sorted({repr(c) for c in rest if c in FORBIDDEN and c != "\n"})
    return found


class Terminal:
    """Checks the output written since the last check, one screen at a time."""

    def __init__(self, app, pilot, written: list[str]) -> None:  # noqa: ANN001
        self.app, self.pilot, self.written = app, pilot, written
        self.mark = 0
        self.seen: list[str] = []

    def start(self) -> None:
        self.mark = len(self.written)

    async def check(self, name: str, ready: Callable[[], object], drawn: str = ESC_PICTURE) -> str:
        try:
            await wait_for(self.pilot, ready)
        except AssertionError:
            raise AssertionError(f"{name} never showed the records:\n{screen_text(self.app)}") from None
        await self.pilot.pause()
        await self.pilot.pause()
        output = "".join(self.written[self.mark:])
        self.mark = len(self.written)
        assert output, f"{name}: nothing was written to the terminal"
        leaks = [line.strip() for line in screen_text(self.app).splitlines() if raw_in(line)]
        assert not raw_in(output), f"{name}: raw sequences reached the terminal: {raw_in(output)} in {leaks}"
        assert drawn in output, f"{name}: the payload's symbols were not drawn ({drawn!r})"
        self.seen.append(name)
        return output

    async def section(self, key: str) -> None:
        """Back to the dashboard, then the section's F-key; output is checked from here on."""
        self.app.switch_screen(self.app.dashboard)
        await wait_for(self.pilot, lambda: self.app.screen is self.app.dashboard)
        self.start()
        await self.pilot.press(key)

    async def modal(self, name: str, screen, marker: str) -> None:  # noqa: ANN001
        """Push `screen`, check it shows `marker` cleanly, close it with Esc."""
        under = self.app.screen
        self.start()
        self.app.push_screen(screen)
        await self.check(name, lambda: self.app.screen is screen and marker in screen_text(self.app))
        await self.pilot.press("escape")
        await wait_for(self.pilot, lambda: self.app.screen is under)


def test_textual_writes_no_screen_clear_of_its_own() -> None:
    """The check on `ESC[2J` can fail: Textual's own output in this mode never contains it."""
    import asyncio

    from textual.app import App
    from textual.drivers.headless_driver import HeadlessDriver
    from textual.widgets import Static

    written: list[str] = []

    class Plain(App):
        def compose(self):  # noqa: ANN202
            yield Static("普通文字")

    async def go() -> None:
        mp = pytest.MonkeyPatch()
        mp.setattr(HeadlessDriver, "is_headless", property(lambda self: False))
        mp.setattr(HeadlessDriver, "write", lambda self, data: written.append(data))
        try:
            async with Plain().run_test(size=(40, 5)) as pilot:
                await pilot.pause()
                await pilot.pause()
        finally:
            mp.undo()

    asyncio.run(go())
    output = "".join(written)
    assert "普通文字" in output
    assert not raw_in(output)


def test_an_unsanitised_static_would_be_caught(terminal: list[str]) -> None:
    """The recording sees raw user text: a Static given the payload without the sanitiser leaks."""
    import asyncio

    from rich.text import Text
    from textual.app import App
    from textual.widgets import Static

    class Leaky(App):
        def compose(self):  # noqa: ANN202
            yield Static(Text(hostile_db.PAYLOAD))

    async def go() -> None:
        async with Leaky().run_test(size=(80, 5)) as pilot:
            await pilot.pause()
            await pilot.pause()

    asyncio.run(go())
    assert raw_in("".join(terminal))


@pytest.fixture
def hostile_path(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    path = tmp_path / "hostile.sqlite3"
    return path, hostile_db.build(path)


async def test_no_screen_sends_a_residents_escape_sequences(hostile_path, terminal: list[str]) -> None:  # noqa: ANN001
    from grassroots_tui.tui.app import GrassrootsApp
    from grassroots_tui.tui.screens.board import BoardScreen
    from grassroots_tui.tui.screens.concern_action import ConcernActionForm
    from grassroots_tui.tui.screens.concern_detail import ConcernDetailScreen
    from grassroots_tui.tui.screens.intake import ConcernPeek, IntakeScreen
    from grassroots_tui.tui.screens.ledger import LedgerScreen
    from grassroots_tui.tui.screens.meeting_checkin import CheckInScreen
    from grassroots_tui.tui.screens.meeting_detail import MeetingScreen
    from grassroots_tui.tui.screens.meetings import MeetingsScreen
    from grassroots_tui.tui.screens.residents import ResidentsScreen
    from grassroots_tui.tui.screens.statistics import BehindScreen, StatisticsScreen

    path, refs = hostile_path
    app = GrassrootsApp(path, clock=hostile_db.FixedClock())
    app.animation_level = "none"
    bells: list[int] = []
    app.bell = lambda: bells.append(1)  # the app's own bell is not user text
    async with app.run_test(size=(160, 50)) as pilot:
        t = Terminal(app, pilot, terminal)
        text = lambda: screen_text(app)  # noqa: E731
        await t.check("工作台", lambda: app.ws is not None and "议题甲" in text())

        t.start()
        await pilot.press("f3")
        await t.check("诉求台账", lambda: isinstance(app.screen, LedgerScreen) and "漏水甲" in text())

        t.start()
        await pilot.press("ctrl+b")
        await t.check("看板", lambda: isinstance(app.screen, BoardScreen) and "甲" in text())
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, LedgerScreen))

        t.start()
        app.push_screen(ConcernDetailScreen(refs["concern"]))
        await t.check("诉求详情", lambda: isinstance(app.screen, ConcernDetailScreen)
                      and "派单说明甲" in text() and "详情甲" in text())

        t.start()
        app.screen.launch_action(refs["concern"], None, "sign")
        await t.check("办理表单", lambda: isinstance(app.screen, ConcernActionForm) and "漏水甲" in text())
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ConcernDetailScreen))

        await t.section("f2")
        await wait_for(pilot, lambda: isinstance(app.screen, IntakeScreen))
        intake = app.screen
        from grassroots_tui.services.residents import get_resident
        from grassroots_tui.tui.widgets.resident_lookup import ResidentLookup

        lookup = intake.query_one("#resident", ResidentLookup)
        intake._resident_chosen(ResidentLookup.Chosen(lookup, get_resident(app.ws, int(refs["resident"])),
                                                      "resident", ""))
        await t.check("登记诉求（在办诉求）", lambda: "漏水甲" in text() and "恶意甲" in text())
        from grassroots_tui.services.concerns import get_concern

        await t.modal("诉求速览", ConcernPeek(get_concern(app.ws, refs["concern"])), "漏水甲")

        await t.section("f5")
        await t.check("居民台账", lambda: isinstance(app.screen, ResidentsScreen) and "恶意甲" in text()
                      and "独居甲" in text())

        from grassroots_tui.tui.screens.resident_form import ResidentForm

        await t.modal("居民资料表单", ResidentForm(int(refs["resident"])), "恶意甲")

        await t.section("f4")
        await t.check("会议列表", lambda: isinstance(app.screen, MeetingsScreen) and "议题甲" in text())
        t.start()
        await pilot.press("f7")
        await t.check("周视图", lambda: "议题甲" in text() and app.screen.view == "week")
        t.start()
        await pilot.press("f7")
        await t.check("月视图", lambda: "议题甲" in text() and app.screen.view == "month")

        t.start()
        app.push_screen(MeetingScreen(refs["meeting"]))
        await t.check("会议详情", lambda: isinstance(app.screen, MeetingScreen) and app.screen.loads
                      and "决议甲" in text() and "提议甲" in text())

        from grassroots_tui.services.clerks import list_clerks
        from grassroots_tui.services.meetings import get_meeting
        from grassroots_tui.tui.screens.clerk_picker import ClerkPicker
        from grassroots_tui.tui.screens.meeting_forms import (
            ActionItemForm,
            CompleteActionForm,
            ConcernPicker,
            MinutesForm,
            ResolutionForm,
            VoteForm,
        )

        m = get_meeting(app.ws, refs["meeting"])
        resolution, action = m.resolutions[0], m.resolutions[0].actions[0]
        forms = [
            ("议题记录", MinutesForm(m.reference, m.agenda[0]), "记录甲"),
            ("决议表单", ResolutionForm(m.reference, m.agenda), "提议甲"),
            ("表决表单", VoteForm(m.reference, resolution, m.type, m.entitled, m.present), "决议甲"),
            ("议定事项表单", ActionItemForm(resolution, [("WY", "物业" + hostile_db.PAYLOAD)]), "物业甲"),
            ("办结表单", CompleteActionForm(action), "事项甲"),
            ("选择诉求", ConcernPicker(), "漏水甲"),
            ("切换工作人员", ClerkPicker(list_clerks(app.ws)), "员甲"),
        ]
        for name, form, marker in forms:
            await t.modal(name, form, marker)

        t.start()
        app.push_screen(CheckInScreen(refs["meeting"]))
        await t.check("签到", lambda: isinstance(app.screen, CheckInScreen) and app.screen.loads
                      and "0甲" in text())
        await pilot.press("escape")

        await t.section("f6")
        await wait_for(pilot, lambda: isinstance(app.screen, StatisticsScreen))
        t.start()
        await pilot.press("3")
        await t.check("统计（按承办单位）", lambda: "物业甲" in text())
        from grassroots_tui.domain.metrics import Period

        app.push_screen(BehindScreen(Period.month(2026, 10), "response_rate", "denominator"))
        await t.check("统计明细", lambda: isinstance(app.screen, BehindScreen) and "漏水甲" in text())

    assert len(t.seen) == 23
