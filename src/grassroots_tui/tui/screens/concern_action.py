"""The small forms of the pipeline: one a transition, asking only what that step needs.

`ActionMenu` lists the actions the concern's state allows (digits 1-9 pick one);
`ConcernActionForm` asks for the unit, the reason, the new deadline, the outcome and
satisfaction... carries the action out in a worker with the version the clerk saw, and
dismisses with an `ActionDone`. A concurrent change by another clerk comes back as
`ActionDone(stale=True)` so the screen underneath reloads and shows the fresh state.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Checkbox, Input, Select, Static

from grassroots_tui.domain.codes import Action, Outcome, Satisfaction, Supervision
from grassroots_tui.services.errors import explain
from grassroots_tui.tui.screens.choice_menu import ChoiceMenu
from grassroots_tui.tui.widgets.text import printable, printable_line

if TYPE_CHECKING:
    from grassroots_tui.services.concerns import ConcernView

# What each action asks for, in order. `note` is last so Enter in it saves.
FIELDS: dict[str, tuple[str, ...]] = {
    "dispatch": ("unit", "note"),
    "handle": ("note",),
    "answer": ("confirmed", "outcome", "satisfaction", "note"),
    "reject": ("note",),
    "merge": ("merge_into", "note"),
    "sign": ("note",),
    "return": ("note",),
    "extend": ("until", "note"),
    "park": ("until", "note"),
    "review": ("until", "note"),
    "resume": ("note",),
    "report": ("note",),
    "followup": ("contacted", "outcome", "satisfaction", "note"),
    "reopen": ("note",),
    "agenda": ("meeting", "note"),
    "supervise": ("supervision", "note"),
    "confirm": ("note",),
}

NOTE_LABEL = {
    "answer": "答复内容（必填）", "reject": "不予受理理由（必填）", "return": "退单理由（必填）",
    "extend": "延期理由（必填）", "park": "挂账原因（必填）", "report": "办理情况（必填）",
    "followup": "回访记录", "reopen": "重新打开理由（必填）", "merge": "说明",
    "review": "复核情况（必填）", "confirm": "完成情况",
}
# The date field asks for the new deadline when extending, the next review date when parking.
UNTIL_LABEL = {"park": "下次复核日期（不填则30天后）", "review": "下次复核日期（不填则30天后）"}
OPTIONAL_UNTIL = frozenset(UNTIL_LABEL)
LABELS = {
    "unit": "承办单位", "until": "新的办理期限（如 2026-10-20）", "outcome": "办理结果", "satisfaction": "居民满意度",
    "supervision": "督办级别", "merge_into": "合并到诉求编号", "meeting": "会议编号",
    "confirmed": "居民当场确认（直接办结）", "contacted": "已联系到居民",
}
# Where a DomainError's field is shown.
ERROR_FIELD = {"unit": "unit", "note": "note", "until": "until", "outcome": "outcome",
               "satisfaction": "satisfaction", "supervision": "supervision", "merge_into": "merge_into",
               "meeting": "meeting"}


@dataclass(frozen=True)
class ActionDone:
    """What a form reports back: the fresh view, or a refusal because someone else changed it first."""

    view: ConcernView | None
    message: str
    stale: bool = False


class ActionMenu(ChoiceMenu):
    """The actions a concern's state allows; a digit or Enter picks one, Esc cancels."""

    def __init__(self, reference: str, status_label: str, actions: list[str]) -> None:
        super().__init__(f"{reference}（{status_label}）可执行的操作",
                         [(a, Action(a).label) for a in actions],
                         hint="数字键或上下键加 Enter 选择，Esc 取消", name="action_menu")
        self.reference = reference
        self.status_label = status_label
        self.actions = actions


