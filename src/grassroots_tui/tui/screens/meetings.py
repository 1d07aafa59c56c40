"""F4 议事协商: upcoming meetings, and a week or month agenda.

F7 switches the view (近期 -> 本周 -> 本月); in the week and month views Left/Right move to the
previous/next period and the grid above the list shows the days (today marked, days that are
not working days dimmed). The list pages from the database. Enter opens a meeting,
Ctrl+N schedules a new one, Ctrl+E writes the listed meetings to an .ics file.
"""

from __future__ import annotations

import calendar as pycal
from datetime import date, timedelta
from typing import Any

from rich.cells import cell_len
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Static

from grassroots_tui.domain.dates import WEEKDAY_NAMES
from grassroots_tui.tui.widgets.footer import KeyBar
from grassroots_tui.tui.widgets.paged_table import Column, PagedTable
from grassroots_tui.tui.widgets.text import printable_line
from grassroots_tui.tui.widgets.top_bar import TopBar

VIEWS = ("upcoming", "week", "month")
VIEW_LABELS = {"upcoming": "近期会议", "week": "周视图", "month": "月视图"}


def period(view: str, anchor: date) -> tuple[date, date]:
    if view == "week":
        start = anchor - timedelta(days=anchor.weekday())
        return start, start + timedelta(days=6)
    first = anchor.replace(day=1)
    return first, first.replace(day=pycal.monthrange(first.year, first.month)[1])


def period_title(view: str, anchor: date) -> str:
    if view == "upcoming":
        return "近期会议（今天起，按时间先后）"
    start, end = period(view, anchor)
    if view == "week":
        return f"{start.year}年 {start:%m-%d} 至 {end:%m-%d} 的会议（左右键切换周）"
    return f"{start.year}年{start.month}月的会议（左右键切换月）"


def _cell(text: str, width: int) -> str:
    """Pad/crop to `width` terminal cells (control characters shown as symbols)."""
    out = ""
    for ch in printable_line(text):
        if cell_len(out + ch) > width:
            break
        out += ch
    return out + " " * (width - cell_len(out))


