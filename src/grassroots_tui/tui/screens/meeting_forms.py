"""The small forms of the meetings section: a new meeting, rescheduling and cancelling it, a
resolution, a vote, voiding a vote or resolution recorded in error, an action item, a resolution
carried out, minutes, a follow-up call, another participant, the papers menu and the concern picker.

Every form is a modal: Enter moves to the next field (and saves on the last), Ctrl+S saves,
Esc cancels. The service call runs in a worker; a refusal comes back as a Chinese sentence
shown under the field it is about, and nothing is saved.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import (
    DataTable,
    Input,
    Label,
    OptionList,
    Select,
    Static,
    TextArea,
)
from textual.widgets.option_list import Option

from grassroots_tui.domain.errors import DomainError
from grassroots_tui.domain.validation import nfkc
from grassroots_tui.services.errors import explain
from grassroots_tui.tui.widgets.date_field import DateField
from grassroots_tui.tui.widgets.text import crop, printable, safe

MEETING_TYPES = (("议事协商会", "consultation"), ("民情恳谈会", "talk"), ("联席会议", "joint"),
                 ("听证会", "hearing"), ("居民(代表)会议", "residents"), ("两委会", "committee"))
VOTE_METHODS = (("举手表决", "hands"), ("无记名投票", "secret"), ("口头表决", "voice"))
ROLES = (("委员/代表", "member"), ("居民", "resident"), ("共建单位代表", "unit_rep"), ("列席（无表决权）", "observer"))
OUTCOMES = (("解决", "solved"), ("部分解决", "partly"), ("未解决", "unsolved"))
SATISFACTIONS = (("满意", "satisfied"), ("基本满意", "basic"), ("不满意", "dissatisfied"))


def _int(text: str, field: str, what: str) -> int:
    raw = nfkc(text) or "0"
    if not raw.isdigit():
        raise DomainError(f"{what}请填写数字。", field)
    return int(raw)


class FormModal(ModalScreen[Any]):
    """A titled form; subclasses yield rows from `fields()` and implement `collect` / `submit`."""

    DEFAULT_CSS = """
    FormModal { align: center middle; }
    FormModal > #form {
        width: 78; max-width: 100%; height: auto; max-height: 100%;
        border: round $primary; background: $surface; padding: 0 1;
    }
    FormModal .form-title { height: 1; text-style: bold; margin-bottom: 1; }
    FormModal .form-row { height: auto; }
    FormModal .form-label { width: 11; height: 1; }
    FormModal .form-row > Input, FormModal .form-row > Select, FormModal .form-row > DateField,
    FormModal .form-row > TextArea { width: 1fr; }
    FormModal .form-row > TextArea { height: 6; }
    FormModal .field-error { color: $error; height: auto; padding-left: 11; display: none; }
    FormModal .field-error.-shown { display: block; }
    FormModal .form-note { color: $text-muted; height: auto; }
    FormModal .form-hint { color: $text-muted; height: 1; margin-top: 1; }
    """

    BINDINGS = [
        Binding("ctrl+s", "save", "保存", id="form_save", tooltip="检查并保存"),
        Binding("escape", "cancel", "取消", id="form_cancel", tooltip="不保存，关闭"),
    ]

    TITLE_TEXT = ""
    HINT = "Enter 下一项  Ctrl+S 保存  Esc 取消"

    def __init__(self) -> None:
        super().__init__()
        self.busy = False

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="form"):
            yield Static(Text(self.TITLE_TEXT), classes="form-title")
            yield from self.fields()
            yield Static(Text(""), id="err-form", classes="field-error")
            yield Static(Text(self.HINT), classes="form-hint")

    def row(self, label: str, widget: Widget, field: str) -> Iterable[Widget]:
        yield Horizontal(Label(Text(label), classes="form-label"), widget, classes="form-row")
        yield Static(Text(""), id=f"err-{field}", classes="field-error")

    def fields(self) -> Iterable[Widget]:  # pragma: no cover - abstract
        return ()

    def collect(self) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def submit(self, ws: Any, values: Any) -> Any:  # pragma: no cover - abstract; runs in a worker
        raise NotImplementedError

    # ------------------------------------------------------------------ flow

    def on_mount(self) -> None:
        first = next(iter(self.query("Input, TextArea, Select")), None)
        if first is not None:
            first.focus()

    @on(Input.Submitted)
    def _next_field(self, event: Input.Submitted) -> None:
        event.stop()
        inputs = [w for w in self.query("Input, Select, TextArea") if w.focusable]
        if inputs and event.input is inputs[-1]:
            self.action_save()
        else:
            self.focus_next()

    def action_cancel(self) -> None:
        self.dismiss(None)

    def clear_errors(self) -> None:
        for err in self.query(".field-error"):
            err.remove_class("-shown")

    def show_error(self, exc: DomainError) -> None:
        self.busy = False
        target = self.query(f"#err-{exc.field}") if exc.field else None
        widget = target.first() if target else self.query_one("#err-form")
        widget.update(Text(printable(exc.message)))
        widget.add_class("-shown")

    def action_save(self) -> None:
        if self.busy:
            return
        self.clear_errors()
        ws = getattr(self.app, "ws", None)
        if ws is None:
            self.show_error(DomainError("数据库尚未打开，请稍候再保存。"))
            return
        try:
            values = self.collect()
        except DomainError as exc:
            self.show_error(exc)
            return
        self.busy = True
        self._submit(ws, values)

    @work(thread=True, exclusive=True, group="form", exit_on_error=False)
    def _submit(self, ws: Any, values: Any) -> None:
        try:
            result = self.submit(ws, values)
        except DomainError as exc:
            self.app.call_from_thread(self.show_error, exc)
        except Exception as exc:  # noqa: BLE001 - the clerk gets a sentence, we keep the log
            self.log.error("form submit failed", exc)
            self.app.call_from_thread(self.show_error, DomainError(explain(exc, "保存")))
        else:
            self.app.call_from_thread(self.dismiss, result)

    @property
    def actor_id(self) -> int:
        clerk = getattr(self.app, "clerk", None)
        if clerk is None:
            raise DomainError("尚未选择工作人员（按 F9 选择）。")
        return clerk.id


# ---------------------------------------------------------------- new meeting

class ScheduleWarnings(FormModal):
    """Warnings while typing a meeting's time and place: the same place or chair at the time, short
    notice, not a working day. Subclasses build the draft (`_draft`) and may name the meeting
    being moved (`reference`), which does not conflict with itself."""

    CHECK_DELAY = 0.25
    reference: str | None = None

    def __init__(self) -> None:
        super().__init__()
        self._timer: Timer | None = None
        self.warnings: list[str] = []
        self.checks = 0  # warnings shown so far (tests wait for the next)

    def _draft(self):  # noqa: ANN202  # pragma: no cover - abstract
        raise NotImplementedError

    @on(Input.Changed)
    @on(DateField.Changed)
    def _schedule_check(self) -> None:
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(self.CHECK_DELAY, self._check_now)

    def _check_now(self) -> None:
        ws = getattr(self.app, "ws", None)
        if ws is None:
            return
        try:
            draft = self._draft()
        except DomainError:
            return
        if not draft.topic.strip():
            draft.topic = "（未填写）"
        self._check(ws, draft)

    @work(thread=True, exclusive=True, group="meeting-check", exit_on_error=False)
    def _check(self, ws: Any, draft: Any) -> None:
        from grassroots_tui.services.meetings import check_meeting

        try:
            warnings = [w.message for w in check_meeting(ws, draft, self.reference)]
        except DomainError:
            warnings = []
        self.app.call_from_thread(self._show_warnings, warnings)

    def _show_warnings(self, warnings: list[str]) -> None:
        self.warnings = warnings
        self.checks += 1
        text = Text()
        for i, w in enumerate(warnings):
            text.append("\n" if i else "")
            text.append("提醒：", style="bold yellow")
            text.append(w)
        self.query_one("#warnings", Static).update(safe(text))


class NewMeetingForm(ScheduleWarnings):
    """安排会议; dismisses with `Scheduled` (the meeting and its warnings)."""

    TITLE_TEXT = "安排会议"

    def fields(self) -> Iterable[Widget]:
        yield from self.row("议题", Input(id="topic", compact=True, placeholder="会议要协商的事"), "topic")
        yield from self.row("类型", Select(MEETING_TYPES, value="consultation", allow_blank=False, compact=True,
                                          id="type"), "type")
        yield from self.row("开始时间", DateField(id="start"), "start")
        yield from self.row("时长(分钟)", Input("90", id="minutes", compact=True), "minutes")
        yield from self.row("地点", Input(id="place", compact=True), "place")
        yield from self.row("主持人", Input(id="chair", compact=True), "chair")
        yield from self.row("记录人", Input(id="minute_taker", compact=True), "minute_taker")
        yield from self.row("通知日期", DateField(id="notice", with_time=False, what="通知日期",
                                              placeholder="默认今天"), "notice")
        yield Static(Text(""), id="warnings", classes="form-note")

    def _draft(self):  # noqa: ANN202
        from grassroots_tui.services.meetings import MeetingDraft

        notice = self.query_one("#notice", DateField)
        return MeetingDraft(
            type=str(self.query_one("#type", Select).value), topic=self.query_one("#topic", Input).value,
            start=self.query_one("#start", DateField).value,
            minutes=_int(self.query_one("#minutes", Input).value, "minutes", "时长"),
            place=self.query_one("#place", Input).value, chair=self.query_one("#chair", Input).value,
            minute_taker=self.query_one("#minute_taker", Input).value,
            notice_date=notice.value if notice.text.strip() else None)

    def collect(self) -> Any:
        return self._draft()

    def submit(self, ws: Any, values: Any) -> Any:
        from grassroots_tui.services.meetings import schedule_meeting

        return schedule_meeting(ws, self.actor_id, values)


class RescheduleForm(ScheduleWarnings):
    """改期: the new time, place and chair, warnings recomputed as they are typed; dismisses with
    `Scheduled` (the meeting as moved and its warnings)."""

    TITLE_TEXT = "会议改期"

    def __init__(self, meeting: Any) -> None:
        super().__init__()
        self.meeting = meeting
        self.reference = meeting.reference

    def fields(self) -> Iterable[Widget]:
        m = self.meeting
        yield Static(crop(f"{m.reference} {m.type_label}：{m.topic}（原定 {m.start_at:%Y-%m-%d %H:%M}）", 300),
                     classes="form-note")
        yield from self.row("开始时间", DateField(f"{m.start_at:%Y-%m-%d %H:%M}", id="start"), "start")
        yield from self.row("时长(分钟)", Input(str(m.minutes), id="minutes", compact=True), "minutes")
        yield from self.row("地点", Input(m.place, id="place", compact=True), "place")
        yield from self.row("主持人", Input(m.chair, id="chair", compact=True), "chair")
        yield from self.row("改期原因", Input(id="note", compact=True), "note")
        yield Static(Text(""), id="warnings", classes="form-note")

    def _draft(self):  # noqa: ANN202
        from grassroots_tui.services.meetings import MeetingDraft

        m = self.meeting
        return MeetingDraft(type=m.type, topic=m.topic, start=self.query_one("#start", DateField).value,
                            minutes=_int(self.query_one("#minutes", Input).value, "minutes", "时长"),
                            place=self.query_one("#place", Input).value, chair=self.query_one("#chair", Input).value,
                            notice_date=m.notice_date)

    def collect(self) -> Any:
        return self._draft(), self.query_one("#note", Input).value

    def submit(self, ws: Any, values: Any) -> Any:
        from grassroots_tui.services.meetings import reschedule_meeting

        draft, note = values
        return reschedule_meeting(ws, self.actor_id, self.reference, draft.start, draft.minutes, draft.place,
                                  draft.chair, note=note)


class CancelMeetingForm(FormModal):
    """取消会议 with its reason; dismisses with the meeting as cancelled."""

    TITLE_TEXT = "取消会议"
    HINT = "Enter 确认取消  Esc 不取消"

    def __init__(self, meeting: Any) -> None:
        super().__init__()
        self.meeting = meeting

    def fields(self) -> Iterable[Widget]:
        m = self.meeting
        yield Static(crop(f"{m.reference} {m.type_label}：{m.topic}（{m.start_at:%Y-%m-%d %H:%M}）", 300),
                     classes="form-note")
        yield from self.row("取消原因", Input(id="note", compact=True), "note")
        yield Static(Text("取消后会议仍保留在日历文件中（状态为已取消），导入过的日历会随之更新。"), classes="form-note")

    def collect(self) -> Any:
        return self.query_one("#note", Input).value.strip()

    def submit(self, ws: Any, values: Any) -> Any:
        from grassroots_tui.services.meetings import update_status

        return update_status(ws, self.meeting.reference, "cancelled", f"取消：{values}" if values else "",
                             actor_id=self.actor_id)


# ---------------------------------------------------------------- resolution, vote, action item

class ResolutionForm(FormModal):
    TITLE_TEXT = "记录决议"

    def __init__(self, reference: str, agenda: list) -> None:  # noqa: ANN001
        super().__init__()
        self.reference = reference
        self.agenda = agenda

    def fields(self) -> Iterable[Widget]:
        yield from self.row("决议内容", Input(id="text", compact=True), "text")
        yield from self.row("针对议题", Input(id="agenda", compact=True, placeholder="议题序号；空着表示全部议题"),
                            "agenda")
        lines = "  ".join(f"{a.position}.{a.title}" for a in self.agenda[:6]) or "（尚无议题）"
        yield Static(crop("议题：" + lines, 400), classes="form-note")

    def collect(self) -> Any:
        raw = nfkc(self.query_one("#agenda", Input).value)
        position = _int(raw, "agenda", "议题序号") if raw else None
        return self.query_one("#text", Input).value, position or None

    def submit(self, ws: Any, values: Any) -> Any:
        from grassroots_tui.services.meetings import add_resolution

        text, position = values
        return add_resolution(ws, self.reference, text, position)


class VoteForm(FormModal):
    """表决: the line under the counts says what the rule makes of them as they are typed."""

    TITLE_TEXT = "记录表决"

    def __init__(self, reference: str, resolution: Any, meeting_type: str, entitled: int, present: int) -> None:
        super().__init__()
        self.reference = reference
        self.resolution = resolution
        self.meeting_type = meeting_type
        self.entitled = entitled
        self.present = present

    def fields(self) -> Iterable[Widget]:
        yield Static(crop(f"决议 {self.resolution.position}：{self.resolution.text}", 300), classes="form-note")
        yield Static(Text(f"应到 {self.entitled} 人，实到 {self.present} 人"), classes="form-note")
        yield from self.row("赞成", Input(id="for", compact=True), "for")
        yield from self.row("反对", Input("0", id="against", compact=True), "against")
        yield from self.row("弃权", Input("0", id="abstain", compact=True), "abstain")
        yield from self.row("方式", Select(VOTE_METHODS, value="hands", allow_blank=False, compact=True,
                                          id="method"), "method")
        yield Static(Text(""), id="outcome", classes="form-note")
        yield Static(Text(""), id="err-votes", classes="field-error")

    def _counts(self) -> tuple[int, int, int]:
        return (_int(self.query_one("#for", Input).value, "for", "赞成票"),
                _int(self.query_one("#against", Input).value, "against", "反对票"),
                _int(self.query_one("#abstain", Input).value, "abstain", "弃权票"))

    @on(Input.Changed)
    def _preview(self) -> None:
        from grassroots_tui.domain.meetings import decide

        ws = getattr(self.app, "ws", None)
        outcome = self.query_one("#outcome", Static)
        if ws is None:
            return
        from grassroots_tui.services.meetings import (
            meeting_rules,  # rules are read once, then pure
        )

        try:
            result = decide(meeting_rules(ws)[self.meeting_type], self.entitled, self.present, *self._counts())
        except DomainError as exc:
            outcome.update(Text(printable(exc.message), style="red"))
            return
        style = "bold green" if result.outcome.carried else "bold red"
        outcome.update(Text.assemble((result.outcome.label, style), "  ", result.reason))

    def collect(self) -> Any:
        return (*self._counts(), str(self.query_one("#method", Select).value))

    def submit(self, ws: Any, values: Any) -> Any:
        from grassroots_tui.services.meetings import record_vote

        votes_for, against, abstain, method = values
        return record_vote(ws, self.actor_id, self.resolution.id, votes_for, against, abstain, method,
                           expected_version=self.resolution.version)


class ActionItemForm(FormModal):
    TITLE_TEXT = "分解议定事项"

    def __init__(self, resolution: Any, units: list[tuple[str, str]]) -> None:
        super().__init__()
        self.resolution = resolution
        self.units = units

    def fields(self) -> Iterable[Widget]:
        yield Static(crop(f"决议 {self.resolution.position}：{self.resolution.text}", 300), classes="form-note")
        yield from self.row("事项", Input(id="title", compact=True), "title")
        yield from self.row("承办单位", Input(id="unit", compact=True, placeholder="单位编码；空着表示居委会自办"),
                            "unit")
        yield from self.row("完成期限", DateField(id="due", with_time=False, what="完成期限"), "due")
        units = "  ".join(f"{code} {name}" for code, name in self.units[:10])
        yield Static(crop("单位：" + units, 400), classes="form-note")

    def collect(self) -> Any:
        return (self.query_one("#title", Input).value, nfkc(self.query_one("#unit", Input).value).upper() or None,
                self.query_one("#due", DateField).value)

    def submit(self, ws: Any, values: Any) -> Any:
        from grassroots_tui.services.meetings import add_action_item

        title, unit, due = values
        return add_action_item(ws, self.actor_id, self.resolution.id, title, unit=unit, due=due)


class CompleteActionForm(FormModal):
    TITLE_TEXT = "议定事项办结"

    def __init__(self, action: Any) -> None:
        super().__init__()
        self.action = action

    def fields(self) -> Iterable[Widget]:
        yield Static(crop(f"{self.action.concern_reference} {self.action.title}", 300), classes="form-note")
        yield from self.row("办理情况", Input("已按决议完成", id="note", compact=True), "note")

    def collect(self) -> Any:
        return self.query_one("#note", Input).value

    def submit(self, ws: Any, values: Any) -> Any:
        from grassroots_tui.services.meetings import complete_action_item

        return complete_action_item(ws, self.actor_id, self.action.id, values)


VOID_TARGETS = (("表决记录（决议回到待表决）", "vote"), ("整项决议", "resolution"))


class VoidForm(FormModal):
    """作废 a vote or a resolution recorded in error: kept with the reason, shown as 已作废."""

    TITLE_TEXT = "作废记录有误的表决或决议"

    def __init__(self, resolution: Any) -> None:
        super().__init__()
        self.resolution = resolution

    def fields(self) -> Iterable[Widget]:
        r = self.resolution
        yield Static(crop(f"决议 {r.position}：{r.text}（{r.status_label}）", 300), classes="form-note")
        choices = VOID_TARGETS if r.vote is not None else VOID_TARGETS[1:]
        yield from self.row("作废", Select(choices, value=choices[0][1], allow_blank=False, compact=True,
                                          id="target"), "target")
        yield from self.row("作废原因", Input(id="reason", compact=True, placeholder="必填，如：票数录错"), "reason")
        yield Static(Text("作废的记录不会删除，会注明“已作废”和原因，不再计入结果。"), classes="form-note")

    def collect(self) -> Any:
        return str(self.query_one("#target", Select).value), self.query_one("#reason", Input).value

    def submit(self, ws: Any, values: Any) -> Any:
        from grassroots_tui.services.meetings import void_resolution, void_vote

        target, reason = values
        call = void_vote if target == "vote" else void_resolution
        return call(ws, self.actor_id, self.resolution.id, reason, expected_version=self.resolution.version)


class CarriedOutForm(FormModal):
    """决议已落实, when it needed no action item: its agenda concerns go to 待回访."""

    TITLE_TEXT = "决议已落实"

    def __init__(self, resolution: Any) -> None:
        super().__init__()
        self.resolution = resolution

    def fields(self) -> Iterable[Widget]:
        yield Static(crop(f"决议 {self.resolution.position}：{self.resolution.text}", 300), classes="form-note")
        yield from self.row("落实情况", Input("已按决议落实", id="note", compact=True), "note")
        yield Static(Text("这项决议不分解议定事项；确认后，上会的诉求转入待回访。"), classes="form-note")

    def collect(self) -> Any:
        return self.query_one("#note", Input).value

    def submit(self, ws: Any, values: Any) -> Any:
        from grassroots_tui.services.meetings import carry_out_resolution

        return carry_out_resolution(ws, self.actor_id, self.resolution.id, values)


class MinutesForm(FormModal):
    TITLE_TEXT = "议题记录"
    HINT = "Ctrl+S 保存  Esc 取消"

    def __init__(self, reference: str, item: Any) -> None:
        super().__init__()
        self.reference = reference
        self.item = item

    def fields(self) -> Iterable[Widget]:
        yield Static(crop(f"议题 {self.item.position}：{self.item.title}", 300), classes="form-note")
        # Control characters of stored minutes are shown as symbols; untouched, the original goes back.
        self._shown = printable(self.item.minutes)
        yield from self.row("记录", TextArea(self._shown, id="minutes", soft_wrap=True), "minutes")

    def collect(self) -> Any:
        text = self.query_one("#minutes", TextArea).text
        return self.item.minutes if text == self._shown else text

    def submit(self, ws: Any, values: Any) -> Any:
        from grassroots_tui.services.meetings import record_minutes

        record_minutes(ws, self.reference, self.item.position, values, expected_version=self.item.version)
        return True


class FollowupForm(FormModal):
    """回访 of a concern the meeting's resolution sent to 待回访."""

    TITLE_TEXT = "回访"

    def __init__(self, concern_reference: str, title: str) -> None:
        super().__init__()
        self.concern_reference = concern_reference
        self.title = title

    def fields(self) -> Iterable[Widget]:
        yield Static(crop(f"{self.concern_reference} {self.title}", 300), classes="form-note")
        yield from self.row("办理结果", Select(OUTCOMES, value="solved", allow_blank=False, compact=True,
                                              id="outcome"), "outcome")
        yield from self.row("满意度", Select(SATISFACTIONS, value="satisfied", allow_blank=False, compact=True,
                                            id="satisfaction"), "satisfaction")
        yield from self.row("回访记录", Input(id="note", compact=True), "note")

    def collect(self) -> Any:
        return (str(self.query_one("#outcome", Select).value), str(self.query_one("#satisfaction", Select).value),
                self.query_one("#note", Input).value)

    def submit(self, ws: Any, values: Any) -> Any:
        from grassroots_tui.domain.codes import Action, Outcome, Satisfaction
        from grassroots_tui.domain.pipeline import Request
        from grassroots_tui.services.concerns import act

        outcome, satisfaction, note = values
        return act(ws, self.actor_id, self.concern_reference,
                   Request(Action.FOLLOWUP, note=note, outcome=Outcome(outcome), satisfaction=Satisfaction(satisfaction)))


