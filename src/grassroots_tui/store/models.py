"""The tables. Codes (category, unit, grid, states) are stored as their stable code strings."""

from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from sqlalchemy import Column, Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from grassroots_tui.store.types import UTCDateTime


def dt_field(*, nullable: bool = True, index: bool = False) -> Field:  # type: ignore[valid-type]
    return Field(default=None, sa_column=Column(UTCDateTime(), nullable=nullable, index=index))


class Setting(SQLModel, table=True):
    __tablename__ = "setting"
    key: str = Field(primary_key=True)
    value: str = ""


class Counter(SQLModel, table=True):
    """Last number handed out per series (e.g. `SQ-2026`): references are never reused."""

    __tablename__ = "counter"
    name: str = Field(primary_key=True)
    last: int = 0


class Clerk(SQLModel, table=True):
    __tablename__ = "clerk"
    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(unique=True)
    role: str = "工作人员"
    active: bool = True


class Grid(SQLModel, table=True):
    __tablename__ = "grid"
    code: str = Field(primary_key=True)
    name: str
    worker_clerk_id: Optional[int] = Field(default=None, foreign_key="clerk.id")


class Unit(SQLModel, table=True):
    """承办单位 handling unit."""

    __tablename__ = "unit"
    code: str = Field(primary_key=True)
    name: str = Field(unique=True)
    kind: str = "committee"
    contact: str = ""
    active: bool = True


class Category(SQLModel, table=True):
    __tablename__ = "category"
    code: str = Field(primary_key=True)
    name: str
    parent_code: Optional[str] = Field(default=None, foreign_key="category.code", index=True)
    urgency: Optional[str] = None
    unit_code: Optional[str] = Field(default=None, foreign_key="unit.code")
    initials: str = ""
    active: bool = True


class Household(SQLModel, table=True):
    __tablename__ = "household"
    id: Optional[int] = Field(default=None, primary_key=True)
    estate: str = ""
    building: str = ""
    unit_no: str = ""
    room: str = ""
    note: str = ""


