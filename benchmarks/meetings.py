"""Meetings: a page of the F4 list and one check-in, next to raw SQLite in the same run.

    python benchmarks/meetings.py [--meetings 5000] [--participants 150] [--samples 100]

Builds a temporary database with `--meetings` meetings spread over ten years, each with
`--participants` invited (bulk-inserted), then times:

- list page: `services.meetings.list_meetings(ws, week start, week end, limit=50)` (what the
  week view's table fetches, with invited/entitled/present counts) and `upcoming_meetings`,
  against one hand-written SQL query with the same correlated counts through `sqlite3`;
- check-in: `set_present` + `get_meeting` (what the check-in screen does per Enter: write, then
  reload the list and the quorum) against a raw UPDATE plus the two COUNTs.

Prints p50/p95 in milliseconds. Aim: a list page under 20 ms, a check-in round under 50 ms at
150 participants, so a clerk can check people in as fast as they type numbers.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 30, 10, 0, tzinfo=TZ)

RAW_PAGE = """
SELECT m.*, (SELECT count(*) FROM meeting_participant p WHERE p.meeting_id = m.id),
       (SELECT count(*) FROM meeting_participant p WHERE p.meeting_id = m.id AND p.voting),
       (SELECT count(*) FROM meeting_participant p WHERE p.meeting_id = m.id AND p.voting AND p.present)
FROM meeting m WHERE m.start_at >= ? AND m.start_at < ? ORDER BY m.start_at, m.id LIMIT 50
"""


def ms(samples: list[float]) -> str:
    samples = sorted(samples)
    p95 = samples[max(0, int(len(samples) * 0.95) - 1)]
    return f"p50 {statistics.median(samples) * 1000:7.2f} ms   p95 {p95 * 1000:7.2f} ms"


def build(path: Path, meetings: int, participants: int) -> None:
    from grassroots_tui.services.workspace import Workspace
    from grassroots_tui.store.types import to_db

    ws = Workspace.open(path, clock=lambda: NOW)
    ws.close()
    rng = random.Random(5)
    con = sqlite3.connect(path)
    first = NOW - timedelta(days=365 * 8)
    rows = []
    for i in range(1, meetings + 1):
        start = first + timedelta(days=rng.randrange(365 * 10), hours=rng.choice((9, 14, 19)))
        rows.append((i, f"YS-{start.year}-{i:04d}", rng.choice(("consultation", "residents", "joint")),
                     f"议题{i}", to_db(start), to_db(start + timedelta(minutes=90)), "议事厅", "王主任",
                     "planned", to_db(NOW)))
    con.executemany("INSERT INTO meeting(id, reference, type, topic, start_at, end_at, place, chair, status, "
                    "created_at, minute_taker, notes, version) VALUES (?,?,?,?,?,?,?,?,?,?, '', '', 1)", rows)
    con.executemany("INSERT INTO meeting_participant(meeting_id, name, organisation, role, voting, present) "
                    "VALUES (?, ?, '', 'member', 1, 0)",
                    ((m, f"代表{k}") for m in range(1, meetings + 1) for k in range(participants)))
    con.commit()
    con.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--meetings", type=int, default=5000)
    parser.add_argument("--participants", type=int, default=150)
    parser.add_argument("--samples", type=int, default=100)
    args = parser.parse_args()

    from grassroots_tui.services import meetings as ms_
    from grassroots_tui.services.workspace import Workspace
    from grassroots_tui.store.types import to_db

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.sqlite3"
        t0 = time.perf_counter()
        build(path, args.meetings, args.participants)
        print(f"built {args.meetings} meetings x {args.participants} participants in "
              f"{time.perf_counter() - t0:.1f} s")
        ws = Workspace.open(path, clock=lambda: NOW)
        con = sqlite3.connect(path)
        rng = random.Random(7)
        weeks = [date(2019, 1, 7) + timedelta(weeks=rng.randrange(500)) for _ in range(args.samples)]

        service, raw, upcoming = [], [], []
        for monday in weeks:
            t = time.perf_counter()
            ms_.list_meetings(ws, monday, monday + timedelta(days=6), limit=50)
            service.append(time.perf_counter() - t)
            lo = datetime.combine(monday, datetime.min.time(), tzinfo=TZ)
            t = time.perf_counter()
            con.execute(RAW_PAGE, (to_db(lo), to_db(lo + timedelta(days=7)))).fetchall()
            raw.append(time.perf_counter() - t)
            t = time.perf_counter()
            ms_.upcoming_meetings(ws, limit=50)
            upcoming.append(time.perf_counter() - t)
        print(f"week page   service {ms(service)}")
        print(f"upcoming    service {ms(upcoming)}")
        print(f"week page   raw SQL {ms(raw)}")

        # a meeting that has begun: check-in is refused before its window opens
        ref = con.execute("SELECT reference, id FROM meeting WHERE start_at <= ? ORDER BY id LIMIT 1",
                          (to_db(NOW),)).fetchone()
        ids = [r[0] for r in con.execute("SELECT id FROM meeting_participant WHERE meeting_id = ?", (ref[1],))]
        service, raw = [], []
        for pid in ids[: min(len(ids), args.samples)]:
            t = time.perf_counter()
            ms_.set_present(ws, ref[0], pid, True)
            ms_.get_meeting(ws, ref[0])
            service.append(time.perf_counter() - t)
        for pid in ids[: min(len(ids), args.samples)]:
            t = time.perf_counter()
            con.execute("UPDATE meeting_participant SET present = 0 WHERE id = ?", (pid,))
            con.commit()
            con.execute("SELECT count(*) FROM meeting_participant WHERE meeting_id = ? AND voting", (ref[1],))
            con.execute("SELECT count(*) FROM meeting_participant WHERE meeting_id = ? AND voting AND present",
                        (ref[1],))
            raw.append(time.perf_counter() - t)
        print(f"check-in    service {ms(service)}   (set_present + get_meeting, {len(ids)} on the list)")
        print(f"check-in    raw SQL {ms(raw)}   (UPDATE + commit + 2 COUNT)")
        con.close()
        ws.close()


if __name__ == "__main__":
    main()