class ConcernActionForm(ModalScreen[ActionDone | None]):
    """One transition's form. Ctrl+S or Enter in the last field saves; Esc cancels."""

    BINDINGS = [
        Binding("ctrl+s", "save", "保存", id="action_save", tooltip="执行此操作并记入办理记录"),
        Binding("escape", "cancel", "取消", id="action_cancel", tooltip="不执行，关闭表单"),
    ]

    DEFAULT_CSS = """
    ConcernActionForm { align: center middle; }
    #action-form { width: 72; max-width: 100%; height: auto; max-height: 100%; border: round $accent;
                   background: $surface; padding: 0 1; }
    #action-form .field-label { margin-top: 1; color: $text-muted; }
    #action-form .field-error { color: $error; height: auto; display: none; }
    #action-form .field-error.-shown { display: block; }
    #action-form Input, #action-form Select { width: 100%; }
    #action-form-error { color: $error; height: auto; }
    #action-form-hint { color: $text-muted; margin-top: 1; }
    """

    def __init__(self, view: ConcernView, action: str, *, units: list[tuple[str, str]] | None = None,
                 default_unit: str | None = None, today: Any = None) -> None:
        super().__init__(name="concern_action")
        self.view = view
        self.action = Action(action)
        self.units = units or []
        self.default_unit = default_unit
        self.today = today
        self.busy = False

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        v = self.view
        with VerticalScroll(id="action-form"):
            yield Static(Text.assemble((f"{self.action.label} ", "bold"), v.reference,
                                       (f"（当前：{v.status_label}）", "dim")), id="action-form-title")
            yield Static(Text(printable(v.summary), style="dim"), id="action-form-summary")
            for name in FIELDS[self.action.value]:
                yield from self._field(name)
            yield Static(Text(""), id="action-form-error")
            yield Static(Text("Ctrl+S 保存（在最后一栏按 Enter 也可），Esc 取消"), id="action-form-hint")

    def _field(self, name: str) -> ComposeResult:
        if name in ("confirmed", "contacted"):
            yield Checkbox(LABELS[name], value=(name == "contacted"), id=f"f-{name}", compact=True)
            return
        label = NOTE_LABEL.get(self.action.value, "备注") if name == "note" else LABELS[name]
        if name == "until":
            label = UNTIL_LABEL.get(self.action.value, label)
        yield Static(Text(label), classes="field-label")
        if name == "unit":
            options = [(Text(printable_line(f"{uname}（{code}）")), code) for code, uname in self.units]
            yield Select(options, value=self.default_unit if self.default_unit in dict(self.units) else Select.NULL,
                         prompt="选择承办单位", id="f-unit", allow_blank=True, compact=True)
        elif name == "outcome":
            yield Select([(Text(o.label), o.value) for o in Outcome], prompt="选择办理结果", id="f-outcome", compact=True)
        elif name == "satisfaction":
            yield Select([(Text(s.label), s.value) for s in Satisfaction], prompt="选择满意度", id="f-satisfaction", compact=True)
        elif name == "supervision":
            yield Select([(Text(s.label), s.value) for s in Supervision], prompt="选择督办级别", id="f-supervision", compact=True)
        else:
            placeholder = {"until": "年-月-日，如 2026-10-20", "merge_into": "如 SQ-2026-000123",
                           "meeting": "如 YS-2026-0001"}.get(name, "")
            yield Input(placeholder=placeholder, id=f"f-{name}", compact=True)
        yield Static(Text(""), classes="field-error", id=f"err-{name}")

    def on_mount(self) -> None:
        first = FIELDS[self.action.value][0]
        if first == "unit" and self.default_unit in dict(self.units):
            first = "note"
        self.query_one(f"#f-{first}").focus()

    # ------------------------------------------------------------------ saving

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == f"f-{FIELDS[self.action.value][-1]}":
            self.action_save()
        else:
            self.focus_next()

    def action_cancel(self) -> None:
        if not self.busy:
            self.dismiss(None)

    def _value(self, name: str) -> Any:
        if name not in FIELDS[self.action.value]:
            return None
        widget = self.query_one(f"#f-{name}")
        if isinstance(widget, Select):
            return None if widget.value is Select.NULL else widget.value
        if isinstance(widget, Checkbox):
            return widget.value
        return widget.value  # type: ignore[attr-defined]

    def _clear_errors(self) -> None:
        for err in self.query(".field-error"):
            err.update(Text(""))  # type: ignore[attr-defined]
            err.remove_class("-shown")
        self.query_one("#action-form-error", Static).update(Text(""))

    def show_error(self, message: str, field: str | None) -> None:
        target = ERROR_FIELD.get(field or "")
        if target and target in FIELDS[self.action.value]:
            err = self.query_one(f"#err-{target}", Static)
            err.update(Text(printable(message)))
            err.add_class("-shown")
            self.query_one(f"#f-{target}").focus()
        else:
            self.query_one("#action-form-error", Static).update(Text(printable(message)))

    def action_save(self) -> None:
        if self.busy:
            return
        from grassroots_tui.domain.errors import DomainError
        from grassroots_tui.domain.pipeline import Request

        self._clear_errors()
        try:
            until = None
            raw_until = self._value("until")
            if raw_until is not None and (str(raw_until).strip() or self.action.value not in OPTIONAL_UNTIL):
                from grassroots_tui.domain.dates import parse_date

                what = "复核日期" if self.action.value in OPTIONAL_UNTIL else "新的期限"
                if not str(raw_until).strip():
                    raise DomainError("请填写新的办理期限，如 2026-10-20。", "until")
                until = (parse_date(raw_until, self.today, "until", what=what, direction="future")
                         if self.today else None)
            request = Request(
                action=self.action,
                note=(self._value("note") or "").strip(),
                unit_code=self._value("unit"),
                until=until,
                outcome=Outcome(self._value("outcome")) if self._value("outcome") else None,
                satisfaction=Satisfaction(self._value("satisfaction")) if self._value("satisfaction") else None,
                supervision=Supervision(self._value("supervision")) if self._value("supervision") else None,
                merge_into=(self._value("merge_into") or "").strip() or None,
                meeting_ref=(self._value("meeting") or "").strip() or None,
                confirmed=bool(self._value("confirmed")),
                contacted=True if self._value("contacted") is None else bool(self._value("contacted")),
            )
        except DomainError as exc:
            self.show_error(exc.message, exc.field)
            return
        self.busy = True
        self.query_one("#action-form-error", Static).update(Text("正在保存", style="dim"))
        self._run(request)

    @work(thread=True, exclusive=True, group="concern-action", exit_on_error=False)
    def _run(self, request: Any) -> None:
        from grassroots_tui.domain.errors import DomainError, StaleVersion
        from grassroots_tui.services.concerns import act

        app = self.app
        try:
            view = act(app.ws, app.clerk.id, self.view.reference, request,  # type: ignore[attr-defined]
                       expected_version=self.view.version)
        except StaleVersion as exc:
            app.call_from_thread(self.dismiss, ActionDone(None, exc.message, stale=True))
            return
        except DomainError as exc:
            app.call_from_thread(self._failed, exc.message, exc.field)
            return
        except Exception as exc:  # noqa: BLE001 - shown to the clerk
            app.call_from_thread(self._failed, explain(exc, "保存"), None)
            return
        app.call_from_thread(self.dismiss, ActionDone(view, f"已{self.action.label}：{view.reference}"
                                                            f"，当前状态：{view.status_label}"))

    def _failed(self, message: str, field: str | None) -> None:
        self.busy = False
        self.query_one("#action-form-error", Static).update(Text(""))
        self.show_error(message, field)


