"""Add or edit a resident: one modal form, errors in Chinese under the field, Ctrl+S saves.

On edit, the ID number and phone are never shown in full: their inputs start empty with the
masked value as placeholder, and left empty they are kept as they are.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Select, Static, TextArea

from grassroots_tui.services.errors import explain
from grassroots_tui.tui.widgets.resident_lookup import ResidentLookup
from grassroots_tui.tui.widgets.text import printable, safe

if TYPE_CHECKING:
    from grassroots_tui.services.residents import ResidentDetail

SEXES = [("未填", ""), ("男", "男"), ("女", "女")]
FIELDS = (  # input id, label, placeholder
    ("name", "姓名", ""),
    ("id_number", "证件号", "身份证18位，出生日期和性别自动得出"),
    ("phone", "电话", "手机11位或带区号的座机"),
    ("estate", "小区", ""),
    ("address", "地址", "3-2-301 或 3号楼2单元301室"),
    ("grid", "网格", "网格编码，如 G01"),
    ("tags", "标签", "用顿号分开：独居老人、党员"),
    ("relation_to_head", "与户主关系", "户主、配偶、子女…"),
    ("residence_type", "居住类型", "户籍、流动、境外"),
    ("next_visit_due", "下次走访", "年-月-日，如 2026-10-20"),
)
ERROR_FOR = {"household_of": "household_of", "tenure": "residence_type", "version": "name", "resident": "name"}


class FormRow(Horizontal):
    DEFAULT_CSS = """
    FormRow { height: auto; }
    FormRow > .label { width: 11; padding-right: 1; text-align: right; color: $text-muted; }
    FormRow > .field { width: 1fr; }
    """

    def __init__(self, label: str, field, **kwargs) -> None:  # noqa: ANN001, ANN003
        super().__init__(Static(Text(label), classes="label"), field, **kwargs)


class ResidentForm(ModalScreen["ResidentView | None"]):
    """Dismisses with the saved resident, or None on Esc."""

    BINDINGS = [
        Binding("ctrl+s", "save", "保存", id="resident_form_save", tooltip="保存居民资料"),
        Binding("escape", "cancel", "取消", id="resident_form_cancel", tooltip="不保存，关闭表单"),
    ]

    DEFAULT_CSS = """
    ResidentForm { align: center middle; }
    ResidentForm > VerticalScroll { width: 90%; max-width: 90; height: 90%; border: round $accent;
                                     background: $panel; padding: 0 1; }
    ResidentForm Input { border: none; }
    ResidentForm TextArea { height: 4; border: none; padding: 0; }
    ResidentForm .field-error { color: $error; padding-left: 11; display: none; height: auto; }
    ResidentForm .field-error.-shown { display: block; }
    ResidentForm #form-title { text-style: bold; }
    ResidentForm #form-hint, ResidentForm .hint { color: $text-muted; }
    ResidentForm .hint { padding-left: 11; height: auto; }
    """

    def __init__(self, resident_id: int | None = None) -> None:
        super().__init__()
        self.resident_id = resident_id
        self.version: int | None = None
        self.saving = False
        self.loaded = resident_id is None
        self.household_of: int | None = None
        self._shown: dict[str, tuple[str, str]] = {}  # field -> (stored value, what the field shows)

    def compose(self) -> ComposeResult:
        from grassroots_tui.domain.validation import ID_TYPES

        with VerticalScroll():
            yield Static(Text("修改居民资料" if self.resident_id else "登记居民"), id="form-title")
            for field_id, label, placeholder in FIELDS[:1]:
                yield FormRow(label, Input(id=field_id, compact=True, placeholder=placeholder, classes="field"))
                yield Static("", id=f"{field_id}-error", classes="field-error", markup=False)
            yield FormRow("性别", Select(SEXES, value="", allow_blank=False, compact=True, id="sex", classes="field"))
            yield Static("", id="sex-error", classes="field-error", markup=False)
            yield FormRow("证件类型", Select([(label, code) for code, label in ID_TYPES.items()], value="id_card",
                                             allow_blank=False, compact=True, id="id_type", classes="field"))
            yield Static("", id="id_type-error", classes="field-error", markup=False)
            for field_id, label, placeholder in FIELDS[1:]:
                yield FormRow(label, Input(id=field_id, compact=True, placeholder=placeholder, classes="field"))
                yield Static("", id=f"{field_id}-error", classes="field-error", markup=False)
            yield FormRow("同户居民", ResidentLookup(id="household", classes="field",
                                                   placeholder="查找同住一户的居民（可不填）"))
            yield Static("", id="household-note", classes="hint", markup=False)
            yield Static("", id="household_of-error", classes="field-error", markup=False)
            yield FormRow("备注", TextArea(id="notes", classes="field"))
            yield Static("", id="notes-error", classes="field-error", markup=False)
            yield Static("", id="form-error", classes="field-error", markup=False)
            yield Static(Text("Ctrl+S 保存    Esc 取消    Tab 下一项"), id="form-hint")

    def on_mount(self) -> None:
        self.call_after_refresh(lambda: self.query_one("#name", Input).focus())
        if self.resident_id is not None:
            self._load(self.app.ws, self.resident_id)

    @work(thread=True, exclusive=True, group="resident-form-load", exit_on_error=False)
    def _load(self, ws, resident_id: int) -> None:  # noqa: ANN001
        from grassroots_tui.services.residents import resident_detail

        detail = resident_detail(ws, resident_id, concern_limit=0)
        self.app.call_from_thread(self._fill, detail)

    def _fill(self, d: ResidentDetail) -> None:
        v = d.view
        self.version = v.version
        values = {"name": v.name, "estate": v.estate, "address": v.address, "grid": v.grid or "",
                  "tags": "、".join(d.all_tags), "relation_to_head": d.relation_to_head,
                  "residence_type": d.residence_type}
        values["notes"] = d.notes
        for field_id, value in values.items():
            # Control characters (an ESC in imported notes) would reach the terminal from an Input or
            # TextArea: show visible symbols, and send the original back when the field is untouched.
            shown = printable(value)
            self._shown[field_id] = (value, shown)
            if field_id == "notes":
                self.query_one("#notes", TextArea).text = shown
            else:
                self.query_one(f"#{field_id}", Input).value = shown
        self.query_one("#id_number", Input).placeholder = f"留空不修改（现为 {v.id_masked or '未填'}）"
        self.query_one("#phone", Input).placeholder = f"留空不修改（现为 {v.phone_masked or '未填'}）"
        self.query_one("#sex", Select).value = v.sex if v.sex in ("男", "女") else ""
        self.query_one("#id_type", Select).value = d.id_type
        if d.next_visit_due:
            self.query_one("#next_visit_due", Input).value = d.next_visit_due.isoformat()
        if d.household:
            names = "、".join(m.name for m in d.household[:5])
            self.query_one("#household-note", Static).update(safe(Text(f"现同户：{names}")))
        self.loaded = True

    @on(ResidentLookup.Chosen, "#household")
    def _household_chosen(self, event: ResidentLookup.Chosen) -> None:
        event.stop()
        if event.resident is None:
            return
        self.household_of = event.resident.id
        line = Text("保存后与 ")
        line.append(event.resident.name)
        line.append(" 同户")
        self.query_one("#household-note", Static).update(safe(line))
        self.query_one("#notes", TextArea).focus()

    @on(Input.Submitted, ".field")
    def _next(self, event: Input.Submitted) -> None:
        event.stop()
        self.focus_next()

    def draft(self):  # noqa: ANN201
        from grassroots_tui.services.residents import ResidentDraft

        def value(field_id: str) -> str:
            if field_id == "notes":
                typed = self.query_one("#notes", TextArea).text
            else:
                typed = self.query_one(f"#{field_id}", Input).value
            original, shown = self._shown.get(field_id, (None, None))
            return original if original is not None and typed == shown else typed

        editing = self.resident_id is not None
        return ResidentDraft(
            name=value("name"), sex=str(self.query_one("#sex", Select).value),
            id_type=str(self.query_one("#id_type", Select).value),
            id_number=(value("id_number") or None) if editing else value("id_number"),
            phone=(value("phone") or None) if editing else value("phone"),
            estate=value("estate"), address=value("address"), grid=value("grid") or None,
            tags=(value("tags"),), relation_to_head=value("relation_to_head"),
            residence_type=value("residence_type"), notes=value("notes"),
            next_visit_due=value("next_visit_due"), household_of=self.household_of,
        )

    def action_save(self) -> None:
        if self.saving or not self.loaded:
            return
        for line in self.query(".field-error"):
            line.remove_class("-shown")
        self.saving = True
        self._save(self.app.ws, self.app.clerk.id, self.draft())

    @work(thread=True, exclusive=True, group="resident-form-save", exit_on_error=False)
    def _save(self, ws, actor_id: int, draft) -> None:  # noqa: ANN001
        from grassroots_tui.domain.errors import DomainError
        from grassroots_tui.services.residents import add_resident, update_resident

        try:
            if self.resident_id is None:
                view = add_resident(ws, actor_id, draft)
            else:
                view = update_resident(ws, actor_id, self.resident_id, draft, expected_version=self.version)
        except DomainError as exc:
            self.app.call_from_thread(self._failed, exc.field, exc.message)
        except Exception as exc:  # noqa: BLE001
            self.log.error("resident save failed", exc)
            self.app.call_from_thread(self._failed, None, explain(exc, "保存"))
        else:
            self.app.call_from_thread(self.dismiss, view)

    def _failed(self, field: str | None, message: str) -> None:
        self.saving = False
        name = ERROR_FOR.get(field or "", field or "form")
        matches = self.query(f"#{name}-error")
        line = matches.first() if matches else self.query_one("#form-error")
        line.update(Text(printable(message)))
        line.add_class("-shown")
        target = self.query(f"#{name}")
        if target:
            target.first().focus()
        line.scroll_visible()

    def action_cancel(self) -> None:
        self.dismiss(None)
