"""DDL that differs between SQLite and PostgreSQL, for the migrations (one Alembic history for both).

Append-only tables (the concern and meeting event logs, the audit log) refuse UPDATE and DELETE
with a trigger on either engine; the trigger names are the same on both, so a check can look for
them by name.
"""

from __future__ import annotations

from alembic import op

PG_APPEND_ONLY_FUNCTION = """
CREATE OR REPLACE FUNCTION grassroots_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'restrict_violation';
END
$$
"""


def dialect() -> str:
    return op.get_bind().dialect.name


def append_only(table: str) -> None:
    """Triggers `{table}_no_update` and `{table}_no_delete` that refuse changing or removing a row."""
    if dialect() == "postgresql":
        op.execute(PG_APPEND_ONLY_FUNCTION)
        for verb, name in (("UPDATE", "no_update"), ("DELETE", "no_delete")):
            op.execute(f"CREATE TRIGGER {table}_{name} BEFORE {verb} ON {table} "
                       "FOR EACH ROW EXECUTE FUNCTION grassroots_append_only()")
        return
    for verb, name in (("UPDATE", "no_update"), ("DELETE", "no_delete")):
        op.execute(f"CREATE TRIGGER {table}_{name} BEFORE {verb} ON {table} "
                   f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END")


def drop_append_only(table: str) -> None:
    on = f" ON {table}" if dialect() == "postgresql" else ""
    for name in ("no_update", "no_delete"):
        op.execute(f"DROP TRIGGER IF EXISTS {table}_{name}{on}")