SOURCES = (("居民书面提议", "proposal"), ("网格上报", "grid"), ("上级交办", "assignment"))


class AgendaItemForm(FormModal):
    """An agenda item that is not a concern in the ledger."""

    TITLE_TEXT = "添加其他议题"

    def __init__(self, reference: str) -> None:
        super().__init__()
        self.reference = reference

    def fields(self) -> Iterable[Widget]:
        yield from self.row("议题", Input(id="title", compact=True), "title")
        yield from self.row("提议人", Input(id="proposer", compact=True, placeholder="提议的居民、网格员或交办单位"),
                            "proposer")
        yield from self.row("来源", Select(SOURCES, value="proposal", allow_blank=False, compact=True, id="source"),
                            "source")

    def collect(self) -> Any:
        return (self.query_one("#title", Input).value, str(self.query_one("#source", Select).value),
                self.query_one("#proposer", Input).value)

    def submit(self, ws: Any, values: Any) -> Any:
        from grassroots_tui.services.meetings import add_agenda_item

        title, source, proposer = values
        return add_agenda_item(ws, self.reference, title, source, proposer)


class ParticipantForm(FormModal):
    """A participant who is not picked from the resident register: a member, a unit's representative…"""

    TITLE_TEXT = "添加参会人员"

    def __init__(self, reference: str) -> None:
        super().__init__()
        self.reference = reference

    def fields(self) -> Iterable[Widget]:
        yield from self.row("姓名", Input(id="name", compact=True), "name")
        yield from self.row("单位", Input(id="organisation", compact=True), "organisation")
        yield from self.row("身份", Select(ROLES, value="member", allow_blank=False, compact=True, id="role"), "role")

    def collect(self) -> Any:
        return (self.query_one("#name", Input).value, self.query_one("#organisation", Input).value,
                str(self.query_one("#role", Select).value))

    def submit(self, ws: Any, values: Any) -> Any:
        from grassroots_tui.services.meetings import add_participant

        name, org, role = values
        return add_participant(ws, self.reference, name, role=role, organisation=org)


