"""concern events are append-only: triggers refuse UPDATE and DELETE

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30
"""
from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        CREATE TRIGGER concern_event_no_update BEFORE UPDATE ON concern_event
        BEGIN SELECT RAISE(ABORT, 'concern_event is append-only'); END
        """
    )
    op.execute(
        """
        CREATE TRIGGER concern_event_no_delete BEFORE DELETE ON concern_event
        BEGIN SELECT RAISE(ABORT, 'concern_event is append-only'); END
        """
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS concern_event_no_update")
    op.execute("DROP TRIGGER IF EXISTS concern_event_no_delete")
