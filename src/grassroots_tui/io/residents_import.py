"""Import residents from the spreadsheets clerks already keep: CSV (UTF-8 with or without BOM,
GB18030 as Excel in China writes it) and XLSX.

Columns are found by their Chinese headers, in any order, matched leniently (`姓名`, `性别`,
`身份证号`, `手机`/`联系电话`, `地址` as `3-2-301` or separate `小区`/`楼栋`/`单元`/`室`, `网格`,
`标签`, `备注` …; spaces, `*` and bracketed notes such as `（必填）` are ignored). Unknown columns
are reported and skipped.

This module reads (formats only, no database); `services.residents.import_residents` checks
every row and writes all or nothing. Reading is bounded (MAX_ROWS, MAX_COLUMNS, MAX_CELL_CHARS,
MAX_CELLS, MAX_TEXT_CHARS, MAX_FILE_BYTES and, for .xlsx, the unzipped sizes read from the zip
directory): a file beyond them is refused with one Chinese sentence before its rows are expanded.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from grassroots_tui.domain.errors import DomainError

# canonical field -> header spellings (normalised: NFKC, no spaces, no bracketed notes)
HEADERS: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "居民姓名", "名字", "户主姓名"),
    "sex": ("性别",),
    "birth_date": ("出生日期", "出生年月", "生日"),
    "id_type": ("证件类型",),
    "id_number": ("身份证号", "身份证号码", "公民身份号码", "身份证", "证件号", "证件号码"),
    "phone": ("手机", "手机号", "手机号码", "联系电话", "电话", "电话号码", "联系方式"),
    "address": ("地址", "住址", "门牌", "门牌号", "房号", "现住址", "居住地址"),
    "estate": ("小区", "小区名称", "小区名"),
    "building": ("楼栋", "楼号", "楼栋号", "楼", "栋", "幢", "号楼"),
    "unit": ("单元", "单元号"),
    "room": ("室", "房间", "房间号", "室号", "户号", "房号室"),
    "grid": ("网格", "所属网格", "网格编码", "网格名称"),
    "tags": ("标签", "人员类别", "人员类型", "关爱标签", "特殊人群"),
    "notes": ("备注", "说明"),
    "relation_to_head": ("与户主关系", "户主关系", "关系"),
    "residence_type": ("居住类型", "人户状态", "户籍类型", "户籍性质"),
    "tenure": ("住房性质", "房屋性质", "产权性质"),
}

LABELS = {
    "name": "姓名", "sex": "性别", "birth_date": "出生日期", "id_type": "证件类型", "id_number": "身份证号",
    "phone": "联系电话", "address": "地址", "estate": "小区", "building": "楼栋", "unit": "单元", "room": "室",
    "grid": "网格", "tags": "标签", "notes": "备注", "relation_to_head": "与户主关系",
    "residence_type": "居住类型", "tenure": "住房性质",
}

TEMPLATE_HEADERS = ("姓名", "性别", "身份证号", "手机", "小区", "楼栋", "单元", "室", "网格", "标签", "与户主关系", "备注")
TEMPLATE_EXAMPLE = ("张三丰", "男", "11010519491231002X", "13812345678", "幸福里", "3", "2", "301", "G01",
                    "独居老人、党员", "户主", "")
TEMPLATE_NOTES = (
    "列的顺序随意，表头写法可以不同（如“联系电话”“手机号码”都认）；只有“姓名”必填。",
    "地址可以写在一列“地址”里（3-2-301 或 3号楼2单元301室），也可以分成 楼栋/单元/室 三列。",
    "标签之间用顿号或逗号分开；网格写编码（如 G01）或名称。",
    "有任何一行出错时整个文件都不导入，程序会逐行列出问题；同一身份证号、或同一姓名加电话视为重复。",
)

# Bounds on what one import may hold, checked before any row is expanded into memory, so a
# small hostile file (one declaring A1:XFD1048576, a zip bomb, a 50 MB line) is refused at once.
# A committee's register is a few thousand people and about 15 columns; these leave ample room.
MAX_ROWS = 100_000  # data rows in one file (the sheet's rows after the header)
MAX_COLUMNS = 64  # columns holding anything
MAX_CELL_CHARS = 5_000  # characters in one cell (the longest field, 备注, takes 5 000)
MAX_CELLS = 2_000_000  # non-empty cells in the sheet
MAX_TEXT_CHARS = 30_000_000  # characters in all cells together
MAX_FILE_BYTES = 64 * 1024 * 1024  # the file as stored on disk
MAX_PART_BYTES = 128 * 1024 * 1024  # one part of an .xlsx once unzipped (the directory's own figure)
MAX_UNZIPPED_BYTES = 256 * 1024 * 1024  # all parts of an .xlsx once unzipped
MAX_PARTS = 2_000  # files inside an .xlsx
MAX_LINE_CHARS = MAX_COLUMNS * (MAX_CELL_CHARS + 3)  # one physical line of a CSV


@dataclass(frozen=True)
class RowError:
    row: int  # the spreadsheet's row number (the header is row 1)
    column: str  # the header as written in the file ("" for the whole row)
    message: str
    duplicate: bool = False


@dataclass
class ImportReport:
    path: str
    rows: int = 0  # data rows read (blank rows skipped)
    imported: int = 0
    columns: dict[str, str] = field(default_factory=dict)  # field -> header found
    ignored_columns: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def duplicates(self) -> list[RowError]:
        return [e for e in self.errors if e.duplicate]

    def summary(self) -> str:
        if self.ok:
            return f"已导入 {self.imported} 位居民。"
        bad_rows = len({e.row for e in self.errors})
        dup = len(self.duplicates)
        extra = f"（其中重复 {dup} 处）" if dup else ""
        return f"文件中有 {bad_rows} 行有问题{extra}，未导入任何居民。请按下面的清单改正后重新导入。"


# ---------------------------------------------------------------- reading

def normalise_header(text: object) -> str:
    raw = unicodedata.normalize("NFKC", str(text or ""))
    raw = re.sub(r"[(\[【][^)\]】]*[)\]】]", "", raw)  # (必填) 【选填】
    return re.sub(r"[\s*:：]+", "", raw).lower()


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def decode_csv(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM (Excel's "Unicode text"), else GB18030
    (what Excel in China saves as "CSV")."""
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8", errors="strict")
        except UnicodeDecodeError:
            raise DomainError("文件开头标明是 UTF-8，但其中有无法识别的文字；请重新另存为“CSV UTF-8”。", "file") from None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise DomainError("无法识别文件的文字编码：请另存为“CSV UTF-8”或 Excel 工作簿（.xlsx）。", "file") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise DomainError("无法识别文件的文字编码：请另存为“CSV UTF-8”或 Excel 工作簿（.xlsx）。", "file") from None


