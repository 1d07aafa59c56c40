"""The one sanitiser (domain.text): control characters of stored text become visible symbols."""

from __future__ import annotations

import json
import unicodedata

from hypothesis import given
from hypothesis import strategies as st
from rich.cells import cell_len

from grassroots_tui.domain.text import BIDI_CONTROLS, FORBIDDEN, json_text, printable, printable_line

ANY_TEXT = st.text(st.characters(codec="utf-8"), max_size=60)
NASTY = st.text(st.sampled_from(sorted(FORBIDDEN) + ["a", "甲", "[", "\\", '"']), max_size=60)


def test_escape_sequences_are_shown_not_sent() -> None:
    assert printable("\x1b]52;c;SGVsbG8=\x07") == "␛]52;c;SGVsbG8=␇"
    assert printable("\x1b]2;pwned\x1b\\") == "␛]2;pwned␛\\"
    assert printable("\x1b[2J") == "␛[2J"


def test_bel_bs_cr_are_shown_not_dropped() -> None:
    assert printable("a\x07b\x08c\rd") == "a␇b␈c␍d"


def test_del_c1_and_bidi_controls_have_their_symbols() -> None:
    assert printable("\x7f") == "\u2421"
    assert printable("\x85\x9b\x9d") == "\u2426" * 3
    assert printable("\u202e\u2066\u200f\u061c") == "\u21c6" * 4
    assert printable("\u2028\u2029") == "\u2424" * 2


def test_line_breaks_and_tabs_kept_in_text_shown_in_a_line() -> None:
    assert printable("第一行\n\t第二行") == "第一行\n\t第二行"
    assert printable_line("第一行\n\t第二行") == "第一行␊␉第二行"


def test_ordinary_text_is_untouched() -> None:
    for value in ("张三 138****5678", "[red]危险[/red]", "👨‍👩‍👧 全角１２３", "é", ""):
        assert printable(value) == value == printable_line(value)
    assert printable(None) == ""


@given(NASTY | ANY_TEXT)
def test_no_forbidden_character_survives(value: str) -> None:
    line = printable_line(value)
    text = printable(value)
    assert not any(c in FORBIDDEN for c in line)
    assert not any(c in FORBIDDEN - {"\n", "\t"} for c in text)
    assert not any(unicodedata.category(c) == "Cc" for c in line)
    assert not any(c in BIDI_CONTROLS for c in text)


@given(NASTY | ANY_TEXT)
def test_one_symbol_of_one_cell_for_each_character(value: str) -> None:
    line = printable_line(value)
    assert len(line) == len(value)
    replaced = [(a, b) for a, b in zip(value, line, strict=True) if a != b]
    assert all(a in FORBIDDEN and cell_len(b) == 1 and unicodedata.east_asian_width(b) == "N" for a, b in replaced)
    assert printable_line(line) == line  # idempotent


@given(st.recursive(ANY_TEXT | NASTY | st.integers() | st.none(),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(ANY_TEXT, inner, max_size=4),
                    max_leaves=12))
def test_json_text_is_the_same_data_with_no_raw_control(value) -> None:  # noqa: ANN001
    out = json_text(json.dumps(value, ensure_ascii=False, indent=2))
    assert json.loads(out) == value
    assert not any(c in FORBIDDEN - {"\n"} for c in out)
