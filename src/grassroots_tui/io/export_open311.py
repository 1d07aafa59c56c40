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


def service_request(m: dict) -> dict:
    status = m["status"]
    label = Status(status).label
    note = (m.get("last_note") or "").strip()
    description = m["summary"] + (f"\n{m['detail']}" if m.get("detail") else "")
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
