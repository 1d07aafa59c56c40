"""The ledger as JSON: stable codes (not the Chinese words), times in ISO 8601 with offset.

    {"generated_at": ..., "period": {"from", "to"} | null, "masked": true, "count": N,
     "concerns": [{"reference": ..., "status": "closed", ...}, ...]}

Written record by record, so a large export never sits in memory.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from grassroots_tui.io.export_common import Progress, report_progress

FIELDS = (
    "reference", "kind", "received_at", "channel", "nature", "category_code", "category_name", "summary", "detail",
    "resident_name", "resident_phone", "resident_id_number", "address", "estate", "building", "unit_no", "room",
    "grid_code", "urgency", "unit_code", "unit_name", "status", "supervision", "dispatch_due",
    "feedback_due_original", "feedback_due", "first_routed_at", "first_reported_at", "closed_at", "updated_at",
    "return_count", "extension_count", "rework_count", "followup_outcome", "followup_satisfaction", "followup_at",
    "followup_note", "excluded", "excluded_reason", "assessed",
)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    return value


def write_json(path: Path, records: Iterable[dict], total: int, meta: dict, progress: Progress | None = None) -> int:
    period = meta.get("period")
    head = {
        "generated_at": _plain(meta["generated_at"]),
        "committee": meta.get("committee", ""),
        "period": {"from": period.start.isoformat(), "to": period.end.isoformat()} if period else None,
        "masked": meta["masked"],
        **({"selection": meta["selection"]} if meta.get("selection") else {}),
        "count": total,
    }
    written = 0
    with path.open("w", encoding="utf-8") as fh:
        fh.write(json.dumps(head, ensure_ascii=False, indent=2)[:-2] + ',\n  "concerns": [')
        for record in records:
            fh.write("\n    " if written == 0 else ",\n    ")
            fh.write(json.dumps({k: _plain(record.get(k)) for k in FIELDS}, ensure_ascii=False))
            written += 1
            report_progress(progress, written, total)
        fh.write("\n  ]\n}\n")
    return written
