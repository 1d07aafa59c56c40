"""The resident register: validation beside the field, edits, detail with household and history,
masking by default and an audited reveal, pinyin order."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from grassroots_tui.domain.errors import DomainError, StaleVersion
from grassroots_tui.services.intake import IntakeDraft, save_intake
from grassroots_tui.services.residents import (
    ResidentDraft,
    add_resident,
    count_residents,
    prepare_resident,
    resident_detail,
    reveal_resident,
    search_residents,
    update_resident,
)
from grassroots_tui.store.models import AuditLog, Resident

TODAY = date(2026, 12, 2)  # the clerk's day for the validators called without a workspace
NASTY = "[red]危险[/red] [link=https://x.example]点我[/link] \x1b[31m红\x1b[0m 😀" + "长" * 4900


def test_id_number_gives_birth_date_and_sex_and_full_width_is_fine(ws, clerk_id) -> None:  # noqa: ANN001
    r = add_resident(ws, clerk_id, ResidentDraft(name="张三丰", id_number="１１０１０５１９４９１２３１００２ｘ",
                                                  phone="＋８６ １３８１２３４５６７８"))
    assert (r.sex, r.birth_date.isoformat()) == ("女", "1949-12-31")
    assert r.id_masked == "110105********002X" and r.phone_masked == "138****5678"


@pytest.mark.parametrize("draft, field", [
    (ResidentDraft(name=""), "name"),
    (ResidentDraft(name="甲", id_number="110105194912310021"), "id_number"),
    (ResidentDraft(name="甲", phone="1381234567"), "phone"),
    (ResidentDraft(name="甲", address="三号楼"), "address"),
    (ResidentDraft(name="甲", id_type="passport", id_number="!"), "id_number"),
    (ResidentDraft(name="甲", sex="x"), "sex"),
])
def test_errors_name_their_field_in_chinese(draft, field) -> None:  # noqa: ANN001
    with pytest.raises(DomainError) as err:
        prepare_resident(draft, today=TODAY)
    assert err.value.field == field and not err.value.message.isascii()


def test_other_documents_and_landlines_allowed(ws, clerk_id) -> None:  # noqa: ANN001
    r = add_resident(ws, clerk_id, ResidentDraft(name="John Smith", id_type="passport", id_number="e1234567",
                                                  phone="010-12345678"))
    assert r.id_masked.startswith("E1") and r.phone_masked == "010-****5678"


def test_pinyin_order_li_before_zhang(ws, clerk_id) -> None:  # noqa: ANN001
    for name in ("张三", "李四", "王五", "安娜"):
        add_resident(ws, clerk_id, ResidentDraft(name=name))
    assert [r.name for r in search_residents(ws, None)] == ["安娜", "李四", "王五", "张三"]
    assert count_residents(ws) == 4 and count_residents(ws, "zs") == 1


def test_update_keeps_masked_numbers_and_refuses_stale_versions(ws, clerk_id) -> None:  # noqa: ANN001
    r = add_resident(ws, clerk_id, ResidentDraft(name="张三", phone="13812345678", id_number="11010519491231002X",
                                                  tags=("党员",)))
    edited = update_resident(ws, clerk_id, r.id, ResidentDraft(name="张三", phone=None, id_number=None,
                                                               address="3-2-301", tags=("党员", "楼栋长")),
                             expected_version=r.version)
    assert edited.phone_masked == "138****5678" and edited.id_masked == r.id_masked
    assert edited.address == "3-2-301" and set(edited.tags) == {"党员", "楼栋长"} and edited.version == 2
    with pytest.raises(StaleVersion):
        update_resident(ws, clerk_id, r.id, ResidentDraft(name="张三"), expected_version=1)
    other = add_resident(ws, clerk_id, ResidentDraft(name="李四", phone="13900000000"))
    with pytest.raises(DomainError, match="已登记"):
        update_resident(ws, clerk_id, other.id, ResidentDraft(name="李四", id_number="11010519491231002X"))


def test_detail_household_tags_history_and_audited_reveal(ws, clerk_id, clock) -> None:  # noqa: ANN001
    head = add_resident(ws, clerk_id, ResidentDraft(name="张三", phone="13812345678", address="3-2-301",
                                                     relation_to_head="户主", tags=("独居老人",)))
    add_resident(ws, clerk_id, ResidentDraft(name="张小三", relation_to_head="子", household_of=head.id))
    save_intake(ws, clerk_id, IntakeDraft(summary="楼上漏水", category="0801", resident_id=head.id))
    d = resident_detail(ws, head.id)
    assert [m.name for m in d.household] == ["张小三"] and d.view.tags == ("独居老人",)
    assert [c.summary for c in d.concerns] == ["楼上漏水"] and d.open_concerns == 1
    assert "13812345678" not in repr(d)  # masked everywhere until revealed
    shown = reveal_resident(ws, clerk_id, head.id)
    assert shown.phone == "13812345678"
    with ws.read() as s:
        (row,) = s.exec(select(AuditLog).where(AuditLog.action == "reveal")).all()
    assert row.actor_id == clerk_id and row.target == f"resident:{head.id}" and row.at is not None


def test_hostile_text_is_stored_verbatim(ws, clerk_id) -> None:  # noqa: ANN001
    r = add_resident(ws, clerk_id, ResidentDraft(name="[red]王五[/red]", notes=NASTY))
    with ws.read() as s:
        row = s.get(Resident, r.id)
    assert row.name == "[red]王五[/red]" and row.notes == NASTY


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.text(max_size=60), phone=st.text(max_size=25), number=st.text(max_size=25),
       address=st.text(max_size=25), id_type=st.sampled_from(["id_card", "passport", "其他证件", "x"]))
def test_validators_take_any_text(name, phone, number, address, id_type) -> None:  # noqa: ANN001
    try:
        p = prepare_resident(ResidentDraft(name=name, phone=phone, id_number=number, address=address, id_type=id_type),
                             today=TODAY)
    except DomainError as exc:
        assert exc.message and exc.field
    else:
        assert p.name and (not p.phone or p.phone[0] in "01")


def test_lookup_best_first_each_kind(ws, clerk_id) -> None:  # noqa: ANN001
    from grassroots_tui.services.residents import lookup_residents

    for name, phone, address in (("张三丰", "13812345678", "3-2-301"), ("张三", "13900005678", "3-2-302"),
                                 ("李张三", "13700001111", "5-1-101")):
        add_resident(ws, clerk_id, ResidentDraft(name=name, phone=phone, address=address))
    assert [r.name for r in lookup_residents(ws, "张三")] == ["张三", "张三丰"]  # prefix first, exact on top
    assert [r.name for r in lookup_residents(ws, "三丰")] == ["张三丰"]  # contained, when nothing starts with it
    assert [r.name for r in lookup_residents(ws, "zs")] == ["张三", "张三丰"]
    assert [r.name for r in lookup_residents(ws, "zhangsanf")] == ["张三丰"]
    assert {r.name for r in lookup_residents(ws, "56")} == {"张三丰", "张三"}  # tail typed digit by digit
    assert [r.name for r in lookup_residents(ws, "3-2")] == ["张三丰", "张三"]  # by room
    assert [r.name for r in lookup_residents(ws, "３－２－３０２")] == ["张三"]
    assert lookup_residents(ws, "%") == [] and lookup_residents(ws, "'; drop table resident; --") == []
