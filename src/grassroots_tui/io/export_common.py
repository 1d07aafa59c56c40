"""The concern ledger (诉求台账) as records, streamed from the database, for every export format.

Personal data is masked unless `reveal` is set: a resident's name keeps its first character
(张**), phones and ID numbers are masked as everywhere else (138****5678,
110105********1234), and phone or ID numbers typed into free text are masked too. An export
with `reveal` writes an audit-log row (who, when, what, how many rows); so does every export.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import text

from grassroots_tui.domain.codes import Channel, ConcernKind, Nature, Outcome, Satisfaction, Status, Supervision, Urgency
from grassroots_tui.domain.errors import DomainError
from grassroots_tui.domain.metrics import Period
from grassroots_tui.domain.validation import mask_id, mask_phone
from grassroots_tui.services.workspace import Workspace
from grassroots_tui.store.types import to_db

Progress = Callable[[int, int], None]
FORMATS = ("xlsx", "csv", "json", "open311")
FORMAT_LABELS = {"xlsx": "Excel 表格 (.xlsx)", "csv": "CSV (.csv)", "json": "JSON (.json)",
                 "open311": "Open311 GeoReport v2 (.json)"}
PROGRESS_EVERY = 500


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    kind: str = "text"  # text · datetime · int


# The ledger's columns, in order, with the Chinese headers a clerk sees.
COLUMNS: tuple[Column, ...] = (
    Column("reference", "编号"),
    Column("kind", "类型"),
    Column("received_at", "受理时间", "datetime"),
    Column("channel", "来源"),
    Column("nature", "性质"),
    Column("category_parent", "一级分类"),
    Column("category", "二级分类"),
    Column("summary", "诉求摘要"),
    Column("detail", "详细情况"),
    Column("resident", "居民"),
    Column("phone", "联系电话"),
    Column("id_number", "身份证件号"),
    Column("address", "地址"),
    Column("grid", "网格"),
    Column("urgency", "紧急程度"),
    Column("unit", "承办单位"),
    Column("status", "状态"),
    Column("supervision", "督办"),
    Column("dispatch_due", "派单时限", "datetime"),
    Column("feedback_due_original", "反馈时限（原定）", "datetime"),
    Column("feedback_due", "反馈时限（现行）", "datetime"),
    Column("first_routed_at", "首次派单时间", "datetime"),
    Column("first_reported_at", "首次反馈时间", "datetime"),
    Column("closed_at", "办结时间", "datetime"),
    Column("return_count", "退单次数", "int"),
    Column("extension_count", "延期次数", "int"),
    Column("rework_count", "重办次数", "int"),
    Column("followup_outcome", "回访结果"),
    Column("followup_satisfaction", "满意度"),
    Column("followup_at", "回访时间", "datetime"),
    Column("excluded", "剔除考核"),
    Column("excluded_reason", "剔除原因"),
)

_LABELS: dict[str, dict[str, str]] = {
    "kind": {c.value: c.label for c in ConcernKind},
    "channel": {c.value: c.label for c in Channel},
    "nature": {c.value: c.label for c in Nature},
    "urgency": {c.value: c.label for c in Urgency},
    "status": {c.value: c.label for c in Status},
    "supervision": {c.value: c.label for c in Supervision},
    "followup_outcome": {c.value: c.label for c in Outcome},
    "followup_satisfaction": {c.value: c.label for c in Satisfaction},
}

_PHONE_IN_TEXT = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)")
_ID_IN_TEXT = re.compile(r"(?<![0-9])(\d{6})\d{8}(\d{3}[\dXx])(?![0-9Xx])")


def mask_name(name: str | None) -> str:
    if not name:
        return ""
    return name[0] + "*" * (len(name) - 1) if len(name) > 1 else "*"


def mask_text(value: str | None) -> str:
    """Phone and ID numbers inside free text, masked like the fields."""
    if not value:
        return ""
    value = _ID_IN_TEXT.sub(lambda m: f"{m.group(1)}********{m.group(2)}", value)
    return _PHONE_IN_TEXT.sub(lambda m: f"{m.group(1)}****{m.group(2)}", value)


# ------------------------------------------------------------------ reading

_SELECT = """
SELECT c.id, c.reference, c.kind, c.received_at, c.channel, c.nature, c.category_code,
  leaf.name AS category_name, parent.name AS parent_name, c.summary, c.detail,
  r.name AS resident_name, r.phone AS resident_phone, r.id_number AS resident_id_number,
  c.estate, c.building, c.unit_no, c.room, c.location_text, c.grid_code, g.name AS grid_name,
  c.urgency, c.unit_code, u.name AS unit_name, c.status, c.supervision, c.dispatch_due,
  c.feedback_due_original, c.feedback_due, c.first_routed_at, c.first_reported_at, c.closed_at,
  c.updated_at, c.return_count, c.extension_count, c.rework_count, c.followup_outcome,
  c.followup_satisfaction, c.followup_at, c.followup_note, c.excluded, c.excluded_reason {notes}
