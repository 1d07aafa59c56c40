"""The same work on SQLite and on PostgreSQL, side by side, in one run (issue 11).

    grassroots demo --concerns 200000 --no-launch --db /tmp/engines.sqlite3
    createdb grassroots_bench            # an empty PostgreSQL database
    python benchmarks/engines.py /tmp/engines.sqlite3 postgresql://user@host/grassroots_bench

The SQLite file is copied into the (empty) PostgreSQL database with `db copy` first, unless
`--copied` says it already holds the same data. Each path is timed through the services, as the
program runs it: the ledger's first and last page, free-text searches of 1, 2 and 4 characters
(p50/p95), the resident lookup a keystroke at a time (p95), one transition (the first row's
supervision level changes, in both databases alike) and this month's figures. The results must be
identical on both (checked); the aim is PostgreSQL within 2x of SQLite for the first page, the
search p95 and the transition.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path

SEARCHES = ["灯", "水", "梯", "漏", "漏水", "路灯", "电梯", "噪音", "楼上漏水", "路灯不亮", "垃圾分类", "高空抛物"]
LOOKUPS = ["张", "张三", "z", "zh", "5", "56", "567", "5678", "3", "3-2", "3-2-301", "三", "丰"]


def timed(fn: Callable[[], object], repeat: int = 5) -> tuple[list[float], object]:
    out, result = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        out.append((time.perf_counter() - t) * 1000)
    return out, result


def p95(values: list[float]) -> float:
    values = sorted(values)
    return values[max(0, round(0.95 * (len(values) - 1)))]


def measure(target: Path | str) -> tuple[dict[str, float], dict[str, object]]:
    from grassroots_tui.domain.codes import Action, Supervision
    from grassroots_tui.domain.metrics import Period
    from grassroots_tui.domain.pipeline import Request
    from grassroots_tui.services.clerks import current_clerk
    from grassroots_tui.services.concerns import act, get_concern
    from grassroots_tui.services.ledger import Ledger, LedgerQuery
    from grassroots_tui.services.metrics import period_figures
    from grassroots_tui.services.residents import lookup_residents
    from grassroots_tui.services.workspace import Workspace

    ws = Workspace.open(target)
    figures: dict[str, float] = {}
    answers: dict[str, object] = {}
    try:
        lg = Ledger(ws, LedgerQuery())
        times, first = timed(lambda: Ledger(ws, LedgerQuery()).page(0, 40))
        figures["ledger first page (ms, median)"] = statistics.median(times)
        total = lg.count()
        times, last = timed(lambda: lg.page(max(0, total - 40), 40))
        figures["ledger last page (ms, median)"] = statistics.median(times)
        answers["pages"] = ([r.reference for r in first], [r.reference for r in last])
        search_times: list[float] = []
        for q in SEARCHES:
            times, rows = timed(lambda q=q: Ledger(ws, LedgerQuery(text=q)).page(0, 40), repeat=3)
            search_times += times
            answers[f"search {q}"] = (Ledger(ws, LedgerQuery(text=q)).count(), [r.reference for r in rows])
        figures["search p50 (ms)"] = statistics.median(search_times)
        figures["search p95 (ms)"] = p95(search_times)
        lookup_times: list[float] = []
        for q in LOOKUPS:
            times, rows = timed(lambda q=q: lookup_residents(ws, q), repeat=3)
            lookup_times += times
            answers[f"lookup {q}"] = [v.id for v in rows]
        figures["lookup p95 (ms)"] = p95(lookup_times)
        clerk = current_clerk(ws).id
        target_ref = first[0].reference
        level = Supervision.YELLOW if get_concern(ws, target_ref).supervision != "yellow" else Supervision.RED
        times, _ = timed(lambda: act(ws, clerk, target_ref, Request(Action.SUPERVISE, supervision=level)), repeat=1)
        figures["one transition (ms)"] = times[0]
        month = Period.month(ws.now().year, ws.now().month)
        times, fig = timed(lambda: period_figures(ws, month), repeat=3)
        figures["month's figures (ms, median)"] = statistics.median(times)
        answers["figures"] = {k: (f.numerator, f.denominator) for k, f in fig.items.items()}
    finally:
        ws.close()
    return figures, answers


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("sqlite", type=Path)
    ap.add_argument("postgres", help="postgresql://user@host/db (empty, or holding the copy with --copied)")
    ap.add_argument("--copied", action="store_true", help="the PostgreSQL database already holds the copy")
    args = ap.parse_args()
    from grassroots_tui.config import resolve_db_path

    url = resolve_db_path(args.postgres)
    if not args.copied:
        from grassroots_tui.services.db_copy import copy_database

        t = time.perf_counter()
        result = copy_database(args.sqlite, url)
        print(f"db copy: {result.total} rows in {time.perf_counter() - t:.1f} s")
    lite, lite_answers = measure(args.sqlite)
    pg, pg_answers = measure(url)
    same = {k: lite_answers[k] == pg_answers[k] for k in lite_answers}
    print(f"{'':34}{'SQLite':>10}{'PostgreSQL':>12}{'ratio':>8}")
    for key in lite:
        print(f"{key:34}{lite[key]:10.1f}{pg[key]:12.1f}{pg[key] / lite[key] if lite[key] else 0:8.2f}")
    differing = [k for k, ok in same.items() if not ok]
    print("results identical on both engines" if not differing else f"DIFFERENT: {differing}")


if __name__ == "__main__":
    main()
