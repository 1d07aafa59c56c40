"""PostgreSQL: a trigram index over the search text, where the server has pg_trgm

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02

The search is `body LIKE '%term%'` over the normalised text (store/search_index.hits): exact for
any length. A GIN trigram index lets the server answer terms of three characters or more from
the index (shorter ones are still exact, by a scan). pg_trgm ships with PostgreSQL and is a
trusted extension since PostgreSQL 13, so a database owner may create it; where it cannot be
created the index is left out and the search stays right, only slower. SQLite has its own index.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name != "postgresql":
        return
    savepoint = conn.begin_nested()
    try:
        conn.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
        conn.execute(sa.text("CREATE INDEX IF NOT EXISTS ix_concern_search_doc_trgm ON concern_search_doc "
                             "USING gin (body gin_trgm_ops)"))
        savepoint.commit()
    except sa.exc.DBAPIError:
        savepoint.rollback()  # no pg_trgm here, or no right to create it: the search works without


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_concern_search_doc_trgm")