# ---------------------------------------------------------------- menus and pickers

@dataclass(frozen=True)
class PaperChoice:
    kind: str  # notice · signin · minutes · resolution · result · ics
    label: str


PAPERS = (PaperChoice("notice", "会议通知"), PaperChoice("signin", "签到表"), PaperChoice("minutes", "会议纪要"),
          PaperChoice("resolution", "决议公示"), PaperChoice("result", "结果公示"), PaperChoice("ics", "日历文件 .ics"))


class PaperMenu(ModalScreen["PaperChoice | None"]):
    """Which paper to print: digits 1-6 or arrows and Enter."""

    DEFAULT_CSS = """
    PaperMenu { align: center middle; }
    PaperMenu > #paper-box { width: 40; height: auto; border: round $primary; background: $surface; padding: 0 1; }
    PaperMenu OptionList { height: auto; }
    """
    BINDINGS = [Binding("escape", "cancel", "取消", id="paper_cancel", tooltip="关闭")] + [
        Binding(str(i), f"pick({i - 1})", p.label, show=False, id=f"paper_{p.kind}", tooltip=f"生成{p.label}")
        for i, p in enumerate(PAPERS, 1)
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="paper-box"):
            yield Static(Text("生成文书（A4，可直接打印）", style="bold"))
            yield OptionList(*[Option(Text(f"{i}. {p.label}"), id=p.kind) for i, p in enumerate(PAPERS, 1)])
            yield Static(Text("数字或上下键选择，Enter 确定，Esc 取消", style="dim"))

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def action_pick(self, index: int) -> None:
        self.dismiss(PAPERS[index])

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(next(p for p in PAPERS if p.kind == event.option.id))

    def action_cancel(self) -> None:
        self.dismiss(None)


