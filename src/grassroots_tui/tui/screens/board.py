"""看板: one column a live state with its count and the most urgent concerns, for the morning meeting."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Static

from grassroots_tui.services.errors import explain
from grassroots_tui.tui.widgets.footer import KeyBar
from grassroots_tui.tui.widgets.paged_table import fit
from grassroots_tui.tui.widgets.text import printable
from grassroots_tui.tui.widgets.top_bar import TopBar

if TYPE_CHECKING:
    from grassroots_tui.services.ledger import BoardColumn


def column_title(col: BoardColumn) -> Text:
    title = Text.assemble((col.label, "bold"), f" {col.count}", "\n")
    if col.overdue:
        title.append(f"超期{col.overdue} ", style="bold red")
    if col.due_soon:
        title.append(f"将到期{col.due_soon}", style="yellow")
    return title


def column_body(col: BoardColumn, width: int) -> Text:
    out = Text()
    if not col.rows:
        return Text("（无）", style="dim")
    for row in col.rows:
        style = "red" if row.overdue else "yellow" if row.due_soon else ""
        ref = row.reference.rsplit("-", 1)[-1]  # the serial is enough on a board
        out.append(fit(f"{ref} {row.summary}", max(4, width)).plain.rstrip(), style=style)
        out.append("\n")
    more = col.count - len(col.rows)
    if more > 0:
        out.append(f"另有 {more} 件", style="dim")
    out.rstrip()
    return out


class BoardScreen(Screen):
    """Read-only; refreshed every time it is shown. Esc goes back to the ledger."""

    BINDINGS = [
        Binding("escape", "back", "返回", id="board_back", tooltip="回到台账"),
        Binding("ctrl+b", "back", "台账", id="board_ledger", tooltip="回到台账"),
    ]

    DEFAULT_CSS = """
    BoardScreen #board { height: 1fr; }
    BoardScreen .board-column { width: 1fr; height: 1fr; border: round $panel-lighten-2; padding: 0 0; }
    BoardScreen .board-title { height: 2; background: $boost; }
    BoardScreen .board-body { height: 1fr; }
    BoardScreen #board-status { height: 1; padding: 0 1; color: $text-muted; }
    """

    STATES = ("received", "dispatched", "in_progress", "parked", "awaiting_followup")

    def __init__(self) -> None:
        super().__init__(name="board", classes="board-screen")
        self.columns: list[BoardColumn] = []
        self.loads = 0

    def compose(self) -> ComposeResult:
        yield TopBar("诉求看板")
        yield Static(Text("正在读取"), id="board-status")
        with Horizontal(id="board"):
            for state in self.STATES:
                with Vertical(classes="board-column", id=f"board-{state}"):
                    yield Static(Text(""), classes="board-title", id=f"board-title-{state}")
                    yield Static(Text(""), classes="board-body", id=f"board-body-{state}")
        yield KeyBar()

    def on_mount(self) -> None:
        self.reload()

    def on_screen_resume(self) -> None:
        self.reload()

    def on_resize(self) -> None:
        if self.columns:
            self._show(self.columns)

    def reload(self) -> None:
        if getattr(self.app, "ws", None) is not None:
            self._load()

    @work(thread=True, exclusive=True, group="board", exit_on_error=False)
    def _load(self) -> None:
        from grassroots_tui.services.ledger import board

        try:
            rows = max(3, self.size.height - 9)  # what fits under the titles, less a line for "另有"
            cols = board(self.app.ws, per_column=rows)  # type: ignore[attr-defined]
        except Exception as exc:  # noqa: BLE001
            self.app.call_from_thread(self.query_one("#board-status", Static).update, Text(printable(explain(exc, "读取看板"))))
            return
        self.app.call_from_thread(self._show, cols)

    def _show(self, cols: list[BoardColumn]) -> None:
        self.columns = cols
        self.loads += 1
        total = sum(c.count for c in cols)
        late = sum(c.overdue for c in cols)
        self.query_one("#board-status", Static).update(
            Text(f"在办 {total} 件，其中已超期 {late} 件。每列按时限排列，红色为已超期，黄色为将到期。"))
        for col in cols:
            box = self.query_one(f"#board-{col.status}")
            width = max(4, box.content_region.width or box.size.width - 2)
            self.query_one(f"#board-title-{col.status}", Static).update(column_title(col))
            self.query_one(f"#board-body-{col.status}", Static).update(column_body(col, width))

    def action_back(self) -> None:
        self.app.pop_screen()
