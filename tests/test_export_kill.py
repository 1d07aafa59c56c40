"""A revealed export killed at random points: every revealed file at its target has its audit row,
and no target is ever a partial file.

Each run is the real command (`grassroots export concerns --reveal`) in its own process, killed
with SIGKILL when a randomly chosen condition holds: right after start, once its audit row is
committed, once its temporary file appears, once that file has grown past a random size, or once
the target is in place. Random but seeded: the same kills every run.
"""

from __future__ import annotations

import csv
import io
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
CONCERNS = 4000
KILLS = 24
CEILING = 120.0  # seconds a condition may take under load before the test gives up on it


def _wait_until(condition: Callable[[], bool], proc: subprocess.Popen) -> bool:
    """Poll until `condition()` holds (True) or the process ends first (False)."""
    deadline = time.monotonic() + CEILING
    while not condition():
        if proc.poll() is not None:
            return condition()
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached")
        time.sleep(0.001)  # a poll interval, not a pause: we wait for the condition
    return True


def _audit_rows(db: Path) -> dict[str, str]:
    """target -> detail of every export_reveal row committed so far (read-only, beside the writer)."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    try:
        return dict(con.execute("SELECT target, detail FROM audit_log WHERE action = 'export_reveal'").fetchall())
    except sqlite3.OperationalError:
        return {}
    finally:
        con.close()


def _complete(path: Path) -> bool:
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    return rows[0][0] == "编号" and len(rows) == CONCERNS + 1


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL")
def test_killed_revealed_exports_leave_only_audited_complete_files(tmp_path: Path) -> None:
    from grassroots_tui.services.demo import build_demo

    db = tmp_path / "kill.sqlite3"
    build_demo(db, residents=200, concerns=CONCERNS, clock=lambda: datetime(2026, 10, 12, 9, tzinfo=ZoneInfo("Asia/Shanghai")))
    outdir = tmp_path / "out"
    outdir.mkdir()
    env = {**os.environ, "PYTHONPATH": str(SRC) + os.pathsep + os.environ.get("PYTHONPATH", "")}

    def start(target: Path) -> subprocess.Popen:
        return subprocess.Popen([sys.executable, "-m", "grassroots_tui", "--db", str(db), "export", "concerns",
                                 "--format", "csv", "--out", str(target), "--reveal"],
                                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    # One run to the end: how big a complete file is.
    first = outdir / "full-0.csv"
    assert start(first).wait(timeout=300) == 0
    assert _complete(first)
    size = first.stat().st_size

    rng = random.Random(20261012)
    stages: Counter[str] = Counter()
    killed = 0
    for i in range(1, KILLS + 1):
        target = outdir / f"full-{i}.csv"

        def temp_files() -> list[Path]:
            return list(outdir.glob(f".{target.name}.*.part"))  # noqa: B023

        stage = rng.choice(["start", "audited", "temp", "grown", "grown", "grown", "target"])
        threshold = rng.uniform(0.05, 0.95) * size
        audited_before = len(_audit_rows(db))
        conditions: dict[str, Callable[[], bool]] = {
            "start": lambda: True,
            "audited": lambda: len(_audit_rows(db)) > audited_before,  # noqa: B023
            "temp": lambda: bool(temp_files()),  # noqa: B023
            "grown": lambda: any(p.exists() and p.stat().st_size >= threshold for p in temp_files()),  # noqa: B023
            "target": lambda: target.exists(),  # noqa: B023
        }
        proc = start(target)
        reached = _wait_until(conditions[stage], proc)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            killed += 1
            stages[stage if reached else "late"] += 1
        proc.wait(timeout=60)

    assert killed >= 20, stages
    assert stages["grown"] + stages["temp"] >= 5, stages  # the kills really landed while the file was written
    audits = _audit_rows(db)
    present = sorted(outdir.glob("full-*.csv"))
    assert first in present
    for path in present:
        assert str(path) in audits, f"{path.name} is at its target without an export_reveal audit row"
        assert _complete(path), f"{path.name} is a partial file"
    # Killed while writing, the temporary file stays beside the target (never in the system temp
    # folder) and never under the target's name.
    for leftover in outdir.glob(".*.part"):
        assert leftover.name.startswith(".full-") and leftover.stat().st_mode & 0o077 == 0