class ConcernPicker(ModalScreen["str | None"]):
    """Pick an open concern for the agenda: type to search (reference, summary, resident), Enter takes it."""

    DEFAULT_CSS = """
    ConcernPicker { align: center middle; }
    ConcernPicker > #picker {
        width: 100%; max-width: 110; height: 90%; border: round $primary; background: $surface; padding: 0 1;
    }
    ConcernPicker #picker-title { height: 1; text-style: bold; }
    ConcernPicker DataTable { height: 1fr; }
    ConcernPicker #picker-hint { height: 1; color: $text-muted; }
    """
    BINDINGS = [
        Binding("escape", "cancel", "取消", id="picker_cancel", tooltip="不选，关闭"),
        Binding("down", "move(1)", "下一条", show=False, id="picker_down", tooltip="选择下一条诉求"),
        Binding("up", "move(-1)", "上一条", show=False, id="picker_up", tooltip="选择上一条诉求"),
    ]
    DELAY = 0.15
    LIMIT = 50

    def __init__(self, exclude: Iterable[str] = ()) -> None:
        super().__init__()
        self.exclude = set(exclude)
        self.rows: list[Any] = []
        self.rows_for: str | None = None
        self._timer: Timer | None = None
        self._enter_pending = False

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="picker"):
            yield Static(Text("选择上会的诉求（在办的诉求）"), id="picker-title")
            yield Input(placeholder="编号、摘要或居民姓名", compact=True, id="picker-search")
            table = DataTable(cursor_type="row", zebra_stripes=True, id="picker-table")
            table.can_focus = False
            yield table
            yield Static(Text("输入查找，上下键选择，Enter 列入议题，Esc 取消"), id="picker-hint")

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column(Text("编号"), width=14, key="ref")
        table.add_column(Text("状态"), width=6, key="status")
        table.add_column(Text("摘要"), width=40, key="summary")
        table.add_column(Text("分类"), width=12, key="category")
        self.query_one(Input).focus()
        self._search()

    @on(Input.Changed)
    def _changed(self) -> None:
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(self.DELAY, self._search)

    def _search(self) -> None:
        ws = getattr(self.app, "ws", None)
        if ws is not None:
            self._query(ws, self.query_one(Input).value)

    @work(thread=True, exclusive=True, group="concern-picker", exit_on_error=False)
    def _query(self, ws: Any, text: str) -> None:
        from grassroots_tui.services.concern_list import ConcernFilter, list_concerns

        rows = list_concerns(ws, ConcernFilter(status=["received", "dispatched", "in_progress"], kind="concern",
                                               search=nfkc(text) or None, limit=self.LIMIT))
        self.app.call_from_thread(self._show, text, [r for r in rows if r.reference not in self.exclude])

    def _show(self, text: str, rows: list[Any]) -> None:
        if text != self.query_one(Input).value:
            return
        self.rows, self.rows_for = rows, text
        table = self.query_one(DataTable)
        table.clear()
        for r in rows:
            table.add_row(Text(r.reference), Text(r.status_label), crop(r.summary, 40), crop(r.category_name, 12),
                          key=r.reference)
        if self._enter_pending:
            self._enter_pending = False
            self._take()

    def action_move(self, step: int) -> None:
        table = self.query_one(DataTable)
        if table.row_count:
            table.move_cursor(row=max(0, min(table.row_count - 1, table.cursor_row + step)))

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self.rows_for != event.value:
            self._enter_pending = True
            return
        self._take()

    def _take(self) -> None:
        table = self.query_one(DataTable)
        if not self.rows or table.cursor_row < 0:
            self.notify("没有可选的诉求。", markup=False)
            return
        self.dismiss(self.rows[min(table.cursor_row, len(self.rows) - 1)].reference)

    def action_cancel(self) -> None:
        self.dismiss(None)
