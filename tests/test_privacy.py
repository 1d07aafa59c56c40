"""domain.privacy: every exit masks the same way, and numbers in free text never survive however typed."""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grassroots_tui.domain.privacy import (
    Disclosure,
    is_sensitive_tag,
    mask_id,
    mask_name,
    mask_phone,
    mask_text,
    visible_tags,
)
from grassroots_tui.domain.validation import id_check_char


def test_field_masks() -> None:
    assert mask_name("张三丰") == "张**"
    assert mask_name("李") == "*"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("010-12345678") == "010-****5678"
    assert mask_phone("0755-1234567") == "0755-****4567"
    assert mask_id("110105194912311234") == "110105********1234"
    assert mask_id("110105491231123") == "110105******123"
    assert mask_id("E12345678") == "E1*****78"


@pytest.mark.parametrize(("typed", "masked"), [
    ("电话13812345678请回电", "电话138****5678请回电"),
    ("电话138 1234 5678", "电话138****5678"),
    ("电话138-1234-5678。", "电话138****5678。"),
    ("电话１３８１２３４５６７８，", "电话138****5678，"),
    ("电话+86 138 1234 5678", "电话138****5678"),
    ("电话0086 13812345678", "电话138****5678"),
    ("电话（+86）13812345678", "电话138****5678"),
    ("座机010-12345678", "座机010-****5678"),
    ("座机0755 1234 5678", "座机0755-****5678"),
    ("座机（0755）12345678", "座机0755-****5678"),
    ("身份证11010519491231002X", "身份证110105********002X"),
    ("身份证110105 19491231 002x", "身份证110105********002X"),
    ("身份证１１０１０５１９４９１２３１００２Ｘ。", "身份证110105********002X。"),
    ("旧身份证110105491231123", "旧身份证110105******123"),
    ("卡号6222 0212 3456 7890 123", "卡号622202*********0123"),
])
def test_numbers_in_free_text_are_masked_however_typed(typed: str, masked: str) -> None:
    assert mask_text(typed) == masked


@pytest.mark.parametrize("text", [
    "门牌 3-2-301，编号 SQ-2026-000001", "2026-10-01 10:30 受理", "金额12345678元", "第3期，共12345户",
    "议事会 YS-2026-0003", "全角文字：（一）、【二】。",
])
def test_ordinary_numbers_are_left_alone(text: str) -> None:
    assert mask_text(text) == text


def test_text_outside_the_numbers_is_kept_as_typed_and_the_residents_name_is_masked() -> None:
    assert mask_text("张三丰说：ＡＢＣ　电话１３８１２３４５６７８", names=["张三丰"]) == "张**说：ＡＢＣ　电话138****5678"


# ---------------------------------------------------------------- property

CHINESE = st.text(st.sampled_from("居民反映楼道漏水请尽快处理电话身份证号码联系人，。：；！？（）【】、 "),
                  min_size=0, max_size=12)
MOBILE_PREFIX = st.sampled_from(["130", "133", "135", "138", "139", "147", "150", "159", "166", "170", "177",
                                 "180", "186", "188", "191", "198", "199"])


@st.composite
def mobiles(draw) -> str:  # noqa: ANN001
    return draw(MOBILE_PREFIX) + draw(st.text("0123456789", min_size=8, max_size=8))


@st.composite
def id_numbers(draw) -> str:  # noqa: ANN001
    region = draw(st.sampled_from(["110105", "310104", "440305", "510107", "650102"]))
    birth = draw(st.dates(min_value=__import__("datetime").date(1930, 1, 1),
                          max_value=__import__("datetime").date(2020, 12, 31)))
    first17 = region + f"{birth:%Y%m%d}" + draw(st.text("0123456789", min_size=3, max_size=3))
    return first17 + id_check_char(first17)


def _typed(draw, digits: str) -> str:  # noqa: ANN001
    """How a clerk may type a number: separators anywhere, full-width digits."""
    out = []
    for i, ch in enumerate(digits):
        if i and draw(st.booleans()) and draw(st.booleans()):
            out.append(draw(st.sampled_from([" ", "-", "　", "－"])))
        out.append(ch)
    text = "".join(out)
    if draw(st.booleans()):
        text = text.translate(str.maketrans("0123456789Xx", "０１２３４５６７８９Ｘｘ"))
    return text


