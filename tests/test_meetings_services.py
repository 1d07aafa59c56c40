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
    cs.act(ws, clerk_id, a.concern_reference, Request(Action.REPORT, note="已清理"))
    # An action item is not followed up with a resident: it is confirmed done, and keeps no follow-up.
    assert "followup" not in cs.get_concern(ws, a.concern_reference).allowed_actions
    with pytest.raises(DomainError, match="确认完成"):
        cs.act(ws, clerk_id, a.concern_reference,
               Request(Action.FOLLOWUP, outcome=Outcome.SOLVED, satisfaction=Satisfaction.SATISFIED))
    done = cs.act(ws, clerk_id, a.concern_reference, Request(Action.CONFIRM, note="现场已清理干净"))
    assert done.status == "closed" and (done.followup_outcome, done.followup_satisfaction) == (None, None)
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


# ---------------------------------------------------------------- meetings happen in order (issue 10)

def test_no_check_in_before_the_window_and_no_vote_before_the_start(ws, clerk_id, now, clock) -> None:  # noqa: ANN001
    meeting = ms.schedule_meeting(ws, clerk_id, draft(notice_date=date(2026, 11, 25))).meeting  # 12-03 14:30
    ids = people(ws, meeting.reference, 3)
    res = ms.add_resolution(ws, meeting.reference, "同意清理方案")
    with pytest.raises(DomainError, match=r"签到尚未开始：会议 12月3日 14:30 开始，12月3日 13:30 起才能签到"):
        ms.set_present(ws, meeting.reference, ids)  # days before
    clock.set(2026, 12, 3, 13, 29)
    with pytest.raises(DomainError, match="签到尚未开始"):
        ms.set_present(ws, meeting.reference, ids[0])
    assert ms.get_meeting(ws, meeting.reference).status == "planned"  # not "held" by a refused check-in
    clock.set(2026, 12, 3, 13, 30)  # the window opens at exactly 60 minutes before
    assert ms.set_present(ws, meeting.reference, ids).present == 3
    with pytest.raises(DomainError, match="会议尚未开始（12月3日 14:30 开始），会议开始后才能表决"):
        ms.record_vote(ws, clerk_id, res.id, 3)
    with pytest.raises(DomainError, match="还不能标记为已召开"):
        ms.update_status(ws, ms.schedule_meeting(ws, clerk_id, draft(start=at(12, 4), place="二楼", chair="李")
                                                 ).meeting.reference, "held")
    clock.set(2026, 12, 3, 14, 30)
    assert ms.record_vote(ws, clerk_id, res.id, 3).outcome == "passed"


def test_the_windows_are_read_per_meeting_type(ws, clerk_id, now, clock) -> None:  # noqa: ANN001
    from grassroots_tui.domain.meetings import load_rules

    rules = load_rules({"committee": {"checkin_opens_minutes": 15, "vote_opens_minutes": 5,
                                      "quorum": {"ratio": "1/2"}, "passing": {"ratio": "1/2"}}})
    ws._meeting_rules = {**ms.meeting_rules(ws), **rules}
    assert ms.meeting_rules(ws)["residents"].checkin_opens_minutes == 90  # data/meeting_rules.toml
    meeting = ms.schedule_meeting(ws, clerk_id, draft(type="committee")).meeting
    pid = people(ws, meeting.reference, 1)[0]
    res = ms.add_resolution(ws, meeting.reference, "x")
    clock.set(2026, 12, 3, 14, 14)
    with pytest.raises(DomainError, match="14:15 起才能签到"):
        ms.set_present(ws, meeting.reference, pid)
    clock.set(2026, 12, 3, 14, 20)
    ms.set_present(ws, meeting.reference, pid)
    with pytest.raises(DomainError, match="12月3日 14:25起才能表决"):
        ms.record_vote(ws, clerk_id, res.id, 1)
    clock.set(2026, 12, 3, 14, 25)
    assert ms.record_vote(ws, clerk_id, res.id, 1).outcome == "passed"
    with pytest.raises(DomainError, match="checkin_opens_minutes"):
        load_rules({"talk": {"checkin_opens_minutes": -5}})


