"""Imports refuse hostile or broken files at once, in Chinese, before any row is expanded, and write nothing.

The hostile workbooks are written by hand (zipfile + XML) as an attacker would: a 1.5 KB file
declaring A1:XFD1048576 took 96 s and 13 GB before the bounds existed.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from grassroots_tui.domain.errors import DomainError
from grassroots_tui.io import residents_import as reader
from grassroots_tui.services.residents import import_residents

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '</Types>'),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Target="xl/workbook.xml" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/>'
        '</Relationships>'),
    "xl/workbook.xml": (
        f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{NS}" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheets><sheet name="居民" sheetId="1" r:id="rId1"/></sheets></workbook>'),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Target="worksheets/sheet1.xml" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"/>'
        '</Relationships>'),
}


def cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def sheet(rows: str, dimension: str | None = None) -> str:
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{NS}">{dim}<sheetData>{rows}</sheetData></worksheet>'


HEADER = f'<row r="1">{cell("A1", "姓名")}{cell("B1", "手机")}</row>'
ONE_RESIDENT = f'<row r="2">{cell("A2", "张三")}{cell("B2", "13812345678")}</row>'


def workbook(path: Path, sheet_xml: str) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in PARTS.items():
            zf.writestr(name, text)
        zf.writestr("xl/worksheets/sheet1.xml", sheet_xml)
    return path


@pytest.fixture
def rows_expanded(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many sheet rows openpyxl turned into cells (the costly step the bounds must precede)."""
    from openpyxl.worksheet._reader import WorkSheetParser

    seen: list[int] = []
    original = WorkSheetParser.parse_row

    def counting(self, row):  # noqa: ANN001, ANN202
        seen.append(1)
        return original(self, row)

    monkeypatch.setattr(WorkSheetParser, "parse_row", counting)
    return seen


def register(db: Path) -> tuple[int, int]:
    con = sqlite3.connect(db)
    try:
        return (con.execute("SELECT count(*) FROM resident").fetchone()[0],
                con.execute("SELECT count(*) FROM audit_log WHERE action = 'import'").fetchone()[0])
    finally:
        con.close()


def refused(ws, clerk_id: int, path: Path, words: str) -> str:  # noqa: ANN001
    before = register(ws.path)
    with pytest.raises(DomainError) as caught:
        import_residents(ws, clerk_id, path)
    message = caught.value.message
    assert words in message, message
    assert register(ws.path) == before  # nothing written, no audit row
    return message


# ------------------------------------------------------------------ hostile workbooks

def test_declared_dimension_of_the_whole_sheet_is_refused_before_any_row(ws, clerk_id, tmp_path, rows_expanded) -> None:  # noqa: ANN001
    path = workbook(tmp_path / "dim.xlsx", sheet(HEADER + ONE_RESIDENT, "A1:XFD1048576"))
    assert path.stat().st_size < 2048
    message = refused(ws, clerk_id, path, "上限")
    assert "1048576 行" in message and "16384 列" in message and str(reader.MAX_COLUMNS) in message
    assert rows_expanded == []


def test_a_single_cell_at_the_last_column_and_row_is_refused_before_any_row(ws, clerk_id, tmp_path,  # noqa: ANN001
                                                                           rows_expanded) -> None:
    far = f'<row r="1048576">{cell("XFD1048576", "x")}</row>'
    path = workbook(tmp_path / "far.xlsx", sheet(HEADER + ONE_RESIDENT + far))
    assert path.stat().st_size < 2048
    refused(ws, clerk_id, path, f"{reader.MAX_COLUMNS} 列的上限")
    assert rows_expanded == []


def test_a_value_past_the_row_bound_is_refused_before_any_row(ws, clerk_id, tmp_path, rows_expanded) -> None:  # noqa: ANN001
    far = f'<row r="{reader.MAX_ROWS + 2}">{cell(f"A{reader.MAX_ROWS + 2}", "李四")}</row>'
    path = workbook(tmp_path / "tall.xlsx", sheet(HEADER + ONE_RESIDENT + far))
    refused(ws, clerk_id, path, f"{reader.MAX_ROWS} 行")
    assert rows_expanded == []


