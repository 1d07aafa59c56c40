"""One meeting: its agenda, resolutions and action items, and every step of holding it.

The table lists agenda items (议题), resolutions (决议) and each resolution's action items
(议定事项); the keys act on the row under the cursor (F1 lists them all):

F7 参会/签到 · F8 改期 · Ctrl+K 取消会议 · Ctrl+A 上会 (pick an open concern) · Ctrl+G 其他议题 ·
Ctrl+L 议题记录 · Ctrl+N 决议 · Ctrl+T 表决 · Ctrl+Y 作废 (a vote or resolution recorded in error) ·
Ctrl+D 议定事项 · Ctrl+O 办结 (an action item) or 落实 (a passed resolution that needs no action item) ·
Ctrl+F 回访 · Ctrl+E 文书 (通知/签到表/纪要/公示/.ics) · Esc 返回
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Static

from grassroots_tui.domain.dates import weekday_label
from grassroots_tui.domain.errors import DomainError
from grassroots_tui.tui.widgets.footer import KeyBar
from grassroots_tui.tui.widgets.lists import Column, CroppedTable
from grassroots_tui.tui.widgets.text import printable, safe
from grassroots_tui.tui.widgets.top_bar import TopBar


@dataclass(frozen=True)
class ItemRow:
    key: str  # agenda:ID · resolution:ID · action:ID
    kind: str
    reference: str
    text: str
    status: Text
    obj: Any


class MeetingItemsTable(CroppedTable):
    COLUMNS = (
        Column("kind", "类别", 10),
        Column("reference", "编号", 14, min_total=90),
        Column("text", "内容", 0),
        Column("status", "状态", 14),
    )

    def cells(self, row: ItemRow) -> dict[str, str | Text]:
        return {"kind": row.kind, "reference": row.reference, "text": row.text, "status": row.status}

    def row_key(self, row: ItemRow) -> str:
        return row.key


def meeting_rows(m: Any) -> list[ItemRow]:
    rows: list[ItemRow] = []
    for a in m.agenda:
        status = Text(a.concern_status_label or a.source_label,
                      style="bold yellow" if a.concern_status == "awaiting_followup" else "")
        rows.append(ItemRow(f"agenda:{a.id}", f"议题 {a.position}", a.concern_reference or "", a.title, status, a))
    for r in m.resolutions:
        scope = f"议题{r.agenda_position}" if r.agenda_position else "全部议题"
        label = r.status_label
        if r.vote and r.status != "draft":
            label = f"{r.status_label} {r.vote.votes_for}/{r.vote.votes_against}/{r.vote.votes_abstain}"
        if r.done_at:
            label = "已落实"
        style = "bold green" if r.carried else ("bold red" if r.status in ("failed", "no_quorum") else "")
        text = r.text
        if r.voided:
            label, style, text = r.status_label, "dim", f"{r.text}（作废原因：{r.void_reason}）"
        rows.append(ItemRow(f"resolution:{r.id}", f"决议 {r.position}", scope, text, Text(label, style=style), r))
        for v in r.voided_votes:
            rows.append(ItemRow(f"voided:{v.id}", "  表决", "",
                                f"赞成 {v.votes_for}/反对 {v.votes_against}/弃权 {v.votes_abstain}，"
                                f"记为{v.outcome_label}（作废原因：{v.void_reason}）", Text("已作废", style="dim"), v))
        for a in r.actions:
            due = f"{a.due_at:%m-%d}" if a.due_at else ""
            owner = a.unit_name or a.owner or "居委会"
            rows.append(ItemRow(f"action:{a.id}", "  议定事项", a.concern_reference or "",
                                f"{a.title}（{owner}，{due}前）", Text(a.status_label or "",
                                                                    style="green" if a.done else ""), a))
    return rows


def meeting_head(m: Any) -> Text:
    s, e = m.start_at, m.end_at
    text = Text()
    text.append(f"{m.reference} ", style="bold")
    text.append(f"{m.type_label}  ")
    text.append(m.topic, style="bold")
    text.append(f"  [{m.status_label}]".replace("[", "（").replace("]", "）"))
    text.append(f"\n{s.month}月{s.day}日 {weekday_label(s.date())} {s:%H:%M}-{e:%H:%M}  ")
    text.append(m.place or "地点未定")
    text.append("  主持：")
    text.append(m.chair or "-")
    text.append("  记录：")
    text.append(m.minute_taker or "-")
    text.append("\n")
    if m.quorum is not None:
        if m.invited > m.entitled:
            text.append(f"名单 {m.invited} 人（列席 {m.invited - m.entitled} 人）  ")
        text.append(m.quorum.describe(), style="bold green" if m.quorum.reached else "bold red")
    return safe(text)


class MeetingScreen(Screen):
    """议事会 detail: hold the meeting from here."""

    DEFAULT_CSS = """
    MeetingScreen #meeting-head { height: auto; padding: 0 1; background: $boost; }
    MeetingScreen #meeting-rule { height: auto; padding: 0 1; color: $text-muted; }
    MeetingScreen MeetingItemsTable { height: 1fr; }
    MeetingScreen #meeting-empty { height: auto; padding: 1 2; color: $text-muted; }
    """

    BINDINGS = [
        Binding("escape", "back", "返回", id="meeting_back", tooltip="回到会议列表"),
        Binding("f7", "checkin", "签到", id="meeting_checkin", tooltip="参会人员名单和签到，法定人数随签到更新"),
        Binding("f8", "reschedule", "改期", id="meeting_reschedule",
                tooltip="改变会议时间、地点或主持人，重新检查冲突和通知期"),
        Binding("ctrl+k", "cancel_meeting", "取消会议", id="meeting_cancel", show=False,
                tooltip="取消这次会议（已有表决记录的不能取消）"),
        Binding("ctrl+a", "add_agenda", "上会", id="meeting_agenda", tooltip="选择在办的诉求列入议题"),
        Binding("ctrl+g", "other_item", "其他议题", id="meeting_other_item", show=False,
                tooltip="添加居民书面提议、网格上报或上级交办的议题"),
        Binding("ctrl+l", "minutes", "记录", id="meeting_minutes", tooltip="记录光标所在议题的讨论情况",
                show=False),
        Binding("ctrl+n", "resolution", "决议", id="meeting_resolution", tooltip="记录一项决议（待表决）"),
        Binding("ctrl+t", "vote", "表决", id="meeting_vote", tooltip="记录光标所在决议的表决票数"),
        Binding("ctrl+d", "action_item", "事项", id="meeting_action_item",
                tooltip="为光标所在的通过决议分解议定事项（责任单位、期限）"),
        Binding("ctrl+o", "complete", "办结", id="meeting_complete",
                tooltip="光标所在的议定事项已完成；或光标所在的通过决议无需议定事项、已经落实"),
        Binding("ctrl+y", "void", "作废", id="meeting_void", show=False,
                tooltip="光标所在决议的表决或决议本身记录有误：注明原因作废（不删除）"),
        Binding("ctrl+f", "followup", "回访", id="meeting_followup", tooltip="回访光标所在的待回访诉求"),
        Binding("ctrl+e", "papers", "文书", id="meeting_papers",
                tooltip="生成会议通知、签到表、会议纪要、决议公示、结果公示或 .ics 日历文件"),
    ]

    def __init__(self, reference: str) -> None:
        super().__init__(name="meetings", classes="section-screen")
        self.reference = reference
        self.meeting: Any = None
        self.loads = 0

    def compose(self) -> ComposeResult:
        yield TopBar("议事协商")
        yield Static(Text("正在读取会议"), id="meeting-head")
        yield Static(Text(""), id="meeting-rule")
        yield MeetingItemsTable(id="meeting-items")
        yield Static(Text(""), id="meeting-empty")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one(MeetingItemsTable).focus()
        self.reload()

    def on_screen_resume(self) -> None:
        if self.meeting is not None:
            self.reload()

    # ------------------------------------------------------------------ loading

    def reload(self) -> None:
        ws = getattr(self.app, "ws", None)
        if ws is not None:
            self._load(ws)

    @work(thread=True, exclusive=True, group="meeting-detail", exit_on_error=False)
    def _load(self, ws: Any) -> None:
        from grassroots_tui.services.meetings import close_the_loop, get_meeting

        try:
            clerk = getattr(self.app, "clerk", None)
            if clerk is not None:
                close_the_loop(ws, clerk.id)  # an action item closed in the ledger counts too
            meeting = get_meeting(ws, self.reference)
        except DomainError as exc:
            self.app.call_from_thread(self.notify, exc.message, severity="error", markup=False)
            return
        self.app.call_from_thread(self.show_meeting, meeting)

    def show_meeting(self, meeting: Any) -> None:
        self.meeting = meeting
        self.query_one("#meeting-head", Static).update(meeting_head(meeting))
        self.query_one("#meeting-rule", Static).update(Text(printable(meeting.rule_summary)))
        rows = meeting_rows(meeting)
        self.query_one(MeetingItemsTable).show(rows)
        empty = self.query_one("#meeting-empty", Static)
        empty.display = not rows
        empty.update(Text("还没有议题。按 Ctrl+A 把在办的诉求列入议题，F7 添加参会人员和签到。"))
        self.loads += 1
        self.refresh_bindings()

    # ------------------------------------------------------------------ current row

    @property
    def current(self) -> ItemRow | None:
        table = self.query_one(MeetingItemsTable)
        rows = table._rows
        if not rows or table.cursor_row < 0 or table.cursor_row >= len(rows):
            return None
        return rows[table.cursor_row]

    def _current(self, kind: str) -> Any | None:
        row = self.current
        return row.obj if row is not None and row.key.startswith(kind + ":") else None

    @on(DataTable.RowHighlighted)
    def _highlighted(self) -> None:
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if self.meeting is None and action not in ("back",):
            return None
        # Row actions show in the key bar only where the cursor row allows them.
        if action == "minutes":
            return self._current("agenda") is not None
        if action == "vote":
            res = self._current("resolution")
            return res is not None and not res.carried and not res.voided and self.meeting.votes_allowed
        if action == "action_item":
            res = self._current("resolution")
            return res is not None and res.carried and res.done_at is None
        if action == "complete":
            act = self._current("action")
            return (act is not None and not act.done) or self._to_carry_out() is not None
        if action == "void":
            res = self._current("resolution")
            return res is not None and not res.voided and res.done_at is None and not res.actions
        if action == "reschedule":
            return self.meeting.status == "planned"
        if action == "cancel_meeting":
            return self.meeting.status != "cancelled"
        if action == "followup":
            item = self._current("agenda")
            return item is not None and item.concern_status == "awaiting_followup"
        if action == "resolution":
            return self.meeting.votes_allowed
        return True

    # ------------------------------------------------------------------ actions

    def action_back(self) -> None:
        self.app.pop_screen()

    def _after(self, result: Any, message: str | None = None) -> None:
        if result is None:
            return
        if message:
            self.notify(message, markup=False)
        self.reload()

    def action_checkin(self) -> None:
        from grassroots_tui.tui.screens.meeting_checkin import CheckInScreen

        self.app.push_screen(CheckInScreen(self.reference))

    def action_add_agenda(self) -> None:
        from grassroots_tui.tui.screens.meeting_forms import ConcernPicker

        taken = [a.concern_reference for a in self.meeting.agenda if a.concern_reference]
        self.app.push_screen(ConcernPicker(taken), self._agenda_chosen)

    def _agenda_chosen(self, reference: str | None) -> None:
        if reference and self.app.ws is not None:
            self._add_agenda(self.app.ws, reference)

    @work(thread=True, group="meeting-write", exit_on_error=False)
    def _add_agenda(self, ws: Any, concern_reference: str) -> None:
        from grassroots_tui.services.meetings import add_agenda_concern

        try:
            item = add_agenda_concern(ws, self.app.clerk.id, self.reference, concern_reference)
        except DomainError as exc:
            self.app.call_from_thread(self.notify, exc.message, severity="error", markup=False)
            return
        self.app.call_from_thread(self._after, item, f"{concern_reference} 已列入议题 {item.position}")

    def action_other_item(self) -> None:
        from grassroots_tui.tui.screens.meeting_forms import AgendaItemForm

        self.app.push_screen(AgendaItemForm(self.reference),
                             lambda a: self._after(a, f"已添加议题 {a.position}" if a else None))

    def action_minutes(self) -> None:
        from grassroots_tui.tui.screens.meeting_forms import MinutesForm

        item = self._current("agenda")
        if item is not None:
            self.app.push_screen(MinutesForm(self.reference, item), lambda r: self._after(r, "议题记录已保存"))

    def action_resolution(self) -> None:
        from grassroots_tui.tui.screens.meeting_forms import ResolutionForm

        self.app.push_screen(ResolutionForm(self.reference, self.meeting.agenda),
                             lambda r: self._after(r, f"已记录决议 {r.position}，待表决" if r else None))

    def action_vote(self) -> None:
        from grassroots_tui.tui.screens.meeting_forms import VoteForm

        res = self._current("resolution")
        if res is None:
            return
        m = self.meeting
        self.app.push_screen(VoteForm(self.reference, res, m.type, m.entitled, m.present),
                             lambda v: self._after(v, f"表决结果：{v.outcome_label}。{v.reason}" if v else None))

    def action_action_item(self) -> None:
        res = self._current("resolution")
        if res is not None and self.app.ws is not None:
            self._open_action_form(self.app.ws, res)

    @work(thread=True, group="meeting-units", exit_on_error=False)
    def _open_action_form(self, ws: Any, res: Any) -> None:
        from grassroots_tui.services.intake import list_units

        units = [(u.code, u.name) for u in list_units(ws)]
        self.app.call_from_thread(self._push_action_form, res, units)

    def _push_action_form(self, res: Any, units: list[tuple[str, str]]) -> None:
        from grassroots_tui.tui.screens.meeting_forms import ActionItemForm

        self.app.push_screen(ActionItemForm(res, units),
                             lambda a: self._after(a, f"议定事项 {a.concern_reference} 已进入台账" if a else None))

    def _to_carry_out(self) -> Any | None:
        """The resolution under the cursor when it passed, needs no action item and is not done."""
        res = self._current("resolution")
        return res if res is not None and res.carried and not res.actions and res.done_at is None else None

    def action_complete(self) -> None:
        from grassroots_tui.tui.screens.meeting_forms import CarriedOutForm, CompleteActionForm

        act = self._current("action")
        if act is not None:
            self.app.push_screen(CompleteActionForm(act), self._completed)
        elif (res := self._to_carry_out()) is not None:
            self.app.push_screen(CarriedOutForm(res), lambda moved: self._completed(moved, "决议已落实"))

    def _completed(self, moved: list[str] | None, what: str = "决议的议定事项已全部办结") -> None:
        if moved is None:
            return
        if moved:
            self.notify(f"{what}，{'、'.join(moved)} 转入待回访。", markup=False)
        else:
            self.notify("决议已落实。" if what == "决议已落实" else "议定事项已办结。", markup=False)
        self.reload()

    def action_void(self) -> None:
        from grassroots_tui.tui.screens.meeting_forms import VoidForm

        res = self._current("resolution")
        if res is not None:
            self.app.push_screen(VoidForm(res), self._voided)

    def _voided(self, r: Any) -> None:
        if r is not None:
            self._after(r, f"决议 {r.position} 已作废。" if r.voided
                        else f"决议 {r.position} 的表决已作废，现为“{r.status_label}”。")

    def action_reschedule(self) -> None:
        from grassroots_tui.tui.screens.meeting_forms import RescheduleForm

        self.app.push_screen(RescheduleForm(self.meeting), self._rescheduled)

    def _rescheduled(self, result: Any) -> None:
        if result is None:
            return
        m = result.meeting
        message = f"{m.reference} 已改期到 {m.start_at:%m-%d %H:%M}。"
        if result.warnings:
            message += "提醒：" + "；".join(result.warnings)
        self.notify(message, severity="warning" if result.warnings else "information", markup=False, timeout=10)
        self.reload()

    def action_cancel_meeting(self) -> None:
        from grassroots_tui.tui.screens.meeting_forms import CancelMeetingForm

        self.app.push_screen(CancelMeetingForm(self.meeting),
                             lambda m: self._after(m, f"{m.reference} 已取消。" if m else None))

    def action_followup(self) -> None:
        from grassroots_tui.tui.screens.meeting_forms import FollowupForm

        item = self._current("agenda")
        if item is not None and item.concern_reference:
            self.app.push_screen(FollowupForm(item.concern_reference, item.title),
                                 lambda c: self._after(c, f"{c.reference} 回访完成：{c.status_label}" if c else None))

    def action_papers(self) -> None:
        from grassroots_tui.tui.screens.meeting_forms import PaperMenu

        self.app.push_screen(PaperMenu(), self._paper_chosen)

    def _paper_chosen(self, choice: Any) -> None:
        ws = self.app.ws
        if choice is None or ws is None:
            return
        from grassroots_tui.io import paper
        from grassroots_tui.tui.screens.confirm import ask_before_writing, papers_folder

        folder = papers_folder(self)
        if folder is None:
            return
        name = f"{self.reference}.ics" if choice.kind == "ics" else paper.default_name(choice.kind, self.reference)
        # An existing paper is replaced only when the clerk says so (ReplaceFileDialog: 1).
        ask_before_writing(self, folder / name, protected=ws.protected_paths,
                           write=lambda path, force: self._write_paper(ws, choice, path, force))

    @work(thread=True, group="meeting-paper", exit_on_error=False)
    def _write_paper(self, ws: Any, choice: Any, path: Any, force: bool = False) -> None:
        from grassroots_tui.io.safe_file import check_target
        from grassroots_tui.services.meetings import calendar_options, get_meeting, publish_resolution

        try:
            check_target(path, force=force, protected=ws.protected_paths)  # again: the folder may have changed
            meeting = get_meeting(ws, self.reference)
            if choice.kind == "ics":
                from grassroots_tui.io.ics import write_calendar

                path = write_calendar(path, [meeting], **calendar_options(ws))
            else:
                from grassroots_tui.io import paper

                if choice.kind == "resolution":  # printing the notice starts its publication period
                    for r in meeting.resolutions:
                        if r.carried and r.published_at is None:
                            publish_resolution(ws, r.id)
                    meeting = get_meeting(ws, self.reference)
                if choice.kind == "result":
                    from grassroots_tui.services.meetings import publish_result

                    for r in meeting.resolutions:
                        if r.done_at is not None and r.result_published_at is None:
                            publish_result(ws, r.id)
                kwargs = {} if choice.kind == "signin" else {"on": ws.now().date()}
                path = paper.write(choice.kind, meeting, ws.settings.committee_name, path, **kwargs)
        except (DomainError, OSError) as exc:
            self.app.call_from_thread(self.notify, getattr(exc, "message", str(exc)), severity="error", markup=False)
            return
        self.app.call_from_thread(self.notify, f"已生成{choice.label}：{path}", markup=False)
        self.app.call_from_thread(self.reload)
