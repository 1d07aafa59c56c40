"""The figures a committee reports upward (domain.md §3), computed from plain facts.

Pure: no database. The service layer either aggregates the same predicates in SQL
(fast, for any size) or hands per-concern `ConcernFacts` to `tally` (used by tests
to check the SQL against the rules written here).

Every figure keeps its numerator and denominator; a rate over an empty denominator
has no value (None, shown as 无数据), never 0 and never 100 %.

未到期 (not yet due): a concern counts toward a rate only once its result for that rate is
known or its limit has passed. Until then it is out of that rate's numerator and denominator
and shown as a count beside the figure (`Figure.pending`):

- 响应率: not yet routed (dispatched, handled in-house or answered) and still within the
  dispatch limit (`now <= dispatch_due`);
- 办结率: not yet closed and still within the feedback limit (`now <= feedback_due`, the
  current deadline: extensions and the fresh limit of a rework count);
- 延期率: not extended and still being handled (received, dispatched, in progress) within
  the feedback limit: it may yet be extended;
- 回访率: reported back, waiting for its call-back and still within the follow-up limit
  (回访时限, the clock `due_at` that runs while a concern waits for follow-up).

The other rates already count only known results (解决率, 满意率, 重办率 over the followed up;
按期办结率 over the closed; 退单率 over the dispatched, returned so far) and have no 未到期
count. "Now" is the workspace's clock, never the machine's.

Each rate is one `Part` triple (numerator, denominator, pending) naming predicates that exist
twice, here on `ConcernFacts` and in SQL in `services.metrics`; the figure and the concerns
listed behind it come from the same triple.
"""

from __future__ import annotations

import calendar as _calendar
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from datetime import date, datetime, timedelta
from typing import Any

from grassroots_tui.domain.codes import RUNNING_STATUSES
from grassroots_tui.domain.errors import DomainError

NO_DATA = "无数据"


@dataclass(frozen=True)
class MetricDef:
    code: str
    label: str
    numerator: str  # what is counted above the line
    denominator: str  # ... and below it


METRICS: tuple[MetricDef, ...] = (
    MetricDef("response_rate", "响应率", "按时限派单/办理/答复", "已派单或已过派单时限的"),
    MetricDef("resolution_rate", "解决率", "解决（部分解决计半）", "已回访"),
    MetricDef("satisfaction_rate", "满意率", "满意与基本满意", "已回访"),
    MetricDef("on_time_rate", "按期办结率", "按原定期限反馈的已办结", "已办结"),
    MetricDef("closure_rate", "办结率", "已办结", "已办结或已过反馈时限的"),
    MetricDef("return_rate", "退单率", "退单过的", "派过单的"),
    MetricDef("rework_rate", "重办率", "重办过的", "已回访"),
    MetricDef("extension_rate", "延期率", "延期过的", "已延期、办理已结束或已过反馈时限的"),
    MetricDef("followup_rate", "回访率", "已回访", "已反馈待回访的"),
    MetricDef("composite", "综合得分", "加权得分", "权重合计"),
)
METRIC_BY_CODE = {m.code: m for m in METRICS}
RATE_CODES = tuple(m.code for m in METRICS if m.code != "composite")
PENDING = "未到期"


@dataclass(frozen=True)
class Part:
    """Which counts make a rate: the numerator (a count or weighted points), the denominator,
    and the 未到期 count kept out of both (None: the rate has no such rule)."""

    numerator: str
    denominator: str
    pending: str | None = None


# The one definition of every rate: `figures` divides these counts and `services.metrics`
# lists the concerns behind them with the same SQL predicates.
# What a 未到期 concern is, per rate that has the rule (shown beside the count and in the drill-down).
PENDING_MEANING: dict[str, str] = {
    "response_rate": "尚未派单且未过派单时限",
    "closure_rate": "尚未办结且未过反馈时限",
    "extension_rate": "未延期、仍在办理且未过反馈时限",
}

PARTS: dict[str, Part] = {
    "response_rate": Part("routed_on_time", "response_due", "response_pending"),
    "resolution_rate": Part("resolution_points", "followed_up"),
    "satisfaction_rate": Part("satisfaction_points", "followed_up"),
    "on_time_rate": Part("closed_on_time", "closed"),
    "closure_rate": Part("closed", "closure_due", "closure_pending"),
    "return_rate": Part("returned", "dispatched"),
    "rework_rate": Part("reworked", "followed_up"),
    "extension_rate": Part("extended", "extension_due", "extension_pending"),
    "followup_rate": Part("followed_up_after_report", "followup_due", "followup_pending"),
}


