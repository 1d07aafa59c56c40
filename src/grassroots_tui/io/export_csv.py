"""The ledger as CSV that Excel in China opens without garbled text: UTF-8 with a BOM.

Two things a spreadsheet does to a CSV cell are undone here:

- a cell starting with = + - @ (or a tab, CR) is run as a formula (CSV injection, OWASP):
  resident's text like that gets a leading apostrophe;
- a long number loses its digits: an 18-digit ID number becomes 1.10105E+17, a mobile a
  number, a landline its leading 0. Such a value is written as the formula ="110105199001011234",
  which Excel and LibreOffice (formulas evaluated on CSV import, its default) both read as the
  text itself. A leading tab or apostrophe does not work in LibreOffice: the cell keeps the tab
  or shows the apostrophe (checked by tests/test_export_audit.py with LibreOffice's own import).
  Only values that are nothing but digits (and an ID number's X, a landline's hyphens) are
  written so: no text of a resident ever becomes a formula.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from grassroots_tui.io.export_common import COLUMNS, Progress, ledger_row, report_progress

ENCODING = "utf-8-sig"


# Excel runs a cell that starts with one of these as a formula (CSV injection, OWASP):
# such text gets a leading apostrophe, which Excel shows as plain text.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# What a spreadsheet would read as a number and spoil: 12+ digits (ID numbers, bank cards), 11-digit
# mobiles, anything with a leading zero, landlines 010-12345678(-801).
NUMBER_LIKE = re.compile(r"[0-9]{11,}[Xx]?|0[0-9]+|0[0-9]{2,3}-[0-9]{7,8}(?:-[0-9]{1,6})?")


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    text = str(value)
    if NUMBER_LIKE.fullmatch(text):
        return f'="{text}"'
    return "'" + text if text.startswith(FORMULA_START) else text


def write_csv(path: Path, records: Iterable[dict], total: int, progress: Progress | None = None) -> int:
    written = 0
    with path.open("w", encoding=ENCODING, newline="") as fh:
        out = csv.writer(fh)
        out.writerow([c.header for c in COLUMNS])
        for record in records:
            row = ledger_row(record)
            out.writerow([_text(row[c.key]) for c in COLUMNS])
            written += 1
            report_progress(progress, written, total)
    return written