def test_empty_styled_cells_far_away_do_not_count(ws, clerk_id, tmp_path) -> None:  # noqa: ANN001
    # Excel writes a formatted but empty cell as <c r=".." s="1"/>: no value, no refusal.
    far = '<row r="1048576"><c r="XFD1048576" s="0"/></row>'
    path = workbook(tmp_path / "styled.xlsx", sheet(HEADER + ONE_RESIDENT + far))
    assert import_residents(ws, clerk_id, path).imported == 1


def test_too_many_columns_are_refused(ws, clerk_id, tmp_path) -> None:  # noqa: ANN001
    from openpyxl.utils import get_column_letter

    wide = "".join(cell(f"{get_column_letter(c)}1", f"列{c}") for c in range(1, reader.MAX_COLUMNS + 2))
    path = workbook(tmp_path / "wide.xlsx", sheet(f'<row r="1">{wide}</row>' + ONE_RESIDENT))
    refused(ws, clerk_id, path, f"{reader.MAX_COLUMNS} 列的上限")


def test_an_overlong_cell_is_refused(ws, clerk_id, tmp_path) -> None:  # noqa: ANN001
    long_row = f'<row r="2">{cell("A2", "张" * (reader.MAX_CELL_CHARS + 1))}</row>'
    path = workbook(tmp_path / "long.xlsx", sheet(HEADER + long_row))
    refused(ws, clerk_id, path, f"每格 {reader.MAX_CELL_CHARS} 字")


def test_a_zip_bomb_is_refused_from_the_zip_directory(ws, clerk_id, tmp_path, rows_expanded) -> None:  # noqa: ANN001
    path = tmp_path / "bomb.xlsx"
    chunk = (ONE_RESIDENT * 8192).encode()
    size = 0
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for name, text in PARTS.items():
            zf.writestr(name, text)
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            part.write(sheet(HEADER).split("</sheetData>")[0].encode())
            while size <= reader.MAX_PART_BYTES:
                part.write(chunk)
                size += len(chunk)
            part.write(b"</sheetData></worksheet>")
    assert path.stat().st_size < size // 50  # small on disk, huge unzipped
    refused(ws, clerk_id, path, "解压后过大")
    assert rows_expanded == []


def test_an_entity_bomb_is_refused(ws, clerk_id, tmp_path) -> None:  # noqa: ANN001
    lol = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
           '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>')
    path = workbook(tmp_path / "lol.xlsx", lol + sheet(HEADER).split("?>", 1)[1])
    refused(ws, clerk_id, path, "无法打开 Excel 文件")


