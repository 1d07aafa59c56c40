"""Asking before a file the clerk named replaces one that is already there."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import ModalScreen
from textual.widgets import Static

from grassroots_tui.tui.widgets.text import printable


class ReplaceFileDialog(ModalScreen[bool]):
    """`path` exists: 1 replaces it; Esc, 2 or Enter keeps it (the safe answer is the default)."""

    BINDINGS = [
        Binding("1", "choose(True)", "替换", id="replace_yes", tooltip="用新文件替换已有的文件"),
        Binding("escape,2,enter", "choose(False)", "取消", id="replace_no", tooltip="保留已有的文件，另选文件名"),
    ]
    DEFAULT_CSS = """
    ReplaceFileDialog { align: center middle; }
    ReplaceFileDialog > Static { width: 60; height: auto; padding: 1 2; border: round $warning; background: $panel; }
    """

    def __init__(self, path: Path | str) -> None:
        super().__init__()
        self.path = Path(path)

    def compose(self) -> ComposeResult:
        yield Static(Text.assemble(("文件已存在：\n", "bold"), printable(str(self.path)), "\n\n",
                                   "按 1 替换它；\n", "按 Esc（或 2、Enter）取消，另选文件名。"),
                     id="replace-question")

    def action_choose(self, replace: bool) -> None:
        self.dismiss(replace)
