"""工作台: this month's figures, concerns against their deadlines, today's meetings.

The figures are read in a worker thread; the screen shows at once with
"正在读取" and fills in when the query returns. It reloads on Ctrl+R, whenever
it becomes the active screen again, and once a minute.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Static

from grassroots_tui.tui.widgets.count_tile import CountTile
from grassroots_tui.tui.widgets.footer import KeyBar
from grassroots_tui.tui.widgets.lists import DeadlineTable, MeetingTable
from grassroots_tui.tui.widgets.text import printable
from grassroots_tui.tui.widgets.top_bar import TopBar

if TYPE_CHECKING:
    from grassroots_tui.services.dashboard import Dashboard

LOADING = "正在读取数据库，请稍候"
WEEKDAYS = "一二三四五六日"
AUTO_REFRESH_SECONDS = 60

# (widget id, label, Dashboard attribute, alert class while non-zero)
TILES = (
    ("intake", "本月受理", "intake_this_month", ""),
    ("closed", "本月办结", "closed_this_month", ""),
    ("open", "在办", "open_total", ""),
    ("overdue-count", "已超期", "overdue_count", "-alert"),
    ("due-soon-count", "即将到期", "due_soon_count", "-warn"),
    ("awaiting", "待回访", "awaiting_followup", ""),
    ("parked", "挂账", "parked", ""),
    ("problems", "问题工单", "problem_cases", "-alert"),
)


def day_label(today) -> str:  # noqa: ANN001
    return f"{today.year}年{today.month}月{today.day}日 星期{WEEKDAYS[today.weekday()]}"


def list_title(label: str, total: int, shown: int, unit: str) -> Text:
    if total == 0:
        return Text(f"{label}：无", style="bold")
    title = Text(f"{label} {total} {unit}", style="bold")
    if shown < total:
        title.append(f"（列出时限最早的 {shown} {unit}，全部见 F3 台账）", style="dim")
    return title


class DashboardScreen(Screen):
    """The screen the program opens on."""

    BINDINGS = [
        Binding("f9,ctrl+u", "app.switch_clerk", "切换人员", id="switch_clerk",
                tooltip="选择当前登记和办理的工作人员，下次打开时记住"),
        Binding("ctrl+r", "refresh_dashboard", "刷新", id="refresh_dashboard",
                tooltip="重新读取工作台的数字和清单"),
    ]

    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (140, "-wide")]

    def __init__(self) -> None:
        super().__init__(name="dashboard")
        self.dashboard: Dashboard | None = None
        self.loads = 0  # completed loads, for tests and the benchmark
        self._limit = 8

    def compose(self) -> ComposeResult:
        yield TopBar("工作台")
        yield Static(Text(LOADING), id="status")
        notice = Static("", id="calendar-notice")  # shown while a year's schedule is unknown
        notice.display = False
        yield notice
        with Horizontal(id="tiles"):
            for tile_id, label, _attr, alert in TILES:
                yield CountTile(label, alert=alert, id=tile_id)
        with Vertical(id="lists"):
            with Horizontal(id="deadlines"):
                with Vertical(id="overdue-box", classes="box"):
                    yield Static(Text("已超期", style="bold"), id="overdue-title", classes="box-title")
                    yield DeadlineTable(overdue=True, id="overdue")
                with Vertical(id="due-soon-box", classes="box"):
                    yield Static(Text("即将到期", style="bold"), id="due-soon-title", classes="box-title")
                    yield DeadlineTable(id="due-soon")
            with Vertical(id="meetings-box", classes="box"):
                yield Static(Text("今日会议", style="bold"), id="meetings-title", classes="box-title")
                yield MeetingTable(id="meetings")
        yield KeyBar()

    def on_mount(self) -> None:
        self.watch(self.app, "workspace_error", self._show_error, init=True)
        self.set_interval(AUTO_REFRESH_SECONDS, self.reload)

    def on_screen_resume(self) -> None:
        self.reload()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "refresh_dashboard":
            return True if getattr(self.app, "ws", None) is not None else None
        return True

    def action_refresh_dashboard(self) -> None:
        self.reload(announce=True)

    # ------------------------------------------------------------------ loading

    def reload(self, announce: bool = False) -> None:
        """Read the figures again in a worker; no-op until the database is open."""
        ws = getattr(self.app, "ws", None)
        if ws is None:
            return
        if announce:
            self.query_one("#status", Static).update(Text("正在刷新"))
            self.query_one("#status").display = True
        self._limit = self.list_limit()
        self._load(ws, self._limit)

    def on_resize(self) -> None:
        # A taller terminal has room for more rows: read them.
        if self.dashboard is not None and self.list_limit() > self._limit:
            self.reload()

    def list_limit(self) -> int:
        """Rows each deadline list can show without scrolling (at least 8): a tall terminal shows more."""
        height = self.size.height or self.app.size.height
        # top bar 1, tiles 3, meetings up to 4, footer 1; each list has a title and a header line
        room = height - 9
        per_list = room if self.has_class("-wide") else room // 2
        return max(8, per_list - 2)

    @work(thread=True, exclusive=True, group="dashboard")
    def _load(self, ws, list_limit: int) -> None:  # noqa: ANN001
        from grassroots_tui.domain.errors import DomainError
        from grassroots_tui.services.dashboard import load_dashboard

        try:
            data = load_dashboard(ws, list_limit=list_limit)
        except DomainError as exc:
            self.app.call_from_thread(self._load_failed, exc.message)
        except Exception as exc:  # noqa: BLE001 - shown to the clerk, logged for us
            self.log.error("dashboard query failed", exc)
            from grassroots_tui.services.errors import explain

            self.app.call_from_thread(self._load_failed, explain(exc, "读取工作台数据"))
        else:
            self.app.call_from_thread(self.show_dashboard, data)

    def _load_failed(self, message: str) -> None:
        status = self.query_one("#status", Static)
        status.update(Text(printable(message)))
        status.display = True
        status.add_class("-error")

    def show_dashboard(self, data: Dashboard) -> None:
        self.dashboard = data
        status = self.query_one("#status", Static)
        status.display = False
        status.remove_class("-error")
        for tile_id, _label, attr, _alert in TILES:
            self.query_one(f"#{tile_id}", CountTile).value = getattr(data, attr)
        # Call-backs past their limit and parked concerns due for review show in the lists below;
        # their tiles turn red so the clerk looks.
        awaiting = self.query_one("#awaiting", CountTile)
        awaiting.set_class(data.followup_overdue > 0, "-alert")
        awaiting.tooltip = f"待回访，其中 {data.followup_overdue} 件已超过回访时限"
        parked = self.query_one("#parked", CountTile)
        parked.set_class(data.review_due > 0, "-warn")
        parked.tooltip = f"挂账，其中 {data.review_due} 件今天到了复核日期"
        notice = self.query_one("#calendar-notice", Static)
        notice.update(Text(data.calendar_notice or "", style="bold"))
        notice.display = data.calendar_notice is not None
        self.query_one("#overdue-title", Static).update(
            list_title("已超期", data.overdue_count, len(data.overdue), "件"))
        self.query_one("#due-soon-title", Static).update(
            list_title("即将到期", data.due_soon_count, len(data.due_soon), "件"))
        self.query_one("#meetings-title", Static).update(
            list_title("今日会议", len(data.meetings_today), len(data.meetings_today), "场"))
        self.query_one("#overdue", DeadlineTable).show(data.overdue)
        self.query_one("#due-soon", DeadlineTable).show(data.due_soon)
        self.query_one("#meetings", MeetingTable).show(data.meetings_today)
        for box, rows in (("#overdue-box", data.overdue), ("#due-soon-box", data.due_soon),
                          ("#meetings-box", data.meetings_today)):
            self.query_one(box).set_class(not rows, "-empty")
        self.app.today_label = day_label(data.today)
        self.loads += 1

    def _show_error(self, message: str) -> None:
        """The database could not be opened: say why instead of the figures."""
        if not message:
            return
        self.add_class("-failed")
        status = self.query_one("#status", Static)
        status.update(Text.assemble(("无法打开数据库\n\n", "bold"), message,
                                    "\n\n请检查数据库路径，或按 Ctrl+Q 退出。"))
        status.add_class("-error")
        status.display = True

    @on(DataTable.RowSelected)
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        reference = event.row_key.value or ""
        if not reference or self.app.ws is None:
            return
        if isinstance(event.data_table, MeetingTable):
            from grassroots_tui.tui.screens.meeting_detail import MeetingScreen

            self.app.push_screen(MeetingScreen(reference))
        else:
            from grassroots_tui.tui.screens.concern_detail import ConcernDetailScreen

            self.app.push_screen(ConcernDetailScreen(reference))
