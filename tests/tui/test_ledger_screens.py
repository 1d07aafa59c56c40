"""The ledger, the detail view and the action forms, walked key by key at 80x24."""

from __future__ import annotations

from datetime import datetime

import pytest
from known_db import TZ
from textual.binding import Binding
from textual.widgets import Input, Select

from conftest import screen_text, wait_for
from grassroots_tui.tui.screens.board import BoardScreen
from grassroots_tui.tui.screens.concern_action import ActionMenu, ConcernActionForm
from grassroots_tui.tui.screens.concern_detail import ConcernDetailScreen
from grassroots_tui.tui.screens.export_form import ExportForm
from grassroots_tui.tui.screens.ledger import ChoiceMenu, LedgerFilterForm, LedgerScreen
from grassroots_tui.tui.widgets.paged_table import PagedTable

FORBIDDEN = {"ctrl+space", "shift+space", "ctrl+full_stop", "ctrl+p", "ctrl+q", "ctrl+r", "f1", "f2", "f3", "f4",
             "f5", "f6", "f9"}


@pytest.mark.parametrize("owner", [LedgerScreen, ConcernDetailScreen, ConcernActionForm, ActionMenu, BoardScreen,
                                   LedgerFilterForm, ChoiceMenu, PagedTable])
def test_every_key_survives_an_ime(owner) -> None:  # noqa: ANN001
    for binding in owner.BINDINGS:
        assert isinstance(binding, Binding) and binding.id and binding.tooltip, binding
        for key in binding.key.split(","):
            assert key not in FORBIDDEN, key
            assert not (len(key) == 1 and key.isalpha()), key


async def open_ledger(app, pilot) -> LedgerScreen:  # noqa: ANN001
    await wait_for(pilot, lambda: app.ws is not None)
    screen = LedgerScreen()
    app.push_screen(screen)
    await wait_for(pilot, lambda: app.screen is screen and screen.query("#ledger-table"))
    table = screen.table
    await wait_for(pilot, lambda: table.is_idle and table.current_row is not None
                   and f"共 {table.row_count} 件" in screen_text(app))
    return screen


def detail_of(app) -> ConcernDetailScreen:  # noqa: ANN001
    assert isinstance(app.screen, ConcernDetailScreen)
    return app.screen


async def run_action(pilot, app, action: str, *keys: str) -> None:  # noqa: ANN001
    """Press the digit of `action` on the detail's action line, then the form's keys."""
    detail = detail_of(app)
    actions = detail.detail.concern.allowed_actions
    assert action in actions, (action, actions)
    loads = detail.loads
    await pilot.press(str(actions.index(action) + 1))
    await wait_for(pilot, lambda: isinstance(app.screen, ConcernActionForm))
    await pilot.press(*keys)
    await wait_for(pilot, lambda: app.screen is detail and detail.loads > loads)


async def choose(pilot, app, select_id: str, steps: int) -> None:  # noqa: ANN001
    """Open a Select with Enter, move down `steps` options past the prompt, Enter."""
    select = app.screen.query_one(select_id, Select)
    select.focus()
    await pilot.press("enter")
    await pilot.pause()
    await pilot.press(*(["down"] * steps), "enter")
    await wait_for(pilot, lambda: select.value is not Select.NULL)


async def test_ledger_opens_with_columns_and_marks_overdue(known_path, make_app) -> None:  # noqa: ANN001
    app = make_app(known_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_ledger(app, pilot)
        text = screen_text(app)
        assert "诉求台账" in text and "编号" in text and "时限" in text
        assert "共 7 件" in text
        assert "超期" in text  # A and C are overdue: colour and a word
        assert "[red]危险[/red]" in text  # user text is never markup
        await pilot.press("2")  # 待派单
        await wait_for(pilot, lambda: "视图：待派单" in screen_text(app) and screen.table.is_idle)
        assert all(r.status == "received" for r in screen.table._pages[0])
        await pilot.press("0", "ctrl+s")  # all, sorted by deadline
        await wait_for(pilot, lambda: "按时限排序" in screen_text(app) and screen.table.is_idle)
        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: screen.table.current_row is not None and screen.table.current_row.overdue)


