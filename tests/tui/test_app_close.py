"""Closing the program leaves the day's safety copy next to the database."""

from __future__ import annotations

import sqlite3

from conftest import wait_for


async def test_quitting_writes_the_daily_backup(known_path, make_app) -> None:  # noqa: ANN001
    app = make_app(known_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.ws is not None)
        await pilot.press("ctrl+q")
    backups = list((known_path.parent / "backups").glob("*.sqlite3"))
    assert len(backups) == 1
    con = sqlite3.connect(backups[0])
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert con.execute("SELECT count(*) FROM concern").fetchone()[0] > 0
    con.close()