def agenda_grid(view: str, anchor: date, today: date, meetings: list[Any], is_workday, width: int) -> Text:  # noqa: ANN001
    """Week: a column a day with the meetings' times. Month: a calendar with the count a day."""
    start, end = period(view, anchor)
    by_day: dict[date, list[Any]] = {}
    for m in meetings:
        by_day.setdefault(m.start_at.date(), []).append(m)
    col = max(8, min(20, (width - 1) // 7))
    text = Text(no_wrap=True, overflow="crop")
    if view == "week":
        days = [start + timedelta(days=i) for i in range(7)]
        for d in days:
            style = "reverse" if d == today else ("dim" if not is_workday(d) else "bold")
            text.append(_cell(f"{WEEKDAY_NAMES[d.weekday()]} {d:%m-%d}", col), style=style)
        rows = max([len(by_day.get(d, [])) for d in days] + [1])
        for i in range(min(rows, 3)):
            text.append("\n")
            for d in days:
                items = by_day.get(d, [])
                if i == 2 and len(items) > 3:
                    label = f"另{len(items) - 2}场"
                elif i < len(items):
                    label = f"{items[i].start_at:%H:%M} {items[i].topic}"
                else:
                    label = ""
                text.append(_cell(label, col))
        return text
    for name in WEEKDAY_NAMES:
        text.append(_cell(f"周{name}", col), style="bold")
    first = start - timedelta(days=start.weekday())
    day = first
    while day <= end:
        text.append("\n")
        for _ in range(7):
            if day.month != start.month:
                text.append(_cell("", col))
            else:
                count = len(by_day.get(day, []))
                label = f"{day.day:>2}" + (f" {count}场" if count else "")
                style = "reverse" if day == today else ("dim" if not is_workday(day) else "")
                if count and day != today:
                    style = "bold yellow"
                text.append(_cell(label, col), style=style)
            day += timedelta(days=1)
    return text


class MeetingsScreen(Screen):
    """议事协商 section (F4)."""

    DEFAULT_CSS = """
    MeetingsScreen #meetings-title { height: 1; padding: 0 1; background: $boost; text-style: bold; }
    MeetingsScreen #meetings-grid { height: auto; padding: 0 1; margin-bottom: 1; }
    MeetingsScreen PagedTable { height: 1fr; }
    """

    BINDINGS = [
        Binding("escape", "back", "返回", id="meetings_back", tooltip="回到工作台"),
        Binding("ctrl+n", "new_meeting", "新会议", id="meetings_new",
                tooltip="安排会议：类型、议题、时间（可写 明天 14:30）、地点、主持人"),
        Binding("f7", "next_view", "视图", id="meetings_view", tooltip="切换 近期 / 周视图 / 月视图"),
        Binding("left", "shift(-1)", "上一周期", show=False, id="meetings_prev", tooltip="周视图、月视图：上一周或上一月"),
        Binding("right", "shift(1)", "下一周期", show=False, id="meetings_next", tooltip="周视图、月视图：下一周或下一月"),
        Binding("ctrl+e", "export_ics", "日历", id="meetings_ics", tooltip="把列出的会议导出为 .ics 日历文件"),
    ]

    view: reactive[str] = reactive("upcoming", init=False)

    def __init__(self) -> None:
        super().__init__(name="meetings", classes="section-screen")
        self.anchor: date | None = None
        self.loads = 0
        self._ws: Any = None  # read by the table's fetch callbacks in worker threads

    def compose(self) -> ComposeResult:
        yield TopBar("议事协商")
        yield Static(Text(VIEW_LABELS["upcoming"]), id="meetings-title")
        yield Static(Text(""), id="meetings-grid")
        yield PagedTable(
            [Column("when", "时间", 17), Column("type", "类型", 12, min_total=70), Column("topic", "议题", 0),
             Column("place", "地点", 18, min_total=90), Column("count", "应到/实到", 9, min_total=110),
             Column("status", "状态", 6), Column("reference", "编号", 12, min_total=120)],
            fetch=self._fetch, count=self._count, row_key=lambda m: m.reference, cells=self._cells,
            empty_text="没有会议。按 Ctrl+N 安排会议。", page_size=50, id="meeting-list")
        yield KeyBar()

    def on_mount(self) -> None:
        self._ws = getattr(self.app, "ws", None)
        self.query_one(PagedTable).focus()
        self._retitle()
        if self._ws is not None and getattr(self.app, "clerk", None) is not None:
            self._close_loops(self._ws, self.app.clerk.id)
        if self._ws is None and hasattr(self.app, "clerk_name"):
            # Opened before the database finished opening: load once it has.
            self.watch(self.app, "clerk_name", self._workspace_ready, init=False)

    def _workspace_ready(self, _name: str) -> None:
        if self._ws is None and getattr(self.app, "ws", None) is not None:
            self._retitle()
            self.refresh_list()

    def on_screen_resume(self) -> None:
        self.refresh_list()

    # ------------------------------------------------------------------ data (worker threads)

    def _today(self) -> date:
        ws = getattr(self.app, "ws", None)
        return ws.now().date() if ws is not None else date.today()

    def _fetch(self, offset: int, limit: int) -> list[Any]:
        from grassroots_tui.services.meetings import list_meetings, upcoming_meetings

        ws = self._ws
        if ws is None:
            return []
        if self.view == "upcoming":
            return upcoming_meetings(ws, limit=limit, offset=offset)
        start, end = period(self.view, self.anchor or self._today())
        return list_meetings(ws, start, end, limit=limit, offset=offset)

    def _count(self) -> int:
        from grassroots_tui.services.meetings import count_meetings

        ws = self._ws
        if ws is None:
            return 0
        if self.view == "upcoming":
            return count_meetings(ws, upcoming=True)
        start, end = period(self.view, self.anchor or self._today())
        return count_meetings(ws, start, end)

    @staticmethod
    def _cells(m: Any) -> dict[str, Any]:
        return {
            "when": f"{m.start_at:%m-%d} {WEEKDAY_NAMES[m.start_at.weekday()]} {m.start_at:%H:%M}",
            "type": m.type_label, "topic": m.topic, "place": m.place, "count": f"{m.entitled}/{m.present}",
            "status": Text(m.status_label, style="dim" if m.status == "cancelled" else ""),
            "reference": m.reference,
        }

    # ------------------------------------------------------------------ views

    def refresh_list(self) -> None:
        self._ws = getattr(self.app, "ws", None)
        self.query_one(PagedTable).reload(keep_cursor=True)
        self._load_grid()
        if self._ws is not None and getattr(self.app, "clerk", None) is not None:
            self._close_loops(self._ws, self.app.clerk.id)

    @work(thread=True, exclusive=True, group="meetings-loop", exit_on_error=False)
    def _close_loops(self, ws: Any, actor_id: int) -> None:
        """Action items closed in the ledger (F3) also send their concerns to 待回访."""
        from grassroots_tui.services.meetings import close_the_loop

        moved = close_the_loop(ws, actor_id)
        if moved:
            self.app.call_from_thread(self.notify, f"议定事项已全部办结，{'、'.join(moved)} 转入待回访。",
                                      markup=False)

    def watch_view(self) -> None:
        self._retitle()
        self.query_one(PagedTable).reload(keep_cursor=False)
        self._load_grid()
        self.refresh_bindings()

    def _retitle(self) -> None:
        anchor = self.anchor or self._today()
        self.query_one("#meetings-title", Static).update(Text(period_title(self.view, anchor)))
        self.query_one("#meetings-grid", Static).display = self.view != "upcoming"

    def action_next_view(self) -> None:
        self.anchor = self.anchor or self._today()
        self.view = VIEWS[(VIEWS.index(self.view) + 1) % len(VIEWS)]

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "shift":
            return True if self.view != "upcoming" else None
        return True

    def action_shift(self, step: int) -> None:
        if self.view == "upcoming":
            return
        anchor = self.anchor or self._today()
        if self.view == "week":
            self.anchor = anchor + timedelta(weeks=step)
        else:
            month = anchor.month - 1 + step
            self.anchor = date(anchor.year + month // 12, month % 12 + 1, 1)
        self._retitle()
        self.query_one(PagedTable).reload(keep_cursor=False)
        self._load_grid()

    def _load_grid(self) -> None:
        ws = getattr(self.app, "ws", None)
        if ws is None or self.view == "upcoming":
            return
        self._grid(ws, self.view, self.anchor or self._today())

    @work(thread=True, exclusive=True, group="meetings-grid", exit_on_error=False)
    def _grid(self, ws: Any, view: str, anchor: date) -> None:
        from grassroots_tui.services.meetings import list_meetings

        start, end = period(view, anchor)
        rows = list_meetings(ws, start, end, limit=500, include_cancelled=False)
        self.app.call_from_thread(self._show_grid, view, anchor, rows, ws.settings.calendar.is_workday)

    def _show_grid(self, view: str, anchor: date, rows: list[Any], is_workday) -> None:  # noqa: ANN001
        if view != self.view:
            return
        grid = self.query_one("#meetings-grid", Static)
        grid.update(agenda_grid(view, anchor, self._today(), rows, is_workday, self.size.width - 2))
        self.loads += 1

    # ------------------------------------------------------------------ actions

    @on(PagedTable.RowSelected)
    def _open(self, event: PagedTable.RowSelected) -> None:
        event.stop()
        if event.row is not None:
            self.open_meeting(event.row.reference)

    def open_meeting(self, reference: str) -> None:
        from grassroots_tui.tui.screens.meeting_detail import MeetingScreen

        self.app.push_screen(MeetingScreen(reference))

    def action_new_meeting(self) -> None:
        from grassroots_tui.tui.screens.meeting_forms import NewMeetingForm

        self.app.push_screen(NewMeetingForm(), self._scheduled)

    def _scheduled(self, result: Any) -> None:
        if result is None:
            return
        m = result.meeting
        self.notify(f"已安排 {m.reference}：{m.topic}", markup=False)
        for w in result.warnings:
            self.notify(w, title="提醒", severity="warning", markup=False, timeout=10)
        self.refresh_list()
        self.open_meeting(m.reference)

    def action_export_ics(self) -> None:
        ws = getattr(self.app, "ws", None)
        if ws is None:
            return
        from grassroots_tui.tui.screens.confirm import ask_before_writing, papers_folder

        view, anchor = self.view, self.anchor or self._today()
        if view == "upcoming":
            name = "近期会议.ics"
        else:
            start, end = period(view, anchor)
            name = f"会议-{start:%Y%m%d}-{end:%Y%m%d}.ics"
        folder = papers_folder(self)
        if folder is None:
            return
        # An existing calendar file is replaced only when the clerk says so (ReplaceFileDialog: 1).
        ask_before_writing(self, folder / name, protected=ws.protected_paths,
                           write=lambda path, force: self._export(ws, view, anchor, path, force))

    @work(thread=True, group="meetings-ics", exit_on_error=False)
    def _export(self, ws: Any, view: str, anchor: date, path: Any, force: bool = False) -> None:
        from grassroots_tui.domain.errors import DomainError
        from grassroots_tui.io.ics import write_calendar
        from grassroots_tui.io.safe_file import check_target
        from grassroots_tui.services.meetings import (
            calendar_options,
            get_meeting,
            list_meetings,
            upcoming_meetings,
        )

        try:
            check_target(path, force=force, protected=ws.protected_paths)  # again: the folder may have changed
            if view == "upcoming":
                rows = upcoming_meetings(ws, limit=500, include_cancelled=True)  # calendars learn of cancellations
            else:
                start, end = period(view, anchor)
                rows = list_meetings(ws, start, end, limit=500, include_cancelled=True)
            path = write_calendar(path, [get_meeting(ws, m.reference) for m in rows], **calendar_options(ws))
        except DomainError as exc:
            self.app.call_from_thread(self.notify, f"导出失败：{exc.message}", severity="error", markup=False)
            return
        self.app.call_from_thread(self.notify, f"已导出 {len(rows)} 场会议：{path}", markup=False)

    def action_back(self) -> None:
        self.app.action_dashboard()
