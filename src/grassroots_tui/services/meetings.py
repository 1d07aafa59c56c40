"""Consultation meetings (domain.md §4), one transaction per use case.

schedule (with warnings) -> participants -> agenda (concerns put on the agenda get an
`agenda` event) -> check-in (quorum) -> minutes -> resolutions and votes -> action items,
each an entry in the concern pipeline (kind `action_item`, reference prefix YD) ->
when every action item of a resolution is closed, the concerns on its agenda item move
to 待回访 with the pipeline's automatic `resolve` action, the resolution in their timeline.

A resolution names one agenda item, or none: then it covers every item of the meeting.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, update
from sqlmodel import Session, select

from grassroots_tui.domain import pipeline
from grassroots_tui.domain.calendar import schedule_notice
from grassroots_tui.domain.codes import Action, Channel, ConcernKind, MeetingType, Nature, Status
from grassroots_tui.domain.codes import parse as parse_code
from grassroots_tui.domain.deadlines import END_OF_DAY
from grassroots_tui.domain.errors import DomainError, NotFound, StaleVersion
from grassroots_tui.domain.meetings import (
    MeetingRule,
    ParticipantRole,
    QuorumStatus,
    ScheduleWarning,
    Slot,
    VoteMethod,
    VoteOutcome,
    check_checkin_time,
    check_schedule,
    check_vote_time,
    checkin_opens,
    decide,
    load_rules,
    publication_until,
    quorum_status,
    vote_opens,
)
from grassroots_tui.domain.reference import normalise_reference
from grassroots_tui.domain.validation import check_text, nfkc
from grassroots_tui.services.meeting_rows import check_editable, find_meeting, next_position, touch
from grassroots_tui.services.transitions import (
    CARRIED,
    close_finished_resolutions,
    close_resolution,
    load_concern,
    transition,
)
from grassroots_tui.services.workspace import Workspace
from grassroots_tui.store.models import (
    ActionItem,
    AgendaItem,
    Category,
    Clerk,
    Concern,
    Meeting,
    MeetingEvent,
    MeetingParticipant,
    Resident,
    Resolution,
    Unit,
    Vote,
)

STATUS_LABELS = {"planned": "已安排", "held": "已召开", "cancelled": "已取消"}
RESOLUTION_LABELS = {"draft": "待表决", "passed": "通过", "failed": "未通过", "no_quorum": "不足法定人数",
                     "consensus": "协商一致", "voided": "已作废"}
VOIDED = "已作废"
EVENT_LABELS = {"rescheduled": "改期", "cancelled": "取消会议", "void_vote": "表决作废", "void_resolution": "决议作废",
                "carried_out": "决议已落实"}
SOURCE_LABELS = {"concern": "诉求", "proposal": "居民书面提议", "grid": "网格上报", "assignment": "上级交办"}
DEFAULT_MINUTES = 90
ACTION_CATEGORY = "1505"  # 社区建设 / 其他建议, when the resolution is not about a concern


# ---------------------------------------------------------------- views

@dataclass(frozen=True)
class MeetingSummary:
    reference: str
    type: str
    type_label: str
    topic: str
    start_at: datetime
    end_at: datetime
    place: str
    chair: str
    minute_taker: str
    notice_date: date | None
    status: str
    status_label: str
    invited: int = 0
    entitled: int = 0
    present: int = 0
    agenda_count: int = 0
    version: int = 1  # bumped by every change: the calendar's SEQUENCE
    updated_at: datetime | None = None  # the last change: the calendar's LAST-MODIFIED

    @property
    def minutes(self) -> int:
        return int((self.end_at - self.start_at).total_seconds() // 60)


@dataclass(frozen=True)
class ParticipantView:
    id: int
    number: int  # 1.. in the order they were added: what the clerk types at check-in
    name: str
    organisation: str
    role: str
    role_label: str
    voting: bool
    present: bool
    resident_id: int | None
    checked_in_at: datetime | None


@dataclass(frozen=True)
class AgendaView:
    id: int
    position: int
    title: str
    source: str
    source_label: str
    proposer: str
    minutes: str
    concern_reference: str | None
    concern_status: str | None
    concern_status_label: str | None
    version: int = 1  # minutes saved with the version read when the form opened (two clerks, one item)


@dataclass(frozen=True)
class VoteView:
    method: str
    method_label: str
    votes_for: int
    votes_against: int
    votes_abstain: int
    present: int
    entitled: int
    outcome: str
    outcome_label: str
    recorded_at: datetime
    reason: str = ""
    id: int | None = None
    voided_at: datetime | None = None  # recorded in error: shown as 已作废 with the reason, not counted
    void_reason: str = ""

    @property
    def voided(self) -> bool:
        return self.voided_at is not None


@dataclass(frozen=True)
class MeetingEventView:
    at: datetime
    action: str
    action_label: str
    note: str
    resolution_position: int | None = None


@dataclass(frozen=True)
class ActionView:
    id: int
    title: str
    unit: str | None
    unit_name: str | None
    owner: str | None
    due_at: datetime | None
    concern_reference: str | None
    status: str | None
    status_label: str | None
    resolution_id: int

    @property
    def done(self) -> bool:
        return self.status == Status.CLOSED.value


@dataclass(frozen=True)
class ResolutionView:
    id: int
    position: int
    text: str
    status: str
    status_label: str
    agenda_position: int | None  # None: every agenda item of the meeting
    vote: VoteView | None
    actions: list[ActionView]
    published_at: datetime | None
    publication_until: date | None
    result_published_at: datetime | None
    done_at: datetime | None
    version: int = 1  # a vote is recorded against the version read when the form opened
    voided_at: datetime | None = None  # recorded in error: shown as 已作废 with the reason, not counted
    void_reason: str = ""
    voided_votes: list[VoteView] = field(default_factory=list)  # votes recorded in error, newest first

    @property
    def carried(self) -> bool:
        return self.status in CARRIED

    @property
    def voided(self) -> bool:
        return self.voided_at is not None

    @property
    def carried_out(self) -> bool:
        """Carried and done: every action item closed, or marked carried out when it needed none."""
        return self.carried and self.done_at is not None


@dataclass(frozen=True)
class MeetingDetail(MeetingSummary):
    rule_summary: str = ""
    quorum: QuorumStatus | None = None
    notes: str = ""
    participants: list[ParticipantView] = field(default_factory=list)
    agenda: list[AgendaView] = field(default_factory=list)
    resolutions: list[ResolutionView] = field(default_factory=list)
    votes_allowed: bool = True
    publication_days: int = 7
    events: list[MeetingEventView] = field(default_factory=list)
    checkin_opens_at: datetime | None = None
    vote_opens_at: datetime | None = None


@dataclass(frozen=True)
class Scheduled:
    meeting: MeetingDetail
    warnings: list[str]


@dataclass
class MeetingDraft:
    type: str
    topic: str
    start: datetime
    minutes: int = DEFAULT_MINUTES
    place: str = ""
    chair: str = ""
    minute_taker: str = ""
    notice_date: date | None = None  # default: today
    notes: str = ""


# ---------------------------------------------------------------- rules

def meeting_rules(ws: Workspace) -> dict[str, MeetingRule]:
    cached = getattr(ws, "_meeting_rules", None)
    if cached is None:
        cached = load_rules(ws.settings.meeting_rules)
        ws._meeting_rules = cached  # type: ignore[attr-defined]
    return cached


def rule_for(ws: Workspace, type_code: str) -> MeetingRule:
    code = parse_code(MeetingType, type_code, "type").value
    rules = meeting_rules(ws)
    if code not in rules:
        raise DomainError(f"会议规则文件中没有“{code}”类型的规则。", "type")
    return rules[code]


# ---------------------------------------------------------------- scheduling

def _check_draft(ws: Workspace, draft: MeetingDraft) -> tuple[MeetingRule, str, datetime, datetime, date]:
    rule = rule_for(ws, draft.type)
    topic = check_text(draft.topic, "会议议题", "topic", required=True, limit=200)
    if draft.start is None:
        raise DomainError("请填写会议开始时间。", "start")
    minutes = int(draft.minutes or 0)
    if not 5 <= minutes <= 24 * 60:
        raise DomainError("会议时长应在 5 分钟到 24 小时之间。", "minutes")
    start = draft.start.astimezone(ws.tz) if draft.start.tzinfo else draft.start.replace(tzinfo=ws.tz)
    end = start + timedelta(minutes=minutes)
    notice = draft.notice_date or ws.now().date()
    return rule, topic, start, end, notice


def _others(session: Session, start: datetime, end: datetime, exclude: str | None = None) -> list[Slot]:
    rows = session.exec(select(Meeting).where(Meeting.start_at < end, Meeting.end_at > start,
                                              Meeting.status != "cancelled")).all()
    return [Slot(m.start_at, m.end_at, m.place, m.chair, m.reference, m.topic)
            for m in rows if m.reference != exclude]


def check_meeting(ws: Workspace, draft: MeetingDraft, reference: str | None = None) -> list[ScheduleWarning]:
    """The warnings scheduling this draft would give, without saving anything."""
    rule, _topic, start, end, notice = _check_draft(ws, draft)
    with ws.read() as s:
        others = [Slot(ws.local(o.start), ws.local(o.end), o.place, o.chair, o.reference, o.topic)
                  for o in _others(s, start, end, reference)]
    slot = Slot(start, end, nfkc(draft.place), nfkc(draft.chair), reference or "")
    return _with_calendar_notice(ws, check_schedule(rule, slot, notice, ws.now(), ws.settings.calendar, others),
                                 start, notice)


def _with_calendar_notice(ws: Workspace, warnings: list[ScheduleWarning], start: datetime, notice: date) -> list[ScheduleWarning]:
    """The warnings, and "2027年放假调休安排尚未载入，…" when the meeting or its notice falls in such a year."""
    message = schedule_notice(ws.settings.calendar, [notice, start.date()])
    return warnings + [ScheduleWarning("calendar", message)] if message else warnings


def schedule_meeting(ws: Workspace, actor_id: int, draft: MeetingDraft) -> Scheduled:
    """安排会议: saved with its warnings (a warning never refuses)."""
    from grassroots_tui.services.concerns import new_reference

    rule, topic, start, end, notice = _check_draft(ws, draft)
    place = check_text(draft.place, "会议地点", "place", limit=100)
    chair = check_text(draft.chair, "主持人", "chair", limit=50)
    taker = check_text(draft.minute_taker, "记录人", "minute_taker", limit=50)
    notes = check_text(draft.notes, "备注", "notes", limit=5000)
    now = ws.now()
    with ws.write() as s:
        others = [Slot(ws.local(o.start), ws.local(o.end), o.place, o.chair, o.reference, o.topic)
                  for o in _others(s, start, end)]
        warnings = _with_calendar_notice(
            ws, check_schedule(rule, Slot(start, end, place, chair), notice, now, ws.settings.calendar, others),
            start, notice)
        meeting = Meeting(
            reference=new_reference(s, ws.settings.meeting_prefix, start.year, width=4), type=rule.code,
            topic=topic, start_at=start, end_at=end, place=place, chair=chair, minute_taker=taker,
            notice_date=notice, status="planned", notes=notes, created_by=actor_id, created_at=now)
        s.add(meeting)
        s.flush()
        reference = meeting.reference
    return Scheduled(get_meeting(ws, reference), [w.message for w in warnings])


def update_status(ws: Workspace, reference: str, status: str, note: str = "",
                  actor_id: int | None = None) -> MeetingSummary:
    """已召开 (not before the start) or 已取消 (not once a valid vote is recorded): an event either way."""
    if status not in STATUS_LABELS:
        raise DomainError(f"会议状态应为 {'、'.join(STATUS_LABELS)}。", "status")
    note = check_text(note, "说明", "note", limit=500)
    now = ws.now()
    with ws.write() as s:
        meeting = find_meeting(s, reference)
        if status == meeting.status:
            raise DomainError(f"会议 {meeting.reference} 已经是“{STATUS_LABELS[status]}”。", "status")
        if meeting.status == "cancelled":
            raise DomainError(f"会议 {meeting.reference} 已取消，不能再改状态；请重新安排一次会议。", "status")
        if status == "cancelled" and s.exec(select(Vote.id).join(Resolution).where(
                Resolution.meeting_id == meeting.id, Vote.voided_at.is_(None))).first():
            raise DomainError("会议已有表决记录，不能取消。", "status")
        if status == "held" and now < ws.local(meeting.start_at):
            raise DomainError(f"会议 {ws.local(meeting.start_at):%m-%d %H:%M} 才开始，还不能标记为已召开。", "status")
        meeting.status = status
        if note:
            meeting.notes = (meeting.notes + "\n" + note).strip()
        touch(meeting, now)
        s.add(meeting)
        if status == "cancelled":
            _event(s, meeting, "cancelled", actor_id, now, note)
    return get_meeting(ws, reference)


def _event(s: Session, meeting: Meeting, action: str, actor_id: int | None, now: datetime, note: str = "", *,
           resolution_id: int | None = None, vote_id: int | None = None, **data: object) -> None:
    s.add(MeetingEvent(meeting_id=meeting.id, resolution_id=resolution_id, vote_id=vote_id, action=action,
                       actor_id=actor_id, at=now, note=note,
                       data=json.dumps(data, ensure_ascii=False, default=str) if data else ""))


def reschedule_meeting(ws: Workspace, actor_id: int | None, reference: str, start: datetime,
                       minutes: int | None = None, place: str | None = None, chair: str | None = None,
                       notice_date: date | None = None, note: str = "") -> Scheduled:
    """改期: a new time (and place, chair, notice date), the warnings recomputed for it; a planned
    meeting only (one already held or cancelled keeps its time). An event keeps the old time."""
    now = ws.now()
    with ws.read() as s:
        old = find_meeting(s, reference)
        draft = MeetingDraft(type=old.type, topic=old.topic, start=start,
                             minutes=minutes if minutes is not None else
                             int((old.end_at - old.start_at).total_seconds() // 60),
                             place=old.place if place is None else place, chair=old.chair if chair is None else chair,
                             notice_date=notice_date or old.notice_date)
    rule, _topic, new_start, new_end, notice = _check_draft(ws, draft)
    new_place = check_text(draft.place, "会议地点", "place", limit=100)
    new_chair = check_text(draft.chair, "主持人", "chair", limit=50)
    note = check_text(note, "改期原因", "note", limit=500)
    with ws.write() as s:
        meeting = find_meeting(s, reference)
        if meeting.status != "planned":
            raise DomainError(f"会议 {meeting.reference} {STATUS_LABELS[meeting.status]}，不能改期。", "start")
        others = [Slot(ws.local(o.start), ws.local(o.end), o.place, o.chair, o.reference, o.topic)
                  for o in _others(s, new_start, new_end, meeting.reference)]
        warnings = _with_calendar_notice(
            ws, check_schedule(rule, Slot(new_start, new_end, new_place, new_chair, meeting.reference), notice, now,
                               ws.settings.calendar, others), new_start, notice)
        before = {"start": ws.local(meeting.start_at).isoformat(), "end": ws.local(meeting.end_at).isoformat(),
                  "place": meeting.place, "chair": meeting.chair}
        meeting.start_at, meeting.end_at = new_start, new_end
        meeting.place, meeting.chair, meeting.notice_date = new_place, new_chair, notice
        touch(meeting, now)
        s.add(meeting)
        _event(s, meeting, "rescheduled", actor_id, now, note, before=before,
               after={"start": new_start.isoformat(), "end": new_end.isoformat(), "place": new_place,
                      "chair": new_chair})
    return Scheduled(get_meeting(ws, reference), [w.message for w in warnings])


# ---------------------------------------------------------------- reading

def _summary(ws: Workspace, m: Meeting, counts: tuple[int, int, int, int] = (0, 0, 0, 0)) -> dict:
    return dict(
        reference=m.reference, type=m.type, type_label=MeetingType(m.type).label, topic=m.topic,
        start_at=ws.local(m.start_at), end_at=ws.local(m.end_at), place=m.place, chair=m.chair,
        minute_taker=m.minute_taker, notice_date=m.notice_date, status=m.status,
        status_label=STATUS_LABELS.get(m.status, m.status), invited=counts[0], entitled=counts[1],
        present=counts[2], agenda_count=counts[3], version=m.version,
        updated_at=ws.local(m.updated_at or m.created_at))


def _day_start(ws: Workspace, day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=ws.tz)


def list_meetings(ws: Workspace, start: date | datetime | None = None, end: date | datetime | None = None, *,
                  limit: int = 50, offset: int = 0, include_cancelled: bool = True,
                  ending_after: datetime | None = None) -> list[MeetingSummary]:
    """Meetings starting in [start, end] (dates include the whole day), earliest first, one page."""
    with ws.read() as s:
        invited = (select(func.count()).where(MeetingParticipant.meeting_id == Meeting.id)
                   .correlate(Meeting).scalar_subquery())
        entitled = (select(func.count()).where(MeetingParticipant.meeting_id == Meeting.id, MeetingParticipant.voting)
                    .correlate(Meeting).scalar_subquery())
        present = (select(func.count()).where(MeetingParticipant.meeting_id == Meeting.id, MeetingParticipant.voting,
                                              MeetingParticipant.present).correlate(Meeting).scalar_subquery())
        items = (select(func.count()).where(AgendaItem.meeting_id == Meeting.id).correlate(Meeting).scalar_subquery())
        q = select(Meeting, invited, entitled, present, items)
        if start is not None:
            q = q.where(Meeting.start_at >= (start if isinstance(start, datetime) else _day_start(ws, start)))
        if end is not None:
            bound = end if isinstance(end, datetime) else _day_start(ws, end + timedelta(days=1))
            q = q.where(Meeting.start_at < bound) if not isinstance(end, datetime) else q.where(Meeting.start_at <= bound)
        if not include_cancelled:
            q = q.where(Meeting.status != "cancelled")
        if ending_after is not None:
            q = q.where(Meeting.end_at >= ending_after)
        q = q.order_by(Meeting.start_at, Meeting.id).offset(offset).limit(limit)
        return [MeetingSummary(**_summary(ws, m, (a, b, c, d))) for m, a, b, c, d in s.exec(q).all()]


def upcoming_meetings(ws: Workspace, limit: int = 50, offset: int = 0, *,
                      include_cancelled: bool = False) -> list[MeetingSummary]:
    """Not yet over and (unless `include_cancelled`, as a calendar export needs) not cancelled,
    soonest first (a meeting lasts at most a day: the start index bounds the scan)."""
    now = ws.now()
    return list_meetings(ws, now - timedelta(days=1), None, limit=limit, offset=offset,
                         include_cancelled=include_cancelled, ending_after=now)


def count_meetings(ws: Workspace, start: date | None = None, end: date | None = None, *,
                   upcoming: bool = False) -> int:
    """How many meetings `list_meetings` (or, with `upcoming`, `upcoming_meetings`) pages over."""
    with ws.read() as s:
        q = select(func.count()).select_from(Meeting)
        if upcoming:
            now = ws.now()
            q = q.where(Meeting.start_at >= now - timedelta(days=1), Meeting.end_at >= now,
                        Meeting.status != "cancelled")
        if start is not None:
            q = q.where(Meeting.start_at >= _day_start(ws, start))
        if end is not None:
            q = q.where(Meeting.start_at < _day_start(ws, end + timedelta(days=1)))
        return int(s.exec(q).one())


def _participants(session: Session, meeting_id: int, ws: Workspace) -> list[ParticipantView]:
    rows = session.exec(select(MeetingParticipant).where(MeetingParticipant.meeting_id == meeting_id)
                        .order_by(MeetingParticipant.id)).all()
    return [ParticipantView(p.id, i, p.name, p.organisation, p.role, _role_label(p.role), p.voting, p.present,
                            p.resident_id, ws.local(p.checked_in_at)) for i, p in enumerate(rows, 1)]


def _role_label(role: str) -> str:
    try:
        return ParticipantRole(role).label
    except ValueError:
        return role


def _tally(session: Session, meeting_id: int) -> tuple[int, int]:
    entitled = session.exec(select(func.count()).where(MeetingParticipant.meeting_id == meeting_id,
                                                       MeetingParticipant.voting)).one()
    present = session.exec(select(func.count()).where(MeetingParticipant.meeting_id == meeting_id,
                                                      MeetingParticipant.voting, MeetingParticipant.present)).one()
    return int(entitled), int(present)


def _action_views(session: Session, ws: Workspace, resolution_ids: list[int]) -> dict[int, list[ActionView]]:
    out: dict[int, list[ActionView]] = {rid: [] for rid in resolution_ids}
    if not resolution_ids:
        return out
    rows = session.exec(
        select(ActionItem, Concern, Unit, Clerk)
        .join(Concern, Concern.id == ActionItem.concern_id, isouter=True)
        .join(Unit, Unit.code == ActionItem.owner_unit_code, isouter=True)
        .join(Clerk, Clerk.id == ActionItem.owner_clerk_id, isouter=True)
        .where(ActionItem.resolution_id.in_(resolution_ids)).order_by(ActionItem.id)).all()
    for a, c, u, k in rows:
        out[a.resolution_id].append(ActionView(
            a.id, a.title, a.owner_unit_code, u.name if u else None, k.name if k else None, ws.local(a.due_at),
            c.reference if c else None, c.status if c else None, Status(c.status).label if c else None,
            a.resolution_id))
    return out


def get_meeting(ws: Workspace, reference: str) -> MeetingDetail:
    with ws.read() as s:
        m = find_meeting(s, reference)
        rule = meeting_rules(ws).get(m.type)
        participants = _participants(s, m.id, ws)
        entitled = sum(1 for p in participants if p.voting)
        present = sum(1 for p in participants if p.voting and p.present)
        agenda_rows = s.exec(select(AgendaItem, Concern).join(Concern, Concern.id == AgendaItem.concern_id,
                                                              isouter=True)
                             .where(AgendaItem.meeting_id == m.id).order_by(AgendaItem.position)).all()
        agenda = [AgendaView(a.id, a.position, a.title, a.source, SOURCE_LABELS.get(a.source, a.source), a.proposer,
                             a.minutes, c.reference if c else None, c.status if c else None,
                             Status(c.status).label if c else None, a.version) for a, c in agenda_rows]
        positions = {a.id: a.position for a in agenda}
        res_rows = s.exec(select(Resolution).where(Resolution.meeting_id == m.id).order_by(Resolution.position)).all()
        actions = _action_views(s, ws, [r.id for r in res_rows])
        resolutions = []
        for r in res_rows:
            votes = [_vote_view(ws, v) for v in
                     s.exec(select(Vote).where(Vote.resolution_id == r.id).order_by(Vote.id.desc())).all()]
            vote = next((v for v in votes if not v.voided), None)  # the one that counts
            resolutions.append(ResolutionView(
                r.id, r.position, r.text, r.status, RESOLUTION_LABELS.get(r.status, r.status),
                positions.get(r.agenda_item_id) if r.agenda_item_id else None, vote, actions.get(r.id, []),
                ws.local(r.published_at), r.publication_until, ws.local(r.result_published_at), ws.local(r.done_at),
                r.version, ws.local(r.voided_at), r.void_reason, [v for v in votes if v.voided]))
        by_id = {r.id: r.position for r in resolutions}
        events = [MeetingEventView(ws.local(e.at), e.action, EVENT_LABELS.get(e.action, e.action), e.note,
                                   by_id.get(e.resolution_id) if e.resolution_id else None)
                  for e in s.exec(select(MeetingEvent).where(MeetingEvent.meeting_id == m.id)
                                  .order_by(MeetingEvent.id)).all()]
        quorum = quorum_status(rule, entitled, present) if rule else None
        start = ws.local(m.start_at)
        return MeetingDetail(
            **_summary(ws, m, (len(participants), entitled, present, len(agenda))),
            rule_summary=rule.summary() if rule else "", quorum=quorum, notes=m.notes, participants=participants,
            agenda=agenda, resolutions=resolutions, votes_allowed=bool(rule and rule.votes),
            publication_days=rule.publication_days if rule else 7, events=events,
            checkin_opens_at=checkin_opens(rule, start) if rule else None,
            vote_opens_at=vote_opens(rule, start) if rule else None)


def _vote_view(ws: Workspace, v: Vote) -> VoteView:
    return VoteView(v.method, VoteMethod(v.method).label, v.votes_for, v.votes_against, v.votes_abstain,
                    v.present_count, v.entitled_count, v.outcome, VoteOutcome(v.outcome).label,
                    ws.local(v.recorded_at), "", v.id, ws.local(v.voided_at), v.void_reason)


# ---------------------------------------------------------------- participants and check-in

def add_participant(ws: Workspace, reference: str, name: str = "", *, role: str = "resident",
                    organisation: str = "", resident_id: int | None = None,
                    voting: bool | None = None) -> ParticipantView:
    """应到: a resident (from the register), a member, a unit's representative, or a non-voting 列席."""
    role_code = parse_code(ParticipantRole, role, "role").value
    org = check_text(organisation, "单位", "organisation", limit=100)
    with ws.write() as s:
        meeting = find_meeting(s, reference)
        check_editable(meeting)
        if resident_id is not None:
            resident = s.get(Resident, resident_id)
            if resident is None:
                raise NotFound("找不到所选居民。", "resident")
            if s.exec(select(MeetingParticipant.id).where(MeetingParticipant.meeting_id == meeting.id,
                                                          MeetingParticipant.resident_id == resident_id)).first():
                raise DomainError(f"{resident.name} 已在参会名单中。", "resident")
            name = resident.name
        name = check_text(name, "姓名", "name", required=True, limit=50)
        p = MeetingParticipant(meeting_id=meeting.id, resident_id=resident_id, name=name, organisation=org,
                               role=role_code, voting=(role_code != "observer") if voting is None else voting)
        s.add(p)
        s.flush()
        views = _participants(s, meeting.id, ws)
        return next(v for v in views if v.id == p.id)


