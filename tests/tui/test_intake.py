"""登记诉求 (F2) walked key by key, as a clerk does while the resident talks."""

from __future__ import annotations

from sqlmodel import select

from conftest import screen_text, wait_for


async def _open_intake(app, pilot, key: str | None = None):  # noqa: ANN001, ANN202
    from grassroots_tui.tui.screens.intake import IntakeScreen

    await wait_for(pilot, lambda: app.ws is not None and app.clerk is not None)
    if key:
        await pilot.press(key)  # F2 from the dashboard, as the clerk does
    else:
        app.push_screen(IntakeScreen())
    await wait_for(pilot, lambda: isinstance(app.screen, IntakeScreen))
    await wait_for(pilot, lambda: any(p.categories for p in app.screen.query("#category")))
    await wait_for(pilot, lambda: app.screen.query_one("#lookup-input").has_focus)
    return app.screen


def _add_resident(path, **kw):  # noqa: ANN001, ANN003, ANN202
    import known_db

    from grassroots_tui.services.clerks import current_clerk
    from grassroots_tui.services.residents import ResidentDraft, add_resident
    from grassroots_tui.services.workspace import Workspace

    ws = Workspace.open(path, clock=known_db.FixedClock())
    try:
        return add_resident(ws, current_clerk(ws).id, ResidentDraft(**kw))
    finally:
        ws.close()


def _concern(app, reference):  # noqa: ANN001, ANN202
    from grassroots_tui.store.models import Concern

    with app.ws.read() as s:
        return s.exec(select(Concern).where(Concern.reference == reference)).one()


async def test_shortest_path_f2_resident_category_summary_ctrl_s(known_path, make_app) -> None:  # noqa: ANN001
    from grassroots_tui.store.models import Resident

    _add_resident(known_path, name="张三丰", phone="13812345678", address="3-2-301", estate="幸福里")
    app = make_app(known_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open_intake(app, pilot, "f2")
        await pilot.press(*"zsf", "enter")
        await wait_for(pilot, lambda: screen.resident is not None)
        assert screen.query_one("#category-input").has_focus
        await pilot.press(*"ls", "enter")
        await wait_for(pilot, lambda: screen.category is not None)
        assert screen.query_one("#summary").has_focus
        await pilot.press(*"楼上卫生间漏水", "ctrl+s")
        await wait_for(pilot, lambda: screen.saved is not None)
        view = screen.saved
        c = _concern(app, view.reference)
        with app.ws.read() as s:
            resident = s.exec(select(Resident).where(Resident.name == "张三丰")).one()
        assert c.resident_id == resident.id and c.category_code == "0801" and c.summary == "楼上卫生间漏水"
        assert (c.channel, c.nature, c.urgency, c.status) == ("walk_in", "help", "ordinary", "received")
        assert (c.estate, c.building, c.unit_no, c.room) == ("幸福里", "3", "2", "301")
        # Mon 2026-10-12 10:00, ordinary: dispatch by the end of Tue 13th, feedback 7 working days on.
        assert view.dispatch_due.strftime("%Y-%m-%d") == "2026-10-13"
        assert view.feedback_due.strftime("%Y-%m-%d") == "2026-10-21"
        await pilot.pause()
        text = screen_text(app)
        assert view.reference in text and "2026-10-13 23:59" in text and "2026-10-21 23:59" in text
        # Esc after saving goes straight back (nothing unsaved).
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen.name == "dashboard")


async def test_inline_new_resident_then_save_and_next(known_path, make_app) -> None:  # noqa: ANN001
    from grassroots_tui.store.models import Resident

    app = make_app(known_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open_intake(app, pilot)
        await pilot.press(*"赵六")
        lookup = screen.query_one("#resident")
        await wait_for(pilot, lambda: lookup.results_for == "赵六")
        await pilot.press("enter")  # no match: the first choice is 新建居民
        await wait_for(pilot, lambda: screen.resident_mode == "new")
        assert screen.query_one("#nr-name").value == "赵六" and screen.query_one("#nr-phone").has_focus
        await pilot.press(*"13500001234", "enter", *"5-1-101", "enter")
        assert screen.query_one("#category-input").has_focus
        await pilot.press(*"0401", "enter", *"家里停水两天", "ctrl+n")
        await wait_for(pilot, lambda: screen.saved is not None)
        c = _concern(app, screen.saved.reference)
        with app.ws.read() as s:
            r = s.get(Resident, c.resident_id)
        assert (r.name, r.phone, r.building, r.unit_no, r.room) == ("赵六", "13500001234", "5", "1", "101")
        assert c.urgency == "utilities" and (c.building, c.room) == ("5", "101")
        # A fresh form, focus on the resident, the reference confirmed above it.
        assert screen.query_one("#lookup-input").has_focus and screen.query_one("#summary").value == ""
        assert screen.saved.reference in screen_text(app)


async def test_anonymous_and_esc_asks_before_discarding(known_path, make_app) -> None:  # noqa: ANN001
    app = make_app(known_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open_intake(app, pilot)
        # Resident left empty: anonymous. Tab moves on to the category.
        await pilot.press("tab", *"0302", "enter", *"路灯坏了")
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen.__class__.__name__ == "DiscardDialog")
        await pilot.press("enter")  # go on editing
        await wait_for(pilot, lambda: app.screen is screen)
        assert screen.query_one("#summary").value == "路灯坏了"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen.saved is not None)
        assert _concern(app, screen.saved.reference).resident_id is None