def _voted(ws, clerk_id, clock, concern_refs=()):  # noqa: ANN001, ANN202
    meeting = ms.schedule_meeting(ws, clerk_id, draft(type="joint", notice_date=date(2026, 11, 20))).meeting
    for ref in concern_refs:
        ms.add_agenda_concern(ws, clerk_id, meeting.reference, ref)
    during(clock)
    ms.set_present(ws, meeting.reference, ms.add_participant(ws, meeting.reference, "物业经理", role="unit_rep").id)
    res = ms.add_resolution(ws, meeting.reference, "物业清理消防通道")
    ms.record_vote(ws, clerk_id, res.id, 1)
    return meeting.reference, res


def test_a_vote_recorded_in_error_is_voided_with_a_reason_never_deleted(ws, clerk_id, now, clock) -> None:  # noqa: ANN001
    from sqlalchemy.exc import DatabaseError
    from sqlmodel import select

    from grassroots_tui.store.models import MeetingEvent, Vote

    ref, res = _voted(ws, clerk_id, clock)
    with pytest.raises(DomainError, match="请填写作废原因|作废原因"):
        ms.void_vote(ws, clerk_id, res.id, "  ")
    after = ms.void_vote(ws, clerk_id, res.id, "票数录错了，实为反对 1 票")
    assert after.status == "draft" and after.vote is None  # not counted
    (voided,) = after.voided_votes
    assert voided.voided and voided.void_reason == "票数录错了，实为反对 1 票" and voided.votes_for == 1
    with pytest.raises(DomainError, match="没有可作废的表决记录"):
        ms.void_vote(ws, clerk_id, res.id, "再来一次")
    # voted again, correctly: this is the vote that counts, the voided one still shown
    assert ms.record_vote(ws, clerk_id, res.id, 0, 1).outcome == "failed"
    detail = ms.get_meeting(ws, ref).resolutions[0]
    assert detail.vote.outcome == "failed" and len(detail.voided_votes) == 1
    with ws.read() as s:
        assert len(s.exec(select(Vote)).all()) == 2  # nothing deleted
        events = s.exec(select(MeetingEvent)).all()
    assert [(e.action, e.note) for e in events] == [("void_vote", "票数录错了，实为反对 1 票")]
    assert ms.get_meeting(ws, ref).events[0].action_label == "表决作废"
    with pytest.raises(DatabaseError), ws.write() as s:  # the history is append-only
        s.exec(select(MeetingEvent)).one()
        s.connection().exec_driver_sql("DELETE FROM meeting_event")


def test_a_resolution_recorded_in_error_is_voided_and_no_longer_counts(ws, clerk_id, now, clock) -> None:  # noqa: ANN001
    ref, res = _voted(ws, clerk_id, clock)
    voided = ms.void_resolution(ws, clerk_id, res.id, "与决议 2 重复")
    assert voided.voided and voided.status_label == "已作废" and not voided.carried
    assert voided.vote is not None  # its vote kept, as it was
    for refused, call in (("不能表决", lambda: ms.record_vote(ws, clerk_id, res.id, 1)),
                          ("只有通过的决议才能公示", lambda: ms.publish_resolution(ws, res.id)),
                          ("尚未通过", lambda: ms.add_action_item(ws, clerk_id, res.id, "x", due=date(2026, 12, 9))),
                          ("已作废", lambda: ms.void_resolution(ws, clerk_id, res.id, "again"))):
        with pytest.raises(DomainError, match=refused):
            call()
    from grassroots_tui.io import paper

    m = ms.get_meeting(ws, ref)
    assert "【已作废：与决议 2 重复】" in paper.minutes(m, "社区")
    assert "物业清理消防通道" not in paper.resolution_notice(m, "社区")


