"""Importing residents from the clerks' own spreadsheets: all or nothing, row-by-row report."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook
from sqlmodel import func, select

from grassroots_tui.domain.errors import DomainError
from grassroots_tui.io.residents_import import match_headers, write_template
from grassroots_tui.services.residents import ResidentDraft, add_resident, import_residents, search_residents
from grassroots_tui.store.models import AuditLog, Resident


def _count(ws) -> int:  # noqa: ANN001
    with ws.read() as s:
        return s.exec(select(func.count()).select_from(Resident)).one()


def _csv(rows, encoding="utf-8") -> bytes:  # noqa: ANN001
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    return buf.getvalue().encode(encoding)


GOOD = [["联系电话", "姓名 *", "身份证号码", "小区", "楼栋", "单元", "室", "标签", "网格"],
        ["13812345678", "张三丰", "11010519491231002X", "幸福里", "3号楼", "2", "301室", "独居老人、党员", "G01"],
        ["13900001111", "李四", "", "", "5", "1", "101", "", ""]]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_in_every_encoding_excel_writes(ws, clerk_id, tmp_path, encoding) -> None:  # noqa: ANN001
    path = tmp_path / "residents.csv"
    path.write_bytes(_csv(GOOD, encoding))
    report = import_residents(ws, clerk_id, path)
    assert report.ok and report.imported == 2 and report.rows == 2
    (r,) = search_residents(ws, "zsf")
    assert (r.name, r.sex, r.address, r.estate, r.grid) == ("张三丰", "女", "3-2-301", "幸福里", "G01")
    assert set(r.tags) == {"独居老人", "党员"}
    assert r.birth_date.isoformat() == "1949-12-31"
    with ws.read() as s:
        audit = s.exec(select(AuditLog).where(AuditLog.action == "import")).one()
        assert "2" in audit.detail and audit.actor_id == clerk_id


def test_xlsx_with_numbers_as_numbers_and_address_column(ws, clerk_id, tmp_path) -> None:  # noqa: ANN001
    wb = Workbook()
    sheet = wb.active
    sheet.append(["备注", "住址", "手机号", "姓名"])
    sheet.append(["[red]x[/red]", "3-2-301", 13812345678, "王五"])
    path = tmp_path / "r.xlsx"
    wb.save(path)
    report = import_residents(ws, clerk_id, path)
    assert report.ok, report.errors
    (r,) = search_residents(ws, "5678")
    assert r.name == "王五" and r.phone_masked == "138****5678"
    with ws.read() as s:
        assert s.exec(select(Resident)).one().notes == "[red]x[/red]"


def test_any_bad_row_imports_nothing_and_reports_each_row(ws, clerk_id, tmp_path) -> None:  # noqa: ANN001
    add_resident(ws, clerk_id, ResidentDraft(name="赵六", phone="13500001234"))
    rows = [["姓名", "身份证号", "手机"],
            ["甲", "110105194912310021", "13800000001"],  # wrong check character
            ["乙", "", "1380000"],  # short phone
            ["丙", "11010519491231002X", "13800000003"],
            ["丁", "11010519491231002X", "13800000004"],  # same ID as row 4
            ["赵六", "", "13500001234"],  # already registered
            ["", "", ""],  # blank: skipped
            ["戊", "", "13800000005"]]
    path = tmp_path / "bad.csv"
    path.write_bytes(_csv(rows))
    report = import_residents(ws, clerk_id, path)
    assert not report.ok and report.imported == 0
    assert [(e.row, e.column) for e in report.errors] == [(2, "身份证号"), (3, "手机"), (5, "身份证号"), (6, "姓名")]
    assert [e.row for e in report.duplicates] == [5, 6]
    assert "校验码" in report.errors[0].message
    assert _count(ws) == 1


def test_headers_matched_leniently() -> None:
    found, ignored = match_headers(["序号", "居民姓名（必填）", "性 别", "手机号码", "现住址", "所属网格", "人员类别"])
    assert found == {"name": 1, "sex": 2, "phone": 3, "address": 4, "grid": 5, "tags": 6}
    assert ignored == ["序号"]


def test_no_name_column_is_one_clear_sentence(ws, clerk_id, tmp_path) -> None:  # noqa: ANN001
    path = tmp_path / "x.csv"
    path.write_bytes(_csv([["电话"], ["13800000000"]]))
    with pytest.raises(DomainError, match="姓名"):
        import_residents(ws, clerk_id, path)


def test_templates_read_back(ws, clerk_id, tmp_path) -> None:  # noqa: ANN001
    xlsx = write_template(tmp_path / "t.xlsx")
    sheet = load_workbook(xlsx).worksheets[0]
    header = [c.value for c in sheet[1]]
    found, ignored = match_headers(header)
    assert not ignored and {"name", "sex", "id_number", "phone", "building", "unit", "room", "grid", "tags"} <= set(found)
    sheet.append(["孙七", "女", "", "13600001111", "", "1", "1", "101"])
    sheet.parent.save(xlsx)
    assert import_residents(ws, clerk_id, xlsx).imported == 1
    csv_path = write_template(tmp_path / "t.csv")
    assert csv_path.read_bytes().startswith(b"\xef\xbb\xbf")


cell = st.text(max_size=30)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(cell, min_size=4, max_size=4), max_size=6),
       header=st.sampled_from([["姓名", "手机", "身份证号", "地址"], ["名字", "电话", "证件号", "标签"]]))
def test_arbitrary_cells_never_crash_nor_half_write(ws, clerk_id, tmp_path_factory, rows, header) -> None:  # noqa: ANN001
    path = tmp_path_factory.mktemp("h") / "h.csv"
    path.write_bytes(_csv([header, *rows]))
    before = _count(ws)
    try:
        report = import_residents(ws, clerk_id, path)
    except DomainError as exc:
        assert exc.message
        assert _count(ws) == before
        return
    if report.ok:
        assert _count(ws) == before + report.imported
    else:
        assert _count(ws) == before and report.errors and report.imported == 0
        assert all(e.message for e in report.errors)


def test_cli_import_and_template(tmp_path) -> None:  # noqa: ANN001
    from typer.testing import CliRunner

    from grassroots_tui.cli import app

    runner = CliRunner()
    db = tmp_path / "cli.sqlite3"
    out = runner.invoke(app, ["resident", "template", "--out", str(tmp_path / "t.csv")])
    assert out.exit_code == 0
    path = tmp_path / "r.csv"
    path.write_bytes(_csv(GOOD, "gb18030"))
    out = runner.invoke(app, ["resident", "import", str(path), "--db", str(db), "--json"])
    assert out.exit_code == 0, out.output
    assert '"imported": 2' in out.output
    out = runner.invoke(app, ["resident", "import", str(path), "--db", str(db)])
    assert out.exit_code == 1 and "重复" in out.output and "未导入" in out.output


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=400), suffix=st.sampled_from([".csv", ".xlsx", ".txt"]))
def test_arbitrary_bytes_are_refused_in_chinese_or_imported_whole(ws, clerk_id, tmp_path_factory, data, suffix) -> None:  # noqa: ANN001
    path = tmp_path_factory.mktemp("b") / f"f{suffix}"
    path.write_bytes("姓名,电话\n".encode() + data if suffix != ".xlsx" else data)
    before = _count(ws)
    try:
        report = import_residents(ws, clerk_id, path)
    except DomainError as exc:
        assert exc.message and _count(ws) == before
    else:
        assert _count(ws) == before + report.imported
        assert report.ok or report.imported == 0
