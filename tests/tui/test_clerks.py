"""Who is at the keyboard: remembered per database, switched from the dashboard or the palette."""

from __future__ import annotations

from pathlib import Path

from known_db import FixedClock
from textual.widgets import OptionList

from conftest import screen_text, wait_for
from grassroots_tui.tui.screens.clerk_picker import ClerkPicker
from grassroots_tui.tui.screens.dashboard import DashboardScreen


def ready(app) -> bool:  # noqa: ANN001
    return app.ws is not None and isinstance(app.screen, DashboardScreen) and app.screen.loads > 0


def remembered(path: Path) -> str:
    from grassroots_tui.services.clerks import current_clerk
    from grassroots_tui.services.workspace import Workspace

    ws = Workspace.open(path, clock=FixedClock())
    try:
        return current_clerk(ws).name
    finally:
        ws.close()


async def choose(pilot, app, name: str) -> None:  # noqa: ANN001
    await wait_for(pilot, lambda: isinstance(app.screen, ClerkPicker))
    options = app.screen.query_one(OptionList)
    target = next(i for i, c in enumerate(app.screen.clerks) if c.name == name)
    while options.highlighted != target:
        await pilot.press("down" if (options.highlighted or 0) < target else "up")
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(app.screen, DashboardScreen))


async def test_f9_switches_clerk_and_remembers_it(known_path: Path, make_app) -> None:  # noqa: ANN001
    app = make_app(known_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: ready(app))
        assert app.clerk_name == "值班工作人员"
        await pilot.press("f9")
        await wait_for(pilot, lambda: isinstance(app.screen, ClerkPicker))
        picker_text = screen_text(app)
        assert "李晓梅" in picker_text and "王建国（网格员）" in picker_text
        await choose(pilot, app, "李晓梅")
        assert app.clerk_name == "李晓梅"
        await wait_for(pilot, lambda: "工作人员：李晓梅" in screen_text(app))
        await app.workers.wait_for_complete()
    assert remembered(known_path) == "李晓梅"


async def test_the_next_start_opens_with_the_remembered_clerk(known_path: Path, make_app) -> None:  # noqa: ANN001
    app = make_app(known_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: ready(app))
        await pilot.press("ctrl+u")
        await choose(pilot, app, "王建国")
        await app.workers.wait_for_complete()
    again = make_app(known_path)
    async with again.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: ready(again))
        assert again.clerk_name == "王建国"
        assert "工作人员：王建国" in screen_text(again)


async def test_esc_in_the_picker_keeps_the_clerk(known_path: Path, make_app) -> None:  # noqa: ANN001
    app = make_app(known_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: ready(app))
        await pilot.press("f9")
        await wait_for(pilot, lambda: isinstance(app.screen, ClerkPicker))
        await pilot.press("down", "escape")
        await wait_for(pilot, lambda: isinstance(app.screen, DashboardScreen))
        assert app.clerk_name == "值班工作人员"
    assert remembered(known_path) == "值班工作人员"


def _highlighted_command(app) -> str:  # noqa: ANN001
    from textual.command import CommandList

    found = app.screen.query(CommandList)
    if not found or found.first().highlighted is None:
        return ""
    option = found.first().get_option_at_index(found.first().highlighted)
    prompt = option.prompt
    return getattr(prompt, "plain", str(prompt))


async def test_switch_clerk_from_the_command_palette(known_path: Path, make_app) -> None:  # noqa: ANN001
    app = make_app(known_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: ready(app))
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: app.screen.id == "--command-palette")
        await pilot.press("q", "h")  # 切换工作人员, by pinyin initials
        # The palette searches in the background: wait until the command is the highlighted one.
        await wait_for(pilot, lambda: "切换工作人员" in _highlighted_command(app))
        await pilot.press("enter")
        await choose(pilot, app, "王建国")
        assert app.clerk_name == "王建国"
        await app.workers.wait_for_complete()
    assert remembered(known_path) == "王建国"


async def test_clerk_named_on_the_command_line(known_path: Path, make_app) -> None:  # noqa: ANN001
    app = make_app(known_path, clerk="李晓梅")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: ready(app))
        assert app.clerk_name == "李晓梅"


async def test_unknown_clerk_on_the_command_line_falls_back_and_says_so(known_path: Path, make_app) -> None:  # noqa: ANN001
    app = make_app(known_path, clerk="赵无此人")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: ready(app))
        assert app.clerk_name == "值班工作人员"
        assert any("没有名为“赵无此人”的工作人员" in n.message for n in app._notifications)
