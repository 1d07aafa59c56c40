"""Figures for a period: one SQL aggregation over the concerns received in it.

The predicates below are the SQL spelling of `domain.metrics` (a test checks that both
agree on a hand-built database). Every rate is computed over the cohort of concerns
received in the period (N), so a month's figures read only that month's rows through
the `received_at` index; the event log is touched only to ask "was it ever dispatched".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from sqlalchemy import text

from grassroots_tui.config import load_toml
from grassroots_tui.domain.codes import Channel, Status
from grassroots_tui.domain.errors import DomainError
from grassroots_tui.domain.metrics import (
    METRIC_BY_CODE,
    ConcernFacts,
    Counts,
    Figures,
    MetricOptions,
    Period,
    figures,
    month_label,
)
from grassroots_tui.services.workspace import Workspace
from grassroots_tui.store.types import to_db

DIMENSIONS: dict[str, str] = {
    "category": "分类",
    "subcategory": "二级分类",
    "grid": "网格",
    "unit": "承办单位",
    "channel": "来源",
    "month": "月份",
}

# dimension -> (SQL key expression, extra join)
_GROUP_SQL: dict[str, tuple[str, str]] = {
    "category": ("coalesce(cat.parent_code, c.category_code)", "JOIN category cat ON cat.code = c.category_code"),
    "subcategory": ("c.category_code", ""),
    "grid": ("c.grid_code", ""),
    "unit": ("c.unit_code", ""),
    "channel": ("c.channel", ""),
}

_DISPATCHED = ("EXISTS (SELECT 1 FROM concern_event e WHERE e.concern_id = c.id AND e.action = 'dispatch')")


def load_options() -> MetricOptions:
    """`metrics.toml` (the user's copy if there is one)."""
    return MetricOptions.from_mapping(load_toml("metrics.toml"))


# ------------------------------------------------------------------ SQL pieces

class _Sql:
    """The cohort filter and every predicate, for one set of options and one period."""

    def __init__(self, ws: Workspace, period: Period, o: MetricOptions) -> None:
        self.o = o
        start = datetime.combine(period.start, time(0), tzinfo=ws.tz)
        end = datetime.combine(period.end + timedelta(days=1), time(0), tzinfo=ws.tz)
        self.params: dict[str, Any] = {"start": to_db(start), "end": to_db(end)}
        kinds = self._list("k", o.kinds) or "''"
        statuses = self._list("x", o.exclude_statuses) or "''"
        self.where = (f"c.received_at >= :start AND c.received_at < :end AND c.kind IN ({kinds})"
                      f" AND c.status NOT IN ({statuses}) AND c.excluded = 0")
        fu = "c.followup_at IS NOT NULL" + (" AND c.followup_contacted = 1" if o.require_contact else "")
        deadline = "c.feedback_due_original" if o.on_time_deadline == "original" else "c.feedback_due"
        closed_on_time = (f"c.status = 'closed' AND c.first_reported_at IS NOT NULL"
                          f" AND c.first_reported_at <= {deadline}")
        self.pred: dict[str, str] = {
            "counted": "1",
            "routed_on_time": "c.first_routed_at IS NOT NULL AND c.first_routed_at <= c.dispatch_due",
            "dispatched": _DISPATCHED,
            "returned": f"c.return_count > 0 AND {_DISPATCHED}",
            "reached_followup": "c.first_reported_at IS NOT NULL",
            "followed_up": fu,
            "followed_up_after_report": f"{fu} AND c.first_reported_at IS NOT NULL",
            "reworked": f"{fu} AND c.rework_count > 0",
            "extended": "c.extension_count > 0",
            "closed": "c.status = 'closed'",
            "closed_on_time": closed_on_time,
        }
        self.points = {
            "resolution_points": f"CASE WHEN {fu} THEN {self._case('c.followup_outcome', 'ow', o.outcome_weights)}"
                                 " ELSE 0 END",
            "satisfaction_points": f"CASE WHEN {fu} THEN "
                                   f"{self._case('c.followup_satisfaction', 'sw', o.satisfaction_weights)} ELSE 0 END",
        }
        good_outcomes = self._list("go", [k for k, w in o.outcome_weights.items() if w > 0]) or "''"
        good_sat = self._list("gs", [k for k, w in o.satisfaction_weights.items() if w > 0]) or "''"
        # metric -> (numerator predicate, denominator predicate) for "the concerns behind it"
        p = self.pred
        self.behind: dict[str, tuple[str, str]] = {
            "response_rate": (p["routed_on_time"], "1"),
            "resolution_rate": (f"{fu} AND c.followup_outcome IN ({good_outcomes})", fu),
            "satisfaction_rate": (f"{fu} AND c.followup_satisfaction IN ({good_sat})", fu),
            "on_time_rate": (closed_on_time, p["closed"]),
            "closure_rate": (p["closed"], "1"),
            "return_rate": (p["returned"], p["dispatched"]),
            "rework_rate": (p["reworked"], fu),
            "extension_rate": (p["extended"], "1"),
            "followup_rate": (p["followed_up_after_report"], p["reached_followup"]),
            "composite": ("1", "1"),
        }

    def _list(self, prefix: str, values) -> str:  # noqa: ANN001
        names = []
        for i, v in enumerate(values):
            self.params[f"{prefix}{i}"] = v
            names.append(f":{prefix}{i}")
        return ", ".join(names)

    def _case(self, column: str, prefix: str, weights) -> str:  # noqa: ANN001
        whens = []
        for i, (code, w) in enumerate(weights.items()):
            self.params[f"{prefix}c{i}"] = code
            self.params[f"{prefix}w{i}"] = float(w)
            whens.append(f"WHEN :{prefix}c{i} THEN :{prefix}w{i}")
        return f"(CASE {column} {' '.join(whens)} ELSE 0 END)" if whens else "0"

    def select_counts(self) -> str:
        cols = [f"coalesce(sum(CASE WHEN {pred} THEN 1 ELSE 0 END), 0) AS {name}" for name, pred in self.pred.items()]
        cols += [f"coalesce(total({expr}), 0) AS {name}" for name, expr in self.points.items()]
        return ",\n  ".join(cols)


_COUNT_FIELDS = ("counted", "routed_on_time", "dispatched", "returned", "reached_followup", "followed_up",
                 "followed_up_after_report", "reworked", "extended", "closed", "closed_on_time",
                 "resolution_points", "satisfaction_points")


def _counts(row: Any) -> Counts:
    m = row._mapping
    return Counts(**{k: (float(m[k]) if k.endswith("_points") else int(m[k])) for k in _COUNT_FIELDS})


# ------------------------------------------------------------------ figures

@dataclass(frozen=True)
class Report:
    period: Period
    figures: Figures

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"period": {"from": self.period.start.isoformat(), "to": self.period.end.isoformat()}}
        out.update(self.figures.as_json())
        return out


