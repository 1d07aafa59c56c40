"""What clerks type: ID numbers, phones, addresses, references (domain.md §5)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from grassroots_tui.domain.codes import Action, Channel, Satisfaction, parse
from grassroots_tui.domain.errors import DomainError
from grassroots_tui.domain.reference import normalise_reference
from grassroots_tui.domain.validation import (
    normalise_phone,
    parse_address,
    parse_id_number,
)

VALID_ID = "11010519491231002X"
TODAY = date(2026, 12, 2)  # the clerk's day; no test reads the real date


def test_valid_id_number_gives_birth_date_and_sex() -> None:
    info = parse_id_number(VALID_ID, today=TODAY)
    assert info.birth_date == date(1949, 12, 31)
    assert info.sex == "女"  # digit 17 is 2: even


@pytest.mark.parametrize("position", range(17))
def test_changing_any_digit_breaks_the_check(position: int) -> None:
    digit = VALID_ID[position]
    changed = VALID_ID[:position] + str((int(digit) + 1) % 10) + VALID_ID[position + 1:]
    with pytest.raises(DomainError) as err:
        parse_id_number(changed, today=TODAY)
    assert err.value.field == "id_number"


def test_full_width_and_lower_case_id_is_accepted() -> None:
    assert parse_id_number("１１０１０５１９４９１２３１００２ｘ", today=TODAY).number == VALID_ID


@pytest.mark.parametrize(("text", "fragment"), [
    ("", "请填写"), ("1101051949123100", "18位"), ("110105194902300021", "不是有效日期"),
])
def test_bad_id_numbers_are_explained(text: str, fragment: str) -> None:
    with pytest.raises(DomainError, match=fragment):
        parse_id_number(text, today=TODAY)


@pytest.mark.parametrize(("text", "expected"), [
    ("13812345678", "13812345678"), ("+86 138 1234 5678", "13812345678"), ("0086-13812345678", "13812345678"),
    ("１３８１２３４５６７８", "13812345678"), ("010-12345678", "010-12345678"), ("0913 1234567", "0913-1234567"),
    ("02112345678", "021-12345678"),
])
def test_phones(text: str, expected: str) -> None:
    assert normalise_phone(text) == expected


@pytest.mark.parametrize("text", ["1381234567", "12812345678", "12345", "abc", "138123456789"])
def test_bad_phones_are_refused(text: str) -> None:
    with pytest.raises(DomainError):
        normalise_phone(text)


def test_addresses() -> None:
    a = parse_address("3-2-301", "幸福里小区")
    assert (a.estate, a.building, a.unit, a.room) == ("幸福里小区", "3", "2", "301")
    b = parse_address("幸福里3号楼2单元301室")
    assert (b.estate, b.building, b.unit, b.room) == ("幸福里", "3", "2", "301")
    assert parse_address("３－２－３０１").short() == "3-2-301"


def test_codes_accept_chinese_and_code_spellings() -> None:
    assert parse(Action, "派单") is Action.DISPATCH and parse(Action, "dispatch") is Action.DISPATCH
    assert parse(Channel, "１２３４５") is Channel.HOTLINE
    assert parse(Satisfaction, "基本满意") is Satisfaction.BASIC
    with pytest.raises(DomainError, match="无法识别的操作"):
        parse(Action, "飞走")


def test_references_are_normalised() -> None:
    assert normalise_reference("sq-2026-123") == "SQ-2026-000123"
    assert normalise_reference("ＳＱ－２０２６－０００１２３") == "SQ-2026-000123"


@given(st.text(max_size=40))
def test_id_parser_never_crashes_on_arbitrary_text(text: str) -> None:
    try:
        info = parse_id_number(text, today=TODAY)
    except DomainError as err:
        assert err.message
    else:
        assert len(info.number) == 18


@given(st.text(max_size=40))
def test_phone_parser_never_crashes_on_arbitrary_text(text: str) -> None:
    try:
        normalise_phone(text)
    except DomainError as err:
        assert err.message


@given(st.text(max_size=60))
def test_address_parser_never_crashes_on_arbitrary_text(text: str) -> None:
    try:
        parse_address(text)
    except DomainError as err:
        assert err.field == "address"