@pytest.mark.parametrize("damage", ["truncated", "random bytes", "zip without a workbook", "not xml"])
def test_a_broken_workbook_is_refused(ws, clerk_id, tmp_path, damage: str) -> None:  # noqa: ANN001
    path = tmp_path / "broken.xlsx"
    if damage == "truncated":
        good = workbook(tmp_path / "good.xlsx", sheet(HEADER + ONE_RESIDENT)).read_bytes()
        path.write_bytes(good[: len(good) // 2])
    elif damage == "random bytes":
        path.write_bytes(os.urandom(3000))
    elif damage == "zip without a workbook":
        with zipfile.ZipFile(path, "w") as zf:
            zf.writestr("hello.txt", "你好")
    else:
        workbook(path, "<worksheet><sheetData><row>")
    refused(ws, clerk_id, path, "无法打开 Excel 文件")


# ------------------------------------------------------------------ CSV and empty files

def test_csv_with_a_nul_byte_is_refused(ws, clerk_id, tmp_path) -> None:  # noqa: ANN001
    path = tmp_path / "nul.csv"
    path.write_bytes("姓名,手机\n张\x00三,13812345678\n".encode())
    refused(ws, clerk_id, path, "空字符")


def test_csv_with_a_50_mb_line_is_refused(ws, clerk_id, tmp_path) -> None:  # noqa: ANN001
    path = tmp_path / "line.csv"
    with path.open("wb") as fh:
        fh.write("姓名,手机\n".encode())
        fh.write(b"a" * (50 * 1024 * 1024))
        fh.write(b"\n")
    refused(ws, clerk_id, path, "每行")


def test_csv_with_too_many_rows_is_refused(ws, clerk_id, tmp_path) -> None:  # noqa: ANN001
    path = tmp_path / "many.csv"
    path.write_text("姓名\n" + "张三\n" * (reader.MAX_ROWS + 1), encoding="utf-8")
    refused(ws, clerk_id, path, f"{reader.MAX_ROWS} 行")


def test_a_csv_that_is_really_a_workbook_is_read_as_one(ws, clerk_id, tmp_path) -> None:  # noqa: ANN001
    path = workbook(tmp_path / "misnamed.csv", sheet(HEADER + ONE_RESIDENT))
    assert import_residents(ws, clerk_id, path).imported == 1


@pytest.mark.parametrize("name", ["empty.csv", "empty.xlsx", "blank-lines.csv"])
def test_an_empty_file_is_refused(ws, clerk_id, tmp_path, name: str) -> None:  # noqa: ANN001
    path = tmp_path / name
    path.write_bytes(b"\n\n,,\n" if name.startswith("blank") else b"")
    refused(ws, clerk_id, path, "空" if name != "empty.xlsx" else "无法打开 Excel 文件")


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_file_with_only_headers_is_refused(ws, clerk_id, tmp_path, kind: str) -> None:  # noqa: ANN001
    if kind == "csv":
        path = tmp_path / "header.csv"
        path.write_text("姓名,手机\n\n", encoding="utf-8-sig")
    else:
        path = workbook(tmp_path / "header.xlsx", sheet(HEADER))
    refused(ws, clerk_id, path, "只有表头")


# ------------------------------------------------------------------ the real program, memory measured

WRAPPER = """
import json, resource, subprocess, sys
p = subprocess.run(sys.argv[1:], capture_output=True, text=True, timeout=120)
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
if sys.platform == "darwin":
    rss //= 1024
print(json.dumps({"rc": p.returncode, "out": p.stdout, "err": p.stderr, "rss_kb": rss}))
"""


@pytest.mark.skipif(sys.platform == "win32", reason="resource.getrusage is POSIX")
@pytest.mark.parametrize("hostile", ["dimension", "far cell"])
def test_cli_refuses_a_hostile_workbook_in_one_line_and_little_memory(tmp_path: Path, hostile: str) -> None:
    db = tmp_path / "db.sqlite3"
    if hostile == "dimension":
        path = workbook(tmp_path / "h.xlsx", sheet(HEADER + ONE_RESIDENT, "A1:XFD1048576"))
    else:
        path = workbook(tmp_path / "h.xlsx", sheet(HEADER + f'<row r="1048576">{cell("XFD1048576", "x")}</row>'))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    # Created first: creating a database (migrations, pinyin of the seeded categories) takes ~130 MB itself.
    subprocess.run([sys.executable, "-m", "grassroots_tui", "init", "--db", str(db)], env=env, check=True,
                   capture_output=True, timeout=120)
    # The timeout is a safety net for the code before the bounds (96 s), not a speed assertion.
    done = subprocess.run([sys.executable, "-c", WRAPPER, sys.executable, "-m", "grassroots_tui",
                           "resident", "import", str(path), "--db", str(db)],
                          capture_output=True, text=True, env=env, timeout=180, check=True)
    result = json.loads(done.stdout)
    assert result["rc"] == 1
    lines = result["err"].strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("错误：") and "上限" in lines[0], result["err"]
    assert "Traceback" not in result["err"] + result["out"]
    assert result["rss_kb"] < 200 * 1024, result["rss_kb"]  # about 70 MB here, 13 GB before the bounds
    assert register(db) == (0, 0)
