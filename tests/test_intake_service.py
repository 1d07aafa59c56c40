"""Intake: defaults, handling in the same transaction, inline residents, repeat warnings."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import func, select

from grassroots_tui.domain.errors import DomainError
from grassroots_tui.services.concerns import get_concern
from grassroots_tui.services.intake import (
    IntakeDraft,
    filter_categories,
    find_repeats,
    list_categories,
    list_units,
    save_intake,
)
from grassroots_tui.services.residents import ResidentDraft, add_resident
from grassroots_tui.store.models import Concern, ConcernEvent, Resident


def _count(ws, model) -> int:  # noqa: ANN001
    with ws.read() as s:
        return s.exec(select(func.count()).select_from(model)).one()


def test_category_filter_by_code_text_and_initials(ws) -> None:  # noqa: ANN001
    cats = list_categories(ws)
    assert all(c.code != "08" for c in cats)  # only second-level categories are offered
    assert filter_categories(cats, "0801")[0].name == "漏水渗水"
    assert filter_categories(cats, "０８０１")[0].code == "0801"  # full-width digits
    assert filter_categories(cats, "漏水")[0].code == "0801"
    assert filter_categories(cats, "ls")[0].code == "0801"
    assert {c.code for c in filter_categories(cats, "08")} >= {"0801", "0806"}
    assert next(c for c in cats if c.code == "0401").urgency == "utilities"  # from the parent


def test_shortest_path_defaults(ws, clerk_id, clock) -> None:  # noqa: ANN001
    r = add_resident(ws, clerk_id, ResidentDraft(name="张三丰", phone="13812345678", address="3-2-301",
                                                  estate="幸福里"))
    result = save_intake(ws, clerk_id, IntakeDraft(summary="楼上漏水", category="0801", resident_id=r.id))
    c = result.concern
    assert (c.status, c.channel, c.nature, c.urgency) == ("received", "walk_in", "help", "ordinary")
    assert c.resident_name == "张三丰" and c.location == "幸福里 3-2-301"
    # Wed 2026-09-30 09:00, ordinary: dispatch by end of the next working day (Oct 8 after the holiday).
    assert c.dispatch_due.date().isoformat() == "2026-10-08"
    assert c.feedback_due.date().isoformat() == "2026-10-15"


def test_dispatch_in_the_same_save(ws, clerk_id) -> None:  # noqa: ANN001
    unit = list_units(ws)[0].code
    result = save_intake(ws, clerk_id, IntakeDraft(summary="路灯不亮", category="0302", handling="dispatch", unit=unit))
    c = get_concern(ws, result.concern.reference)
    assert c.status == "dispatched" and c.unit == unit and c.resident_name is None
    assert [e.action for e in c.events] == ["receive", "dispatch"]


def test_answer_needs_its_text_and_nothing_is_half_saved(ws, clerk_id) -> None:  # noqa: ANN001
    draft = IntakeDraft(summary="问低保怎么办", category="0901", handling="answer",
                        new_resident=ResidentDraft(name="赵六", phone="13500001234"))
    with pytest.raises(DomainError) as err:
        save_intake(ws, clerk_id, draft)
    assert err.value.field == "answer"
    draft.answer = "已告知所需材料"
    result = save_intake(ws, clerk_id, draft)
    assert result.resident_created and result.concern.status == "awaiting_followup"
    assert result.concern.resident_name == "赵六"


def test_failed_handling_rolls_back_the_new_resident_and_concern(ws, clerk_id) -> None:  # noqa: ANN001
    draft = IntakeDraft(summary="楼道堆物", category="0203", handling="dispatch", unit="NOPE",
                        new_resident=ResidentDraft(name="钱七", phone="13500005555", address="1-1-101"))
    with pytest.raises(DomainError):
        save_intake(ws, clerk_id, draft)
    assert _count(ws, Resident) == 0 and _count(ws, Concern) == 0 and _count(ws, ConcernEvent) == 0


def test_repeat_warning_same_resident_or_address_and_similar_summary(ws, clerk_id, clock) -> None:  # noqa: ANN001
    r = add_resident(ws, clerk_id, ResidentDraft(name="张三丰", phone="13812345678", address="3-2-301"))
    first = save_intake(ws, clerk_id, IntakeDraft(summary="卫生间天花板漏水", category="0801", resident_id=r.id))
    ref = first.concern.reference
    clock.set(2026, 10, 9, 10)
    assert [c.reference for c in find_repeats(ws, resident_id=r.id, category="0801")] == [ref]
    assert find_repeats(ws, resident_id=r.id, category="0802") == []
    assert [c.reason for c in find_repeats(ws, category="0801", address=("3", "2", "301"))] == ["同一地址、同一分类"]
    assert [c.reference for c in find_repeats(ws, summary="卫生间天花板漏水了")] == [ref]
    # Linked as a repeat in the same save.
    second = save_intake(ws, clerk_id, IntakeDraft(summary="又漏水", category="0801", resident_id=r.id, repeat_of=ref))
    with ws.read() as s:
        row = s.exec(select(Concern).where(Concern.reference == second.concern.reference)).one()
        assert row.repeat_of_id is not None
    clock.set(2026, 11, 20, 10)  # more than 30 days later
    assert find_repeats(ws, resident_id=r.id, category="0801") == []


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(summary=st.text(max_size=300), name=st.text(max_size=60), phone=st.text(max_size=20),
       address=st.text(max_size=20))
def test_arbitrary_text_never_crashes_nor_half_writes(ws, clerk_id, summary, name, phone, address) -> None:  # noqa: ANN001
    before = (_count(ws, Resident), _count(ws, Concern))
    try:
        result = save_intake(ws, clerk_id, IntakeDraft(
            summary=summary, category="0801", location=address,
            new_resident=ResidentDraft(name=name, phone=phone, address=address)))
    except DomainError as exc:
        assert exc.message and (_count(ws, Resident), _count(ws, Concern)) == before
    else:
        assert result.concern.summary == summary.strip()
        assert (_count(ws, Resident), _count(ws, Concern)) == (before[0] + 1, before[1] + 1)


def test_location_typed_over_the_residents_address(ws, clerk_id) -> None:  # noqa: ANN001
    r = add_resident(ws, clerk_id, ResidentDraft(name="张三丰", address="3-2-301", estate="幸福里"))
    shorthand = save_intake(ws, clerk_id, IntakeDraft(summary="楼道灯坏", category="0105", resident_id=r.id,
                                                      location="和平苑 ５－１－１０１"))
    assert shorthand.concern.location == "和平苑 5-1-101"
    free = save_intake(ws, clerk_id, IntakeDraft(summary="垃圾堆放", category="0201", resident_id=r.id,
                                                 location="小区东门垃圾站旁"))
    assert free.concern.location == "小区东门垃圾站旁"  # not the resident's home
    default = save_intake(ws, clerk_id, IntakeDraft(summary="电梯坏了", category="0103", resident_id=r.id))
    assert default.concern.location == "幸福里 3-2-301"


def test_an_anonymous_question_answered_on_the_spot_is_closed_at_once(ws, clerk_id) -> None:  # noqa: ANN001
    result = save_intake(ws, clerk_id, IntakeDraft(summary="咨询居住证办理", category="0801", nature="inquiry",
                                                   handling="answer_close", answer="已告知所需材料和办理地点",
                                                   satisfaction="basic"))
    c = get_concern(ws, result.concern.reference)
    assert c.resident_name is None and c.status == "closed"
    assert [e.action for e in c.events] == ["receive", "answer"]
    assert (c.followup_outcome, c.followup_satisfaction) == ("solved", "basic")
    # A resident who is not satisfied is not closed on the spot; nothing is saved.
    before = _count(ws, Concern)
    with pytest.raises(DomainError) as err:
        save_intake(ws, clerk_id, IntakeDraft(summary="咨询", category="0801", handling="answer_close",
                                              answer="已答复", satisfaction="dissatisfied"))
    assert err.value.field == "satisfaction" and _count(ws, Concern) == before


def _closed_concern(ws, clerk_id, summary: str) -> str:  # noqa: ANN001
    from grassroots_tui.domain.codes import Action, Outcome, Satisfaction
    from grassroots_tui.domain.pipeline import Request
    from grassroots_tui.services.concerns import act

    ref = save_intake(ws, clerk_id, IntakeDraft(summary=summary, category="0801", handling="handle")).concern.reference
    act(ws, clerk_id, ref, Request(Action.REPORT, note="已修好"))
    act(ws, clerk_id, ref, Request(Action.FOLLOWUP, outcome=Outcome.SOLVED, satisfaction=Satisfaction.SATISFIED))
    return ref


def test_a_repeat_of_a_closed_concern_asks_then_links_or_reopens(ws, clerk_id) -> None:  # noqa: ANN001
    from grassroots_tui.services.concerns import RepeatOfClosed

    original = _closed_concern(ws, clerk_id, "楼道灯不亮")
    before = _count(ws, Concern)
    with pytest.raises(RepeatOfClosed) as asked:
        save_intake(ws, clerk_id, IntakeDraft(summary="楼道灯又不亮了", category="0801", repeat_of=original))
    assert asked.value.original == original and asked.value.field == "repeat_of" and "已" in asked.value.message
    assert _count(ws, Concern) == before  # asking saves nothing

    linked = save_intake(ws, clerk_id, IntakeDraft(summary="楼道灯又不亮了", category="0801", repeat_of=original,
                                                   repeat_closed="link", handling="handle"))
    assert linked.concern.status == "in_progress" and linked.concern.repeat_of == original
    assert get_concern(ws, original).status == "closed"

    again = save_intake(ws, clerk_id, IntakeDraft(summary="楼道灯第三次不亮", category="0801", repeat_of=original,
                                                  repeat_closed="reopen", handling="dispatch", unit="WY"))
    assert again.concern.status == "merged" and again.concern.merged_into == original
    reopened = get_concern(ws, original)
    assert reopened.status == "in_progress" and reopened.events[-1].action == "reopen"
    assert again.concern.reference in reopened.events[-1].note
    assert any("重新打开" in w for w in again.warnings)


def test_a_repeat_of_a_merged_concern_follows_it_to_its_main_concern(ws, clerk_id) -> None:  # noqa: ANN001
    from grassroots_tui.domain.codes import Action
    from grassroots_tui.domain.pipeline import Request
    from grassroots_tui.services.concerns import act

    main = save_intake(ws, clerk_id, IntakeDraft(summary="电梯故障", category="0801")).concern.reference
    dup = save_intake(ws, clerk_id, IntakeDraft(summary="电梯坏了", category="0801")).concern.reference
    act(ws, clerk_id, dup, Request(Action.MERGE, merge_into=main))
    result = save_intake(ws, clerk_id, IntakeDraft(summary="电梯还是坏的", category="0801", repeat_of=dup))
    assert result.concern.repeat_of == main
    assert result.warnings == [f"原诉求 {dup} 已并入 {main}，本次登记关联到 {main}。"]
