"""A small database whose dashboard figures are known, for the TUI tests and for trying the app.

The clock stands at Monday 2026-10-12 10:00 (Asia/Shanghai), the week after the National Day
holiday. Working days around it: Sep 30, Oct 8, 9, 10 (a Saturday worked in exchange), 12, 13 ...
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 10, 12, 10, 0, tzinfo=TZ)
MARKUP_SUMMARY = "[red]危险[/red] 楼道电线裸露"


def at(month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=TZ)


@dataclass(frozen=True)
class Expected:
    intake_this_month: int
    closed_this_month: int
    open_total: int
    overdue_count: int
    due_soon_count: int
    awaiting_followup: int
    parked: int
    problem_cases: int


# What the dashboard must show at NOW for the database `build` writes (worked out by hand below).
EXPECTED = Expected(
    intake_this_month=5,  # C, D, E, F, G received in October
    closed_this_month=1,  # E closed on Oct 9
    open_total=6,  # A, B, C, D, F, G (E closed)
    overdue_count=2,  # A (dispatch due Oct 8), C (dispatch due Oct 10, the worked Saturday)
    due_soon_count=2,  # B (feedback due Oct 14, due soon from Oct 11), F (emergency, due 10:10)
    awaiting_followup=0,
    parked=0,
    problem_cases=0,
)


class FixedClock:
    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def build(path: Path, clock: FixedClock | None = None) -> None:
    """Write the known concerns with the services, then close the database."""
    from grassroots_tui.domain.codes import Action, Outcome, Satisfaction
    from grassroots_tui.domain.pipeline import Request
    from grassroots_tui.services.clerks import add_clerk, current_clerk
    from grassroots_tui.services.concerns import ConcernDraft, act, log_concern
    from grassroots_tui.services.workspace import Workspace

    ws = Workspace.open(path, clock=clock or FixedClock())
    try:
        me = current_clerk(ws).id
        add_clerk(ws, "李晓梅")
        add_clerk(ws, "王建国", role="网格员")

        def log(summary: str, received: datetime, category: str = "0801", **kw) -> str:  # noqa: ANN003
            draft = ConcernDraft(summary=summary, category=category, received_at=received, **kw)
            return log_concern(ws, me, draft).reference

        # A: ordinary, Sep 30, never dispatched: dispatch due Oct 8 23:59:59 -> overdue.
        log("三号楼楼上漏水渗到楼下", at(9, 30))
        # B: ordinary, Sep 29, dispatched at once: feedback due Oct 14 -> due soon on Oct 12.
        b = log("小区东门路灯不亮", at(9, 29), category="0302")
        act(ws, me, b, Request(Action.DISPATCH, unit_code="WY"), at=at(9, 29, 10))
        # C: ordinary, Fri Oct 9, not dispatched: due end of Sat Oct 10 (worked) -> overdue.
        log(MARKUP_SUMMARY, at(10, 9), category="1102")
        # D: ordinary, today 09:00, not dispatched: due tomorrow -> neither.
        log("咨询老年助餐办理手续", at(10, 12, 9), category="1003")
        # E: handled in-house Oct 8, reported and followed up Oct 9 -> closed this month.
        e = log("楼道堆放杂物", at(10, 8), category="0203")
        act(ws, me, e, Request(Action.HANDLE), at=at(10, 8, 10))
        act(ws, me, e, Request(Action.REPORT, note="已清理"), at=at(10, 9, 9))
        act(ws, me, e, Request(Action.FOLLOWUP, outcome=Outcome.SOLVED, satisfaction=Satisfaction.SATISFIED),
            at=at(10, 9, 15))
        # F: emergency, today 09:10: dispatch due 10:10, due soon from 09:58 -> due soon.
        log("燃气味道很重", at(10, 12, 9, 10), category="0403", urgency="emergency")
        # G: ordinary, today 09:30, dispatched at once: feedback due Oct 21 -> neither.
        g = log("宠物狗夜间吠叫", at(10, 12, 9, 30), category="0803")
        act(ws, me, g, Request(Action.DISPATCH, unit_code="WY"), at=at(10, 12, 9, 40))
    finally:
        ws.close()
