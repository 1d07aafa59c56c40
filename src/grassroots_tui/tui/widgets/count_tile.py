"""A small panel with one figure of the dashboard: a label and a number."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget


class CountTile(Widget):
    """`本月受理` over `42`. `value` None means "not read yet" and shows a dash."""

    DEFAULT_CSS = """
    CountTile {
        width: 1fr;
        height: 2;
        margin-right: 1;
        background: $boost;
        text-align: center;
    }
    CountTile:last-of-type { margin-right: 0; }
    CountTile.-alert { color: $error; }
    CountTile.-warn { color: $warning; }
    """

    value: reactive[int | None] = reactive(None)

    def __init__(self, label: str, *, alert: str = "", **kwargs) -> None:  # noqa: ANN003
        super().__init__(**kwargs)
        self.label = label
        self.alert = alert  # "-alert" or "-warn": the class to set while the figure is not zero
        self.tooltip = label

    def watch_value(self, value: int | None) -> None:
        if self.alert:
            self.set_class(bool(value), self.alert)

    def render(self) -> Text:
        number = "-" if self.value is None else str(self.value)
        return Text.assemble((self.label, "dim"), "\n", (number, "bold"))
