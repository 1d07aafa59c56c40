"""Moving a committee's SQLite file into a PostgreSQL database (`grassroots db copy`).

Every row of every table goes across with its id — events, audit entries, reference counters —
in one transaction on the server, so the target holds all of it or none. The target must be
empty: the schema is created there by the same migrations, nothing else. Afterwards the
server's id sequences continue after the highest copied id, and its search index is built.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import SQLModel

from grassroots_tui.domain.errors import DomainError
from grassroots_tui.services.workspace import Workspace
from grassroots_tui.store import migrate, search_index
from grassroots_tui.store.engine import make_server_engine, tidy_after_bulk_load
from grassroots_tui.store.models import Setting  # noqa: F401  (registers every table on the metadata)

CHUNK = 5000


@dataclass(frozen=True)
class CopyResult:
    source: str
    target: str
    rows: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.rows.values())


def copied_tables() -> list[sa.Table]:
    """Our tables in the order their foreign keys need; SQLite's search index is rebuilt, not copied."""
    return [t for t in SQLModel.metadata.sorted_tables if not t.name.startswith("concern_search")]


def copy_database(source: Path | str, target_url: str, *, progress: Callable[[str], None] | None = None,
                  clock=None) -> CopyResult:  # noqa: ANN001
    """Copy the SQLite file `source` into the empty PostgreSQL database at `target_url`."""
    from grassroots_tui.config import is_server_url

    say = progress or (lambda _m: None)
    if is_server_url(source):
        raise DomainError("复制的来源应是数据库文件（.sqlite3）。", "from")
    if not is_server_url(target_url):
        raise DomainError("复制的目标应是 PostgreSQL 数据库地址，如 postgresql://用户名@服务器/数据库名。", "to")
    if not Path(source).is_file():
        raise DomainError(f"找不到数据库文件 {source}。", "from")
    src = Workspace.open(source, clock=clock)  # checked (and brought to this version) like any file we open
    engine = make_server_engine(target_url)
    try:
        try:
            migrate.upgrade_server(engine)
        except migrate.ForeignFile as exc:
            raise DomainError(f"目标数据库里已有其他程序的表（{'、'.join(exc.tables[:5])}），未做任何改动。", "to") from None
        tables = copied_tables()
        with engine.connect() as conn:
            held = {t.name: int(conn.execute(sa.select(sa.func.count()).select_from(t)).scalar() or 0) for t in tables}
        if any(held.values()):
            busy = "、".join(f"{name} {n} 行" for name, n in held.items() if n)
            raise DomainError(f"目标数据库不是空的（{busy}），为防止混入或覆盖数据，未做任何改动；请换一个空的数据库。", "to")
        rows: dict[str, int] = {}
        with src.engine.connect() as reader, engine.begin() as writer:
            for table in tables:
                order = list(table.primary_key.columns) or list(table.columns)
                n = 0
                result = reader.execution_options(stream_results=True).execute(sa.select(table).order_by(*order))
                while chunk := result.fetchmany(CHUNK):
                    writer.execute(sa.insert(table), [dict(r._mapping) for r in chunk])
                    n += len(chunk)
                rows[table.name] = n
                if n:
                    say(f"{table.name}：{n} 行")
            for table in tables:
                _continue_sequence(writer, table)
            search_index.rebuild(writer)
        tidy_after_bulk_load(engine)  # statistics and visibility map, as after the demo
        return CopyResult(str(source), _shown(target_url), rows)
    finally:
        engine.dispose()
        src.close()


def _continue_sequence(conn: sa.Connection, table: sa.Table) -> None:
    """New rows on the server get ids after the copied ones."""
    pk = list(table.primary_key.columns)
    if len(pk) != 1 or not isinstance(pk[0].type, sa.Integer) or pk[0].autoincrement is False:
        return
    sequence = conn.execute(sa.text("SELECT pg_get_serial_sequence(:t, :c)"),
                            {"t": table.name, "c": pk[0].name}).scalar()
    if sequence:
        conn.execute(sa.text(f"SELECT setval(:s, coalesce((SELECT max({pk[0].name}) FROM {table.name}), 0) + 1, false)"),
                     {"s": sequence})


def _shown(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def table_rows(target: Path | str) -> dict[str, list[tuple]]:
    """Every copied table's rows in primary-key order (for comparing a source and its copy)."""
    ws = Workspace.open(target)
    try:
        out = {}
        with ws.engine.connect() as conn:
            for table in copied_tables():
                order = list(table.primary_key.columns) or list(table.columns)
                out[table.name] = [tuple(r) for r in conn.execute(sa.select(table).order_by(*order))]
        return out
    finally:
        ws.close()


__all__ = ["CopyResult", "copied_tables", "copy_database", "table_rows"]