async def test_search_finds_one_and_two_characters(known_path, make_app) -> None:  # noqa: ANN001
    app = make_app(known_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_ledger(app, pilot)
        await pilot.press("ctrl+f", "灯", "enter")
        await wait_for(pilot, lambda: "文字：灯" in screen_text(app) and screen.table.is_idle)
        assert screen.total == 1 and screen.table.current_row.summary == "小区东门路灯不亮"
        search = screen.query_one("#ledger-search", Input)
        search.value = ""
        await pilot.press("ctrl+f", "漏", "水", "enter")
        await wait_for(pilot, lambda: "文字：漏水" in screen_text(app) and screen.table.is_idle)
        assert screen.total >= 1 and all("漏水" in r.summary for r in screen.table._pages[0])


async def test_walks_a_concern_from_dispatch_to_closed(known_path, make_app) -> None:  # noqa: ANN001
    app = make_app(known_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_ledger(app, pilot)
        await pilot.press("ctrl+f", *"三号楼", "enter")
        await wait_for(pilot, lambda: screen.total == 1 and screen.table.current_row is not None
                       and screen.table.current_row.summary == "三号楼楼上漏水渗到楼下")
        ref = screen.table.current_row.reference
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConcernDetailScreen) and app.screen.loads > 0)
        detail = detail_of(app)
        assert detail.detail.concern.status == "received"

        loads = detail.loads
        await pilot.press("ctrl+d")  # 派单 in one key: the category's default unit
        await wait_for(pilot, lambda: detail.loads > loads)
        assert detail.detail.concern.status == "dispatched" and detail.detail.concern.unit == "JWH"
        assert "已派单" in screen_text(app)

        await run_action(pilot, app, "sign", "enter")
        assert detail.detail.concern.status == "in_progress"

        original = detail.detail.concern.feedback_due_original
        # Full-width digits as an IME types them; Enter moves to the reason, Enter saves.
        await run_action(pilot, app, "extend", *"２０２６－１０－３０", "enter", *"需协调", "enter")
        c = detail.detail.concern
        assert c.feedback_due.date().isoformat() == "2026-10-30" and c.feedback_due_original == original

        app.clock.now = datetime(2026, 10, 20, 10, 0, tzinfo=TZ)  # after the original limit, inside the extension
        await run_action(pilot, app, "report", *"已修复", "enter")
        assert detail.detail.concern.status == "awaiting_followup"

        async def followup(outcome_steps: int, satisfaction_steps: int, note: str) -> None:
            actions = detail.detail.concern.allowed_actions
            loads = detail.loads
            await pilot.press(str(actions.index("followup") + 1))
            await wait_for(pilot, lambda: isinstance(app.screen, ConcernActionForm))
            await choose(pilot, app, "#f-outcome", outcome_steps)
            await choose(pilot, app, "#f-satisfaction", satisfaction_steps)
            app.screen.query_one("#f-note").focus()
            await pilot.press(*note, "enter")
            await wait_for(pilot, lambda: app.screen is detail and detail.loads > loads)

        await followup(3, 3, "仍在漏水")  # 未解决, 不满意: rework
        c = detail.detail.concern
        assert c.status == "in_progress" and c.rework_count == 1

        await run_action(pilot, app, "report", *"已更换水管", "enter")
        await followup(1, 1, "满意")  # 解决, 满意
        c = detail.detail.concern
        assert c.status == "closed" and c.followup_outcome == "solved"
        assert [e.action for e in c.events] == ["receive", "dispatch", "sign", "extend", "report", "followup",
                                                "report", "followup"]
        assert [e.to_status for e in c.events][-3:] == ["in_progress", "awaiting_followup", "closed"]
        extend = c.events[3]
        assert extend.note == "需协调" and extend.deadline_after.date().isoformat() == "2026-10-30"
        from grassroots_tui.tui.screens.concern_detail import timeline_text

        timeline = timeline_text(detail.detail).plain  # who, when, what, note, deadline changes
        assert "派单  已受理 至 已派单" in timeline and "承办：社区居委会" in timeline
        assert "时限 2026-10-15 23:59 改为 2026-10-30 23:59" in timeline and "仍在漏水" in timeline
        # On time is measured against the ORIGINAL deadline: the first report came after it.
        assert detail.detail.on_time is False
        text = screen_text(app)
        assert "已办结" in text and "超期（首次反馈 10-20 10:00" in text

        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen and screen.table.is_idle
                       and screen.table.current_row is not None and screen.table.current_row.status == "closed")
        assert screen.table.current_row.reference == ref


async def test_a_second_clerk_is_refused_and_sees_the_fresh_state(known_path, make_app) -> None:  # noqa: ANN001
    from known_db import FixedClock

    from grassroots_tui.domain.codes import Action
    from grassroots_tui.domain.pipeline import Request
    from grassroots_tui.services.concerns import act, get_concern
    from grassroots_tui.services.workspace import Workspace

    app = make_app(known_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_ledger(app, pilot)
        await pilot.press("ctrl+f", *"路灯", "enter")
        await wait_for(pilot, lambda: screen.total == 1 and screen.table.current_row is not None
                       and screen.table.current_row.summary == "小区东门路灯不亮")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConcernDetailScreen) and app.screen.loads > 0)
        detail = detail_of(app)
        ref = detail.detail.concern.reference
        assert detail.detail.concern.status == "dispatched"
        actions = detail.detail.concern.allowed_actions
        await pilot.press(str(actions.index("return") + 1))  # 退单 form open on this screen...
        await wait_for(pilot, lambda: isinstance(app.screen, ConcernActionForm))

        other = Workspace.open(known_path, clock=FixedClock())  # ...while another clerk signs it
        try:
            act(other, 1, ref, Request(Action.SIGN, note="物业已签收"))
        finally:
            other.close()

        loads = detail.loads
        await pilot.press(*"不归本单位管", "enter")
        await wait_for(pilot, lambda: app.screen is detail and detail.loads > loads)
        text = screen_text(app)
        assert "刚被其他人修改过" in text
        assert detail.detail.concern.status == "in_progress"  # the fresh state is shown
        assert "办理中" in text
        v = get_concern(app.ws, ref)
        assert [e.action for e in v.events] == ["receive", "dispatch", "sign"]  # nothing lost, nothing doubled
        assert v.events[-1].note == "物业已签收"


