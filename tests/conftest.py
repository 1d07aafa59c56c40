"""Shared fixtures: every test gets its own data and config folders and a real SQLite file."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

TZ = ZoneInfo("Asia/Shanghai")
# The command line's "now" in every test (GRASSROOTS_NOW): the suite reads the same on any day,
# at any hour and in any machine time zone. 09:00 on 2 December 2026 in the committee's zone.
CLI_NOW = datetime(2026, 12, 2, 9, 0, tzinfo=TZ)


@pytest.fixture(autouse=True)
def _isolated_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads or writes the real user folders or a GRASSROOTS_DB of the machine."""
    monkeypatch.setenv("GRASSROOTS_DATA_DIR", str(tmp_path / "userdata"))
    monkeypatch.setenv("GRASSROOTS_CONFIG_DIR", str(tmp_path / "userconfig"))
    monkeypatch.delenv("GRASSROOTS_DB", raising=False)
    monkeypatch.delenv("GRASSROOTS_TZ", raising=False)
    monkeypatch.setenv("GRASSROOTS_NOW", CLI_NOW.isoformat())


class Clock:
    """A settable clock for services: `clock.set(2026, 9, 30, 10)`."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def set(self, *args: int) -> datetime:
        self.now = datetime(*args, tzinfo=TZ)
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 9, 30, 9, 0, tzinfo=TZ))


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "test.sqlite3"


@pytest.fixture
def ws(db_path: Path, clock: Clock):  # noqa: ANN201
    from grassroots_tui.services.workspace import Workspace

    workspace = Workspace.open(db_path, clock=clock)
    yield workspace
    workspace.close()


@pytest.fixture
def clerk_id(ws) -> int:  # noqa: ANN001
    from grassroots_tui.services.clerks import current_clerk

    return current_clerk(ws).id


# ---------------------------------------------------------------------- PostgreSQL

@pytest.fixture(scope="session")
def pg_server():  # noqa: ANN201
    """One throw-away cluster for the run (tests/pg_server.py); skipped, saying why, without one."""
    import shutil
    import tempfile

    from pg_server import Unavailable, start_server

    base = Path(tempfile.mkdtemp(prefix="grassroots-pg-"))
    try:
        server = start_server(base)
    except Unavailable as exc:
        shutil.rmtree(base, ignore_errors=True)
        pytest.skip(f"PostgreSQL tests skipped: {exc}")
    yield server
    server.stop()
    shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def pg_url(pg_server) -> str:  # noqa: ANN001
    """The URL of a new, empty PostgreSQL database."""
    return pg_server.new_database()
