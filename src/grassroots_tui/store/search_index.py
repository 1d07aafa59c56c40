"""Keeping the ledger's search index (`concern_search`, migration 0003) in step, inside the writer's transaction.

Triggers on `concern` and `resident` (migration 0003) queue every concern whose searchable
text may have changed in `concern_search_dirty`, whoever wrote it. The index itself cannot be
written by a trigger: its text is NFKC-normalised and encoded one token a character
(domain/search.py), which SQL cannot compute, and a trigger calling a function registered by
this program would make every write from another program (the sqlite3 shell, a database
browser) fail with "no such function". So every write transaction of this program
(`Workspace.write`) ends with `index_queued`, which rewrites the queued concerns' text before
the commit: after any commit of ours the queue is empty, and a search only reads. Rows queued
by another program stay queued until our next write; the ledger reads them directly meanwhile.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import TextClause

from grassroots_tui.domain.search import fts_query, search_body, search_fields, search_terms

SEARCH_SOURCE = (
    "SELECT c.id, c.reference, c.summary, c.detail, r.name, c.estate, c.building, c.unit_no, c.room, "
    "c.location_text FROM concern c LEFT JOIN resident r ON r.id = c.resident_id"
)
REBUILD_ABOVE = 20000  # queued concerns above which one bulk rebuild is faster than row by row


def fields_of(row: Sequence) -> list[str]:
    """The normalised search fields of a row of SEARCH_SOURCE."""
    return search_fields(*row[1:])


def _body(row: Sequence) -> str:
    return search_body(fields_of(row))


def _plain_body(row: Sequence) -> str:
    """PostgreSQL's indexed text: the normalised fields themselves, one a line (a term never spans two)."""
    return "\n".join(fields_of(row))


def index_queued(conn: Connection, batch: int = 5000) -> int:
    """Rewrite the search text of the queued concerns (in the caller's transaction); how many."""
    if conn.dialect.name == "postgresql":
        return _index_queued_plain(conn, batch)
    if not conn.exec_driver_sql("SELECT EXISTS(SELECT 1 FROM concern_search_dirty)").scalar():
        return 0
    if int(conn.exec_driver_sql("SELECT count(*) FROM concern_search_dirty").scalar() or 0) > REBUILD_ABOVE:
        return rebuild(conn)
    done = 0
    while True:
        ids = [r[0] for r in conn.exec_driver_sql(
            "SELECT concern_id FROM concern_search_dirty ORDER BY concern_id LIMIT ?", (batch,))]
        if not ids:
            return done
        id_list = ",".join(str(int(i)) for i in ids)
        old = conn.exec_driver_sql(
            f"SELECT concern_id, body FROM concern_search_doc WHERE concern_id IN ({id_list})").all()
        if old:
            conn.exec_driver_sql("INSERT INTO concern_search(concern_search, rowid, body) VALUES ('delete', ?, ?)",
                                 [(cid, body) for cid, body in old])
            conn.exec_driver_sql(f"DELETE FROM concern_search_doc WHERE concern_id IN ({id_list})")
        rows = [(r[0], _body(r)) for r in conn.exec_driver_sql(f"{SEARCH_SOURCE} WHERE c.id IN ({id_list})")]
        if rows:
            conn.exec_driver_sql("INSERT INTO concern_search_doc(concern_id, body) VALUES (?, ?)", rows)
            conn.exec_driver_sql("INSERT INTO concern_search(rowid, body) VALUES (?, ?)", rows)
        conn.exec_driver_sql(f"DELETE FROM concern_search_dirty WHERE concern_id IN ({id_list})")
        done += len(ids)


def _index_queued_plain(conn: Connection, batch: int) -> int:
    """PostgreSQL: the queued concerns' text into `concern_search_doc`, taken off the queue."""
    done = 0
    while True:
        ids = [r[0] for r in conn.execute(text(
            "DELETE FROM concern_search_dirty WHERE concern_id IN "
            "(SELECT concern_id FROM concern_search_dirty ORDER BY concern_id LIMIT :n) RETURNING concern_id"),
            {"n": batch})]
        if not ids:
            return done
        conn.execute(text("DELETE FROM concern_search_doc WHERE concern_id = ANY(:ids)"), {"ids": ids})
        rows = [{"i": r[0], "b": _plain_body(r)}
                for r in conn.execute(text(f"{SEARCH_SOURCE} WHERE c.id = ANY(:ids)"), {"ids": ids})]
        if rows:
            conn.execute(text("INSERT INTO concern_search_doc(concern_id, body) VALUES (:i, :b)"), rows)
        done += len(ids)


def hits(dialect: str, query: str) -> TextClause | None:
    """The ids of the concerns whose text holds every term of `query` (a plain substring test, for
    one character or twenty), as a subquery for this engine; None when there is nothing to find.

    SQLite: a phrase of one-character tokens in the FTS5 index. PostgreSQL: LIKE over the plain
    normalised text (a pg_trgm index, where the server has it, speeds up terms of three or more).
    """
    if dialect == "postgresql":
        terms = search_terms(query)
        if not terms:
            return None
        where = " AND ".join(f"body LIKE :t{i} ESCAPE '\\'" for i in range(len(terms)))
        return text(f"SELECT concern_id FROM concern_search_doc WHERE {where}").bindparams(
            **{f"t{i}": "%" + _like_escape(t) + "%" for i, t in enumerate(terms)})
    match = fts_query(query)
    if match is None:
        return None
    return text("SELECT rowid FROM concern_search WHERE concern_search MATCH :match").bindparams(match=match)


def _like_escape(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def rebuild(conn: Connection, chunk: int = 20000) -> int:
    """Rewrite the whole index (in the caller's transaction); returns the number of concerns."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("DELETE FROM concern_search_doc"))
        conn.execute(text("INSERT INTO concern_search_dirty(concern_id) SELECT id FROM concern ON CONFLICT DO NOTHING"))
        return _index_queued_plain(conn, chunk)
    total = 0
    conn.exec_driver_sql("DELETE FROM concern_search_doc")
    last = 0
    while True:
        rows = conn.exec_driver_sql(f"{SEARCH_SOURCE} WHERE c.id > ? ORDER BY c.id LIMIT ?", (last, chunk)).all()
        if not rows:
            break
        conn.exec_driver_sql("INSERT INTO concern_search_doc(concern_id, body) VALUES (?, ?)",
                             [(r[0], _body(r)) for r in rows])
        last = rows[-1][0]
        total += len(rows)
    conn.exec_driver_sql("INSERT INTO concern_search(concern_search) VALUES ('rebuild')")
    conn.exec_driver_sql("DELETE FROM concern_search_dirty")
    return total
