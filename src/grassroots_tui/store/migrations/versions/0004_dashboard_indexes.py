"""indexes for the dashboard's figures: closures and intake of a month, problem cases

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_concern_status_closed", "concern", ["status", "closed_at"])
    op.create_index("ix_concern_kind_received", "concern", ["kind", "received_at"])
    op.create_index("ix_concern_problem", "concern", ["status"],
                    sqlite_where=sa.text("rework_count >= 3 OR return_count >= 3"),
                    postgresql_where=sa.text("rework_count >= 3 OR return_count >= 3"))


def downgrade() -> None:
    op.drop_index("ix_concern_problem", table_name="concern")
    op.drop_index("ix_concern_kind_received", table_name="concern")
    op.drop_index("ix_concern_status_closed", table_name="concern")