def period_figures(ws: Workspace, period: Period, options: MetricOptions | None = None) -> Figures:
    """Every figure of the period, from one aggregate query."""
    o = options or load_options()
    q = _Sql(ws, period, o)
    sql = f"SELECT\n  {q.select_counts()}\nFROM concern c\nWHERE {q.where}"
    with ws.read() as s:
        row = s.execute(text(sql), q.params).one()
    return figures(_counts(row), o)


def report(ws: Workspace, period: Period, options: MetricOptions | None = None) -> Report:
    return Report(period, period_figures(ws, period, options))


@dataclass(frozen=True)
class Group:
    dimension: str
    key: str | None  # the code; None = not set (no grid, not dispatched)
    label: str
    figures: Figures


def breakdown(ws: Workspace, period: Period, dimension: str, options: MetricOptions | None = None) -> list[Group]:
    """The figures per category (top level), subcategory, grid, handling unit, channel or month."""
    o = options or load_options()
    if dimension == "month":
        return [Group("month", month_label(m), month_label(m), period_figures(ws, m, o)) for m in period.months()]
    if dimension not in _GROUP_SQL:
        raise DomainError(f"不能按“{dimension}”分组统计。可选：{'、'.join(DIMENSIONS)}。", "by")
    key_sql, join = _GROUP_SQL[dimension]
    q = _Sql(ws, period, o)
    sql = (f"SELECT {key_sql} AS grp,\n  {q.select_counts()}\nFROM concern c {join}\nWHERE {q.where}\n"
           f"GROUP BY grp ORDER BY counted DESC, grp")
    with ws.read() as s:
        rows = s.execute(text(sql), q.params).all()
        labels = _labels(s, dimension)
    return [Group(dimension, r._mapping["grp"], _label(labels, dimension, r._mapping["grp"]), figures(_counts(r), o))
            for r in rows]


def _labels(s, dimension: str) -> dict[str, str]:  # noqa: ANN001
    if dimension in ("category", "subcategory"):
        return dict(s.execute(text("SELECT code, name FROM category")).all())
    if dimension == "grid":
        return dict(s.execute(text("SELECT code, name FROM grid")).all())
    if dimension == "unit":
        return dict(s.execute(text("SELECT code, name FROM unit")).all())
    if dimension == "channel":
        return {c.value: c.label for c in Channel}
    return {}


_NONE_LABEL = {"grid": "未划分网格", "unit": "无承办单位", "category": "未分类", "subcategory": "未分类", "channel": "未知"}


def _label(labels: dict[str, str], dimension: str, key: str | None) -> str:
    if key is None:
        return _NONE_LABEL.get(dimension, "-")
    return labels.get(key, key)


def trend(ws: Workspace, last: Period, months: int = 12, options: MetricOptions | None = None) -> list[Group]:
    """The figures of `months` calendar months ending with the month of `last.end`, oldest first."""
    o = options or load_options()
    end = Period.month(last.end.year, last.end.month)
    out = []
    for i in range(months - 1, -1, -1):
        m = end.shift(-i)
        out.append(Group("month", month_label(m), month_label(m), period_figures(ws, m, o)))
    return out


