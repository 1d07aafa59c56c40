"""The dashboard's figures over a known database."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from grassroots_tui.domain.codes import Action, Outcome, Satisfaction
from grassroots_tui.domain.pipeline import Request
from grassroots_tui.services.concerns import ConcernDraft, act, log_concern
from grassroots_tui.services.dashboard import load_dashboard
from grassroots_tui.store.models import Meeting

TZ = ZoneInfo("Asia/Shanghai")


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=TZ)


def test_counts_lists_and_todays_meetings(ws, clerk_id, clock) -> None:  # noqa: ANN001
    clock.set(2026, 10, 14, 10)
    new = lambda when, **kw: log_concern(ws, clerk_id, ConcernDraft(summary=kw.pop("summary", "漏水"),  # noqa: E731
                                                                    category="0801", received_at=when, **kw))
    old = new(at(2026, 9, 30, 10))                      # dispatch due Oct 8: overdue
    soon = new(at(2026, 10, 13, 10))                    # dispatch due end of Oct 14: due soon today
    fine = new(at(2026, 10, 14, 9))                     # dispatch due Oct 15: fine
    done = new(at(2026, 10, 9, 9))
    act(ws, clerk_id, done.reference, Request(Action.HANDLE), at=at(2026, 10, 9, 10))
    act(ws, clerk_id, done.reference, Request(Action.REPORT, note="好了"), at=at(2026, 10, 10, 10))
    act(ws, clerk_id, done.reference, Request(Action.FOLLOWUP, outcome=Outcome.SOLVED,
                                              satisfaction=Satisfaction.SATISFIED), at=at(2026, 10, 12, 10))
    with ws.write() as s:
        s.add(Meeting(reference="YS-2026-0001", type="consultation", topic="加装电梯议事", start_at=at(2026, 10, 14, 14),
                      end_at=at(2026, 10, 14, 15, 30), created_at=at(2026, 10, 1)))
        s.add(Meeting(reference="YS-2026-0002", type="talk", topic="明天的会", start_at=at(2026, 10, 15, 14),
                      end_at=at(2026, 10, 15, 15), created_at=at(2026, 10, 1)))
    d = load_dashboard(ws)
    assert (d.intake_this_month, d.closed_this_month) == (3, 1)  # Sept intake is last month
    assert (d.overdue_count, d.due_soon_count, d.open_total) == (1, 1, 3)
    assert [r.reference for r in d.overdue] == [old.reference]
    assert [r.reference for r in d.due_soon] == [soon.reference]
    assert fine.reference not in {r.reference for r in d.overdue + d.due_soon}
    assert [m.topic for m in d.meetings_today] == ["加装电梯议事"]
    assert d.month_label == "2026年10月"