def _refuse(message: str) -> DomainError:
    return DomainError(message, "file")


def _too_many_rows() -> DomainError:
    return _refuse(f"文件超过一次导入的上限 {MAX_ROWS} 行，请分成几个文件。")


def _too_many_columns(where: str) -> DomainError:
    return _refuse(f"{where}超过了 {MAX_COLUMNS} 列的上限；请删除表格右侧多余的列后再导入。")


def _too_long_cell(row: int, column: int, length: int) -> DomainError:
    return _refuse(f"第 {row} 行第 {column} 列有 {length} 个字，超过每格 {MAX_CELL_CHARS} 字的上限。")


class _Budget:
    """Counts cells and characters as rows are read; refuses past the bounds."""

    def __init__(self) -> None:
        self.cells = 0
        self.chars = 0

    def row(self, row_no: int, cells: list[str]) -> list[str]:
        while cells and not cells[-1]:
            cells.pop()  # trailing blanks are no column
        if len(cells) > MAX_COLUMNS:
            raise _too_many_columns(f"第 {row_no} 行有 {len(cells)} 列，")
        for col, text in enumerate(cells, 1):
            if text:
                if len(text) > MAX_CELL_CHARS:
                    raise _too_long_cell(row_no, col, len(text))
                self.cells += 1
                self.chars += len(text)
        if self.cells > MAX_CELLS:
            raise _refuse(f"文件中填写的单元格超过 {MAX_CELLS} 个的上限，请分成几个文件。")
        if self.chars > MAX_TEXT_CHARS:
            raise _refuse(f"文件的文字总量超过 {MAX_TEXT_CHARS} 字的上限，请分成几个文件。")
        return cells


