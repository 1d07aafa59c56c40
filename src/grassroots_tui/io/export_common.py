"""The concern ledger's columns, shared by every export format: formats only.

Records arrive already read and masked (or revealed and audited) by `services.exports`;
nothing here reads the database, writes the audit log or decides what is masked.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from grassroots_tui.domain.codes import Channel, ConcernKind, Nature, Outcome, Satisfaction, Status, Supervision, Urgency

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
    Column("assessed", "纳入考核"),
)
OUTSIDE_ASSESSMENT = "不纳入考核"

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
        elif key == "assessed":  # a record without the field (older callers) counts as assessed
            if m.get("assessed", True):
                value = "是"
            else:
                why = "已剔除" if m.get("excluded") else _LABELS["kind"].get(m.get("kind") or "", "")
                value = f"{OUTSIDE_ASSESSMENT}（{why}）" if why else OUTSIDE_ASSESSMENT
        else:
            value = m.get(key)
            if value is None and col.kind == "text":
                value = ""
        out[key] = value
    return out


def report_progress(progress: Progress | None, done: int, total: int) -> None:
    if progress is not None and (done % PROGRESS_EVERY == 0 or done == total):
        progress(done, total)


__all__ = ["COLUMNS", "OUTSIDE_ASSESSMENT", "FORMATS", "FORMAT_LABELS", "Column", "Progress", "ledger_row", "report_progress"]
