"""Concern use cases: log, act on, show and list — one transaction each."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlalchemy import text
from sqlmodel import Session, select

from grassroots_tui.domain import pipeline
from grassroots_tui.domain.codes import (
    Action,
    Channel,
    ConcernKind,
    Nature,
    Status,
    Urgency,
)
from grassroots_tui.domain.deadlines import DEADLINE_LABEL, DeadlineState, compute_deadlines, deadline_state
from grassroots_tui.domain.errors import DomainError, NotFound
from grassroots_tui.domain.privacy import mask_phone
from grassroots_tui.domain.reference import format_reference, normalise_reference
from grassroots_tui.domain.validation import check_text, nfkc
from grassroots_tui.services.transitions import load_concern, transition
from grassroots_tui.services.workspace import Workspace
from grassroots_tui.store.models import Category, Clerk, Concern, ConcernEvent, Resident, Unit

EARLIEST_YEAR = 2000  # a received date before this is a typing slip (a year 0026 or 1926)


# ---------------------------------------------------------------- views

@dataclass(frozen=True)
class EventView:
    at: datetime
    action: str
    action_label: str
    actor: str
    from_status: str | None
    to_status: str
    note: str
    unit: str | None
    deadline_before: datetime | None
    deadline_after: datetime | None
    data: dict


@dataclass(frozen=True)
class ConcernView:
    reference: str
    kind: str
    status: str
    status_label: str
    summary: str
    detail: str
    category: str
    category_name: str
    channel: str
    nature: str
    urgency: str
    unit: str | None
    unit_name: str | None
    supervision: str
    resident_name: str | None
    resident_phone_masked: str | None
    location: str
    received_at: datetime
    dispatch_due: datetime
    feedback_due: datetime
    feedback_due_original: datetime
    due_at: datetime | None
    deadline_state: str
    rework_count: int
    return_count: int
    extension_count: int
    problem_case: bool
    followup_outcome: str | None
    followup_satisfaction: str | None
    closed_at: datetime | None
    version: int
    allowed_actions: list[str] = field(default_factory=list)
    events: list[EventView] = field(default_factory=list)
    repeat_of: str | None = None  # the original this concern repeats
    merged_into: str | None = None  # the concern this one was merged into

    @property
    def deadline_label(self) -> str:
        return DEADLINE_LABEL[DeadlineState(self.deadline_state)]


def concern_view(ws: Workspace, c: Concern, cat_name: str, unit_name: str | None, resident: Resident | None,
          now: datetime, events: list[EventView] | None = None) -> ConcernView:
    status = Status(c.status)
    state = deadline_state(now, c.due_at, c.warn_at)
    location = "-".join(p for p in (c.building, c.unit_no, c.room) if p)
    if c.estate:
        location = f"{c.estate} {location}".strip()
    if c.location_text:
        location = f"{location} {c.location_text}".strip()
    return ConcernView(
        reference=c.reference, kind=c.kind, status=status.value, status_label=status.label,
        summary=c.summary, detail=c.detail, category=c.category_code, category_name=cat_name,
        channel=c.channel, nature=c.nature, urgency=c.urgency, unit=c.unit_code, unit_name=unit_name,
        supervision=c.supervision, resident_name=resident.name if resident else None,
        resident_phone_masked=mask_phone(resident.phone) if resident else None, location=location,
        received_at=ws.local(c.received_at), dispatch_due=ws.local(c.dispatch_due),
        feedback_due=ws.local(c.feedback_due), feedback_due_original=ws.local(c.feedback_due_original),
        due_at=ws.local(c.due_at), deadline_state=state.value, rework_count=c.rework_count,
        return_count=c.return_count, extension_count=c.extension_count,
        problem_case=pipeline.is_problem_case(c.rework_count, c.return_count),
        followup_outcome=c.followup_outcome, followup_satisfaction=c.followup_satisfaction,
        closed_at=ws.local(c.closed_at), version=c.version,
        allowed_actions=[a.value for a in pipeline.allowed_actions(status, c.kind)], events=events or [],
    )


# ---------------------------------------------------------------- references

def next_number(session: Session, series: str) -> int:
    """Atomically take the next number of a series; numbers are never handed out twice."""
    row = session.execute(
        text("INSERT INTO counter(name, last) VALUES (:n, 1) "
             "ON CONFLICT(name) DO UPDATE SET last = counter.last + 1 RETURNING last"),
        {"n": series},
    ).one()
    return int(row[0])


def new_reference(session: Session, prefix: str, year: int, width: int = 6) -> str:
    return format_reference(prefix, year, next_number(session, f"{prefix}-{year}"), width)


# ---------------------------------------------------------------- intake

@dataclass
class ConcernDraft:
    summary: str
    category: str
    detail: str = ""
    channel: Channel | str = Channel.WALK_IN
    nature: Nature | str = Nature.HELP
    urgency: Urgency | str | None = None
    resident_id: int | None = None
    resident_phone: str | None = None
    received_at: datetime | None = None
    estate: str = ""
    building: str = ""
    unit_no: str = ""
    room: str = ""
    location_text: str = ""
    repeat_of: str | None = None
    kind: ConcernKind = ConcernKind.CONCERN
    #: When the original of a repeat is closed: "" asks (RepeatOfClosed), "link" logs a new concern
    #: linked to it, "reopen" reopens the original and folds this call into it.
    repeat_closed: str = ""


class RepeatOfClosed(DomainError):
    """The original a repeat points at is closed: the clerk chooses to reopen it or log a new one."""

    def __init__(self, original: str, closed_at: datetime | None) -> None:
        when = f"于 {closed_at:%Y-%m-%d} " if closed_at else ""
        super().__init__(f"原诉求 {original} 已{when}办结：请选择重新打开原诉求，或登记为新诉求并关联。", "repeat_of")
        self.original = original


REPEAT_CHOICES = ("", "link", "reopen")
MERGE_CHAIN_LIMIT = 20


def follow_repeat(session: Session, reference: str) -> tuple[Concern, list[str]]:
    """The concern a repeat belongs to: the one named, or the concern it was merged into (to the
    end of the chain). Returns it with the references passed on the way."""
    ref = normalise_reference(reference)
    concern = session.exec(select(Concern).where(Concern.reference == ref)).first()
    if concern is None:
        raise NotFound(f"找不到诉求 {ref}。", "repeat_of")
    passed: list[str] = []
    while concern.status == Status.MERGED.value and concern.merged_into_id is not None:
        if len(passed) >= MERGE_CHAIN_LIMIT or concern.reference in passed:
            break
        passed.append(concern.reference)
        target = session.get(Concern, concern.merged_into_id)
        if target is None:
            break
        concern = target
    return concern, passed


def _category(session: Session, code: str) -> tuple[Category, Category | None]:
    code = nfkc(code)
    cat = session.get(Category, code)
    if cat is None:
        raise DomainError(f"没有编码为“{code}”的分类。请使用两级分类编码，如 0801（漏水渗水）。", "category")
    parent = session.get(Category, cat.parent_code) if cat.parent_code else None
    return cat, parent


def default_urgency(cat: Category, parent: Category | None) -> Urgency:
    return Urgency(cat.urgency or (parent.urgency if parent else None) or "ordinary")


def default_unit(cat: Category, parent: Category | None) -> str | None:
    return cat.unit_code or (parent.unit_code if parent else None)


def log_concern(ws: Workspace, actor_id: int, draft: ConcernDraft, session: Session | None = None) -> ConcernView:
    """受理: validate, number, compute both deadlines and write the first event.

    With `session`, the concern is written inside that open transaction (intake adds a new
    resident, the first handling step and the repeat link in the same one); the view returned
    then has no events: read it again with `get_concern` after the commit.
    """
    from contextlib import nullcontext

    from grassroots_tui.domain.codes import parse

    summary = check_text(draft.summary, "诉求摘要", "summary", required=True, limit=200)
    detail = check_text(draft.detail, "详细情况", "detail", limit=20000)
    channel = parse(Channel, draft.channel, "channel") if not isinstance(draft.channel, Channel) else draft.channel
    nature = parse(Nature, draft.nature, "nature") if not isinstance(draft.nature, Nature) else draft.nature
    now = ws.now()
    received = draft.received_at.astimezone(ws.tz) if draft.received_at else now
    if received > now:
        raise DomainError("受理时间不能晚于现在。", "received_at")
    if received.year < EARLIEST_YEAR:
        raise DomainError(f"受理时间不能早于 {EARLIEST_YEAR} 年，请检查年份。", "received_at")
    with (nullcontext(session) if session is not None else ws.write()) as s:
        cat, parent = _category(s, draft.category)
        if cat.parent_code is None:
            raise DomainError(f"“{cat.name}”是一级分类，请选择它下面的二级分类。", "category")
        if draft.urgency:
            urgency = draft.urgency if isinstance(draft.urgency, Urgency) else parse(Urgency, draft.urgency, "urgency")
        else:
            urgency = default_urgency(cat, parent)
        resident = None
        if draft.resident_id is not None:
            resident = s.get(Resident, draft.resident_id)
            if resident is None:
                raise NotFound("找不到所选居民。", "resident")
        elif draft.resident_phone:
            from grassroots_tui.services.residents import resident_by_phone

            resident = resident_by_phone(s, draft.resident_phone)
        repeat_id = None
        prior = None
        if draft.repeat_closed not in REPEAT_CHOICES:
            raise DomainError(f"未知的处理方式“{draft.repeat_closed}”，可选 link 或 reopen。", "repeat_of")
        if draft.repeat_of:
            prior, _merged = follow_repeat(s, draft.repeat_of)
            if prior.status == Status.CLOSED.value and not draft.repeat_closed:
                raise RepeatOfClosed(prior.reference, ws.local(prior.closed_at))
            repeat_id = prior.id
        deadlines = compute_deadlines(received, urgency, ws.settings.sla, ws.settings.calendar)
        due_at, warn_at = pipeline.initial_clock(received, urgency, deadlines.dispatch_due, ws.settings.sla,
                                                 ws.settings.calendar)
        prefix = ws.settings.concern_prefix if draft.kind is ConcernKind.CONCERN else ws.settings.action_prefix
        concern = Concern(
            reference=new_reference(s, prefix, received.year), kind=draft.kind.value,
            resident_id=resident.id if resident else None, channel=channel.value, nature=nature.value,
            category_code=cat.code, summary=summary, detail=detail,
            estate=draft.estate or (resident.estate if resident else ""),
            building=draft.building or (resident.building if resident else ""),
            unit_no=draft.unit_no or (resident.unit_no if resident else ""),
            room=draft.room or (resident.room if resident else ""),
            location_text=draft.location_text, grid_code=resident.grid_code if resident else None,
            urgency=urgency.value, status=Status.RECEIVED.value, received_at=received,
            dispatch_due=deadlines.dispatch_due, feedback_due=deadlines.feedback_due,
            feedback_due_original=deadlines.feedback_due, due_at=due_at, warn_at=warn_at,
            repeat_of_id=repeat_id, created_by=actor_id, updated_at=now,
        )
        s.add(concern)
        s.flush()
        s.add(ConcernEvent(concern_id=concern.id, action=Action.RECEIVE.value, actor_id=actor_id, at=received,
                           from_status=None, to_status=Status.RECEIVED.value, note="",
                           deadline_before=None, deadline_after=deadlines.dispatch_due,
                           data=json.dumps({"channel": channel.value, "urgency": urgency.value}, ensure_ascii=False)))
        reference = concern.reference
        if prior is not None and prior.status == Status.CLOSED.value and draft.repeat_closed == "reopen":
            _reopen_with(s, ws, actor_id, prior, concern, now)
        if session is not None:
            return concern_view(ws, concern, cat.name, None, resident, now)
    return get_concern(ws, reference)


def _reopen_with(s: Session, ws: Workspace, actor_id: int, original: Concern, call: Concern, now: datetime) -> None:
    """The resident calls again about a closed concern: reopen it and fold the new call into it, so
    the work goes on under one reference and the call stays on record."""
    transition(s, ws, actor_id, original, pipeline.Request(
        Action.REOPEN, note=f"居民再次反映（{call.reference}）：{call.summary}"), now)
    transition(s, ws, actor_id, call, pipeline.Request(
        Action.MERGE, merge_into=original.reference, note="原诉求已重新打开，本次来电并入"), now)


# ---------------------------------------------------------------- transitions

def act(ws: Workspace, actor_id: int, reference: str, request: pipeline.Request,
        expected_version: int | None = None, at: datetime | None = None) -> ConcernView:
    """Carry out one pipeline action on a concern (one transaction).

    `at` (an action recorded later) may not lie in the future, nor before the concern's latest
    event (pipeline.plan checks that against the snapshot).
    """
    if at is not None:
        at = at.astimezone(ws.tz)
        if at > ws.now():
            raise DomainError("操作时间不能晚于现在。", "at")
    if request.action is Action.RESOLVE:
        raise DomainError("议定办结由会议的议定事项全部完成后自动触发，不能手工执行。", "action")
    with ws.write() as s:
        concern = load_concern(s, reference, for_update=True)
        transition(s, ws, actor_id, concern, request, at, expected_version=expected_version)
        ref = concern.reference
    return get_concern(ws, ref)


# ---------------------------------------------------------------- reading

def get_concern(ws: Workspace, reference: str, with_events: bool = True) -> ConcernView:
    with ws.read() as s:
        concern = load_concern(s, reference)
        cat = s.get(Category, concern.category_code)
        unit = s.get(Unit, concern.unit_code) if concern.unit_code else None
        resident = s.get(Resident, concern.resident_id) if concern.resident_id else None
        events: list[EventView] = []
        if with_events:
            rows = s.exec(
                select(ConcernEvent, Clerk.name).join(Clerk, Clerk.id == ConcernEvent.actor_id, isouter=True)
                .where(ConcernEvent.concern_id == concern.id).order_by(ConcernEvent.id)
            ).all()
            for ev, actor in rows:
                action = Action(ev.action)
                events.append(EventView(
                    at=ws.local(ev.at), action=ev.action, action_label=action.label, actor=actor or "",
                    from_status=ev.from_status, to_status=ev.to_status, note=ev.note, unit=ev.unit_code,
                    deadline_before=ws.local(ev.deadline_before), deadline_after=ws.local(ev.deadline_after),
                    data=json.loads(ev.data) if ev.data else {},
                ))
        view = concern_view(ws, concern, cat.name if cat else concern.category_code, unit.name if unit else None,
                     resident, ws.now(), events)

        def reference_of(concern_id: int | None) -> str | None:
            other = s.get(Concern, concern_id) if concern_id else None
            return other.reference if other else None

        return replace(view, repeat_of=reference_of(concern.repeat_of_id),
                       merged_into=reference_of(concern.merged_into_id))


__all__ = ["ConcernDraft", "ConcernView", "EventView", "act", "concern_view", "get_concern", "log_concern",
           "new_reference"]
