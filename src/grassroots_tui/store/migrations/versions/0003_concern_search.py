"""concern search: an FTS5 index of one token a character, kept fresh through a dirty queue

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30

`concern_search_doc` holds the searchable text of each concern (reference, summary,
detail, resident name, address) encoded one token a character; `concern_search` is an
external-content FTS5 index over it. Triggers on `concern` and `resident` put changed
concerns into `concern_search_dirty`; the ledger service (services/ledger.py) rebuilds
their text before it searches, so every writer (CLI, imports, other screens) is covered
without knowing about the index. Existing concerns start dirty.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TRIGGERS = {
    "concern_search_on_insert": "AFTER INSERT ON concern BEGIN "
    "INSERT OR IGNORE INTO concern_search_dirty(concern_id) VALUES (new.id); END",
    "concern_search_on_update": "AFTER UPDATE OF reference, summary, detail, resident_id, estate, building, "
    "unit_no, room, location_text ON concern BEGIN "
    "INSERT OR IGNORE INTO concern_search_dirty(concern_id) VALUES (new.id); END",
    "concern_search_on_delete": "AFTER DELETE ON concern BEGIN "
    "INSERT OR IGNORE INTO concern_search_dirty(concern_id) VALUES (old.id); END",
    "concern_search_on_resident": "AFTER UPDATE OF name ON resident BEGIN "
    "INSERT OR IGNORE INTO concern_search_dirty(concern_id) SELECT id FROM concern WHERE resident_id = new.id; END",
}


def upgrade() -> None:
    op.create_table(
        "concern_search_doc",
        sa.Column("concern_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("concern_id"),
    )
    op.create_table(
        "concern_search_dirty",
        sa.Column("concern_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("concern_id"),
    )
    op.execute(
        "CREATE VIRTUAL TABLE concern_search USING fts5(body, content='concern_search_doc', "
        "content_rowid='concern_id', columnsize=0, tokenize='unicode61')"
    )
    for name, body in TRIGGERS.items():
        op.execute(f"CREATE TRIGGER {name} {body}")
    op.execute("INSERT INTO concern_search_dirty(concern_id) SELECT id FROM concern")


def downgrade() -> None:
    for name in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute("DROP TABLE IF EXISTS concern_search")
    op.drop_table("concern_search_dirty")
    op.drop_table("concern_search_doc")
