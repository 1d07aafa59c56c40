"""The dashboard reads the real database in a worker and shows the right figures."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from known_db import EXPECTED, MARKUP_SUMMARY, NOW, FixedClock

from conftest import screen_text, wait_for
from grassroots_tui.tui.screens.dashboard import TILES, DashboardScreen
from grassroots_tui.tui.widgets.count_tile import CountTile


def loaded(app) -> bool:  # noqa: ANN001
    return isinstance(app.screen, DashboardScreen) and app.screen.loads > 0


async def test_counts_match_the_known_database(known_path: Path, make_app) -> None:  # noqa: ANN001
    app = make_app(known_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: loaded(app))
        shown = {attr: app.screen.query_one(f"#{tile_id}", CountTile).value for tile_id, _l, attr, _a in TILES}
        assert shown == {
            "intake_this_month": EXPECTED.intake_this_month,
            "closed_this_month": EXPECTED.closed_this_month,
            "open_total": EXPECTED.open_total,
            "overdue_count": EXPECTED.overdue_count,
            "due_soon_count": EXPECTED.due_soon_count,
            "awaiting_followup": EXPECTED.awaiting_followup,
            "parked": EXPECTED.parked,
            "problem_cases": EXPECTED.problem_cases,
        }
        text = screen_text(app)
        assert "已超期 2 件" in text
        assert "即将到期 2 件" in text
        assert "今日会议：无" in text
        assert "2026年10月12日 星期一" in text
        # The overdue list: oldest deadline first, due times shown.
        lines = text.splitlines()
        a = next(i for i, line in enumerate(lines) if "SQ-2026-000001" in line)
        c = next(i for i, line in enumerate(lines) if "SQ-2026-000003" in line)
        assert a < c
        assert "10-08 23:59" in lines[a]
        assert "10-10 23:59" in lines[c]


async def test_tile_figures_are_on_screen_at_80_by_24(known_path: Path, make_app) -> None:  # noqa: ANN001
    app = make_app(known_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: loaded(app))
        # The figures and the key bar are painted a frame after the data arrives.
        await wait_for(pilot, lambda: "F9" in screen_text(app).splitlines()[-1]
                       and "本月受理" in screen_text(app))
        lines = screen_text(app).splitlines()
        labels = next(i for i, line in enumerate(lines) if "本月受理" in line)
        for _id, label, _attr, _alert in TILES:
            assert label in lines[labels], label
        assert lines[labels + 1].split() == ["5", "1", "6", "2", "2", "0", "0", "0"]
        footer = lines[-1]
        for key in ("F1", "F2", "F3", "F4", "F5", "F6", "F9", "^Q"):
            assert key in footer, key


async def test_summary_with_markup_shows_literally(known_path: Path, make_app) -> None:  # noqa: ANN001
    app = make_app(known_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: loaded(app))
        assert "[red]危险[/red]" in screen_text(app)
        assert MARKUP_SUMMARY.startswith("[red]危险[/red]")


async def test_first_screen_does_not_wait_for_the_database(known_path: Path, make_app, monkeypatch) -> None:  # noqa: ANN001
    from grassroots_tui.services import workspace

    release = threading.Event()
    real_open = workspace.Workspace.open.__func__

    def slow_open(cls, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        release.wait(10)
        return real_open(cls, *args, **kwargs)

    monkeypatch.setattr(workspace.Workspace, "open", classmethod(slow_open))
    app = make_app(known_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: "正在读取" in screen_text(app))
        assert isinstance(app.screen, DashboardScreen)
        assert app.ws is None  # the first screen is up while the database is still closed
        release.set()
        await wait_for(pilot, lambda: loaded(app))
        await wait_for(pilot, lambda: "正在读取" not in screen_text(app))


async def test_new_database_opens_with_the_default_clerk(tmp_path: Path, make_app) -> None:  # noqa: ANN001
    app = make_app(tmp_path / "new.sqlite3")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: loaded(app))
        assert app.clerk_name == "值班工作人员"
        text = screen_text(app)
        assert "工作人员：值班工作人员" in text
        assert "已超期：无" in text and "即将到期：无" in text


async def test_ctrl_r_reads_the_figures_again(known_path: Path, make_app) -> None:  # noqa: ANN001
    from grassroots_tui.services.clerks import current_clerk
    from grassroots_tui.services.concerns import ConcernDraft, log_concern
    from grassroots_tui.services.workspace import Workspace

    app = make_app(known_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: loaded(app))
        before = app.screen.loads
        ws = Workspace.open(known_path, clock=FixedClock())
        try:
            log_concern(ws, current_clerk(ws).id, ConcernDraft(summary="电梯困人", category="0103", received_at=NOW))
        finally:
            ws.close()
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: app.screen.loads > before)
        assert app.screen.query_one("#intake", CountTile).value == EXPECTED.intake_this_month + 1


async def test_too_new_database_shows_the_reason(known_path: Path, make_app) -> None:  # noqa: ANN001
    con = sqlite3.connect(known_path)
    con.execute("UPDATE alembic_version SET version_num = 'ffff'")
    con.commit()
    con.close()
    app = make_app(known_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.workspace_error)
        await pilot.pause()
        text = screen_text(app)
        assert "无法打开数据库" in text
        assert "更新版本的程序" in text
        assert "Traceback" not in text
        assert app.is_running
        # The rest of the program still answers.
        await pilot.press("f1")
        await wait_for(pilot, lambda: app.screen.name == "help")


async def test_wide_terminal_puts_the_two_deadline_lists_side_by_side(known_path: Path, make_app) -> None:  # noqa: ANN001
    app = make_app(known_path)
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_for(pilot, lambda: loaded(app))
        await pilot.pause()
        overdue = app.screen.query_one("#overdue-box").region
        soon = app.screen.query_one("#due-soon-box").region
        assert overdue.y == soon.y and soon.x >= overdue.right
        text = screen_text(app)
        assert "SQ-2026-000001" in text and "SQ-2026-000002" in text


async def test_enter_on_an_overdue_row_opens_that_concern(known_path: Path, make_app) -> None:  # noqa: ANN001
    from grassroots_tui.tui.screens.concern_detail import ConcernDetailScreen

    app = make_app(known_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: loaded(app))
        app.screen.query_one("#overdue").focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConcernDetailScreen))
        assert app.screen.reference == "SQ-2026-000001"
        await wait_for(pilot, lambda: "SQ-2026-000001" in screen_text(app))
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, DashboardScreen))