class ActionLauncher:
    """Mixin for screens that start pipeline actions (the ledger and the detail view).

    `launch_action(reference, seen_version, action=None)` reads the concern fresh in a
    worker; if its version is no longer the one the clerk saw, the clerk is told and the
    screen reloads instead of acting on stale data. Otherwise the menu (no action given)
    or the form opens. `quick_dispatch` sends the concern to its category's default unit
    at once (派单 in one key) and falls back to the form when the category has none.
    The screen implements `action_finished(done: ActionDone)`.
    """

    def launch_action(self, reference: str, seen_version: int | None, action: str | None = None) -> None:
        self._load_for_action(reference, seen_version, action, False)

    def quick_dispatch(self, reference: str, seen_version: int | None) -> None:
        self._load_for_action(reference, seen_version, "dispatch", True)

    @work(thread=True, exclusive=True, group="action-load", exit_on_error=False)
    def _load_for_action(self, reference: str, seen_version: int | None, action: str | None, quick: bool) -> None:
        from grassroots_tui.domain.errors import DomainError, StaleVersion
        from grassroots_tui.domain.pipeline import Request
        from grassroots_tui.services.concerns import act, get_concern
        from grassroots_tui.services.ledger import default_unit_for, unit_choices

        app = self.app  # type: ignore[attr-defined]
        try:
            view = get_concern(app.ws, reference, with_events=False)
            if seen_version is not None and view.version != seen_version:
                raise StaleVersion(f"{view.reference} 刚被其他人修改过，已显示最新状态，请确认后再操作。", "version")
            if action is not None and action not in view.allowed_actions:
                raise DomainError(f"{view.reference} 当前状态为“{view.status_label}”，不能{Action(action).label}。"
                                  f"此状态可以：{'、'.join(Action(a).label for a in view.allowed_actions) or '无'}。",
                                  "action")
            unit, unit_name = default_unit_for(app.ws, view.reference)
            if quick and unit:
                done = act(app.ws, app.clerk.id, view.reference, Request(Action.DISPATCH, unit_code=unit),
                           expected_version=view.version)
                app.call_from_thread(self.action_finished,
                                     ActionDone(done, f"已派单：{done.reference} 交 {unit_name or unit} 办理"))
                return
            units = [(c.code, c.label) for c in unit_choices(app.ws)] if action in (None, "dispatch", "handle") else []
        except StaleVersion as exc:
            app.call_from_thread(self.action_finished, ActionDone(None, exc.message, stale=True))
            return
        except DomainError as exc:
            app.call_from_thread(self.action_finished, ActionDone(None, exc.message))
            return
        except Exception as exc:  # noqa: BLE001
            app.call_from_thread(self.action_finished, ActionDone(None, explain(exc, "读取诉求")))
            return
        app.call_from_thread(self._open_action, view, action, units, unit)

    def _open_action(self, view: ConcernView, action: str | None, units: list, default_unit: str | None) -> None:
        app = self.app  # type: ignore[attr-defined]
        if action is None:
            if not view.allowed_actions:
                self.action_finished(ActionDone(None, f"{view.reference} 当前状态为“{view.status_label}”，没有可执行的操作。"))
                return

            def picked(choice: str | None) -> None:
                if choice:
                    self._open_action(view, choice, units, default_unit)

            app.push_screen(ActionMenu(view.reference, view.status_label, view.allowed_actions), picked)
            return
        today = app.ws.now().date() if app.ws is not None else None

        def finished(done: ActionDone | None) -> None:
            if done is not None:
                self.action_finished(done)

        app.push_screen(ConcernActionForm(view, action, units=units, default_unit=default_unit, today=today),
                        finished)

    def action_finished(self, done: ActionDone) -> None:  # pragma: no cover - implemented by screens
        raise NotImplementedError
