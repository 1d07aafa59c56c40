"""The ledger's Ctrl+O goes through the real exporter: masked, formula-guarded, audited, the whole view."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from known_db import FixedClock, at
from sqlmodel import select
from test_ledger_screens import open_ledger
from textual.widgets import Input

from conftest import screen_text, wait_for
from grassroots_tui.tui.screens.confirm import ReplaceFileDialog
from grassroots_tui.tui.screens.export_form import ExportForm

FORMULA = '=HYPERLINK("http://x.example","点我")请回电13812345678'


def _add_named_concern(path: Path) -> str:
    from grassroots_tui.services.clerks import current_clerk
    from grassroots_tui.services.concerns import ConcernDraft, log_concern
    from grassroots_tui.services.residents import ResidentDraft, add_resident
    from grassroots_tui.services.workspace import Workspace

    ws = Workspace.open(path, clock=FixedClock())
    try:
        me = current_clerk(ws).id
        add_resident(ws, me, ResidentDraft(name="张三丰", phone="13812345678", id_number="11010519491231002X"))
        return log_concern(ws, me, ConcernDraft(summary=FORMULA, category="0801", resident_phone="13812345678",
                                                received_at=at(10, 11, 9))).reference
    finally:
        ws.close()


async def test_ctrl_o_exports_the_whole_current_view_masked_and_audited(known_path: Path, make_app) -> None:  # noqa: ANN001
    ref = _add_named_concern(known_path)
    app = make_app(known_path)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_ledger(app, pilot)
        assert not screen.table.marked_keys
        total = screen.total
        assert total == 8
        await pilot.press("ctrl+o")
        await wait_for(pilot, lambda: isinstance(app.screen, ExportForm))
        form = app.screen
        assert list(form.labels) == ["xlsx", "csv"]
        assert f"当前视图 {total} 件" in screen_text(app)
        await pilot.press("down", "enter")  # CSV
        assert form.fmt == "csv"
        path_input = form.query_one("#export-path", Input)
        # The open database is refused beside the field, and is left as it was.
        before = known_path.read_bytes()[:100]
        path_input.value = str(known_path)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "数据库文件" in screen_text(app))
        assert not form.running and known_path.read_bytes()[:100] == before
        # An existing file: asked first; 2 keeps it.
        out = known_path.parent / "台账视图.csv"
        out.write_text("旧文件", encoding="utf-8")
        path_input.value = str(out)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ReplaceFileDialog))
        await pilot.press("2")
        await wait_for(pilot, lambda: app.screen is form and "已保留原有文件" in screen_text(app))
        assert out.read_text(encoding="utf-8") == "旧文件" and form.result is None
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ReplaceFileDialog))
        await pilot.press("1")
        await wait_for(pilot, lambda: form.result is not None)
        await wait_for(pilot, lambda: f"已导出 {total} 件诉求" in screen_text(app))
        rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
        assert len(rows) == total  # every row of the view, not the cursor row
        mine = next(r for r in rows if r["编号"] == ref)
        assert mine["居民"] == "张**" and mine["联系电话"] == "138****5678"
        assert mine["身份证件号"] == "110105********002X"
        assert mine["诉求摘要"] == "'" + FORMULA.replace("13812345678", "138****5678")  # guard + masking
        assert "13812345678" not in out.read_text(encoding="utf-8-sig")
        from grassroots_tui.store.models import AuditLog

        with app.ws.read() as s:
            log = s.exec(select(AuditLog).where(AuditLog.action == "export")).one()
        detail = json.loads(log.detail)
        assert log.actor_id == app.clerk.id and log.target == str(out)
        assert detail["selection"] == "ledger_view" and detail["rows"] == total and detail["masked"] is True
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen)
