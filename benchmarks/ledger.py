"""How fast the concern ledger is on a big database, next to raw SQL measured in the same run.

    grassroots demo --concerns 200000 --no-launch --db /tmp/ledger200k.sqlite3
    python benchmarks/ledger.py /tmp/ledger200k.sqlite3 [--no-tui]

Aims (issue #4): first page < 150 ms, search p95 < 50 ms, transition < 20 ms, RSS < 250 MB.
The transition is done on a copy of the database, so the demo file is left as it was.
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

SEARCHES = {
    1: ["灯", "水", "梯", "诈", "犬", "漏", "噪", "井"],
    2: ["漏水", "路灯", "电梯", "停车", "垃圾", "噪音", "井盖", "油烟"],
    4: ["楼上漏水", "路灯不亮", "电梯经常", "垃圾分类", "私搭乱建", "老楼加装", "高空抛物", "楼道堆放"],
}


def ms(fn: Callable[[], object], repeat: int = 1) -> tuple[float, object]:
    best = None
    result = None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        elapsed = (time.perf_counter() - t) * 1000
        best = elapsed if best is None else min(best, elapsed)
    return best or 0.0, result


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    k = max(0, min(len(values) - 1, round(p * (len(values) - 1))))
    return values[k]


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def row(label: str, ours: float, raw: float | None, aim: float | None = None, extra: str = "") -> None:
    raw_s = f"{raw:8.1f} ms" if raw is not None else " " * 11
    aim_s = f"aim < {aim:.0f} ms" if aim else ""
    flag = "" if aim is None else ("ok" if ours < aim else "SLOW")
    print(f"{label:<34}{ours:8.1f} ms  raw {raw_s}  {aim_s:<13}{flag:<5}{extra}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("db", type=Path)
    parser.add_argument("--no-tui", action="store_true", help="skip the headless screen timing")
    args = parser.parse_args()

    from grassroots_tui.services.ledger import Ledger, LedgerQuery
    from grassroots_tui.services.workspace import Workspace

    t0 = time.perf_counter()
    ws = Workspace.open(args.db)
    open_ms = (time.perf_counter() - t0) * 1000
    raw = sqlite3.connect(args.db)
    total = raw.execute("SELECT count(*) FROM concern").fetchone()[0]
    queued = raw.execute("SELECT count(*) FROM concern_search_dirty").fetchone()[0]
    print(f"database {args.db}: {total} concerns; Workspace.open {open_ms:.0f} ms; "
          f"{queued} concerns queued for the search index (written by another program)")
    print(f"{'':<34}{'ledger':>11}  {'raw SQL':>15}")

    # ---- open the ledger: count + first page, newest first
    def first_page() -> list:
        lg = Ledger(ws, LedgerQuery())
        lg.count()
        return lg.page(0, 100)

    ours, _ = ms(first_page, 3)
    base, _ = ms(lambda: (raw.execute("SELECT count(*) FROM concern").fetchone(),
                          raw.execute("SELECT c.*, cat.name, u.name, r.name FROM concern c JOIN category cat ON "
                                      "cat.code = c.category_code LEFT JOIN unit u ON u.code = c.unit_code LEFT JOIN "
                                      "resident r ON r.id = c.resident_id ORDER BY c.received_at DESC, c.id DESC "
                                      "LIMIT 100").fetchall()), 3)
    row("open ledger (count + first page)", ours, base, 150)

    # ---- page to the end, in each sort
    for sort in ("received", "deadline", "state"):
        lg = Ledger(ws, LedgerQuery(sort=sort))
        n = lg.count()
        ours, rows = ms(lambda: lg.page(n - 100, 100), 3)
        order = {"received": "received_at DESC, id DESC", "deadline": "due_at IS NULL, due_at, id",
                 "state": "status, due_at, id"}[sort]
        base, _ = ms(lambda: raw.execute(f"SELECT * FROM concern ORDER BY {order} LIMIT 100 OFFSET ?",
                                         (n - 100,)).fetchall(), 3)
        row(f"last page, sorted by {sort}", ours, base, None, f"({len(rows)} rows)")

    # ---- a filter: in progress and overdue, by deadline
    def filtered() -> int:
        lg = Ledger(ws, LedgerQuery(statuses=("in_progress",), overdue=True, sort="deadline"))
        lg.page(0, 100)
        return lg.count()

    ours, n = ms(filtered, 3)
    now = ws.now()
    from grassroots_tui.store.types import to_db

    base, _ = ms(lambda: (raw.execute("SELECT count(*) FROM concern WHERE status='in_progress' AND due_at < ?",
                                      (to_db(now),)).fetchone(),
                          raw.execute("SELECT * FROM concern WHERE status='in_progress' AND due_at < ? ORDER BY due_at "
                                      "LIMIT 100", (to_db(now),)).fetchall()), 3)
    row("filter: 办理中 + 已超期", ours, base, None, f"({n} rows)")

    # ---- next overdue (Ctrl+N) from the top of the newest-first list, and where a row stands
    lg = Ledger(ws, LedgerQuery())
    lg.count()
    ours, idx = ms(lambda: lg.next_overdue(0), 3)
    base, _ = ms(lambda: raw.execute("SELECT id FROM concern WHERE due_at < ? ORDER BY received_at DESC LIMIT 1",
                                     (to_db(now),)).fetchone(), 3)
    row("next overdue (Ctrl+N)", ours, base, None, f"(row {idx})")

    # ---- search: count + first page; raw = LIKE scan over the same fields
    for length, queries in SEARCHES.items():
        ours_t, raw_t, hits = [], [], []
        for q in queries:
            def search() -> int:
                lg = Ledger(ws, LedgerQuery(text=q))
                lg.page(0, 100)
                return lg.count()

            t, n = ms(search)
            ours_t.append(t)
            hits.append(n)
            like = f"%{q}%"
            t, _ = ms(lambda: raw.execute(
                "SELECT count(*) FROM concern c LEFT JOIN resident r ON r.id = c.resident_id WHERE c.reference LIKE ?1 "
                "OR c.summary LIKE ?1 OR c.detail LIKE ?1 OR r.name LIKE ?1 OR c.estate LIKE ?1 "
                "OR c.location_text LIKE ?1", (like,)).fetchone())
            raw_t.append(t)
        row(f"search {length}-char p50", statistics.median(ours_t), statistics.median(raw_t), None,
            f"(hits {min(hits)}-{max(hits)})")
        row(f"search {length}-char p95", pct(ours_t, 0.95), pct(raw_t, 0.95), 50)

    # ---- one transition, on a copy
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "copy.sqlite3"
        src = sqlite3.connect(args.db)
        dst = sqlite3.connect(copy)
        src.backup(dst)
        src.close()
        dst.close()
        from grassroots_tui.domain.codes import Action
        from grassroots_tui.domain.pipeline import Request
        from grassroots_tui.services.clerks import current_clerk
        from grassroots_tui.services.concerns import act

        ws2 = Workspace.open(copy)
        clerk = current_clerk(ws2).id
        refs = [r[0] for r in sqlite3.connect(copy).execute(
            "SELECT reference FROM concern WHERE status='received' ORDER BY id DESC LIMIT 6").fetchall()]
        act(ws2, clerk, refs[0], Request(Action.DISPATCH, unit_code="WY"))  # warm up
        times = [ms(lambda r=r: act(ws2, clerk, r, Request(Action.DISPATCH, unit_code="WY")))[0] for r in refs[1:4]]
        rc = sqlite3.connect(copy, isolation_level=None)
        raw_times = []
        for r in refs[4:6]:
            def raw_act(r: str = r) -> None:
                rc.execute("BEGIN IMMEDIATE")
                cid, version = rc.execute("SELECT id, version FROM concern WHERE reference=?", (r,)).fetchone()
                rc.execute("UPDATE concern SET status='dispatched', unit_code='WY', version=version+1 "
                           "WHERE id=? AND version=?", (cid, version))
                rc.execute("INSERT INTO concern_event(concern_id, action, actor_id, at, from_status, to_status, note, "
                           "data) VALUES (?, 'dispatch', ?, datetime('now'), 'received', 'dispatched', '', '')",
                           (cid, clerk))
                rc.execute("COMMIT")

            raw_times.append(ms(raw_act)[0])
        row("one transition (派单, read back)", statistics.median(times), statistics.median(raw_times), 20)
        ws2.close()

    if not args.no_tui:
        first_ms, tui_ms, bare_ms = asyncio.run(tui_first_page(args.db))
        row("screen: open to first rows ready", tui_ms, None, 150,
            f"(first open in a session {first_ms:.0f} ms; a bare screen {bare_ms:.0f} ms)")
    print(f"process RSS {rss_mb():.0f} MB (aim < 250 MB)")
    ws.close()


async def tui_first_page(db: Path) -> tuple[float, float, float]:
    """Headless at 160x45: from pushing the ledger screen to its first page of rows — the first
    time in the session (Textual parses the screen's CSS then) and the median of three more —
    and, as the baseline, from pushing a screen with one Static to its mount.

    Measured after the dashboard finished its own start-up queries, so they do not compete.
    """
    from textual.screen import Screen
    from textual.widgets import Static

    from grassroots_tui.tui.app import GrassrootsApp
    from grassroots_tui.tui.screens.ledger import LedgerScreen

    class Bare(Screen):
        mounted = False

        def compose(self):  # noqa: ANN202
            yield Static("诉求台账")

        def on_mount(self) -> None:
            self.mounted = True

    app = GrassrootsApp(db)
    ours, bare = [], []

    async def back_to_dashboard() -> None:
        app.pop_screen()
        loads = getattr(app.dashboard, "loads", 0)
        while getattr(app.screen, "loads", 0) <= loads:  # the dashboard reloads when shown again
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.5)

    async with app.run_test(size=(160, 45)):
        while app.ws is None or getattr(app.screen, "loads", 0) == 0:
            await asyncio.sleep(0.02)
        await asyncio.sleep(0.5)
        for _ in range(4):
            plain = Bare()
            t = time.perf_counter()
            app.push_screen(plain)
            while not (plain.mounted and app.screen is plain):
                await asyncio.sleep(0.002)
            bare.append((time.perf_counter() - t) * 1000)
            await back_to_dashboard()
            screen = LedgerScreen()
            t = time.perf_counter()
            app.push_screen(screen)
            while not (screen.query("#ledger-table") and screen.table.is_idle
                       and screen.table.current_row is not None):
                await asyncio.sleep(0.002)
            ours.append((time.perf_counter() - t) * 1000)  # rows are in; they paint on the next frame
            await back_to_dashboard()
    return ours[0], statistics.median(ours[1:]), statistics.median(bare)


if __name__ == "__main__":
    main()
