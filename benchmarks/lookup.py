"""Resident lookup latency per keystroke over 50 000 residents, next to raw indexed SQLite.

    grassroots demo --residents 50000 --concerns 1000 --no-launch --db /tmp/lookup.sqlite3
    python benchmarks/lookup.py /tmp/lookup.sqlite3 [--samples 150]

For residents drawn at random from the database, every prefix a clerk types is looked up as it
would be on each keystroke: the name (张, 张三, 张三丰), the given name alone (三, 三丰: found
inside names, a scan of the name index when no name starts with it), the pinyin initials (z, zs, zsf), the
phone tail (5, 56, 567, 5678) and the address shorthand (3, 3-2, 3-2-3, 3-2-30, 3-2-301).
Timed: `services.residents.lookup_residents(ws, text, limit=8)` — what the lookup widget's
worker calls (SQLAlchemy, ResidentView objects, tags) — and a hand-written indexed query
through the `sqlite3` module answering the same keystroke (one index range, ids and names
only), in the same run. Prints p50/p95
per kind of query in milliseconds. Aim: p95 under 15 ms.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import time
from pathlib import Path

LIMIT = 8

RAW = {
    "inside": "SELECT id, name FROM resident WHERE instr(name, ?) > 0 LIMIT ?",
    "name": "SELECT id, name FROM resident WHERE name >= ? AND name < ? || char(1114111) ORDER BY name LIMIT ?",
    "initials": ("SELECT id, name FROM resident WHERE name_initials >= ? AND name_initials < ? || char(1114111) "
                 "ORDER BY name_initials LIMIT ?"),
    "phone": "SELECT id, name FROM resident WHERE phone_tail = ? LIMIT ?",
    "phone_partial": ("SELECT id, name FROM resident WHERE phone_tail >= ? AND phone_tail < ? || char(1114111) "
                      "ORDER BY phone_tail LIMIT ?"),
    "address": "SELECT id, name FROM resident WHERE building = ? AND unit_no = ? AND room = ? LIMIT ?",
    "address_partial": ("SELECT id, name FROM resident WHERE building = ? AND unit_no = ? "
                        "ORDER BY building, unit_no, room LIMIT ?"),
}


def keystrokes(kind: str, row: sqlite3.Row) -> list[str]:
    if kind == "name":
        return [row["name"][:i] for i in range(1, len(row["name"]) + 1)]
    if kind == "given name":  # 三丰 for 张三丰: found inside names (a scan of the name index)
        given = row["name"][1:]
        return [given[:i] for i in range(1, len(given) + 1)]
    if kind == "initials":
        return [row["name_initials"][:i] for i in range(1, len(row["name_initials"]) + 1)]
    if kind == "phone tail":
        return [row["phone_tail"][:i] for i in range(1, 5)]
    short = f"{row['building']}-{row['unit_no']}-{row['room']}"
    # "3", "3-" ... as typed; the lookup answers from "3-2" on (a lone "3" is a phone-tail query).
    return [short[:i] for i in range(1, len(short) + 1) if not short[:i].endswith("-")]


def raw_lookup(con: sqlite3.Connection, kind: str, text: str) -> list:
    if kind == "name":
        return con.execute(RAW["name"], (text, text, LIMIT)).fetchall()
    if kind == "given name":
        return con.execute(RAW["inside"], (text, LIMIT)).fetchall()
    if kind == "initials":
        return con.execute(RAW["initials"], (text, text, LIMIT)).fetchall()
    if kind == "phone tail" or (kind == "address" and text.isdigit()):
        if len(text) == 4:
            return con.execute(RAW["phone"], (text, LIMIT)).fetchall()
        return con.execute(RAW["phone_partial"], (text, text, LIMIT)).fetchall()
    parts = text.split("-")
    if len(parts) == 3 and parts[2]:
        return con.execute(RAW["address"], (*parts, LIMIT)).fetchall()
    return con.execute(RAW["address_partial"], (parts[0], parts[1], LIMIT)).fetchall()


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("db", type=Path)
    parser.add_argument("--samples", type=int, default=150, help="residents drawn per kind of query")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    from grassroots_tui.services.residents import lookup_residents, search_residents
    from grassroots_tui.services.workspace import Workspace

    ws = Workspace.open(args.db)
    con = sqlite3.connect(args.db)
    con.row_factory = sqlite3.Row
    total = con.execute("SELECT count(*) FROM resident").fetchone()[0]
    rows = con.execute("SELECT name, name_initials, phone_tail, building, unit_no, room FROM resident "
                       "WHERE phone_tail != '' AND building != '' AND unit_no != '' AND room != ''").fetchall()
    rng = random.Random(args.seed)
    print(f"{total} residents in {args.db}; {args.samples} residents drawn per kind, every keystroke timed\n")
    print(f"{'query':<12}{'keystrokes':>11}{'service p50':>13}{'p95':>8}{'max':>8}{'raw SQL p50':>13}{'p95':>8}"
          f"{'hits/key':>10}")
    search_residents(ws, "warm", limit=LIMIT)  # imports, first connection
    for kind in ("name", "given name", "initials", "phone tail", "address"):
        service, raw, hits = [], [], []
        for row in rng.sample(rows, min(args.samples, len(rows))):
            for text in keystrokes(kind, row):
                t0 = time.perf_counter()
                found = lookup_residents(ws, text, limit=LIMIT)
                service.append((time.perf_counter() - t0) * 1000)
                t0 = time.perf_counter()
                raw_lookup(con, kind, text)
                raw.append((time.perf_counter() - t0) * 1000)
                hits.append(len(found))
        print(f"{kind:<12}{len(service):>11}{statistics.median(service):>11.2f}ms{pct(service, 95):>6.2f}ms"
              f"{max(service):>6.1f}ms{statistics.median(raw):>11.2f}ms{pct(raw, 95):>6.2f}ms"
              f"{statistics.mean(hits):>10.1f}")
    ws.close()
    con.close()


if __name__ == "__main__":
    main()