def remove_participant(ws: Workspace, reference: str, participant_id: int) -> None:
    with ws.write() as s:
        meeting = find_meeting(s, reference)
        p = s.get(MeetingParticipant, participant_id)
        if p is None or p.meeting_id != meeting.id:
            raise NotFound("参会名单中没有这个人。", "participant")
        if p.present:
            raise DomainError(f"{p.name} 已签到，不能从名单中删除。", "participant")
        s.delete(p)


def set_present(ws: Workspace, reference: str, participant_ids: int | Sequence[int],
                present: bool = True) -> QuorumStatus:
    """签到 (or undo it) of one or several participants, all or none: the quorum status after."""
    ids = [participant_ids] if isinstance(participant_ids, int) else list(participant_ids)
    now = ws.now()
    with ws.write() as s:
        meeting = find_meeting(s, reference, for_update=True)  # a vote being counted waits, or waits for us
        check_editable(meeting)
        rule = meeting_rules(ws)[meeting.type]
        if present:
            check_checkin_time(rule, ws.local(meeting.start_at), now)
        people = []
        for participant_id in ids:  # every one checked before anything is written
            p = s.get(MeetingParticipant, participant_id)
            if p is None or p.meeting_id != meeting.id:
                raise NotFound("参会名单中没有这个人。", "participant")
            people.append(p)
        for p in people:
            p.present = present
            p.checked_in_at = now if present else None
            s.add(p)
        if present and people and meeting.status == "planned":
            meeting.status = "held"
            s.add(meeting)
        s.flush()
        entitled, count = _tally(s, meeting.id)
        return quorum_status(rule, entitled, count)