def _key(text: str) -> str:
    """Digits, X and masking stars of a text, everything else dropped."""
    return re.sub(r"[^0-9X*]", "", unicodedata.normalize("NFKC", text).upper())


@settings(max_examples=300, deadline=None)
@given(st.data(), mobiles(), CHINESE, CHINESE)
def test_no_mobile_survives_unmasked_in_chinese_text(data, phone: str, before: str, after: str) -> None:  # noqa: ANN001
    # Grouped like people write them (3-4-4) or anyhow, with or without a country code.
    typed = data.draw(st.sampled_from([
        phone, f"{phone[:3]} {phone[3:7]} {phone[7:]}", f"{phone[:3]}-{phone[3:7]}-{phone[7:]}", None]))
    if typed is None:
        typed = _typed(data.draw, phone)
    prefix = data.draw(st.sampled_from(["", "+86 ", "+86", "0086 ", "86-"]))
    out = mask_text(before + prefix + typed + after)
    assert phone not in _key(out)
    assert f"{phone[:3]}****{phone[-4:]}" in _key(out)


@settings(max_examples=300, deadline=None)
@given(st.data(), id_numbers(), CHINESE, CHINESE)
def test_no_id_number_survives_unmasked_in_chinese_text(data, number: str, before: str, after: str) -> None:  # noqa: ANN001
    old = data.draw(st.booleans())
    if old:  # the 15-digit cards issued before 1999: no century, no check digit
        number = number[:6] + number[8:17]
    typed = _typed(data.draw, number.lower() if data.draw(st.booleans()) else number)
    out = mask_text(before + typed + after)
    assert number not in _key(out)
    assert number[6:14 if not old else 12] not in _key(out)  # the birth date is what is hidden
    assert mask_id(number) in _key(out)


@settings(max_examples=100, deadline=None)
@given(st.data(), st.sampled_from(["010", "021", "0755", "0571", "0931"]), CHINESE, CHINESE)
def test_no_landline_with_area_code_survives(data, area: str, before: str, after: str) -> None:  # noqa: ANN001
    local = data.draw(st.sampled_from("2345678")) + data.draw(st.text("0123456789", min_size=7, max_size=7))
    sep = data.draw(st.sampled_from(["-", " ", "", "－"]))
    typed = data.draw(st.sampled_from([f"{area}{sep}{local}", f"（{area}）{local}", f"+86 {area[1:]} {local}"]))
    out = mask_text(before + typed + after)
    assert local not in _key(out)
    assert local[-4:] in _key(out)


# ---------------------------------------------------------------- tags and one exit

def test_sensitive_tags_by_word() -> None:
    assert is_sensitive_tag("低保户") and is_sensitive_tag("重度残疾") and is_sensitive_tag("刑满释放人员")
    assert not is_sensitive_tag("党员") and not is_sensitive_tag("志愿者")
    assert visible_tags(["党员", "低保", "残疾人", "楼长"]) == ("党员", "楼长")
    assert visible_tags(["党员", "独居"], sensitive=["独居"]) == ("党员",)


def test_a_disclosure_masks_everything_or_nothing() -> None:
    masked, full = Disclosure(), Disclosure(reveal=True)
    assert (masked.name("张三"), masked.phone("13812345678"), masked.id_number("110105194912311234")) == \
        ("张*", "138****5678", "110105********1234")
    assert masked.text("张三 13812345678", names=["张三"]) == "张* 138****5678"
    assert masked.tags(["党员", "低保"]) == ("党员",)
    assert (full.name("张三"), full.phone("13812345678"), full.text("13812345678"), full.tags(["低保"])) == \
        ("张三", "13812345678", "13812345678", ("低保",))


def test_a_landline_after_an_opening_bracket_and_a_space_is_masked() -> None:
    # Found by hypothesis: "（ 010-20000000" kept its number (the space hid the area code's 0).
    assert mask_text("（ 010-20000000") == "010-****0000"
