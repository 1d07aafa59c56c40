"""Concern use cases against a real SQLite file: events, deadlines, versions, atomicity."""

from __future__ import annotations

import sqlite3
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from grassroots_tui.domain.codes import Action, Outcome, Satisfaction, Supervision
from grassroots_tui.domain.errors import DomainError, NotFound, StaleVersion
from grassroots_tui.domain.pipeline import Request
from grassroots_tui.services.concern_list import ConcernFilter, list_concerns
from grassroots_tui.services.concerns import ConcernDraft, act, get_concern, log_concern
from grassroots_tui.services.residents import ResidentDraft, add_resident
from grassroots_tui.store.models import ConcernEvent

TZ = ZoneInfo("Asia/Shanghai")


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=TZ)


def leak(ws, clerk_id: int, **kw):  # noqa: ANN001, ANN201
    draft = dict(summary="楼上卫生间漏水到我家", category="0801", received_at=at(2026, 9, 30, 10, 0))
    draft.update(kw)
    return log_concern(ws, clerk_id, ConcernDraft(**draft))


def test_intake_numbers_and_sets_both_deadlines(ws, clerk_id, clock) -> None:  # noqa: ANN001
    clock.set(2026, 9, 30, 11)
    v = leak(ws, clerk_id)
    assert v.reference == "SQ-2026-000001"
    assert v.status == "received" and v.urgency == "ordinary"
    assert v.dispatch_due == at(2026, 10, 8, 23, 59, 59)
    assert v.feedback_due == v.feedback_due_original == at(2026, 10, 15, 23, 59, 59)
    assert [e.action for e in v.events] == ["receive"]
    assert v.events[0].actor == "值班工作人员"


def test_category_decides_default_urgency(ws, clerk_id, clock) -> None:  # noqa: ANN001
    clock.set(2026, 9, 30, 11)
    v = leak(ws, clerk_id, category="0401", summary="停水")
    assert v.urgency == "utilities"
    assert v.feedback_due == at(2026, 10, 1, 10, 0)


def test_references_are_unique_and_never_reused(ws, clerk_id, clock) -> None:  # noqa: ANN001
    clock.set(2026, 12, 31, 12)
    refs = [leak(ws, clerk_id, received_at=at(2026, 12, 31, 9, i)).reference for i in range(3)]
    assert refs == ["SQ-2026-000001", "SQ-2026-000002", "SQ-2026-000003"]
    with pytest.raises(DomainError):  # a failed intake does not consume a number
        leak(ws, clerk_id, category="9999")
    clock.set(2027, 1, 2, 9)
    assert leak(ws, clerk_id, received_at=at(2027, 1, 2, 8)).reference == "SQ-2027-000001"
    assert leak(ws, clerk_id, received_at=at(2026, 12, 31, 17)).reference == "SQ-2026-000004"
    con = sqlite3.connect(ws.path)
    with pytest.raises(sqlite3.IntegrityError):
        con.execute("INSERT INTO concern (reference, kind, channel, nature, category_code, summary, detail, estate,"
                    " building, unit_no, room, location_text, urgency, supervision, status, received_at,"
                    " dispatch_due, feedback_due, feedback_due_original, rework_count, return_count,"
                    " extension_count, followup_count, excluded, excluded_reason, followup_note, updated_at,"
                    " version) SELECT reference, kind, channel, nature, category_code, summary, detail, estate,"
                    " building, unit_no, room, location_text, urgency, supervision, status, received_at,"
                    " dispatch_due, feedback_due, feedback_due_original, 0,0,0,0,0,'','', updated_at, 1"
                    " FROM concern LIMIT 1")
    con.close()


