"""登记诉求 (F2): the concern form a clerk fills while the resident talks.

Shortest path: type a few characters of the resident, Enter (best match), a few characters of
the category, Enter, the summary, Ctrl+S. Everything else has a default: channel 来访, nature
求助, urgency from the category, location from the resident's address, handling "leave it
已受理". Ctrl+S saves and shows the reference and deadlines; Ctrl+N saves and starts a fresh
form at once (a queue of residents). Before saving, open concerns of the same resident or
address in the same category (last 30 days) or with a very similar summary are shown, with a
choice to link the new one as a repeat, save it anyway, or look at the old one.
Esc with unsaved text asks first. Every query and the save run in thread workers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Input, OptionList, Select, Static, TextArea
from textual.widgets.option_list import Option

from grassroots_tui.services.errors import explain
from grassroots_tui.tui.screens.confirm import QuestionDialog
from grassroots_tui.tui.widgets.category_picker import CategoryPicker
from grassroots_tui.tui.widgets.footer import KeyBar
from grassroots_tui.tui.widgets.resident_lookup import ResidentLookup
from grassroots_tui.tui.widgets.text import crop, printable, safe
from grassroots_tui.tui.widgets.top_bar import TopBar

if TYPE_CHECKING:
    from grassroots_tui.services.concerns import ConcernView
    from grassroots_tui.services.intake import (
        CategoryOption,
        IntakeDraft,
        RepeatCandidate,
    )
    from grassroots_tui.services.residents import ConcernBrief, ResidentView

CHANNELS = [("来访", "walk_in"), ("来电", "phone"), ("网格巡查", "grid_patrol"), ("12345转办", "hotline"),
            ("上级交办", "assigned"), ("议事会/恳谈会", "meeting"), ("线上", "online")]
NATURES = [("求助", "help"), ("咨询", "inquiry"), ("投诉", "complaint"), ("举报", "report"),
           ("建议", "suggestion"), ("表扬", "praise")]
URGENCIES = [("一般", "ordinary"), ("民生保障", "utilities"), ("紧急", "emergency"), ("复杂疑难", "complex")]
HANDLINGS = [("暂不处理（已受理）", "none"), ("派单", "dispatch"), ("直接办理", "handle"), ("当场答复", "answer"),
             ("当场答复并办结（居民当场认可）", "answer_close")]
SATISFACTIONS = [("满意", "satisfied"), ("基本满意", "basic")]

# Which error line shows a service error, by the DomainError's field.
ERROR_LINES = {
    "resident": "resident", "resident_phone": "resident", "category": "category", "summary": "summary",
    "detail": "detail", "location": "location", "unit": "unit", "answer": "answer", "note": "answer",
    "urgency": "urgency", "channel": "channel", "nature": "nature", "repeat_of": "form",
    "name": "nr-name", "phone": "nr-phone", "address": "nr-address", "estate": "nr-address",
    "id_number": "nr-name", "id_type": "nr-name", "grid": "nr-address", "sex": "nr-name", "tags": "nr-name",
    "notes": "nr-name",
}


def when(value) -> str:  # noqa: ANN001
    return value.strftime("%Y-%m-%d %H:%M") if value else "-"


def resident_line(r: ResidentView) -> Text:
    line = Text("已选：", style="dim")
    line.append(r.name, style="bold")
    for part in (r.sex, r.phone_masked, " ".join(p for p in (r.estate, r.address) if p)):
        if part:
            line.append("  " + part)
    return safe(line)


def deadline_line(view: ConcernView) -> str:
    """What comes next for a concern just saved: its two deadlines, or that there are none."""
    if view.status == "closed":
        return f"当场办结（{when(view.closed_at)}），无需派单和回访"
    if view.status == "merged":
        return f"已并入 {view.merged_into}，在那件诉求上继续办理"
    return f"派单时限：{when(view.dispatch_due)}    反馈时限：{when(view.feedback_due)}"


def concern_summary(view: ConcernView) -> Text:
    """The confirmation after a save: reference and what comes next first."""
    t = Text()
    t.append("已登记诉求 ", style="bold")
    t.append(view.reference, style="bold green")
    t.append("\n" + deadline_line(view))
    t.append(f"\n状态：{view.status_label}    分类：{view.category} {view.category_name}")
    t.append("\n居民：")
    t.append(view.resident_name or "匿名")
    if view.resident_phone_masked:
        t.append(f"（{view.resident_phone_masked}）")
    if view.location:
        t.append("    地点：")
        t.append(view.location)
    if view.unit_name:
        t.append("    承办单位：")
        t.append(view.unit_name)
    t.append("\n摘要：")
    t.append(view.summary)
    return safe(t)


def concern_briefs(rows: list[tuple[str, str, str]], width: int, reference_style: str) -> Text:
    """`reference note` over the cropped summary, for each concern beside the form."""
    text = Text()
    for i, (reference, note, summary) in enumerate(rows):
        if i:
            text.append("\n")
        text.append(reference, style=reference_style)
        text.append(f" {note}\n")
        text.append_text(crop(summary, width))
    return safe(text)


class Row(Horizontal):
    """A label and its field on one line."""

    DEFAULT_CSS = """
    Row { height: auto; }
    Row > .label { width: 10; padding-right: 1; text-align: right; color: $text-muted; }
    Row > .field { width: 1fr; }
    """

    def __init__(self, label: str, *children, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(Static(Text(label), classes="label"), *children, **kwargs)


def error_line(name: str) -> Static:
    return Static("", id=f"{name}-error", classes="field-error", markup=False)


# ---------------------------------------------------------------------- dialogs

class DiscardDialog(QuestionDialog):
    """Esc with unsaved text: Esc again discards, Enter goes on editing."""

    BINDINGS = [
        Binding("escape,1", "choose(True)", "放弃", id="discard_yes", tooltip="放弃未保存的内容并返回"),
        Binding("enter,2", "choose(False)", "继续编辑", id="discard_no", tooltip="回到表单继续填写"),
    ]

    def question(self) -> Text:
        return Text.assemble(("有未保存的内容。\n\n", "bold"), "再按 Esc（或 1）放弃并离开；\n",
                             "按 Enter（或 2）继续编辑。")


class RepeatClosedDialog(ModalScreen["str | None"]):
    """The original of a repeat is closed: 1 reopens it (this call folded in), 2 logs a new linked one."""

    DEFAULT_CSS = """
    RepeatClosedDialog { align: center middle; }
    RepeatClosedDialog > Static { width: 64; height: auto; padding: 1 2; border: round $warning; background: $panel; }
    """
    BINDINGS = [
        Binding("1", "choose('reopen')", "重新打开原诉求", id="repeat_reopen",
                tooltip="重新打开已办结的原诉求，本次登记并入原诉求"),
        Binding("2", "choose('link')", "登记为新诉求", id="repeat_link_new", tooltip="原诉求保持办结，新登记一件并关联"),
        Binding("escape", "choose('')", "返回修改", id="repeat_closed_cancel", tooltip="回到表单"),
    ]

    def __init__(self, message: str) -> None:
        super().__init__()
        self.message = message

    def compose(self) -> ComposeResult:
        yield Static(Text.assemble((printable(self.message), "bold"), "\n\n",
                                   "按 1 重新打开原诉求（本次登记并入原诉求）；\n",
                                   "按 2 登记为新诉求并关联原诉求；\n", "按 Esc 返回表单。"), id="question")

    def action_choose(self, what: str) -> None:
        self.dismiss(what or None)


class RepeatDialog(ModalScreen["tuple[str, str] | None"]):
    """Possible repeats: 1 link as repeat and save, 2 save as new, 3 look at the old one, Esc back."""

    BINDINGS = [
        Binding("1", "choose('link')", "标为重复并保存", id="repeat_link", tooltip="把新诉求关联为所选旧诉求的重复诉求并保存"),
        Binding("2", "choose('new')", "仍作新诉求保存", id="repeat_new", tooltip="不关联，作为新诉求保存"),
        Binding("3,enter", "choose('open')", "打开旧诉求", id="repeat_open",
                tooltip="打开所选旧诉求的详情，可在那里办理（新诉求不保存，表单保留）"),
        Binding("escape", "cancel", "返回修改", id="repeat_cancel", tooltip="回到表单"),
    ]
    DEFAULT_CSS = """
    RepeatDialog { align: center middle; }
    RepeatDialog > Vertical { width: 90%; max-width: 100; height: auto; max-height: 90%;
                              border: round $warning; background: $panel; padding: 0 1; }
    RepeatDialog OptionList { height: auto; max-height: 12; }
    RepeatDialog .hint { color: $text-muted; }
    """

    def __init__(self, candidates: list[RepeatCandidate]) -> None:
        super().__init__()
        self.candidates = candidates

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text("可能是重复诉求（近30天内未办结）", style="bold"))
            options = []
            for c in self.candidates:
                label = Text.assemble((c.reference, "bold"), f"  {c.status_label}  {c.received_at:%m-%d}  ",
                                      (c.reason, "yellow"), "\n  ")
                label.append(c.summary)
                label.append(f"  {c.category_name}", style="dim")
                if c.resident_name:
                    label.append("  ")
                    label.append(c.resident_name, style="dim")
                options.append(Option(safe(label), id=c.reference))
            yield OptionList(*options, id="repeat-list")
            yield Static(Text("1 标为重复并保存   2 仍作为新诉求保存   3/Enter 打开旧诉求   Esc 返回修改"),
                         classes="hint")

    def on_mount(self) -> None:
        ol = self.query_one(OptionList)
        ol.highlighted = 0
        ol.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_choose("open")

    def action_choose(self, what: str) -> None:
        ol = self.query_one(OptionList)
        index = ol.highlighted or 0
        self.dismiss((what, self.candidates[index].reference))

    def action_cancel(self) -> None:
        self.dismiss(None)


class ConcernPeek(ModalScreen[None]):
    """A read-only look at an existing concern (from the repeat warning)."""

    BINDINGS = [Binding("escape,enter", "close", "关闭", id="peek_close", tooltip="关闭，回到表单")]
    DEFAULT_CSS = """
    ConcernPeek { align: center middle; }
    ConcernPeek > VerticalScroll { width: 90%; max-width: 100; height: auto; max-height: 90%;
                                   border: round $accent; background: $panel; padding: 0 1; }
    """

    def __init__(self, view: ConcernView) -> None:
        super().__init__()
        self.view = view

    def compose(self) -> ComposeResult:
        v = self.view
        text = Text.assemble((v.reference, "bold"), f"  {v.status_label}  ", (v.deadline_label, "yellow"))
        text.append("\n摘要：")
        text.append(v.summary)
        if v.detail:
            text.append("\n详情：")
            text.append(v.detail)
        text.append(f"\n分类：{v.category} {v.category_name}    受理：{when(v.received_at)}")
        text.append(f"\n派单时限：{when(v.dispatch_due)}    反馈时限：{when(v.feedback_due)}")
        text.append("\n居民：")
        text.append(v.resident_name or "匿名")
        if v.location:
            text.append("    地点：")
            text.append(v.location)
        if v.unit_name:
            text.append("    承办单位：")
            text.append(v.unit_name)
        if v.events:
            text.append("\n\n办理记录", style="bold")
            for e in v.events:
                text.append(f"\n{when(e.at)}  {e.action_label}  ")
                text.append(e.actor)
                if e.note:
                    text.append("  ")
                    text.append(e.note)
        text.append("\n\nEsc 关闭", style="dim")
        with VerticalScroll():
            yield Static(safe(text))

    def action_close(self) -> None:
        self.dismiss(None)


# ---------------------------------------------------------------------- the form

class IntakeScreen(Screen):
    """登记诉求."""

    BINDINGS = [
        Binding("ctrl+s", "save(False)", "保存", id="intake_save", tooltip="保存诉求，显示编号和办理时限"),
        Binding("ctrl+n", "save(True)", "保存并登记下一件", id="intake_save_next",
                tooltip="保存诉求并清空表单，接着登记下一位居民（已保存时直接开始新表单）"),
        Binding("escape", "back", "返回", id="intake_back", tooltip="回到工作台；有未保存的内容时先询问"),
        # The app's F-keys replace this screen: with unsaved text, ask first (same labels as the app's).
        Binding("f1", "leave('help')", "帮助", id="intake_leave_help", tooltip="列出当前屏幕可用的按键和说明"),
        Binding("f3", "leave('concerns')", "台账", id="intake_leave_concerns", tooltip="诉求台账（有未保存的内容时先询问）"),
        Binding("f4", "leave('meetings')", "议事", id="intake_leave_meetings", tooltip="议事协商（有未保存的内容时先询问）"),
        Binding("f5", "leave('residents')", "居民", id="intake_leave_residents", tooltip="居民台账（有未保存的内容时先询问）"),
        Binding("f6", "leave('statistics')", "统计", id="intake_leave_statistics", tooltip="统计分析（有未保存的内容时先询问）"),
    ]

    DEFAULT_CSS = """
    IntakeScreen #intake-notice { height: auto; padding: 0 1; display: none; }
    IntakeScreen #intake-notice.-ok { display: block; color: $success; }
    IntakeScreen #intake-notice.-error { display: block; color: $error; }
    IntakeScreen #intake-body { height: 1fr; }
    IntakeScreen #intake-form { width: 1fr; height: 1fr; padding: 0 1 0 0; }
    IntakeScreen #intake-side { width: 30; height: 1fr; border-left: vkey $primary-darken-2; padding: 0 1; }
    IntakeScreen.-wide #intake-side { width: 60; }
    IntakeScreen .side-title { text-style: bold; }
    IntakeScreen #repeat-title { color: $warning; margin-top: 1; }
    IntakeScreen .field-error { color: $error; padding-left: 10; height: auto; display: none; }
    IntakeScreen .field-error.-shown { display: block; }
    IntakeScreen #resident-chosen { padding-left: 10; height: auto; }
    IntakeScreen #new-resident { height: auto; display: none; border-left: thick $accent; }
    IntakeScreen #new-resident.-shown { display: block; }
    IntakeScreen TextArea#detail { height: 3; border: none; padding: 0; }
    IntakeScreen Input { border: none; }
    IntakeScreen #unit-row, IntakeScreen #answer-row, IntakeScreen #satisfaction-row { display: none; }
    IntakeScreen #unit-row.-shown, IntakeScreen #answer-row.-shown, IntakeScreen #satisfaction-row.-shown {
        display: block;
    }
    IntakeScreen #intake-done { display: none; padding: 1 2; height: 1fr; }
    IntakeScreen.-done #intake-done { display: block; }
    IntakeScreen.-done #intake-body { display: none; }
    """

    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (140, "-wide")]
    AUTO_FOCUS = "#lookup-input"

    def __init__(self) -> None:
        super().__init__(name="new_concern", classes="section-screen")
        from grassroots_tui.tui.screens.planned import SECTIONS

        self.section = SECTIONS["new_concern"]
        self.resident: ResidentView | None = None
        self.resident_mode = "none"  # none · resident · new · anonymous
        self.category: CategoryOption | None = None
        self.location_auto = ""
        self.urgency_auto = "ordinary"
        self._programmatic: dict[str, Any] = {}
        self.saving = False
        self.saved: ConcernView | None = None  # the last concern saved from this screen
        self.saves = 0
        self._repeat_address: tuple[str, str, str] | None = None
        self._unit_options: list[tuple[str, str]] = []

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        yield TopBar("登记诉求")
        yield Static("", id="intake-notice", markup=False)
        with Horizontal(id="intake-body"):
            with VerticalScroll(id="intake-form", can_focus=False):
                yield Row("居民", ResidentLookup(id="resident", allow_new=True, allow_anonymous=True,
                                                 placeholder="姓名 拼音 手机尾号 3-2-301；空=匿名",
                                                 classes="field"))
                yield Static("", id="resident-chosen", markup=False)
                yield error_line("resident")
                with Vertical(id="new-resident"):
                    yield Row("姓名", Input(id="nr-name", compact=True, classes="field"))
                    yield error_line("nr-name")
                    yield Row("手机", Input(id="nr-phone", compact=True, classes="field",
                                            placeholder="手机或座机，可不填"))
                    yield error_line("nr-phone")
                    yield Row("地址", Input(id="nr-address", compact=True, classes="field",
                                            placeholder="3-2-301 或 3号楼2单元301室"))
                    yield error_line("nr-address")
                yield Row("分类", CategoryPicker(id="category", classes="field"))
                yield error_line("category")
                yield Row("摘要", Input(id="summary", compact=True, classes="field", placeholder="一句话说明诉求"))
                yield error_line("summary")
                yield Row("详情", TextArea(id="detail", classes="field"))
                yield error_line("detail")
                yield Row("来源", Select(CHANNELS, value="walk_in", allow_blank=False, compact=True, id="channel",
                                         classes="field"))
                yield Row("性质", Select(NATURES, value="help", allow_blank=False, compact=True, id="nature",
                                         classes="field"))
                yield Row("紧急程度", Select(URGENCIES, value="ordinary", allow_blank=False, compact=True,
                                             id="urgency", classes="field"))
                yield Row("地点", Input(id="location", compact=True, classes="field",
                                        placeholder="默认为居民住址；可写 3-2-301 或文字"))
                yield error_line("location")
                yield Row("办理", Select(HANDLINGS, value="none", allow_blank=False, compact=True, id="handling",
                                         classes="field"))
                yield Row("承办单位", Select([], prompt="选择承办单位", compact=True, id="unit", classes="field"),
                          id="unit-row")
                yield error_line("unit")
                yield Row("答复内容", Input(id="answer", compact=True, classes="field"), id="answer-row")
                yield error_line("answer")
                yield Row("居民评价", Select(SATISFACTIONS, value="satisfied", allow_blank=False, compact=True,
                                             id="satisfaction", classes="field"), id="satisfaction-row")
                yield error_line("satisfaction")
                yield error_line("form")
            with Vertical(id="intake-side"):
                yield Static(Text("在办诉求"), classes="side-title", id="open-title")
                yield Static(Text("选择居民后显示", style="dim"), id="open-list")
                yield Static(Text("可能重复"), classes="side-title", id="repeat-title")
                yield Static(Text("无", style="dim"), id="repeat-list")
        yield Static("", id="intake-done")
        yield KeyBar()

    def on_mount(self) -> None:
        # Children handed to a Row's constructor mount a moment after the screen itself.
        self.call_after_refresh(lambda: self.query_one("#resident", ResidentLookup).focus())
        if hasattr(self.app, "clerk_name"):
            # Set once the database has opened (F2 may come first): then read the units.
            self.watch(self.app, "clerk_name", self._workspace_ready, init=True)

    def _workspace_ready(self, _clerk_name: str = "") -> None:
        ws = getattr(self.app, "ws", None)
        if ws is not None and not self._unit_options:
            self._load_units(ws)

    # ------------------------------------------------------------------ helpers

    @property
    def ws(self):  # noqa: ANN201
        return getattr(self.app, "ws", None)

    def _set_select(self, widget_id: str, value: Any) -> None:
        select = self.query_one(f"#{widget_id}", Select)
        if select.value != value:
            self._programmatic[widget_id] = value
            select.value = value

    def _set_input(self, widget_id: str, value: str) -> None:
        self.query_one(f"#{widget_id}", Input).value = value

    def show_error(self, field: str | None, message: str) -> None:
        line = ERROR_LINES.get(field or "", "form")
        if line.startswith("nr-") and self.resident_mode != "new":
            line = "resident"
        target = self.query_one(f"#{line}-error", Static)
        target.update(Text(printable(message)))
        target.add_class("-shown")
        focus_id = {"resident": "#resident", "category": "#category", "summary": "#summary", "detail": "#detail",
                    "location": "#location", "unit": "#unit", "answer": "#answer", "nr-name": "#nr-name",
                    "nr-phone": "#nr-phone", "nr-address": "#nr-address"}.get(line)
        if focus_id:
            self.query_one(focus_id).focus()
        target.scroll_visible()

    def clear_errors(self) -> None:
        for line in self.query(".field-error"):
            line.remove_class("-shown")
            line.update("")  # type: ignore[attr-defined]
        notice = self.query_one("#intake-notice", Static)
        notice.remove_class("-error")

    def notice(self, message: str, ok: bool = True) -> None:
        n = self.query_one("#intake-notice", Static)
        n.update(Text(printable(message)))
        n.set_class(ok, "-ok")
        n.set_class(not ok, "-error")

    def is_dirty(self) -> bool:
        if self.has_class("-done"):
            return False
        values = [self.query_one("#resident", ResidentLookup).value,
                  self.query_one("#category", CategoryPicker).input.value,
                  self.query_one("#summary", Input).value, self.query_one("#detail", TextArea).text,
                  self.query_one("#answer", Input).value, self.query_one("#nr-phone", Input).value,
                  self.query_one("#nr-address", Input).value]
        location = self.query_one("#location", Input).value
        return any(v.strip() for v in values) or (location.strip() and location != self.location_auto)

    # ------------------------------------------------------------------ resident

    @on(ResidentLookup.Chosen, "#resident")
    def _resident_chosen(self, event: ResidentLookup.Chosen) -> None:
        self.query_one("#resident-error").remove_class("-shown")
        chosen = self.query_one("#resident-chosen", Static)
        new_box = self.query_one("#new-resident")
        self.resident_mode = event.kind
        if event.kind == "resident" and event.resident is not None:
            self.resident = event.resident
            chosen.update(resident_line(event.resident))
            new_box.remove_class("-shown")
            place = printable(" ".join(p for p in (event.resident.estate, event.resident.address) if p))
            location = self.query_one("#location", Input)
            if not location.value.strip() or location.value == self.location_auto:
                location.value = place
            self.location_auto = place
            self._load_open(self.ws, event.resident.id)
            self.query_one("#category", CategoryPicker).focus()
            self._refresh_repeats()
        elif event.kind == "new":
            self.resident = None
            chosen.update(Text("新建居民：保存诉求时一并登记", style="dim"))
            new_box.add_class("-shown")
            self.query_one("#nr-name", Input).value = event.query
            self._clear_location_auto()
            self.query_one("#open-list", Static).update(Text("新居民，无在办诉求", style="dim"))
            self.query_one("#nr-phone", Input).focus()
        else:
            self.resident = None
            chosen.update(Text("匿名登记（不关联居民）", style="dim"))
            new_box.remove_class("-shown")
            lookup = self.query_one("#resident", ResidentLookup)
            lookup.set_resident(None, "")
            self._clear_location_auto()
            self.query_one("#open-list", Static).update(Text("匿名，无在办诉求", style="dim"))
            self.query_one("#category", CategoryPicker).focus()

    def _clear_location_auto(self) -> None:
        location = self.query_one("#location", Input)
        if location.value == self.location_auto:
            location.value = ""
        self.location_auto = ""

    @on(Input.Changed, "#lookup-input")
    def _lookup_edited(self, event: Input.Changed) -> None:
        # The clerk typed again after choosing: the choice no longer holds.
        lookup = self.query_one("#resident", ResidentLookup)
        if self.resident is not None and lookup.resident is None:
            self.resident = None
            self.resident_mode = "none"
            self.query_one("#resident-chosen", Static).update("")
            self._clear_location_auto()
        elif self.resident_mode == "anonymous" and event.value.strip():
            self.resident_mode = "none"
            self.query_one("#resident-chosen", Static).update("")

    @on(Input.Submitted, "#nr-name, #nr-phone")
    def _next_new_field(self, event: Input.Submitted) -> None:
        event.stop()
        self.focus_next()

    @on(Input.Submitted, "#nr-address")
    def _new_done(self, event: Input.Submitted) -> None:
        event.stop()
        self.query_one("#category", CategoryPicker).focus()

    @work(thread=True, exclusive=True, group="intake-open", exit_on_error=False)
    def _load_open(self, ws, resident_id: int) -> None:  # noqa: ANN001
        if ws is None:
            return
        from grassroots_tui.services.residents import open_concerns_of

        rows = open_concerns_of(ws, resident_id)
        self.app.call_from_thread(self._show_open, rows)

    def _show_open(self, rows: list[ConcernBrief]) -> None:
        widget = self.query_one("#open-list", Static)
        self.query_one("#open-title", Static).update(Text(f"在办诉求 {len(rows)} 件" if rows else "在办诉求"))
        if not rows:
            widget.update(Text("无", style="dim"))
            return
        widget.update(concern_briefs([(c.reference, c.status_label, c.summary) for c in rows],
                                     max(10, widget.size.width or 28), "bold"))

    # ------------------------------------------------------------------ category, selects

    @on(CategoryPicker.Chosen, "#category")
    def _category_chosen(self, event: CategoryPicker.Chosen) -> None:
        self.query_one("#category-error").remove_class("-shown")
        self.category = event.category
        select = self.query_one("#urgency", Select)
        if select.value == self.urgency_auto:
            self._set_select("urgency", event.category.urgency)
        self.urgency_auto = event.category.urgency
        if event.category.unit:
            unit = self.query_one("#unit", Select)
            if unit.is_blank():
                self._set_unit_default(event.category.unit)
        self.query_one("#summary", Input).focus()
        self._refresh_repeats()

    def _set_unit_default(self, code: str) -> None:
        unit = self.query_one("#unit", Select)
        if any(value == code for _label, value in getattr(self, "_unit_options", [])):
            unit.value = code

    @on(Input.Submitted, "#summary, #location")
    def _summary_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.focus_next()
        if event.input.id == "summary":
            self._refresh_repeats()

    @on(Select.Changed, "#handling")
    def _handling_changed(self, event: Select.Changed) -> None:
        value = event.value
        self.query_one("#unit-row").set_class(value in ("dispatch", "handle"), "-shown")
        self.query_one("#answer-row").set_class(value in ("answer", "answer_close"), "-shown")
        self.query_one("#satisfaction-row").set_class(value == "answer_close", "-shown")
        if value in ("dispatch", "handle") and self.category and self.category.unit:
            if self.query_one("#unit", Select).is_blank():
                self._set_unit_default(self.category.unit)

    @work(thread=True, exclusive=True, group="intake-units", exit_on_error=False)
    def _load_units(self, ws) -> None:  # noqa: ANN001
        from grassroots_tui.services.intake import list_units

        units = list_units(ws)
        self.app.call_from_thread(self._units_loaded, [(f"{u.name}（{u.code}）", u.code) for u in units])

    def _units_loaded(self, options: list[tuple[str, str]]) -> None:
        self._unit_options = options
        self.query_one("#unit", Select).set_options(options)
        if self.category and self.category.unit:
            self._set_unit_default(self.category.unit)

    # ------------------------------------------------------------------ repeats (live, beside the form)

    def _repeat_query(self) -> dict:
        return {
            "resident_id": self.resident.id if self.resident else None,
            "category": self.category.code if self.category else None,
            "summary": self.query_one("#summary", Input).value,
            "address": self._address_tuple(),
        }

    def _address_tuple(self) -> tuple[str, str, str] | None:
        from grassroots_tui.domain.validation import parse_address_shorthand

        if self.resident and self.resident.address.count("-") == 2:
            b, u, r = self.resident.address.split("-")
            return (b, u, r)
        raw = self.query_one("#location", Input).value.strip().rpartition(" ")[2]
        short = parse_address_shorthand(raw) if raw else None
        return (short.building, short.unit, short.room) if short else None

    def _refresh_repeats(self) -> None:
        if self.ws is not None:
            self._load_repeats(self.ws, self._repeat_query())

    @work(thread=True, exclusive=True, group="intake-repeats", exit_on_error=False)
    def _load_repeats(self, ws, query: dict) -> None:  # noqa: ANN001
        from grassroots_tui.services.intake import find_repeats

        rows = find_repeats(ws, **query)
        self.app.call_from_thread(self._show_repeats, rows)

    def _show_repeats(self, rows: list[RepeatCandidate]) -> None:
        widget = self.query_one("#repeat-list", Static)
        if not rows:
            widget.update(Text("无", style="dim"))
            return
        widget.update(concern_briefs([(c.reference, c.reason, c.summary) for c in rows],
                                     max(10, widget.size.width or 28), "bold yellow"))

    # ------------------------------------------------------------------ saving

    def collect(self) -> IntakeDraft | None:
        """The draft from the form, or None after showing what is missing beside the field."""
        from grassroots_tui.services.intake import IntakeDraft
        from grassroots_tui.services.residents import ResidentDraft

        self.clear_errors()
        lookup = self.query_one("#resident", ResidentLookup)
        new_resident = None
        if self.resident_mode == "new":
            new_resident = ResidentDraft(name=self.query_one("#nr-name", Input).value,
                                         phone=self.query_one("#nr-phone", Input).value,
                                         address=self.query_one("#nr-address", Input).value)
        elif self.resident is None and self.resident_mode != "anonymous" and lookup.value.strip():
            self.show_error("resident", "请在候选中选择居民后按 Enter，或选“新建居民”“匿名登记”；留空也是匿名。")
            return None
        if self.category is None:
            self.show_error("category", "请输入编码、名称或拼音首字母，在候选中按 Enter 选定分类。")
            return None
        location = self.query_one("#location", Input).value
        if location == self.location_auto:
            location = ""
        handling = self.query_one("#handling", Select).value
        unit = self.query_one("#unit", Select)
        return IntakeDraft(
            summary=self.query_one("#summary", Input).value, category=self.category.code,
            detail=self.query_one("#detail", TextArea).text,
            channel=str(self.query_one("#channel", Select).value), nature=str(self.query_one("#nature", Select).value),
            urgency=str(self.query_one("#urgency", Select).value), resident_id=self.resident.id if self.resident else None,
            new_resident=new_resident, location=location, handling=str(handling),
            unit=None if unit.is_blank() else str(unit.value), answer=self.query_one("#answer", Input).value,
            satisfaction=str(self.query_one("#satisfaction", Select).value),
        )

    def action_save(self, and_next: bool) -> None:
        if self.has_class("-done"):
            if and_next:
                self.reset_form()
            else:
                self.notify("已保存。按 Ctrl+N 登记下一件，Esc 返回工作台。", markup=False)
            return
        if self.saving or self.ws is None:
            return
        draft = self.collect()
        if draft is None:
            return
        self.saving = True
        self._repeat_address = self._address_tuple()
        self._save(self.ws, self.app.clerk.id, draft, and_next, True)

    @work(thread=True, exclusive=True, group="intake-save", exit_on_error=False)
    def _save(self, ws, actor_id: int, draft: IntakeDraft, and_next: bool, check_repeats: bool) -> None:  # noqa: ANN001
        from grassroots_tui.domain.errors import DomainError
        from grassroots_tui.services.concerns import RepeatOfClosed
        from grassroots_tui.services.intake import find_repeats, save_intake

        try:
            if check_repeats and not draft.repeat_of:
                repeats = find_repeats(ws, resident_id=draft.resident_id, category=draft.category,
                                       address=self._repeat_address, summary=draft.summary)
                if repeats:
                    self.app.call_from_thread(self._ask_repeat, repeats, draft, and_next)
                    return
            result = save_intake(ws, actor_id, draft)
        except RepeatOfClosed as exc:
            self.app.call_from_thread(self._ask_repeat_closed, exc.message, draft, and_next)
        except DomainError as exc:
            self.app.call_from_thread(self._save_failed, exc.field, exc.message)
        except Exception as exc:  # noqa: BLE001 - a sentence for the clerk, the trace for the log
            self.log.error("intake save failed", exc)
            self.app.call_from_thread(self._save_failed, None, explain(exc, "保存"))
        else:
            self.app.call_from_thread(self._saved, result.concern, and_next, draft.repeat_of, result.warnings)

    def _ask_repeat_closed(self, message: str, draft: IntakeDraft, and_next: bool) -> None:
        def chosen(what: str | None) -> None:
            if what is None:
                self.saving = False
                self.notice("未保存：" + message, ok=False)
                return
            draft.repeat_closed = what
            self._save(self.ws, self.app.clerk.id, draft, and_next, False)

        self.app.push_screen(RepeatClosedDialog(message), chosen)

    def _ask_repeat(self, repeats: list[RepeatCandidate], draft: IntakeDraft, and_next: bool) -> None:
        def chosen(answer: tuple[str, str] | None) -> None:
            if answer is None:
                self.saving = False
                return
            what, reference = answer
            if what == "open":
                self.saving = False
                self.open_concern(reference)
                return
            if what == "link":
                draft.repeat_of = reference
            self._save(self.ws, self.app.clerk.id, draft, and_next, False)

        self.app.push_screen(RepeatDialog(repeats), chosen)

    def open_concern(self, reference: str) -> None:
        """The old concern in the ledger's detail screen (its actions too); Esc comes back here."""
        try:
            from grassroots_tui.tui.screens.concern_detail import ConcernDetailScreen
        except ImportError:
            self._peek(self.ws, reference)
        else:
            self.app.push_screen(ConcernDetailScreen(reference))

    @work(thread=True, group="intake-peek", exit_on_error=False)
    def _peek(self, ws, reference: str) -> None:  # noqa: ANN001
        from grassroots_tui.services.concerns import get_concern

        view = get_concern(ws, reference)
        self.app.call_from_thread(self.app.push_screen, ConcernPeek(view))

    def _save_failed(self, field: str | None, message: str) -> None:
        self.saving = False
        self.show_error(field, message)
        self.notice("未保存：" + message, ok=False)

    def _saved(self, view: ConcernView, and_next: bool, repeat_of: str | None = None,
               warnings: list[str] | None = None) -> None:
        self.saving = False
        self.saved = view
        self.saves += 1
        repeat_of = view.repeat_of or repeat_of
        repeat = f"（{repeat_of} 的重复诉求）" if repeat_of else ""
        if warnings:
            self.notify("；".join(warnings), markup=False)
        calendar = self._calendar_notice(view)
        if and_next:
            self.reset_form()
            self.notice(f"已登记 {view.reference}{repeat}：{deadline_line(view)}" + (f"（{calendar}）" if calendar else ""))
        else:
            done = self.query_one("#intake-done", Static)
            text = concern_summary(view)
            if calendar:
                text.append("\n" + calendar, style="bold")
            if repeat:
                text.append("\n已关联为 " + repeat.strip("（）"))
            text.append("\n\nCtrl+N 登记下一件    Esc 返回工作台", style="dim")
            done.update(text)
            self.add_class("-done")
            self.set_focus(None)
        self.app.refresh_bindings()

    def _calendar_notice(self, view: ConcernView) -> str | None:
        """"2027年放假调休安排尚未载入，…" when a deadline falls in a year not yet scheduled."""
        from grassroots_tui.domain.calendar import schedule_notice

        ws = self.app.ws
        days = [d.date() for d in (view.dispatch_due, view.feedback_due) if d is not None]
        return schedule_notice(ws.settings.calendar, days) if ws is not None and days else None

    def reset_form(self) -> None:
        self.remove_class("-done")
        self.clear_errors()
        self.query_one("#intake-notice", Static).set_classes("")
        self.query_one("#resident", ResidentLookup).clear()
        self.query_one("#category", CategoryPicker).clear()
        for widget_id in ("summary", "location", "answer", "nr-name", "nr-phone", "nr-address"):
            self._set_input(widget_id, "")
        self.query_one("#detail", TextArea).text = ""
        for widget_id, value in (("channel", "walk_in"), ("nature", "help"), ("urgency", "ordinary"),
                                 ("handling", "none")):
            self._set_select(widget_id, value)
        self.query_one("#unit", Select).clear()
        self.query_one("#resident-chosen", Static).update("")
        self.query_one("#new-resident").remove_class("-shown")
        self.query_one("#open-list", Static).update(Text("选择居民后显示", style="dim"))
        self.query_one("#open-title", Static).update(Text("在办诉求"))
        self.query_one("#repeat-list", Static).update(Text("无", style="dim"))
        self.resident, self.resident_mode, self.category = None, "none", None
        self.location_auto, self.urgency_auto = "", "ordinary"
        self.query_one("#resident", ResidentLookup).focus()

    # ------------------------------------------------------------------ leaving

    def action_back(self) -> None:
        self._leave_then(self.app.action_dashboard)

    def action_leave(self, target: str) -> None:
        if target == "help":
            self._leave_then(self.app.action_help)
        else:
            self._leave_then(lambda: self.app.action_open_section(target))

    def _leave_then(self, go) -> None:  # noqa: ANN001
        if not self.is_dirty():
            go()
            return

        def answered(discard: bool | None) -> None:
            if discard:
                go()

        self.app.push_screen(DiscardDialog(), answered)