FROM concern c
LEFT JOIN category leaf ON leaf.code = c.category_code
LEFT JOIN category parent ON parent.code = leaf.parent_code
LEFT JOIN resident r ON r.id = c.resident_id
LEFT JOIN grid g ON g.code = c.grid_code
LEFT JOIN unit u ON u.code = c.unit_code
WHERE {where}
ORDER BY c.received_at, c.id
"""
_LAST_NOTE = (", (SELECT e.note FROM concern_event e WHERE e.concern_id = c.id AND e.note != ''"
              " ORDER BY e.id DESC LIMIT 1) AS last_note")
_TIMES = ("received_at", "dispatch_due", "feedback_due_original", "feedback_due", "first_routed_at",
          "first_reported_at", "closed_at", "updated_at", "followup_at")


def _where(ws: Workspace, period: Period | None) -> tuple[str, dict[str, Any]]:
    if period is None:
        return "1", {}
    start = datetime.combine(period.start, time(0), tzinfo=ws.tz)
    end = datetime.combine(period.end + timedelta(days=1), time(0), tzinfo=ws.tz)
    return "c.received_at >= :start AND c.received_at < :end", {"start": to_db(start), "end": to_db(end)}


def count_records(ws: Workspace, period: Period | None) -> int:
    where, params = _where(ws, period)
    with ws.read() as s:
        return int(s.execute(text(f"SELECT count(*) FROM concern c WHERE {where}"), params).scalar_one())


def _local(ws: Workspace, value: Any) -> datetime | None:
    if value is None:
        return None
    when = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return when.replace(tzinfo=timezone.utc).astimezone(ws.tz)


def iter_records(ws: Workspace, period: Period | None, reveal: bool = False,
                 with_notes: bool = False) -> Iterator[dict[str, Any]]:
    """Every concern of the period (all when None), oldest first, as a plain dict of codes and names.

    Rows are streamed from one cursor in a read transaction: a consistent snapshot however
    long the export takes, without holding every row in memory.
    """
    where, params = _where(ws, period)
    sql = _SELECT.format(where=where, notes=_LAST_NOTE if with_notes else "")
    with ws.engine.connect() as conn:
        result = conn.execution_options(stream_results=True).execute(text(sql), params)
        for row in result:
            m = dict(row._mapping)
            for key in _TIMES:
                m[key] = _local(ws, m[key])
            m["excluded"] = bool(m["excluded"])
            room = m["room"] or ""
            parts = "-".join(p for p in (m["building"], m["unit_no"], room) if p)
            m["address"] = " ".join(p for p in (m["estate"], parts, m["location_text"]) if p)
            if not reveal:
                m["resident_name"] = mask_name(m["resident_name"])
                m["resident_phone"] = mask_phone(m["resident_phone"])
                m["resident_id_number"] = mask_id(m["resident_id_number"])
                for key in ("summary", "detail", "followup_note", "address", "excluded_reason", "last_note"):
                    if m.get(key):
                        m[key] = mask_text(m[key])
            yield m


def ledger_row(m: dict[str, Any]) -> dict[str, Any]:
    """A record as the ledger's columns, with the Chinese words for codes (values typed: datetime, int, str)."""
    out: dict[str, Any] = {}
    for col in COLUMNS:
        key = col.key
        if key in _LABELS:
            code = m.get(key)
            value = _LABELS[key].get(code, code or "") if code else ""
            if key == "supervision" and code == "none":
                value = ""
        elif key == "category":
            value = f"{m['category_code']} {m['category_name'] or ''}".strip()
        elif key == "category_parent":
            value = m["parent_name"] or ""
        elif key == "resident":
            value = m["resident_name"] or ""
        elif key == "phone":
            value = m["resident_phone"] or ""
        elif key == "id_number":
            value = m["resident_id_number"] or ""
        elif key == "grid":
            value = m["grid_name"] or (m["grid_code"] or "")
        elif key == "unit":
            value = m["unit_name"] or (m["unit_code"] or "")
        elif key == "excluded":
            value = "是" if m["excluded"] else "否"
        else:
            value = m.get(key)
            if value is None and col.kind == "text":
                value = ""
        out[key] = value
    return out


