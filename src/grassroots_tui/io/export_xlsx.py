"""The monthly ledger as an Excel workbook a clerk opens in Excel or WPS.

Two sheets: 诉求台账 (one row a concern) and 统计指标 (the figures with numerator and
denominator). Chinese headers, the header row frozen, column widths that fit Chinese text
(measured in terminal cells: a Chinese character is two), times as real Excel dates.
Written in openpyxl's write-only mode, so 200 000 rows stream without holding a workbook
in memory.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from itertools import islice
from pathlib import Path
from typing import Any

from rich.cells import cell_len

from grassroots_tui.domain.metrics import METRIC_BY_CODE, PENDING, PENDING_MEANING
from grassroots_tui.io.export_common import COLUMNS, Progress, ledger_row, report_progress

DATE_FORMAT = "yyyy-mm-dd hh:mm"
PERCENT_FORMAT = "0.0%"
WIDTH_SAMPLE = 300  # rows measured for column widths (widths must be set before rows are written)
MAX_WIDTH = 60
DATETIME_WIDTH = 17


def _excel(value: Any) -> Any:
    """openpyxl refuses aware datetimes (write the committee's local time) and control characters."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=None, microsecond=0)
    if isinstance(value, str):
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def _text_cell(sheet, value: str):  # noqa: ANN001, ANN202
    """A resident's `=...` stays text: openpyxl would otherwise write it as a formula."""
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"
    return cell


def _width(values: Iterable[Any], kind: str) -> float:
    if kind == "datetime":
        return DATETIME_WIDTH
    longest = max((cell_len(str(v)) for v in values if v not in (None, "")), default=4)
    return min(MAX_WIDTH, longest + 2)


def write_xlsx(path: Path, records: Iterable[dict], total: int, report, meta: dict,  # noqa: ANN001
               progress: Progress | None = None, *, figures: bool = True) -> int:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    from grassroots_tui.io.xlsx_file import scratch_workbook

    with scratch_workbook(path) as wb:  # the sheets' temporary files beside `path`, removed in any case
        sheet = wb.create_sheet("诉求台账")
        bold = Font(bold=True)
        fill = PatternFill("solid", fgColor="DDEBF7")

        def header_cell(ws, value: str) -> WriteOnlyCell:  # noqa: ANN001
            cell = WriteOnlyCell(ws, value=value)
            cell.font = bold
            cell.fill = fill
            cell.alignment = Alignment(vertical="center")
            return cell

        rows_iter = (ledger_row(r) for r in records)
        sample = list(islice(rows_iter, WIDTH_SAMPLE))
        for i, col in enumerate(COLUMNS, start=1):
            width = max(_width((r[col.key] for r in sample), col.kind), cell_len(col.header) + 2)
            sheet.column_dimensions[get_column_letter(i)].width = width
        sheet.freeze_panes = "A2"
        sheet.append([header_cell(sheet, c.header) for c in COLUMNS])

        date_cols = [i for i, c in enumerate(COLUMNS) if c.kind == "datetime"]
        written = 0

        def emit(row: dict) -> None:
            values: list[Any] = [_excel(row[c.key]) for c in COLUMNS]
            for i, v in enumerate(values):
                if isinstance(v, str) and v.startswith("="):
                    values[i] = _text_cell(sheet, v)
            for i in date_cols:
                if values[i] is not None:
                    cell = WriteOnlyCell(sheet, value=values[i])
                    cell.number_format = DATE_FORMAT
                    values[i] = cell
            sheet.append(values)

        for row in sample:
            emit(row)
            written += 1
            report_progress(progress, written, total)
        for row in rows_iter:
            emit(row)
            written += 1
            report_progress(progress, written, total)

        if figures:
            _figures_sheet(wb, report, meta, header_cell)
    if progress is not None:
        progress(written, max(total, written))
    return written


FIGURE_HEADERS = ("指标", "代码", "分子", "分母", "比率", "未到期", "分子含义", "分母含义", "未到期含义")


def _figures_sheet(wb, report, meta: dict, header_cell) -> None:  # noqa: ANN001
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.utils import get_column_letter

    sheet = wb.create_sheet("统计指标")
    for i, width in enumerate((14, 20, 10, 10, 10, 8, 28, 30, 30), start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width
    sheet.freeze_panes = "A2"
    sheet.append([header_cell(sheet, h) for h in FIGURE_HEADERS])
    for fig in report.figures:
        m = METRIC_BY_CODE[fig.code]
        if fig.value is None:
            value: Any = "无数据"
        else:
            value = WriteOnlyCell(sheet, value=fig.value)
            value.number_format = PERCENT_FORMAT
        sheet.append([fig.label, fig.code, fig.numerator, fig.denominator, value, fig.pending, m.numerator,
                      m.denominator, PENDING_MEANING.get(fig.code, "")])
    sheet.append([])
    p = report.period
    sheet.append(["统计区间", f"{p.start.isoformat()} 至 {p.end.isoformat()}"])
    sheet.append(["纳入统计", report.figures.counts.counted, "件（受理于区间内，不含不予受理、已合并和剔除考核的诉求）"])
    as_of = getattr(report, "as_of", None) or meta["generated_at"]
    sheet.append([PENDING, _excel(as_of).strftime("%Y-%m-%d %H:%M"),
                  "截至此时尚无结果且未过时限的诉求，不计入该项指标的分子和分母"])
    sheet.append(["导出时间", _excel(meta["generated_at"]).strftime("%Y-%m-%d %H:%M")])
    sheet.append(["个人信息", "已脱敏" if meta["masked"] else "未脱敏（已记入审计日志）"])
    sheet.append(["单位", meta.get("committee", "")])
