"""meeting history: voided votes and resolutions, a change time for calendars, an append-only event log

A vote or resolution recorded in error is voided with a reason, never deleted (`voided_at`,
`voided_by`, `void_reason`); `meeting.updated_at` is the calendar's LAST-MODIFIED;
`meeting_event` keeps what was done to a meeting (void, carried out, rescheduled, cancelled),
and triggers refuse to change or delete its rows, as for `concern_event`.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import grassroots_tui.store.types
from grassroots_tui.store.ddl import append_only, drop_append_only

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def _void_columns(batch) -> None:  # noqa: ANN001
    batch.add_column(sa.Column("voided_at", grassroots_tui.store.types.UTCDateTime(), nullable=True))
    batch.add_column(sa.Column("voided_by", sa.Integer(), nullable=True))
    batch.add_column(sa.Column("void_reason", sa.String(), nullable=False, server_default=""))


def upgrade() -> None:
    with op.batch_alter_table("meeting") as batch:
        batch.add_column(sa.Column("updated_at", grassroots_tui.store.types.UTCDateTime(), nullable=True))
    with op.batch_alter_table("vote") as batch:
        _void_columns(batch)
        batch.create_foreign_key("fk_vote_voided_by_clerk", "clerk", ["voided_by"], ["id"])
    with op.batch_alter_table("resolution") as batch:
        _void_columns(batch)
        batch.create_foreign_key("fk_resolution_voided_by_clerk", "clerk", ["voided_by"], ["id"])
    op.create_table(
        "meeting_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("resolution_id", sa.Integer(), nullable=True),
        sa.Column("vote_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("at", grassroots_tui.store.types.UTCDateTime(), nullable=False),
        sa.Column("note", sa.String(), nullable=False),
        sa.Column("data", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(["meeting_id"], ["meeting.id"]),
        sa.ForeignKeyConstraint(["resolution_id"], ["resolution.id"]),
        sa.ForeignKeyConstraint(["vote_id"], ["vote.id"]),
        sa.ForeignKeyConstraint(["actor_id"], ["clerk.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("meeting_event") as batch:
        batch.create_index(batch.f("ix_meeting_event_meeting_id"), ["meeting_id"], unique=False)
    append_only("meeting_event")


def downgrade() -> None:
    drop_append_only("meeting_event")
    with op.batch_alter_table("meeting_event") as batch:
        batch.drop_index(batch.f("ix_meeting_event_meeting_id"))
    op.drop_table("meeting_event")
    for table in ("resolution", "vote"):
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(f"fk_{table}_voided_by_clerk", type_="foreignkey")
            batch.drop_column("void_reason")
            batch.drop_column("voided_by")
            batch.drop_column("voided_at")
    with op.batch_alter_table("meeting") as batch:
        batch.drop_column("updated_at")
