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


def test_late_call_backs_and_parked_reviews_show_on_the_dashboard(ws, clerk_id, clock) -> None:  # noqa: ANN001
    clock.set(2026, 11, 2, 9)  # Monday
    new = lambda summary: log_concern(ws, clerk_id, ConcernDraft(summary=summary, category="0801"))  # noqa: E731
    late, waiting, parked = new("楼道灯不亮"), new("水管漏水"), new("外墙脱落")
    for c in (late, waiting, parked):
        act(ws, clerk_id, c.reference, Request(Action.HANDLE))
    act(ws, clerk_id, late.reference, Request(Action.REPORT, note="已更换灯泡"))
    # Reported Mon 11-02: two working days, the call-back is due by the end of Wed 11-04.
    act(ws, clerk_id, parked.reference, Request(Action.PARK, note="等维修资金", until=at(2026, 11, 10).date()))
    clock.set(2026, 11, 4, 9)
    act(ws, clerk_id, waiting.reference, Request(Action.REPORT, note="已修好"))  # due Fri 11-06
    d = load_dashboard(ws)
    assert (d.followup_overdue, d.review_due) == (0, 0)
    assert [r.reference for r in d.due_soon] == [late.reference]  # its last day
    assert d.due_soon[0].status_label == "待回访"

    clock.set(2026, 11, 5, 9)  # Thursday: the first call-back is late
    d = load_dashboard(ws)
    assert d.followup_overdue == 1 and [r.reference for r in d.overdue] == [late.reference]
    assert d.overdue_count == 1 and d.awaiting_followup == 2

    clock.set(2026, 11, 10, 9)  # the parked concern's review day; the second call-back is late too
    d = load_dashboard(ws)
    assert d.review_due == 1 and d.followup_overdue == 2
    assert {r.reference: r.status_label for r in d.due_soon} == {parked.reference: "待复核"}
    # Called back: it leaves the lists.
    act(ws, clerk_id, late.reference, Request(Action.FOLLOWUP, outcome=Outcome.SOLVED,
                                              satisfaction=Satisfaction.SATISFIED))
    assert late.reference not in {r.reference for r in load_dashboard(ws).overdue}
