"""Import residents from the spreadsheets clerks already keep: CSV (UTF-8 with or without BOM,
GB18030 as Excel in China writes it) and XLSX.

Columns are found by their Chinese headers, in any order, matched leniently (`姓名`, `性别`,
`身份证号`, `手机`/`联系电话`, `地址` as `3-2-301` or separate `小区`/`楼栋`/`单元`/`室`, `网格`,
`标签`, `备注` …; spaces, `*` and bracketed notes such as `（必填）` are ignored). Unknown columns
are reported and skipped.

All or nothing: every row is checked first (the register's own validation, duplicates inside
the file and against the database: same ID number, or same name + phone); a file with any bad
row changes nothing and comes back with a row-by-row report. A clean file is written in one
transaction with one audit-log row.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Callable
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

MAX_ROWS = 100_000


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
    """UTF-8 (with or without BOM), else GB18030 (what Excel in China saves as "CSV")."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise DomainError("无法识别文件的文字编码：请另存为“CSV UTF-8”或 Excel 工作簿（.xlsx）。", "file") from None


def read_table(path: Path) -> list[list[str]]:
    """All rows of the first sheet (or the CSV), as text; row 0 is the header."""
    suffix = path.suffix.lower()
    try:
        if suffix in (".xlsx", ".xlsm"):
            from openpyxl import load_workbook

            try:
                wb = load_workbook(path, read_only=True, data_only=True)
            except Exception as exc:  # noqa: BLE001 - zip/xml errors of a broken workbook
                raise DomainError(f"无法打开 Excel 文件：{exc}", "file") from None
            try:
                ws = wb.worksheets[0]
                rows = []
                for values in ws.iter_rows(values_only=True):
                    rows.append([_cell(v) for v in values])
                    if len(rows) > MAX_ROWS + 1:
                        raise DomainError(f"一次最多导入 {MAX_ROWS} 行，请分成几个文件。", "file")
                return rows
            finally:
                wb.close()
        if suffix in (".xls",):
            raise DomainError("不支持旧版 .xls 文件，请在 Excel 中另存为 .xlsx 或 CSV UTF-8。", "file")
        data = path.read_bytes()
    except FileNotFoundError:
        raise DomainError(f"找不到文件 {path}。", "file") from None
    except IsADirectoryError:
        raise DomainError(f"{path} 是文件夹，请指定一个文件。", "file") from None
    text = decode_csv(data)
    sample = text[:4096]
    delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise DomainError(f"CSV 文件格式有误：{exc}", "file") from None
    if len(rows) > MAX_ROWS + 1:
        raise DomainError(f"一次最多导入 {MAX_ROWS} 行，请分成几个文件。", "file")
    return rows


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


# ---------------------------------------------------------------- checking and writing

def _digits(value: str) -> str:
    m = re.search(r"\d+", unicodedata.normalize("NFKC", value))
    return m.group(0) if m else unicodedata.normalize("NFKC", value).strip()


def _address(values: dict[str, str]) -> str:
    if values.get("address", "").strip():
        return values["address"]
    parts = [_digits(values.get(k, "")) for k in ("building", "unit", "room")]
    if any(parts):
        if all(parts):
            return "-".join(parts)
        return "".join(f"{p}{suffix}" for p, suffix in zip(parts, ("号楼", "单元", "室"), strict=True) if p)
    return ""


