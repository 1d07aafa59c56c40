"""A short modal list of choices: digits 1-9 or arrows + Enter pick one, Esc cancels.

Dismisses with the chosen code, or None. Used for the actions a concern's state allows
and for picking a supervision level for marked rows.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from grassroots_tui.tui.widgets.text import printable, printable_line


class ChoiceMenu(ModalScreen["str | None"]):
    """`choices` are (code, label) pairs; the label is shown after its digit."""

    BINDINGS = [Binding("escape", "cancel", "取消", id="choice_cancel", tooltip="关闭菜单")] + [
        Binding(str(i), f"pick({i})", str(i), show=False, id=f"choice_pick_{i}", tooltip=f"选择第 {i} 项")
        for i in range(1, 10)
    ]
    DEFAULT_CSS = """
    ChoiceMenu { align: center middle; }
    #choice-menu { width: 50; height: auto; max-height: 20; border: round $accent; background: $surface;
                   padding: 0 1; }
    #choice-menu OptionList { height: auto; max-height: 14; border: none; }
    #choice-menu-hint { color: $text-muted; }
    """

    def __init__(self, title: str, choices: list[tuple[str, str]], hint: str = "",
                 name: str = "choice_menu") -> None:
        super().__init__(name=name)
        self.title_text = title
        self.choices = choices
        self.hint = hint

    def compose(self) -> ComposeResult:
        with Vertical(id="choice-menu"):
            yield Static(Text(printable_line(self.title_text), style="bold"))
            yield OptionList(*[Option(Text(printable_line(f"{i} {label}")), id=code)
                               for i, (code, label) in enumerate(self.choices, 1)])
            if self.hint:
                yield Static(Text(printable(self.hint)), id="choice-menu-hint")

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def action_pick(self, number: int) -> None:
        if 1 <= number <= len(self.choices):
            self.dismiss(self.choices[number - 1][0])

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)
