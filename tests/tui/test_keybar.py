"""The key bar follows the screen's bindings, rebuilding once for a burst of changes."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.binding import Binding

from conftest import screen_text, wait_for
from grassroots_tui.tui.widgets.footer import KeyBar


class Toggle(App[None]):
    BINDINGS = [Binding("ctrl+s", "save", "保存", id="save", tooltip="保存"),
                Binding("ctrl+d", "dispatch", "派单", id="dispatch", tooltip="派单")]

    def __init__(self) -> None:
        super().__init__()
        self.can_dispatch = False

    def compose(self) -> ComposeResult:
        yield KeyBar()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.can_dispatch if action == "dispatch" else True


async def test_a_burst_of_binding_changes_rebuilds_the_keys_once() -> None:
    app = Toggle()
    async with app.run_test(size=(60, 5)) as pilot:
        bar = app.query_one(KeyBar)
        await wait_for(pilot, lambda: "保存" in screen_text(app))
        assert "派单" not in screen_text(app)
        before = bar.rebuilds
        app.can_dispatch = True
        for _ in range(6):
            app.refresh_bindings()
        await wait_for(pilot, lambda: "派单" in screen_text(app))
        await pilot.pause()  # every queued message handled: no later rebuild is pending
        assert bar.rebuilds - before == 1
