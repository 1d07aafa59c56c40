"""How long a resident import holds the database's write lock, and how long the whole import takes.

    python benchmarks/import_lock.py [--rows 20000]

Writes a register of N residents (name, phone, ID number, address, tags) to a CSV in a
temporary folder, imports it into a new database and reports the time from BEGIN IMMEDIATE to
COMMIT of every write transaction (what another clerk's save waits for) next to the whole
import. Aim: the lock held well under the 5 s busy timeout at 20 000 rows, so a save made
during an import waits at most a moment instead of failing.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from sqlalchemy import event


def id_number(n: int) -> str:
    body = f"110105{1950 + n % 50}{1 + n % 12:02d}{1 + n % 28:02d}{n % 1000:03d}"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    check = "10X98765432"[sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11]
    return body + check


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=20_000)
    args = parser.parse_args()

    from grassroots_tui.services.clerks import current_clerk
    from grassroots_tui.services.residents import import_residents
    from grassroots_tui.services.workspace import Workspace

    with tempfile.TemporaryDirectory() as tmp:
        csv_path = Path(tmp) / "register.csv"
        lines = ["姓名,手机,身份证号,地址,标签"]
        seen = set()
        for n in range(args.rows * 2):
            number = id_number(n)
            if number in seen:
                continue
            seen.add(number)
            lines.append(f"居民{n:06d},139{n:08d},{number},{n % 30 + 1}-{n % 4 + 1}-{n % 20 + 101},独居老人、党员")
            if len(lines) > args.rows:
                break
        csv_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        ws = Workspace.open(Path(tmp) / "db.sqlite3")
        clerk = current_clerk(ws).id
        held: list[float] = []
        began: dict[int, float] = {}

        @event.listens_for(ws.engine, "begin")
        def _begin(conn) -> None:  # noqa: ANN001
            if conn.get_execution_options().get("sqlite_begin") == "IMMEDIATE":
                began[id(conn)] = time.perf_counter()

        @event.listens_for(ws.engine, "commit")
        def _commit(conn) -> None:  # noqa: ANN001
            if id(conn) in began:
                held.append(time.perf_counter() - began.pop(id(conn)))

        start = time.perf_counter()
        report = import_residents(ws, clerk, csv_path)
        total = time.perf_counter() - start
        ws.close()
    print(f"imported {report.imported} of {args.rows} rows ({len(report.errors)} errors)")
    print(f"whole import {total:.2f} s; write lock held {max(held, default=0):.3f} s "
          f"in {len(held)} transaction(s)")


if __name__ == "__main__":
    main()
