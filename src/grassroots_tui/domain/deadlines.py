"""Deadlines (时限): two clocks per concern, natural hours or working days.

All datetimes here are timezone-aware, in the committee's time zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from enum import StrEnum
from typing import Mapping

from grassroots_tui.domain.calendar import WorkCalendar
from grassroots_tui.domain.codes import RUNNING_STATUSES, Status, Urgency

END_OF_DAY = time(23, 59, 59)


@dataclass(frozen=True)
class Limit:
    """A time limit: natural hours, working days, or natural days (ending at the end of a day)."""

    hours: int | None = None
    working_days: int | None = None
    days: int | None = None

    def __post_init__(self) -> None:
        given = [v for v in (self.hours, self.working_days, self.days) if v is not None]
        if len(given) != 1:
            raise ValueError("a limit is exactly one of hours, working_days or days")
        if given[0] < 0:
            raise ValueError("a limit cannot be negative")

    @classmethod
    def from_mapping(cls, data: Mapping[str, int]) -> "Limit":
        unknown = set(data) - {"hours", "working_days", "days", "label"}
        if unknown:
            raise ValueError(f"unknown limit keys: {sorted(unknown)}")
        return cls(hours=data.get("hours"), working_days=data.get("working_days"), days=data.get("days"))

    @property
    def counts_working_days(self) -> bool:
        return self.working_days is not None

    def due(self, start: datetime, calendar: WorkCalendar) -> datetime:
        if self.hours is not None:
            return start + timedelta(hours=self.hours)
        if self.days is not None:
            return datetime.combine(start.date() + timedelta(days=self.days), END_OF_DAY, tzinfo=start.tzinfo)
        assert self.working_days is not None
        day = calendar.add_working_days(start.date(), self.working_days)
        return datetime.combine(day, END_OF_DAY, tzinfo=start.tzinfo)

    def describe(self) -> str:
        if self.hours is not None:
            return f"{self.hours}小时"
        if self.days is not None:
            return f"{self.days}天"
        return f"{self.working_days}个工作日"


@dataclass(frozen=True)
class SlaClass:
    urgency: Urgency
    dispatch: Limit
    feedback: Limit


@dataclass(frozen=True)
class DueSoonRule:
    fraction: float = 0.2
    last_working_day: bool = True


#: 回访 after the report-back, and the next review of a parked (挂账) concern, unless sla.toml says otherwise.
DEFAULT_FOLLOWUP = Limit(working_days=2)
DEFAULT_PARK_REVIEW = Limit(days=30)


@dataclass(frozen=True)
class SlaRules:
    classes: Mapping[Urgency, SlaClass]
    due_soon: DueSoonRule = DueSoonRule()
    followup: Limit = DEFAULT_FOLLOWUP
    park_review: Limit = DEFAULT_PARK_REVIEW

    @classmethod
    def from_mapping(cls, data: Mapping) -> "SlaRules":
        classes = {}
        for code, item in data["urgency"].items():
            urgency = Urgency(code)
            classes[urgency] = SlaClass(
                urgency, Limit.from_mapping(item["dispatch"]), Limit.from_mapping(item["feedback"])
            )
        missing = set(Urgency) - set(classes)
        if missing:
            raise ValueError(f"sla rules miss urgency classes: {sorted(missing)}")
        ds = data.get("due_soon", {})
        followup = Limit.from_mapping(data["followup"]) if "followup" in data else DEFAULT_FOLLOWUP
        review = Limit.from_mapping(data["park_review"]) if "park_review" in data else DEFAULT_PARK_REVIEW
        return cls(classes, DueSoonRule(float(ds.get("fraction", 0.2)), bool(ds.get("last_working_day", True))),
                   followup, review)


@dataclass(frozen=True)
class Deadlines:
    dispatch_due: datetime
    feedback_due: datetime


def compute_deadlines(received: datetime, urgency: Urgency, rules: SlaRules, calendar: WorkCalendar) -> Deadlines:
    sla = rules.classes[urgency]
    return Deadlines(sla.dispatch.due(received, calendar), sla.feedback.due(received, calendar))


class DeadlineState(StrEnum):
    NONE = "none"
    OK = "ok"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"


DEADLINE_LABEL = {DeadlineState.NONE: "", DeadlineState.OK: "", DeadlineState.DUE_SOON: "将到期",
                  DeadlineState.OVERDUE: "已超期"}


def active_deadline(status: Status, dispatch_due: datetime | None, feedback_due: datetime | None) -> datetime | None:
    """The handling clock that runs in a state: dispatch before routing, feedback while being handled.

    Parked concerns stay visible but their handling clock is stopped; after the report-back no
    handling deadline runs. Those two states have clocks of their own, set by the pipeline when
    a concern enters them: the follow-up limit (回访时限) and the parked concern's next review.
    """
    if status == Status.RECEIVED:
        return dispatch_due
    if status in RUNNING_STATUSES:
        return feedback_due
    return None


def due_soon_from(start: datetime, deadline: datetime, rule: DueSoonRule, calendar: WorkCalendar,
                  working_days: bool) -> datetime:
    """When a deadline starts counting as due soon."""
    by_fraction = deadline - (deadline - start) * rule.fraction
    if working_days and rule.last_working_day:
        last_day_start = datetime.combine(deadline.date(), time(0, 0), tzinfo=deadline.tzinfo)
        return min(by_fraction, last_day_start)
    return by_fraction


def deadline_state(now: datetime, deadline: datetime | None, soon_from: datetime | None) -> DeadlineState:
    if deadline is None:
        return DeadlineState.NONE
    if now > deadline:
        return DeadlineState.OVERDUE
    if soon_from is not None and now >= soon_from:
        return DeadlineState.DUE_SOON
    return DeadlineState.OK
