"""诉求详情: one concern with its whole timeline, and every action its state allows.

Digits 1-9 run the actions listed on the action line (only those the state allows),
Ctrl+E opens the same list as a menu, Ctrl+D dispatches to the category's default unit.
Every action sends the version shown here; when another clerk changed the concern in
the meantime the action is refused, the message says so, and the fresh state is shown.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from grassroots_tui.domain.codes import (
    Action,
    Outcome,
    Satisfaction,
    Status,
    Supervision,
)
from grassroots_tui.services.errors import explain
from grassroots_tui.tui.screens.concern_action import ActionDone, ActionLauncher
from grassroots_tui.tui.widgets.footer import KeyBar
from grassroots_tui.tui.widgets.text import printable, safe
from grassroots_tui.tui.widgets.top_bar import TopBar

if TYPE_CHECKING:
    from grassroots_tui.services.ledger import ConcernDetail

def _t(value) -> str:  # noqa: ANN001
    return f"{value:%Y-%m-%d %H:%M}" if value else "-"


def _label(enum, code: str | None) -> str:  # noqa: ANN001
    if not code:
        return ""
    try:
        return enum(code).label
    except ValueError:
        return code


def detail_text(d: ConcernDetail) -> Text:
    """The head of the detail view as plain Text (user text is never markup)."""
    from grassroots_tui.domain.codes import Channel, Nature, Urgency

    v = d.concern
    out = Text()

    def line(label: str, value: str | Text, style: str = "") -> None:
        out.append(f"{label}：", style="dim")
        out.append(value if isinstance(value, Text) else Text(value or "-", style=style))
        out.append("\n")

    state = Text(v.status_label, style="bold")
    if v.deadline_label:
        state.append(f"  [{v.deadline_label}]", style="bold red" if v.deadline_state == "overdue" else "yellow")
    if v.problem_case:
        state.append("  [问题工单]", style="bold red")
    line("编号", Text(v.reference, style="bold"))
    line("状态", state)
    line("摘要", v.summary)
    if v.detail:
        line("详情", v.detail)
    line("分类", f"{v.category_name}（{v.category}）")
    line("来源 / 性质 / 紧急程度", f"{_label(Channel, v.channel)} / {_label(Nature, v.nature)} / "
                                  f"{_label(Urgency, v.urgency)}")
    who = v.resident_name or "匿名"
    if d.resident_phone_masked:
        who = f"{who} {d.resident_phone_masked}"
    line("居民", who)
    line("地点", v.location or "-")
    unit = v.unit_name or "（未派单）"
    if d.default_unit_name and not v.unit:
        unit += f"，默认承办：{d.default_unit_name}"
    line("承办单位", unit)
    line("督办", _label(Supervision, v.supervision))
    line("受理时间", _t(v.received_at))
    line("派单时限", _t(v.dispatch_due))
    deadline = _t(v.feedback_due)
    if v.feedback_due != v.feedback_due_original:
        deadline += f"（原定 {_t(v.feedback_due_original)}，延期 {v.extension_count} 次）"
    line("反馈时限", deadline)
    on_time_style = {True: "green", False: "bold red"}.get(d.on_time, "")
    line("按期反馈", d.on_time_label, on_time_style)
    if v.followup_outcome or v.followup_satisfaction:
        result = f"{_label(Outcome, v.followup_outcome)}，{_label(Satisfaction, v.followup_satisfaction)}"
        if d.followup_at:
            result += f"（{_t(d.followup_at)}）"
        if d.followup_note:
            result += f"：{d.followup_note}"
        line("回访结果", result)
    counts = f"重办 {v.rework_count} 次，退单 {v.return_count} 次，延期 {v.extension_count} 次"
    line("流转", counts)
    if d.excluded:
        line("考核", "已剔除")
    for link in d.links:
        line(link.relation, f"{link.reference} {link.summary}（{link.status_label}）")
    out.rstrip()
    return safe(out)


def timeline_text(d: ConcernDetail) -> Text:
    out = Text()
    for ev in d.concern.events:
        out.append(f"{_t(ev.at)}  ", style="dim")
        out.append(ev.action_label, style="bold")
        if ev.from_status and ev.from_status != ev.to_status:
            out.append(f"  {_label(Status, ev.from_status)} 至 {_label(Status, ev.to_status)}")
        elif not ev.from_status:
            out.append(f"  {_label(Status, ev.to_status)}")
        out.append(f"  {ev.actor or '-'}", style="dim")
        extra = []
        if ev.action in ("dispatch", "handle") and ev.unit:
            extra.append(f"承办：{d.unit_names.get(ev.unit, ev.unit)}")
        if ev.data.get("outcome") or ev.data.get("satisfaction"):
            extra.append(f"{_label(Outcome, ev.data.get('outcome'))} {_label(Satisfaction, ev.data.get('satisfaction'))}"
                         .strip())
        if ev.data.get("supervision"):
            extra.append(f"督办：{_label(Supervision, ev.data['supervision'])}")
        if ev.data.get("merged_into"):
            extra.append(f"并入 {ev.data['merged_into']}")
        if ev.data.get("meeting"):
            extra.append(f"会议 {ev.data['meeting']}")
        if ev.deadline_before != ev.deadline_after and ev.deadline_after is not None and ev.deadline_before:
            extra.append(f"时限 {_t(ev.deadline_before)} 改为 {_t(ev.deadline_after)}")
        if extra:
            out.append("\n    " + "；".join(extra))
        if ev.note:
            out.append("\n    ")
            out.append(Text(ev.note))
        out.append("\n")
    out.rstrip()
    return safe(out)


def actions_text(actions: list[str]) -> Text:
    if not actions:
        return Text("此状态没有可执行的操作", style="dim")
    out = Text("操作：", style="dim")
    for i, code in enumerate(actions, 1):
        out.append(f"{i}", style="bold reverse")
        out.append(f" {Action(code).label}  ")
    out.rstrip()
    return out


class ConcernDetailScreen(ActionLauncher, Screen):
    """The detail of one concern; Esc goes back to the list it came from."""

    BINDINGS = [
        Binding("escape", "back", "返回", id="detail_back", tooltip="回到台账"),
        Binding("ctrl+e", "menu", "操作", id="detail_menu", tooltip="列出此状态可执行的操作"),
        Binding("ctrl+d", "dispatch", "派单", id="detail_dispatch",
                tooltip="按分类的默认承办单位直接派单（无默认单位时打开派单表单）"),
    ] + [
        Binding(str(i), f"act({i})", str(i), show=False, id=f"detail_act_{i}", tooltip=f"执行操作行上的第 {i} 项")
        for i in range(1, 10)
    ]

    DEFAULT_CSS = """
    ConcernDetailScreen #detail-message { height: auto; padding: 0 1; display: none; }
    ConcernDetailScreen #detail-message.-shown { display: block; }
    ConcernDetailScreen #detail-message.-error { color: $error; text-style: bold; }
    ConcernDetailScreen #detail-actions { height: auto; padding: 0 1; background: $boost; }
    ConcernDetailScreen #detail-body { height: 1fr; padding: 0 1; }
    ConcernDetailScreen #detail-events-title { margin-top: 1; text-style: bold; background: $boost; }
    """

    def __init__(self, reference: str) -> None:
        super().__init__(name="concern_detail", classes="concern-detail")
        self.reference = reference
        self.detail: ConcernDetail | None = None
        self.loads = 0

    def compose(self) -> ComposeResult:
        yield TopBar("诉求详情")
        yield Static(Text(""), id="detail-message")
        yield Static(Text("正在读取", style="dim"), id="detail-actions")
        with VerticalScroll(id="detail-body"):
            yield Static(Text(""), id="detail-head")
            yield Static(Text("办理记录"), id="detail-events-title")
            yield Static(Text(""), id="detail-timeline")
        yield KeyBar()

    def on_mount(self) -> None:
        self.reload()
        self.set_interval(60, self._auto_refresh, name="detail-refresh")

    def _auto_refresh(self) -> None:
        if self.app.screen is self:
            self.reload()

    # ------------------------------------------------------------------ loading

    def reload(self) -> None:
        if getattr(self.app, "ws", None) is not None:
            self._load()

    @work(thread=True, exclusive=True, group="concern-detail", exit_on_error=False)
    def _load(self) -> None:
        from grassroots_tui.domain.errors import DomainError
        from grassroots_tui.services.ledger import concern_detail

        try:
            detail = concern_detail(self.app.ws, self.reference)  # type: ignore[attr-defined]
        except DomainError as exc:
            self.app.call_from_thread(self.say, exc.message, True)
            return
        except Exception as exc:  # noqa: BLE001
            self.app.call_from_thread(self.say, explain(exc, "读取诉求"), True)
            return
        self.app.call_from_thread(self._show, detail)

    def _show(self, detail: ConcernDetail) -> None:
        self.detail = detail
        self.loads += 1
        self.query_one("#detail-head", Static).update(detail_text(detail))
        self.query_one("#detail-timeline", Static).update(timeline_text(detail))
        self.query_one("#detail-actions", Static).update(actions_text(detail.concern.allowed_actions))
        self.refresh_bindings()

    def say(self, message: str, error: bool = False) -> None:
        msg = self.query_one("#detail-message", Static)
        msg.update(safe(Text(printable(message))))
        msg.set_class(bool(message), "-shown")
        msg.set_class(error, "-error")

    # ------------------------------------------------------------------ actions

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "act":
            if self.detail is None:
                return False
            number = parameters[0] if parameters else 0
            return isinstance(number, int) and 1 <= number <= len(self.detail.concern.allowed_actions)
        if action == "dispatch":
            return self.detail is not None and "dispatch" in self.detail.concern.allowed_actions
        if action == "menu":
            return self.detail is not None
        return True

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_menu(self) -> None:
        if self.detail is not None:
            self.launch_action(self.detail.concern.reference, self.detail.concern.version)

    def action_act(self, number: int) -> None:
        if self.detail is None:
            return
        actions = self.detail.concern.allowed_actions
        if 1 <= number <= len(actions):
            self.launch_action(self.detail.concern.reference, self.detail.concern.version, actions[number - 1])

    def action_dispatch(self) -> None:
        if self.detail is not None:
            self.quick_dispatch(self.detail.concern.reference, self.detail.concern.version)

    def action_finished(self, done: ActionDone) -> None:
        self.say(done.message, error=done.view is None)
        if done.stale or done.view is not None:
            self.reload()
