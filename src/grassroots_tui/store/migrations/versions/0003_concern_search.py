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

# PostgreSQL: the same queue, the same trigger names (the search over `concern_search_doc` is the
# engine's own; SQLite's FTS5 table does not exist there).
_QUEUE_COLUMNS = "reference, summary, detail, resident_id, estate, building, unit_no, room, location_text"
PG_QUEUE = (
    """CREATE OR REPLACE FUNCTION grassroots_queue_concern() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE' THEN
            INSERT INTO concern_search_dirty(concern_id) VALUES (OLD.id) ON CONFLICT DO NOTHING;
            RETURN OLD;
        END IF;
        INSERT INTO concern_search_dirty(concern_id) VALUES (NEW.id) ON CONFLICT DO NOTHING;
        RETURN NEW;
    END $$""",
    """CREATE OR REPLACE FUNCTION grassroots_queue_resident() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO concern_search_dirty(concern_id) SELECT id FROM concern WHERE resident_id = NEW.id
            ON CONFLICT DO NOTHING;
        RETURN NEW;
    END $$""",
    "CREATE TRIGGER concern_search_on_insert AFTER INSERT ON concern FOR EACH ROW "
    "EXECUTE FUNCTION grassroots_queue_concern()",
    f"CREATE TRIGGER concern_search_on_update AFTER UPDATE OF {_QUEUE_COLUMNS} ON concern FOR EACH ROW "
    "EXECUTE FUNCTION grassroots_queue_concern()",
    "CREATE TRIGGER concern_search_on_delete AFTER DELETE ON concern FOR EACH ROW "
    "EXECUTE FUNCTION grassroots_queue_concern()",
    "CREATE TRIGGER concern_search_on_resident AFTER UPDATE OF name ON resident FOR EACH ROW "
    "EXECUTE FUNCTION grassroots_queue_resident()",
)


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
    if op.get_bind().dialect.name == "postgresql":
        for statement in PG_QUEUE:
            op.execute(statement)
    else:
        op.execute(
            "CREATE VIRTUAL TABLE concern_search USING fts5(body, content='concern_search_doc', "
            "content_rowid='concern_id', columnsize=0, tokenize='unicode61')"
        )
        for name, body in TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {body}")
    op.execute("INSERT INTO concern_search_dirty(concern_id) SELECT id FROM concern")


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for name in TRIGGERS:
        table = "resident" if name.endswith("resident") else "concern"
        op.execute(f"DROP TRIGGER IF EXISTS {name}" + (f" ON {table}" if postgres else ""))
    if postgres:
        op.execute("DROP FUNCTION IF EXISTS grassroots_queue_concern()")
        op.execute("DROP FUNCTION IF EXISTS grassroots_queue_resident()")
    else:
        op.execute("DROP TABLE IF EXISTS concern_search")
    op.drop_table("concern_search_dirty")
    op.drop_table("concern_search_doc")
