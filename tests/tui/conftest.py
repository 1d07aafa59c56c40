"""Fixtures for Pilot tests: a database with known figures, and no blinking or animation."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Callable
from pathlib import Path

import known_db
import pytest


@pytest.fixture(autouse=True)
def _deterministic_textual(monkeypatch: pytest.MonkeyPatch) -> None:
    """No cursor blink (the command palette's input) and no animations: frames repeat exactly."""
    from textual.widgets import Input

    monkeypatch.setattr(Input.cursor_blink, "_default", False)
    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "none")


@pytest.fixture(scope="session")
def _known_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("known") / "known.sqlite3"
    known_db.build(path)
    return path


@pytest.fixture
def known_path(tmp_path: Path, _known_template: Path) -> Path:
    """A private copy of the known database (built once a session)."""
    path = tmp_path / "known.sqlite3"
    shutil.copyfile(_known_template, path)
    return path


@pytest.fixture
def make_app() -> Callable:
    from grassroots_tui.tui.app import GrassrootsApp

    def factory(path: Path, clerk: str | None = None) -> GrassrootsApp:
        app = GrassrootsApp(path, clerk, clock=known_db.FixedClock())
        app.animation_level = "none"
        return app

    return factory


async def wait_for(pilot, condition: Callable[[], object], timeout: float = 30.0) -> None:  # noqa: ANN001
    """Let the app run until `condition()` holds; workers and screen switches take a while."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {getattr(condition, '__name__', condition)}")
        await pilot.pause(0.02)


def screen_text(app) -> str:  # noqa: ANN001
    """What the terminal shows for the active screen, as plain lines."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())
