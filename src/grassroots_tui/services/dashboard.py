"""The figures and short lists on the clerk's dashboard (工作台)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from sqlalchemy import func
from sqlmodel import select

from grassroots_tui.domain.calendar import schedule_notice
from grassroots_tui.domain.codes import RUNNING_STATUSES, MeetingType, Status, Urgency
from grassroots_tui.domain.deadlines import compute_deadlines
from grassroots_tui.domain.privacy import mask_phone
from grassroots_tui.services.workspace import Workspace
from grassroots_tui.store.models import Category, Concern, Meeting, Resident, Unit

RUNNING = tuple(s.value for s in RUNNING_STATUSES)
# Every state with a clock: handling, the follow-up limit (回访时限), a parked concern's next review.
CLOCKED = RUNNING + (Status.PARKED.value, Status.AWAITING_FOLLOWUP.value)
#: What a row's deadline is for, where it is not the handling limit.
CLOCK_LABEL = {Status.AWAITING_FOLLOWUP.value: "待回访", Status.PARKED.value: "待复核"}


@dataclass(frozen=True)
class DeadlineRow:
    reference: str
    summary: str
    category_name: str
    status_label: str
    unit_name: str
    resident: str
    due_at: datetime


@dataclass(frozen=True)
class MeetingRow:
    reference: str
    type_label: str
    topic: str
    start_at: datetime
    end_at: datetime
    place: str


@dataclass
class Dashboard:
    today: datetime
    month_label: str
    intake_this_month: int
    closed_this_month: int
    open_total: int
    overdue_count: int
    due_soon_count: int
    awaiting_followup: int
    parked: int
    problem_cases: int
    followup_overdue: int = 0  # awaiting follow-up past the 回访时限
    review_due: int = 0  # parked concerns whose next review date has come
    meetings_today: list[MeetingRow] = field(default_factory=list)
    overdue: list[DeadlineRow] = field(default_factory=list)
    due_soon: list[DeadlineRow] = field(default_factory=list)
    #: "2027年放假调休安排尚未载入，…" while a deadline on the board, or one a concern received
    #: today would get, falls in a year whose schedule is not known; else None.
    calendar_notice: str | None = None


def month_bounds(now: datetime) -> tuple[datetime, datetime]:
    start = datetime.combine(now.date().replace(day=1), time(0), tzinfo=now.tzinfo)
    nxt = (start + timedelta(days=32)).replace(day=1)
    return start, nxt


def load_dashboard(ws: Workspace, list_limit: int = 8) -> Dashboard:
    """Every figure comes from an indexed query; safe to call from a worker thread."""
    now = ws.now()
    m_start, m_end = month_bounds(now)
    d_start = datetime.combine(now.date(), time(0), tzinfo=now.tzinfo)
    d_end = d_start + timedelta(days=1)
    with ws.read() as s:
        def count(*where) -> int:  # noqa: ANN002
            return int(s.exec(select(func.count()).select_from(Concern).where(*where)).one())

        is_concern = Concern.kind == "concern"
        intake = count(is_concern, Concern.received_at >= m_start, Concern.received_at < m_end)
        closed = count(is_concern, Concern.status == Status.CLOSED.value, Concern.closed_at >= m_start,
                       Concern.closed_at < m_end)
        open_total = count(Concern.status.in_(RUNNING + (Status.PARKED.value, Status.AWAITING_FOLLOWUP.value)))
        overdue_n = count(Concern.status.in_(CLOCKED), Concern.due_at < now)
        soon_n = count(Concern.status.in_(CLOCKED), Concern.warn_at <= now, Concern.due_at >= now)
        followup_late = count(Concern.status == Status.AWAITING_FOLLOWUP.value, Concern.due_at < now)
        review_due = count(Concern.status == Status.PARKED.value, Concern.due_at < d_end)
        awaiting = count(Concern.status == Status.AWAITING_FOLLOWUP.value)
        parked = count(Concern.status == Status.PARKED.value)
        problems = count(Concern.status.in_(RUNNING + (Status.PARKED.value, Status.AWAITING_FOLLOWUP.value)),
                         (Concern.rework_count >= 3) | (Concern.return_count >= 3))

        def rows(*where) -> list[DeadlineRow]:  # noqa: ANN002
            q = (select(Concern, Category.name, Unit.name, Resident.name, Resident.phone)
                 .join(Category, Category.code == Concern.category_code)
                 .join(Unit, Unit.code == Concern.unit_code, isouter=True)
                 .join(Resident, Resident.id == Concern.resident_id, isouter=True)
                 .where(Concern.status.in_(CLOCKED), *where).order_by(Concern.due_at).limit(list_limit))
            out = []
            for c, cat, unit, rname, rphone in s.exec(q).all():
                who = f"{rname} {mask_phone(rphone)}".strip() if rname else "匿名"
                label = CLOCK_LABEL.get(c.status) or Status(c.status).label
                out.append(DeadlineRow(c.reference, c.summary, cat, label, unit or "",
                                       who, ws.local(c.due_at)))
            return out

        overdue = rows(Concern.due_at < now)
        due_soon = rows(Concern.warn_at <= now, Concern.due_at >= now)
        meetings = [
            MeetingRow(m.reference, MeetingType(m.type).label, m.topic, ws.local(m.start_at), ws.local(m.end_at),
                       m.place)
            for m in s.exec(select(Meeting).where(Meeting.start_at >= d_start, Meeting.start_at < d_end,
                                                  Meeting.status != "cancelled").order_by(Meeting.start_at)).all()
        ]
        latest = s.exec(select(func.max(Concern.due_at)).where(Concern.status.in_(RUNNING))).one()
    days = [now.date()] + ([ws.local(latest).date()] if latest is not None else [])
    days += [compute_deadlines(now, u, ws.settings.sla, ws.settings.calendar).feedback_due.date() for u in Urgency]
    return Dashboard(now, f"{now.year}年{now.month}月", intake, closed, open_total, overdue_n, soon_n, awaiting,
                     parked, problems, followup_late, review_due, meetings, overdue, due_soon,
                     schedule_notice(ws.settings.calendar, days))