# ------------------------------------------------------------------ options

@dataclass(frozen=True)
class MetricOptions:
    """The editable rules of `metrics.toml`."""

    kinds: tuple[str, ...] = ("concern",)
    exclude_statuses: tuple[str, ...] = ("rejected", "merged")
    outcome_weights: Mapping[str, float] = field(
        default_factory=lambda: {"solved": 1.0, "partly": 0.5, "unsolved": 0.0})
    satisfaction_weights: Mapping[str, float] = field(
        default_factory=lambda: {"satisfied": 1.0, "basic": 1.0, "dissatisfied": 0.0})
    on_time_deadline: str = "original"  # or "current"
    require_contact: bool = False
    composite_weights: Mapping[str, float] = field(
        default_factory=lambda: {"response_rate": 0.30, "resolution_rate": 0.35, "satisfaction_rate": 0.35})
    composite_missing: str = "null"  # or "renormalise"

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> "MetricOptions":
        d = cls()
        pop = data.get("population", {})
        comp = data.get("composite", {})
        opts = cls(
            kinds=tuple(pop.get("kinds", d.kinds)),
            exclude_statuses=tuple(pop.get("exclude_statuses", d.exclude_statuses)),
            outcome_weights={k: float(v) for k, v in data.get("resolution", {}).get("weights", d.outcome_weights).items()},
            satisfaction_weights={k: float(v) for k, v in
                                  data.get("satisfaction", {}).get("weights", d.satisfaction_weights).items()},
            on_time_deadline=str(data.get("on_time", {}).get("deadline", d.on_time_deadline)),
            require_contact=bool(data.get("followup", {}).get("require_contact", d.require_contact)),
            composite_weights={k: float(v) for k, v in comp.get("weights", d.composite_weights).items()},
            composite_missing=str(comp.get("missing", d.composite_missing)),
        )
        opts.check()
        return opts

    def check(self) -> None:
        if self.on_time_deadline not in ("original", "current"):
            raise DomainError("metrics.toml 中 on_time.deadline 只能是 original 或 current。", "metrics")
        if self.composite_missing not in ("null", "renormalise"):
            raise DomainError("metrics.toml 中 composite.missing 只能是 null 或 renormalise。", "metrics")
        unknown = [k for k in self.composite_weights if k not in RATE_CODES]
        if unknown:
            raise DomainError(f"metrics.toml 的综合得分权重中有未知指标：{'、'.join(unknown)}。", "metrics")
        for name, weights in (("resolution", self.outcome_weights), ("satisfaction", self.satisfaction_weights)):
            if any(not 0 <= w <= 1 for w in weights.values()):
                raise DomainError(f"metrics.toml 中 {name}.weights 的分值应在 0 到 1 之间。", "metrics")


# ------------------------------------------------------------------ facts and counts

@dataclass(frozen=True)
class ConcernFacts:
    """What the figures need to know of one concern (its latest follow-up only)."""

    kind: str
    status: str
    excluded: bool
    dispatch_due: datetime
    feedback_due: datetime
    feedback_due_original: datetime
    first_routed_at: datetime | None = None
    first_reported_at: datetime | None = None
    dispatched: bool = False  # a dispatch event exists
    return_count: int = 0
    rework_count: int = 0
    extension_count: int = 0
    followup_at: datetime | None = None
    followup_contacted: bool | None = None
    followup_outcome: str | None = None
    followup_satisfaction: str | None = None
    due_at: datetime | None = None  # the clock that runs now (while awaiting follow-up: 回访时限)


@dataclass
class Counts:
    """Numerators and denominators of every rate, summed over a set of concerns."""

    counted: int = 0  # N
    routed_on_time: int = 0
    response_due: int = 0  # N less response_pending
    response_pending: int = 0
    dispatched: int = 0
    returned: int = 0  # returned at least once, among the dispatched
    reached_followup: int = 0  # reported back (or answered on the spot)
    followed_up: int = 0
    followed_up_after_report: int = 0
    resolution_points: float = 0.0
    satisfaction_points: float = 0.0
    reworked: int = 0  # reworked at least once, among the followed up
    extended: int = 0
    closed: int = 0
    closed_on_time: int = 0
    closure_due: int = 0
    closure_pending: int = 0
    extension_due: int = 0
    extension_pending: int = 0
    followup_due: int = 0  # reached_followup less followup_pending
    followup_pending: int = 0

    def __add__(self, other: "Counts") -> "Counts":
        return Counts(**{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)})


