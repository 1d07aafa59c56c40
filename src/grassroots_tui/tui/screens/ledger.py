"""诉求台账 (F3): every concern, paged from the database, filtered, searched and acted on.

The list is a `PagedTable`: it asks `services.ledger.Ledger` for the count and for pages
in worker threads, so 200 000 concerns open as fast as 200. Keys work with a Chinese IME
switched on: digits pick a saved view (when the list has focus), Ctrl+letters do the rest.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.timer import Timer
from textual.widgets import Checkbox, Input, Select, Static

from grassroots_tui.services.errors import explain
from grassroots_tui.tui.screens.choice_menu import ChoiceMenu
from grassroots_tui.tui.screens.concern_action import ActionDone, ActionLauncher
from grassroots_tui.tui.widgets.footer import KeyBar
from grassroots_tui.tui.widgets.paged_table import Column, PagedTable
from grassroots_tui.tui.widgets.text import printable, printable_line
from grassroots_tui.tui.widgets.top_bar import TopBar

if TYPE_CHECKING:
    from grassroots_tui.services.ledger import (
        FilterChoices,
        Ledger,
        LedgerQuery,
        LedgerRow,
    )

SEARCH_DEBOUNCE = 0.25
AUTO_REFRESH_SECONDS = 60
PAGE_SIZE = 100
VIEW_KEYS = {"1": "today", "2": "undispatched", "3": "followup", "4": "parked", "5": "problem"}
VIEW_LABELS = {"today": "今日待办", "undispatched": "待派单", "followup": "待回访", "parked": "挂账",
               "problem": "问题工单"}
SORT_CYCLE = ("received", "deadline", "state")

COLUMNS = [
    Column("reference", "编号", 14),
    Column("received", "受理", 11, min_total=90),
    Column("resident", "居民", 18, min_total=130),
    Column("category", "分类", 10),
    Column("summary", "摘要", 0),
    Column("unit", "承办单位", 12, min_total=110),
    Column("status", "状态", 8),
    Column("deadline", "时限", 18),
]


def deadline_cell(row: LedgerRow) -> Text:
    if row.due_at is None:
        return Text("")
    when = f"{row.due_at:%m-%d %H:%M}"
    if row.overdue:
        return Text.assemble((when, "bold red"), (" 超期", "bold red"))
    if row.due_soon:
        return Text.assemble((when, "yellow"), (" 将到期", "yellow"))
    return Text(when)


def row_cells(row: LedgerRow) -> dict[str, Any]:
    status = Text(row.status_label)
    if row.problem_case:
        status.stylize("bold red")
    if row.supervision != "none":
        status = Text.assemble(status, ("督", "bold magenta"))
    return {
        "reference": row.reference,
        "received": f"{row.received_at:%m-%d %H:%M}",
        "resident": row.resident,
        "category": row.category_name,
        "summary": row.summary,
        "unit": row.unit_name,
        "status": status,
        "deadline": deadline_cell(row),
    }


def views_line(current: str | None) -> Text:
    """`0全部 1今日待办 2待派单 ...` with the current view highlighted (digits work in the list)."""
    out = Text()
    for key, view in [("0", None), *VIEW_KEYS.items()]:
        label = VIEW_LABELS.get(view, "全部") if view else "全部"
        style = "bold reverse" if view == current else ""
        out.append(key, style="bold")
        out.append(label, style=style)
        out.append("  ")
    out.append("F8/^T 标记  F1 全部按键", style="dim")
    return out


class LedgerFilterForm(ModalScreen["LedgerQuery | None"]):
    """Every filter at once; Ctrl+S applies, Ctrl+X clears them all, Esc cancels."""

    BINDINGS = [
        Binding("ctrl+s", "apply", "应用", id="filter_apply", tooltip="按这些条件筛选"),
        Binding("ctrl+x", "clear", "清除", id="filter_clear", tooltip="清除全部筛选条件"),
        Binding("escape", "cancel", "取消", id="filter_cancel", tooltip="不改变筛选，关闭"),
    ]
    DEFAULT_CSS = """
    LedgerFilterForm { align: center middle; }
    #filter-form { width: 76; max-width: 100%; height: auto; max-height: 100%; border: round $accent;
                   background: $surface; padding: 0 1; }
    #filter-form .field-label { color: $text-muted; }
    #filter-form Select, #filter-form Input { width: 100%; }
    #filter-error { color: $error; height: auto; }
    """

    def __init__(self, query: LedgerQuery, choices: FilterChoices, today: Any) -> None:
        super().__init__(name="ledger_filter")
        self.query_value = query
        self.choices = choices
        self.today = today

    def compose(self) -> ComposeResult:
        q, ch = self.query_value, self.choices

        def select(name: str, label: str, options: list, value: Any) -> ComposeResult:
            yield Static(Text(label), classes="field-label")
            opts = [(Text(printable_line(o.label if name != "category" else f"{o.code} {o.label}")), o.code)
                    for o in options]
            yield Select(opts, value=value if value in {o.code for o in options} else Select.NULL,
                         prompt="（不限）", id=f"flt-{name}", compact=True)

        with VerticalScroll(id="filter-form"):
            yield Static(Text("筛选诉求", style="bold"))
            yield from select("status", "状态", ch.statuses, q.statuses[0] if q.statuses else None)
            yield from select("category", "分类", ch.categories, q.category)
            yield from select("grid", "网格", ch.grids, q.grid)
            yield from select("unit", "承办单位", ch.units, q.unit)
            yield from select("channel", "来源", ch.channels, q.channel)
            yield from select("supervision", "督办", ch.supervision, q.supervision)
            yield Checkbox("只看已超期", value=q.overdue, id="flt-overdue", compact=True)
            yield Checkbox("只看将到期", value=q.due_soon, id="flt-due-soon", compact=True)
            yield Static(Text("受理日期从（如 2026-10-01）"), classes="field-label")
            yield Input(value=str(q.received_from or ""), id="flt-from", compact=True)
            yield Static(Text("受理日期到"), classes="field-label")
            yield Input(value=str(q.received_to or ""), id="flt-to", compact=True)
            yield Static(Text(""), id="filter-error")
            yield Static(Text("Ctrl+S 应用，Ctrl+X 清除全部，Esc 取消"), classes="field-label")

    def on_mount(self) -> None:
        self.query_one("#flt-status").focus()

    def _select(self, name: str) -> str | None:
        value = self.query_one(f"#flt-{name}", Select).value
        return None if value is Select.NULL else str(value)

    def action_apply(self) -> None:
        from grassroots_tui.domain.dates import parse_date
        from grassroots_tui.domain.errors import DomainError

        try:
            raw_from = self.query_one("#flt-from", Input).value.strip()
            raw_to = self.query_one("#flt-to", Input).value.strip()
            start = parse_date(raw_from, self.today, "from", what="开始日期") if raw_from else None
            end = parse_date(raw_to, self.today, "to", what="结束日期") if raw_to else None
            if start and end and end < start:
                raise DomainError("结束日期不能早于开始日期。", "to")
        except DomainError as exc:
            self.query_one("#filter-error", Static).update(Text(printable(exc.message)))
            return
        status = self._select("status")
        self.dismiss(replace(
            self.query_value, statuses=(status,) if status else (), category=self._select("category"),
            grid=self._select("grid"), unit=self._select("unit"), channel=self._select("channel"),
            supervision=self._select("supervision"), overdue=self.query_one("#flt-overdue", Checkbox).value,
            due_soon=self.query_one("#flt-due-soon", Checkbox).value, received_from=start, received_to=end))

    def action_clear(self) -> None:
        from grassroots_tui.services.ledger import LedgerQuery

        self.dismiss(LedgerQuery(sort=self.query_value.sort, text=self.query_value.text,
                                 clerk_id=self.query_value.clerk_id))

    def action_cancel(self) -> None:
        self.dismiss(None)


class LedgerScreen(ActionLauncher, Screen):
    """The ledger (F3)."""

    BINDINGS = [
        Binding("escape", "back", "返回", id="ledger_back", tooltip="回到工作台"),
        Binding("ctrl+f", "search", "搜索", id="ledger_search",
                tooltip="在编号、摘要、详情、居民姓名和地址中查找（一个字也可以）"),
        Binding("ctrl+l", "filters", "筛选", id="ledger_filters", tooltip="按状态、分类、网格、承办单位等筛选"),
        Binding("ctrl+s", "sort", "排序", id="ledger_sort", tooltip="依次按受理时间、时限、状态排序"),
        Binding("ctrl+n", "next_overdue", "下一超期", show=False, id="ledger_next_overdue", tooltip="跳到下一件已超期的诉求"),
        Binding("ctrl+e", "menu", "操作", id="ledger_menu", tooltip="对光标所在诉求执行办理操作"),
        Binding("ctrl+d", "dispatch", "派单", id="ledger_dispatch",
                tooltip="按分类的默认承办单位派单；有标记时整批派单"),
        Binding("ctrl+g", "supervise", "督办", show=False, id="ledger_supervise", tooltip="设置督办级别；有标记时整批设置"),
        Binding("ctrl+o", "export", "导出", show=False, id="ledger_export",
                tooltip="把标记的诉求（无标记时为当前视图的全部诉求）导出为 Excel 或 CSV，默认脱敏"),
        Binding("ctrl+b", "board", "看板", id="ledger_board", tooltip="各状态的件数和最紧急的诉求"),
        Binding("0", "view('')", "全部", show=False, id="ledger_view_all", tooltip="全部诉求（取消视图）"),
    ] + [
        Binding(key, f"view('{view}')", VIEW_LABELS[view], show=False, id=f"ledger_view_{view}",
                tooltip=f"视图：{VIEW_LABELS[view]}")
        for key, view in VIEW_KEYS.items()
    ]

    # Focus the list from the first frame: focusing the search box and then the list would
    # rebuild the key bar twice (each rebuild restyles every key, tens of ms at 160 columns).
    AUTO_FOCUS = "#ledger-table"

    DEFAULT_CSS = """
    LedgerScreen #ledger-search { height: 1; border: none; padding: 0 1; background: $boost; }
    LedgerScreen #ledger-search:focus { background: $boost-lighten-1; }
    LedgerScreen #ledger-summary { height: 1; padding: 0 1; color: $text-muted; }
    LedgerScreen #ledger-views { height: 1; padding: 0 1; }
    LedgerScreen #ledger-message { height: auto; max-height: 3; padding: 0 1; display: none; }
    LedgerScreen #ledger-message.-shown { display: block; }
    LedgerScreen #ledger-message.-error { color: $error; text-style: bold; }
    LedgerScreen #ledger-table { height: 1fr; }
    """

    def __init__(self) -> None:
        super().__init__(name="concerns", classes="section-screen")
        from grassroots_tui.tui.screens.planned import SECTIONS

        self.section = SECTIONS["concerns"]
        self.query_state: LedgerQuery | None = None
        self.ledger: Ledger | None = None
        self.choices: FilterChoices | None = None
        self.total = 0
        self._search_timer: Timer | None = None
        self._ws_seen = None
        self._prefetching = False
        self._handoff: Ledger | None = None
        self._prefetch()

    def _prefetch(self) -> None:
        """Start counting and reading the first page before the screen is even laid out.

        A plain thread, not a worker: workers start only when the event loop is free, after
        the first layout; the table's own worker then finds the page waiting in the Ledger.
        """
        import threading

        try:
            app = self.app
            ws = getattr(app, "ws", None)
        except Exception:  # noqa: BLE001 - constructed outside a running app
            return
        if ws is None:
            return
        from grassroots_tui.services.ledger import Ledger, LedgerQuery

        self._ws_seen = ws
        self.query_state = LedgerQuery(clerk_id=self._clerk_id())
        self.ledger = ledger = Ledger(ws, self.query_state)
        self._prefetching = True

        def run() -> None:
            ok = True
            try:
                ledger.prefetch(PAGE_SIZE)
            except Exception:  # noqa: BLE001 - the table's own worker reads again and reports the error
                ok = False
            try:
                app.call_from_thread(self._prefetched, ledger, ok)
            except Exception:  # noqa: BLE001 - the app has closed
                pass

        threading.Thread(target=run, name="ledger-prefetch", daemon=True).start()

    def _prefetched(self, ledger: Ledger, ok: bool) -> None:
        self._prefetching = False
        self._handoff = ledger if ok else None
        if self.is_mounted and self.query("#ledger-table"):
            self._wait_for_workspace()

    def compose(self) -> ComposeResult:
        yield TopBar("诉求台账")
        yield Input(placeholder="搜索：编号、摘要、详情、居民、地址（Ctrl+F）", id="ledger-search")
        yield Static(views_line(None), id="ledger-views")
        yield Static(Text("正在读取", style="dim"), id="ledger-summary")
        yield Static(Text(""), id="ledger-message")
        yield PagedTable(columns=COLUMNS, fetch=self._fetch, count=self._count, row_key=lambda r: r.reference,
                         cells=row_cells, row_style=None, markable=True, page_size=PAGE_SIZE, autoload=False,
                         id="ledger-table")
        yield KeyBar()

    @property
    def table(self) -> PagedTable:
        return self.query_one("#ledger-table", PagedTable)

    def on_mount(self) -> None:
        self.watch(self.app, "clerk_name", lambda _name: self._clerk_changed(), init=False)
        self.set_interval(0.2, self._wait_for_workspace, name="ledger-ws-wait")
        self.set_interval(AUTO_REFRESH_SECONDS, self._auto_refresh, name="ledger-refresh")
        self._wait_for_workspace()

    def _auto_refresh(self) -> None:
        """Other clerks' changes and the passing time (overdue marks) show up without a key."""
        if self.app.screen is self and self.ledger is not None and self.table.is_idle:
            self.reload(keep_cursor=True)

    def _wait_for_workspace(self) -> None:
        ws = getattr(self.app, "ws", None)
        if ws is None or self._prefetching:
            return  # the prefetch thread hands the first page over when it is done
        handoff, self._handoff = self._handoff, None
        if handoff is not None and handoff is self.ledger and not self.table.loaded:
            self.table.show_loaded(handoff.count(), handoff.page(0, PAGE_SIZE))  # both cached: no query
            self._load_choices()
            return
        if ws is self._ws_seen and self.table.loaded:
            return
        if self.table._pending:
            return
        self._ws_seen = ws
        from grassroots_tui.services.ledger import LedgerQuery

        if self.query_state is None:
            self.query_state = LedgerQuery(clerk_id=self._clerk_id())
        if self.ledger is not None and self.ledger.ws is ws:
            self.table.reload(keep_cursor=False)  # the prefetched Ledger
        else:
            self.reload(keep_cursor=False)
        self._load_choices()

    def _clerk_id(self) -> int | None:
        clerk = getattr(self.app, "clerk", None)
        return clerk.id if clerk is not None else None

    def _clerk_changed(self) -> None:
        if self.query_state is not None:
            self.query_state = replace(self.query_state, clerk_id=self._clerk_id())
            if self.query_state.view == "today":
                self.reload(keep_cursor=False)

    def on_screen_resume(self) -> None:
        # Coming back from the detail or a form: read again (the first showing loads by itself).
        if self.ledger is not None and self.query("#ledger-table") and self.table.loaded:
            self.reload(keep_cursor=True)

    # ------------------------------------------------------------------ data (worker threads)

    def _count(self) -> int:
        ledger = self.ledger
        return ledger.count() if ledger is not None else 0

    def _fetch(self, offset: int, limit: int) -> list:
        ledger = self.ledger
        return ledger.page(offset, limit) if ledger is not None else []

    @work(thread=True, exclusive=True, group="ledger-choices", exit_on_error=False)
    def _load_choices(self) -> None:
        from grassroots_tui.services.ledger import filter_choices

        try:
            choices = filter_choices(self.app.ws)  # type: ignore[attr-defined]
        except Exception as exc:  # noqa: BLE001
            self.app.call_from_thread(self.say, explain(exc, "读取筛选选项"), True)
            return
        self.app.call_from_thread(self._choices_loaded, choices)

    def _choices_loaded(self, choices: FilterChoices) -> None:
        self.choices = choices
        self._show_summary()

    # ------------------------------------------------------------------ query

    def reload(self, keep_cursor: bool = True) -> None:
        """Apply `query_state`: a new Ledger, counted and paged by the table's workers."""
        ws = getattr(self.app, "ws", None)
        if ws is None or self.query_state is None:
            return
        from grassroots_tui.domain.errors import DomainError
        from grassroots_tui.services.ledger import Ledger

        try:
            self.ledger = Ledger(ws, self.query_state)
        except DomainError as exc:
            self.say(exc.message, True)
            return
        self.query_one("#ledger-summary", Static).update(Text("正在读取", style="dim"))
        self.table.reload(keep_cursor=keep_cursor)

    def set_query(self, query: LedgerQuery) -> None:
        self.query_state = query
        self.table.clear_marks()
        self.reload(keep_cursor=False)

    @on(PagedTable.Loaded)
    def _loaded(self, event: PagedTable.Loaded) -> None:
        self.total = event.row_count
        if event.error:
            self.say(event.error, True)
        self._show_summary()

    @on(PagedTable.MarksChanged)
    def _marks(self, event: PagedTable.MarksChanged) -> None:
        self._show_summary()

    def _show_summary(self) -> None:
        from grassroots_tui.services.ledger import describe

        if self.query_state is None:
            return
        self.query_one("#ledger-views", Static).update(views_line(self.query_state.view))
        line = Text(f"共 {self.total} 件 ｜ ", style="bold")
        line.append(Text(printable_line(describe(self.query_state, self.choices))))
        marks = len(self.table.marked_keys)
        if marks:
            line.append(f" ｜ 已标记 {marks} 件", style="bold")
        self.query_one("#ledger-summary", Static).update(line)

    def say(self, message: str, error: bool = False) -> None:
        msg = self.query_one("#ledger-message", Static)
        msg.update(Text(printable(message)))
        msg.set_class(bool(message), "-shown")
        msg.set_class(error, "-error")

    # ------------------------------------------------------------------ search

    @on(Input.Changed, "#ledger-search")
    def _search_changed(self, event: Input.Changed) -> None:
        if self._search_timer is not None:
            self._search_timer.stop()
        self._search_timer = self.set_timer(SEARCH_DEBOUNCE, self._apply_search)

    @on(Input.Submitted, "#ledger-search")
    def _search_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._apply_search()
        self.table.focus()

    def _apply_search(self) -> None:
        if self._search_timer is not None:
            self._search_timer.stop()
            self._search_timer = None
        if self.query_state is None:
            return
        value = self.query_one("#ledger-search", Input).value
        if value.strip() != self.query_state.text.strip():
            self.set_query(replace(self.query_state, text=value.strip()))

    # ------------------------------------------------------------------ keys

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("menu", "dispatch", "supervise", "export", "next_overdue", "filters", "sort", "view", "board"):
            return True if getattr(self.app, "ws", None) is not None and self.query_state is not None else None
        return True

    def action_back(self) -> None:
        self.app.action_dashboard()

    def action_search(self) -> None:
        self.query_one("#ledger-search", Input).focus()

    def action_view(self, view: str) -> None:
        if self.query_state is not None:
            self.set_query(replace(self.query_state, view=view or None, clerk_id=self._clerk_id()))

    def action_sort(self) -> None:
        if self.query_state is None:
            return
        i = SORT_CYCLE.index(self.query_state.sort) if self.query_state.sort in SORT_CYCLE else 0
        self.query_state = replace(self.query_state, sort=SORT_CYCLE[(i + 1) % len(SORT_CYCLE)])
        self.reload(keep_cursor=False)

    def action_filters(self) -> None:
        if self.query_state is None or self.choices is None:
            self.say("筛选选项尚在读取，请稍候。")
            return

        def chosen(query: LedgerQuery | None) -> None:
            if query is not None:
                self.set_query(query)

        self.app.push_screen(LedgerFilterForm(self.query_state, self.choices, self.app.ws.now().date()),  # type: ignore[attr-defined]
                             chosen)

    def action_next_overdue(self) -> None:
        if self.ledger is not None:
            self._find_overdue(self.ledger, self.table.cursor_row)

    @work(thread=True, exclusive=True, group="ledger-jump", exit_on_error=False)
    def _find_overdue(self, ledger: Ledger, after: int) -> None:
        index = ledger.next_overdue(after)
        self.app.call_from_thread(self._jump, ledger, index)

    def _jump(self, ledger: Ledger, index: int | None) -> None:
        if ledger is not self.ledger:
            return
        if index is None:
            self.say("当前列表中没有已超期的诉求。")
            return
        self.say("")
        self.table.move_cursor(index)

    def action_board(self) -> None:
        from grassroots_tui.tui.screens.board import BoardScreen

        self.app.push_screen(BoardScreen())

    # ------------------------------------------------------------------ acting

    def _current(self) -> LedgerRow | None:
        row = self.table.current_row
        if row is None:
            self.say("列表为空或尚未读取完毕。")
        return row

    def _marked_targets(self) -> list[tuple[str, int | None]]:
        # (reference, version shown when marked): a batch refuses rows changed since.
        return [(ref, row.version) for ref, row in sorted(self.table.marked_rows.items())]

    @on(PagedTable.RowSelected)
    def _open(self, event: PagedTable.RowSelected) -> None:
        from grassroots_tui.tui.screens.concern_detail import ConcernDetailScreen

        self.app.push_screen(ConcernDetailScreen(event.row.reference))

    def action_menu(self) -> None:
        row = self._current()
        if row is not None:
            self.launch_action(row.reference, row.version)

    def action_dispatch(self) -> None:
        if self.table.marked_keys:
            from grassroots_tui.domain.codes import Action
            from grassroots_tui.domain.pipeline import Request

            self._batch(self._marked_targets(), Request(Action.DISPATCH))
            return
        row = self._current()
        if row is not None:
            self.quick_dispatch(row.reference, row.version)

    def action_supervise(self) -> None:
        from grassroots_tui.domain.codes import Supervision

        targets = self._marked_targets()
        if not targets:
            row = self._current()
            if row is None:
                return
            targets = [(row.reference, row.version)]
        levels = [(s.value, s.label) for s in Supervision]

        def chosen(level: str | None) -> None:
            if level:
                from grassroots_tui.domain.codes import Action
                from grassroots_tui.domain.pipeline import Request

                self._batch(targets, Request(Action.SUPERVISE, supervision=Supervision(level)))

        self.app.push_screen(ChoiceMenu(f"督办级别（{len(targets)} 件）", levels), chosen)

    @work(thread=True, exclusive=True, group="ledger-batch", exit_on_error=False)
    def _batch(self, targets: list[tuple[str, int | None]], request: Any) -> None:
        from grassroots_tui.domain.errors import DomainError, StaleVersion
        from grassroots_tui.services.ledger import batch_act

        app = self.app
        try:
            result = batch_act(app.ws, app.clerk.id, targets, request)  # type: ignore[attr-defined]
        except StaleVersion as exc:
            app.call_from_thread(self.action_finished, ActionDone(None, exc.message, stale=True))
            return
        except DomainError as exc:
            app.call_from_thread(self.action_finished, ActionDone(None, exc.message))
            return
        except Exception as exc:  # noqa: BLE001
            app.call_from_thread(self.action_finished, ActionDone(None, explain(exc, "批量操作")))
            return
        app.call_from_thread(self._batch_done, f"已{result.action_label} {result.count} 件。")

    def _batch_done(self, message: str) -> None:
        self.table.clear_marks()
        self.say(message)
        self.reload(keep_cursor=True)

    def action_export(self) -> None:
        """The marked concerns or, when none is marked, the whole current view (filters, search,
        sort), through the one exporter: masked unless F8 (audited), XLSX or CSV."""
        from grassroots_tui.tui.screens.export_form import ExportForm, export_folder

        ws = getattr(self.app, "ws", None)
        if ws is None or self.query_state is None:
            return
        refs = sorted(self.table.marked_keys)
        stamp = f"{ws.now():%Y%m%d-%H%M}"
        folder = export_folder()
        heading = f"已标记的 {len(refs)} 件" if refs else f"当前视图 {self.total} 件"
        self.app.push_screen(ExportForm(
            query=None if refs else self.query_state, references=refs or None, heading=heading,
            formats=("xlsx", "csv"), default_path=lambda fmt: folder / f"诉求导出-{stamp}.{fmt}"))

    def action_finished(self, done: ActionDone) -> None:
        self.say(done.message, error=done.view is None)
        if done.stale or done.view is not None:
            self.reload(keep_cursor=True)
