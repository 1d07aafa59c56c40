"""`grassroots … | head -1`: a reader that closes the pipe early gets no "Broken pipe" and no traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(SRC) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "grassroots_tui", *args], env=_env(),
                          capture_output=True, text=True, timeout=120)


def _into_closed_pipe(*args: str) -> tuple[int, str]:
    """Run the CLI with stdout a pipe whose read end is closed before the CLI writes a byte."""
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader (`head`) is already gone: every write meets EPIPE
    try:
        proc = subprocess.run([sys.executable, "-m", "grassroots_tui", *args], env=_env(),
                              stdout=write_end, stderr=subprocess.PIPE, timeout=120)
    finally:
        os.close(write_end)
    return proc.returncode, proc.stderr.decode("utf-8", "replace")


@pytest.fixture
def meeting_db(db_path: Path) -> Path:
    done = _cli("meeting", "add", "--db", str(db_path), "--type", "consultation", "--topic", "楼道堆物",
                "--start", "2030-12-03 14:30")
    assert done.returncode == 0, done.stderr
    return db_path


@pytest.mark.parametrize("args", [
    ["meeting", "show", "YS-2030-0001"],
    ["meeting", "show", "YS-2030-0001", "--json"],
    ["meeting", "list", "--from", "2030-01-01"],
    ["report"],
])
def test_closed_reader_is_quiet(meeting_db: Path, args: list[str]) -> None:
    code, err = _into_closed_pipe(*args, "--db", str(meeting_db))
    assert err == "", err  # not "错误：[Errno 32] Broken pipe", not "Exception ignored … BrokenPipeError"
    assert code == 1


def test_real_head_gets_its_first_line(meeting_db: Path) -> None:
    cmd = (f"{sys.executable} -m grassroots_tui meeting show YS-2030-0001 --db '{meeting_db}' | head -1")
    proc = subprocess.run(["sh", "-c", cmd], env=_env(), capture_output=True, text=True, timeout=120)
    assert proc.stdout.startswith("YS-2030-0001") and proc.stderr == ""