def is_counted(f: ConcernFacts, o: MetricOptions) -> bool:
    return f.kind in o.kinds and f.status not in o.exclude_statuses and not f.excluded


def is_followed_up(f: ConcernFacts, o: MetricOptions) -> bool:
    if f.followup_at is None:
        return False
    return bool(f.followup_contacted) if o.require_contact else True


def closed_on_time(f: ConcernFacts, o: MetricOptions) -> bool:
    deadline = f.feedback_due_original if o.on_time_deadline == "original" else f.feedback_due
    return f.status == "closed" and f.first_reported_at is not None and f.first_reported_at <= deadline


def response_pending(f: ConcernFacts, now: datetime) -> bool:
    """未到期 for the response rate: not yet routed, the dispatch limit not passed."""
    return f.first_routed_at is None and now <= f.dispatch_due


def closure_pending(f: ConcernFacts, now: datetime) -> bool:
    """未到期 for the closure rate: not yet closed, the (current) feedback limit not passed."""
    return f.status != "closed" and now <= f.feedback_due


def extension_pending(f: ConcernFacts, now: datetime) -> bool:
    """未到期 for the extension rate: not extended, still handled, the feedback limit not passed."""
    return f.extension_count == 0 and f.status in RUNNING_STATUSES and now <= f.feedback_due


def followup_pending(f: ConcernFacts, now: datetime, o: MetricOptions) -> bool:
    """未到期 for the follow-up rate: reported back, not yet followed up, waiting for its
    call-back within the follow-up limit (a wait recorded before the limit existed has none)."""
    return (f.first_reported_at is not None and f.status == "awaiting_followup" and not is_followed_up(f, o)
            and f.due_at is not None and now <= f.due_at)


def tally(facts: Iterable[ConcernFacts], o: MetricOptions, now: datetime) -> Counts:
    """The counts of the concerns that are counted (the others are skipped), as of `now`."""
    c = Counts()
    for f in facts:
        if not is_counted(f, o):
            continue
        c.counted += 1
        c.routed_on_time += f.first_routed_at is not None and f.first_routed_at <= f.dispatch_due
        pending = response_pending(f, now)
        c.response_pending += pending
        c.response_due += not pending
        pending = closure_pending(f, now)
        c.closure_pending += pending
        c.closure_due += not pending
        pending = extension_pending(f, now)
        c.extension_pending += pending
        c.extension_due += not pending
        c.dispatched += f.dispatched
        c.returned += f.dispatched and f.return_count > 0
        c.reached_followup += f.first_reported_at is not None
        pending = followup_pending(f, now, o)
        c.followup_pending += pending
        c.followup_due += f.first_reported_at is not None and not pending
        c.extended += f.extension_count > 0
        c.closed += f.status == "closed"
        c.closed_on_time += closed_on_time(f, o)
        if is_followed_up(f, o):
            c.followed_up += 1
            c.followed_up_after_report += f.first_reported_at is not None
            c.resolution_points += o.outcome_weights.get(f.followup_outcome or "", 0.0)
            c.satisfaction_points += o.satisfaction_weights.get(f.followup_satisfaction or "", 0.0)
            c.reworked += f.rework_count > 0
    return c


# ------------------------------------------------------------------ figures

def _num(x: float) -> float | int:
    """Whole numbers stay ints (2.0 -> 2); half points stay (2.5)."""
    return int(x) if float(x).is_integer() else round(x, 6)


@dataclass(frozen=True)
class Figure:
    code: str
    label: str
    numerator: float | int | None
    denominator: float | int | None
    value: float | None  # 0..1, None = no data
    pending: int | None = None  # 未到期: out of both; None = the rate has no such rule

    @property
    def percent(self) -> str:
        return NO_DATA if self.value is None else f"{self.value * 100:.1f}%"

    @property
    def fraction(self) -> str:
        if self.numerator is None or self.denominator is None:
            return "-"
        return f"{_fmt(self.numerator)}/{_fmt(self.denominator)}"

    @property
    def pending_text(self) -> str:
        """`未到期 22 件`, or "" when nothing is pending or the rate has no such rule."""
        return f"{PENDING} {self.pending} 件" if self.pending else ""

    def as_json(self) -> dict[str, Any]:
        return {"numerator": self.numerator, "denominator": self.denominator, "value": self.value,
                "pending": self.pending}