# ---------------------------------------------------------------- agenda

def add_agenda_concern(ws: Workspace, actor_id: int, reference: str, concern_reference: str,
                       at: datetime | None = None) -> AgendaView:
    """上会: the concern's `agenda` event and the agenda item, in one transaction."""
    return add_agenda_concerns(ws, actor_id, reference, [concern_reference], at)[0]


def add_agenda_concerns(ws: Workspace, actor_id: int, reference: str, concern_references: Sequence[str],
                        at: datetime | None = None) -> list[AgendaView]:
    """Several concerns onto the agenda, all or none: one refused (unknown, already on it, an action
    item, a state that cannot go to a meeting) and nothing is added."""
    at = (at or ws.now()).astimezone(ws.tz)
    item_ids: list[int] = []
    with ws.write() as s:
        meeting = find_meeting(s, reference)
        for concern_reference in concern_references:
            done = transition(s, ws, actor_id, load_concern(s, concern_reference, for_update=True),
                              pipeline.Request(Action.AGENDA, meeting_ref=meeting.reference), at)
            item_ids.append(done.agenda_item_id)  # type: ignore[arg-type]
    agenda = {a.id: a for a in get_meeting(ws, reference).agenda}
    return [agenda[i] for i in item_ids]


def add_agenda_item(ws: Workspace, reference: str, title: str, source: str = "proposal",
                    proposer: str = "") -> AgendaView:
    """An item that is not a concern: a resident's written proposal, a grid report, an assignment."""
    if source not in SOURCE_LABELS or source == "concern":
        raise DomainError("议题来源应为 proposal（居民书面提议）、grid（网格上报）或 assignment（上级交办）。", "source")
    title = check_text(title, "议题", "title", required=True, limit=200)
    proposer = check_text(proposer, "提议人", "proposer", limit=50)
    with ws.write() as s:
        meeting = find_meeting(s, reference)
        check_editable(meeting)
        item = AgendaItem(meeting_id=meeting.id, position=next_position(s, AgendaItem, meeting.id), title=title,
                          source=source, proposer=proposer)
        s.add(item)
        touch(meeting, ws.now())
        s.add(meeting)
        s.flush()
        item_id = item.id
    return next(a for a in get_meeting(ws, reference).agenda if a.id == item_id)


