"""Small reads and writes of a meeting's rows shared by the meetings use cases and the
transition path (上会 writes an agenda item): finding a meeting, refusing a cancelled one,
numbering its items, and marking a change the calendar shows."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, select

from grassroots_tui.domain.errors import DomainError, NotFound
from grassroots_tui.domain.reference import normalise_reference
from grassroots_tui.store.models import Meeting


def find_meeting(session: Session, reference: str, *, for_update: bool = False) -> Meeting:
    """The meeting named `reference`; `for_update` locks its row (see transitions.load_concern)."""
    ref = normalise_reference(reference or "")
    q = select(Meeting).where(Meeting.reference == ref)
    meeting = session.exec(q.with_for_update() if for_update else q).first()
    if meeting is None:
        raise NotFound(f"找不到会议 {ref or reference}。", "meeting")
    return meeting


def check_editable(meeting: Meeting) -> None:
    if meeting.status == "cancelled":
        raise DomainError(f"会议 {meeting.reference} 已取消。", "meeting")


def next_position(session: Session, model, meeting_id: int) -> int:  # noqa: ANN001
    last = session.exec(select(func.max(model.position)).where(model.meeting_id == meeting_id)).one()
    return int(last or 0) + 1


def touch(meeting: Meeting, now: datetime) -> None:
    """A change the calendar shows: SEQUENCE (version) and LAST-MODIFIED (updated_at) both go up,
    LAST-MODIFIED by at least a second (iCalendar's precision) even when the clock stands still."""
    last = meeting.updated_at or meeting.created_at
    stamp = now.replace(microsecond=0)
    if last is not None and stamp <= last:
        stamp = last.replace(microsecond=0) + timedelta(seconds=1)
    meeting.updated_at = stamp
    meeting.version += 1
