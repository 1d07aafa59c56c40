"""A typed date (and time) field: `2026-12-03 14:30`, `12-03 14:30`, `明天 14:30`, full-width digits.

An Input with a line under it that reads the typed text back as the clerk sees a date
(`2026年12月3日 星期四 14:30`) or says, in Chinese, what is wrong with it. Parsing is pure
(`domain.dates`) and instant, so it runs on every keystroke on the UI thread.

    yield DateField(id="start", with_time=True)
    field.value        # datetime (date when with_time=False); raises DomainError when unreadable
    field.text         # what was typed
"""

from __future__ import annotations

from datetime import date, datetime

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, Static

from grassroots_tui.domain.dates import describe, parse_date, parse_datetime
from grassroots_tui.domain.errors import DomainError
from grassroots_tui.tui.widgets.text import printable


class DateField(Vertical):
    DEFAULT_CSS = """
    DateField { height: auto; }
    DateField > Input { width: 1fr; }
    DateField > .date-preview { height: 1; color: $text-muted; padding: 0 1; }
    DateField > .date-preview.-invalid { color: $error; }
    """

    class Changed(Message):
        def __init__(self, field: DateField) -> None:
            super().__init__()
            self.field = field

        @property
        def control(self) -> DateField:
            return self.field

    def __init__(self, value: str = "", *, with_time: bool = True, placeholder: str | None = None,
                 what: str = "时间", id: str | None = None, classes: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id, classes=classes)
        self.with_time = with_time
        self.what = what
        self._initial = value
        self.placeholder = placeholder or ("如 2026-12-03 14:30、12-03 14:30、明天 14:30" if with_time
                                           else "如 2026-12-03、12-03、明天")

    def compose(self) -> ComposeResult:
        yield Input(self._initial, placeholder=self.placeholder, compact=True, classes="date-input")
        yield Static(Text(""), classes="date-preview")

    def on_mount(self) -> None:
        self._preview()

    @property
    def input(self) -> Input:
        return self.query_one(Input)

    @property
    def text(self) -> str:
        return self.input.value

    @text.setter
    def text(self, value: str) -> None:
        self.input.value = value

    def focus(self, scroll_visible: bool = True) -> DateField:
        self.input.focus(scroll_visible)
        return self

    def _now(self) -> datetime:
        ws = getattr(self.app, "ws", None)
        return ws.now() if ws is not None else datetime.now().astimezone()

    @property
    def value(self) -> datetime | date:
        field = self.id or "date"
        if self.with_time:
            return parse_datetime(self.text, self._now(), field, what=self.what)
        return parse_date(self.text, self._now().date(), field, what=self.what)

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        event.stop()
        self._preview()
        self.post_message(self.Changed(self))

    def _preview(self) -> None:
        preview = self.query_one(".date-preview", Static)
        if not self.text.strip():
            preview.update(Text(""))
            preview.remove_class("-invalid")
            return
        try:
            preview.update(Text(describe(self.value)))
            preview.remove_class("-invalid")
        except DomainError as exc:
            preview.update(Text(printable(exc.message)))
            preview.add_class("-invalid")
