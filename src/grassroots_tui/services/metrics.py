"""Figures for a period: one SQL aggregation over the concerns received in it.

The predicates below are the SQL spelling of `domain.metrics` (a test checks that both
agree on a hand-built database). Every rate is computed over the cohort of concerns
received in the period (N), less its 未到期 concerns as of the workspace's clock, so a
month's figures read only that month's rows through the `received_at` index; the event
log is touched only to ask "was it ever dispatched".

A figure and the concerns listed behind it (`concerns_behind`, `count_behind`) are built
from the same `domain.metrics.PARTS` triple and the same predicates here: the drill-down's
denominator is the figure's denominator, and its numerator rows carry the weight they add
(部分解决 0.5), so their weights sum to the figure's numerator.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import fields as dataclass_fields
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from sqlalchemy import text

from grassroots_tui.config import load_toml
from grassroots_tui.domain.codes import RUNNING_STATUSES, Channel, Status
from grassroots_tui.domain.errors import DomainError
from grassroots_tui.domain.metrics import (
    METRIC_BY_CODE,
    PARTS,
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
    """The cohort filter and every predicate, for one set of options, one period and one "now"."""

    def __init__(self, ws: Workspace, period: Period, o: MetricOptions, now: datetime | None = None) -> None:
        self.o = o
        start = datetime.combine(period.start, time(0), tzinfo=ws.tz)
        end = datetime.combine(period.end + timedelta(days=1), time(0), tzinfo=ws.tz)
        self.params: dict[str, Any] = {"start": to_db(start), "end": to_db(end), "now": to_db(now or ws.now())}
        kinds = self._list("k", o.kinds) or "''"
        statuses = self._list("x", o.exclude_statuses) or "''"
        self.where = (f"c.received_at >= :start AND c.received_at < :end AND c.kind IN ({kinds})"
                      f" AND c.status NOT IN ({statuses}) AND NOT c.excluded")
        fu = "c.followup_at IS NOT NULL" + (" AND c.followup_contacted" if o.require_contact else "")
        deadline = "c.feedback_due_original" if o.on_time_deadline == "original" else "c.feedback_due"
        closed_on_time = (f"c.status = 'closed' AND c.first_reported_at IS NOT NULL"
                          f" AND c.first_reported_at <= {deadline}")
        running = self._list("run", [str(st) for st in RUNNING_STATUSES])
        # 未到期 (domain.metrics.response_pending & co.): the result not known, the limit not passed.
        response_pending = "c.first_routed_at IS NULL AND c.dispatch_due >= :now"
        closure_pending = "c.status != 'closed' AND c.feedback_due >= :now"
        extension_pending = f"c.extension_count = 0 AND c.status IN ({running}) AND c.feedback_due >= :now"
        followup_pending = (f"c.first_reported_at IS NOT NULL AND c.status = 'awaiting_followup' AND NOT ({fu})"
                            " AND c.due_at IS NOT NULL AND c.due_at >= :now")
        self.pred: dict[str, str] = {
            "counted": "1 = 1",
            "routed_on_time": "c.first_routed_at IS NOT NULL AND c.first_routed_at <= c.dispatch_due",
            "response_pending": response_pending,
            "response_due": f"NOT ({response_pending})",
            "closure_pending": closure_pending,
            "closure_due": f"NOT ({closure_pending})",
            "extension_pending": extension_pending,
            "extension_due": f"NOT ({extension_pending})",
            "dispatched": _DISPATCHED,
            "returned": f"c.return_count > 0 AND {_DISPATCHED}",
            "reached_followup": "c.first_reported_at IS NOT NULL",
            "followup_pending": followup_pending,
            "followup_due": f"c.first_reported_at IS NOT NULL AND NOT ({followup_pending})",
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

    def part(self, metric: str, part: str) -> str:
        """The rows behind one part of a figure: its denominator, its numerator (rows that add
        to it) or its 未到期 concerns; all from `PARTS`, the figure's own definition."""
        if metric == "composite":  # a weighted score: the concerns behind it are the cohort N
            return "1 = 1"
        p = PARTS[metric]
        if part == "pending":
            return self.pred[p.pending] if p.pending else "1 = 0"
        den = self.pred[p.denominator]
        if part == "denominator":
            return den
        return f"({den}) AND ({self.weight(metric)}) > 0"

    def weight(self, metric: str) -> str:
        """What one concern adds to the numerator: 1 or 0, or its points (部分解决 0.5)."""
        if metric == "composite":
            return "1"
        num = PARTS[metric].numerator
        if num in self.points:
            return self.points[num]
        return f"(CASE WHEN {self.pred[num]} THEN 1 ELSE 0 END)"

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
        cols = [f"coalesce(sum(CASE WHEN {pred} THEN 1 ELSE 0 END), 0) AS {name}" for name, pred in self.pred.items()
                if name in _COUNT_FIELDS]
        cols += [f"coalesce(sum({expr}), 0) AS {name}" for name, expr in self.points.items()]
        return ",\n  ".join(cols)


_COUNT_FIELDS = tuple(f.name for f in dataclass_fields(Counts))