def record_minutes(ws: Workspace, reference: str, position: int, text: str,
                   expected_version: int | None = None) -> None:
    """会议记录 of one agenda item; refused when another clerk saved it since `expected_version` was read."""
    text = check_text(text, "会议记录", "minutes", limit=20000)
    with ws.write() as s:
        meeting = find_meeting(s, reference)
        item = s.exec(select(AgendaItem).where(AgendaItem.meeting_id == meeting.id,
                                               AgendaItem.position == position)).first()
        if item is None:
            raise NotFound(f"会议 {meeting.reference} 没有第 {position} 项议题。", "agenda")
        _bump_version(s, AgendaItem, item, expected_version, f"议题 {position} 的记录", minutes=text)


def _bump_version(session: Session, model, row, expected_version: int | None, what: str,  # noqa: ANN001
                  **values: object) -> None:
    """Write `values` to `row` only if its version is still `expected_version` (None: the one just read)."""
    expected = row.version if expected_version is None else expected_version
    result = session.execute(update(model).where(model.id == row.id, model.version == expected)
                             .values(version=row.version + 1, **values))
    if result.rowcount != 1:
        raise StaleVersion(f"{what}刚被其他人修改过。你填写的内容还在，请复制保存后关闭表单、重新打开再改。",
                           "version")
    session.expire(row)