def data_period(ws: Workspace) -> Period:
    """First to last day with a concern (this month when there are none): the figures of a full export."""
    with ws.read() as s:
        lo, hi = s.execute(text("SELECT min(received_at), max(received_at) FROM concern")).one()
    if lo is None:
        today = ws.now().date()
        return Period.month(today.year, today.month)
    return Period(_local(ws, lo).date(), _local(ws, hi).date())  # type: ignore[union-attr]


# ------------------------------------------------------------------ the use case

@dataclass(frozen=True)
class ExportResult:
    path: Path
    format: str
    rows: int
    revealed: bool
    period_from: date | None
    period_to: date | None


def export_concerns(ws: Workspace, fmt: str, out: Path | str, *, period: Period | None = None,
                    reveal: bool = False, actor_id: int | None = None,
                    progress: Progress | None = None) -> ExportResult:
    """Write the ledger in `fmt` to `out` (via a temporary file), then log it."""
    from grassroots_tui.domain.validation import nfkc

    fmt = nfkc(fmt).lower()
    if fmt not in FORMATS:
        raise DomainError(f"不支持的导出格式“{fmt}”。可选：{'、'.join(FORMATS)}。", "format")
    out = Path(out).expanduser()
    if out.is_dir():
        raise DomainError(f"{out} 是一个文件夹，请给出文件名。", "out")
    if not out.parent.exists():
        raise DomainError(f"文件夹 {out.parent} 不存在。", "out")
    total = count_records(ws, period)
    tmp = out.with_name(f".{out.name}.part")
    records = iter_records(ws, period, reveal, with_notes=(fmt == "open311"))
    meta = {"period": period, "masked": not reveal, "generated_at": ws.now(), "committee": ws.settings.committee_name}
    try:
        if fmt == "xlsx":
            from grassroots_tui.io.export_xlsx import write_xlsx
            from grassroots_tui.services.metrics import report

            rep = report(ws, period or data_period(ws))
            rows = write_xlsx(tmp, records, total, rep, meta, progress)
        elif fmt == "csv":
            from grassroots_tui.io.export_csv import write_csv

            rows = write_csv(tmp, records, total, progress)
        elif fmt == "json":
            from grassroots_tui.io.export_json import write_json

            rows = write_json(tmp, records, total, meta, progress)
        else:
            from grassroots_tui.io.export_open311 import write_open311

            rows = write_open311(tmp, records, total, progress)
        tmp.replace(out)
    finally:
        if tmp.exists():
            tmp.unlink()
    _audit(ws, actor_id, fmt, out, rows, period, reveal)
    return ExportResult(out, fmt, rows, reveal, period.start if period else None, period.end if period else None)


def _audit(ws: Workspace, actor_id: int | None, fmt: str, out: Path, rows: int, period: Period | None,
           reveal: bool) -> None:
    from grassroots_tui.store.models import AuditLog

    detail = {"format": fmt, "rows": rows, "masked": not reveal,
              "from": period.start.isoformat() if period else None,
              "to": period.end.isoformat() if period else None}
    with ws.write() as s:
        s.add(AuditLog(at=ws.now(), actor_id=actor_id, action="export_reveal" if reveal else "export",
                       target=str(out), detail=json.dumps(detail, ensure_ascii=False)))


def report_progress(progress: Progress | None, done: int, total: int) -> None:
    if progress is not None and (done % PROGRESS_EVERY == 0 or done == total):
        progress(done, total)


__all__ = ["COLUMNS", "FORMATS", "FORMAT_LABELS", "Column", "ExportResult", "count_records", "data_period",
           "export_concerns", "iter_records", "ledger_row", "mask_name", "mask_text", "report_progress"]
