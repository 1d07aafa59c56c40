"""A month's figures over a database of ~1 000 000 events, next to raw SQL in the same run.

    grassroots demo --concerns 200000 --no-launch --db /tmp/fig.sqlite3   # ~1M events, a few minutes
    python benchmarks/report.py /tmp/fig.sqlite3 [--month 2026-05] [--runs 7]

Prints the median time of `services.metrics.period_figures` (options from metrics.toml,
SQLAlchemy, result objects) and of one hand-written aggregate query through the
`sqlite3` module, over the busiest month unless one is named. Aim: within 2x.

Both apply the 未到期 rule as of the same "now" (`--now`, default: the latest time in the
database, so the last month has concerns not yet due): a concern not routed within its
dispatch limit, not closed within its feedback limit, or not extended while handled within it
is out of that rate. The raw query's counts are checked against the service's.
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

RAW = """
SELECT count(*),
  sum(first_routed_at IS NOT NULL AND first_routed_at <= dispatch_due),
  sum(EXISTS (SELECT 1 FROM concern_event e WHERE e.concern_id = c.id AND e.action = 'dispatch')),
  sum(return_count > 0
      AND EXISTS (SELECT 1 FROM concern_event e WHERE e.concern_id = c.id AND e.action = 'dispatch')),
  sum(first_reported_at IS NOT NULL),
  sum(followup_at IS NOT NULL),
  total(CASE WHEN followup_at IS NULL THEN 0 WHEN followup_outcome = 'solved' THEN 1.0
             WHEN followup_outcome = 'partly' THEN 0.5 ELSE 0 END),
  total(CASE WHEN followup_at IS NOT NULL AND followup_satisfaction IN ('satisfied', 'basic') THEN 1 ELSE 0 END),
  sum(followup_at IS NOT NULL AND rework_count > 0),
  sum(extension_count > 0),
  sum(status = 'closed'),
  sum(status = 'closed' AND first_reported_at <= feedback_due_original),
  sum(first_routed_at IS NULL AND dispatch_due >= :now),
  sum(status != 'closed' AND feedback_due >= :now),
  sum(extension_count = 0 AND status IN ('received', 'dispatched', 'in_progress') AND feedback_due >= :now)
FROM concern c
WHERE c.received_at >= :start AND c.received_at < :end AND c.kind = 'concern'
  AND c.status NOT IN ('rejected', 'merged') AND c.excluded = 0
"""


def utc_text(d: date, tz: ZoneInfo) -> str:
    dt = datetime(d.year, d.month, d.day, tzinfo=tz).astimezone(timezone.utc).replace(tzinfo=None)
    return dt.isoformat(sep=" ", timespec="microseconds")


def utc_text_of(when: datetime) -> str:
    return when.astimezone(timezone.utc).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")


def median_time(fn, runs: int) -> tuple[float, object]:  # noqa: ANN001
    times, result = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("db", type=Path)
    ap.add_argument("--month", help="YYYY-MM (default: the month with most concerns)")
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--now", help="ISO time the 未到期 rule is taken at (default: the latest event in the database)")
    args = ap.parse_args()

    from grassroots_tui.domain.metrics import Period
    from grassroots_tui.services.metrics import load_options, period_figures
    from grassroots_tui.services.workspace import Workspace

    con = sqlite3.connect(args.db)
    if args.now:
        now = datetime.fromisoformat(args.now)
    else:
        latest = con.execute("SELECT max(at) FROM concern_event").fetchone()[0]
        now = datetime.fromisoformat(latest).replace(tzinfo=timezone.utc)
    ws = Workspace.open(args.db, clock=lambda: now)
    tz = ws.tz
    now = now if now.tzinfo else now.replace(tzinfo=tz)
    events = con.execute("SELECT count(*) FROM concern_event").fetchone()[0]
    concerns = con.execute("SELECT count(*) FROM concern").fetchone()[0]
    if args.month:
        year, month = map(int, args.month.split("-"))
    else:
        ym = con.execute("SELECT substr(received_at, 1, 7) AS m, count(*) FROM concern GROUP BY m "
                         "ORDER BY 2 DESC LIMIT 1").fetchone()[0]
        year, month = map(int, ym.split("-"))
    period = Period.month(year, month)
    start, end = utc_text(period.start, tz), utc_text(period.end + timedelta(days=1), tz)
    in_month = con.execute("SELECT count(*) FROM concern WHERE received_at >= ? AND received_at < ?",
                           (start, end)).fetchone()[0]
    options = load_options()
    raw_params = {"start": start, "end": end, "now": utc_text_of(now)}

    # Warm the page cache for both, then alternate so neither enjoys a warmer cache.
    con.execute(RAW, raw_params).fetchone()
    period_figures(ws, period, options)
    raw_t, raw = median_time(lambda: con.execute(RAW, raw_params).fetchone(), args.runs)
    svc_t, figs = median_time(lambda: period_figures(ws, period, options), args.runs)
    raw_t2, _ = median_time(lambda: con.execute(RAW, raw_params).fetchone(), args.runs)
    raw_t = min(raw_t, raw_t2)
    # The service's own SQL text through sqlite3: what the service adds on top of SQLite.
    from grassroots_tui.services.metrics import _Sql

    q = _Sql(ws, period, options)
    own_sql = f"SELECT {q.select_counts()} FROM concern c WHERE {q.where}"
    own_t, _ = median_time(lambda: con.execute(own_sql, q.params).fetchone(), args.runs)

    c = figs.counts
    assert raw[0] == c.counted and raw[1] == c.routed_on_time and raw[2] == c.dispatched, (raw, c)
    assert (raw[12], raw[13], raw[14]) == (c.response_pending, c.closure_pending, c.extension_pending), (raw, c)
    print(f"database: {concerns} concerns, {events} events; month {period.label}: {in_month} concerns received")
    print(f"未到期 as of {now.astimezone(tz):%Y-%m-%d %H:%M}: response {c.response_pending}, "
          f"closure {c.closure_pending}, extension {c.extension_pending}")
    print(f"raw SQL aggregate (sqlite3):        {raw_t * 1000:8.1f} ms (median of {args.runs})")
    print(f"the service's SQL text via sqlite3: {own_t * 1000:8.1f} ms (median of {args.runs})")
    print(f"services.metrics.period_figures:    {svc_t * 1000:8.1f} ms (median of {args.runs})")
    print(f"ratio: {svc_t / raw_t:.2f}x of the hand-written aggregate, {svc_t / own_t:.2f}x of its own SQL"
          "  (aim: within 2x)")
    for code in ("response_rate", "closure_rate", "extension_rate", "resolution_rate", "satisfaction_rate",
                 "composite"):
        fig = figs[code]
        print(f"  {fig.label}: {fig.fraction} = {fig.percent}" + (f"  {fig.pending_text}" if fig.pending_text else ""))
    ws.close()
    con.close()


if __name__ == "__main__":
    main()
