"""居民台账 (F5): the register, paged from the database, searched like the intake lookup.

The list is a `PagedTable` (pages read in workers, any size); the search box takes the same
queries as the lookup (name, pinyin, initials, phone tail, 3-2-301), names in pinyin order.
The detail beside the list shows the household, tags and the concern history; ID numbers and
phones are masked everywhere until the clerk presses F7, which is written to the audit log.
Ctrl+N adds a resident, Ctrl+O edits the one under the cursor, Ctrl+L imports a spreadsheet.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Input, Static

from grassroots_tui.tui.widgets.footer import KeyBar
from grassroots_tui.tui.widgets.paged_table import Column, PagedTable
from grassroots_tui.tui.widgets.text import printable, safe
from grassroots_tui.tui.widgets.top_bar import TopBar

if TYPE_CHECKING:
    from grassroots_tui.services.residents import ResidentDetail, ResidentView, Revealed

SEARCH_DEBOUNCE = 0.15
COLUMNS = [
    Column("name", "姓名", 12),
    Column("sex", "性别", 4),
    Column("phone", "电话", 12),
    Column("address", "住址", 0),
    Column("grid", "网格", 6, min_total=70),
    Column("tags", "标签", 16, min_total=90),
]


def _cells(r: ResidentView) -> dict:
    # r.tags never holds a sensitive care tag (低保, 残疾 …): the service keeps them out of lists.
    return {"name": printable(r.name), "sex": r.sex, "phone": r.phone_masked,
            "address": printable(" ".join(p for p in (r.estate, r.address) if p)), "grid": printable(r.grid or ""),
            "tags": printable("、".join(r.tags))}


def detail_text(d: ResidentDetail, revealed: Revealed | None = None) -> Text:
    """The detail view; every value the clerk typed goes in as plain text."""
    v = d.view
    t = Text()
    t.append(v.name, style="bold")
    if v.sex:
        t.append(f"  {v.sex}")
    if v.birth_date:
        t.append(f"  {v.birth_date:%Y-%m-%d} 生")
    t.append("\n证件号：" if d.id_type == "id_card" else f"\n{d.id_type_label}：")
    t.append(revealed.id_number if revealed else (v.id_masked or "未填"))
    t.append("\n电话：")
    t.append(revealed.phone if revealed else (v.phone_masked or "未填"))
    if revealed:
        t.append("\n（已显示原文，已记入审计日志）", style="yellow")
    place = " ".join(p for p in (v.estate, v.address) if p)
    t.append("\n住址：")
    t.append(place or "未填")
    if v.grid:
        t.append("    网格：")
        t.append(v.grid)
    for label, value in (("与户主关系", d.relation_to_head), ("居住类型", d.residence_type), ("住房性质", d.tenure)):
        if value:
            t.append(f"\n{label}：")
            t.append(value)
    if d.next_visit_due:
        t.append(f"\n下次走访：{d.next_visit_due:%Y-%m-%d}")
    if v.tags:
        t.append("\n标签：")
        t.append("、".join(v.tags))
    if d.sensitive_tags:  # shown here only, never in the list, the lookup or the command line
        t.append("\n敏感标签：", style="yellow")
        t.append("、".join(d.sensitive_tags))
    if d.household:
        t.append("\n\n同户成员", style="bold")
        for m in d.household:
            t.append("\n  ")
            t.append(m.name)
            if m.relation_to_head:
                t.append("（")
                t.append(m.relation_to_head)
                t.append("）")
            if m.sex:
                t.append(f" {m.sex}")
    if d.notes:
        t.append("\n\n备注：", style="bold")
        t.append(d.notes)
    t.append(f"\n\n诉求记录（在办 {d.open_concerns} 件）", style="bold")
    if not d.concerns:
        t.append("\n  无", style="dim")
    for c in d.concerns:
        t.append(f"\n{c.received_at:%Y-%m-%d} ")
        t.append(c.reference, style="bold" if c.open else "")
        t.append(f" {c.status_label}\n  ")
        t.append(c.summary)
        t.append(f"  {c.category_name}", style="dim")
    return safe(t)


class ResidentsScreen(Screen):
    """居民台账."""

    BINDINGS = [
        Binding("ctrl+n", "add", "新建", id="resident_add", tooltip="登记一位新居民"),
        Binding("ctrl+o", "edit", "修改", id="resident_edit", tooltip="修改光标所在居民的资料"),
        Binding("f7", "reveal", "查看原文", id="resident_reveal",
                tooltip="显示光标所在居民的完整证件号和电话（记入审计日志）"),
        Binding("ctrl+l", "import_file", "导入", id="resident_import", tooltip="从 CSV 或 XLSX 表格导入居民"),
        Binding("ctrl+f", "search", "查找", id="resident_search", tooltip="回到查找框"),
        Binding("escape", "back", "返回", id="residents_back", tooltip="回到工作台"),
    ]

    DEFAULT_CSS = """
    ResidentsScreen #search-row { height: 1; }
    ResidentsScreen #search-row > .label { width: 6; color: $text-muted; padding-left: 1; }
    ResidentsScreen #res-search { width: 1fr; border: none; }
    ResidentsScreen #res-count { width: auto; padding: 0 1; color: $text-muted; }
    ResidentsScreen #res-body { height: 1fr; }
    ResidentsScreen #res-table { width: 1fr; height: 1fr; }
    ResidentsScreen #res-detail { width: 31; height: 1fr; border-left: vkey $primary-darken-2; padding: 0 0 0 1;
                                  scrollbar-size-vertical: 1; }
    ResidentsScreen.-wide #res-detail { width: 60; }
    """

    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (140, "-wide")]
    AUTO_FOCUS = "#res-search"

    def __init__(self) -> None:
        super().__init__(name="residents", classes="section-screen")
        from grassroots_tui.tui.screens.planned import SECTIONS

        self.section = SECTIONS["residents"]
        self.query_text = ""
        self.detail: ResidentDetail | None = None
        self.revealed: Revealed | None = None
        self._timer: Timer | None = None
        self.details_shown = 0  # for tests

    def compose(self) -> ComposeResult:
        yield TopBar("居民台账")
        with Horizontal(id="search-row"):
            yield Static(Text("查找"), classes="label")
            yield Input(placeholder="姓名、拼音首字母、手机尾号、3-2-301", id="res-search", compact=True)
            yield Static("", id="res-count")
        with Horizontal(id="res-body"):
            yield PagedTable(COLUMNS, fetch=self._fetch, count=self._count, row_key=lambda r: r.id, cells=_cells,
                             id="res-table", autoload=False, empty_text="没有找到居民")
            with VerticalScroll(id="res-detail"):
                yield Static(Text("上下键选择居民", style="dim"), id="res-detail-text")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#res-search", Input).focus()
        self.watch(self.app, "clerk_name", self._workspace_ready, init=True)

    def _workspace_ready(self, _clerk_name: str = "") -> None:
        # F5 may come before the database opened; the app sets the clerk right after it did.
        if self.ws is not None and not self.table.loaded:
            self.table.reload(keep_cursor=False)

    @property
    def ws(self):  # noqa: ANN201
        return getattr(self.app, "ws", None)

    @property
    def table(self) -> PagedTable:
        return self.query_one("#res-table", PagedTable)

    # ------------------------------------------------------------------ paging (worker threads)

    def _fetch(self, offset: int, limit: int) -> list[ResidentView]:
        from grassroots_tui.services.residents import search_residents

        clerk = getattr(self.app, "clerk", None)
        return search_residents(self.app.ws, self.query_text, limit=limit, offset=offset,
                                actor_id=clerk.id if clerk is not None else None)

    def _count(self) -> int:
        from grassroots_tui.services.residents import count_residents

        return count_residents(self.app.ws, self.query_text)

    @on(PagedTable.Loaded, "#res-table")
    def _loaded(self, event: PagedTable.Loaded) -> None:
        label = f"{event.row_count} 人" if not event.error else event.error
        self.query_one("#res-count", Static).update(Text(label))
        row = self.table.current_row  # the detail shows the first match at once
        if row is not None and self.ws is not None and (self.detail is None or self.detail.view.id != row.id):
            self.revealed = None
            self._load_detail(self.ws, row.id)
        elif event.row_count == 0:
            self.detail = None
            self.query_one("#res-detail-text", Static).update(Text("没有找到居民", style="dim"))

    # ------------------------------------------------------------------ search

    @on(Input.Changed, "#res-search")
    def _search_changed(self, event: Input.Changed) -> None:
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(SEARCH_DEBOUNCE, lambda: self._apply_search(event.value))

    def _apply_search(self, text: str) -> None:
        self.query_text = text
        if self.ws is None:
            return
        self.table.reload(keep_cursor=False)

    @on(Input.Submitted, "#res-search")
    def _to_table(self, event: Input.Submitted) -> None:
        event.stop()
        if self._timer is not None:
            self._timer.stop()
        if event.value != self.query_text:
            self._apply_search(event.value)
        self.table.focus()

    def on_key(self, event) -> None:  # noqa: ANN001
        if event.key == "down" and self.focused is self.query_one("#res-search", Input):
            event.stop()
            self.table.focus()

    def action_search(self) -> None:
        self.query_one("#res-search", Input).focus()

    # ------------------------------------------------------------------ detail

    @on(PagedTable.RowHighlighted, "#res-table")
    def _highlighted(self, event: PagedTable.RowHighlighted) -> None:
        if event.row is None or self.ws is None:
            return
        if self.detail is not None and self.detail.view.id == event.row.id:
            return
        self.revealed = None
        self._load_detail(self.ws, event.row.id)

    @on(PagedTable.RowSelected, "#res-table")
    def _selected(self, event: PagedTable.RowSelected) -> None:
        # Enter on a resident: edit it (the detail already follows the cursor).
        self.action_edit()

    @work(thread=True, exclusive=True, group="resident-detail", exit_on_error=False)
    def _load_detail(self, ws, resident_id: int) -> None:  # noqa: ANN001
        from grassroots_tui.services.residents import resident_detail

        try:
            detail = resident_detail(ws, resident_id)
        except Exception as exc:  # noqa: BLE001
            self.app.call_from_thread(self._detail_failed, str(exc))
            return
        self.app.call_from_thread(self._show_detail, detail)

    def _detail_failed(self, message: str) -> None:
        self.query_one("#res-detail-text", Static).update(Text(printable(f"读取居民资料时出错：{message}")))

    def _show_detail(self, detail: ResidentDetail) -> None:
        self.detail = detail
        self.query_one("#res-detail-text", Static).update(detail_text(detail, self.revealed))
        self.details_shown += 1

    # ------------------------------------------------------------------ actions

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("edit", "reveal"):
            return True if self.detail is not None else None
        if action in ("add", "import_file"):
            return True if self.ws is not None else None
        return True

    def action_reveal(self) -> None:
        if self.detail is None or self.ws is None:
            return
        self._reveal(self.ws, self.app.clerk.id, self.detail.view.id)

    @work(thread=True, exclusive=True, group="resident-reveal", exit_on_error=False)
    def _reveal(self, ws, actor_id: int, resident_id: int) -> None:  # noqa: ANN001
        from grassroots_tui.services.residents import reveal_resident

        shown = reveal_resident(ws, actor_id, resident_id)
        self.app.call_from_thread(self._revealed, resident_id, shown)

    def _revealed(self, resident_id: int, shown: Revealed) -> None:
        if self.detail is None or self.detail.view.id != resident_id:
            return
        self.revealed = shown
        self._show_detail(self.detail)

    def action_add(self) -> None:
        from grassroots_tui.tui.screens.resident_form import ResidentForm

        self.app.push_screen(ResidentForm(), self._form_closed)

    def action_edit(self) -> None:
        from grassroots_tui.tui.screens.resident_form import ResidentForm

        if self.detail is not None:
            self.app.push_screen(ResidentForm(self.detail.view.id), self._form_closed)

    def _form_closed(self, view: ResidentView | None) -> None:
        if view is None:
            return
        self.notify(f"已保存：{view.name}", markup=False)
        self.detail = None
        self.table.reload(keep_cursor=True)
        self._load_detail(self.ws, view.id)

    def action_import_file(self) -> None:
        from grassroots_tui.tui.screens.resident_import import ImportDialog

        def closed(imported: int | None) -> None:
            if imported:
                self.table.reload(keep_cursor=False)

        self.app.push_screen(ImportDialog(), closed)

    def action_back(self) -> None:
        self.app.action_dashboard()
