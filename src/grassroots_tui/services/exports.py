"""Exporting the concern ledger (诉求台账): the use case around the format writers of `io/`.

What a clerk asks for (a period, the ledger's current view or the marked concerns) is read
from the database in one read transaction, masked by `domain.privacy` unless revealed, and
written by a format writer through `io.safe_file`:

1. the target is checked first (never the open database or any SQLite file; an existing file
   only with `force`, the CLI's --force or the program's confirmation);
2. an audit row (`export`, or `export_reveal` for unmasked personal data) is committed BEFORE
   anything is written: if the audit log cannot be written (a busy database) no file appears;
3. the file is written beside the target under a temporary name, fsynced and renamed: the
   target is never a partial file, whatever kills the program;
4. the audit row is completed with the row count.

So every revealed file that exists at its target has an `export_reveal` row naming it.

Action items (议定事项, YD-…) are tasks from meeting resolutions, not residents' concerns:
completing one walks its pipeline entry through a confirming step, but no resident was ever
called back. Their records carry no follow-up (回访结果, 满意度, 回访时间 and note empty), and
every record whose kind metrics.toml leaves out of the figures says it is 不纳入考核.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from grassroots_tui.domain.errors import DomainError, StorageUnavailable
from grassroots_tui.domain.metrics import Period
from grassroots_tui.domain.privacy import Disclosure
from grassroots_tui.domain.validation import nfkc
from grassroots_tui.io.export_common import FORMAT_LABELS, FORMATS, Progress
from grassroots_tui.io.safe_file import TargetExists
from grassroots_tui.services.workspace import Workspace
from grassroots_tui.store.types import to_db

if TYPE_CHECKING:
    from grassroots_tui.services.ledger import LedgerQuery

SUFFIXES = {"xlsx": ".xlsx", "csv": ".csv", "json": ".json", "open311": ".json"}
CHUNK = 500  # concern ids read per query when exporting a selection

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
_FREE_TEXT = ("summary", "detail", "followup_note", "address", "excluded_reason", "last_note")
# A record of these kinds never had a follow-up with a resident (an action item's completion is
# recorded as one by the pipeline): the export shows none.
NO_FOLLOWUP_KINDS = ("action_item",)
_FOLLOWUP = ("followup_outcome", "followup_satisfaction", "followup_at", "followup_note")


def _where(ws: Workspace, period: Period | None) -> tuple[str, dict[str, Any]]:
    if period is None:
        return "1 = 1", {}
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


def _record(ws: Workspace, row: Any, shown: Disclosure, assessed_kinds: Sequence[str]) -> dict[str, Any]:
    m = dict(row._mapping)
    for key in _TIMES:
        m[key] = _local(ws, m[key])
    m["excluded"] = bool(m["excluded"])
    # 不纳入考核: a kind the figures never count (metrics.toml [population] kinds), or 剔除.
    m["assessed"] = m["kind"] in assessed_kinds and not m["excluded"]
    if m["kind"] in NO_FOLLOWUP_KINDS:
        for key in _FOLLOWUP:
            m[key] = None
    parts = "-".join(p for p in (m["building"], m["unit_no"], m["room"] or "") if p)
    m["address"] = " ".join(p for p in (m["estate"], parts, m["location_text"]) if p)
    name = m["resident_name"]
    for key in _FREE_TEXT:
        if m.get(key):
            m[key] = shown.text(m[key], names=[name])
    m["resident_name"] = shown.name(name)
    m["resident_phone"] = shown.phone(m["resident_phone"])
    m["resident_id_number"] = shown.id_number(m["resident_id_number"])
    return m


def iter_records(ws: Workspace, period: Period | None, shown: Disclosure | None = None, with_notes: bool = False,
                 ids: Sequence[int] | None = None) -> Iterator[dict[str, Any]]:
    """The concerns of the period (all when None), oldest first, or exactly `ids` in their order.

    Plain dicts of codes and names, masked as `shown` says (masked unless told otherwise).
    Rows come from one read transaction (a consistent snapshot however long the export
    takes) without holding every row in memory.
    """
    from grassroots_tui.services.metrics import load_options

    shown = shown or Disclosure()
    assessed_kinds = load_options().kinds
    notes = _LAST_NOTE if with_notes else ""
    with ws.engine.connect() as conn:
        if ids is None:
            where, params = _where(ws, period)
            result = conn.execution_options(stream_results=True).execute(
                text(_SELECT.format(where=where, notes=notes)), params)
            for row in result:
                yield _record(ws, row, shown, assessed_kinds)
            return
        for i in range(0, len(ids), CHUNK):
            chunk = [int(x) for x in ids[i:i + CHUNK]]
            sql = _SELECT.format(where=f"c.id IN ({','.join(str(x) for x in chunk)})", notes=notes)
            found = {row.id: row for row in conn.execute(text(sql))}
            for cid in chunk:
                if cid in found:
                    yield _record(ws, found[cid], shown, assessed_kinds)


def data_period(ws: Workspace) -> Period:
    """First to last day with a concern (this month when there are none): the figures of a full export."""
    with ws.read() as s:
        lo, hi = s.execute(text("SELECT min(received_at), max(received_at) FROM concern")).one()
    if lo is None:
        today = ws.now().date()
        return Period.month(today.year, today.month)
    return Period(_local(ws, lo).date(), _local(ws, hi).date())  # type: ignore[union-attr]


def ids_of_references(ws: Workspace, references: Sequence[str]) -> list[int]:
    """Concern ids of these references, in the order given (unknown ones left out)."""
    from grassroots_tui.domain.reference import normalise_reference

    refs = [normalise_reference(r) for r in references]
    with ws.read() as s:
        found: dict[str, int] = {}
        for i in range(0, len(refs), CHUNK):
            chunk = refs[i:i + CHUNK]
            marks = ",".join(f":r{j}" for j in range(len(chunk)))
            rows = s.execute(text(f"SELECT reference, id FROM concern WHERE reference IN ({marks})"),
                             {f"r{j}": r for j, r in enumerate(chunk)})
            found.update({ref: cid for ref, cid in rows})
    return [found[r] for r in refs if r in found]


# ------------------------------------------------------------------ the use case

@dataclass(frozen=True)
class ExportResult:
    path: Path
    format: str
    rows: int
    revealed: bool
    period_from: date | None
    period_to: date | None


def check_format(fmt: str) -> str:
    fmt = nfkc(fmt).lower()
    if fmt not in FORMATS:
        raise DomainError(f"不支持的导出格式“{fmt}”。可选：{'、'.join(FORMATS)}。", "format")
    return fmt


def check_export_target(ws: Workspace, out: Path | str, *, force: bool = False) -> Path:
    """The file an export may write (a Chinese refusal beside the field otherwise).

    Raises `io.safe_file.TargetExists` for an existing ordinary file unless `force`:
    the program then asks the clerk (ReplaceFileDialog) and the CLI wants --force.
    """
    from grassroots_tui.io.safe_file import check_target

    return check_target(out, force=force, protected=ws.protected_paths)


def export_concerns(ws: Workspace, fmt: str, out: Path | str, *, period: Period | None = None,
                    references: Sequence[str] | None = None, query: LedgerQuery | None = None,
                    reveal: bool = False, actor_id: int | None = None, force: bool = False,
                    progress: Progress | None = None) -> ExportResult:
    """Write the ledger in `fmt` to `out`: a period (None: every concern), or the ledger's
    `query` (its filters, search and sort: the current view), or exactly `references`.

    Audited before the file becomes visible (see the module docstring); `force` replaces an
    existing ordinary file.
    """
    fmt = check_format(fmt)
    target = check_export_target(ws, out, force=force)
    shown = Disclosure(reveal=reveal, sensitive_tags=ws.settings.sensitive_tags)
    ids: list[int] | None = None
    selection = "period"
    if query is not None:
        from grassroots_tui.services.ledger import Ledger

        ledger = Ledger(ws, query)
        ids, selection = ledger.ids(0, ledger.count()), "ledger_view"
    elif references is not None:
        ids, selection = ids_of_references(ws, references), "marked"
    total = count_records(ws, period) if ids is None else len(ids)
    audit_id = _begin_audit(ws, actor_id, fmt, target, period, reveal, selection, total)
    meta = {"period": period, "masked": not reveal, "generated_at": ws.now(), "committee": ws.settings.committee_name,
            "selection": None if ids is None else selection}
    records = iter_records(ws, period, shown, with_notes=(fmt == "open311"), ids=ids)
    rows = _write(ws, fmt, target, records, total, meta, progress, figures=ids is None, period=period)
    _complete_audit(ws, audit_id, rows)
    return ExportResult(target, fmt, rows, reveal, period.start if period else None, period.end if period else None)


def _write(ws: Workspace, fmt: str, target: Path, records: Iterator[dict[str, Any]], total: int, meta: dict,
           progress: Progress | None, *, figures: bool, period: Period | None) -> int:
    from grassroots_tui.io.safe_file import atomic_write

    with atomic_write(target) as tmp:
        if fmt == "xlsx":
            from grassroots_tui.io.export_xlsx import write_xlsx

            rep = None
            if figures:
                from grassroots_tui.services.metrics import report

                rep = report(ws, period or data_period(ws))
            return write_xlsx(tmp, records, total, rep, meta, progress, figures=figures)
        if fmt == "csv":
            from grassroots_tui.io.export_csv import write_csv

            return write_csv(tmp, records, total, progress)
        if fmt == "json":
            from grassroots_tui.io.export_json import write_json

            return write_json(tmp, records, total, meta, progress)
        from grassroots_tui.io.export_open311 import write_open311

        return write_open311(tmp, records, total, progress)
    raise AssertionError("unreachable")  # atomic_write re-raises every failure


BUSY = "数据库正忙（其他工作人员正在保存），未能写入审计日志，因此没有导出文件。请稍后再试。"


def _begin_audit(ws: Workspace, actor_id: int | None, fmt: str, target: Path, period: Period | None, reveal: bool,
                 selection: str, total: int) -> int:
    """The export's audit row, committed before any file is written; a busy database refuses the export."""
    from grassroots_tui.store.models import AuditLog

    detail = {"format": fmt, "rows": None, "masked": not reveal,
              "from": period.start.isoformat() if period else None,
              "to": period.end.isoformat() if period else None,
              "selection": selection, "expected": total, "state": "writing"}
    try:
        with ws.write() as s:
            row = AuditLog(at=ws.now(), actor_id=actor_id, action="export_reveal" if reveal else "export",
                           target=str(target.absolute()), detail=json.dumps(detail, ensure_ascii=False))
            s.add(row)
            s.flush()
            assert row.id is not None
            return row.id
    except StorageUnavailable as exc:
        message = BUSY if exc.kind == "busy" else f"{exc.message.rstrip('。')}；未能写入审计日志，因此没有导出文件。"
        raise DomainError(message, "audit") from None
    except OperationalError:
        raise DomainError(BUSY, "audit") from None


def _complete_audit(ws: Workspace, audit_id: int, rows: int) -> None:
    """The row count, once the file is in place. The row already names the file: if the database
    is busy now, the row stays as it is (the export itself succeeded and is on record)."""
    from grassroots_tui.store.models import AuditLog

    try:
        with ws.write() as s:
            row = s.get(AuditLog, audit_id)
            if row is not None:
                detail = json.loads(row.detail)
                detail.update(rows=rows, state="written")
                row.detail = json.dumps(detail, ensure_ascii=False)
    except (OperationalError, StorageUnavailable):
        pass


__all__ = ["BUSY", "FORMATS", "FORMAT_LABELS", "SUFFIXES", "ExportResult", "TargetExists", "check_export_target", "check_format",
           "count_records", "data_period", "export_concerns", "ids_of_references", "iter_records"]