def _fmt(x: float | int) -> str:
    return str(_num(round(x, 2))) if isinstance(x, float) else str(x)


def rate(code: str, numerator: float, denominator: float, pending: int | None = None) -> Figure:
    m = METRIC_BY_CODE[code]
    value = None if not denominator else round(numerator / denominator, 6)
    return Figure(code, m.label, _num(numerator), _num(denominator), value, pending)


@dataclass(frozen=True)
class Figures:
    counts: Counts
    items: dict[str, Figure]

    def __getitem__(self, code: str) -> Figure:
        return self.items[code]

    def __iter__(self):  # noqa: ANN204
        return iter(self.items.values())

    def as_json(self) -> dict[str, dict[str, Any]]:
        return {code: fig.as_json() for code, fig in self.items.items()}


def figures(c: Counts, o: MetricOptions) -> Figures:
    items = {code: rate(code, getattr(c, p.numerator), getattr(c, p.denominator),
                        None if p.pending is None else getattr(c, p.pending))
             for code, p in PARTS.items()}
    items["composite"] = composite(items, o)
    return Figures(c, items)


def composite(items: Mapping[str, Figure], o: MetricOptions) -> Figure:
    label = METRIC_BY_CODE["composite"].label
    present = {k: w for k, w in o.composite_weights.items() if items[k].value is not None}
    missing = len(present) < len(o.composite_weights)
    if not present or (missing and o.composite_missing == "null"):
        return Figure("composite", label, None, None, None)
    points = sum(w * items[k].value for k, w in present.items())  # type: ignore[operator]
    total = sum(present.values())
    if not total:
        return Figure("composite", label, None, None, None)
    return Figure("composite", label, round(points, 6), _num(round(total, 6)), round(points / total, 6))


def composite_basis(o: MetricOptions) -> str:
    """`加权：响应率 0.30 + 解决率 0.35 + 满意率 0.35`, from the configured weights."""
    parts = [f"{METRIC_BY_CODE[code].label} {weight:.2f}" for code, weight in o.composite_weights.items()]
    return "加权：" + " + ".join(parts)


# ------------------------------------------------------------------ periods

@dataclass(frozen=True)
class Period:
    """Days `start`..`end`, both included, in the committee's calendar."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise DomainError("统计区间的结束日期不能早于开始日期。", "to")

    @classmethod
    def month(cls, year: int, month: int) -> "Period":
        return cls(date(year, month, 1), date(year, month, _calendar.monthrange(year, month)[1]))

    @property
    def is_month(self) -> bool:
        return self == Period.month(self.start.year, self.start.month)

    @property
    def label(self) -> str:
        if self.is_month:
            return f"{self.start.year}年{self.start.month}月"
        return f"{self.start.isoformat()} 至 {self.end.isoformat()}"

    def shift(self, steps: int) -> "Period":
        """The month `steps` months later (a month), or the same length moved (a range)."""
        if self.is_month:
            index = self.start.year * 12 + self.start.month - 1 + steps
            return Period.month(index // 12, index % 12 + 1)
        days = (self.end - self.start).days + 1
        return Period(self.start + timedelta(days=days * steps), self.end + timedelta(days=days * steps))

    def months(self) -> list["Period"]:
        """The calendar months this period touches, each clipped to the period."""
        out = []
        cur = Period.month(self.start.year, self.start.month)
        while cur.start <= self.end:
            out.append(Period(max(cur.start, self.start), min(cur.end, self.end)))
            cur = cur.shift(1)
        return out


def month_label(p: Period) -> str:
    return f"{p.start.year}-{p.start.month:02d}"


__all__ = ["METRICS", "METRIC_BY_CODE", "RATE_CODES", "NO_DATA", "PARTS", "PENDING", "PENDING_MEANING", "MetricDef", "Part",
           "MetricOptions", "ConcernFacts",
           "Counts", "Figure", "Figures", "Period", "composite_basis", "tally", "figures", "composite", "rate", "is_counted",
           "is_followed_up", "closed_on_time", "month_label", "response_pending", "closure_pending",
           "extension_pending"]
