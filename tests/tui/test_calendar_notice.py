"""The notice that a year's holiday schedule is not loaded, as the clerk sees it (dashboard, intake)."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Static

from conftest import wait_for

NOTICE = "2027年放假调休安排尚未载入，时限按法定节假日计算"


async def test_dashboard_screen_shows_the_notice(tmp_path: Path, clock) -> None:  # noqa: ANN001
    from grassroots_tui.tui.app import GrassrootsApp

    clock.set(2026, 12, 28, 10)
    app = GrassrootsApp(tmp_path / "new.sqlite3", None, clock=clock)
    app.animation_level = "none"
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: getattr(app.screen, "loads", 0) >= 1)
        notice = app.screen.query_one("#calendar-notice", Static)
        assert notice.display and str(notice.render()) == NOTICE


async def test_intake_confirmation_says_the_2027_schedule_is_not_loaded(tmp_path: Path, clock) -> None:  # noqa: ANN001
    from grassroots_tui.tui.app import GrassrootsApp
    from grassroots_tui.tui.screens.intake import IntakeScreen

    clock.set(2026, 12, 31, 10)
    app = GrassrootsApp(tmp_path / "new.sqlite3", None, clock=clock)
    app.animation_level = "none"
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: app.ws is not None and app.clerk is not None)
        app.push_screen(IntakeScreen())
        await wait_for(pilot, lambda: isinstance(app.screen, IntakeScreen))
        screen = app.screen
        await wait_for(pilot, lambda: any(p.categories for p in screen.query("#category")))
        await wait_for(pilot, lambda: screen.query_one("#lookup-input").has_focus)
        await pilot.press("tab", *"0302", "enter", *"路灯坏了", "ctrl+s")
        await wait_for(pilot, lambda: screen.saved is not None)
        assert screen.saved.feedback_due.year == 2027
        assert NOTICE in str(screen.query_one("#intake-done", Static).render())
