"""The one way a concern changes state (domain.md §1), for every writer.

`transition` loads nothing and commits nothing: inside the caller's write transaction it plans the
request against the rules (`pipeline.plan`), writes the change and its event (refused when another
clerk changed the concern first), and runs the follow-on rules in the same transaction:

- 上会 (`agenda`) puts the concern on the meeting's agenda;
- an action item (议定事项) closed: resolutions whose action items are all done close their loop —
  the concerns on their agenda move to 待回访 (`resolve`), the resolution in their history.

Concerns, the ledger's batches, intake and meetings all call it; none reaches into another's
private functions. It imports no other use-case module, so there is no circle.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone

from sqlalchemy import func, update
from sqlmodel import Session, select

from grassroots_tui.domain import pipeline
from grassroots_tui.domain.codes import Action, ConcernKind, MeetingType, Outcome, Satisfaction, Status, Supervision, Urgency
from grassroots_tui.domain.errors import DomainError, NotFound, StaleVersion
from grassroots_tui.domain.reference import normalise_reference
from grassroots_tui.domain.validation import nfkc
from grassroots_tui.services.meeting_rows import check_editable, find_meeting, next_position, touch
from grassroots_tui.services.workspace import Workspace
from grassroots_tui.store.models import ActionItem, AgendaItem, Concern, ConcernEvent, Meeting, Resolution, Unit

#: Resolutions whose decision stands and is to be carried out.
CARRIED = ("passed", "consensus")


@dataclass
class Done:
    """What a transition did: the change, the concerns its follow-on moved to 待回访, the agenda item."""

    change: pipeline.Change
    moved: list[str] = field(default_factory=list)
    agenda_item_id: int | None = None


def stale(reference: str) -> StaleVersion:
    return StaleVersion(f"{reference} 刚被其他人修改过，请刷新后查看最新状态再操作。", "version")


def load_concern(session: Session, reference: str, *, for_update: bool = False) -> Concern:
    """The concern named `reference`; `for_update` locks its row until the transaction ends (on
    PostgreSQL; SQLite's writer already holds the whole database), for a read that decides a write."""
    ref = normalise_reference(reference)
    q = select(Concern).where(Concern.reference == ref)
    concern = session.exec(q.with_for_update() if for_update else q).first()
    if concern is None:
        raise NotFound(f"找不到诉求 {ref}。", "reference")
    return concern


def snapshot_of(ws: Workspace, c: Concern) -> pipeline.ConcernSnapshot:
    """The rules' view of a stored concern, with times in the committee's time zone.

    Read in the session that loaded `c`, it includes the time of the concern's latest event.
    """
    from sqlalchemy.orm import object_session

    last_event_at = None
    session = object_session(c)
    if session is not None and c.id is not None:
        last_event_at = session.exec(select(func.max(ConcernEvent.at)).where(ConcernEvent.concern_id == c.id)).one()
        if last_event_at is not None and not isinstance(last_event_at, datetime):
            last_event_at = datetime.fromisoformat(str(last_event_at))
        if last_event_at is not None and last_event_at.tzinfo is None:
            last_event_at = last_event_at.replace(tzinfo=timezone.utc)
    return pipeline.ConcernSnapshot(
        last_event_at=ws.local(last_event_at),
        status=Status(c.status), received_at=ws.local(c.received_at), dispatch_due=ws.local(c.dispatch_due),
        feedback_due=ws.local(c.feedback_due), feedback_due_original=ws.local(c.feedback_due_original),
        urgency=Urgency(c.urgency), unit_code=c.unit_code, supervision=Supervision(c.supervision),
        rework_count=c.rework_count, return_count=c.return_count, extension_count=c.extension_count,
        first_routed_at=ws.local(c.first_routed_at), first_reported_at=ws.local(c.first_reported_at),
        reference=c.reference, due_at=ws.local(c.due_at), kind=c.kind,
    )


def apply_change(session: Session, concern: Concern, change: pipeline.Change, actor_id: int, at: datetime,
                 expected_version: int | None, meeting_id: int | None = None, extra: dict | None = None) -> None:
    """Write a planned change and its event; refuse if someone else changed the concern first."""
    values: dict = {"status": change.to_status.value, "updated_at": at, "version": concern.version + 1}
    data: dict = dict(extra or {})
    for key, value in change.fields.items():
        if key == "followup_count_inc":
            values["followup_count"] = concern.followup_count + value
        elif key == "merged_into":
            target = load_concern(session, value)
            if target.id == concern.id:
                raise DomainError("不能把诉求合并到它自己。", "merge_into")
            if target.status == Status.MERGED.value:
                raise DomainError(f"{target.reference} 本身已被合并，请合并到它的主诉求。", "merge_into")
            values["merged_into_id"] = target.id
            data["merged_into"] = target.reference
        elif key == "meeting_ref":
            values["meeting_id"] = meeting_id
            data["meeting"] = value
        elif key == "unit_code":
            value = nfkc(value).upper() if value is not None else None
            if value is not None and session.get(Unit, value) is None:
                raise DomainError(f"没有编码为“{value}”的承办单位。", "unit")
            values["unit_code"] = value
        elif isinstance(value, (Outcome, Satisfaction, Supervision)):
            values[key] = value.value
            data[key.removeprefix("followup_")] = value.value
        else:
            values[key] = value
    version = concern.version if expected_version is None else expected_version
    result = session.execute(
        update(Concern).where(Concern.id == concern.id, Concern.version == version).values(**values)
    )
    if result.rowcount != 1:
        raise stale(concern.reference)
    session.add(ConcernEvent(
        concern_id=concern.id, action=change.action.value, actor_id=actor_id, at=at,
        from_status=change.from_status.value, to_status=change.to_status.value, note=change.note,
        unit_code=values.get("unit_code", concern.unit_code), deadline_before=change.deadline_before,
        deadline_after=change.deadline_after, meeting_id=meeting_id,
        data=json.dumps(data, ensure_ascii=False) if data else "",
    ))


def transition(s: Session, ws: Workspace, actor_id: int, concern: Concern, request: pipeline.Request,
               at: datetime | None, *, expected_version: int | None = None, meeting_id: int | None = None,
               extra: dict | None = None, plan_at: datetime | None = None) -> Done:
    """Plan, write and follow on, in the caller's transaction (see the module docstring).

    `at` None is "now", read once the concern is locked and never before its latest event: two
    clerks acting on it a moment apart (whose PCs' clocks never agree to the millisecond) are
    recorded in the order they were written, not refused. A time the clerk typed (补录) is checked
    strictly by the rules. `plan_at` is the time the rules are checked at when it differs from the
    event's (a meeting's loop closing for a concern received after `at`).
    """
    if expected_version is not None and concern.version != expected_version:
        raise stale(concern.reference)
    snapshot = snapshot_of(ws, concern)
    if at is None:
        latest = snapshot.last_event_at
        at = ws.now() if latest is None else max(ws.now(), latest)
    meeting = None
    if request.action is Action.AGENDA:
        meeting = _agenda_meeting(s, concern, request)
        meeting_id = meeting.id
        request = replace(request, meeting_ref=meeting.reference,
                          note=request.note or f"列入{MeetingType(meeting.type).label}（{meeting.topic}）议题")
    change = pipeline.plan(snapshot, request, plan_at or at, ws.settings.sla, ws.settings.calendar)
    apply_change(s, concern, change, actor_id, at, expected_version, meeting_id, extra)
    s.flush()
    s.refresh(concern)
    done = Done(change)
    if meeting is not None:
        item = AgendaItem(meeting_id=meeting.id, position=next_position(s, AgendaItem, meeting.id),
                          title=concern.summary, source="concern", concern_id=concern.id)
        s.add(item)
        touch(meeting, ws.now())
        s.add(meeting)
        s.flush()
        done.agenda_item_id = item.id
    if concern.kind == ConcernKind.ACTION_ITEM.value and change.to_status is Status.CLOSED:
        done.moved = close_finished_resolutions(s, ws, actor_id, at)
    return done


def _agenda_meeting(s: Session, concern: Concern, request: pipeline.Request) -> Meeting:
    """The meeting a concern goes to, checked before anything is written."""
    if not (request.meeting_ref or "").strip():
        raise DomainError("上会需要选择会议。", "meeting")
    meeting = find_meeting(s, request.meeting_ref or "")
    check_editable(meeting)
    if concern.kind != ConcernKind.CONCERN.value:
        raise DomainError(f"{concern.reference} 是议定事项，不能再列入议题。", "concern")
    if s.exec(select(AgendaItem.id).where(AgendaItem.meeting_id == meeting.id,
                                          AgendaItem.concern_id == concern.id)).first():
        raise DomainError(f"{concern.reference} 已在本次会议的议题中。", "concern")
    return meeting


# ---------------------------------------------------------------- closing a meeting's loop

def close_finished_resolutions(s: Session, ws: Workspace, actor_id: int, now: datetime) -> list[str]:
    """Carried resolutions whose action items are all closed: their concerns move to 待回访."""
    moved: list[str] = []
    # Locked, so two clerks closing a resolution's last two action items at once cannot both see the
    # other's still open and leave the loop unclosed (PostgreSQL; SQLite's writer is alone anyway).
    candidates = s.exec(select(Resolution).where(Resolution.status.in_(CARRIED), Resolution.done_at.is_(None))
                        .order_by(Resolution.id).with_for_update()).all()
    for res in candidates:
        rows = s.exec(select(ActionItem, Concern).join(Concern, Concern.id == ActionItem.concern_id)
                      .where(ActionItem.resolution_id == res.id)).all()
        if not rows or any(c.status != Status.CLOSED.value for _a, c in rows):
            continue
        moved.extend(close_resolution(s, ws, actor_id, now, res, [c.reference for _a, c in rows],
                                      "（议定事项已全部办结）"))
    return moved


def close_resolution(s: Session, ws: Workspace, actor_id: int, now: datetime, res: Resolution,
                     actions: list[str], why: str) -> list[str]:
    """The resolution is done: the concerns on its agenda move to 待回访, the resolution in their timeline."""
    moved: list[str] = []
    res.done_at = now
    s.add(res)
    meeting = s.get(Meeting, res.meeting_id)
    q = select(AgendaItem).where(AgendaItem.meeting_id == meeting.id, AgendaItem.concern_id.is_not(None))
    if res.agenda_item_id:
        q = q.where(AgendaItem.id == res.agenda_item_id)
    for item in s.exec(q.order_by(AgendaItem.position)).all():
        concern = s.get(Concern, item.concern_id)
        if Status(concern.status) not in pipeline.ALLOWED_FROM[Action.RESOLVE]:
            continue  # parked, already followed up or closed: left as the clerk put it
        request = pipeline.Request(Action.RESOLVE, meeting_ref=meeting.reference,
                                   note=f"{meeting.reference} 决议 {res.position}：{res.text}{why}")
        transition(s, ws, actor_id, concern, request, now, meeting_id=meeting.id,
                   plan_at=max(now, ws.local(concern.received_at)),
                   extra={"resolution": res.text, "resolution_no": res.position, "action_items": actions})
        moved.append(concern.reference)
    return moved


__all__ = ["CARRIED", "Done", "apply_change", "close_finished_resolutions", "close_resolution", "load_concern",
           "snapshot_of", "stale", "transition"]
