"""居民台账 (F5): search, detail, masked until revealed (audited), add and edit forms, hostile text."""

from __future__ import annotations

from sqlmodel import select

from conftest import screen_text, wait_for

NASTY_NOTE = "[red]危险[/red] [link=https://x.example]点我[/link] \x1b[31m 😀 " + "长" * 4900


def _seed(path) -> None:  # noqa: ANN001
    import known_db

    from grassroots_tui.services.clerks import current_clerk
    from grassroots_tui.services.residents import ResidentDraft, add_resident
    from grassroots_tui.services.workspace import Workspace

    ws = Workspace.open(path, clock=known_db.FixedClock())
    try:
        me = current_clerk(ws).id
        add_resident(ws, me, ResidentDraft(name="张三丰", phone="13812345678", id_number="11010519491231002X",
                                           address="3-2-301", estate="幸福里", tags=("独居老人",)))
        add_resident(ws, me, ResidentDraft(name="李四", phone="13900001111"))
        add_resident(ws, me, ResidentDraft(name="[red]王五[/red]", phone="13600002222", notes=NASTY_NOTE))
    finally:
        ws.close()


async def _open(app, pilot):  # noqa: ANN001, ANN202
    from grassroots_tui.tui.screens.residents import ResidentsScreen

    await wait_for(pilot, lambda: app.ws is not None and app.clerk is not None)
    app.push_screen(ResidentsScreen())
    await wait_for(pilot, lambda: isinstance(app.screen, ResidentsScreen))
    screen = app.screen
    await wait_for(pilot, lambda: screen.query("#res-table") and screen.table.loaded)
    return screen


async def test_list_in_pinyin_order_search_detail_and_audited_reveal(known_path, make_app) -> None:  # noqa: ANN001
    from grassroots_tui.store.models import AuditLog

    _seed(known_path)
    app = make_app(known_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open(app, pilot)
        assert screen.table.row_count == 3
        text = screen_text(app)
        assert text.index("李四") < text.index("张三丰")  # pinyin: li before zhang
        assert "[red]王五" in text  # cropped to its column, brackets kept
        await pilot.press(*"zsf")
        await wait_for(pilot, lambda: screen.query_text == "zsf" and screen.table.is_idle)
        assert screen.table.row_count == 1
        await pilot.press("enter")  # to the list; the detail follows the cursor
        await wait_for(pilot, lambda: screen.detail is not None)
        await pilot.pause()
        text = screen_text(app)
        assert "138****5678" in text and "110105********002X" in text and "13812345678" not in text
        assert "独居老人" in text
        await pilot.press("f7")
        await wait_for(pilot, lambda: screen.revealed is not None)
        await pilot.pause()
        assert "13812345678" in screen_text(app)
        with app.ws.read() as s:
            audit = s.exec(select(AuditLog).where(AuditLog.action == "reveal")).one()
        assert audit.actor_id == app.clerk.id and "张三丰" in audit.detail


async def test_hostile_text_shows_literally_in_list_and_detail(known_path, make_app) -> None:  # noqa: ANN001
    _seed(known_path)
    app = make_app(known_path)
    async with app.run_test(size=(160, 45)) as pilot:
        screen = await _open(app, pilot)
        await pilot.press(*"2222", "enter")
        await wait_for(pilot, lambda: screen.detail is not None and screen.detail.view.name.startswith("[red]"))
        await pilot.pause()
        text = screen_text(app)
        assert text.count("[red]王五") >= 2 and "[red]王五[/red]" in text  # list (cropped) and detail
        assert "备注：[red]危险[/red]" in text and "[link=https://x.example]点我[/link]" in text
        assert "\x1b" not in text and "😀" in text  # the escape code is inert, not sent to the terminal
        # The edit form shows the same text literally, and saving it unchanged keeps it verbatim.
        from grassroots_tui.store.models import Resident
        from grassroots_tui.tui.screens.resident_form import ResidentForm

        await pilot.press("ctrl+o")
        await wait_for(pilot, lambda: isinstance(app.screen, ResidentForm) and app.screen.loaded)
        await pilot.pause()
        assert "[red]王五[/red]" in screen_text(app) and "[red]危险[/red]" in screen_text(app)
        assert "\x1b" not in screen_text(app)  # shown as a visible symbol, not sent to the terminal
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is screen)
        with app.ws.read() as s:
            r = s.exec(select(Resident).where(Resident.phone == "13600002222")).one()
        assert r.name == "[red]王五[/red]" and r.notes == NASTY_NOTE and r.version == 2


