"""Category picker: type a code (`0801`), Chinese (`漏水`) or pinyin initials (`ls`), Enter takes
the best match.

The second-level categories (about a hundred) are read once in a worker when the widget mounts
and filtered in memory with `services.intake.filter_categories`. Posts `CategoryPicker.Chosen`
with the `CategoryOption` (code, name, default urgency and unit). Up/Down pick another match.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.message import Message
from textual.widgets import Input, OptionList
from textual.widgets.option_list import Option

from grassroots_tui.tui.widgets.suggestion_input import SuggestionInput

if TYPE_CHECKING:
    from grassroots_tui.services.intake import CategoryOption

LIMIT = 8


def category_label(c: CategoryOption) -> Text:
    return Text.assemble((c.code, "bold"), " ", c.name, (f"  {c.parent_name}", "dim"), no_wrap=True,
                         overflow="crop")


class CategoryPicker(SuggestionInput):
    PREFIX = "category"

    class Chosen(Message):
        def __init__(self, picker: CategoryPicker, category: CategoryOption) -> None:
            super().__init__()
            self.picker = picker
            self.category = category

        @property
        def control(self) -> CategoryPicker:
            return self.picker

    def __init__(self, *, placeholder: str = "编码、名称或拼音首字母：0801 漏水 ls",
                 id: str | None = None, classes: str | None = None) -> None:  # noqa: A002
        super().__init__(placeholder=placeholder, id=id, classes=classes)
        self.categories: list[CategoryOption] = []
        self.matches: list[CategoryOption] = []
        self.category: CategoryOption | None = None
        self._set_value: str | None = None
        self._enter_pending = False
        self._retrying = False

    def on_mount(self) -> None:
        self.load()

    def load(self) -> None:
        ws = getattr(self.app, "ws", None)
        if ws is None:  # the database is still opening: try again in a moment
            if not self._retrying:
                self._retrying = True
                self.set_timer(0.2, self._retry)
            return
        if not self.categories:
            self._load(ws)

    def _retry(self) -> None:
        self._retrying = False
        self.load()

    @work(thread=True, exclusive=True, group="category-picker", exit_on_error=False)
    def _load(self, ws) -> None:  # noqa: ANN001
        from grassroots_tui.services.intake import list_categories

        rows = list_categories(ws)
        self.app.call_from_thread(self._loaded, rows)

    def _loaded(self, rows: list[CategoryOption]) -> None:
        self.categories = rows
        if self.input.value.strip() and self.category is None:
            self._filter(self.input.value)
        if self._enter_pending:
            self._enter_pending = False
            self._take()

    @on(Input.Changed, "#category-input")
    def _changed(self, event: Input.Changed) -> None:
        event.stop()
        if self._set_value is not None and event.value == self._set_value:
            self._set_value = None
            return
        self._set_value = None
        self.category = None
        self._filter(event.value)

    def _filter(self, text: str) -> None:
        from grassroots_tui.services.intake import filter_categories

        if not self.categories:
            self.load()
        self.matches = filter_categories(self.categories, text, LIMIT) if text.strip() else []
        width = self.list_width()
        options = []
        for c in self.matches:
            label = category_label(c)
            label.truncate(width, overflow="crop")
            options.append(Option(label, id=c.code))
        if text.strip() and not options and self.categories:
            options.append(Option(Text("没有匹配的分类", style="dim"), id="--none", disabled=True))
        self.options.set_options(options)
        if self.matches:
            self.options.highlighted = 0
        self.set_class(bool(options), "-open")

    @on(Input.Submitted, "#category-input")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self.category is not None:
            self.post_message(self.Chosen(self, self.category))
            return
        if not event.value.strip():
            return
        if not self.categories:
            self._enter_pending = True
            self.load()
            return
        self._take()

    @on(OptionList.OptionSelected, "#category-options")
    def _clicked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._take()

    def _take(self) -> None:
        index = self.options.highlighted
        if index is None or not self.matches or index >= len(self.matches):
            return
        self.set_category(self.matches[index])
        assert self.category is not None
        self.post_message(self.Chosen(self, self.category))

    def set_category(self, category: CategoryOption | None) -> None:
        self.category = category
        value = f"{category.code} {category.name}" if category else ""
        if value != self.input.value:
            self._set_value = value
            self.input.value = value
        self.set_class(False, "-open")

    def choose_code(self, code: str) -> bool:
        """Select a category by code from code (returns False while not loaded or unknown)."""
        match = next((c for c in self.categories if c.code == code), None)
        if match is not None:
            self.set_category(match)
        return match is not None

    def clear(self) -> None:
        self.set_category(None)
        self.matches = []
        self.options.clear_options()