def _counts(row: Any) -> Counts:
    m = row._mapping
    return Counts(**{k: (float(m[k]) if k.endswith("_points") else int(m[k])) for k in _COUNT_FIELDS})


# ------------------------------------------------------------------ figures

@dataclass(frozen=True)
class Report:
    period: Period
    figures: Figures
    as_of: datetime | None = None  # the workspace's "now" the 未到期 counts were taken at

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"period": {"from": self.period.start.isoformat(), "to": self.period.end.isoformat()}}
        if self.as_of is not None:
            out["as_of"] = self.as_of.isoformat(timespec="seconds")
        out.update(self.figures.as_json())
        return out


def period_figures(ws: Workspace, period: Period, options: MetricOptions | None = None, *,
                   now: datetime | None = None) -> Figures:
    """Every figure of the period as of `now` (the workspace's clock), from one aggregate query."""
    o = options or load_options()
    q = _Sql(ws, period, o, now)
    sql = f"SELECT\n  {q.select_counts()}\nFROM concern c\nWHERE {q.where}"
    with ws.read() as s:
        row = s.execute(text(sql), q.params).one()
    return figures(_counts(row), o)


def report(ws: Workspace, period: Period, options: MetricOptions | None = None) -> Report:
    now = ws.now()
    return Report(period, period_figures(ws, period, options, now=now), now)


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
    weight: float = 1.0  # what it adds to the figure's numerator (部分解决 0.5); 0 outside it


PARTS_BEHIND = ("numerator", "denominator", "pending")


def _behind_sql(ws: Workspace, period: Period, metric: str, part: str, group: tuple[str, str | None] | None,
                o: MetricOptions) -> tuple[_Sql, str, str]:
    if metric not in METRIC_BY_CODE:
        raise DomainError(f"没有指标“{metric}”。", "metric")
    if part not in PARTS_BEHIND:
        raise DomainError("只能列出分子、分母或未到期的诉求。", "part")
    q = _Sql(ws, period, o)
    where = f"{q.where} AND ({q.part(metric, part)})"
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
    """One page of the concerns in a figure's numerator, denominator or 未到期 count, newest first."""
    o = options or load_options()
    q, where, join = _behind_sql(ws, period, metric, part, group, o)
    q.params.update(limit=limit, offset=offset)
    sql = (f"SELECT c.reference, c.received_at, c.status, coalesce(leaf.name, c.category_code) AS category_name,"
           f" coalesce(u.name, '') AS unit_name, c.summary, {q.weight(metric)} AS weight FROM concern c {join}"
           f" LEFT JOIN category leaf ON leaf.code = c.category_code LEFT JOIN unit u ON u.code = c.unit_code"
           f" WHERE {where} ORDER BY c.received_at DESC, c.id DESC LIMIT :limit OFFSET :offset")
    with ws.read() as s:
        rows = s.execute(text(sql), q.params).all()
    out = []
    for ref, received, status, cat, unit, summary, weight in rows:
        when = _utc(received)
        out.append(BehindRow(ref, ws.local(when), status, Status(status).label, cat, unit, summary,
                             float(weight or 0)))
    return out


def _utc(value: Any) -> datetime:
    """A stored UTC text (raw SQL result) as an aware datetime."""
    when = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return when.replace(tzinfo=timezone.utc)


@dataclass(frozen=True)
class BehindTotal:
    rows: int  # concerns listed
    points: float | int  # their weights summed: the figure's numerator when part = numerator


def total_behind(ws: Workspace, period: Period, metric: str, part: str = "numerator", *,
                 group: tuple[str, str | None] | None = None, options: MetricOptions | None = None) -> BehindTotal:
    """How many concerns a drill-down lists and what they add up to."""
    o = options or load_options()
    q, where, join = _behind_sql(ws, period, metric, part, group, o)
    sql = f"SELECT count(*), coalesce(sum({q.weight(metric)}), 0) FROM concern c {join} WHERE {where}"
    with ws.read() as s:
        rows, points = s.execute(text(sql), q.params).one()
    points = float(points)
    return BehindTotal(int(rows), int(points) if points.is_integer() else round(points, 6))


def count_behind(ws: Workspace, period: Period, metric: str, part: str = "numerator", *,
                 group: tuple[str, str | None] | None = None, options: MetricOptions | None = None) -> int:
    return total_behind(ws, period, metric, part, group=group, options=options).rows


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
        followup_satisfaction=c.followup_satisfaction, due_at=c.due_at) for c in rows]


def parse_period(start: date | None, end: date | None, today: date) -> Period:
    """`--from/--to`: both given = that range; one missing = that side's month; none = this month."""
    if start is None and end is None:
        return Period.month(today.year, today.month)
    if start is None:
        start = end.replace(day=1)  # type: ignore[union-attr]
    if end is None:
        end = Period.month(start.year, start.month).end
    return Period(start, end)


__all__ = ["DIMENSIONS", "PARTS_BEHIND", "BehindRow", "BehindTotal", "Group", "Report", "breakdown", "concern_facts",
           "concerns_behind", "count_behind", "load_options", "parse_period", "period_figures", "report",
           "total_behind", "trend"]
