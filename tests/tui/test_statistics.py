"""统计 (F6) on the known database: the figures, period keys, breakdowns, the concerns behind, export.

The clock stands at Mon 2026-10-12 10:00. Concerns received in October 2026 (see known_db.py):
C (Oct 9, not routed, dispatch due Sat Oct 10: overdue), D (Oct 12 09:00, not routed yet, dispatch
due Oct 13), E (Oct 8, handled in-house at once, reported Oct 9, solved and satisfied: closed),
F (Oct 12 09:10, emergency, not routed yet, dispatch due 10:10), G (Oct 12, dispatched at once). N = 5.
  响应率: D and F not routed but still within their dispatch limit: 未到期 2, out of both.
    Routed on time E, G over E, G and the overdue C: 2/3 = 66.7%.
  办结率: E closed; C, D, F, G not closed and within their feedback limits: 未到期 4.  1/1 = 100.0%.
  延期率: C, D, F, G still handled within the feedback limit: 未到期 4; E (closed) not extended. 0/1.
  解决率 1/1; 满意率 1/1; 退单率 0/1 (G);
  综合得分 0.30 x 2/3 + 0.35 x 1 + 0.35 x 1 = 0.90.
September: A (Sep 30, never routed, due Oct 8: overdue) and B (Sep 29, dispatched at once):
  响应率 1/2 = 50.0%, nothing 未到期.
"""

from __future__ import annotations

import json
from pathlib import Path

from known_db import MARKUP_SUMMARY

from conftest import screen_text, wait_for
from grassroots_tui.tui.screens.statistics import BehindScreen, ExportForm, RangeForm, StatisticsScreen


def line_with(app, words: str) -> str:  # noqa: ANN001
    """The first screen line whose first word is `words`."""
    return next((line for line in screen_text(app).splitlines() if line.split()[:1] == [words]), "")


async def open_statistics(app, pilot) -> StatisticsScreen:  # noqa: ANN001
    await wait_for(pilot, lambda: app.ws is not None and app.clerk is not None)
    screen = StatisticsScreen()
    app.push_screen(screen)
    await wait_for(pilot, lambda: app.screen is screen and screen.loads > 0)
    return screen


async def reloaded(pilot, screen: StatisticsScreen, before: int) -> None:  # noqa: ANN001
    await wait_for(pilot, lambda: screen.loads > before)