# ---------------------------------------------------------------- resolutions and votes

def add_resolution(ws: Workspace, reference: str, text: str, agenda_position: int | None = None) -> ResolutionView:
    """决议 (draft until voted). `agenda_position` None: it covers every agenda item."""
    text = check_text(text, "决议内容", "text", required=True, limit=2000)
    with ws.write() as s:
        meeting = find_meeting(s, reference)
        check_editable(meeting)
        rule = meeting_rules(ws)[meeting.type]
        if not rule.votes:
            raise DomainError(f"{rule.label}按规则不作表决，不形成决议；问题可登记为诉求办理。", "text")
        item_id = None
        if agenda_position:
            item = s.exec(select(AgendaItem).where(AgendaItem.meeting_id == meeting.id,
                                                   AgendaItem.position == agenda_position)).first()
            if item is None:
                raise NotFound(f"会议 {meeting.reference} 没有第 {agenda_position} 项议题。", "agenda")
            item_id = item.id
        res = Resolution(meeting_id=meeting.id, agenda_item_id=item_id,
                         position=next_position(s, Resolution, meeting.id), text=text, status="draft")
        s.add(res)
        s.flush()
        res_id = res.id
    return get_resolution(ws, res_id)


def get_resolution(ws: Workspace, resolution_id: int) -> ResolutionView:
    with ws.read() as s:
        res = s.get(Resolution, resolution_id)
        if res is None:
            raise NotFound("找不到这项决议。", "resolution")
        meeting = s.get(Meeting, res.meeting_id)
    return next(r for r in get_meeting(ws, meeting.reference).resolutions if r.id == resolution_id)


