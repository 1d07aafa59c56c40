"""Start-up cost of the app: time to the first dashboard frame, with and without the database.

    python benchmarks/startup.py                    # generates a 200 000-concern demo database
    python benchmarks/startup.py --concerns 20000   # a smaller one
    python benchmarks/startup.py --db PATH          # an existing database (it may be upgraded)

Two programs run in fresh interpreters, alternately, each on a real pseudo-terminal:

* `app`  - GrassrootsApp on the database;
* `bare` - the same app class, screens, widgets and stylesheet with the database left
  closed (the worker that opens it is not started), i.e. what Textual itself costs.

Definitions (printed with the figures):

* first frame: the moment the app hands the terminal driver the first output that
  contains the dashboard (its top bar text "工作台"), measured from process launch
  (parent clock, includes interpreter start-up and imports);
* figures shown (`app` only): the first driver output after the dashboard figures
  arrived from the worker thread, from process launch.

This is a script that prints figures, not a timed test.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import pty
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
from pathlib import Path

CHILD = r"""
import json, sys, time
mode, db, out = sys.argv[1], sys.argv[2], sys.argv[3]
from pathlib import Path
from textual.drivers import linux_driver
from grassroots_tui.tui.app import GrassrootsApp
from grassroots_tui.tui.screens.dashboard import DashboardScreen

marks = {}
real_write = linux_driver.LinuxDriver.write
real_show = DashboardScreen.show_dashboard


def write(self, data):
    real_write(self, data)
    now = time.time()
    if "first_frame" not in marks and "工作台" in data:
        marks["first_frame"] = now
        if mode == "bare":
            app.call_later(app.exit)
    elif "figures_in" in marks and "figures_shown" not in marks:
        marks["figures_shown"] = now
        app.call_later(app.exit)


def show(self, data):
    real_show(self, data)
    marks["figures_in"] = time.time()


linux_driver.LinuxDriver.write = write
DashboardScreen.show_dashboard = show


class BareApp(GrassrootsApp):
    CSS_PATH = str(Path(sys.modules[GrassrootsApp.__module__].__file__).with_name("app.tcss"))

    def on_mount(self):
        pass  # the database is never opened


app = (GrassrootsApp if mode == "app" else BareApp)(Path(db))
app.run()
Path(out).write_text(json.dumps(marks))
"""


def run_child(mode: str, db: Path, size: tuple[int, int], env: dict[str, str], timeout: float) -> dict[str, float]:
    """Run one start-up on a pseudo-terminal; marks are seconds since launch."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", size[1], size[0], 0, 0))
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
        out = Path(handle.name)

    tail = bytearray()

    def drain() -> None:  # the terminal's reader: keeps only the end of what the app wrote
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            tail.extend(chunk)
            del tail[:-4000]

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    launched = time.time()
    proc = subprocess.Popen([sys.executable, "-c", CHILD, mode, str(db), str(out)],
                            stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        raise SystemExit(f"{mode}: no frame within {timeout} s") from None
    finally:
        os.close(slave)
    reader.join(5)
    os.close(master)
    try:
        marks = json.loads(out.read_text() or "{}")
    finally:
        out.unlink(missing_ok=True)
    if "first_frame" not in marks:
        reader.join(1)
        raise SystemExit(f"{mode}: the child exited without drawing the dashboard (exit code {proc.returncode}):\n"
                         + tail.decode("utf-8", "replace"))
    return {key: value - launched for key, value in marks.items()}


def make_demo(concerns: int, workdir: Path, env: dict[str, str]) -> Path:
    db = workdir / f"demo-{concerns}.sqlite3"
    print(f"Generating a demo database of {concerns} concerns: {db}", flush=True)
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "grassroots_tui", "demo", "--db", str(db),
                             "--concerns", str(concerns), "--no-launch"], env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"`grassroots demo` failed:\n{result.stderr or result.stdout}")
    print(f"  done in {time.perf_counter() - started:.0f} s", flush=True)
    return db


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, help="an existing database (default: generate a demo one)")
    parser.add_argument("--concerns", type=int, default=200_000, help="size of the generated demo database")
    parser.add_argument("--repeat", type=int, default=7, help="runs of each program (after one warm-up)")
    parser.add_argument("--size", default="80x24", help="terminal size, COLSxROWS")
    parser.add_argument("--timeout", type=float, default=120.0)
    args = parser.parse_args()
    cols, rows = (int(v) for v in args.size.lower().split("x"))

    workdir = Path(tempfile.mkdtemp(prefix="grassroots-bench-"))
    env = dict(os.environ, TERM="xterm-256color", GRASSROOTS_DATA_DIR=str(workdir / "data"),
               GRASSROOTS_CONFIG_DIR=str(workdir / "config"))
    env.pop("GRASSROOTS_DB", None)
    db = args.db or make_demo(args.concerns, workdir, env)
    if not db.exists():
        raise SystemExit(f"no database at {db}")

    print(f"Python {sys.version.split()[0]}, terminal {cols}x{rows}, database {db} "
          f"({db.stat().st_size / 1e6:.1f} MB), {args.repeat} runs each after a warm-up")
    # Warm-up: the OS file cache, .pyc files, and any one-off migration of the database.
    run_child("app", db, (cols, rows), env, args.timeout)
    run_child("bare", db, (cols, rows), env, args.timeout)
    results: dict[str, list[dict[str, float]]] = {"app": [], "bare": []}
    for _ in range(args.repeat):
        for mode in ("app", "bare"):
            results[mode].append(run_child(mode, db, (cols, rows), env, args.timeout))

    def median(mode: str, key: str) -> float:
        return statistics.median(r[key] for r in results[mode])

    def spread(mode: str, key: str) -> str:
        values = [r[key] for r in results[mode]]
        return f"{min(values) * 1000:6.0f} - {max(values) * 1000:6.0f}"

    print()
    print("first frame = the first terminal output containing the dashboard, from process launch")
    print("figures     = the first terminal output after the dashboard figures came back from the worker")
    print()
    print(f"{'':34}{'median ms':>10}   {'min - max ms':>15}")
    print(f"{'bare (no database) first frame':34}{median('bare', 'first_frame') * 1000:10.0f}   "
          f"{spread('bare', 'first_frame')}")
    print(f"{'app first frame':34}{median('app', 'first_frame') * 1000:10.0f}   {spread('app', 'first_frame')}")
    print(f"{'app figures shown':34}{median('app', 'figures_shown') * 1000:10.0f}   "
          f"{spread('app', 'figures_shown')}")
    ratio = median("app", "first_frame") / median("bare", "first_frame")
    print()
    print(f"ratio first frame app / bare: {ratio:.2f}")


if __name__ == "__main__":
    main()