def read_table(path: Path) -> list[list[str]]:
    """All rows of the first sheet (or the CSV), as text; row 0 is the sheet's first row.

    Bounded: a file beyond MAX_FILE_BYTES, MAX_ROWS, MAX_COLUMNS, MAX_CELL_CHARS, MAX_CELLS or
    MAX_TEXT_CHARS is refused with one Chinese sentence, before its rows are expanded.
    """
    try:
        size = path.stat().st_size
        if path.is_dir():
            raise _refuse(f"{path} 是文件夹，请指定一个文件。")
        if size > MAX_FILE_BYTES:
            raise _refuse(f"文件有 {size // (1024 * 1024)} MB，超过导入上限 {MAX_FILE_BYTES // (1024 * 1024)} MB；"
                          "请分成几个文件。")
        with path.open("rb") as fh:
            magic = fh.read(8)
        if magic.startswith(b"\xd0\xcf\x11\xe0") or path.suffix.lower() == ".xls":
            raise _refuse("不支持旧版 .xls 文件，请在 Excel 中另存为 .xlsx 或 CSV UTF-8。")
        if magic.startswith(b"PK") or path.suffix.lower() in (".xlsx", ".xlsm"):
            return _read_xlsx(path)
        data = path.read_bytes()
    except FileNotFoundError:
        raise _refuse(f"找不到文件 {path}。") from None
    except PermissionError:
        raise _refuse(f"没有权限读取文件 {path}。") from None
    except IsADirectoryError:
        raise _refuse(f"{path} 是文件夹，请指定一个文件。") from None
    return _read_csv(data)


def _read_csv(data: bytes) -> list[list[str]]:
    text = decode_csv(data)
    del data
    if "\x00" in text:
        raise _refuse("文件中含有空字符（NUL），不是文本格式的 CSV；请在 Excel 中另存为“CSV UTF-8”或 .xlsx。")
    sample = text[:4096]
    delimiter = "\t" if sample.count("\t") > sample.count(",") else ","

    def lines():  # noqa: ANN202
        for n, line in enumerate(io.StringIO(text, newline=""), 1):
            if len(line) > MAX_LINE_CHARS:
                raise _refuse(f"CSV 文件第 {n} 行有 {len(line)} 个字符，超过每行 {MAX_LINE_CHARS} 字符的上限；"
                              "这不像一份居民名单。")
            yield line

    budget = _Budget()
    rows: list[list[str]] = []
    reader = csv.reader(lines(), delimiter=delimiter)
    try:
        for row in reader:
            if len(rows) > MAX_ROWS:
                raise _too_many_rows()
            rows.append(budget.row(reader.line_num, row))
    except csv.Error:
        raise _refuse(f"CSV 文件第 {reader.line_num} 行格式有误（引号不成对或单元格过长）。") from None
    return rows


# ---------------------------------------------------------------- xlsx, bounded

_CELL_REF = re.compile(r"([A-Z]{1,3})(\d{1,7})$")


def _column_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ord(ch) - 64)
    return n


def _broken_workbook() -> DomainError:
    return _refuse("无法打开 Excel 文件：文件已损坏，或不是 .xlsx 格式；请在 Excel 中重新另存为 .xlsx。")