def test_full_loop_with_rework_keeps_every_event(ws, clerk_id, clock) -> None:  # noqa: ANN001
    clock.set(2026, 10, 30, 12)
    ref = leak(ws, clerk_id).reference
    steps = [
        (at(2026, 9, 30, 11), Request(Action.DISPATCH, unit_code="WY")),
        (at(2026, 9, 30, 14), Request(Action.SIGN)),
        (at(2026, 10, 9, 10), Request(Action.EXTEND, note="需协调楼上住户", until=date(2026, 10, 22))),
        (at(2026, 10, 12, 10), Request(Action.REPORT, note="已更换防水层")),
        (at(2026, 10, 13, 10), Request(Action.FOLLOWUP, outcome=Outcome.UNSOLVED,
                                       satisfaction=Satisfaction.DISSATISFIED, note="仍在漏")),
        (at(2026, 10, 16, 10), Request(Action.REPORT, note="重新处理")),
        (at(2026, 10, 17, 10), Request(Action.FOLLOWUP, outcome=Outcome.SOLVED, satisfaction=Satisfaction.SATISFIED)),
    ]
    for when, request in steps:
        v = act(ws, clerk_id, ref, request, at=when)
    assert v.status == "closed" and v.rework_count == 1 and v.extension_count == 1
    assert v.feedback_due == at(2026, 10, 22, 23, 59, 59)
    assert v.feedback_due_original == at(2026, 10, 15, 23, 59, 59)
    assert [e.action for e in v.events] == ["receive", "dispatch", "sign", "extend", "report", "followup",
                                            "report", "followup"]
    assert [e.to_status for e in v.events][-4:] == ["awaiting_followup", "in_progress", "awaiting_followup", "closed"]
    extend = v.events[3]
    assert (extend.deadline_before, extend.deadline_after) == (at(2026, 10, 15, 23, 59, 59), at(2026, 10, 22, 23, 59, 59))
    assert v.events[5].data == {"outcome": "unsolved", "satisfaction": "dissatisfied"}
    assert v.followup_satisfaction == "satisfied" and v.due_at is None and v.deadline_state == "none"


def test_refused_action_changes_nothing(ws, clerk_id, clock) -> None:  # noqa: ANN001
    clock.set(2026, 10, 1, 9)
    ref = leak(ws, clerk_id).reference
    with pytest.raises(DomainError, match="不能签收"):
        act(ws, clerk_id, ref, Request(Action.SIGN))
    with pytest.raises(DomainError, match="承办单位"):
        act(ws, clerk_id, ref, Request(Action.DISPATCH, unit_code="NOPE"))
    v = get_concern(ws, ref)
    assert v.status == "received" and v.version == 1 and len(v.events) == 1


def test_second_writer_with_a_stale_version_is_refused(ws, clerk_id, clock) -> None:  # noqa: ANN001
    clock.set(2026, 10, 1, 9)
    ref = leak(ws, clerk_id).reference
    seen_by_both = get_concern(ws, ref).version
    act(ws, clerk_id, ref, Request(Action.DISPATCH, unit_code="WY"), expected_version=seen_by_both)
    with pytest.raises(StaleVersion, match="刚被其他人修改"):
        act(ws, clerk_id, ref, Request(Action.SUPERVISE, supervision=Supervision.RED), expected_version=seen_by_both)
    v = get_concern(ws, ref)
    assert v.status == "dispatched" and v.supervision == "none" and len(v.events) == 2


def test_merge_links_to_the_target(ws, clerk_id, clock) -> None:  # noqa: ANN001
    clock.set(2026, 10, 1, 9)
    first = leak(ws, clerk_id).reference
    second = leak(ws, clerk_id, summary="同一处漏水").reference
    v = act(ws, clerk_id, second, Request(Action.MERGE, merge_into=first.lower()))
    assert v.status == "merged" and v.events[-1].data == {"merged_into": first}
    with pytest.raises(NotFound):
        act(ws, clerk_id, first, Request(Action.MERGE, merge_into="SQ-2026-999999"))


def test_event_log_is_append_only(ws, clerk_id, clock) -> None:  # noqa: ANN001
    clock.set(2026, 10, 1, 9)
    leak(ws, clerk_id)
    with pytest.raises(IntegrityError, match="append-only"):
        with ws.write() as s:
            ev = s.exec(select(ConcernEvent)).first()
            ev.note = "rewritten history"
    with pytest.raises(IntegrityError, match="append-only"):
        with ws.write() as s:
            s.delete(s.exec(select(ConcernEvent)).first())


