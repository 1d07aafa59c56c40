"""One line at the top of every screen: where the clerk is, the day, and who is at the keyboard."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from grassroots_tui.tui.widgets.text import spread


class TopBar(Widget):
    """`社区工作台 | 诉求台账        2026年10月12日 星期一  工作人员：张三`

    The clerk's name and the day come from the app (`clerk_name`, `today_label`),
    watched so every open screen follows a clerk switch at once.
    """

    DEFAULT_CSS = """
    TopBar {
        dock: top;
        height: 1;
        background: $panel;
        color: $foreground;
    }
    """

    clerk_name: reactive[str] = reactive("", layout=False)
    today_label: reactive[str] = reactive("", layout=False)

    def __init__(self, section: str, **kwargs) -> None:  # noqa: ANN003
        super().__init__(**kwargs)
        self.section = section

    def on_mount(self) -> None:
        app = self.app
        if hasattr(app, "clerk_name"):
            self.watch(app, "clerk_name", self._set_clerk, init=True)
            self.watch(app, "today_label", self._set_today, init=True)

    def _set_clerk(self, name: str) -> None:
        self.clerk_name = name

    def _set_today(self, label: str) -> None:
        self.today_label = label

    def render(self) -> Text:
        title = getattr(self.app, "committee_name", "") or "社区工作台"
        left = Text.assemble((f" {title}", "bold"), " ｜ ", self.section)
        right = Text()
        if self.today_label:
            right.append(self.today_label)
            right.append("  ")
        right.append("工作人员：")
        right.append(Text(self.clerk_name or "（未选择）", style="bold"))
        right.append(" ")
        return spread(left, right, self.size.width)