# ------------------------------------------------------------------ the concerns behind a figure

@dataclass(frozen=True)
class BehindRow:
    reference: str
    received_at: datetime
    status: str
    status_label: str
    category_name: str
    unit_name: str
    summary: str


def _behind_sql(ws: Workspace, period: Period, metric: str, part: str, group: tuple[str, str | None] | None,
                o: MetricOptions) -> tuple[_Sql, str, str]:
    if metric not in METRIC_BY_CODE:
        raise DomainError(f"没有指标“{metric}”。", "metric")
    if part not in ("numerator", "denominator"):
        raise DomainError("只能列出分子或分母对应的诉求。", "part")
    q = _Sql(ws, period, o)
    num, den = q.behind[metric]
    where = f"{q.where} AND ({den})" + (f" AND ({num})" if part == "numerator" else "")
    join = ""
    if group is not None:
        dim, key = group
        if dim == "month":
            raise DomainError("按月份分组时请先切换到该月份。", "by")
        key_sql, join = _GROUP_SQL[dim]
        if key is None:
            where += f" AND {key_sql} IS NULL"
        else:
            q.params["grp"] = key
            where += f" AND {key_sql} = :grp"
    return q, where, join


def concerns_behind(ws: Workspace, period: Period, metric: str, part: str = "numerator", *,
                    group: tuple[str, str | None] | None = None, limit: int = 50, offset: int = 0,
                    options: MetricOptions | None = None) -> list[BehindRow]:
    """One page of the concerns counted in a figure's numerator (or denominator), newest first."""
    o = options or load_options()
    q, where, join = _behind_sql(ws, period, metric, part, group, o)
    q.params.update(limit=limit, offset=offset)
    sql = (f"SELECT c.reference, c.received_at, c.status, coalesce(leaf.name, c.category_code) AS category_name,"
           f" coalesce(u.name, '') AS unit_name, c.summary FROM concern c {join}"
           f" LEFT JOIN category leaf ON leaf.code = c.category_code LEFT JOIN unit u ON u.code = c.unit_code"
           f" WHERE {where} ORDER BY c.received_at DESC, c.id DESC LIMIT :limit OFFSET :offset")
    with ws.read() as s:
        rows = s.execute(text(sql), q.params).all()
    out = []
    for ref, received, status, cat, unit, summary in rows:
        when = _utc(received)
        out.append(BehindRow(ref, ws.local(when), status, Status(status).label, cat, unit, summary))
    return out


def _utc(value: Any) -> datetime:
    """A stored UTC text (raw SQL result) as an aware datetime."""
    when = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return when.replace(tzinfo=timezone.utc)


def count_behind(ws: Workspace, period: Period, metric: str, part: str = "numerator", *,
                 group: tuple[str, str | None] | None = None, options: MetricOptions | None = None) -> int:
    o = options or load_options()
    q, where, join = _behind_sql(ws, period, metric, part, group, o)
    with ws.read() as s:
        return int(s.execute(text(f"SELECT count(*) FROM concern c {join} WHERE {where}"), q.params).scalar_one())


# ------------------------------------------------------------------ facts (tests, small periods)

def concern_facts(ws: Workspace, period: Period) -> list[ConcernFacts]:
    """Per-concern facts of every concern received in the period (all rows: for tests and checks)."""
    from sqlmodel import select

    from grassroots_tui.store.models import Concern, ConcernEvent

    q = _Sql(ws, period, MetricOptions())
    with ws.read() as s:
        dispatched = set(s.exec(select(ConcernEvent.concern_id).where(ConcernEvent.action == "dispatch")).all())
        rows = s.exec(select(Concern).where(Concern.received_at >= datetime.fromisoformat(q.params["start"] + "+00:00"),
                                            Concern.received_at < datetime.fromisoformat(q.params["end"] + "+00:00"))).all()
    return [ConcernFacts(
        kind=c.kind, status=c.status, excluded=c.excluded, dispatch_due=c.dispatch_due, feedback_due=c.feedback_due,
        feedback_due_original=c.feedback_due_original, first_routed_at=c.first_routed_at,
        first_reported_at=c.first_reported_at, dispatched=c.id in dispatched, return_count=c.return_count,
        rework_count=c.rework_count, extension_count=c.extension_count, followup_at=c.followup_at,
        followup_contacted=c.followup_contacted, followup_outcome=c.followup_outcome,
        followup_satisfaction=c.followup_satisfaction) for c in rows]


def parse_period(start: date | None, end: date | None, today: date) -> Period:
    """`--from/--to`: both given = that range; one missing = that side's month; none = this month."""
    if start is None and end is None:
        return Period.month(today.year, today.month)
    if start is None:
        start = end.replace(day=1)  # type: ignore[union-attr]
    if end is None:
        end = Period.month(start.year, start.month).end
    return Period(start, end)


__all__ = ["DIMENSIONS", "BehindRow", "Group", "Report", "breakdown", "concern_facts", "concerns_behind",
           "count_behind", "load_options", "parse_period", "period_figures", "report", "trend"]