def test_overdue_is_derived_from_the_clock(ws, clerk_id, clock) -> None:  # noqa: ANN001
    clock.set(2026, 10, 8, 9)
    ref = leak(ws, clerk_id).reference
    assert get_concern(ws, ref).deadline_state == "due_soon"
    clock.set(2026, 10, 9, 9)
    assert get_concern(ws, ref).deadline_state == "overdue"
    assert [v.reference for v in list_concerns(ws, ConcernFilter(overdue=True))] == [ref]
    act(ws, clerk_id, ref, Request(Action.HANDLE))
    assert get_concern(ws, ref).deadline_state == "ok"
    assert list_concerns(ws, ConcernFilter(overdue=True)) == []


def test_resident_text_is_stored_verbatim(ws, clerk_id, clock) -> None:  # noqa: ANN001
    clock.set(2026, 10, 1, 9)
    nasty = "[red]危险[/red] [link=http://x]点我[/link] \x1b[31m红\x1b[0m 🙂"
    v = leak(ws, clerk_id, summary="[b]漏水", detail=nasty * 50)
    got = get_concern(ws, v.reference)
    assert got.summary == "[b]漏水" and got.detail == (nasty * 50).strip()


def test_concern_linked_to_resident_by_phone_takes_the_address(ws, clerk_id, clock) -> None:  # noqa: ANN001
    clock.set(2026, 10, 1, 9)
    add_resident(ws, clerk_id, ResidentDraft(name="张三丰", phone="13812345678", address="3-2-301", estate="幸福里"))
    v = leak(ws, clerk_id, resident_phone="138 1234 5678")
    assert v.resident_name == "张三丰" and v.resident_phone_masked == "138****5678"
    assert v.location == "幸福里 3-2-301"
    with pytest.raises(NotFound, match="没有登记"):
        leak(ws, clerk_id, resident_phone="13900000000")


def test_list_searches_like_the_ledger(ws, clerk_id, clock) -> None:  # noqa: ANN001
    clock.set(2026, 10, 1, 9)
    add_resident(ws, clerk_id, ResidentDraft(name="张三丰", phone="13812345678", address="3-2-301", estate="幸福里"))
    leaky = leak(ws, clerk_id, resident_phone="13812345678")
    dark = leak(ws, clerk_id, summary="路灯不亮", category="0302")
    search = lambda text: [v.reference for v in list_concerns(ws, ConcernFilter(search=text))]  # noqa: E731
    assert search("漏") == [leaky.reference]          # one character
    assert search("灯") == [dark.reference]
    assert search("三丰") == [leaky.reference]        # the resident's name
    assert search("幸福里") == [leaky.reference]      # the address
    assert search("SQ-2026-000002") == [dark.reference]


def test_an_action_recorded_later_keeps_the_order_of_the_history(ws, clerk_id, clock) -> None:  # noqa: ANN001
    from datetime import timedelta

    clock.set(2026, 9, 30, 15)
    ref = log_concern(ws, clerk_id, ConcernDraft(summary="楼上漏水", category="0801",
                                                 received_at=datetime(2026, 9, 30, 12, tzinfo=TZ))).reference
    act(ws, clerk_id, ref, Request(Action.DISPATCH, unit_code="WY"), at=clock.now - timedelta(hours=1))
    with pytest.raises(DomainError, match="不能晚于现在") as future:
        act(ws, clerk_id, ref, Request(Action.SIGN), at=clock.now + timedelta(minutes=5))
    assert future.value.field == "at"
    with pytest.raises(DomainError, match="上一条办理记录（2026-09-30 14:00）") as before:
        act(ws, clerk_id, ref, Request(Action.SIGN), at=clock.now - timedelta(hours=2))
    assert before.value.field == "at"
    assert [e.action for e in get_concern(ws, ref).events][-1] == "dispatch"  # nothing written
    act(ws, clerk_id, ref, Request(Action.SIGN), at=clock.now - timedelta(minutes=30))
    assert get_concern(ws, ref).status == "in_progress"


def test_a_received_date_before_2000_is_refused(ws, clerk_id) -> None:  # noqa: ANN001
    with pytest.raises(DomainError, match="不能早于 2000 年") as caught:
        log_concern(ws, clerk_id, ConcernDraft(summary="楼上漏水", category="0801",
                                               received_at=datetime(1999, 12, 31, 10, tzinfo=TZ)))
    assert caught.value.field == "received_at"
