"""The clerk's main path, key by key, on a SQLite file and on a PostgreSQL server (issue 11):
the dashboard's figures, the ledger's search, and a dispatch from the detail screen."""

from __future__ import annotations

from pathlib import Path

import known_db
import pytest
from known_db import EXPECTED

from conftest import screen_text, wait_for
from grassroots_tui.tui.screens.concern_detail import ConcernDetailScreen
from grassroots_tui.tui.screens.dashboard import TILES
from grassroots_tui.tui.screens.ledger import LedgerScreen
from grassroots_tui.tui.widgets.count_tile import CountTile


@pytest.fixture(params=["sqlite", "postgresql"])
def target(request, known_path: Path):  # noqa: ANN001, ANN201
    if request.param == "sqlite":
        return known_path
    from grassroots_tui.config import resolve_db_path

    url = resolve_db_path(request.getfixturevalue("pg_url"))
    known_db.build(url)
    return url


async def test_dashboard_search_and_dispatch(target, make_app) -> None:  # noqa: ANN001
    app = make_app(target)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.ws is not None and app.screen.name == "dashboard"
                       and getattr(app.screen, "loads", 0) > 0)
        shown = {attr: app.screen.query_one(f"#{tile_id}", CountTile).value for tile_id, _l, attr, _a in TILES}
        assert shown["open_total"] == EXPECTED.open_total and shown["overdue_count"] == EXPECTED.overdue_count
        assert shown["intake_this_month"] == EXPECTED.intake_this_month

        await pilot.press("f3")
        await wait_for(pilot, lambda: isinstance(app.screen, LedgerScreen) and app.screen.table.is_idle
                       and app.screen.table.current_row is not None)
        ledger = app.screen
        await pilot.press("ctrl+f", *"三号楼", "enter")
        await wait_for(pilot, lambda: ledger.total == 1 and ledger.table.is_idle and ledger.table.current_row is not None
                       and ledger.table.current_row.summary == "三号楼楼上漏水渗到楼下")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ConcernDetailScreen) and app.screen.loads > 0)
        detail = app.screen
        assert detail.detail.concern.status == "received"
        loads = detail.loads
        await pilot.press("ctrl+d")  # 派单 in one key: the category's default unit
        await wait_for(pilot, lambda: detail.loads > loads)
        assert detail.detail.concern.status == "dispatched" and "已派单" in screen_text(app)