async def test_batch_dispatch_and_the_board(known_path, make_app) -> None:  # noqa: ANN001
    app = make_app(known_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_ledger(app, pilot)
        await pilot.press("2")  # 待派单
        await wait_for(pilot, lambda: "视图：待派单" in screen_text(app) and screen.table.is_idle)
        waiting = screen.total
        assert waiting >= 2
        await pilot.press("ctrl+t", "f8")
        await wait_for(pilot, lambda: "已标记 2 件" in screen_text(app))
        await pilot.press("ctrl+d")
        await wait_for(pilot, lambda: "已派单 2 件" in screen_text(app) and screen.table.is_idle
                       and screen.total == waiting - 2)
        assert not screen.table.marked_keys
        await pilot.press("ctrl+b")
        await wait_for(pilot, lambda: isinstance(app.screen, BoardScreen) and app.screen.loads > 0)
        text = screen_text(app)
        assert "已派单" in text and "办理中" in text and "待回访" in text
        cols = {c.status: c.count for c in app.screen.columns}
        assert cols["received"] == waiting - 2
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen)


async def test_a_form_shows_what_is_missing_beside_the_field(known_path, make_app) -> None:  # noqa: ANN001
    app = make_app(known_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_ledger(app, pilot)
        await pilot.press("ctrl+f", *"路灯", "enter")
        await wait_for(pilot, lambda: screen.total == 1 and screen.table.current_row is not None
                       and screen.table.current_row.summary == "小区东门路灯不亮")
        ref = screen.table.current_row.reference
        await pilot.press("ctrl+e")  # the menu, from the list
        await wait_for(pilot, lambda: isinstance(app.screen, ActionMenu))
        menu = app.screen
        await pilot.press(str(menu.actions.index("return") + 1))
        await wait_for(pilot, lambda: isinstance(app.screen, ConcernActionForm))
        form = app.screen
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "退单必须填写理由" in screen_text(app))
        assert form.query_one("#err-note").has_class("-shown")
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen)
        from grassroots_tui.services.concerns import get_concern

        assert [e.action for e in get_concern(app.ws, ref).events] == ["receive", "dispatch"]  # nothing saved


async def test_filters_combine_and_show_in_the_summary_line(known_path, make_app) -> None:  # noqa: ANN001
    app = make_app(known_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_ledger(app, pilot)
        await wait_for(pilot, lambda: screen.choices is not None)
        await pilot.press("ctrl+l")
        await wait_for(pilot, lambda: isinstance(app.screen, LedgerFilterForm))
        await choose(pilot, app, "#flt-status", 1)  # 已受理
        form = app.screen
        form.query_one("#flt-overdue").focus()
        await pilot.press("enter")  # tick 只看已超期
        form.query_one("#flt-from").focus()
        await pilot.press(*"２０２６-０９-０１")  # full-width, as an IME types it
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is screen and screen.table.is_idle
                       and "状态：已受理" in screen_text(app))
        text = screen_text(app)
        assert "已超期" in text and "受理：2026-09-01至" in text
        rows = screen.table._pages.get(0, [])
        assert rows and all(r.status == "received" and r.overdue for r in rows)
        assert screen.total == 2  # A and C of the known database
        await pilot.press("ctrl+l")
        await wait_for(pilot, lambda: isinstance(app.screen, LedgerFilterForm))
        await pilot.press("ctrl+x")
        await wait_for(pilot, lambda: app.screen is screen and screen.table.is_idle and screen.total == 7)


async def test_marked_rows_export_to_a_csv_and_take_a_supervision_level(known_path, make_app) -> None:  # noqa: ANN001
    from grassroots_tui.services.concerns import get_concern

    app = make_app(known_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_ledger(app, pilot)
        await pilot.press("2")  # 待派单: supervision is allowed in every open state
        await wait_for(pilot, lambda: "视图：待派单" in screen_text(app) and screen.table.is_idle)
        await pilot.press("f8", "f8")
        marked = sorted(screen.table.marked_keys)
        await pilot.press("ctrl+o")
        await wait_for(pilot, lambda: isinstance(app.screen, ExportForm))
        form = app.screen
        await pilot.press("down", "enter")  # CSV
        out = known_path.parent / "marked.csv"
        form.query_one("#export-path", Input).value = str(out)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "已导出 2" in screen_text(app))
        body = out.read_bytes()
        assert body.startswith(b"\xef\xbb\xbf") and all(ref.encode() in body for ref in marked)
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen)
        await pilot.press("ctrl+g")
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceMenu))
        await pilot.press("3")  # 黄牌
        await wait_for(pilot, lambda: "已督办 2 件" in screen_text(app))
        assert {get_concern(app.ws, ref).supervision for ref in marked} == {"yellow"}
