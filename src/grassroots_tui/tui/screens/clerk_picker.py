"""Choose who is at the keyboard: a list of clerks, arrows and Enter, Esc cancels."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from grassroots_tui.tui.widgets.text import safe

if TYPE_CHECKING:
    from grassroots_tui.services.clerks import ClerkView


class ClerkPicker(ModalScreen["ClerkView | None"]):
    """Dismisses with the chosen clerk, or None when the clerk pressed Esc."""

    BINDINGS = [
        Binding("escape", "cancel", "取消", id="clerk_cancel", tooltip="不切换，关闭列表"),
    ]

    def __init__(self, clerks: Sequence[ClerkView], current_id: int | None = None) -> None:
        super().__init__(name="clerk_picker")
        self.clerks = list(clerks)
        self.current_id = current_id

    def compose(self) -> ComposeResult:
        with Vertical(id="clerk-dialog"):
            yield Static(Text("切换工作人员", style="bold"), id="clerk-title")
            options = []
            for clerk in self.clerks:
                label = Text(clerk.name)
                if clerk.role:
                    label.append(f"（{clerk.role}）", style="dim")
                if clerk.id == self.current_id:
                    label.append("  当前", style="bold")
                options.append(Option(safe(label, one_line=True), id=str(clerk.id)))
            yield OptionList(*options, id="clerk-list")
            yield Static(Text("上下键选择，Enter 确定，Esc 取消"), id="clerk-hint")

    def on_mount(self) -> None:
        option_list = self.query_one(OptionList)
        index = next((i for i, c in enumerate(self.clerks) if c.id == self.current_id), 0)
        if self.clerks:
            option_list.highlighted = index
        option_list.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        chosen = next(c for c in self.clerks if str(c.id) == event.option.id)
        self.dismiss(chosen)

    def action_cancel(self) -> None:
        self.dismiss(None)
