"""The dashboard's short lists: concerns against a deadline, and today's meetings.

Both are `DataTable`s with at most a handful of rows, rebuilt when their width
changes: the summary column takes whatever the fixed columns leave, and narrow
terminals drop the less essential columns (handling unit, resident) first.
Every cell is a `rich.text.Text` cropped to its column in cells.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.widgets import DataTable

from grassroots_tui.tui.widgets.text import crop, safe

if TYPE_CHECKING:
    from grassroots_tui.services.dashboard import DeadlineRow, MeetingRow

CELL_PADDING = 1  # DataTable's default, each side


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    width: int  # 0: takes the space left over
    min_total: int = 0  # shown only when the table is at least this wide


class CroppedTable(DataTable):
    """A DataTable whose columns are fitted to its width in cells."""

    COLUMNS: Sequence[Column] = ()
    MIN_FLEX = 12

    DEFAULT_CSS = """
    CroppedTable { height: 1fr; scrollbar-size-vertical: 1; }
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, cell_padding=CELL_PADDING, **kwargs)
        self._rows: list = []
        self._fitted_width = -1

    def show(self, rows: Sequence) -> None:
        self._rows = list(rows)
        self._rebuild(force=True)

    def on_resize(self) -> None:
        self._rebuild()

    def _layout(self, total: int) -> list[tuple[Column, int]]:
        cols = [c for c in self.COLUMNS if total >= c.min_total]
        fixed = sum(c.width for c in cols) + len(cols) * 2 * CELL_PADDING
        flex = max(self.MIN_FLEX, total - fixed - 1)  # 1: room for a scrollbar
        return [(c, c.width or flex) for c in cols]

    def _rebuild(self, force: bool = False) -> None:
        total = self.scrollable_content_region.width or self.size.width
        if total <= 0 or (total == self._fitted_width and not force):
            return
        self._fitted_width = total
        cursor = self.cursor_row
        self.clear(columns=True)
        layout = self._layout(total)
        for col, width in layout:
            self.add_column(Text(col.label, style="bold"), width=width, key=col.key)
        for row in self._rows:
            cells = self.cells(row)
            self.add_row(*(crop(cells[col.key], width) if isinstance(cells[col.key], str)
                           else _crop_text(cells[col.key], width) for col, width in layout),
                         key=self.row_key(row))
        if self._rows:
            self.move_cursor(row=min(max(cursor, 0), len(self._rows) - 1), animate=False)

    def cells(self, row: Any) -> dict[str, str | Text]:  # pragma: no cover - abstract
        raise NotImplementedError

    def row_key(self, row: Any) -> str:  # pragma: no cover - abstract
        raise NotImplementedError


def _crop_text(text: Text, width: int) -> Text:
    text = safe(text.copy(), one_line=True)
    text.no_wrap = True
    text.truncate(width, overflow="crop")
    return text


def short_time(value) -> str:  # noqa: ANN001
    """`10-08 23:59`: month, day and time; the dashboard lists only live deadlines."""
    return value.strftime("%m-%d %H:%M")


class DeadlineTable(CroppedTable):
    """Concerns against their deadline: overdue ones, or those due soon."""

    COLUMNS = (
        Column("reference", "编号", 14),
        Column("summary", "摘要", 0),
        Column("category", "分类", 12),
        Column("status", "状态", 6),
        Column("unit", "承办单位", 12, min_total=100),
        Column("resident", "居民", 16, min_total=120),
        Column("due", "时限", 11),
    )

    def __init__(self, *, overdue: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.overdue = overdue

    def cells(self, row: DeadlineRow) -> dict[str, str | Text]:
        due = Text(short_time(row.due_at), style="bold red" if self.overdue else "yellow")
        return {
            "reference": row.reference,
            "summary": row.summary,
            "category": row.category_name,
            "status": row.status_label,
            "unit": row.unit_name,
            "resident": row.resident,
            "due": due,
        }

    def row_key(self, row: DeadlineRow) -> str:
        return row.reference


class MeetingTable(CroppedTable):
    """Today's meetings, earliest first."""

    COLUMNS = (
        Column("time", "时间", 11),
        Column("type", "类型", 10),
        Column("topic", "议题", 0),
        Column("place", "地点", 14, min_total=70),
        Column("reference", "编号", 14, min_total=100),
    )

    def cells(self, row: MeetingRow) -> dict[str, str | Text]:
        return {
            "time": f"{row.start_at:%H:%M}-{row.end_at:%H:%M}",
            "type": row.type_label,
            "topic": row.topic,
            "place": row.place,
            "reference": row.reference,
        }

    def row_key(self, row: MeetingRow) -> str:
        return row.reference
