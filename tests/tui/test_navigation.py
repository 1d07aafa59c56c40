"""Keys that survive a Chinese IME: F-keys, Ctrl, Esc, Enter, arrows."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable

from conftest import screen_text, wait_for
from grassroots_tui.tui.app import GrassrootsApp
from grassroots_tui.tui.screens.clerk_picker import ClerkPicker
from grassroots_tui.tui.screens.dashboard import DashboardScreen
from grassroots_tui.tui.screens.help import HelpScreen, key_label
from grassroots_tui.tui.screens.planned import NOT_READY, SECTIONS, PlannedScreen

SECTION_KEYS = [(s.key, s.name, s.title) for s in SECTIONS.values()]
# Keys an IME takes or Windows Terminal swallows.
FORBIDDEN = {"ctrl+space", "shift+space", "ctrl+full_stop"}


def ready(app) -> bool:  # noqa: ANN001
    return app.ws is not None and isinstance(app.screen, DashboardScreen) and app.screen.loads > 0


class StandInScreen(Screen):
    def __init__(self) -> None:
        super().__init__(classes="section-screen")


@pytest.fixture
def unbuilt(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every section as if its screen were not written yet: the planned notice stands in."""
    from grassroots_tui.tui import sections

    monkeypatch.setattr(sections, "SECTION_SCREENS", {})


@pytest.mark.parametrize("owner", [GrassrootsApp, DashboardScreen, PlannedScreen, HelpScreen, ClerkPicker])
def test_every_binding_has_an_id_and_a_tooltip(owner) -> None:  # noqa: ANN001
    for binding in owner.BINDINGS:
        assert isinstance(binding, Binding)
        assert binding.id, binding
        assert binding.tooltip, binding
        assert binding.description, binding
        for key in binding.key.split(","):
            assert key not in FORBIDDEN
            assert not key.startswith("ctrl+shift+")
            # Letters alone go to the IME.
            assert not (len(key) == 1 and key.isalpha()), key


@pytest.mark.parametrize("key,name,title", SECTION_KEYS)
async def test_f_keys_open_the_planned_screens_and_esc_returns(known_path: Path, make_app, key, name, title, unbuilt) -> None:  # noqa: ANN001
    app = make_app(known_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: ready(app))
        await pilot.press(key)
        await wait_for(pilot, lambda: isinstance(app.screen, PlannedScreen))
        assert app.screen.section.name == name
        text = screen_text(app)
        assert title in text
        assert NOT_READY in text
        assert "计划：" in text
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, DashboardScreen))


async def test_one_section_replaces_another(known_path: Path, make_app, unbuilt) -> None:  # noqa: ANN001
    app = make_app(known_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: ready(app))
        await pilot.press("f2")
        await wait_for(pilot, lambda: app.screen.name == "new_concern")
        await pilot.press("f6")
        await wait_for(pilot, lambda: app.screen.name == "statistics")
        assert len(app.screen_stack) == 2
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, DashboardScreen))


async def test_f1_lists_the_bindings_of_the_screen_it_came_from(known_path: Path, make_app) -> None:  # noqa: ANN001
    app = make_app(known_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: ready(app))
        await pilot.press("f1")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        table = app.screen.query_one("#help-keys", DataTable)
        rows = {str(table.get_row_at(i)[0]): (str(table.get_row_at(i)[1]), str(table.get_row_at(i)[2]))
                for i in range(table.row_count)}
        expected = list(GrassrootsApp.BINDINGS) + list(DashboardScreen.BINDINGS)
        for binding in expected:
            keys = " / ".join(key_label(k) for k in binding.key.split(","))
            assert rows[keys] == (binding.description, binding.tooltip), keys
        assert "F9 / Ctrl+U" in rows and "Ctrl+P" in rows and "Ctrl+Q" in rows
        text = screen_text(app)
        assert "按键（工作台）" in text
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, DashboardScreen))


async def test_f1_on_a_planned_screen_lists_esc(known_path: Path, make_app, unbuilt) -> None:  # noqa: ANN001
    app = make_app(known_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: ready(app))
        await pilot.press("f4")
        await wait_for(pilot, lambda: isinstance(app.screen, PlannedScreen))
        await pilot.press("f1")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        text = screen_text(app)
        assert "按键（议事协商）" in text and "Esc" in text and "回到工作台" in text
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, DashboardScreen))


async def test_ctrl_q_quits(known_path: Path, make_app, unbuilt) -> None:  # noqa: ANN001
    app = make_app(known_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: ready(app))
        await pilot.press("f3")
        await wait_for(pilot, lambda: isinstance(app.screen, PlannedScreen))
        await pilot.press("ctrl+q")
        await wait_for(pilot, lambda: not app.is_running)
    assert app.return_code == 0


async def test_a_section_screen_that_fails_to_load_leaves_the_app_running(known_path: Path, make_app,
                                                                          monkeypatch) -> None:  # noqa: ANN001
    from grassroots_tui.tui import sections

    monkeypatch.setattr(sections, "SECTION_SCREENS", {"statistics": "grassroots_tui.tui.screens.dashboard:Missing"})
    app = make_app(known_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: ready(app))
        await pilot.press("f6")
        await wait_for(pilot, lambda: any("打开统计分析时出现意外错误" in n.message for n in app._notifications))
        assert not any("Missing" in n.message or "Error" in n.message for n in app._notifications)
        assert isinstance(app.screen, DashboardScreen) and app.is_running


async def test_a_built_section_replaces_the_notice(known_path: Path, make_app, monkeypatch) -> None:  # noqa: ANN001
    """F-keys ask tui/sections.py for the real screen first (here a stand-in)."""
    from grassroots_tui.tui import sections

    monkeypatch.setattr(sections, "SECTION_SCREENS", {"meetings": f"{__name__}:StandInScreen"})
    app = make_app(known_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: ready(app))
        await pilot.press("f4")
        await wait_for(pilot, lambda: isinstance(app.screen, StandInScreen))
        await pilot.press("f5")
        await wait_for(pilot, lambda: isinstance(app.screen, PlannedScreen))
        assert len(app.screen_stack) == 2


async def test_ctrl_q_quits_before_the_database_is_open(tmp_path: Path, make_app) -> None:  # noqa: ANN001
    app = make_app(tmp_path / "new.sqlite3")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+q")
        await wait_for(pilot, lambda: not app.is_running)


async def test_command_palette_opens_a_section(known_path: Path, make_app, unbuilt) -> None:  # noqa: ANN001
    app = make_app(known_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: ready(app))
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: app.screen.id == "--command-palette")
        await pilot.press(*"jmtz", "enter")  # 居民台账 by its pinyin initials
        await wait_for(pilot, lambda: isinstance(app.screen, PlannedScreen))
        assert app.screen.section.name == "residents"