def record_vote(ws: Workspace, actor_id: int, resolution_id: int, votes_for: int, against: int = 0,
                abstain: int = 0, method: str = "hands", expected_version: int | None = None) -> VoteView:
    """表决: counts checked against those present; the rule says 通过 / 未通过 / 不足法定人数."""
    method_code = parse_code(VoteMethod, method, "method").value
    now = ws.now()
    with ws.write() as s:
        res = s.get(Resolution, resolution_id, with_for_update=True)
        if res is None:
            raise NotFound("找不到这项决议。", "resolution")
        # The meeting's row is locked while the vote is checked against those present, so a
        # check-in saved at the same moment waits (PostgreSQL; SQLite's writer is alone anyway).
        meeting = s.get(Meeting, res.meeting_id, with_for_update=True)
        check_editable(meeting)
        if res.status in CARRIED:
            raise DomainError(f"决议 {res.position} 已{RESOLUTION_LABELS[res.status]}，不能再次表决。", "resolution")
        if res.voided_at is not None:
            raise DomainError(f"决议 {res.position} 已作废，不能表决。", "resolution")
        rule = meeting_rules(ws)[meeting.type]
        check_vote_time(rule, ws.local(meeting.start_at), now)
        entitled, present = _tally(s, meeting.id)
        result = decide(rule, entitled, present, int(votes_for), int(against), int(abstain))
        row = Vote(resolution_id=res.id, method=method_code, votes_for=votes_for, votes_against=against,
                   votes_abstain=abstain, present_count=present, entitled_count=entitled,
                   outcome=result.outcome.value, recorded_at=now, recorded_by=actor_id)
        s.add(row)
        s.flush()
        vote_id = row.id
        _bump_version(s, Resolution, res, expected_version, f"决议 {res.position}", status=result.outcome.value)
        if meeting.status == "planned":
            meeting.status = "held"
            s.add(meeting)
    return VoteView(method_code, VoteMethod(method_code).label, votes_for, against, abstain, present, entitled,
                    result.outcome.value, result.outcome.label, now, result.reason, vote_id)


def _void_reason(reason: str) -> str:
    return check_text(reason, "作废原因", "reason", required=True, limit=500)


def _voidable(s: Session, resolution_id: int) -> tuple[Resolution, Meeting]:
    res = s.get(Resolution, resolution_id)
    if res is None:
        raise NotFound("找不到这项决议。", "resolution")
    if res.voided_at is not None:
        raise DomainError(f"决议 {res.position} 已作废。", "resolution")
    return res, s.get(Meeting, res.meeting_id)


def _undone(s: Session, res: Resolution, what: str) -> None:
    """A resolution whose follow-on work has begun cannot lose its vote or itself."""
    if res.done_at is not None:
        raise DomainError(f"决议 {res.position} 已落实，上会的诉求已转入回访，不能{what}。", "resolution")
    refs = s.exec(select(Concern.reference).join(ActionItem, ActionItem.concern_id == Concern.id)
                  .where(ActionItem.resolution_id == res.id)).all()
    if refs:
        raise DomainError(f"决议 {res.position} 已分解议定事项 {'、'.join(refs)}，不能{what}；"
                          "请先在台账中处理这些事项。", "resolution")


def void_vote(ws: Workspace, actor_id: int, resolution_id: int, reason: str,
              expected_version: int | None = None) -> ResolutionView:
    """表决作废: the resolution's counting vote was recorded in error. Kept with the reason (已作废),
    not counted; the resolution goes back to what the vote before it said, or 待表决."""
    reason = _void_reason(reason)
    now = ws.now()
    with ws.write() as s:
        res, meeting = _voidable(s, resolution_id)
        valid = s.exec(select(Vote).where(Vote.resolution_id == res.id, Vote.voided_at.is_(None))
                       .order_by(Vote.id.desc())).all()
        if not valid:
            raise DomainError(f"决议 {res.position} 没有可作废的表决记录。", "resolution")
        _undone(s, res, "作废表决")
        vote = valid[0]
        vote.voided_at, vote.voided_by, vote.void_reason = now, actor_id, reason
        s.add(vote)
        status = valid[1].outcome if len(valid) > 1 else "draft"
        _bump_version(s, Resolution, res, expected_version, f"决议 {res.position}", status=status,
                      published_at=None, publication_until=None)
        _event(s, meeting, "void_vote", actor_id, now, reason, resolution_id=res.id, vote_id=vote.id,
               votes=[vote.votes_for, vote.votes_against, vote.votes_abstain], outcome=vote.outcome)
    return get_resolution(ws, resolution_id)


def void_resolution(ws: Workspace, actor_id: int, resolution_id: int, reason: str,
                    expected_version: int | None = None) -> ResolutionView:
    """决议作废: recorded in error. Kept with the reason (已作废) and its votes; not counted, not
    published, no action items."""
    reason = _void_reason(reason)
    now = ws.now()
    with ws.write() as s:
        res, meeting = _voidable(s, resolution_id)
        _undone(s, res, "作废")
        _event(s, meeting, "void_resolution", actor_id, now, reason, resolution_id=res.id, status=res.status)
        _bump_version(s, Resolution, res, expected_version, f"决议 {res.position}", status="voided",
                      voided_at=now, voided_by=actor_id, void_reason=reason)
    return get_resolution(ws, resolution_id)


