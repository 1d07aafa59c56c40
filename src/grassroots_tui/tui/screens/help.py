"""F1: the keys of the screen the clerk came from, generated from its bindings."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import ActiveBinding, Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Static

from grassroots_tui.tui.widgets.footer import KeyBar
from grassroots_tui.tui.widgets.top_bar import TopBar

_KEY_NAMES = {
    "escape": "Esc", "enter": "Enter", "tab": "Tab", "space": "Space", "up": "上", "down": "下",
    "left": "左", "right": "右", "pageup": "PgUp", "pagedown": "PgDn", "home": "Home", "end": "End",
    "delete": "Del", "backspace": "Backspace",
}


def key_label(key: str) -> str:
    """`ctrl+q` -> `Ctrl+Q`, `f1` -> `F1`, `escape` -> `Esc`."""
    *mods, base = key.split("+")
    base = _KEY_NAMES.get(base, base.upper() if len(base) <= 3 else base.capitalize())
    return "+".join([m.capitalize() for m in mods] + [base])


@dataclass(frozen=True)
class HelpRow:
    keys: str
    description: str
    tooltip: str
    binding_id: str


def help_rows(active: Mapping[str, ActiveBinding]) -> list[HelpRow]:
    """One row per binding id (a binding with two keys shows both), in binding order.

    Only the program's own bindings carry ids; Textual's internal ones are left out.
    """
    keys: dict[str, list[str]] = {}
    first: dict[str, Binding] = {}
    for key, active_binding in active.items():
        binding = active_binding.binding
        if not binding.id:
            continue
        keys.setdefault(binding.id, []).append(key_label(key))
        first.setdefault(binding.id, binding)
    return [HelpRow(" / ".join(keys[bid]), b.description, b.tooltip, bid) for bid, b in first.items()]


GENERAL_HINTS = (
    "方向键在列表中移动，Enter 打开，Tab / Shift+Tab 在各部分之间切换。",
    "所有命令都有 F 键或 Ctrl 组合键，中文输入法开着也能用。",
    "Ctrl+P 命令面板：输入命令名，或拼音首字母（如 qh 切换工作人员）。",
)


class HelpScreen(Screen):
    """Keys in effect where F1 was pressed: key, what it does, and its longer tooltip."""

    BINDINGS = [
        Binding("escape", "back", "返回", id="help_back", tooltip="关闭帮助，回到刚才的屏幕"),
    ]

    def __init__(self, rows: Iterable[HelpRow], origin: str) -> None:
        super().__init__(name="help", classes="section-screen")
        self.rows = list(rows)
        self.origin = origin

    def compose(self) -> ComposeResult:
        yield TopBar("帮助")
        with VerticalScroll(id="help"):
            yield Static(Text(f"按键（{self.origin}）", style="bold"), id="help-title")
            yield DataTable(id="help-keys", cursor_type="row", zebra_stripes=True)
            for hint in GENERAL_HINTS:
                yield Static(Text(hint), classes="help-hint")
        yield KeyBar()

    def on_mount(self) -> None:
        table = self.query_one("#help-keys", DataTable)
        table.add_column(Text("按键", style="bold"), key="keys")
        table.add_column(Text("功能", style="bold"), key="description")
        table.add_column(Text("说明", style="bold"), key="tooltip")
        for row in self.rows:
            table.add_row(Text(row.keys), Text(row.description), Text(row.tooltip), key=row.binding_id)
        table.focus()

    def action_back(self) -> None:
        self.app.pop_screen()
