"""Cell-aware text helpers: width is counted in terminal cells, not characters.

User text (summaries, names, places) is always wrapped in `rich.text.Text`, never
formatted into a markup string: a summary may well read "[red]x[/red]".
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text

# Control characters in user text (ESC of an escape sequence, NUL, DEL, C1) would reach the
# terminal as they are: show them as the one-cell "control pictures" (U+2400...) instead.
_CONTROL_PICTURES = {c: 0x2400 + c for c in range(0x20) if c not in (0x0A, 0x09)}
_CONTROL_PICTURES[0x7F] = 0x2421
_CONTROL_PICTURES.update({c: 0x2426 for c in range(0x80, 0xA0)})


def printable(value: str) -> str:
    """`value` with control characters replaced one for one by visible symbols (same length)."""
    return value.translate(_CONTROL_PICTURES)


def safe(text: Text) -> Text:
    """`text` (built from user data) with its control characters made visible; styles kept."""
    plain = text.plain
    cleaned = plain.translate(_CONTROL_PICTURES)
    if cleaned != plain:
        text.plain = cleaned
    return text


def crop(value: str | None, width: int, style: str = "") -> Text:
    """`value` as plain Text, cut to at most `width` cells (no ellipsis glyph)."""
    text = Text(printable(value or ""), style=style, no_wrap=True, overflow="crop")
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
    `left` is cropped.
    """
    right_len = cell_len(right.plain)
    room = max(0, width - right_len - 1)
    left = left.copy()
    if cell_len(left.plain) > room:
        left.truncate(room, overflow="crop")
    gap = max(1, width - cell_len(left.plain) - right_len)
    line = Text.assemble(left, " " * gap, right, no_wrap=True, overflow="crop")
    line.truncate(width, overflow="crop")
    return line