def carry_out_resolution(ws: Workspace, actor_id: int, resolution_id: int, note: str = "") -> list[str]:
    """决议已落实, for a carried resolution that needs no action item: closes the loop of its agenda
    concerns (to 待回访) as the last action item's completion does. Returns the concerns moved."""
    note = check_text(note, "落实情况", "note", limit=2000) or "决议已落实"
    now = ws.now()
    with ws.write() as s:
        res = s.get(Resolution, resolution_id)
        if res is None:
            raise NotFound("找不到这项决议。", "resolution")
        if res.status not in CARRIED:
            raise DomainError(f"决议 {res.position} {RESOLUTION_LABELS.get(res.status, res.status)}，"
                              "只有通过的决议才能标记落实。", "resolution")
        if res.done_at is not None:
            raise DomainError(f"决议 {res.position} 已落实。", "resolution")
        if s.exec(select(ActionItem.id).where(ActionItem.resolution_id == res.id)).first():
            raise DomainError(f"决议 {res.position} 有议定事项，全部办结后自动落实。", "resolution")
        meeting = s.get(Meeting, res.meeting_id)
        _event(s, meeting, "carried_out", actor_id, now, note, resolution_id=res.id)
        return close_resolution(s, ws, actor_id, now, res, [], f"（{note}）")


def preview_vote(ws: Workspace, reference: str, votes_for: int, against: int, abstain: int) -> str:
    """What the rule would say for these counts, for the live line under the vote form."""
    with ws.read() as s:
        meeting = find_meeting(s, reference)
        entitled, present = _tally(s, meeting.id)
        result = decide(meeting_rules(ws)[meeting.type], entitled, present, votes_for, against, abstain)
    return f"{result.outcome.label}：{result.reason}"


def publish_resolution(ws: Workspace, resolution_id: int, on: date | None = None) -> ResolutionView:
    """决议公示: from `on` (default today) for the rule's publication days."""
    on = on or ws.now().date()
    with ws.write() as s:
        res = s.get(Resolution, resolution_id)
        if res is None:
            raise NotFound("找不到这项决议。", "resolution")
        if res.status not in CARRIED:
            raise DomainError("只有通过的决议才能公示。", "resolution")
        meeting = s.get(Meeting, res.meeting_id)
        rule = meeting_rules(ws)[meeting.type]
        res.published_at = datetime.combine(on, time(9), tzinfo=ws.tz)
        res.publication_until = publication_until(on, rule)
        s.add(res)
    return get_resolution(ws, resolution_id)


def publish_result(ws: Workspace, resolution_id: int) -> ResolutionView:
    """结果公示: once every action item of the resolution is done."""
    with ws.write() as s:
        res = s.get(Resolution, resolution_id)
        if res is None:
            raise NotFound("找不到这项决议。", "resolution")
        if res.done_at is None:
            raise DomainError("议定事项尚未全部办结，还不能公示实施结果。", "resolution")
        res.result_published_at = ws.now()
        s.add(res)
    return get_resolution(ws, resolution_id)


# ---------------------------------------------------------------- action items

def _as_due(ws: Workspace, due: date | datetime) -> datetime:
    if isinstance(due, datetime):
        return due.astimezone(ws.tz) if due.tzinfo else due.replace(tzinfo=ws.tz)
    return datetime.combine(due, END_OF_DAY, tzinfo=ws.tz)


def add_action_item(ws: Workspace, actor_id: int, resolution_id: int, title: str, *, unit: str | None = None,
                    owner_clerk_id: int | None = None, due: date | datetime | None = None) -> ActionView:
    """议定事项: an entry in the concern pipeline (YD-…), routed to its owner, due when the meeting said."""
    from grassroots_tui.services.concerns import ConcernDraft, log_concern

    title = check_text(title, "议定事项", "title", required=True, limit=200)
    if due is None:
        raise DomainError("请填写议定事项的完成期限。", "due")
    due_at = _as_due(ws, due)
    now = ws.now()
    if due_at <= now:
        raise DomainError("完成期限不能早于现在。", "due")
    unit_code = nfkc(unit).upper() if unit else None
    with ws.read() as s:
        res = s.get(Resolution, resolution_id)
        if res is None:
            raise NotFound("找不到这项决议。", "resolution")
        if res.status not in CARRIED:
            raise DomainError("决议尚未通过，不能分解议定事项。", "resolution")
        if res.done_at is not None:
            raise DomainError("这项决议的议定事项已全部办结。", "resolution")
        meeting = s.get(Meeting, res.meeting_id)
        if unit_code and s.get(Unit, unit_code) is None:
            raise DomainError(f"没有编码为“{unit_code}”的承办单位。", "unit")
        if owner_clerk_id is not None and s.get(Clerk, owner_clerk_id) is None:
            raise NotFound("找不到所选工作人员。", "owner")
        category = ACTION_CATEGORY
        if res.agenda_item_id:
            item = s.get(AgendaItem, res.agenda_item_id)
            if item and item.concern_id:
                category = s.get(Concern, item.concern_id).category_code
        if s.get(Category, category) is None:
            category = "9901"
        meeting_ref, meeting_topic, meeting_id = meeting.reference, meeting.topic, meeting.id
    with ws.write() as s:  # the YD entry, the action item and its routing: all or nothing
        view = log_concern(ws, actor_id, ConcernDraft(
            summary=title, category=category, channel=Channel.MEETING, nature=Nature.SUGGESTION,
            detail=f"{meeting_ref}（{meeting_topic}）决议 {res.position}：{res.text}",
            kind=ConcernKind.ACTION_ITEM, received_at=now), session=s)
        concern = load_concern(s, view.reference)
        concern.feedback_due = due_at
        concern.feedback_due_original = due_at
        concern.meeting_id = meeting_id
        s.add(concern)
        action = ActionItem(resolution_id=resolution_id, title=title, owner_clerk_id=owner_clerk_id,
                            owner_unit_code=unit_code, due_at=due_at, concern_id=concern.id)
        s.add(action)
        s.flush()
        s.refresh(concern)
        request = pipeline.Request(Action.DISPATCH if unit_code else Action.HANDLE, unit_code=unit_code,
                                   note=f"{meeting_ref} 决议 {res.position} 的议定事项")
        transition(s, ws, actor_id, concern, request, now, meeting_id=meeting_id)
        action_id = action.id
    return get_action_item(ws, action_id)


