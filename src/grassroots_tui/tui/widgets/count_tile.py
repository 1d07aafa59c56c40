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
        height: 3;
        border: round $primary 50%;
        border-title-align: center;
        content-align: center middle;
        text-align: center;
        text-style: bold;
    }
    CountTile.-alert { border: round $error; color: $error; }
    CountTile.-warn { border: round $warning; color: $warning; }
    """

    value: reactive[int | None] = reactive(None)

    def __init__(self, label: str, *, alert: str = "", **kwargs) -> None:  # noqa: ANN003
        super().__init__(**kwargs)
        self.label = label
        self.alert = alert  # "-alert" or "-warn": the class to set while the figure is not zero
        self.border_title = label
        self.tooltip = label

    def watch_value(self, value: int | None) -> None:
        if self.alert:
            self.set_class(bool(value), self.alert)

    def render(self) -> Text:
        return Text("-" if self.value is None else str(self.value))
