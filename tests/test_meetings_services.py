"""Meeting services on a real SQLite file: the loop from concern to meeting to action and back."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from grassroots_tui.domain.codes import Action, Outcome, Satisfaction
from grassroots_tui.domain.errors import DomainError
from grassroots_tui.domain.pipeline import Request
from grassroots_tui.services import concerns as cs
from grassroots_tui.services import meetings as ms

TZ = ZoneInfo("Asia/Shanghai")


def at(m: int, d: int, hh: int = 14, mm: int = 30, y: int = 2026) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=TZ)


@pytest.fixture
def now(clock):  # noqa: ANN001, ANN201
    return clock.set(2026, 11, 30, 10, 0)  # Monday


def draft(**kw) -> ms.MeetingDraft:  # noqa: ANN003
    base = dict(type="consultation", topic="楼道堆物集中清理", start=at(12, 3), place="社区议事厅", chair="王主任")
    base.update(kw)
    return ms.MeetingDraft(**base)


def two_concerns(ws, clerk_id: int) -> list[str]:  # noqa: ANN001
    a = cs.log_concern(ws, clerk_id, cs.ConcernDraft(summary="3号楼楼道堆满杂物", category="0203"))
    b = cs.log_concern(ws, clerk_id, cs.ConcernDraft(summary="楼道杂物挡住消防通道", category="1102"))
    cs.act(ws, clerk_id, b.reference, Request(Action.HANDLE))
    return [a.reference, b.reference]


def people(ws, ref: str, n: int) -> list[int]:  # noqa: ANN001
    return [ms.add_participant(ws, ref, f"代表{i}", role="member").id for i in range(1, n + 1)]


def during(clock) -> datetime:  # noqa: ANN001
    """Ten minutes into the meeting of `draft()` (3 December, 14:30): check-in and votes are open."""
    return clock.set(2026, 12, 3, 14, 40)


def test_schedule_returns_reference_and_warnings(ws, clerk_id, now) -> None:  # noqa: ANN001
    first = ms.schedule_meeting(ws, clerk_id, draft())
    assert first.meeting.reference == "YS-2026-0001"
    assert first.meeting.end_at == at(12, 3, 16, 0)
    assert first.warnings == []  # Nov 30 -> Dec 3: exactly the three days the rule asks
    clash = ms.schedule_meeting(ws, clerk_id, draft(topic="停车位划线", start=at(12, 3, 15, 0), notice_date=date(2026, 11, 20)))
    assert any("会场冲突" in w and "YS-2026-0001" in w for w in clash.warnings)
    assert any("主持人冲突" in w for w in clash.warnings)
    assert ms.check_meeting(ws, draft(start=at(12, 3, 16, 30), notice_date=date(2026, 11, 20))) == []


def test_notice_across_the_month_end_and_a_meeting_on_a_saturday(ws, clerk_id, now) -> None:  # noqa: ANN001
    short = ms.schedule_meeting(ws, clerk_id, draft(start=at(12, 2)))  # notice Nov 30 -> Dec 2
    assert any("通知期只有 2 天" in w for w in short.warnings)
    saturday = ms.schedule_meeting(ws, clerk_id, draft(start=at(12, 5), place="二楼", chair="李书记"))
    assert any("不是工作日" in w and "周末" in w for w in saturday.warnings)


def test_listing_pages_by_date(ws, clerk_id, now) -> None:  # noqa: ANN001
    for day in (1, 2, 8, 15):
        ms.schedule_meeting(ws, clerk_id, draft(start=at(12, day), place=f"会场{day}"))
    rows = ms.list_meetings(ws, date(2026, 12, 1), date(2026, 12, 8))
    assert [r.start_at.day for r in rows] == [1, 2, 8]
    assert [r.start_at.day for r in ms.list_meetings(ws, date(2026, 12, 1), limit=2, offset=2)] == [8, 15]
    assert len(ms.upcoming_meetings(ws, limit=3)) == 3


def test_the_whole_loop(ws, clerk_id, now, clock) -> None:  # noqa: ANN001
    refs = two_concerns(ws, clerk_id)
    meeting = ms.schedule_meeting(ws, clerk_id, draft(notice_date=date(2026, 11, 25))).meeting
    for ref in refs:
        ms.add_agenda_concern(ws, clerk_id, meeting.reference, ref)
    with pytest.raises(DomainError, match="已在本次会议的议题中"):
        ms.add_agenda_concern(ws, clerk_id, meeting.reference, refs[0])
    timeline = cs.get_concern(ws, refs[0]).events
    assert timeline[-1].action == "agenda" and timeline[-1].data["meeting"] == meeting.reference

    ids = people(ws, meeting.reference, 9)
    ms.add_participant(ws, meeting.reference, "物业经理", role="observer", organisation="物业服务中心")
    clock.set(2026, 12, 3, 14, 20)
    quorum = None
    for pid in ids[:6]:
        quorum = ms.set_present(ws, meeting.reference, pid)
    assert quorum.reached and quorum.required == 6

    res = ms.add_resolution(ws, meeting.reference, "由物业在两周内清理楼道杂物，居委会督促")
    during(clock)
    with pytest.raises(DomainError, match="超过了实到的 6 人"):
        ms.record_vote(ws, clerk_id, res.id, 5, 1, 1)
    vote = ms.record_vote(ws, clerk_id, res.id, 5, 1, 0)
    assert vote.outcome == "passed" and vote.present == 6 and vote.entitled == 9

    action = ms.add_action_item(ws, clerk_id, res.id, "清理3号楼楼道杂物", unit="WY", due=date(2026, 12, 17))
    assert action.concern_reference.startswith("YD-2026-")
    yd = cs.get_concern(ws, action.concern_reference)
    assert yd.kind == "action_item" and yd.status == "dispatched"
    assert yd.feedback_due == datetime(2026, 12, 17, 23, 59, 59, tzinfo=TZ)

    clock.set(2026, 12, 10, 9, 0)
    moved = ms.complete_action_item(ws, clerk_id, action.id, "杂物已清运")
    assert sorted(moved) == sorted(refs)
    detail = ms.get_meeting(ws, meeting.reference)
    assert detail.resolutions[0].done_at is not None and detail.resolutions[0].actions[0].done
    for ref in refs:
        concern = cs.get_concern(ws, ref)
        assert concern.status == "awaiting_followup"
        last = concern.events[-1]
        assert last.action == "resolve" and "清理楼道杂物" in last.note
        assert last.data["action_items"] == [action.concern_reference]
        closed = cs.act(ws, clerk_id, ref, Request(Action.FOLLOWUP, outcome=Outcome.SOLVED,
                                                   satisfaction=Satisfaction.SATISFIED))
        assert closed.status == "closed"
    assert ms.publish_result(ws, res.id).result_published_at is not None


def test_failed_quorum_cannot_pass(ws, clerk_id, now, clock) -> None:  # noqa: ANN001
    meeting = ms.schedule_meeting(ws, clerk_id, draft(type="residents", notice_date=date(2026, 11, 25))).meeting
    ids = people(ws, meeting.reference, 10)
    during(clock)
    for pid in ids[:5]:  # exactly half: not more than half
        status = ms.set_present(ws, meeting.reference, pid)
    assert not status.reached and status.missing == 1
    res = ms.add_resolution(ws, meeting.reference, "同意加装电梯方案")
    vote = ms.record_vote(ws, clerk_id, res.id, 5, 0, 0)
    assert vote.outcome == "no_quorum"
    with pytest.raises(DomainError, match="尚未通过"):
        ms.add_action_item(ws, clerk_id, res.id, "报送加装电梯申请", due=date(2026, 12, 31))
    ms.set_present(ws, meeting.reference, ids[5])
    assert ms.record_vote(ws, clerk_id, res.id, 4, 2, 0).outcome == "passed"
    with pytest.raises(DomainError, match="不能再次表决"):
        ms.record_vote(ws, clerk_id, res.id, 6, 0, 0)


def test_resolution_on_one_item_moves_only_that_concern(ws, clerk_id, now, clock) -> None:  # noqa: ANN001
    refs = two_concerns(ws, clerk_id)
    meeting = ms.schedule_meeting(ws, clerk_id, draft(type="joint", notice_date=date(2026, 11, 20))).meeting
    for ref in refs:
        ms.add_agenda_concern(ws, clerk_id, meeting.reference, ref)
    pid = ms.add_participant(ws, meeting.reference, "物业经理", role="unit_rep").id
    during(clock)
    ms.set_present(ws, meeting.reference, pid)
    res = ms.add_resolution(ws, meeting.reference, "物业清理消防通道", agenda_position=2)
    assert ms.record_vote(ws, clerk_id, res.id, 1, 0, 0).outcome == "consensus"
    a1 = ms.add_action_item(ws, clerk_id, res.id, "清理消防通道", due=date(2026, 12, 10))
    a2 = ms.add_action_item(ws, clerk_id, res.id, "张贴告示", due=date(2026, 12, 10))
    assert ms.complete_action_item(ws, clerk_id, a1.id) == []  # one still open
    assert ms.complete_action_item(ws, clerk_id, a2.id) == [refs[1]]
    assert cs.get_concern(ws, refs[0]).status == "received"


def test_action_closed_from_the_ledger_is_picked_up(ws, clerk_id, now, clock) -> None:  # noqa: ANN001
    refs = two_concerns(ws, clerk_id)
    meeting = ms.schedule_meeting(ws, clerk_id, draft(type="joint", notice_date=date(2026, 11, 20))).meeting
    ms.add_agenda_concern(ws, clerk_id, meeting.reference, refs[0])
    during(clock)
    ms.set_present(ws, meeting.reference, ms.add_participant(ws, meeting.reference, "甲", role="unit_rep").id)
    res = ms.add_resolution(ws, meeting.reference, "限期清理")
    ms.record_vote(ws, clerk_id, res.id, 1)
    a = ms.add_action_item(ws, clerk_id, res.id, "清理", due=date(2026, 12, 10))
    for req in (Request(Action.REPORT, note="已清理"),
                Request(Action.FOLLOWUP, outcome=Outcome.SOLVED, satisfaction=Satisfaction.SATISFIED)):
        cs.act(ws, clerk_id, a.concern_reference, req)
    # Closing the last action item from the ledger moves the agenda concern in the same transaction.
    moved = cs.get_concern(ws, refs[0])
    assert moved.status == "awaiting_followup"
    assert moved.events[-1].action == "resolve"
    assert cs.get_concern(ws, refs[1]).status == "in_progress"  # not on the agenda
    assert ms.close_the_loop(ws, clerk_id) == []


def test_agenda_action_from_the_pipeline_also_creates_the_agenda_item(ws, clerk_id, now) -> None:  # noqa: ANN001
    refs = two_concerns(ws, clerk_id)
    meeting = ms.schedule_meeting(ws, clerk_id, draft(notice_date=date(2026, 11, 20))).meeting
    v = cs.act(ws, clerk_id, refs[1], Request(Action.AGENDA, meeting_ref=meeting.reference.lower()))
    assert v.status == "in_progress" and v.events[-1].action == "agenda"
    assert [a.title for a in ms.get_meeting(ws, meeting.reference).agenda] == ["楼道杂物挡住消防通道"]
    with pytest.raises(DomainError, match="已在本次会议"):
        cs.act(ws, clerk_id, refs[1], Request(Action.AGENDA, meeting_ref=meeting.reference))


def test_talk_meetings_do_not_vote_and_resolve_by_hand_is_refused(ws, clerk_id, now) -> None:  # noqa: ANN001
    talk = ms.schedule_meeting(ws, clerk_id, draft(type="talk", notice_date=date(2026, 11, 20))).meeting
    with pytest.raises(DomainError, match="不作表决"):
        ms.add_resolution(ws, talk.reference, "x")
    ref = two_concerns(ws, clerk_id)[0]
    with pytest.raises(DomainError, match="自动触发"):
        cs.act(ws, clerk_id, ref, Request(Action.RESOLVE, meeting_ref=talk.reference))


def test_a_failed_action_item_leaves_no_pipeline_entry_behind(ws, clerk_id, now, clock, monkeypatch) -> None:  # noqa: ANN001
    from sqlmodel import select

    from grassroots_tui.store.models import ActionItem, Concern

    meeting = ms.schedule_meeting(ws, clerk_id, draft(type="joint", notice_date=date(2026, 11, 20))).meeting
    during(clock)
    ms.set_present(ws, meeting.reference, ms.add_participant(ws, meeting.reference, "甲", role="unit_rep").id)
    res = ms.add_resolution(ws, meeting.reference, "限期清理")
    ms.record_vote(ws, clerk_id, res.id, 1)

    def broken(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise DomainError("模拟写入失败")

    monkeypatch.setattr(cs, "apply_change", broken)
    with pytest.raises(DomainError, match="模拟写入失败"):
        ms.add_action_item(ws, clerk_id, res.id, "清理", unit="WY", due=date(2026, 12, 10))
    with ws.read() as s:
        assert s.exec(select(Concern).where(Concern.kind == "action_item")).all() == []
        assert s.exec(select(ActionItem)).all() == []
