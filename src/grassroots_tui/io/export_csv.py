"""The ledger as CSV that Excel in China opens without garbled text: UTF-8 with a BOM."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from grassroots_tui.io.export_common import COLUMNS, Progress, ledger_row, report_progress

ENCODING = "utf-8-sig"


# Excel runs a cell that starts with one of these as a formula (CSV injection, OWASP):
# such text gets a leading apostrophe, which Excel shows as plain text.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    text = str(value)
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