class Resident(SQLModel, table=True):
    __tablename__ = "resident"
    __table_args__ = (Index("ix_resident_address", "building", "unit_no", "room"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(index=True)
    name_pinyin: str = Field(default="", index=True)
    name_initials: str = Field(default="", index=True)
    sort_key: str = Field(default="", index=True)
    sex: str = ""
    birth_date: Optional[date] = None
    id_type: str = "id_card"
    id_number: Optional[str] = Field(default=None, unique=True)
    phone: str = ""
    phone_tail: str = Field(default="", index=True)
    estate: str = ""
    building: str = ""
    unit_no: str = ""
    room: str = ""
    grid_code: Optional[str] = Field(default=None, foreign_key="grid.code", index=True)
    household_id: Optional[int] = Field(default=None, foreign_key="household.id", index=True)
    relation_to_head: str = ""
    residence_type: str = ""
    tenure: str = ""
    notes: str = ""
    next_visit_due: Optional[date] = None
    created_at: Optional[datetime] = dt_field(nullable=False)
    updated_at: Optional[datetime] = dt_field(nullable=False)
    version: int = 1


class ResidentTag(SQLModel, table=True):
    __tablename__ = "resident_tag"
    resident_id: int = Field(foreign_key="resident.id", primary_key=True)
    tag: str = Field(primary_key=True, index=True)


class Meeting(SQLModel, table=True):
    __tablename__ = "meeting"
    id: Optional[int] = Field(default=None, primary_key=True)
    reference: str = Field(unique=True)
    type: str
    topic: str
    start_at: Optional[datetime] = dt_field(nullable=False, index=True)
    end_at: Optional[datetime] = dt_field(nullable=False)
    place: str = ""
    chair: str = ""
    minute_taker: str = ""
    notice_date: Optional[date] = None
    status: str = "planned"  # planned · held · cancelled
    notes: str = ""
    created_by: Optional[int] = Field(default=None, foreign_key="clerk.id")
    created_at: Optional[datetime] = dt_field(nullable=False)
    updated_at: Optional[datetime] = dt_field()  # the calendar's LAST-MODIFIED (None: created_at)
    version: int = 1


class MeetingParticipant(SQLModel, table=True):
    __tablename__ = "meeting_participant"
    id: Optional[int] = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    resident_id: Optional[int] = Field(default=None, foreign_key="resident.id")
    name: str
    organisation: str = ""
    role: str = "member"  # member · resident · unit_rep · observer (列席)
    voting: bool = True
    present: bool = False
    checked_in_at: Optional[datetime] = dt_field()


class Concern(SQLModel, table=True):
    """诉求 — and action items of resolutions, which run in the same pipeline (kind)."""

    __tablename__ = "concern"
    __table_args__ = (
        Index("ix_concern_status_due", "status", "due_at", "warn_at"),
        Index("ix_concern_received", "received_at"),
        # Dashboard figures (migrations 0004, 0005: covering indexes).
        Index("ix_concern_status_closed", "status", "kind", "closed_at"),
        Index("ix_concern_kind_received", "kind", "received_at"),
        Index("ix_concern_problem", "status", sqlite_where=text("rework_count >= 3 OR return_count >= 3")),
    )
    id: Optional[int] = Field(default=None, primary_key=True)
    reference: str = Field(unique=True)
    kind: str = "concern"
    resident_id: Optional[int] = Field(default=None, foreign_key="resident.id", index=True)
    channel: str = "walk_in"
    nature: str = "help"
    category_code: str = Field(foreign_key="category.code", index=True)
    summary: str
    detail: str = ""
    estate: str = ""
    building: str = ""
    unit_no: str = ""
    room: str = ""
    location_text: str = ""
    grid_code: Optional[str] = Field(default=None, foreign_key="grid.code", index=True)
    urgency: str = "ordinary"
    unit_code: Optional[str] = Field(default=None, foreign_key="unit.code", index=True)
    supervision: str = "none"
    status: str = Field(default="received", index=True)
    received_at: Optional[datetime] = dt_field(nullable=False)
    dispatch_due: Optional[datetime] = dt_field(nullable=False)
    feedback_due: Optional[datetime] = dt_field(nullable=False)
    feedback_due_original: Optional[datetime] = dt_field(nullable=False)
    # The clock running in the current state (derived, kept for indexed queries).
    due_at: Optional[datetime] = dt_field(index=True)
    warn_at: Optional[datetime] = dt_field()
    first_routed_at: Optional[datetime] = dt_field()
    first_reported_at: Optional[datetime] = dt_field()
    closed_at: Optional[datetime] = dt_field()
    rework_count: int = 0
    return_count: int = 0
    extension_count: int = 0
    followup_count: int = 0
    repeat_of_id: Optional[int] = Field(default=None, foreign_key="concern.id")
    merged_into_id: Optional[int] = Field(default=None, foreign_key="concern.id")
    excluded: bool = False
    excluded_reason: str = ""
    followup_contacted: Optional[bool] = None
    followup_outcome: Optional[str] = None
    followup_satisfaction: Optional[str] = None
    followup_note: str = ""
    followup_at: Optional[datetime] = dt_field()
    meeting_id: Optional[int] = Field(default=None, foreign_key="meeting.id")
    created_by: Optional[int] = Field(default=None, foreign_key="clerk.id")
    updated_at: Optional[datetime] = dt_field(nullable=False)
    version: int = 1


class ConcernEvent(SQLModel, table=True):
    """Append-only history of a concern (triggers refuse UPDATE and DELETE)."""

    __tablename__ = "concern_event"
    id: Optional[int] = Field(default=None, primary_key=True)
    concern_id: int = Field(foreign_key="concern.id", index=True)
    action: str
    actor_id: Optional[int] = Field(default=None, foreign_key="clerk.id")
    at: Optional[datetime] = dt_field(nullable=False)
    from_status: Optional[str] = None
    to_status: str
    note: str = ""
    unit_code: Optional[str] = None
    deadline_before: Optional[datetime] = dt_field()
    deadline_after: Optional[datetime] = dt_field()
    meeting_id: Optional[int] = Field(default=None, foreign_key="meeting.id")
    data: str = ""  # JSON: outcome, satisfaction, supervision, merge target...


class AgendaItem(SQLModel, table=True):
    __tablename__ = "agenda_item"
    id: Optional[int] = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    position: int = 1
    title: str
    source: str = "concern"  # concern · proposal · grid · assignment
    concern_id: Optional[int] = Field(default=None, foreign_key="concern.id", index=True)
    proposer: str = ""
    minutes: str = ""
    version: int = 1


class Resolution(SQLModel, table=True):
    __tablename__ = "resolution"
    id: Optional[int] = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    agenda_item_id: Optional[int] = Field(default=None, foreign_key="agenda_item.id")
    position: int = 1
    text: str
    status: str = "draft"  # draft · passed · failed · no_quorum · consensus
    published_at: Optional[datetime] = dt_field()
    publication_until: Optional[date] = None
    result_published_at: Optional[datetime] = dt_field()
    done_at: Optional[datetime] = dt_field()
    version: int = 1
    voided_at: Optional[datetime] = dt_field()  # recorded in error: kept, shown as 已作废, not counted
    voided_by: Optional[int] = Field(default=None, foreign_key="clerk.id")
    void_reason: str = ""


class Vote(SQLModel, table=True):
    __tablename__ = "vote"
    id: Optional[int] = Field(default=None, primary_key=True)
    resolution_id: int = Field(foreign_key="resolution.id", index=True)
    method: str = "hands"  # hands · secret · voice
    votes_for: int = 0
    votes_against: int = 0
    votes_abstain: int = 0
    present_count: int = 0
    entitled_count: int = 0
    outcome: str = ""  # passed · failed · no_quorum
    recorded_at: Optional[datetime] = dt_field(nullable=False)
    recorded_by: Optional[int] = Field(default=None, foreign_key="clerk.id")
    voided_at: Optional[datetime] = dt_field()  # recorded in error: kept, shown as 已作废, not counted
    voided_by: Optional[int] = Field(default=None, foreign_key="clerk.id")
    void_reason: str = ""


class MeetingEvent(SQLModel, table=True):
    """Append-only history of a meeting (triggers refuse UPDATE and DELETE): voids, carried out,
    rescheduled, cancelled."""

    __tablename__ = "meeting_event"
    id: Optional[int] = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    resolution_id: Optional[int] = Field(default=None, foreign_key="resolution.id")
    vote_id: Optional[int] = Field(default=None, foreign_key="vote.id")
    action: str
    actor_id: Optional[int] = Field(default=None, foreign_key="clerk.id")
    at: Optional[datetime] = dt_field(nullable=False)
    note: str = ""
    data: str = ""  # JSON: what changed (old and new time, place...)


class ActionItem(SQLModel, table=True):
    """议定事项: a resolution's task; `concern_id` is its entry in the pipeline."""

    __tablename__ = "action_item"
    id: Optional[int] = Field(default=None, primary_key=True)
    resolution_id: int = Field(foreign_key="resolution.id", index=True)
    title: str
    owner_clerk_id: Optional[int] = Field(default=None, foreign_key="clerk.id")
    owner_unit_code: Optional[str] = Field(default=None, foreign_key="unit.code")
    due_at: Optional[datetime] = dt_field()
    concern_id: Optional[int] = Field(default=None, foreign_key="concern.id", unique=True)


class AuditLog(SQLModel, table=True):
    """Who looked at or changed sensitive data (PIPL): reveals, exports, imports."""

    __tablename__ = "audit_log"
    id: Optional[int] = Field(default=None, primary_key=True)
    at: Optional[datetime] = dt_field(nullable=False, index=True)
    actor_id: Optional[int] = Field(default=None, foreign_key="clerk.id")
    action: str
    target: str = ""
    detail: str = ""


class ConcernSearchDoc(SQLModel, table=True):
    """What the ledger's free-text search looks in, one row a concern (services/ledger.py).

    `body` holds one token a character (ASCII letters and digits as themselves, any
    other character as `x` + hex code) so the FTS5 index `concern_search` finds
    substrings of any length, one character included, by phrase queries.
    """

    __tablename__ = "concern_search_doc"
    concern_id: Optional[int] = Field(default=None, primary_key=True)
    body: str = ""


class ConcernSearchDirty(SQLModel, table=True):
    """Concerns whose search text must be rebuilt; filled by triggers on concern and resident."""

    __tablename__ = "concern_search_dirty"
    concern_id: Optional[int] = Field(default=None, primary_key=True)


# The FTS5 index over concern_search_doc (CREATE VIRTUAL TABLE in migration 0003) and the
# shadow tables SQLite keeps for it. Declared only so schema comparison knows them; nothing
# creates them from this metadata.
def _declare_fts_tables() -> None:
    from sqlalchemy import Integer, LargeBinary, Table
    from sqlalchemy.types import NullType

    md = SQLModel.metadata
    Table("concern_search", md, Column("body", NullType()), info={"fts5": True})
    Table("concern_search_data", md, Column("id", Integer, primary_key=True, nullable=True), Column("block", LargeBinary))
    Table("concern_search_idx", md, Column("segid", NullType(), primary_key=True),
          Column("term", NullType(), primary_key=True), Column("pgno", NullType()))
    Table("concern_search_config", md, Column("k", NullType(), primary_key=True), Column("v", NullType()))


_declare_fts_tables()


__all__ = [name for name in dir() if name[0].isupper()] + ["UniqueConstraint"]
