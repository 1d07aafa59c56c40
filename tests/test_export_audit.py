"""Exports: refused targets, audited before the file appears, and long numbers kept as text in LibreOffice."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from grassroots_tui.domain.errors import DomainError
from grassroots_tui.services.concerns import ConcernDraft, log_concern
from grassroots_tui.services.exports import TargetExists, export_concerns
from grassroots_tui.services.residents import ResidentDraft, add_resident
from grassroots_tui.store.models import AuditLog

ID = "11010519491231002X"
ID_DIGITS = "110105199001011232"  # an 18-digit number without X: the one spreadsheets spoil


@pytest.fixture
def named(ws, clerk_id):  # noqa: ANN001, ANN201
    add_resident(ws, clerk_id, ResidentDraft(name="张三丰", phone="13812345678", id_number=ID))
    add_resident(ws, clerk_id, ResidentDraft(name="李四", phone="010-12345678", id_number=ID_DIGITS))
    for phone in ("13812345678", "010-12345678"):
        log_concern(ws, clerk_id, ConcernDraft(summary="楼道漏水", category="0801", resident_phone=phone))
    return ws


def _audits(ws) -> list[AuditLog]:  # noqa: ANN001
    with ws.read() as s:
        return list(s.exec(select(AuditLog).where(AuditLog.action.like("export%")).order_by(AuditLog.id)).all())


def test_the_database_and_other_sqlite_files_are_never_export_targets(named, clerk_id, db_path, tmp_path) -> None:  # noqa: ANN001
    before = db_path.read_bytes()
    for target in (db_path, Path(f"{db_path}-wal"), Path(f"{db_path}-shm")):
        with pytest.raises(DomainError, match="数据库文件"):
            export_concerns(named, "csv", target, reveal=True, actor_id=clerk_id, force=True)
    assert db_path.read_bytes()[:100] == before[:100]
    existing = tmp_path / "old.csv"
    existing.write_text("旧", encoding="utf-8")
    with pytest.raises(TargetExists):
        export_concerns(named, "csv", existing, actor_id=clerk_id)
    assert existing.read_text(encoding="utf-8") == "旧"
    assert export_concerns(named, "csv", existing, actor_id=clerk_id, force=True).rows == 2
    assert _audits(named)[-1].target == str(existing)
    assert len(_audits(named)) == 1  # refused exports wrote nothing, not even an audit row


def test_cli_refuses_the_database_and_wants_force(named, db_path, tmp_path) -> None:  # noqa: ANN001
    from grassroots_tui.cli import app

    named.close()
    runner = CliRunner()
    bad = runner.invoke(app, ["--db", str(db_path), "export", "concerns", "--format", "csv", "--out", str(db_path)])
    assert bad.exit_code == 1 and "数据库文件" in bad.output
    out = tmp_path / "x.csv"
    out.write_text("旧", encoding="utf-8")
    again = runner.invoke(app, ["--db", str(db_path), "export", "concerns", "--format", "csv", "--out", str(out)])
    assert again.exit_code == 1 and "--force" in again.output and out.read_text(encoding="utf-8") == "旧"
    forced = runner.invoke(app, ["--db", str(db_path), "export", "concerns", "--format", "csv", "--out", str(out),
                                 "--force"])
    assert forced.exit_code == 0, forced.output


def test_a_revealed_export_under_a_busy_database_fails_in_chinese_and_leaves_no_file(
        named, clerk_id, db_path, tmp_path, monkeypatch, clock) -> None:  # noqa: ANN001
    from grassroots_tui.services.workspace import Workspace
    from grassroots_tui.store import engine

    named.close()
    monkeypatch.setattr(engine, "BUSY_TIMEOUT_MS", 50)
    ws = Workspace.open(db_path, clock=clock)
    other = sqlite3.connect(db_path, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")  # another clerk's long save holds the write lock
        out = tmp_path / "full.csv"
        with pytest.raises(DomainError) as caught:
            export_concerns(ws, "csv", out, reveal=True, actor_id=clerk_id)
        assert "数据库正忙" in caught.value.message and "没有导出文件" in caught.value.message
        assert not caught.value.message.isascii() and "locked" not in caught.value.message
        assert sorted(p.name for p in tmp_path.iterdir() if "full" in p.name) == []  # no file, no temp file
        other.execute("ROLLBACK")
        assert _audits(ws) == []
        result = export_concerns(ws, "csv", out, reveal=True, actor_id=clerk_id)
        [row] = _audits(ws)
        assert row.action == "export_reveal" and row.target == str(out) and result.rows == 2
        assert json.loads(row.detail)["state"] == "written"
    finally:
        other.close()
        ws.close()


def test_the_audit_row_is_committed_before_the_file_appears(named, clerk_id, tmp_path, monkeypatch) -> None:  # noqa: ANN001
    from grassroots_tui.io import export_csv

    seen: list[tuple[bool, list[str]]] = []
    real = export_csv.write_csv

    def spy(path, records, total, progress=None):  # noqa: ANN001, ANN202
        n = real(path, records, total, progress)
        # The rows are written, the file is not yet at its target: the audit is already there.
        seen.append(((tmp_path / "full.csv").exists(), [a.action for a in _audits(named)]))
        return n

    monkeypatch.setattr(export_csv, "write_csv", spy)
    export_concerns(named, "csv", tmp_path / "full.csv", reveal=True, actor_id=clerk_id)
    assert seen == [(False, ["export_reveal"])]
    detail = json.loads(_audits(named)[0].detail)
    assert detail["rows"] == 2 and detail["masked"] is False


def test_a_revealed_csv_keeps_id_numbers_and_phones_as_text_in_libreoffice(named, clerk_id, tmp_path) -> None:  # noqa: ANN001
    from openpyxl import load_workbook

    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    out = tmp_path / "full.csv"
    export_concerns(named, "csv", out, reveal=True, actor_id=clerk_id)
    # LibreOffice's own CSV import, as a clerk's double click: comma, quote, UTF-8, from line 1,
    # every other option at its default (formulas evaluated, no column typed as text).
    lo = tmp_path / "lo"
    subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}", "--headless",
                    "--infilter=Text - txt - csv (StarCalc):44,34,76,1", "--convert-to", "xlsx", "--outdir", str(lo),
                    str(out)], check=True, capture_output=True, timeout=180)
    sheet = load_workbook(lo / "full.xlsx", data_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    head = list(rows[0])
    by_name = {r[head.index("居民")]: r for r in rows[1:]}
    zhang, li = by_name["张三丰"], by_name["李四"]
    assert zhang[head.index("身份证件号")] == ID
    assert li[head.index("身份证件号")] == ID_DIGITS  # not 1.10105E+17
    assert zhang[head.index("联系电话")] == "13812345678"  # text, not the number 13812345678
    assert li[head.index("联系电话")] == "010-12345678"
    assert zhang[head.index("诉求摘要")] == "楼道漏水"


def test_the_formula_guard_still_covers_residents_text(ws, clerk_id, tmp_path) -> None:  # noqa: ANN001
    import csv
    import io

    add_resident(ws, clerk_id, ResidentDraft(name="=cmd|' /C calc'!A0", phone="13812345678"))
    log_concern(ws, clerk_id, ConcernDraft(summary="=1+1", category="0801", resident_phone="13812345678",
                                           detail="13812345678"))
    out = tmp_path / "full.csv"
    export_concerns(ws, "csv", out, reveal=True, actor_id=clerk_id)
    [row] = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert row["诉求摘要"] == "'=1+1" and row["居民"].startswith("'=cmd")
    assert row["联系电话"] == '="13812345678"' and row["详细情况"] == '="13812345678"'