async def test_missing_category_is_said_beside_the_field(known_path, make_app) -> None:  # noqa: ANN001
    app = make_app(known_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open_intake(app, pilot)
        await pilot.press("tab", "tab", *"没有分类", "ctrl+s")
        await pilot.pause()
        assert "选定分类" in screen_text(app) and screen.saved is None


async def test_dispatch_chosen_with_keys_defaults_to_the_category_unit(known_path, make_app) -> None:  # noqa: ANN001
    app = make_app(known_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open_intake(app, pilot)
        await wait_for(pilot, lambda: screen._unit_options)
        await pilot.press("tab", *"0302", "enter", *"三号楼前路灯闪烁")
        # summary -> detail -> channel -> nature -> urgency -> location -> handling
        await pilot.press("tab", "tab", "tab", "tab", "tab", "tab")
        assert app.focused.id == "handling"
        await pilot.press("enter", "down", "enter")  # open, 派单, take it
        await wait_for(pilot, lambda: screen.query_one("#unit-row").has_class("-shown"))
        assert screen.query_one("#unit").value == "JD-CJ"  # 市政设施 goes to the street's section
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen.saved is not None)
        c = _concern(app, screen.saved.reference)
        assert (c.status, c.unit_code) == ("dispatched", "JD-CJ")
        assert "已派单" in screen_text(app)


async def test_repeat_warning_links_the_new_concern(known_path, make_app) -> None:  # noqa: ANN001
    r = _add_resident(known_path, name="张三丰", phone="13812345678", address="3-2-301")
    app = make_app(known_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open_intake(app, pilot)
        from grassroots_tui.services.intake import IntakeDraft, save_intake

        first = save_intake(app.ws, app.clerk.id, IntakeDraft(summary="卫生间漏水", category="0801", resident_id=r.id))
        await pilot.press(*"5678", "enter", *"0801", "enter", *"还在漏", "ctrl+s")
        await wait_for(pilot, lambda: app.screen.__class__.__name__ == "RepeatDialog")
        assert first.concern.reference in screen_text(app) and "同一居民" in screen_text(app)
        await pilot.press("1")
        await wait_for(pilot, lambda: screen.saved is not None)
        c = _concern(app, screen.saved.reference)
        assert c.repeat_of_id == _concern(app, first.concern.reference).id
        assert f"{first.concern.reference} 的重复诉求" in screen_text(app)


async def test_hostile_text_stored_verbatim_and_shown_literally(known_path, make_app) -> None:  # noqa: ANN001
    nasty = "[red]危险[/red] [link=https://x.example]点我[/link] \x1b[31m 😀"
    _add_resident(known_path, name="[red]王五[/red]", phone="13600002222")
    app = make_app(known_path)
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await _open_intake(app, pilot)
        await pilot.press(*"2222")
        await wait_for(pilot, lambda: screen.query_one("#resident").results_for == "2222")
        await pilot.pause()
        assert "[red]王五[/red]" in screen_text(app)  # the suggestion
        await pilot.press("enter", *"0801", "enter")
        screen.query_one("#summary").value = nasty
        screen.query_one("#detail").text = "长" * 5000
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen.saved is not None)
        c = _concern(app, screen.saved.reference)
        assert c.summary == nasty and c.detail == "长" * 5000
        await pilot.pause()
        text = screen_text(app)
        assert "[red]王五[/red]" in text and "[red]危险[/red] [link=https://x.example]点我[/link]" in text
        assert "\x1b" not in text and "😀" in text


async def test_esc_first_closes_the_suggestions(known_path, make_app) -> None:  # noqa: ANN001
    app = make_app(known_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open_intake(app, pilot)
        lookup = screen.query_one("#resident")
        await pilot.press(*"zs")
        await wait_for(pilot, lambda: lookup.has_class("-open"))
        await pilot.press("escape")
        await wait_for(pilot, lambda: not lookup.has_class("-open"))
        assert app.screen is screen
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen.__class__.__name__ == "DiscardDialog")
        await pilot.press("escape")  # Esc again: discard and go back
        await wait_for(pilot, lambda: app.screen.name == "dashboard")


async def test_repeat_warning_can_open_the_old_concern_and_come_back(known_path, make_app) -> None:  # noqa: ANN001
    r = _add_resident(known_path, name="张三丰", phone="13812345678", address="3-2-301")
    app = make_app(known_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open_intake(app, pilot)
        from grassroots_tui.services.intake import IntakeDraft, save_intake

        first = save_intake(app.ws, app.clerk.id, IntakeDraft(summary="卫生间漏水", category="0801", resident_id=r.id))
        await pilot.press(*"5678", "enter", *"0801", "enter", *"还在漏", "ctrl+s")
        await wait_for(pilot, lambda: app.screen.__class__.__name__ == "RepeatDialog")
        await pilot.press("3")
        await wait_for(pilot, lambda: getattr(app.screen, "reference", None) == first.concern.reference)
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen)
        assert screen.saved is None and screen.query_one("#summary").value == "还在漏"


async def test_f_keys_ask_before_leaving_unsaved_text(known_path, make_app) -> None:  # noqa: ANN001
    app = make_app(known_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open_intake(app, pilot)
        await pilot.press("tab", "tab", *"写了一半")
        await pilot.press("f5")
        await wait_for(pilot, lambda: app.screen.__class__.__name__ == "DiscardDialog")
        await pilot.press("enter")  # keep editing
        await wait_for(pilot, lambda: app.screen is screen)
        assert screen.query_one("#summary").value == "写了一半"
        footer = screen_text(app).splitlines()[-1]
        assert all(key in footer for key in ("^S", "^N", "Esc"))
        await pilot.press("f5", "1")  # leave for the register after all
        await wait_for(pilot, lambda: app.screen.name == "residents")


async def test_anonymous_question_answered_and_closed_on_the_spot(known_path, make_app) -> None:  # noqa: ANN001
    app = make_app(known_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open_intake(app, pilot)
        await pilot.press("tab", *"0302", "enter", *"咨询路灯报修电话")
        await pilot.press("tab", "tab", "tab", "tab", "tab", "tab")
        assert app.focused.id == "handling"
        await pilot.press("enter", "down", "down", "down", "down", "enter")  # 当场答复并办结
        await wait_for(pilot, lambda: screen.query_one("#satisfaction-row").has_class("-shown"))
        assert screen.query_one("#answer-row").has_class("-shown")
        await pilot.press("tab")
        assert app.focused.id == "answer"
        await pilot.press(*"已告知报修电话", "tab")
        assert app.focused.id == "satisfaction"
        await pilot.press("enter", "down", "enter")  # 基本满意
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: screen.saved is not None)
        c = _concern(app, screen.saved.reference)
        assert (c.resident_id, c.status, c.followup_outcome, c.followup_satisfaction) == (
            None, "closed", "solved", "basic")
        assert "当场办结" in screen_text(app) and "派单时限" not in screen_text(app)


async def test_repeat_of_a_closed_concern_asks_and_can_reopen_it(known_path, make_app) -> None:  # noqa: ANN001
    r = _add_resident(known_path, name="张三丰", phone="13812345678", address="3-2-301")
    app = make_app(known_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open_intake(app, pilot)
        from grassroots_tui.domain.codes import Action, Outcome, Satisfaction
        from grassroots_tui.domain.pipeline import Request
        from grassroots_tui.services.concerns import act
        from grassroots_tui.services.intake import IntakeDraft, save_intake

        first = save_intake(app.ws, app.clerk.id, IntakeDraft(summary="卫生间漏水", category="0801", resident_id=r.id,
                                                              handling="handle")).concern.reference
        act(app.ws, app.clerk.id, first, Request(Action.REPORT, note="已修好"))
        act(app.ws, app.clerk.id, first, Request(Action.FOLLOWUP, outcome=Outcome.SOLVED,
                                                 satisfaction=Satisfaction.SATISFIED))
        await pilot.press(*"5678", "enter", *"0801", "enter", *"又漏了", "ctrl+s")
        await wait_for(pilot, lambda: app.screen.__class__.__name__ == "RepeatDialog")
        assert first in screen_text(app) and "已办结" in screen_text(app)  # closed ones are offered too
        await pilot.press("1")  # link as repeat
        await wait_for(pilot, lambda: app.screen.__class__.__name__ == "RepeatClosedDialog")
        assert "重新打开" in screen_text(app)
        await pilot.press("escape")  # back to the form, nothing saved, text kept
        await wait_for(pilot, lambda: app.screen is screen and not screen.saving)
        assert screen.saved is None and screen.query_one("#summary").value == "又漏了"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen.__class__.__name__ == "RepeatDialog")
        await pilot.press("1")
        await wait_for(pilot, lambda: app.screen.__class__.__name__ == "RepeatClosedDialog")
        await pilot.press("1")  # reopen the original
        await wait_for(pilot, lambda: screen.saved is not None)
        assert _concern(app, first).status == "in_progress"
        new = _concern(app, screen.saved.reference)
        assert new.status == "merged" and new.merged_into_id == _concern(app, first).id
