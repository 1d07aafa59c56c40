"""No command, calendar or paper passes a resident's control characters on raw (issue 9).

The hostile database (`hostile_db`) has the payload in every text field; each command's text
output must show it as symbols, its --json output must parse to exactly the stored text, and
the .ics file must be clean for `icalendar` and `vobject`.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import hostile_db
from hostile_db import ESC_PICTURE, PAYLOAD, RAW

TEXT_COMMANDS = [
    ["concern", "show", "{concern}"],
    ["concern", "list"],
    ["concern", "list", "--search", "漏水"],
    ["resident", "list"],
    ["clerk", "list"],
    ["meeting", "list", "--from", "2026-10-01", "--to", "2026-10-31"],
    ["meeting", "show", "{meeting}"],
    ["report", "--from", "2026-10-01", "--to", "2026-10-31"],
]


@pytest.fixture
def hostile(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    path = tmp_path / "hostile.sqlite3"
    return path, hostile_db.build(path)


def run(path: Path, args: list[str], refs: dict[str, str]) -> str:
    from grassroots_tui.cli import STATE, app

    STATE.db = STATE.clerk = None
    result = CliRunner().invoke(app, ["--db", str(path), *[a.format(**refs) for a in args]])
    assert result.exit_code == 0, result.output
    return result.stdout_bytes.decode("utf-8")


def raw_in(output: str) -> list[str]:
    from grassroots_tui.domain.text import FORBIDDEN

    return [r for r in RAW if r in output] + sorted({repr(c) for c in output if c in FORBIDDEN - {"\n", "\t"}})


@pytest.mark.parametrize("args", TEXT_COMMANDS, ids=lambda a: " ".join(a[:2]))
def test_text_output_shows_the_payload_as_symbols(hostile, args: list[str]) -> None:  # noqa: ANN001
    path, refs = hostile
    out = run(path, args, refs)
    assert not raw_in(out)
    if args[0] != "report":  # the report prints figures only
        assert ESC_PICTURE in out


def test_a_stored_line_break_cannot_split_a_list_row(hostile) -> None:  # noqa: ANN001
    path, refs = hostile
    out = run(path, ["resident", "list"], refs)
    assert len(out.splitlines()) == 1 and out.count("\t") == 4


@pytest.mark.parametrize("args, check", [
    (["concern", "show", "{concern}", "--json"], lambda d: d["summary"] == "漏水" + PAYLOAD
     and d["events"][1]["note"] == "派单说明" + PAYLOAD),
    (["concern", "list", "--json"], lambda d: "漏水" + PAYLOAD in [c["summary"] for c in d]),
    (["resident", "list", "--json"], lambda d: d[0]["estate"] == PAYLOAD),
    (["meeting", "list", "--from", "2026-10-01", "--json"], lambda d: d[0]["topic"] == "议题" + PAYLOAD),
    (["meeting", "show", "{meeting}", "--json"], lambda d: d["chair"] == PAYLOAD
     and d["resolutions"][0]["text"] == "决议" + PAYLOAD),
    (["clerk", "list", "--json"], lambda d: d[0]["name"] == "员" + PAYLOAD[:40]),
], ids=lambda a: " ".join(a[:2]) if isinstance(a, list) else "")
def test_json_keeps_the_exact_text_and_escapes_every_control(hostile, args, check) -> None:  # noqa: ANN001
    path, refs = hostile
    out = run(path, args, refs)
    assert not raw_in(out)
    assert "\\u001b" in out
    if args[0] != "clerk":  # a clerk's name holds only the first 40 characters of the payload
        assert "\\u202e" in out and "\\u009b" in out
    assert check(json.loads(out))


def test_ics_has_no_control_characters_and_parses(hostile, tmp_path: Path) -> None:  # noqa: ANN001
    import icalendar
    import vobject

    path, refs = hostile
    out = tmp_path / "会议.ics"
    run(path, ["meeting", "ics", "{meeting}", "--out", str(out)], refs)
    data = out.read_bytes().decode("utf-8")
    assert not raw_in(data.replace("\r\n", "\n"))
    event = icalendar.Calendar.from_ical(data).walk("VEVENT")[0]
    assert str(event["summary"]).startswith("议事协商会：议题甲␛]52;c;SGVsbG8=␇乙")
    assert str(event["location"]).startswith("议事厅甲␛")
    assert "\n" in str(event["description"])  # its lines survive as line breaks
    card = vobject.readOne(data)
    assert card.vevent.summary.value == str(event["summary"])
    assert not raw_in(card.vevent.description.value)


@pytest.mark.parametrize("kind", ["notice", "signin", "minutes", "resolution"])
def test_papers_show_the_payload_as_symbols(hostile, tmp_path: Path, kind: str) -> None:  # noqa: ANN001
    path, refs = hostile
    out = tmp_path / f"{kind}.html"
    run(path, ["meeting", "paper", "{meeting}", "--kind", kind, "--out", str(out)], refs)
    html = out.read_text(encoding="utf-8")
    assert not raw_in(html)
    assert ESC_PICTURE in html
