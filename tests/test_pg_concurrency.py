"""Several clerks' PCs at once on one PostgreSQL database (issue 11): six processes write at the same
time; no reference number is handed out twice and no update is lost."""

from __future__ import annotations

import multiprocessing as mp

PROCESSES = 6
EACH = 8


def _at_once(target, args: list[tuple], timeout: float) -> list:  # noqa: ANN001
    """Start one process per `args`, release them together, and return what each put in the queue."""
    ctx = mp.get_context("spawn")
    start, results = ctx.Event(), ctx.Queue()
    procs = [ctx.Process(target=target, args=(*a, start, results)) for a in args]
    for p in procs:
        p.start()
    start.set()
    got = [results.get(timeout=timeout) for _ in procs]
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    return got


def _clerk_pc(url: str, shared: str, start, results) -> None:  # noqa: ANN001
    from grassroots_tui.domain.codes import Action, Supervision
    from grassroots_tui.domain.errors import StaleVersion
    from grassroots_tui.domain.pipeline import Request
    from grassroots_tui.services.clerks import current_clerk
    from grassroots_tui.services.concerns import ConcernDraft, act, get_concern, log_concern
    from grassroots_tui.services.workspace import Workspace

    ws = Workspace.open(url)
    try:
        clerk = current_clerk(ws).id
        start.wait()
        refs, changes = [], 0
        for i in range(EACH):
            refs.append(log_concern(ws, clerk, ConcernDraft(summary=f"并发登记 {i}", category="0801")).reference)
            while True:  # supervise the shared concern, as a clerk retries after "刚被其他人修改过"
                seen = get_concern(ws, shared, with_events=False)
                level = Supervision.YELLOW if seen.supervision != "yellow" else Supervision.RED
                try:
                    act(ws, clerk, shared, Request(Action.SUPERVISE, supervision=level), expected_version=seen.version)
                    changes += 1
                    break
                except StaleVersion:
                    continue
        results.put((refs, changes))
    finally:
        ws.close()


def test_six_pcs_at_once_lose_nothing(pg_url: str, clock) -> None:  # noqa: ANN001
    from grassroots_tui.config import resolve_db_path
    from grassroots_tui.services.clerks import current_clerk
    from grassroots_tui.services.concerns import ConcernDraft, get_concern, log_concern
    from grassroots_tui.services.workspace import Workspace

    url = resolve_db_path(pg_url)
    ws = Workspace.open(url)
    shared = log_concern(ws, current_clerk(ws).id, ConcernDraft(summary="大家都在督办的诉求", category="0801")).reference
    got = _at_once(_clerk_pc, [(url, shared)] * PROCESSES, timeout=240)
    refs = [r for rs, _n in got for r in rs]
    assert len(refs) == len(set(refs)) == PROCESSES * EACH
    numbers = sorted(int(r.rsplit("-", 1)[1]) for r in refs)
    assert numbers == list(range(2, PROCESSES * EACH + 2))  # after the shared one: none skipped, none twice
    changes = sum(n for _r, n in got)
    view = get_concern(ws, shared)
    assert changes == PROCESSES * EACH
    assert view.version == 1 + changes  # every supervision counted, none overwritten
    assert [e.action for e in view.events].count("supervise") == changes
    ws.close()


ROUNDS = 4
MEETING_TIME = "2026-12-03T14:40:00+08:00"  # ten minutes into the meeting: check-in and votes open


def _finish(url: str, action_id: int, start, results) -> None:  # noqa: ANN001
    from datetime import datetime

    from grassroots_tui.services.clerks import current_clerk
    from grassroots_tui.services.meetings import complete_action_item
    from grassroots_tui.services.workspace import Workspace

    fixed = datetime.fromisoformat(MEETING_TIME)
    ws = Workspace.open(url, clock=lambda: fixed)
    try:
        clerk = current_clerk(ws).id
        start.wait()
        results.put(complete_action_item(ws, clerk, action_id, "已完成"))
    finally:
        ws.close()


def test_the_last_two_action_items_closed_at_once_close_the_loop(pg_url: str, clock) -> None:  # noqa: ANN001
    from datetime import date, datetime
    from zoneinfo import ZoneInfo

    from grassroots_tui.config import resolve_db_path
    from grassroots_tui.services import meetings as ms
    from grassroots_tui.services.clerks import current_clerk
    from grassroots_tui.services.concerns import ConcernDraft, get_concern, log_concern
    from grassroots_tui.services.workspace import Workspace

    url = resolve_db_path(pg_url)
    clock.set(2026, 11, 30, 10)
    ws = Workspace.open(url, clock=clock)
    clerk = current_clerk(ws).id
    try:
        for n in range(ROUNDS):
            clock.set(2026, 11, 30, 10)
            concern = log_concern(ws, clerk, ConcernDraft(summary=f"楼道堆物 {n}", category="0801")).reference
            meeting = ms.schedule_meeting(ws, clerk, ms.MeetingDraft(
                type="joint", topic=f"堆物清理 {n}", start=datetime(2026, 12, 3, 14, 30, tzinfo=ZoneInfo("Asia/Shanghai")),
                place=f"议事厅{n}", chair=f"主持人{n}", notice_date=date(2026, 11, 20))).meeting.reference
            ms.add_agenda_concern(ws, clerk, meeting, concern)
            clock.now = datetime.fromisoformat(MEETING_TIME)
            ms.set_present(ws, meeting, ms.add_participant(ws, meeting, "物业代表", role="unit_rep").id)
            res = ms.add_resolution(ws, meeting, "限期清理楼道")
            ms.record_vote(ws, clerk, res.id, 1)
            items = [ms.add_action_item(ws, clerk, res.id, f"清理{k}单元", due=date(2026, 12, 17)).id for k in (1, 2)]
            moved = _at_once(_finish, [(url, i) for i in items], timeout=120)
            # Whichever finished last saw both done and moved the agenda concern, exactly once.
            assert sorted(len(m) for m in moved) == [0, 1], moved
            view = get_concern(ws, concern)
            assert view.status == "awaiting_followup" and [e.action for e in view.events].count("resolve") == 1
    finally:
        ws.close()
