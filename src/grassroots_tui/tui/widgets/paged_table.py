"""A table that pages its rows from a callback: instant at 200 000 rows.

Textual's `DataTable` holds every row in memory and takes seconds to show 10 000 of
them. `PagedTable` is a line-API `ScrollView` (the Textualize/toolong pattern): it
renders only the lines on screen, asks for rows a page at a time from callbacks that
run in a worker thread, and keeps the most recent pages in an LRU cache. The UI thread
never waits on the database: a row whose page has not arrived yet shows as a dim
"读取中" line and fills in when the page lands.

Usage::

    from grassroots_tui.tui.widgets.paged_table import Column, PagedTable

    table = PagedTable(
        columns=[Column("reference", "编号", 14), Column("summary", "摘要", 0),
                 Column("status", "状态", 6)],
        fetch=lambda offset, limit: service.page(ws, query, offset, limit),  # worker thread
        count=lambda: service.count(ws, query),                            # worker thread
        row_key=lambda row: row.reference,      # identity, for marks and keeping the cursor
        cells=lambda row: {"reference": row.reference, ...},  # str or rich Text per column
        row_style=lambda row: "red" if row.overdue else "",   # optional
        markable=True,                          # Ctrl+T / F8 mark rows for a batch action
    )

- `fetch(offset, limit) -> Sequence[row]` and `count() -> int` are called in a worker
  thread, so they may query SQLite; they must not touch widgets. Rows are any objects.
- `cells(row)` returns a mapping column key -> `str | rich.text.Text`; by default the
  table reads `row[key]` from mappings and `getattr(row, key)` otherwise. User text is
  rendered as plain text, never as markup, and cropped/padded in terminal cells.
- A `Column` of width 0 takes the room the others leave (at least `min_flex` cells);
  `min_total` hides a column when the table is narrower than that.
- Call `reload()` after the query changed (new filter, new sort) or the data changed;
  `reload(keep_cursor=True)` keeps the cursor on the same index (and the old rows on screen
  until the fresh ones land). `show_loaded(total, first_rows)` hands over a count and first
  page read elsewhere (e.g. in a thread started with the screen, before the first layout).
- Keys: Up/Down, PageUp/PageDown, Home/End move the cursor, Enter posts `RowSelected`,
  Ctrl+T or F8 toggle the mark on the cursor row (when `markable`), Ctrl+A clears marks.
  Moving the cursor posts `RowHighlighted` (its `row` is None until the page arrived;
  a second `RowHighlighted` follows when it does).
- `move_cursor(index)` jumps anywhere (the page is fetched if needed); `cursor_row`
  is the index, `current_row` the row object (or None while loading), `marked_keys`
  the keys of marked rows and `marked_rows` key -> the row as it was when marked (a
  batch action can check it was not changed since), `row_count` the total from `count()`.
- `Loaded` is posted after every completed `reload()` (with the row count); `is_idle`
  says no fetch is in flight (handy for tests).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from grassroots_tui.services.errors import explain
from grassroots_tui.tui.widgets.text import safe

LOADING_TEXT = "读取中"
EMPTY_TEXT = "没有符合条件的记录"
MARK_GLYPH = "*"  # ASCII: ambiguous-width glyphs (● √) break the column alignment


@dataclass(frozen=True)
class Column:
    """One column: `key` for `cells()`, `title` in the header, `width` in cells (0 = flexible)."""

    key: str
    title: str
    width: int = 0
    min_total: int = 0  # shown only when the table is at least this many cells wide
    justify: str = "left"  # or "right"


def _default_cells(row: Any) -> Mapping[str, Any]:
    if isinstance(row, Mapping):
        return row

    class _Attrs(Mapping):
        def __getitem__(self, key: str) -> Any:
            return getattr(row, key, "")

        def __iter__(self):  # noqa: ANN204
            return iter(())

        def __len__(self) -> int:
            return 0

    return _Attrs()


def fit(value: Any, width: int, justify: str = "left") -> Text:
    """`value` as one line of plain Text exactly `width` cells wide (cropped or padded)."""
    if isinstance(value, Text):
        text = value.copy()
    else:
        text = Text("" if value is None else str(value))
    text.no_wrap = True
    text.overflow = "crop"
    plain = text.plain
    if "\n" in plain or "\r" in plain or "\t" in plain:
        text = Text(plain.replace("\r\n", " ").replace("\n", " ").replace("\r", " ").replace("\t", " "),
                    style=text.style)
    text = safe(text)  # an ESC or NUL in user data must not reach the terminal
    length = cell_len(text.plain)
    if length > width:
        text.truncate(width, overflow="crop")
        length = cell_len(text.plain)
        # A wide character that straddled the edge is dropped; pad the lost cell.
    if length < width:
        if justify == "right":
            text = Text.assemble(" " * (width - length), text)
        else:
            text.append(" " * (width - length))
    return text


class PagedTable(ScrollView, can_focus=True):
    """A virtual table over a paged data source (see the module docstring)."""

    DEFAULT_CSS = """
    PagedTable {
        height: 1fr;
        scrollbar-size-vertical: 1;
        overflow-x: hidden;
        background: $surface;
    }
    PagedTable > .paged-table--header { text-style: bold; background: $panel; }
    PagedTable > .paged-table--cursor { background: $block-cursor-blurred-background; }
    PagedTable:focus > .paged-table--cursor {
        background: $block-cursor-background;
        color: $block-cursor-foreground;
        text-style: bold;
    }
    PagedTable > .paged-table--marked { background: $accent 30%; }
    PagedTable > .paged-table--odd { background: $surface-lighten-1 40%; }
    PagedTable > .paged-table--loading { color: $text-muted; }
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "paged-table--header",
        "paged-table--cursor",
        "paged-table--marked",
        "paged-table--odd",
        "paged-table--loading",
    }

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "cursor_up", "上一行", show=False, id="table_up", tooltip="光标上移一行"),
        Binding("down", "cursor_down", "下一行", show=False, id="table_down", tooltip="光标下移一行"),
        Binding("pageup", "page_up", "上一页", show=False, id="table_page_up", tooltip="向上翻一页"),
        Binding("pagedown", "page_down", "下一页", show=False, id="table_page_down", tooltip="向下翻一页"),
        Binding("home", "first_row", "首行", show=False, id="table_home", tooltip="跳到第一行"),
        Binding("end", "last_row", "末行", show=False, id="table_end", tooltip="跳到最后一行"),
        Binding("enter", "select_row", "打开", show=False, id="table_select", tooltip="打开光标所在行"),
        Binding("ctrl+t,f8", "toggle_mark", "标记", show=False, id="table_mark", key_display="^T",
                tooltip="标记/取消标记光标所在行，用于批量操作（也可按 F8）"),
        Binding("ctrl+a", "clear_marks", "清除标记", show=False, id="table_clear_marks",
                tooltip="取消全部标记"),
    ]

    cursor_row: reactive[int] = reactive(0, always_update=True, repaint=False)

    # ------------------------------------------------------------------ messages

    class RowHighlighted(Message):
        """The cursor moved to `index`; `row` is None while its page is being read."""

        def __init__(self, table: PagedTable, index: int, row: Any | None) -> None:
            super().__init__()
            self.table = table
            self.index = index
            self.row = row

        @property
        def control(self) -> PagedTable:
            return self.table

    class RowSelected(Message):
        """Enter (or a click on the cursor row) on a loaded row."""

        def __init__(self, table: PagedTable, index: int, row: Any) -> None:
            super().__init__()
            self.table = table
            self.index = index
            self.row = row

        @property
        def control(self) -> PagedTable:
            return self.table

    class MarksChanged(Message):
        """The set of marked row keys changed."""

        def __init__(self, table: PagedTable, keys: frozenset) -> None:
            super().__init__()
            self.table = table
            self.keys = keys

        @property
        def control(self) -> PagedTable:
            return self.table

    class Loaded(Message):
        """A `reload()` finished: `row_count` rows (or `error` when reading failed)."""

        def __init__(self, table: PagedTable, row_count: int, error: str = "") -> None:
            super().__init__()
            self.table = table
            self.row_count = row_count
            self.error = error

        @property
        def control(self) -> PagedTable:
            return self.table

    # ------------------------------------------------------------------ setup

    def __init__(
        self,
        columns: Sequence[Column],
        fetch: Callable[[int, int], Sequence[Any]],
        count: Callable[[], int],
        *,
        row_key: Callable[[Any], Hashable] | None = None,
        cells: Callable[[Any], Mapping[str, Any]] | None = None,
        row_style: Callable[[Any], str | Style] | None = None,
        markable: bool = False,
        page_size: int = 100,
        cache_pages: int = 20,
        min_flex: int = 12,
        empty_text: str = EMPTY_TEXT,
        autoload: bool = True,
        name: str | None = None,
        id: str | None = None,  # noqa: A002
        classes: str | None = None,
        disabled: bool = False,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes, disabled=disabled)
        self.columns: list[Column] = list(columns)
        self.fetch = fetch
        self.count = count
        self.row_key = row_key or (lambda row: id_of(row))
        self.cells = cells or _default_cells
        self.row_style = row_style
        self.markable = markable
        self.page_size = max(1, page_size)
        self.cache_pages = max(2, cache_pages)
        self.min_flex = min_flex
        self.empty_text = empty_text
        self.autoload = autoload
        self.row_count = 0
        self.loaded = False  # a count has arrived at least once
        self.error = ""
        self.marked_rows: dict[Hashable, Any] = {}
        self._pages: OrderedDict[int, list[Any]] = OrderedDict()
        # Pages from before a reload(keep_cursor=True): shown (never returned) until fresh ones land,
        # so refreshing after an action does not flash "读取中".
        self._stale: dict[int, list[Any]] = {}
        self._pending: set[int] = set()
        self._initial: set[int] = set()
        self._generation = 0
        self._lock = threading.Lock()
        self._column_layout: tuple[int, list[tuple[Column, int]]] | None = None
        self._highlight_sent: tuple[int, int, bool] | None = None

    def on_mount(self) -> None:
        super().on_mount()
        if self.autoload:
            self.reload()

    # ------------------------------------------------------------------ public API

    @property
    def is_idle(self) -> bool:
        """No count or page fetch is in flight."""
        return not self._pending and self.loaded

    @property
    def current_row(self) -> Any | None:
        return self.get_row(self.cursor_row)

    def get_row(self, index: int) -> Any | None:
        """The row at `index` if its page is cached (a fetch is started otherwise)."""
        if not (0 <= index < self.row_count):
            return None
        page, offset = divmod(index, self.page_size)
        rows = self._pages.get(page)
        if rows is None:
            self._request_page(page)
            return None
        self._pages.move_to_end(page)
        return rows[offset] if offset < len(rows) else None

    def reload(self, *, keep_cursor: bool = True) -> None:
        """Forget the cached pages and read the count and the visible page again."""
        self._generation += 1
        self._stale = dict(self._pages) if keep_cursor else {}
        self._pages.clear()
        self._pending.clear()
        self._highlight_sent = None
        if not keep_cursor:
            self.cursor_row = 0
            self.scroll_to(y=0, animate=False, immediate=True)
        generation = self._generation
        first_page = self._first_visible_row() // self.page_size
        cursor_page = self.cursor_row // self.page_size
        initial = {first_page, cursor_page}
        self._initial = initial
        self._pending.update({-1} | initial)  # read by the count worker, not fetched twice
        self.run_worker(lambda: self._load_count(generation, initial),
                        thread=True, group="paged-table", exit_on_error=False)

    def show_loaded(self, total: int, first_rows: Sequence[Any]) -> None:
        """Take a count and the first page read elsewhere (say, started before the table was mounted)."""
        self._generation += 1
        self._stale = {}
        self._pages.clear()
        self._pending.clear()
        self._initial = set()
        self._highlight_sent = None
        self.cursor_row = 0
        self._count_loaded(self._generation, total, {0: list(first_rows)} if total else {})

    def move_cursor(self, index: int) -> None:
        """Put the cursor on `index` (clamped) and scroll it into view."""
        if self.row_count <= 0:
            self.cursor_row = 0
            return
        self.cursor_row = max(0, min(index, self.row_count - 1))

    @property
    def marked_keys(self) -> set[Hashable]:
        return set(self.marked_rows)

    def clear_marks(self) -> None:
        if self.marked_rows:
            self.marked_rows.clear()
            self.post_message(self.MarksChanged(self, frozenset()))
            self.refresh()

    def set_columns(self, columns: Sequence[Column]) -> None:
        self.columns = list(columns)
        self._column_layout = None
        self.refresh()

    # ------------------------------------------------------------------ fetching (worker threads)

    def _load_count(self, generation: int, pages: set[int]) -> None:
        try:
            total = int(self.count())
            first = {p: list(self.fetch(p * self.page_size, self.page_size))
                     for p in sorted(pages) if p * self.page_size < max(total, 1)}
        except Exception as exc:  # noqa: BLE001 - shown to the clerk in the table
            self.app.call_from_thread(self._count_failed, generation, explain(exc, "读取数据"))
            return
        self.app.call_from_thread(self._count_loaded, generation, total, first)

    def _fetch_page(self, generation: int, page: int) -> None:
        try:
            rows = list(self.fetch(page * self.page_size, self.page_size))
        except Exception as exc:  # noqa: BLE001
            self.app.call_from_thread(self._page_failed, generation, page, explain(exc, "读取数据"))
            return
        self.app.call_from_thread(self._page_loaded, generation, page, rows)

    def _request_page(self, page: int) -> None:
        if page in self._pending or page < 0 or not self.loaded:
            return
        self._pending.add(page)
        generation = self._generation
        self.run_worker(lambda: self._fetch_page(generation, page), thread=True,
                        group="paged-table", exit_on_error=False)

    # ------------------------------------------------------------------ fetch results (UI thread)

    def _count_loaded(self, generation: int, total: int, pages: dict[int, list[Any]]) -> None:
        if generation != self._generation:
            return
        self._pending -= {-1} | self._initial
        self.error = ""
        self.row_count = total
        self.loaded = True
        for page, rows in pages.items():
            self._store(page, rows)
        self._update_virtual_size()
        if self.cursor_row >= total:
            self.cursor_row = max(0, total - 1)
        else:
            self._scroll_cursor_into_view()
        self.refresh()
        self._announce_highlight()
        self.post_message(self.Loaded(self, total))

    def _count_failed(self, generation: int, message: str) -> None:
        if generation != self._generation:
            return
        self._pending.clear()
        self.error = message
        self.row_count = 0
        self.loaded = True
        self._update_virtual_size()
        self.refresh()
        self.post_message(self.Loaded(self, 0, message))

    def _page_loaded(self, generation: int, page: int, rows: list[Any]) -> None:
        if generation != self._generation:
            return
        self._pending.discard(page)
        self._store(page, rows)
        self.refresh()
        if self.cursor_row // self.page_size == page:
            self._announce_highlight()

    def _page_failed(self, generation: int, page: int, message: str) -> None:
        if generation != self._generation:
            return
        self._pending.discard(page)
        self.error = message
        self.refresh()

    def _store(self, page: int, rows: list[Any]) -> None:
        self._stale.pop(page, None)
        self._pages[page] = rows
        self._pages.move_to_end(page)
        while len(self._pages) > self.cache_pages:
            self._pages.popitem(last=False)

    # ------------------------------------------------------------------ geometry

    @property
    def _body_height(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)  # minus the header line

    def _update_virtual_size(self) -> None:
        width = self.scrollable_content_region.width or self.size.width
        self.virtual_size = Size(width, self.row_count + 1)

    def on_resize(self, event: events.Resize) -> None:
        self._column_layout = None
        self._update_virtual_size()
        self._scroll_cursor_into_view()

    def _first_visible_row(self) -> int:
        return int(round(self.scroll_y))

    def _fit_columns(self, total: int) -> list[tuple[Column, int]]:
        if self._column_layout and self._column_layout[0] == total:
            return self._column_layout[1]
        mark = 2 if self.markable else 0
        cols = [c for c in self.columns if total >= c.min_total]
        fixed = sum(c.width + 1 for c in cols if c.width) + mark
        flex_cols = [c for c in cols if not c.width]
        room = max(0, total - fixed - len(flex_cols))
        each = max(self.min_flex, room // len(flex_cols)) if flex_cols else 0
        layout = [(c, c.width or each) for c in cols]
        self._column_layout = (total, layout)
        return layout

    # ------------------------------------------------------------------ rendering

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        if width <= 0:
            return Strip.blank(0)
        if y == 0:
            return self._header_strip(width)
        index = self._first_visible_row() + y - 1
        base = self.rich_style
        if not self.loaded and not self._stale:
            return self._message_strip(LOADING_TEXT if y == 1 else "", width, base)
        if self.error and (index >= self.row_count or self.get_row(index) is None):
            return self._message_strip(self.error if y == 1 else "", width, base)
        if self.row_count == 0:
            return self._message_strip(self.empty_text if y == 1 else "", width, base)
        if index >= self.row_count:
            return Strip.blank(width, base)
        row = self.get_row(index)
        if row is None:
            page, offset = divmod(index, self.page_size)
            stale = self._stale.get(page)
            row = stale[offset] if stale is not None and offset < len(stale) else None
        self._prefetch_around(index)
        style = base
        if index % 2:
            style += self.get_component_rich_style("paged-table--odd", partial=True)
        if row is None:
            style += self.get_component_rich_style("paged-table--loading", partial=True)
            line = Text(("  " if self.markable else "") + LOADING_TEXT)
        else:
            line = self._row_text(row, width)
            if self.markable and self.row_key(row) in self.marked_keys:
                style += self.get_component_rich_style("paged-table--marked", partial=True)
            if self.row_style is not None:
                extra = self.row_style(row)
                if extra:
                    style += Style.parse(extra) if isinstance(extra, str) else extra
        if index == self.cursor_row:
            style += self.get_component_rich_style("paged-table--cursor", partial=True)
        return self._strip(line, width, style)

    def _row_text(self, row: Any, width: int) -> Text:
        values = self.cells(row)
        parts: list[Text | str] = []
        if self.markable:
            parts.append(MARK_GLYPH + " " if self.row_key(row) in self.marked_keys else "  ")
        for col, col_width in self._fit_columns(width):
            parts.append(fit(values.get(col.key, "") if hasattr(values, "get") else values[col.key],
                             col_width, col.justify))
            parts.append(" ")
        return Text.assemble(*parts, no_wrap=True, overflow="crop")

    def _header_strip(self, width: int) -> Strip:
        parts: list[Text | str] = ["  "] if self.markable else []
        for col, col_width in self._fit_columns(width):
            parts.append(fit(col.title, col_width, col.justify))
            parts.append(" ")
        style = self.rich_style + self.get_component_rich_style("paged-table--header", partial=True)
        return self._strip(Text.assemble(*parts), width, style)

    def _message_strip(self, message: str, width: int, style: Style) -> Strip:
        style = style + self.get_component_rich_style("paged-table--loading", partial=True)
        return self._strip(Text(" " + message if message else ""), width, style)

    def _strip(self, text: Text, width: int, style: Style) -> Strip:
        text.no_wrap = True
        text.overflow = "crop"
        segments = list(text.render(self.app.console))
        segments = [Segment(s.text, style + s.style if s.style else style, s.control) for s in segments
                    if s.text != "\n"]
        return Strip(segments).crop_extend(0, width, style)

    def _prefetch_around(self, index: int) -> None:
        page = index // self.page_size
        for near in (page - 1, page + 1):
            if 0 <= near * self.page_size < self.row_count and near not in self._pages:
                self._request_page(near)

    # ------------------------------------------------------------------ cursor

    def validate_cursor_row(self, value: int) -> int:
        return max(0, min(value, max(0, self.row_count - 1)))

    def watch_cursor_row(self, old: int, new: int) -> None:
        self._scroll_cursor_into_view()
        self.refresh()
        self._announce_highlight()

    def _scroll_cursor_into_view(self) -> None:
        top = self._first_visible_row()
        body = self._body_height
        row = self.cursor_row
        if row < top:
            self.scroll_to(y=row, animate=False, immediate=True)
        elif row >= top + body:
            self.scroll_to(y=row - body + 1, animate=False, immediate=True)

    def _announce_highlight(self) -> None:
        if not self.loaded or self.row_count == 0:
            return
        row = self.get_row(self.cursor_row)
        key = (self._generation, self.cursor_row, row is not None)
        if key == self._highlight_sent:
            return
        self._highlight_sent = key
        self.post_message(self.RowHighlighted(self, self.cursor_row, row))

    def action_cursor_up(self) -> None:
        self.move_cursor(self.cursor_row - 1)

    def action_cursor_down(self) -> None:
        self.move_cursor(self.cursor_row + 1)

    def action_page_up(self) -> None:
        self.move_cursor(self.cursor_row - self._body_height)

    def action_page_down(self) -> None:
        self.move_cursor(self.cursor_row + self._body_height)

    def action_first_row(self) -> None:
        self.move_cursor(0)

    def action_last_row(self) -> None:
        self.move_cursor(self.row_count - 1)

    def action_select_row(self) -> None:
        row = self.current_row
        if row is not None:
            self.post_message(self.RowSelected(self, self.cursor_row, row))

    def action_toggle_mark(self) -> None:
        if not self.markable:
            return
        row = self.current_row
        if row is None:
            return
        key = self.row_key(row)
        if key in self.marked_rows:
            del self.marked_rows[key]
        else:
            self.marked_rows[key] = row
        self.post_message(self.MarksChanged(self, frozenset(self.marked_keys)))
        self.move_cursor(self.cursor_row + 1)
        self.refresh()

    def action_clear_marks(self) -> None:
        self.clear_marks()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("toggle_mark", "clear_marks") and not self.markable:
            return False
        return True

    def on_click(self, event: events.Click) -> None:
        if event.y < 1:
            return
        index = self._first_visible_row() + event.y - 1
        if 0 <= index < self.row_count:
            if index == self.cursor_row and event.chain >= 2:
                self.action_select_row()
            self.move_cursor(index)


def id_of(row: Any) -> Hashable:
    """The default row key: `row.id`, `row["id"]`, or the row itself."""
    if isinstance(row, Mapping):
        return row.get("id", id(row))
    return getattr(row, "id", row)
