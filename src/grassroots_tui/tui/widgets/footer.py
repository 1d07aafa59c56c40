"""The key bar at the bottom: compact, so F1-F6, the screen's keys and Ctrl+Q fit in 80 cells."""

from __future__ import annotations

from textual.screen import Screen
from textual.widgets import Footer


class KeyBar(Footer):
    """Textual's Footer, compact; Ctrl+P is listed in F1 help instead of taking room here.

    Textual's Footer rebuilds all its keys on every bindings signal; opening a screen sends
    several in one frame (focus moves, workers finishing), and each rebuild restyles every
    key on the UI thread. Here the signals of one frame are coalesced into one rebuild,
    which reads the bindings as they are by then.
    """

    def __init__(self, **kwargs) -> None:  # noqa: ANN003
        kwargs.setdefault("compact", True)
        kwargs.setdefault("show_command_palette", False)
        super().__init__(**kwargs)
        self._rebuild_pending = False
        self.rebuilds = 0  # how many times the keys were rebuilt (tests)

    def bindings_changed(self, screen: Screen) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus:
            return
        if self.is_attached and screen is self.screen and not self._rebuild_pending:
            self._rebuild_pending = True
            self.call_after_refresh(self._rebuild)

    async def _rebuild(self) -> None:
        self._rebuild_pending = False
        self.rebuilds += 1
        await self.recompose()
