"""The concern pipeline (domain.md §1): states, transitions and what each needs.

`plan(snapshot, request, ...)` is pure: it checks a request against the rules and
returns the change to apply, or raises `DomainError` with a Chinese sentence.
The service layer applies the change and writes the event in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from grassroots_tui.domain.calendar import WorkCalendar
from grassroots_tui.domain.codes import Action, Outcome, Satisfaction, Status, Supervision, Urgency
from grassroots_tui.domain.deadlines import END_OF_DAY, Limit, SlaRules, active_deadline, due_soon_from
from grassroots_tui.domain.errors import DomainError

S = Status
A = Action

# action -> states it may start from
ALLOWED_FROM: dict[Action, frozenset[Status]] = {
    A.DISPATCH: frozenset({S.RECEIVED}),
    A.HANDLE: frozenset({S.RECEIVED}),
    A.ANSWER: frozenset({S.RECEIVED}),
    A.REJECT: frozenset({S.RECEIVED}),
    A.MERGE: frozenset({S.RECEIVED, S.DISPATCHED, S.IN_PROGRESS}),
    A.SIGN: frozenset({S.DISPATCHED}),
    A.RETURN: frozenset({S.DISPATCHED, S.IN_PROGRESS}),
    A.EXTEND: frozenset({S.IN_PROGRESS}),
    A.PARK: frozenset({S.IN_PROGRESS}),
    A.RESUME: frozenset({S.PARKED}),
    A.REPORT: frozenset({S.IN_PROGRESS}),
    A.FOLLOWUP: frozenset({S.AWAITING_FOLLOWUP}),
    A.REOPEN: frozenset({S.CLOSED}),
    A.AGENDA: frozenset({S.RECEIVED, S.DISPATCHED, S.IN_PROGRESS}),
    A.RESOLVE: frozenset({S.RECEIVED, S.DISPATCHED, S.IN_PROGRESS}),
    A.SUPERVISE: frozenset({S.RECEIVED, S.DISPATCHED, S.IN_PROGRESS, S.PARKED, S.AWAITING_FOLLOWUP}),
    A.REVIEW: frozenset({S.PARKED}),
    A.CONFIRM: frozenset({S.AWAITING_FOLLOWUP}),
}

# Actions a clerk picks by hand (resolve is automatic, receive is intake).
MANUAL_ACTIONS = tuple(a for a in ALLOWED_FROM if a is not A.RESOLVE)

PROBLEM_THRESHOLD = 3  # reworks or returns that make a problem case (问题工单)


@dataclass(frozen=True)
class ConcernSnapshot:
    """What the rules need to know of a concern."""

    status: Status
    received_at: datetime
    dispatch_due: datetime
    feedback_due: datetime
    feedback_due_original: datetime
    urgency: Urgency = Urgency.ORDINARY
    unit_code: str | None = None
    supervision: Supervision = Supervision.NONE
    rework_count: int = 0
    return_count: int = 0
    extension_count: int = 0
    first_routed_at: datetime | None = None
    first_reported_at: datetime | None = None
    reference: str = ""
    on_agenda_meeting: str | None = None
    last_event_at: datetime | None = None  # an action may not be recorded before the latest one
    due_at: datetime | None = None  # the clock running now (follow-up limit, next review of a parked one)
    kind: str = "concern"  # or "action_item": a meeting's 议定事项, confirmed done instead of followed up


@dataclass(frozen=True)
class Request:
    action: Action
    note: str = ""
    unit_code: str | None = None
    until: date | datetime | None = None
    outcome: Outcome | None = None
    satisfaction: Satisfaction | None = None
    supervision: Supervision | None = None
    merge_into: str | None = None
    meeting_ref: str | None = None
    confirmed: bool = False  # `answer`: resident confirmed on the spot
    contacted: bool = True   # `followup`: the resident was reached


@dataclass(frozen=True)
class Change:
    """The result of a permitted transition."""

    action: Action
    from_status: Status
    to_status: Status
    note: str
    deadline_before: datetime | None
    deadline_after: datetime | None
    fields: dict = field(default_factory=dict)  # concern columns to update


ACTION_ITEM = "action_item"


def allowed_actions(status: Status, kind: str = "concern") -> list[Action]:
    """What a clerk may do next: an action item is confirmed done (确认完成), a concern followed up."""
    skip = A.FOLLOWUP if kind == ACTION_ITEM else A.CONFIRM
    return [a for a in MANUAL_ACTIONS if status in ALLOWED_FROM[a] and a is not skip]


def _refuse(snapshot: ConcernSnapshot, action: Action) -> DomainError:
    allowed = "、".join(a.label for a in allowed_actions(snapshot.status, snapshot.kind)) or "无"
    ref = f"{snapshot.reference} " if snapshot.reference else ""
    return DomainError(
        f"{ref}当前状态为“{snapshot.status.label}”，不能{action.label}。此状态可以：{allowed}。", "action"
    )


def _need(value: object, message: str, field_name: str) -> None:
    if value is None or (isinstance(value, str) and not value.strip()):
        raise DomainError(message, field_name)


def is_problem_case(rework_count: int, return_count: int) -> bool:
    return rework_count >= PROBLEM_THRESHOLD or return_count >= PROBLEM_THRESHOLD


def plan(snapshot: ConcernSnapshot, request: Request, now: datetime, rules: SlaRules,
         calendar: WorkCalendar) -> Change:
    action = request.action
    if action not in ALLOWED_FROM or action is A.RECEIVE:
        raise DomainError(f"“{action.label}”不是可执行的操作。", "action")
    if snapshot.status not in ALLOWED_FROM[action]:
        raise _refuse(snapshot, action)
    if action is A.CONFIRM and snapshot.kind != ACTION_ITEM:
        raise DomainError("只有议定事项可以“确认完成”；诉求需要回访居民后办结。", "action")
    if action is A.FOLLOWUP and snapshot.kind == ACTION_ITEM:
        raise DomainError("议定事项不回访居民，请用“确认完成”办结；回访在它所属的诉求上进行。", "action")
    if now < snapshot.received_at:
        raise DomainError("操作时间不能早于受理时间。", "at")
    if snapshot.last_event_at is not None and now < snapshot.last_event_at:
        raise DomainError(f"操作时间不能早于这件诉求的上一条办理记录（{snapshot.last_event_at:%Y-%m-%d %H:%M}）。",
                          "at")

    note = (request.note or "").strip()
    status = snapshot.status
    to = status
    fields: dict = {}
    restarted = False  # rework and reopen count a fresh feedback limit from now

    if action is A.DISPATCH:
        _need(request.unit_code, "派单需要选择承办单位。", "unit")
        to = S.DISPATCHED
        fields["unit_code"] = request.unit_code
    elif action is A.HANDLE:
        to = S.IN_PROGRESS
        if request.unit_code:
            fields["unit_code"] = request.unit_code
    elif action is A.ANSWER:
        _need(note, "当场答复需要填写答复内容。", "note")
        if request.confirmed:
            _need(request.outcome, "居民当场确认需要填写办理结果。", "outcome")
            _need(request.satisfaction, "居民当场确认需要填写满意度。", "satisfaction")
            if request.outcome is Outcome.UNSOLVED or request.satisfaction is Satisfaction.DISSATISFIED:
                raise DomainError("居民不满意或未解决时不能当场办结，请派单或直接办理。", "outcome")
            to = S.CLOSED
            fields.update(_followup_fields(request, now))
            fields["closed_at"] = now
        else:
            to = S.AWAITING_FOLLOWUP
        fields.setdefault("first_reported_at", snapshot.first_reported_at or now)
    elif action is A.REJECT:
        _need(note, "不予受理必须填写理由。", "note")
        to = S.REJECTED
    elif action is A.MERGE:
        _need(request.merge_into, "合并需要填写目标诉求编号。", "merge_into")
        if request.merge_into == snapshot.reference:
            raise DomainError("不能把诉求合并到它自己。", "merge_into")
        to = S.MERGED
        fields["merged_into"] = request.merge_into
    elif action is A.SIGN:
        to = S.IN_PROGRESS
    elif action is A.RETURN:
        _need(note, "退单必须填写理由（如非本辖区、职责不清）。", "note")
        to = S.RECEIVED
        fields["return_count"] = snapshot.return_count + 1
        fields["unit_code"] = None
    elif action is A.EXTEND:
        _need(note, "延期必须填写理由。", "note")
        _need(request.until, "延期需要填写新的办理期限。", "until")
        new_due = _as_deadline(request.until, snapshot.received_at)
        if new_due <= snapshot.feedback_due:
            raise DomainError(
                f"新的期限必须晚于当前期限 {snapshot.feedback_due:%Y-%m-%d %H:%M}。", "until")
        if new_due <= now:
            raise DomainError("新的期限不能早于现在。", "until")
        fields["feedback_due"] = new_due
        fields["extension_count"] = snapshot.extension_count + 1
    elif action is A.PARK:
        _need(note, "挂账必须填写原因（季节、资金、条件等）。", "note")
        to = S.PARKED
    elif action is A.REVIEW:
        _need(note, "挂账复核需要填写复核情况。", "note")
    elif action is A.RESUME:
        to = S.IN_PROGRESS
    elif action is A.REPORT:
        _need(note, "反馈需要填写办理情况。", "note")
        to = S.AWAITING_FOLLOWUP
        if snapshot.first_reported_at is None:
            fields["first_reported_at"] = now
    elif action is A.FOLLOWUP:
        _need(request.outcome, "回访需要填写办理结果（解决/部分解决/未解决）。", "outcome")
        _need(request.satisfaction, "回访需要填写满意度（满意/基本满意/不满意）。", "satisfaction")
        fields.update(_followup_fields(request, now))
        if request.outcome is Outcome.UNSOLVED or request.satisfaction is Satisfaction.DISSATISFIED:
            to = S.IN_PROGRESS
            fields["rework_count"] = snapshot.rework_count + 1
            restarted = _fresh_feedback_clock(snapshot, now, rules, calendar, fields)
        else:
            to = S.CLOSED
            fields["closed_at"] = now
    elif action is A.CONFIRM:
        to = S.CLOSED
        fields["closed_at"] = now
    elif action is A.REOPEN:
        _need(note, "重新打开必须填写理由。", "note")
        to = S.IN_PROGRESS
        fields["closed_at"] = None
        restarted = _fresh_feedback_clock(snapshot, now, rules, calendar, fields)
    elif action is A.AGENDA:
        _need(request.meeting_ref, "上会需要选择会议。", "meeting")
        fields["meeting_ref"] = request.meeting_ref
    elif action is A.RESOLVE:
        _need(request.meeting_ref, "议定办结需要会议编号。", "meeting")
        to = S.AWAITING_FOLLOWUP
        if snapshot.first_reported_at is None:
            fields["first_reported_at"] = now
    elif action is A.SUPERVISE:
        _need(request.supervision, "督办需要选择级别（普通/黄牌/红牌/无）。", "supervision")
        if request.supervision == snapshot.supervision:
            raise DomainError(f"督办级别已经是“{snapshot.supervision.label}”。", "supervision")
        fields["supervision"] = request.supervision

    # The dispatch clock stops at the first routing.
    if action in (A.DISPATCH, A.HANDLE, A.ANSWER) and snapshot.first_routed_at is None:
        fields["first_routed_at"] = now

    feedback_due = fields.get("feedback_due", snapshot.feedback_due)
    own_clock = (S.AWAITING_FOLLOWUP, S.PARKED)
    before = snapshot.due_at if status in own_clock else active_deadline(status, snapshot.dispatch_due,
                                                                         snapshot.feedback_due)
    if to in own_clock:
        if to is status and action is not A.REVIEW:
            # Supervision of a parked or reported concern leaves its clock as it was.
            return Change(action, status, to, note, before, before, fields)
        if to is S.AWAITING_FOLLOWUP:
            limit = rules.followup
            after = limit.due(now, calendar)
        else:
            limit = rules.park_review
            after = _review_date(request.until, now, limit, calendar)
        fields["due_at"] = after
        fields["warn_at"] = due_soon_from(now, after, rules.due_soon, calendar, limit.counts_working_days)
        return Change(action, status, to, note, before, after, fields)
    after = active_deadline(to, snapshot.dispatch_due, feedback_due)
    if after is None:
        fields["due_at"] = None
        fields["warn_at"] = None
    else:
        sla = rules.classes[snapshot.urgency]
        limit = sla.dispatch if to is S.RECEIVED else sla.feedback
        fields["due_at"] = after
        fields["warn_at"] = due_soon_from(now if restarted else snapshot.received_at, after, rules.due_soon,
                                          calendar, limit.working_days is not None)
    return Change(action, status, to, note, before, after, fields)


def _fresh_feedback_clock(snapshot: ConcernSnapshot, now: datetime, rules: SlaRules, calendar: WorkCalendar,
                          fields: dict) -> bool:
    """Rework (重办) and reopening get the class's feedback limit counted from now, unless the current
    deadline is later; the original deadline stays as it was, for the on-time figure."""
    fresh = rules.classes[snapshot.urgency].feedback.due(now, calendar)
    if fresh > snapshot.feedback_due:
        fields["feedback_due"] = fresh
    return True


def _review_date(until: date | datetime | None, now: datetime, limit: Limit, calendar: WorkCalendar) -> datetime:
    """When a parked concern is looked at again: the date the clerk gave, else the default interval."""
    if until is None:
        return limit.due(now, calendar)
    review = _as_deadline(until, now)
    if review <= now:
        raise DomainError("下次复核日期必须晚于今天。", "until")
    return review


def _followup_fields(request: Request, now: datetime) -> dict:
    return {
        "followup_contacted": request.contacted,
        "followup_outcome": request.outcome,
        "followup_satisfaction": request.satisfaction,
        "followup_note": (request.note or "").strip(),
        "followup_at": now,
        "followup_count_inc": 1,
    }


def _as_deadline(until: date | datetime, like: datetime) -> datetime:
    if isinstance(until, datetime):
        return until if until.tzinfo else until.replace(tzinfo=like.tzinfo)
    return datetime.combine(until, END_OF_DAY, tzinfo=like.tzinfo)


def initial_clock(received_at: datetime, urgency: Urgency, dispatch_due: datetime, rules: SlaRules,
                  calendar: WorkCalendar) -> tuple[datetime, datetime]:
    """(due_at, warn_at) of a freshly received concern: the dispatch clock runs."""
    working = rules.classes[urgency].dispatch.working_days is not None
    return dispatch_due, due_soon_from(received_at, dispatch_due, rules.due_soon, calendar, working)


__all__ = ["ALLOWED_FROM", "MANUAL_ACTIONS", "ConcernSnapshot", "Request", "Change", "plan",
           "allowed_actions", "is_problem_case", "initial_clock"]