async def test_the_figures_of_october_with_their_counts(known_path: Path, make_app) -> None:  # noqa: ANN001
    app = make_app(known_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_statistics(app, pilot)
        assert "统计区间：2026年10月   纳入统计 5 件" in screen_text(app)
        assert line_with(app, "响应率").split()[:4] == ["响应率", "66.7%", "2/3", "2"]
        assert line_with(app, "解决率").split()[:3] == ["解决率", "100.0%", "1/1"]
        assert line_with(app, "办结率").split()[:4] == ["办结率", "100.0%", "1/1", "4"]
        assert line_with(app, "延期率").split()[:4] == ["延期率", "0.0%", "0/1", "4"]
        assert line_with(app, "退单率").split()[:3] == ["退单率", "0.0%", "0/1"]
        assert line_with(app, "综合得分").split()[:2] == ["综合得分", "90.0%"]
        assert "趋势" in screen_text(app)  # the chart is the default lower pane
        # Left: September.
        before = screen.loads
        await pilot.press("left")
        await reloaded(pilot, screen, before)
        assert "2026年9月   纳入统计 2 件" in screen_text(app)
        assert line_with(app, "响应率").split()[:4] == ["响应率", "50.0%", "1/2", "0"]
        # Two months back: no concerns at all -> no data, not 0 %.
        before = screen.loads
        await pilot.press("left")
        await reloaded(pilot, screen, before)
        assert line_with(app, "响应率").split()[:3] == ["响应率", "无数据", "0/0"]
        assert line_with(app, "综合得分").split()[:3] == ["综合得分", "无数据", "-"]


async def test_breakdown_by_unit_and_the_concerns_behind_a_group(known_path: Path, make_app) -> None:  # noqa: ANN001
    app = make_app(known_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_statistics(app, pilot)
        before = screen.loads
        await pilot.press("3")
        await reloaded(pilot, screen, before)
        assert "按承办单位" in screen_text(app)
        # G is with 物业 (WY); C, D, E, F have no handling unit.
        assert line_with(app, "无承办单位").split()[:2] == ["无承办单位", "4"]
        assert line_with(app, "物业服务中心").split()[:3] == ["物业服务中心", "1", "100.0%"]
        await pilot.press("tab")
        await pilot.press("enter")  # the first group: 无承办单位
        await wait_for(pilot, lambda: isinstance(app.screen, BehindScreen))
        await wait_for(pilot, lambda: "（4 件）" in screen_text(app))
        assert "SQ-2026-000007" not in screen_text(app)  # G is not in this group
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen)


async def test_enter_lists_the_concerns_behind_a_figure(known_path: Path, make_app) -> None:  # noqa: ANN001
    app = make_app(known_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_statistics(app, pilot)
        await pilot.press("enter")  # 响应率, the first row
        await wait_for(pilot, lambda: isinstance(app.screen, BehindScreen))
        await wait_for(pilot, lambda: "（2 件）" in screen_text(app))
        text = screen_text(app)
        assert "响应率" in text and "分子：按时限派单/办理/答复" in text
        assert "楼道堆放杂物" in text and "宠物狗夜间吠叫" in text  # E and G
        await pilot.press("ctrl+t")  # the denominator: C, E, G; resident text shown literally
        await wait_for(pilot, lambda: "（3 件）" in screen_text(app))
        assert MARKUP_SUMMARY in screen_text(app) and "咨询老年助餐办理手续" not in screen_text(app)
        await pilot.press("ctrl+t")  # 未到期: D and F, in neither
        await wait_for(pilot, lambda: "未到期：尚未派单且未过派单时限（2 件）" in screen_text(app))
        assert "咨询老年助餐办理手续" in screen_text(app) and "燃气味道很重" in screen_text(app)
        assert MARKUP_SUMMARY not in screen_text(app)
        await pilot.press("ctrl+t")  # back to the numerator
        await wait_for(pilot, lambda: "分子：按时限派单/办理/答复（2 件）" in screen_text(app))
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen)


async def test_any_range_with_full_width_digits_and_errors_beside_the_field(known_path: Path,
                                                                            make_app) -> None:  # noqa: ANN001
    app = make_app(known_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_statistics(app, pilot)
        await pilot.press("ctrl+d")
        await wait_for(pilot, lambda: isinstance(app.screen, RangeForm))
        form = app.screen
        form.query_one("#range-from").value = ""
        await pilot.press(*"２０２６-09-29")
        await pilot.press("enter")
        form.query_one("#range-to").value = ""
        await pilot.press(*"2026-09-3x")  # not a date
        await pilot.press("enter")
        await wait_for(pilot, lambda: "无法识别的结束日期" in screen_text(app))
        assert isinstance(app.screen, RangeForm)
        form.query_one("#range-to").value = "2026-10-08"
        before = screen.loads
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is screen)
        await reloaded(pilot, screen, before)
        # A (Sep 30), B (Sep 29) and E (Oct 8): routed on time B and E; nothing pending.
        assert "2026-09-29 至 2026-10-08   纳入统计 3 件" in screen_text(app)
        assert line_with(app, "响应率").split()[:4] == ["响应率", "66.7%", "2/3", "0"]


async def test_export_from_the_screen_with_progress_and_audit(known_path: Path, make_app,
                                                              tmp_path: Path) -> None:  # noqa: ANN001
    app = make_app(known_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_statistics(app, pilot)
        await pilot.press("ctrl+o")
        await wait_for(pilot, lambda: isinstance(app.screen, ExportForm))
        form = app.screen
        await pilot.press("down", "enter")  # CSV
        assert form.fmt == "csv"
        out = tmp_path / "十月台账.csv"
        form.query_one("#export-path").value = str(out)
        await pilot.press("f8")  # full export: audited
        assert "完整导出" in screen_text(app)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: form.result is not None)
        await wait_for(pilot, lambda: "已导出 5 件诉求" in screen_text(app))
        assert form.query_one("#export-progress").percentage == 1.0
        raw = out.read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf") and MARKUP_SUMMARY in raw.decode("utf-8-sig")
        from sqlmodel import select

        from grassroots_tui.store.models import AuditLog

        with app.ws.read() as s:
            log = s.exec(select(AuditLog).where(AuditLog.action == "export_reveal")).one()
        assert log.actor_id == app.clerk.id and json.loads(log.detail)["rows"] == 5
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, StatisticsScreen))
