"""residents' pinyin sort keys without NUL; PostgreSQL compares lookup columns by code point

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02

The sort key (`zhang1 san1 feng1` + separator + `张三丰`) used NUL as its separator, which
PostgreSQL's text cannot hold; it is now U+0001 (domain/pinyin.py), and every stored key is
rebuilt. On PostgreSQL the columns the type-ahead lookup reads as index ranges (prefix up to
U+10FFFF) use the "C" collation, so their order is the code point order SQLite uses.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

RANGE_COLUMNS = ("name", "name_pinyin", "name_initials", "sort_key", "phone_tail", "building", "unit_no", "room")


def upgrade() -> None:
    from grassroots_tui.domain.pinyin import sort_key

    conn = op.get_bind()
    if conn.dialect.name == "postgresql":
        # The search queue's trigger names `name` (0003): set aside while the column changes.
        op.execute("DROP TRIGGER IF EXISTS concern_search_on_resident ON resident")
        for column in RANGE_COLUMNS:
            op.execute(f'ALTER TABLE resident ALTER COLUMN {column} TYPE varchar COLLATE "C"')
        op.execute("CREATE TRIGGER concern_search_on_resident AFTER UPDATE OF name ON resident FOR EACH ROW "
                   "EXECUTE FUNCTION grassroots_queue_resident()")
    last = 0
    while True:
        rows = conn.execute(sa.text("SELECT id, name FROM resident WHERE id > :last ORDER BY id LIMIT 5000"),
                            {"last": last}).all()
        if not rows:
            break
        conn.execute(sa.text("UPDATE resident SET sort_key = :k WHERE id = :i"),
                     [{"k": sort_key(name), "i": rid} for rid, name in rows])
        last = rows[-1][0]


def downgrade() -> None:
    pass  # the old separator is not written back; the keys sort the same
