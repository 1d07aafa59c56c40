"""PagedTable: a virtual table paging 100 000 rows from a callback, keys and Chinese widths."""

from __future__ import annotations

import threading

from rich.cells import cell_len
from textual.app import App, ComposeResult

from conftest import screen_text, wait_for
from grassroots_tui.tui.widgets.paged_table import Column, PagedTable, fit

ROWS = 100_000


class TableApp(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.fetches: list[tuple[int, int]] = []
        self.threads: set[str] = set()
        self.selected: list[int] = []
        self.highlighted: list[tuple[int, object]] = []

    def fetch(self, offset: int, limit: int) -> list[dict]:
        self.fetches.append((offset, limit))
        self.threads.add(threading.current_thread().name)
        return [{"id": i, "ref": f"SQ-{i:06d}", "summary": f"楼上漏水[red]第{i}号[/red]", "state": "办理中"}
                for i in range(offset, min(offset + limit, ROWS))]

    def compose(self) -> ComposeResult:
        yield PagedTable(
            columns=[Column("ref", "编号", 9), Column("summary", "摘要", 0), Column("state", "状态", 6)],
            fetch=self.fetch, count=lambda: ROWS, markable=True, page_size=50, id="t")

    def on_paged_table_row_selected(self, event: PagedTable.RowSelected) -> None:
        self.selected.append(event.index)

    def on_paged_table_row_highlighted(self, event: PagedTable.RowHighlighted) -> None:
        self.highlighted.append((event.index, event.row))


async def test_pages_a_hundred_thousand_rows_by_keys() -> None:
    app = TableApp()
    async with app.run_test(size=(60, 12)) as pilot:
        table = app.query_one(PagedTable)
        await wait_for(pilot, lambda: table.is_idle and "SQ-000000" in screen_text(app))
        text = screen_text(app)
        assert "编号" in text and "[red]第0号[/red]" in text  # user text is never markup
        assert all(limit == 50 for _, limit in app.fetches)
        assert threading.main_thread().name not in app.threads
        await pilot.press("end")
        await wait_for(pilot, lambda: "SQ-099999" in screen_text(app))
        assert table.cursor_row == ROWS - 1
        assert len(app.fetches) < 10  # never the whole table
        await pilot.press("home", "down", "down")
        await wait_for(pilot, lambda: table.cursor_row == 2)
        await pilot.press("pagedown")
        assert table.cursor_row == 2 + 11  # 12 lines: a header and 11 rows
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.selected == [13])
        assert app.highlighted[-1][0] == 13 and app.highlighted[-1][1]["id"] == 13


async def test_marks_rows_with_ctrl_t_and_f8() -> None:
    app = TableApp()
    async with app.run_test(size=(60, 12)) as pilot:
        table = app.query_one(PagedTable)
        await wait_for(pilot, lambda: table.is_idle)
        await pilot.press("ctrl+t", "f8")  # marks row 0, moves down, marks row 1
        assert table.marked_keys == {0, 1}
        assert "* SQ-000000" in screen_text(app)
        await pilot.press("up", "ctrl+t")
        assert table.marked_keys == {0}
        await pilot.press("ctrl+a")
        assert table.marked_keys == set()


async def test_chinese_cells_keep_columns_aligned() -> None:
    app = TableApp()
    async with app.run_test(size=(61, 8)) as pilot:
        table = app.query_one(PagedTable)
        await wait_for(pilot, lambda: table.is_idle)
        lines = screen_text(app).splitlines()
        state_cols = {line.index("办理中") for line in lines if "办理中" in line}
        # the same character offset on every row means the same cell offset (same widths before it)
        assert len(state_cols) == 1
        for line in lines[1:]:
            assert cell_len(line) == 61


def test_fit_pads_and_crops_in_cells() -> None:
    assert fit("漏水", 6).plain == "漏水  "
    assert fit("楼上漏水严重", 5).plain == "楼上 " and cell_len(fit("楼上漏水严重", 5).plain) == 5
    assert fit("12", 4, "right").plain == "  12"
    assert fit("a\nb", 4).plain == "a b "


async def test_reload_keeps_the_old_rows_on_screen_until_fresh_ones_land() -> None:
    import threading

    app = TableApp()
    async with app.run_test(size=(60, 12)) as pilot:
        table = app.query_one(PagedTable)
        await wait_for(pilot, lambda: table.is_idle and "SQ-000000" in screen_text(app))
        slow = app.fetch
        started, release = threading.Event(), threading.Event()

        def fetch(offset: int, limit: int) -> list[dict]:
            started.set()
            release.wait(60)  # the query is "slow" until the test lets it finish: no timing involved
            return slow(offset, limit)

        table.fetch = fetch
        table.reload(keep_cursor=True)
        await wait_for(pilot, started.is_set)
        await pilot.pause()
        try:
            assert not table.is_idle
            assert "SQ-000000" in screen_text(app) and "读取中" not in screen_text(app)
            assert table.current_row is None  # stale rows are shown, never handed out
        finally:
            release.set()
        await wait_for(pilot, lambda: table.is_idle and table.current_row is not None)


def test_fit_shows_control_characters_as_visible_symbols() -> None:
    # An escape sequence typed into a resident's words must never reach the terminal.
    cell = fit("\x1b[31m红\x00", 12)
    assert "\x1b" not in cell.plain and "\x00" not in cell.plain
    assert cell.plain.startswith("\u241b[31m红\u2400")
    assert cell_len(cell.plain) == 12
