"""version columns on agenda items and resolutions: two clerks editing the same minutes or vote

The second save is refused instead of silently replacing the first (as concerns, meetings and
residents already are).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("agenda_item") as batch:
        batch.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
    with op.batch_alter_table("resolution") as batch:
        batch.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))


def downgrade() -> None:
    with op.batch_alter_table("resolution") as batch:
        batch.drop_column("version")
    with op.batch_alter_table("agenda_item") as batch:
        batch.drop_column("version")
