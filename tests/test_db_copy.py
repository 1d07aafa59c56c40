"""`grassroots db copy`: a committee's SQLite file into an empty PostgreSQL database, every row kept."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from grassroots_tui.cli import app
from grassroots_tui.services.db_copy import table_rows


def _demo(tmp_path: Path, clock) -> Path:  # noqa: ANN001
    from grassroots_tui.services.demo import build_demo

    clock.set(2026, 12, 2, 9)
    path = tmp_path / "committee.sqlite3"
    build_demo(path, residents=80, concerns=300, seed=11, clock=clock)
    return path


def test_the_demo_goes_across_with_every_row_and_goes_on_there(tmp_path: Path, pg_url: str, clock) -> None:  # noqa: ANN001
    from grassroots_tui.config import resolve_db_path
    from grassroots_tui.services.clerks import current_clerk
    from grassroots_tui.services.concerns import ConcernDraft, log_concern
    from grassroots_tui.services.ledger import Ledger, LedgerQuery
    from grassroots_tui.services.workspace import Workspace

    source = _demo(tmp_path, clock)
    before = table_rows(source)
    target = pg_url.replace("postgresql+psycopg://", "postgresql://")
    result = CliRunner().invoke(app, ["db", "copy", "--from", str(source), "--to", target, "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)["rows"]
    assert rows["concern"] == 300 and rows["concern_event"] > 300 and rows["resident"] == 80
    after = table_rows(resolve_db_path(target))
    assert after == before  # every table, every row, every column
    assert table_rows(source) == before  # the source is untouched
    ws = Workspace.open(resolve_db_path(target), clock=clock)
    try:
        hits = {r.reference for r in Ledger(ws, LedgerQuery(text="漏水")).page(0, 1000)}
        src = Workspace.open(source, clock=clock)
        try:
            assert hits == {r.reference for r in Ledger(src, LedgerQuery(text="漏水")).page(0, 1000)} and hits
        finally:
            src.close()
        # Work goes on after the copied numbers and ids.
        view = log_concern(ws, current_clerk(ws).id, ConcernDraft(summary="新的诉求", category="0801"))
        assert view.reference == "SQ-2026-000301"
    finally:
        ws.close()


def test_a_target_that_holds_anything_is_refused_untouched(tmp_path: Path, pg_url: str, clock) -> None:  # noqa: ANN001
    from grassroots_tui.config import resolve_db_path
    from grassroots_tui.domain.errors import DomainError
    from grassroots_tui.services.db_copy import copy_database
    from grassroots_tui.services.workspace import Workspace

    source = _demo(tmp_path, clock)
    url = resolve_db_path(pg_url)
    Workspace.open(url, clock=clock).close()  # a database already in use: it has its units and a clerk
    before = table_rows(url)
    with pytest.raises(DomainError, match="目标数据库不是空的"):
        copy_database(source, url)
    assert table_rows(url) == before
    result = CliRunner().invoke(app, ["db", "copy", "--from", str(source), "--to", str(tmp_path / "x.sqlite3")])
    assert result.exit_code == 1 and "PostgreSQL" in result.output and not (tmp_path / "x.sqlite3").exists()
