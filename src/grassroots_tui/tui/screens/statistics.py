"""统计分析 (F6): the figures of a period with their numerators and denominators, breakdowns,
a month-over-month chart, the concerns behind any figure, and the ledger export.

Keys (all work with a Chinese IME on): Left/Right previous/next month (or range), Ctrl+D
any range, digits 1-6 the lower pane (1 分类, 2 网格, 3 承办单位, 4 来源, 5 月份, 6 趋势图),
Tab between the tables, Enter lists the concerns behind a figure or a group, Ctrl+O export.
Every query runs in a worker thread; the screen never waits on the database.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import ContentSwitcher, DataTable, Input, Static

from grassroots_tui.services.errors import explain
from grassroots_tui.tui.screens.export_form import (
    ExportForm,
    default_export_path,
    period_text,
)
from grassroots_tui.tui.widgets.footer import KeyBar
from grassroots_tui.tui.widgets.text import printable, printable_line, safe
from grassroots_tui.tui.widgets.top_bar import TopBar

if TYPE_CHECKING:
    from grassroots_tui.domain.metrics import Figures, Period
    from grassroots_tui.services.metrics import Group

LOADING = "正在统计，请稍候"
# digit -> (view id, label)
VIEWS: dict[str, tuple[str, str]] = {
    "1": ("category", "分类"),
    "2": ("grid", "网格"),
    "3": ("unit", "承办单位"),
    "4": ("channel", "来源"),
    "5": ("month", "月份"),
    "6": ("trend", "趋势图"),
}
SHORT = {"unit": "单位", "trend": "趋势"}  # in the pane's title line, which must fit 80 cells
TREND_MONTHS = 12
MEANING_WIDTH = 30  # 10 + 7 + 13 + 6 + 30 cells and the cell padding fit 80
# (metric code, rich colour, plotext colour) of the chart's lines
TREND_SERIES = (("response_rate", "cyan", "cyan"), ("resolution_rate", "green", "green"),
                ("satisfaction_rate", "magenta", "magenta"))
BREAKDOWN_METRICS = ("response_rate", "resolution_rate", "satisfaction_rate", "on_time_rate", "composite")
BREAKDOWN_HEADERS = {"on_time_rate": "按期办结"}  # 8 cells: seven columns fit 80


def _percent(fig) -> Text:  # noqa: ANN001
    return Text(fig.percent, style="dim" if fig.value is None else "bold", justify="right")


class StatisticsScreen(Screen):
    """The figures a committee reports upward, for any period."""

    BINDINGS = [
        Binding("escape", "back", "返回", id="statistics_back", tooltip="回到工作台"),
        Binding("left", "shift_period(-1)", "上月", id="statistics_previous", show=False, priority=True,
                tooltip="上一个统计区间（按月统计时为上个月）"),
        Binding("right", "shift_period(1)", "下月", id="statistics_next", show=False, priority=True,
                tooltip="下一个统计区间（按月统计时为下个月）"),
        Binding("ctrl+d", "choose_range", "区间", id="statistics_range", tooltip="输入起止日期，统计任意区间"),
        Binding("ctrl+o", "export", "导出", id="statistics_export",
                tooltip="把本区间的诉求台账导出为 Excel、CSV、JSON 或 Open311（默认脱敏）"),
    ] + [
        Binding(digit, f"show_view('{view}')", label, show=False, id=f"statistics_view_{view}",
                tooltip=f"下方显示：按{label}" if view != "trend" else "下方显示：近 12 个月趋势图")
        for digit, (view, label) in VIEWS.items()
    ]

    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (140, "-wide")]

    DEFAULT_CSS = """
    StatisticsScreen #stats-period { height: 1; padding: 0 1; background: $boost; }
    StatisticsScreen #stats-status { height: auto; padding: 0 1; color: $text-muted; }
    StatisticsScreen #stats-status.-error { color: $error; }
    StatisticsScreen #stats-body { height: 1fr; layout: vertical; }
    StatisticsScreen.-wide #stats-body { layout: horizontal; }
    StatisticsScreen #stats-metrics { height: 11; }
    StatisticsScreen.-wide #stats-metrics { height: 1fr; width: 1fr; }
    StatisticsScreen #stats-lower { height: 1fr; }
    StatisticsScreen.-wide #stats-lower { width: 1fr; }
    StatisticsScreen #stats-lower-title { height: 1; padding: 0 1; background: $boost; }
    StatisticsScreen #stats-switcher { height: 1fr; }
    StatisticsScreen #stats-breakdown { height: 1fr; }
    StatisticsScreen #stats-trend { height: 1fr; }
    StatisticsScreen #stats-chart { height: 1fr; min-height: 5; }
    """

    def __init__(self) -> None:
        super().__init__(name="statistics", classes="section-screen")
        self.period: Period | None = None
        self.view = "trend"
        self.figures: Figures | None = None
        self.groups: list[Group] = []
        self.trend: list[Group] = []
        self.options = None  # metrics.toml, read by the worker
        self._generation = 0
        self.loads = 0  # completed loads (figures + lower pane), for tests

    def compose(self) -> ComposeResult:
        yield TopBar("统计分析")
        yield Static(Text(""), id="stats-period")
        yield Static(Text(LOADING), id="stats-status")
        with Horizontal(id="stats-body"):
            metrics = DataTable(id="stats-metrics", cursor_type="row", zebra_stripes=True)
            metrics.add_column(Text("指标"), key="label", width=10)
            metrics.add_column(Text("比率", justify="right"), key="value", width=7)
            metrics.add_column(Text("分子/分母", justify="right"), key="fraction", width=13)
            metrics.add_column(Text("未到期", justify="right"), key="pending", width=6)
            # Fixed: the row must fit 80 cells with the 未到期 column; the full wording is in Enter's title.
            metrics.add_column(Text("分子 / 分母的含义"), key="meaning", width=MEANING_WIDTH)
            yield metrics
            with Vertical(id="stats-lower"):
                yield Static(Text(""), id="stats-lower-title")
                with ContentSwitcher(initial="stats-trend", id="stats-switcher"):
                    yield DataTable(id="stats-breakdown", cursor_type="row", zebra_stripes=True)
                    with Vertical(id="stats-trend"):
                        yield self._chart_widget()
        yield KeyBar()

    @staticmethod
    def _chart_widget():  # noqa: ANN205
        from textual_plotext import PlotextPlot

        return PlotextPlot(id="stats-chart")

    @staticmethod
    def _legend() -> Text:
        from grassroots_tui.domain.metrics import METRIC_BY_CODE

        legend = Text("近12月% ", style="bold")
        for code, colour, _ in TREND_SERIES:
            legend.append("--", style=f"bold {colour}")
            legend.append(METRIC_BY_CODE[code].label + " ")
        return legend

    def on_mount(self) -> None:
        self.query_one("#stats-metrics", DataTable).focus()
        self._update_lower_title()
        self.set_interval(0.2, self._wait_for_workspace, name="statistics-ws-wait")

    def _wait_for_workspace(self) -> None:
        ws = getattr(self.app, "ws", None)
        if ws is None or self.period is not None:
            return
        from grassroots_tui.domain.metrics import Period

        today = ws.now().date()
        self.period = Period.month(today.year, today.month)
        self.reload()

    def on_screen_resume(self) -> None:
        if self.period is not None:
            self.reload()

    # ------------------------------------------------------------------ actions

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("shift_period", "choose_range", "export"):
            return True if self.period is not None else None
        return True

    def action_back(self) -> None:
        self.app.action_dashboard()

    def action_shift_period(self, steps: int) -> None:
        if self.period is None:
            return
        try:
            self.period = self.period.shift(steps)
        except ValueError:
            return
        self.reload()

    def action_choose_range(self) -> None:
        if self.period is None:
            return

        def chosen(period) -> None:  # noqa: ANN001
            if period is not None:
                self.period = period
                self.reload()

        self.app.push_screen(RangeForm(self.period), chosen)

    def action_show_view(self, view: str) -> None:
        self.view = view
        self._update_lower_title()
        switcher = self.query_one("#stats-switcher", ContentSwitcher)
        switcher.current = "stats-trend" if view == "trend" else "stats-breakdown"
        if self.period is not None:
            self.reload(lower_only=True)

    def action_export(self) -> None:
        if self.period is not None:
            self.app.push_screen(ExportForm(self.period))

    def _update_lower_title(self) -> None:
        label = dict(VIEWS.values())[self.view]
        keys = " ".join(f"{d}{SHORT.get(v, lbl)}" for d, (v, lbl) in VIEWS.items())
        title = Text(f"按{label}  ", style="bold") if self.view != "trend" else self._legend()
        title.append(f" {keys}", style="dim")
        self.query_one("#stats-lower-title", Static).update(title)

    # ------------------------------------------------------------------ loading

    def reload(self, lower_only: bool = False) -> None:
        ws = getattr(self.app, "ws", None)
        if ws is None or self.period is None:
            return
        self._generation += 1
        self._show_period()
        status = self.query_one("#stats-status", Static)
        status.update(Text(LOADING))
        status.remove_class("-error")
        status.display = True
        self._load(ws, self.period, self.view, lower_only, self._generation)

    @work(thread=True, exclusive=True, group="statistics")
    def _load(self, ws, period: Period, view: str, lower_only: bool, generation: int) -> None:  # noqa: ANN001
        from grassroots_tui.domain.errors import DomainError
        from grassroots_tui.services import metrics

        try:
            options = metrics.load_options()
            self.options = options
            if not lower_only:
                figs = metrics.period_figures(ws, period, options)
                self.app.call_from_thread(self._show_figures, generation, figs)
            if view == "trend":
                rows = metrics.trend(ws, period, TREND_MONTHS, options)
            else:
                rows = metrics.breakdown(ws, period, view, options)
            self.app.call_from_thread(self._show_lower, generation, view, rows)
        except DomainError as exc:
            self.app.call_from_thread(self._failed, generation, exc.message)
        except Exception as exc:  # noqa: BLE001 - shown to the clerk, logged for us
            self.log.error("statistics query failed", exc)
            self.app.call_from_thread(self._failed, generation, explain(exc, "统计"))

    def _failed(self, generation: int, message: str) -> None:
        if generation != self._generation:
            return
        status = self.query_one("#stats-status", Static)
        status.update(Text(printable(message)))
        status.add_class("-error")
        status.display = True

    def _show_period(self) -> None:
        p = self.period
        assert p is not None
        self.query_one("#stats-period", Static).update(self._period_line(p, None))

    @staticmethod
    def _period_line(p: Period, counted: int | None) -> Text:
        line = Text.assemble(("统计区间：", "bold"), period_text(p))
        line.append(f"   纳入统计 {counted} 件" if counted is not None else "   正在统计")
        line.append("   左右键换区间 ^D 自定义 Enter 明细", style="dim")
        return line

    def _show_figures(self, generation: int, figs: Figures) -> None:
        if generation != self._generation:
            return
        from grassroots_tui.domain.metrics import METRIC_BY_CODE

        self.figures = figs
        # Compact (the column must fit 80 cells): 权重 响应0.30 解决0.35 满意0.35
        basis = "权重 " + " ".join(f"{METRIC_BY_CODE[c].label[:2]}{w:.2f}"
                                 for c, w in (self.options.composite_weights.items() if self.options else ()))
        p = self.period
        assert p is not None
        self.query_one("#stats-period", Static).update(self._period_line(p, figs.counts.counted))
        table = self.query_one("#stats-metrics", DataTable)
        cursor = table.cursor_row
        table.clear()
        for fig in figs:
            m = METRIC_BY_CODE[fig.code]
            meaning = f"{m.numerator} / {m.denominator}" if fig.code != "composite" else basis
            pending = Text("" if fig.pending is None else str(fig.pending), justify="right",
                           style="" if fig.pending else "dim")
            table.add_row(Text(printable_line(fig.label)), _percent(fig), Text(fig.fraction, justify="right"), pending,
                          Text(meaning, no_wrap=True, overflow="crop"), key=fig.code)
        if 0 <= cursor < table.row_count:
            table.move_cursor(row=cursor)

    def _show_lower(self, generation: int, view: str, rows: list[Group]) -> None:
        if generation != self._generation:
            return
        self.query_one("#stats-status", Static).display = False
        if view == "trend":
            self.trend = rows
            self._draw_trend(rows)
        else:
            self.groups = rows
            self._fill_breakdown(view, rows)
        self.loads += 1

    def _fill_breakdown(self, view: str, rows: list[Group]) -> None:
        from grassroots_tui.domain.metrics import METRIC_BY_CODE

        table = self.query_one("#stats-breakdown", DataTable)
        table.clear(columns=True)
        table.add_column(Text(dict(VIEWS.values())[view]), key="group", width=14)
        table.add_column(Text("件数", justify="right"), key="n", width=6)
        for code in BREAKDOWN_METRICS:
            header = BREAKDOWN_HEADERS.get(code, METRIC_BY_CODE[code].label)
            table.add_column(Text(header, justify="right"), key=code, width=8)
        for i, g in enumerate(rows):
            table.add_row(Text(printable_line(g.label)), Text(str(g.figures.counts.counted), justify="right"),
                          *[_percent(g.figures[code]) for code in BREAKDOWN_METRICS], key=str(i))
        if not rows:
            table.add_row(Text("本区间没有诉求", style="dim"), key="empty")

    def _draw_trend(self, rows: list[Group]) -> None:
        chart = self.query_one("#stats-chart")
        plt = chart.plt
        plt.clear_data()
        plt.clear_figure()
        xs = list(range(1, len(rows) + 1))
        for code, _colour, pcolour in TREND_SERIES:
            points = [(x, g.figures[code].value * 100) for x, g in zip(xs, rows, strict=True)
                      if g.figures[code].value is not None]
            if points:
                plt.plot([p[0] for p in points], [p[1] for p in points], color=pcolour, marker="braille")
        plt.xticks(xs, [g.label[2:] for g in rows])  # 26-10: ASCII, the plot counts characters not cells
        values = [g.figures[code].value for g in rows for code, _c, _p in TREND_SERIES
                  if g.figures[code].value is not None]
        low = min(values) * 100 if values else 0.0
        plt.ylim(max(0.0, (low // 10) * 10 - 5), 100)  # zoomed on the data: rates sit close to 100 %
        chart.refresh()

    # ------------------------------------------------------------------ Enter: the concerns behind

    @on(DataTable.RowSelected, "#stats-metrics")
    def _metric_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if self.period is None or event.row_key.value is None:
            return
        self.app.push_screen(BehindScreen(self.period, str(event.row_key.value)))

    @on(DataTable.RowSelected, "#stats-breakdown")
    def _group_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        key = event.row_key.value
        if self.period is None or key is None or not key.isdigit() or int(key) >= len(self.groups):
            return
        g = self.groups[int(key)]
        if g.dimension == "month":
            from grassroots_tui.domain.metrics import Period

            year, month = map(int, g.key.split("-"))  # type: ignore[union-attr]
            self.app.push_screen(BehindScreen(Period.month(year, month), "composite", "denominator"))
        else:
            self.app.push_screen(BehindScreen(self.period, "composite", "denominator",
                                              group=(g.dimension, g.key), group_label=g.label))


# ---------------------------------------------------------------------- the concerns behind a figure

class BehindScreen(Screen):
    """The concerns counted in one figure (numerator or denominator), paged from the database."""

    BINDINGS = [
        Binding("escape", "back", "返回", id="behind_back", tooltip="回到统计"),
        Binding("ctrl+t", "toggle_part", "分子/分母", id="behind_toggle",
                tooltip="在分子（计入的诉求）、分母（统计范围内的诉求）和未到期（不计入的诉求）之间切换"),
    ]

    DEFAULT_CSS = """
    BehindScreen #behind-title { height: auto; padding: 0 1; background: $boost; }
    BehindScreen #behind-table { height: 1fr; }
    """

    def __init__(self, period: Period, metric: str, part: str = "numerator", *,
                 group: tuple[str, str | None] | None = None, group_label: str = "") -> None:
        super().__init__(name="statistics_behind", classes="section-screen")
        self.period = period
        self.metric = metric
        self.part = part
        self.group = group
        self.group_label = group_label
        self.total = None  # the BehindTotal of the last count (rows and the points they add)

    def compose(self) -> ComposeResult:
        from grassroots_tui.tui.widgets.paged_table import Column, PagedTable

        yield TopBar("统计明细")
        yield Static(self._title(None), id="behind-title")
        columns = [Column("reference", "编号", 15), Column("received", "受理时间", 16),
                   Column("status", "状态", 8), Column("category", "分类", 12, min_total=100),
                   Column("unit", "承办单位", 14, min_total=120), Column("summary", "摘要", 0)]
        yield PagedTable(columns=columns, fetch=self._fetch, count=self._count, row_key=lambda r: r.reference,
                         cells=self._cells, id="behind-table")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#behind-table").focus()

    def _title(self, total) -> Text:  # noqa: ANN001 - a BehindTotal or None while loading
        from grassroots_tui.domain.metrics import METRIC_BY_CODE, PENDING, PENDING_MEANING

        m = METRIC_BY_CODE[self.metric]
        part = {"numerator": "分子", "denominator": "分母", "pending": PENDING}[self.part]
        what = {"numerator": m.numerator, "denominator": m.denominator,
                "pending": PENDING_MEANING.get(self.metric, "")}[self.part]
        if self.metric == "composite":
            what = "纳入统计的诉求"
        title = Text.assemble((m.label if self.metric != "composite" else "诉求", "bold"), "  ",
                              period_text(self.period))
        if self.group_label:
            title.append(f"  {self.group_label}")
        title.append(f"  {part}：{what}")
        if total is not None:
            title.append(f"（{total.rows} 件")
            if self.part == "numerator" and total.points != total.rows:
                title.append(f"，计 {total.points}")  # 部分解决 counts half: the figure's numerator
            title.append("）")
        return safe(title, one_line=True)

    def _fetch(self, offset: int, limit: int) -> list:
        from grassroots_tui.services.metrics import concerns_behind

        return concerns_behind(self.app.ws, self.period, self.metric, self.part, group=self.group,  # type: ignore[attr-defined]
                               limit=limit, offset=offset)

    def _count(self) -> int:
        from grassroots_tui.services.metrics import total_behind

        total = total_behind(self.app.ws, self.period, self.metric, self.part, group=self.group)  # type: ignore[attr-defined]
        self.total = total
        return total.rows

    @staticmethod
    def _cells(row) -> dict[str, Any]:  # noqa: ANN001
        return {"reference": row.reference, "received": f"{row.received_at:%Y-%m-%d %H:%M}",
                "status": row.status_label, "category": row.category_name, "unit": row.unit_name,
                "summary": row.summary}

    def on_paged_table_loaded(self, event) -> None:  # noqa: ANN001
        self.query_one("#behind-title", Static).update(self._title(self.total))

    def on_paged_table_row_selected(self, event) -> None:  # noqa: ANN001
        try:
            from grassroots_tui.tui.screens.concern_detail import ConcernDetailScreen
        except ImportError:
            self.notify(f"{event.row.reference}：可在 F3 台账查看详情。", markup=False)
            return
        self.app.push_screen(ConcernDetailScreen(event.row.reference))

    def action_toggle_part(self) -> None:
        """分子 -> 分母 (-> 未到期 for a rate with that rule) -> 分子."""
        from grassroots_tui.domain.metrics import PARTS

        if self.metric == "composite":
            return
        cycle = ["numerator", "denominator"] + (["pending"] if PARTS[self.metric].pending else [])
        self.part = cycle[(cycle.index(self.part) + 1) % len(cycle)] if self.part in cycle else "numerator"
        self.total = None
        self.query_one("#behind-title", Static).update(self._title(None))
        self.query_one("#behind-table").reload(keep_cursor=False)

    def action_back(self) -> None:
        self.app.pop_screen()


# ---------------------------------------------------------------------- any range

class RangeForm(ModalScreen["Period | None"]):
    """Two dates; errors beside the field; full-width digits fine."""

    BINDINGS = [
        Binding("ctrl+s", "apply", "确定", id="range_apply", tooltip="统计这个区间"),
        Binding("escape", "cancel", "取消", id="range_cancel", tooltip="不改变区间，关闭"),
    ]
    DEFAULT_CSS = """
    RangeForm { align: center middle; }
    #range-form { width: 52; height: auto; border: round $accent; background: $surface; padding: 0 1; }
    #range-form Input { width: 100%; }
    #range-form .field-error { color: $error; height: auto; }
    #range-form .field-label { height: 1; }
    """

    def __init__(self, period: Period) -> None:
        super().__init__(name="statistics_range")
        self.period = period

    def compose(self) -> ComposeResult:
        with Vertical(id="range-form"):
            yield Static(Text("统计区间", style="bold"))
            yield Static(Text("开始日期（如 2026-10-01，或只写 10-01）"), classes="field-label")
            yield Input(self.period.start.isoformat(), id="range-from")
            yield Static(Text(""), id="range-from-error", classes="field-error")
            yield Static(Text("结束日期（含当天）"), classes="field-label")
            yield Input(self.period.end.isoformat(), id="range-to")
            yield Static(Text(""), id="range-to-error", classes="field-error")
            yield Static(Text("Enter 或 Ctrl+S 确定，Esc 取消", style="dim"), classes="field-label")

    def on_mount(self) -> None:
        self.query_one("#range-from", Input).focus()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "range-from":
            self.query_one("#range-to", Input).focus()
        else:
            self.action_apply()

    def _today(self) -> date:
        ws = getattr(self.app, "ws", None)
        return ws.now().date() if ws is not None else self.period.end

    def action_apply(self) -> None:
        """Both dates through the one parser (`10-01` = the most recent 1 October); errors beside the field."""
        from grassroots_tui.domain.dates import parse_period_days
        from grassroots_tui.domain.errors import DomainError
        from grassroots_tui.domain.metrics import Period

        for field in ("from", "to"):
            self.query_one(f"#range-{field}-error", Static).update(Text(""))
        raw = {field: self.query_one(f"#range-{field}", Input).value for field in ("from", "to")}
        try:
            for field in ("from", "to"):  # both are needed here: an empty field is named, not guessed
                if not raw[field].strip():
                    what = "开始日期" if field == "from" else "结束日期"
                    raise DomainError(f"请填写{what}，可以写成 2026-10-01 或 10-01。", field)
            start, end = parse_period_days(raw["from"], raw["to"], self._today())
            period = Period(start, end)  # type: ignore[arg-type]
        except DomainError as exc:
            target = exc.field if exc.field in ("from", "to") else "to"
            self.query_one(f"#range-{target}-error", Static).update(Text(printable(exc.message)))
            return
        self.dismiss(period)

    def action_cancel(self) -> None:
        self.dismiss(None)


__all__ = ["BehindScreen", "ExportForm", "RangeForm", "StatisticsScreen", "default_export_path"]
