"""Reads never write: the writers keep the search index in step, so a search works under another clerk's lock."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from sqlalchemy import text
from typer.testing import CliRunner

from grassroots_tui.cli import app
from grassroots_tui.services import ledger
from grassroots_tui.services.concerns import ConcernDraft, log_concern
from grassroots_tui.services.ledger import Ledger, LedgerQuery
from grassroots_tui.services.residents import ResidentDraft, add_resident
from grassroots_tui.store import search_index

runner = CliRunner()


def _queued(path: Path) -> int:
    con = sqlite3.connect(path)
    try:
        return con.execute("SELECT count(*) FROM concern_search_dirty").fetchone()[0]
    finally:
        con.close()


def _hold_write_lock(path: Path) -> sqlite3.Connection:
    """Another clerk's program in the middle of a write transaction."""
    other = sqlite3.connect(path, isolation_level=None, timeout=0)
    other.execute("BEGIN IMMEDIATE")
    return other


def _found(ws, query: str) -> set[str]:  # noqa: ANN001
    lg = Ledger(ws, LedgerQuery(text=query))
    return {r.reference for r in lg.page(0, lg.count() + 5)}


def test_every_write_leaves_the_index_current(ws, clerk_id, db_path: Path) -> None:  # noqa: ANN001
    rid = add_resident(ws, clerk_id, ResidentDraft(name="王秀英", phone="13812345678")).id
    ref = log_concern(ws, clerk_id, ConcernDraft(summary="楼上漏水", category="0801", resident_id=rid)).reference
    assert _queued(db_path) == 0  # written in the same transaction as the concern
    with ws.write() as s:
        s.execute(text("UPDATE resident SET name = '欧阳娜娜' WHERE id = :i"), {"i": rid})
    assert _queued(db_path) == 0
    assert _found(ws, "欧阳") == {ref} and _found(ws, "王秀") == set()


def test_search_works_while_another_clerk_holds_the_write_lock(ws, clerk_id, db_path: Path) -> None:  # noqa: ANN001
    leak = log_concern(ws, clerk_id, ConcernDraft(summary="厨房漏水", category="0801")).reference
    log_concern(ws, clerk_id, ConcernDraft(summary="路灯不亮", category="0801"))
    other = _hold_write_lock(db_path)
    try:
        assert _found(ws, "漏水") == {leak}
        result = runner.invoke(app, ["concern", "list", "--search", "漏水", "--json", "--db", str(db_path)])
        assert result.exit_code == 0, result.output
        assert [r["reference"] for r in json.loads(result.output)] == [leak]
    finally:
        other.rollback()
        other.close()


def test_rows_another_program_wrote_are_found_without_writing(ws, clerk_id, db_path: Path) -> None:  # noqa: ANN001
    old = log_concern(ws, clerk_id, ConcernDraft(summary="电梯噪音", category="0801")).reference
    kept = log_concern(ws, clerk_id, ConcernDraft(summary="电梯停运", category="0801")).reference
    con = sqlite3.connect(db_path)  # e.g. the sqlite3 shell: the triggers queue it, nothing indexes it
    con.execute("UPDATE concern SET summary = '楼道堆物' WHERE reference = ?", (old,))
    con.commit()
    con.close()
    assert _queued(db_path) == 1
    other = _hold_write_lock(db_path)
    try:
        assert _found(ws, "电梯") == {kept}  # the stale index text of the changed concern is not trusted
        assert _found(ws, "堆物") == {old}
        assert Ledger(ws, LedgerQuery(text="楼道", sort="state")).count() == 1
    finally:
        other.rollback()
        other.close()
    assert _queued(db_path) == 1  # the search wrote nothing
    log_concern(ws, clerk_id, ConcernDraft(summary="井盖松动", category="0303"))
    assert _queued(db_path) == 0  # our next write caught up


def test_a_long_queue_is_rebuilt_in_bulk(ws, clerk_id, db_path: Path, monkeypatch) -> None:  # noqa: ANN001
    for summary in ("漏水", "漏电", "噪音"):
        log_concern(ws, clerk_id, ConcernDraft(summary=summary, category="0801"))
    rebuilt: list[int] = []
    real = search_index.rebuild
    monkeypatch.setattr(search_index, "REBUILD_ABOVE", 2)
    monkeypatch.setattr(search_index, "rebuild", lambda conn: rebuilt.append(1) or real(conn))
    with ws.write() as s:  # as after another program's bulk edit
        s.execute(text("DELETE FROM concern_search_doc"))
        s.execute(text("INSERT INTO concern_search(concern_search) VALUES ('rebuild')"))
        s.execute(text("INSERT OR IGNORE INTO concern_search_dirty SELECT id FROM concern"))
    assert rebuilt == [1] and _queued(db_path) == 0
    assert len(_found(ws, "漏")) == 2


def test_an_upgrade_from_0007_indexes_what_was_queued(ws, clerk_id, db_path: Path, clock) -> None:  # noqa: ANN001
    from grassroots_tui.services.workspace import Workspace

    ref = log_concern(ws, clerk_id, ConcernDraft(summary="水管爆裂", category="0801")).reference
    ws.close()
    con = sqlite3.connect(db_path)  # as 0007 left it: concerns written and queued, never searched for
    con.execute("DELETE FROM concern_search_doc")
    con.execute("INSERT INTO concern_search(concern_search) VALUES ('rebuild')")
    con.execute("INSERT INTO concern_search_dirty SELECT id FROM concern")
    con.execute("UPDATE alembic_version SET version_num = '0007'")
    con.commit()
    con.close()
    upgraded = Workspace.open(db_path, clock=clock)
    try:
        assert upgraded.backup_path is not None
        assert _queued(db_path) == 0
        assert _found(upgraded, "爆裂") == {ref}
    finally:
        upgraded.close()


def test_matches_is_the_rule_the_ledger_re_exports() -> None:
    assert ledger.matches(ledger.search_fields("SQ-1", "楼上漏水", "", None, "", "", "", "", ""), "漏水")