async def test_add_then_edit_with_errors_beside_the_field(known_path, make_app) -> None:  # noqa: ANN001
    from grassroots_tui.store.models import Resident
    from grassroots_tui.tui.screens.resident_form import ResidentForm

    app = make_app(known_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open(app, pilot)
        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: isinstance(app.screen, ResidentForm))
        form = app.screen
        await wait_for(pilot, lambda: form.query_one("#name").has_focus)
        # name, sex (Select: skip), id type (skip), ID number with a typo
        await pilot.press(*"孙七", "enter", "tab", "tab", *"110105194912310021", "ctrl+s")
        await wait_for(pilot, lambda: form.query_one("#id_number-error").has_class("-shown"))
        assert "校验码" in screen_text(app)
        form.query_one("#id_number").value = ""
        form.query_one("#id_number").focus()
        await pilot.press("tab", *"１３５００００１２３４", "tab", "tab", *"5-1-101", "ctrl+s")
        await wait_for(pilot, lambda: app.screen is screen)
        with app.ws.read() as s:
            r = s.exec(select(Resident).where(Resident.name == "孙七")).one()
        assert (r.phone, r.building, r.unit_no, r.room) == ("13500001234", "5", "1", "101")
        # Edit: the phone stays when left empty.
        await wait_for(pilot, lambda: screen.detail is not None and screen.detail.view.name == "孙七")
        await pilot.press("ctrl+o")
        await wait_for(pilot, lambda: isinstance(app.screen, ResidentForm) and app.screen.loaded)
        app.screen.query_one("#tags").value = "低保"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is screen)
        with app.ws.read() as s:
            r = s.exec(select(Resident).where(Resident.name == "孙七")).one()
        assert r.phone == "13500001234" and r.version == 2


async def test_import_from_the_screen_reports_rows_and_then_imports(known_path, make_app, tmp_path) -> None:  # noqa: ANN001
    from grassroots_tui.tui.screens.resident_import import ImportDialog

    bad = tmp_path / "bad.csv"
    bad.write_text("姓名,手机\n周八,13800000001\n吴九,1380\n", encoding="gb18030")
    good = tmp_path / "good.csv"
    good.write_text("姓名,手机,地址\n周八,13800000001,7-1-101\n吴九,13800000002,7-1-102\n", encoding="utf-8-sig")
    app = make_app(known_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open(app, pilot)
        before = screen.table.row_count
        await pilot.press("ctrl+l")
        await wait_for(pilot, lambda: isinstance(app.screen, ImportDialog))
        dialog = app.screen
        dialog.query_one("#import-path").value = str(bad)
        await pilot.press("enter")
        await wait_for(pilot, lambda: dialog.report is not None)
        await pilot.pause()
        text = screen_text(app)
        assert "未导入任何居民" in text and "第 3 行「手机」" in text
        dialog.query_one("#import-path").value = str(good)
        await pilot.press("enter")
        await wait_for(pilot, lambda: dialog.report is not None and dialog.report.ok)
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen and screen.table.row_count == before + 2)


async def test_edit_form_joins_a_household_with_the_lookup_and_sets_the_next_visit(known_path, make_app) -> None:  # noqa: ANN001
    from grassroots_tui.store.models import Resident
    from grassroots_tui.tui.screens.resident_form import ResidentForm

    _seed(known_path)
    app = make_app(known_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open(app, pilot)
        await pilot.press(*"lisi", "enter")
        await wait_for(pilot, lambda: screen.detail is not None and screen.detail.view.name == "李四")
        await pilot.press("enter")  # Enter on a resident edits it
        await wait_for(pilot, lambda: isinstance(app.screen, ResidentForm) and app.screen.loaded)
        form = app.screen
        form.query_one("#next_visit_due").value = "２０２６／１１／０２"
        form.query_one("#lookup-input").focus()
        await pilot.press(*"zsf", "enter")
        await wait_for(pilot, lambda: form.household_of is not None)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is screen)
        with app.ws.read() as s:
            li = s.exec(select(Resident).where(Resident.name == "李四")).one()
            zhang = s.exec(select(Resident).where(Resident.name == "张三丰")).one()
        assert li.household_id is not None and li.household_id == zhang.household_id
        assert li.next_visit_due.isoformat() == "2026-11-02"
        await wait_for(pilot, lambda: screen.detail is not None and screen.detail.household)
        await pilot.pause()
        assert "同户成员" in screen_text(app) and "张三丰" in screen_text(app)


def test_sensitive_care_tags_stay_out_of_the_list_and_show_in_the_detail(tmp_path) -> None:  # noqa: ANN001
    from grassroots_tui.services.residents import ResidentDraft, add_resident, resident_detail, search_residents
    from grassroots_tui.services.workspace import Workspace
    from grassroots_tui.tui.screens.residents import _cells, detail_text

    ws = Workspace.open(tmp_path / "tags.sqlite3")
    try:
        added = add_resident(ws, 1, ResidentDraft(name="张三", tags=("党员", "低保", "残疾人")))
        assert _cells(search_residents(ws, "张三")[0])["tags"] == "党员"
        shown = detail_text(resident_detail(ws, added.id)).plain
        assert "敏感标签：低保、残疾人" in shown
    finally:
        ws.close()