def _check_archive(path: Path) -> None:
    """The zip directory's own figures, before anything is decompressed (zip bombs stop here)."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as zf:
            parts = zf.infolist()
            if len(parts) > MAX_PARTS:
                raise _refuse(f"Excel 文件内含 {len(parts)} 个部件，超过 {MAX_PARTS} 个的上限，不像一份名单。")
            total = 0
            for part in parts:
                if part.file_size > MAX_PART_BYTES:
                    raise _refuse(f"Excel 文件解压后过大（其中 {part.filename} 有 {part.file_size // (1024 * 1024)} MB，"
                                  f"上限 {MAX_PART_BYTES // (1024 * 1024)} MB）；请分成几个文件。")
                total += part.file_size
            if total > MAX_UNZIPPED_BYTES:
                raise _refuse(f"Excel 文件解压后共 {total // (1024 * 1024)} MB，"
                              f"超过 {MAX_UNZIPPED_BYTES // (1024 * 1024)} MB 的上限；请分成几个文件。")
            for part in parts:
                if part.filename.endswith((".xml", ".rels")):
                    with zf.open(part) as fh:
                        start = fh.read(2048)
                    if b"<!DOCTYPE" in start or "<!DOCTYPE".encode("utf-16-le") in start:
                        raise _broken_workbook()  # no DTD belongs in a workbook (entity bombs)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, NotImplementedError, RuntimeError):
        raise _broken_workbook() from None


def _has_value(cell) -> bool:  # noqa: ANN001
    for child in cell:
        tag = child.tag
        if tag.endswith("}v") and child.text:
            return True
        if tag.endswith("}is"):
            return True
    return False


def _scan_sheet(source) -> tuple[int, int]:  # noqa: ANN001
    """The last row and column holding a value, read from the sheet's XML without expanding rows.

    Refuses as soon as a value lies beyond MAX_ROWS (+ the header) or MAX_COLUMNS, or the
    sheet holds more than MAX_CELLS values. Memory stays flat: each row is dropped once seen.
    """
    from lxml import etree

    last_row = last_col = cells = row_no = 0
    parser = etree.iterparse(source, events=("end",), tag="{*}row", resolve_entities=False, no_network=True)
    for _event, row in parser:
        r = row.get("r")
        row_no = int(r) if r and r.isdigit() else row_no + 1
        col = 0
        for cell in row.iterchildren("{*}c"):
            ref = cell.get("r")
            if ref:
                m = _CELL_REF.match(ref)
                if m is None:
                    raise _broken_workbook()
                col = _column_number(m.group(1))
            else:
                col += 1
            if _has_value(cell):
                cells += 1
                if col > MAX_COLUMNS:
                    raise _too_many_columns(f"第 {row_no} 行第 {col} 列有内容，")
                if row_no > MAX_ROWS + 1:
                    raise _too_many_rows()
                last_row = row_no
                last_col = max(last_col, col)
        if cells > MAX_CELLS:
            raise _refuse(f"文件中填写的单元格超过 {MAX_CELLS} 个的上限，请分成几个文件。")
        row.clear()
        while row.getprevious() is not None:
            del row.getparent()[0]
    return last_row, last_col


def _read_xlsx(path: Path) -> list[list[str]]:
    _check_archive(path)
    from lxml.etree import LxmlError
    from openpyxl import load_workbook

    fh = path.open("rb")  # a file object: openpyxl would refuse a workbook misnamed .csv by its name
    try:
        wb = load_workbook(fh, read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - zip/xml errors of a broken workbook
        fh.close()
        raise _broken_workbook() from None
    try:
        if not wb.worksheets:
            raise _refuse("Excel 文件中没有工作表。")
        ws = wb.worksheets[0]
        declared_rows, declared_cols = ws.max_row or 0, ws.max_column or 0
        if declared_rows > MAX_ROWS + 1 or declared_cols > MAX_COLUMNS:
            raise _refuse(
                f"工作表声明的范围有 {declared_rows} 行、{declared_cols} 列，超过导入上限（{MAX_ROWS} 行数据、"
                f"{MAX_COLUMNS} 列）；请把数据复制到一个新的工作表，另存后再导入。")
        try:
            # openpyxl's read-only sheets keep their archive and part name; the scan reads the same part.
            with wb._archive.open(ws._worksheet_path) as source:
                last_row, last_col = _scan_sheet(source)
        except (LxmlError, KeyError, ValueError):
            raise _broken_workbook() from None
        if last_row == 0:
            return []
        budget = _Budget()
        rows = []
        try:
            for n, values in enumerate(ws.iter_rows(min_row=1, max_row=last_row, min_col=1, max_col=last_col,
                                                    values_only=True), 1):
                rows.append(budget.row(n, [_cell(v) for v in values]))
        except DomainError:
            raise
        except Exception:  # noqa: BLE001 - malformed cells of a broken workbook
            raise _broken_workbook() from None
        return rows
    finally:
        wb.close()
        fh.close()


def match_headers(header: list[str]) -> tuple[dict[str, int], list[str]]:
    """Field -> column index, and the headers nothing matched (exact spelling first, then containment)."""
    found: dict[str, int] = {}
    ignored: list[str] = []
    normalised = [normalise_header(h) for h in header]
    exact = {alias: f for f, aliases in HEADERS.items() for alias in aliases}
    pending = []
    for i, h in enumerate(normalised):
        if not h:
            continue
        f = exact.get(h)
        if f and f not in found:
            found[f] = i
        else:
            pending.append(i)
    by_length = sorted(((alias, f) for f, aliases in HEADERS.items() for alias in aliases), key=lambda t: -len(t[0]))
    for i in pending:
        h = normalised[i]
        f = next((f for alias, f in by_length if len(alias) >= 2 and alias in h and f not in found), None)
        if f:
            found[f] = i
        else:
            ignored.append(str(header[i]))
    return found, ignored


# ---------------------------------------------------------------- rows to fields

def _digits(value: str) -> str:
    m = re.search(r"\d+", unicodedata.normalize("NFKC", value))
    return m.group(0) if m else unicodedata.normalize("NFKC", value).strip()


def address_of(values: dict[str, str]) -> str:
    """One address from an `地址` column, or from separate 楼栋/单元/室 columns."""
    if values.get("address", "").strip():
        return values["address"]
    parts = [_digits(values.get(k, "")) for k in ("building", "unit", "room")]
    if any(parts):
        if all(parts):
            return "-".join(parts)
        return "".join(f"{p}{suffix}" for p, suffix in zip(parts, ("号楼", "单元", "室"), strict=True) if p)
    return ""


def write_template(path: Path | str) -> Path:
    """An empty register to fill: `.xlsx` (Excel) or `.csv` (UTF-8 with BOM, opens right in Excel).

    Written beside `path` under a temporary name and renamed into place (`safe_file`): a full
    disk leaves the old file or none. The caller has checked the target (`check_target`).
    """
    from grassroots_tui.io.safe_file import atomic_write, check_target

    path = check_target(path, force=True)  # never onto a database, whoever calls
    suffix = path.suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise DomainError("模板文件名请以 .xlsx 或 .csv 结尾。", "out")
    with atomic_write(path) as tmp:
        if suffix == ".xlsx":
            _xlsx_template(tmp)
        else:
            with tmp.open("w", encoding="utf-8-sig", newline="") as fh:
                csv.writer(fh).writerow(TEMPLATE_HEADERS)
    return path


TEMPLATE_TEXT_ROWS = 200  # rows whose ID number and phone cells are preformatted as text


def _xlsx_template(path: Path) -> None:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    from grassroots_tui.io.xlsx_file import scratch_workbook

    with scratch_workbook(path) as wb:  # openpyxl's temporary files beside the target, not in /tmp
        sheet = wb.create_sheet("居民")
        for col, width in zip("ABCDEFGHIJKL", (10, 6, 22, 14, 12, 6, 6, 6, 8, 18, 10, 24), strict=True):
            sheet.column_dimensions[col].width = width
        sheet.freeze_panes = "A2"
        bold = Font(bold=True)
        header = []
        for title in TEMPLATE_HEADERS:
            cell = WriteOnlyCell(sheet, value=title)
            cell.font = bold
            header.append(cell)
        sheet.append(header)
        for _ in range(TEMPLATE_TEXT_ROWS - 1):
            row: list[object] = [None, None]
            for _col in range(2):  # 身份证号, 手机: ID numbers and phones as text, not 1.1E+17
                cell = WriteOnlyCell(sheet)
                cell.number_format = "@"
                row.append(cell)
            sheet.append(row)
        notes = wb.create_sheet("填写说明")
        notes.append(["示例（只导入第一个工作表）"])
        notes.append(list(TEMPLATE_HEADERS))
        notes.append(list(TEMPLATE_EXAMPLE))
        for line in TEMPLATE_NOTES:
            notes.append([line])
