"""concern events are append-only: triggers refuse UPDATE and DELETE

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30
"""
from __future__ import annotations

from grassroots_tui.store.ddl import append_only, drop_append_only

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    append_only("concern_event")


def downgrade() -> None:
    drop_append_only("concern_event")
