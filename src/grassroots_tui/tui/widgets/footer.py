"""The key bar at the bottom: compact, so F1-F6, the screen's keys and Ctrl+Q fit in 80 cells."""

from __future__ import annotations

from textual.widgets import Footer


class KeyBar(Footer):
    """Textual's Footer, compact; Ctrl+P is listed in F1 help instead of taking room here."""

    def __init__(self, **kwargs) -> None:  # noqa: ANN003
        kwargs.setdefault("compact", True)
        kwargs.setdefault("show_command_palette", False)
        super().__init__(**kwargs)
