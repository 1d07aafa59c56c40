"""An Input over a suggestion list that shows only while there is something to suggest.

The common part of the resident lookup and the category picker: Up/Down move the highlight
while the list is open, Esc closes the list (and only then: otherwise Esc goes on to the
screen), focus goes to the Input. Subclasses set `PREFIX` (the ids become `#PREFIX-input`
and `#PREFIX-options`) and fill the list with `options.set_options(...)`.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, OptionList


class SuggestionInput(Vertical):
    DEFAULT_CSS = """
    SuggestionInput { height: auto; }
    SuggestionInput > Input { width: 1fr; }
    SuggestionInput > OptionList {
        height: auto;
        max-height: 7;
        border: none;
        padding: 0;
        display: none;
        background: $boost;
    }
    SuggestionInput.-open > OptionList { display: block; }
    """

    BINDINGS = [
        Binding("down", "move(1)", "下一个", show=False, id="suggest_down", tooltip="选择下一个候选项"),
        Binding("up", "move(-1)", "上一个", show=False, id="suggest_up", tooltip="选择上一个候选项"),
        Binding("escape", "close_list", "收起", show=False, id="suggest_close", tooltip="收起候选列表"),
    ]

    PREFIX = "suggest"

    def __init__(self, *, placeholder: str = "", id: str | None = None,  # noqa: A002
                 classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.placeholder = placeholder

    def compose(self) -> ComposeResult:
        yield Input(placeholder=self.placeholder, compact=True, id=f"{self.PREFIX}-input")
        option_list = OptionList(id=f"{self.PREFIX}-options", compact=True)
        option_list.can_focus = False  # the Input keeps the focus; arrows move the highlight
        yield option_list

    @property
    def input(self) -> Input:
        return self.query_one(f"#{self.PREFIX}-input", Input)

    @property
    def options(self) -> OptionList:
        return self.query_one(f"#{self.PREFIX}-options", OptionList)

    def focus(self, scroll_visible: bool = True) -> SuggestionInput:
        self.input.focus(scroll_visible)
        return self

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "close_list":
            return self.has_class("-open")  # otherwise Esc goes on to the screen
        return True

    def action_close_list(self) -> None:
        self.set_class(False, "-open")

    def action_move(self, step: int) -> None:
        ol = self.options
        if not self.has_class("-open") or ol.option_count == 0:
            return
        current = ol.highlighted if ol.highlighted is not None else -1
        ol.highlighted = max(0, min(ol.option_count - 1, current + step))

    def list_width(self) -> int:
        """Cells available to one suggestion (each is cropped to one line)."""
        return max(10, self.options.scrollable_content_region.width or self.size.width or 40)