def test_a_resolution_with_action_items_cannot_lose_its_vote(ws, clerk_id, now, clock) -> None:  # noqa: ANN001
    _ref, res = _voted(ws, clerk_id, clock)
    action = ms.add_action_item(ws, clerk_id, res.id, "清理", due=date(2026, 12, 10))
    for call in (ms.void_vote, ms.void_resolution):
        with pytest.raises(DomainError, match=f"已分解议定事项 {action.concern_reference}"):
            call(ws, clerk_id, res.id, "录错")


def test_a_resolution_needing_no_action_item_is_carried_out_and_closes_the_loop(ws, clerk_id, now, clock) -> None:  # noqa: ANN001
    refs = two_concerns(ws, clerk_id)
    ref, res = _voted(ws, clerk_id, clock, refs)
    moved = ms.carry_out_resolution(ws, clerk_id, res.id, "已在会上当场答复")
    assert sorted(moved) == sorted(refs)
    for concern_ref in refs:
        concern = cs.get_concern(ws, concern_ref)
        assert concern.status == "awaiting_followup" and concern.events[-1].action == "resolve"
        assert "已在会上当场答复" in concern.events[-1].note
    detail = ms.get_meeting(ws, ref)
    assert detail.resolutions[0].carried_out and detail.events[-1].action == "carried_out"
    with pytest.raises(DomainError, match="已落实"):
        ms.carry_out_resolution(ws, clerk_id, res.id)
    with pytest.raises(DomainError, match="已落实"):
        ms.void_vote(ws, clerk_id, res.id, "录错")
    assert ms.publish_result(ws, res.id).result_published_at is not None
    from grassroots_tui.io import paper

    assert "落实" in paper.result_notice(ms.get_meeting(ws, ref), "社区")
    # a resolution with an action item is carried out by its last action item, not by hand
    other = ms.add_resolution(ws, ref, "张贴告示")
    ms.record_vote(ws, clerk_id, other.id, 1)
    ms.add_action_item(ws, clerk_id, other.id, "张贴", due=date(2026, 12, 10))
    with pytest.raises(DomainError, match="全部办结后自动落实"):
        ms.carry_out_resolution(ws, clerk_id, other.id)
    failed = ms.add_resolution(ws, ref, "否决的")
    ms.record_vote(ws, clerk_id, failed.id, 0, 1)
    with pytest.raises(DomainError, match="只有通过的决议才能标记落实"):
        ms.carry_out_resolution(ws, clerk_id, failed.id)


def test_reschedule_recomputes_warnings_and_keeps_the_old_time(ws, clerk_id, now, clock) -> None:  # noqa: ANN001
    first = ms.schedule_meeting(ws, clerk_id, draft()).meeting
    other = ms.schedule_meeting(ws, clerk_id, draft(topic="停车", start=at(12, 8), place="二楼", chair="李书记",
                                                    notice_date=date(2026, 11, 20))).meeting
    clock.set(2026, 11, 30, 11, 0)
    moved = ms.reschedule_meeting(ws, clerk_id, first.reference, at(12, 8, 15, 0), place="二楼", note="会场维修")
    assert moved.meeting.start_at == at(12, 8, 15, 0) and moved.meeting.end_at == at(12, 8, 16, 30)
    assert moved.meeting.chair == "王主任" and moved.meeting.version == first.version + 1
    assert any("会场冲突" in w and other.reference in w for w in moved.warnings)
    assert moved.meeting.updated_at == datetime(2026, 11, 30, 11, 0, tzinfo=TZ)
    event = moved.meeting.events[-1]
    assert event.action == "rescheduled" and event.note == "会场维修"
    again = ms.reschedule_meeting(ws, clerk_id, first.reference, at(12, 6, 9, 0))  # a Sunday, same instant
    assert any("周末" in w for w in again.warnings)
    assert again.meeting.updated_at > moved.meeting.updated_at  # LAST-MODIFIED goes up even so
    ms.update_status(ws, first.reference, "cancelled", "取消：天气", actor_id=clerk_id)
    with pytest.raises(DomainError, match="已取消，不能改期"):
        ms.reschedule_meeting(ws, clerk_id, first.reference, at(12, 9))
    assert ms.get_meeting(ws, first.reference).events[-1].action == "cancelled"
