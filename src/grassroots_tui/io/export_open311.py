"""Service requests in the Open311 GeoReport v2 format (the body of `GET requests.json`).

https://wiki.open311.org/GeoReport_v2 — an array of service requests. The status is
`open` for a concern still in the loop and `closed` once it is closed, rejected or merged;
`status_notes` says which, in Chinese, with the latest note; `service_code`/`service_name`
are our two-level category; `expected_datetime` is the current report-back deadline.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from grassroots_tui.domain.codes import Status
from grassroots_tui.io.export_common import Progress, report_progress

CLOSED = {Status.CLOSED.value, Status.REJECTED.value, Status.MERGED.value}


def _dt(value: datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") if value else None


DESCRIPTION_LIMIT = 4000  # GeoReport v2: "description … may not exceed 4,000 characters"
CUT_MARK = "（以下从略）"


def open311_text(value: str) -> str:
    """Plain text as GeoReport v2 asks: no HTML (angle brackets become full-width), at most 4 000 characters."""
    value = value.replace("<", "＜").replace(">", "＞")
    if len(value) > DESCRIPTION_LIMIT:
        value = value[: DESCRIPTION_LIMIT - len(CUT_MARK)] + CUT_MARK
    return value


def service_request(m: dict) -> dict:
    status = m["status"]
    label = Status(status).label
    note = (m.get("last_note") or "").strip()
    description = open311_text(m["summary"] + (f"\n{m['detail']}" if m.get("detail") else ""))
    return {
        "service_request_id": m["reference"],
        "status": "closed" if status in CLOSED else "open",
        "status_notes": f"{label}：{note}" if note else label,
        "service_name": m["category_name"] or m["category_code"],
        "service_code": m["category_code"],
        "description": description,
        "agency_responsible": m["unit_name"] or "",
        "service_notice": "",
        "requested_datetime": _dt(m["received_at"]),
        "updated_datetime": _dt(m["updated_at"]),
        "expected_datetime": _dt(m["feedback_due"]),
        "address": m["address"],
        "address_id": "",
        "zipcode": "",
        "lat": None,
        "long": None,
        "media_url": "",
    }


def write_open311(path: Path, records: Iterable[dict], total: int, progress: Progress | None = None) -> int:
    written = 0
    with path.open("w", encoding="utf-8") as fh:
        fh.write("[")
        for record in records:
            fh.write("\n  " if written == 0 else ",\n  ")
            fh.write(json.dumps(service_request(record), ensure_ascii=False))
            written += 1
            report_progress(progress, written, total)
        fh.write("\n]\n")
    return written
