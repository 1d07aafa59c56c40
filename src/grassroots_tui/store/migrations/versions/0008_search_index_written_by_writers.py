"""search index written by the writers: reads never write

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02

Until 0007 the ledger rewrote queued concerns' search text on the first search (a write, which
waited behind any other clerk's transaction). From 0008 every write transaction rewrites the
text of the concerns it queued before it commits (store/search_index.py), so a search only
reads. This migration brings the whole index up to date once, so that an upgraded database
starts with an empty queue.
"""
from __future__ import annotations

from alembic import op

from grassroots_tui.store.search_index import rebuild

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":  # the FTS5 index is SQLite's
        rebuild(op.get_bind())


def downgrade() -> None:
    pass  # 0007 reads the same index; nothing to undo
