"""Stored text made safe to show: the one sanitiser every screen, command and file uses.

A resident's words reach the clerk's terminal (TUI and CLI), calendars and printed papers. Text
typed or imported may carry control characters: ESC starts an escape sequence (`ESC]52;…` writes
the clipboard, `ESC]2;…` sets the window title, `ESC[2J` clears the screen), BEL ends one, BS and
CR overwrite what was shown, and the bidirectional controls reorder a line so that it reads other
than it is stored. None of them may reach a terminal raw, and none may disappear silently either
(Rich drops BEL, BS and CR from a `Text` and passes ESC through): each is replaced, one for one,
by a visible single-cell symbol, so the clerk sees that something is there.

The mapping (every symbol has East Asian width N: one cell in any terminal, Chinese or not):

- C0 controls U+0000–U+001F: their Unicode control pictures U+2400–U+241F (ESC → ␛, BEL → ␇,
  BS → ␈, CR → ␍, NUL → ␀). LF and TAB are kept by `printable` (multi-line text) and shown as
  ␊ and ␉ by `printable_line` (a table cell, a list row, a title).
- DEL U+007F: ␡ (U+2421).
- C1 controls U+0080–U+009F (CSI U+009B, OSC U+009D, NEL U+0085…): ␦ (U+2426), the control
  picture for "substitute", since Unicode has no picture for each C1 code.
- Bidirectional controls U+202A–U+202E (LRE, RLE, PDF, LRO, RLO), U+2066–U+2069 (LRI, RLI, FSI,
  PDI) and the marks U+200E, U+200F, U+061C (LRM, RLM, ALM): ⇆ (U+21C6).
- LINE SEPARATOR U+2028 and PARAGRAPH SEPARATOR U+2029 (line breaks to some programs, nothing
  to others): ␤ (U+2424).

The output has exactly as many characters as the input (each replaced character is one symbol)
and every symbol is one terminal cell wide. Nothing else is touched: Chinese, emoji with their
zero-width joiners, full-width forms stay as they are.
"""

from __future__ import annotations

CONTROL_PICTURE_OF_C1 = "\u2426"  # ␦
BIDI_SYMBOL = "\u21c6"  # ⇆
SEPARATOR_SYMBOL = "\u2424"  # ␤

BIDI_CONTROLS = frozenset(
    [chr(c) for c in range(0x202A, 0x202F)] + [chr(c) for c in range(0x2066, 0x206A)]
    + ["\u200e", "\u200f", "\u061c"]
)

_LINE_TABLE: dict[int, str] = {c: chr(0x2400 + c) for c in range(0x20)}
_LINE_TABLE[0x7F] = "\u2421"
_LINE_TABLE.update({c: CONTROL_PICTURE_OF_C1 for c in range(0x80, 0xA0)})
_LINE_TABLE.update({ord(c): BIDI_SYMBOL for c in BIDI_CONTROLS})
_LINE_TABLE.update({0x2028: SEPARATOR_SYMBOL, 0x2029: SEPARATOR_SYMBOL})

_TEXT_TABLE = {c: s for c, s in _LINE_TABLE.items() if c not in (0x0A, 0x09)}

#: Every character that never reaches a terminal, calendar or paper raw (LF and TAB included:
#: `printable_line` replaces them too; `printable` keeps those two).
FORBIDDEN = frozenset(chr(c) for c in _LINE_TABLE)

#: Characters the JSON output writes as `\uXXXX` escapes (json.dumps escapes C0 itself).
_JSON_TABLE = {c: f"\\u{c:04x}" for c in _LINE_TABLE if c >= 0x7F}


def printable(value: str | None) -> str:
    """`value` with every control character replaced by its visible symbol; LF and TAB kept.

    For text shown over several lines (a concern's detail, minutes, a message).
    """
    return (value or "").translate(_TEXT_TABLE)


def printable_line(value: str | None) -> str:
    """`value` as one line: like `printable`, and LF and TAB shown as ␊ and ␉ too.

    For a table cell, a list row, a title: a stored line break cannot split the row.
    """
    return (value or "").translate(_LINE_TABLE)


def json_text(dumped: str) -> str:
    """JSON text (from `json.dumps(..., ensure_ascii=False)`) with DEL, C1, bidirectional
    controls and the line separators written as `\\uXXXX` escapes.

    Such characters can only stand inside JSON strings, where the escape means the same
    character: the document parses to exactly the same data.
    """
    return dumped.translate(_JSON_TABLE)
