"""In the program: a save that waits for another clerk says so, and a crash leaves a log, not a traceback."""

from __future__ import annotations

import sqlite3
import threading

import pytest

from conftest import wait_for

PHONE = "13912345678"


def _waiting_shown(app) -> bool:  # noqa: ANN001
    return any("数据库正被其他工作人员占用，正在等待" in n.message for n in app._notifications)


async def test_a_save_waiting_for_another_clerk_is_shown_then_goes_through(
        known_path, make_app, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    monkeypatch.setenv("GRASSROOTS_BUSY_TIMEOUT_MS", "60000")
    app = make_app(known_path)
    taken, release = threading.Event(), threading.Event()

    def other_clerk() -> None:
        con = sqlite3.connect(known_path, isolation_level=None)
        con.execute("BEGIN IMMEDIATE")
        taken.set()
        release.wait(120)
        con.execute("ROLLBACK")
        con.close()

    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: app.ws is not None)
        holder = threading.Thread(target=other_clerk, daemon=True)
        holder.start()
        assert taken.wait(60)
        try:
            worker = app.run_worker(lambda: app.ws.set_setting("committee_note", "等到了"), thread=True)
            await wait_for(pilot, lambda: _waiting_shown(app))
            assert not worker.is_finished  # still waiting while the clerk reads the notice
        finally:
            release.set()
        await worker.wait()
        holder.join(60)
        assert app.ws.get_setting("committee_note") == "等到了"


async def test_an_unhandled_error_ends_with_one_sentence_and_a_log(
        known_path, make_app, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    from grassroots_tui.services.errors import log_path
    from grassroots_tui.tui.app import GrassrootsApp

    def broken_help(self) -> None:  # noqa: ANN001
        raise RuntimeError(f"help broke for {PHONE}")

    monkeypatch.setattr(GrassrootsApp, "action_help", broken_help)
    shown: list[str] = []
    panic = GrassrootsApp.panic

    def recorded_panic(self, *renderables) -> None:  # noqa: ANN001, ANN002
        shown.extend(str(r) for r in renderables)
        panic(self, *renderables)

    monkeypatch.setattr(GrassrootsApp, "panic", recorded_panic)
    app = make_app(known_path)
    with pytest.raises(RuntimeError, match="help broke"):  # Pilot re-raises what ended the app
        async with app.run_test(size=(100, 30)) as pilot:
            await wait_for(pilot, lambda: app.ws is not None)
            await pilot.press("f1")
            await wait_for(pilot, lambda: not app.is_running)
    assert app.return_code == 1
    assert shown == [f"程序运行时出现意外错误，刚才的操作没有完成（详细情况已记入日志 {log_path()}）。"]
    text = log_path().read_text(encoding="utf-8")
    assert "Traceback (most recent call last)" in text and "in broken_help" in text
    assert PHONE not in text and "139****5678" in text