def import_residents(ws, actor_id: int, path: Path | str,  # noqa: ANN001
                     progress: Callable[[int, int], None] | None = None) -> ImportReport:
    """Check every row, then write all of them in one transaction — or none and report why."""
    from sqlmodel import select

    from grassroots_tui.services.residents import (
        ResidentDraft, find_duplicate, insert_resident, prepare_resident,
    )
    from grassroots_tui.store.models import AuditLog, Grid

    path = Path(path)
    report = ImportReport(str(path))
    table = read_table(path)
    # The header is the first row with any text in it.
    start = next((i for i, r in enumerate(table) if any(c.strip() for c in r)), None)
    if start is None:
        raise DomainError("文件是空的，没有表头和数据。", "file")
    header = table[start]
    columns, report.ignored_columns = match_headers(header)
    report.columns = {f: str(header[i]) for f, i in columns.items()}
    if "name" not in columns:
        raise DomainError("找不到“姓名”列：第一行应是表头，如 姓名、性别、身份证号、手机、地址。", "file")
    with ws.read() as s:
        grids = {g.code: g.code for g in s.exec(select(Grid)).all()}
        grids.update({g.name: g.code for g in s.exec(select(Grid)).all()})
    prepared = []
    seen_ids: dict[str, int] = {}
    seen_name_phone: dict[tuple[str, str], int] = {}
    data_rows = [(start + 2 + n, r) for n, r in enumerate(table[start + 1:])]
    total = sum(1 for _n, r in data_rows if any(c.strip() for c in r))
    report.rows = total

    def column_of(field_name: str | None) -> str:
        key = {"address": "address", "estate": "estate"}.get(field_name or "", field_name or "")
        if key == "address" and "address" not in columns:
            return "/".join(report.columns[k] for k in ("building", "unit", "room") if k in report.columns)
        return report.columns.get(key, LABELS.get(key, ""))

    done = 0
    for row_no, row in data_rows:
        if not any(c.strip() for c in row):
            continue
        values = {f: (row[i] if i < len(row) else "").strip() for f, i in columns.items()}
        grid_raw = unicodedata.normalize("NFKC", values.get("grid", "")).strip()
        grid = grids.get(grid_raw) or grids.get(grid_raw.upper()) if grid_raw else None
        if grid_raw and grid is None:
            report.errors.append(RowError(row_no, column_of("grid"), f"没有“{grid_raw}”这个网格（写网格编码或名称）。"))
            continue
        try:
            draft = ResidentDraft(
                name=values.get("name", ""), phone=values.get("phone", ""), id_number=values.get("id_number", ""),
                id_type=values.get("id_type", "") or "id_card", address=_address(values),
                estate=values.get("estate", ""), grid=grid, sex=values.get("sex", ""),
                tags=(values.get("tags", ""),), notes=values.get("notes", ""),
                relation_to_head=values.get("relation_to_head", ""), residence_type=values.get("residence_type", ""),
                tenure=values.get("tenure", ""),
            )
            p = prepare_resident(draft)
        except DomainError as exc:
            report.errors.append(RowError(row_no, column_of(exc.field), exc.message))
            continue
        if p.id_number and p.id_number in seen_ids:
            report.errors.append(RowError(row_no, column_of("id_number"),
                                          f"与第 {seen_ids[p.id_number]} 行的证件号相同。", duplicate=True))
            continue
        if p.phone and (p.name, p.phone) in seen_name_phone:
            report.errors.append(RowError(row_no, column_of("name"),
                                          f"与第 {seen_name_phone[(p.name, p.phone)]} 行姓名和电话相同。", duplicate=True))
            continue
        if p.id_number:
            seen_ids[p.id_number] = row_no
        if p.phone:
            seen_name_phone[(p.name, p.phone)] = row_no
        prepared.append((row_no, p))
        done += 1
        if progress and done % 200 == 0:
            progress(done, total * 2)
    # Already in the register?
    with ws.read() as s:
        for row_no, p in prepared:
            duplicate = find_duplicate(s, p)
            if duplicate:
                report.errors.append(RowError(row_no, column_of("id_number" if "证件号" in duplicate else "name"),
                                              "台账中已有：" + duplicate, duplicate=True))
    if report.errors:
        report.errors.sort(key=lambda e: e.row)
        return report
    if progress:
        progress(total, total * 2)
    with ws.write() as s:
        for n, (_row_no, p) in enumerate(prepared, 1):
            insert_resident(s, ws, p)
            if progress and n % 200 == 0:
                progress(total + n, total * 2)
        s.add(AuditLog(at=ws.now(), actor_id=actor_id, action="import", target="resident",
                       detail=f"从 {path.name} 导入居民 {len(prepared)} 位"))
    report.imported = len(prepared)
    if progress:
        progress(total * 2, total * 2)
    return report


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
