"""Whatever a clerk typed comes back unchanged from the CSV and JSON exports (hypothesis)."""

from __future__ import annotations

import csv
import io
import json
import tempfile
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from hypothesis import example, given, settings
from hypothesis import strategies as st

from grassroots_tui.io.export_common import COLUMNS, ledger_row
from grassroots_tui.io.export_csv import write_csv
from grassroots_tui.io.export_json import write_json

TZ = ZoneInfo("Asia/Shanghai")
# Any text without surrogates or NUL (SQLite TEXT and the csv module both refuse NUL); mostly Chinese.
TEXT = st.text(alphabet=st.one_of(st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF),
                                  st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")),
               max_size=60)


def record(summary: str, detail: str, name: str) -> dict:
    when = datetime(2026, 10, 12, 9, 30, tzinfo=TZ)
    return {
        "reference": "SQ-2026-000001", "kind": "concern", "received_at": when, "channel": "phone",
        "nature": "complaint", "category_code": "0801", "category_name": "漏水渗水", "parent_name": "邻里纠纷",
        "summary": summary, "detail": detail, "resident_name": name, "resident_phone": "138****5678",
        "resident_id_number": "", "address": "幸福里 3-2-301", "estate": "幸福里", "building": "3", "unit_no": "2",
        "room": "301", "grid_code": None, "grid_name": None, "urgency": "ordinary", "unit_code": "WY",
        "unit_name": "物业服务中心", "status": "closed", "supervision": "none", "dispatch_due": when,
        "feedback_due_original": when, "feedback_due": when, "first_routed_at": None, "first_reported_at": None,
        "closed_at": None, "updated_at": when, "return_count": 0, "extension_count": 1, "rework_count": 0,
        "followup_outcome": "partly", "followup_satisfaction": "basic", "followup_at": None, "followup_note": "",
        "excluded": False, "excluded_reason": "",
    }


def as_csv(text: str) -> str:
    """Text Excel would run as a formula gets a leading apostrophe; a long number is kept as text."""
    from grassroots_tui.io.export_csv import NUMBER_LIKE

    if NUMBER_LIKE.fullmatch(text):
        return f'="{text}"'
    return "'" + text if text.startswith(("=", "+", "-", "@", "\t", "\r")) else text


@settings(max_examples=60, deadline=None)
@given(summary=TEXT, detail=TEXT, name=TEXT)
def test_csv_and_json_round_trip_any_text(summary: str, detail: str, name: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "x.csv"
        assert write_csv(out, [record(summary, detail, name)], 1) == 1
        raw = out.read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf")
        rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
        assert rows[0] == [c.header for c in COLUMNS]
        got = dict(zip([c.key for c in COLUMNS], rows[1], strict=True))
        assert (got["summary"], got["detail"], got["resident"]) == (as_csv(summary), as_csv(detail), as_csv(name))
        assert got["received_at"] == "2026-10-12 09:30" and got["followup_outcome"] == "部分解决"
        out_json = Path(tmp) / "x.json"
        meta = {"generated_at": datetime(2026, 10, 12, 10, tzinfo=TZ), "period": None, "masked": True}
        write_json(out_json, [record(summary, detail, name)], 1, meta)
        data = json.loads(out_json.read_text(encoding="utf-8"))
        c = data["concerns"][0]
        assert (c["summary"], c["detail"], c["resident_name"]) == (summary, detail, name)
        assert c["received_at"] == "2026-10-12T09:30:00+08:00"


@settings(max_examples=150, deadline=None)
@given(summary=TEXT)
@example(summary="\r")
@example(summary="  前后空格\r\n第二行  ")
@example(summary="\x1b[31m红\x1b[0m [red]危险[/red]")
def test_xlsx_keeps_any_text_as_text(summary: str) -> None:
    from openpyxl import load_workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    from grassroots_tui.io.export_xlsx import write_xlsx

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "x.xlsx"
        meta = {"generated_at": datetime(2026, 10, 12, 10, tzinfo=TZ), "masked": True}
        write_xlsx(out, [record("=1+1", "", ""), record(summary, "", "")], 2, None, meta, figures=False)
        sheet = load_workbook(out)["诉求台账"]
        col = [c.key for c in COLUMNS].index("summary") + 1
        first = sheet.cell(2, col)
        assert first.value == "=1+1" and first.data_type == "s"  # text, not a formula
        expected = ILLEGAL_CHARACTERS_RE.sub("", summary)
        assert (sheet.cell(3, col).value or "") == expected


def test_ledger_row_uses_the_chinese_words() -> None:
    row = ledger_row(record("漏水", "", "张*"))
    assert (row["channel"], row["nature"], row["status"], row["followup_satisfaction"]) == (
        "来电", "投诉", "已办结", "基本满意")
    assert row["supervision"] == "" and row["excluded"] == "否" and row["category"] == "0801 漏水渗水"
