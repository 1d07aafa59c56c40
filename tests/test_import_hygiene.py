"""The headless core never imports Textual; the command line imports neither Textual nor SQLModel.

Each module is imported in a fresh interpreter and `sys.modules` inspected, so one
module cannot hide another's import (the way harlequin checks its core).
"""

from __future__ import annotations

import importlib.util
import json
import pkgutil
import subprocess
import sys

import pytest

CORE_PACKAGES = ("grassroots_tui.domain", "grassroots_tui.store", "grassroots_tui.services", "grassroots_tui.io")

PROBE = """
import importlib, json, sys
importlib.import_module(sys.argv[1])
print(json.dumps(sorted(sys.modules)))
"""


def core_modules() -> list[str]:
    names: list[str] = []
    for package_name in CORE_PACKAGES:
        if importlib.util.find_spec(package_name) is None:
            continue
        package = importlib.import_module(package_name)
        names.append(package_name)
        for info in pkgutil.walk_packages(package.__path__, prefix=f"{package_name}."):
            if ".migrations" in info.name:  # Alembic scripts run inside Alembic, not imported
                continue
            names.append(info.name)
    return names


def imported_by(module: str) -> set[str]:
    result = subprocess.run([sys.executable, "-c", PROBE, module], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    return set(json.loads(result.stdout.strip().splitlines()[-1]))


def under(modules: set[str], root: str) -> set[str]:
    return {m for m in modules if m == root or m.startswith(f"{root}.")}


def test_there_are_core_modules_to_check() -> None:
    modules = core_modules()
    assert "grassroots_tui.services.dashboard" in modules
    assert "grassroots_tui.domain.pipeline" in modules


@pytest.mark.parametrize("module", core_modules())
def test_core_module_does_not_import_textual(module: str) -> None:
    assert not under(imported_by(module), "textual"), f"{module} pulls in Textual"


def test_cli_imports_neither_textual_nor_sqlmodel() -> None:
    if importlib.util.find_spec("grassroots_tui.cli") is None:
        pytest.skip("grassroots_tui.cli is not written yet")
    modules = imported_by("grassroots_tui.cli")
    assert not under(modules, "textual"), "the CLI must import Textual inside the command that runs the app"
    assert not under(modules, "sqlmodel"), "the CLI must import SQLModel inside the commands that need it"
    assert not under(modules, "sqlalchemy")


def test_tui_app_module_defers_the_database() -> None:
    """What the first frame needs loads without SQLModel, SQLAlchemy, Alembic or the services."""
    modules = imported_by("grassroots_tui.tui.app")
    for heavy in ("sqlmodel", "sqlalchemy", "alembic", "grassroots_tui.services", "grassroots_tui.store"):
        assert not under(modules, heavy), f"grassroots_tui.tui.app imports {heavy} at start-up"
