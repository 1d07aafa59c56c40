"""Cell-aware text helpers: width is counted in terminal cells, not characters.

User text (summaries, names, places) is always wrapped in `rich.text.Text`, never
formatted into a markup string: a summary may well read "[red]x[/red]". Its control characters
(ESC, BEL, C1, bidirectional overrides…) are made visible by the one sanitiser in
`grassroots_tui.domain.text`; these helpers only apply it to Rich objects.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text

from grassroots_tui.domain.text import printable, printable_line

__all__ = ["crop", "pad", "printable", "printable_line", "safe", "spread"]


def safe(text: Text, *, one_line: bool = False) -> Text:
    """`text` (built from user data) with its control characters made visible; styles kept.

    The replacement is one character for one, so the spans' offsets stay right.
    """
    plain = text.plain
    cleaned = printable_line(plain) if one_line else printable(plain)
    if cleaned != plain:
        text.plain = cleaned
    return text


def crop(value: str | None, width: int, style: str = "") -> Text:
    """`value` as plain Text, cut to at most `width` cells (no ellipsis glyph)."""
    text = Text(printable_line(value), style=style, no_wrap=True, overflow="crop")
    if width <= 0:
        return Text("")
    if cell_len(text.plain) > width:
        text.truncate(width, overflow="crop")
        # A wide character cut in half leaves a trailing pad space; keep it, it is one cell.
    return text


def pad(value: str, width: int) -> str:
    """`value` padded with spaces on the right to `width` cells (cropped if longer)."""
    if cell_len(value) >= width:
        return crop(value, width).plain
    return value + " " * (width - cell_len(value))


def spread(left: Text, right: Text, width: int) -> Text:
    """`left` at the start and `right` at the end of a line `width` cells wide.

    When both do not fit, `right` is kept whole (it is short: the clerk's name) and
    `left` is cropped. Control characters in either are made visible.
    """
    left = safe(left.copy(), one_line=True)
    right = safe(right.copy(), one_line=True)
    right_len = cell_len(right.plain)
    room = max(0, width - right_len - 1)
    if cell_len(left.plain) > room:
        left.truncate(room, overflow="crop")
    gap = max(1, width - cell_len(left.plain) - right_len)
    line = Text.assemble(left, " " * gap, right, no_wrap=True, overflow="crop")
    line.truncate(width, overflow="crop")
    return line
