"""One Alembic history on both engines (issue 11): the schema, its append-only logs and the search
queue's triggers on a real PostgreSQL server (tests/pg_server.py) as on SQLite."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa

from grassroots_tui.store.migrate import alembic_config, current_revision, head_revision


def _upgrade(url: str, revision: str = "head") -> sa.Engine:
    from alembic import command

    engine = sa.create_engine(url)
    command.upgrade(alembic_config(engine), revision)
    return engine


@pytest.fixture(params=["sqlite", "postgresql"])
def engine_url(request, tmp_path: Path) -> str:  # noqa: ANN001
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.sqlite3'}"
    return request.getfixturevalue("pg_url")


def test_the_migrations_reach_head_and_come_back_down_on_postgresql(pg_url: str) -> None:
    from alembic import command

    engine = _upgrade(pg_url)
    assert current_revision(engine) == head_revision()
    tables = set(sa.inspect(engine).get_table_names())
    assert {"concern", "concern_event", "meeting_event", "resident", "counter", "concern_search_doc",
            "concern_search_dirty", "audit_log"} <= tables
    indexes = {i["name"] for i in sa.inspect(engine).get_indexes("concern_search_doc")}
    assert "ix_concern_search_doc_trgm" in indexes  # pg_trgm ships with the server packages
    command.downgrade(alembic_config(engine), "base")
    assert set(sa.inspect(engine).get_table_names()) <= {"alembic_version"}
    command.upgrade(alembic_config(engine), "head")
    assert current_revision(engine) == head_revision()


def _one_event(engine: sa.Engine) -> None:
    """A clerk, a category, a concern and its first event, written through the models."""
    from sqlmodel import Session

    from grassroots_tui.store.models import Category, Clerk, Concern, ConcernEvent

    now = datetime(2026, 12, 2, 1, 0, tzinfo=timezone.utc)
    with Session(engine) as s:
        clerk = Clerk(name="值班")
        s.add(clerk)
        s.add(Category(code="08", name="房屋"))
        s.flush()
        concern = Concern(reference="SQ-2026-000001", category_code="08", summary="漏水", received_at=now,
                          dispatch_due=now, feedback_due=now, feedback_due_original=now, created_by=clerk.id,
                          updated_at=now)
        s.add(concern)
        s.flush()
        s.add(ConcernEvent(concern_id=concern.id, action="receive", actor_id=clerk.id, at=now, to_status="received"))
        s.commit()


def test_the_event_log_is_append_only_on_both_engines(engine_url: str) -> None:
    engine = _upgrade(engine_url)
    _one_event(engine)
    for statement in ("UPDATE concern_event SET note = '改过' WHERE id = 1", "DELETE FROM concern_event WHERE id = 1"):
        with pytest.raises(sa.exc.DBAPIError, match="append-only"):
            with engine.begin() as conn:
                conn.execute(sa.text(statement))
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT note FROM concern_event")).all() == [("",)]


def test_a_changed_concern_is_queued_for_the_search_index_on_both_engines(engine_url: str) -> None:
    engine = _upgrade(engine_url)
    _one_event(engine)
    with engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM concern_search_dirty"))
        conn.execute(sa.text("UPDATE concern SET summary = '楼上漏水' WHERE id = 1"))
        assert conn.execute(sa.text("SELECT concern_id FROM concern_search_dirty")).all() == [(1,)]
        conn.execute(sa.text("UPDATE concern SET status = 'dispatched' WHERE id = 1"))  # not searchable text
        assert conn.execute(sa.text("SELECT count(*) FROM concern_search_dirty")).scalar() == 1


def test_reference_numbers_are_taken_once_on_both_engines(engine_url: str) -> None:
    from sqlmodel import Session

    from grassroots_tui.services.concerns import next_number

    engine = _upgrade(engine_url)
    with Session(engine) as s:
        taken = [next_number(s, "SQ-2026") for _ in range(3)]
        s.commit()
    assert taken == [1, 2, 3]