def get_action_item(ws: Workspace, action_id: int) -> ActionView:
    with ws.read() as s:
        a = s.get(ActionItem, action_id)
        if a is None:
            raise NotFound("找不到这项议定事项。", "action")
        return next(v for v in _action_views(s, ws, [a.resolution_id])[a.resolution_id] if v.id == action_id)


def action_item_id(ws: Workspace, reference: str) -> int:
    """The action item whose ledger entry is `YD-…`."""
    ref = normalise_reference(reference)
    with ws.read() as s:
        row = s.exec(select(ActionItem.id).join(Concern, Concern.id == ActionItem.concern_id)
                     .where(Concern.reference == ref)).first()
    if row is None:
        raise NotFound(f"找不到议定事项 {ref}。", "action")
    return int(row)


def complete_action_item(ws: Workspace, actor_id: int, action_id: int, note: str = "") -> list[str]:
    """议定事项办结: walk its pipeline entry to 已办结 (sign, report, confirm), then close the loop.

    Returns the references of concerns moved to 待回访 by this completion.
    """
    note = check_text(note, "办理情况", "note", limit=2000) or "议定事项已完成"
    with ws.write() as s:
        action = s.get(ActionItem, action_id)
        if action is None or action.concern_id is None:
            raise NotFound("找不到这项议定事项。", "action")
        concern = s.get(Concern, action.concern_id)
        if concern.status == Status.CLOSED.value:
            raise DomainError(f"议定事项 {concern.reference} 已经办结。", "action")
        steps = {
            Status.RECEIVED.value: pipeline.Request(Action.HANDLE, note=note),
            Status.DISPATCHED.value: pipeline.Request(Action.SIGN, note=note),
            Status.PARKED.value: pipeline.Request(Action.RESUME, note=note),
            Status.IN_PROGRESS.value: pipeline.Request(Action.REPORT, note=note),
            Status.AWAITING_FOLLOWUP.value: pipeline.Request(Action.CONFIRM, note=note),
        }
        moved: list[str] = []
        while concern.status != Status.CLOSED.value:
            request = steps.get(concern.status)
            if request is None:
                raise DomainError(f"议定事项 {concern.reference} 当前为“{Status(concern.status).label}”，"
                                  "不能直接办结。", "action")
            moved += transition(s, ws, actor_id, concern, request, None, meeting_id=concern.meeting_id).moved
        return moved


def close_the_loop(ws: Workspace, actor_id: int) -> list[str]:
    """Resolutions whose action items are all closed: move their concerns to 待回访.

    Runs after every completion made here; call it too when an action item was closed elsewhere
    (the ledger). Returns the references of the concerns moved.
    """
    with ws.write() as s:
        return close_finished_resolutions(s, ws, actor_id, ws.now())


def calendar_options(ws: Workspace, reminder_minutes: int | None = None) -> dict:
    """The keyword arguments of `io.ics.write_calendar` for this committee: settings.toml's `[ics]`
    `uid_domain` (default: derived from the committee's name, the same as long as the name is) and
    `reminder_minutes` (default 1440, one day before; 0 switches it off). `reminder_minutes` given
    here (the CLI's --remind) wins over the file."""
    from grassroots_tui.io.ics import DEFAULT_REMINDER_MINUTES, default_uid_domain

    table = ws.settings.general.get("ics", {}) or {}
    domain = nfkc(str(table.get("uid_domain", "") or "")).strip() or default_uid_domain(ws.settings.committee_name)
    if any(c.isspace() or c in "@<>" for c in domain):
        raise DomainError(f"settings.toml 的 [ics] uid_domain “{domain}”不能含空格、@ 或尖括号。", "uid_domain")
    minutes = table.get("reminder_minutes", DEFAULT_REMINDER_MINUTES) if reminder_minutes is None else reminder_minutes
    if isinstance(minutes, bool) or not isinstance(minutes, int) or not 0 <= minutes <= 30 * 24 * 60:
        raise DomainError(f"日历提醒应为 0 到 43200 之间的分钟数（0 表示不提醒），而不是“{minutes}”。", "reminder")
    return {"committee": ws.settings.committee_name, "tz": ws.tz, "now": ws.now(), "uid_domain": domain,
            "reminder_minutes": minutes}


def meeting_reference_of_resolution(ws: Workspace, resolution_id: int) -> str:
    with ws.read() as s:
        res = s.get(Resolution, resolution_id)
        if res is None:
            raise NotFound("找不到这项决议。", "resolution")
        return s.get(Meeting, res.meeting_id).reference


def as_json(value: MeetingSummary) -> dict:
    """The CLI's JSON: at least reference, type, topic, start, end (ISO 8601 with offset)."""
    data = {"reference": value.reference, "type": value.type, "type_label": value.type_label, "topic": value.topic,
            "start": value.start_at.isoformat(timespec="seconds"), "end": value.end_at.isoformat(timespec="seconds"),
            "minutes": value.minutes, "place": value.place, "chair": value.chair, "minute_taker": value.minute_taker,
            "notice_date": value.notice_date.isoformat() if value.notice_date else None, "status": value.status,
            "status_label": value.status_label, "invited": value.invited, "entitled": value.entitled,
            "present": value.present, "agenda_count": value.agenda_count, "version": value.version,
            "updated_at": value.updated_at.isoformat(timespec="seconds") if value.updated_at else None}
    return data


__all__ = [
    "MeetingDraft", "MeetingSummary", "MeetingDetail", "ParticipantView", "AgendaView", "ResolutionView",
    "VoteView", "ActionView", "Scheduled", "schedule_meeting", "check_meeting", "list_meetings", "upcoming_meetings",
    "get_meeting", "count_meetings", "add_participant", "remove_participant", "set_present", "add_agenda_concern",
    "add_agenda_concerns", "add_agenda_item",
    "record_minutes", "add_resolution", "record_vote", "preview_vote", "add_action_item", "complete_action_item",
    "close_the_loop", "publish_resolution", "publish_result", "meeting_rules", "rule_for", "update_status", "as_json",
    "reschedule_meeting", "void_vote", "void_resolution", "carry_out_resolution", "MeetingEventView",
    "calendar_options",
]
