"""Phone and ID numbers as the references read them (issue 10).

Phones: libphonenumber (`phonenumbers`, region CN) is the reference for which numbers exist; the
stored form is the program's own (13812345678, 0755-86123458, 0755-86123458转801) so databases,
the phone-tail lookup and masking keep working. ID numbers: the first six digits are checked
against GB/T 2260 (data/divisions.csv), the birth date against the workspace clock's day.
"""

from __future__ import annotations

from datetime import date

import phonenumbers
import pytest

from grassroots_tui.domain.errors import DomainError
from grassroots_tui.domain.privacy import mask_phone
from grassroots_tui.domain.validation import (
    Divisions,
    id_check_char,
    normalise_phone,
    parse_id_number,
    phone_tail,
    shipped_divisions,
)
from grassroots_tui.services.residents import ResidentDraft, add_resident, import_residents, search_residents
from grassroots_tui.store.models import Resident, Unit

TODAY = date(2026, 12, 2)


def refused(text: str, **kwargs: object) -> DomainError:
    with pytest.raises(DomainError) as err:
        normalise_phone(text, **kwargs)
    assert err.value.field == "phone" and not err.value.message.isascii()
    assert err.value.message.count("。") == 1 and err.value.message.endswith("。")  # one sentence
    return err.value


# ---------------------------------------------------------------- phones: the cases of the issue

@pytest.mark.parametrize(("typed", "stored"), [
    # a mobile typed with a leading 0 is a mobile, not the landline 0138-12345678
    ("013812345678", "13812345678"),
    # landlines after the country code
    ("+86 10 6234 5678", "010-62345678"), ("0086-10-62345678", "010-62345678"), ("+86 755 8612 3458", "0755-86123458"),
    ("86 10 62345678", "010-62345678"),
    # already valid: stored as before
    ("13812345678", "13812345678"), ("+86 138 1234 5678", "13812345678"), ("0086-13812345678", "13812345678"),
    ("010-62345678", "010-62345678"), ("02112345678", "021-12345678"), ("0913 1234567", "0913-1234567"),
    ("(0755)86123458", "0755-86123458"), ("0755—86123458", "0755-86123458"), ("0755 8612 3458", "0755-86123458"),
    # full-width digits, plus and space (a Chinese IME)
    ("１３８１２３４５６７８", "13812345678"), ("＋８６\u3000１３８\u3000１２３４\u3000５６７８", "13812345678"),
    ("０７５５－８６１２３４５８转８０１", "0755-86123458转801"),
    # extensions kept apart, 3 or 4 digits, however they are written
    ("0755-86123458转801", "0755-86123458转801"), ("0755-86123458-801", "0755-86123458转801"),
    ("0755-86123458 ext 801", "0755-86123458转801"), ("0755-86123458 ext.8012", "0755-86123458转8012"),
    ("0755-86123458分机8012", "0755-86123458转8012"), ("0755-86123458转分机8012", "0755-86123458转8012"),
    ("010-62345678-8012", "010-62345678转8012"), ("0913-1234567转801", "0913-1234567转801"),
])
def test_phones_are_stored_in_one_form(typed: str, stored: str) -> None:
    assert normalise_phone(typed) == stored


@pytest.mark.parametrize(("typed", "fragment"), [
    # the example: 8612345 has 7 digits, Shenzhen's numbers 8; the 801 is not glued on
    ("0755-8612345转801", "应为8位，这里只有7位"),
    ("0755-8612345", "应为8位"), ("010-6234567", "区号010的座机号码应为8位"), ("0571-8888888", "应为8位"),
    ("0913-12345678", "应为7位，这里有8位"),
    ("0000-1234567", "区号0000不存在"), ("0123-4567890", "区号0123不存在"),
    ("14012345678", "140不是已分配的手机号段"), ("12012345678", "120不是已分配的手机号段"),
    ("1381234567", "手机号应为11位，现在是10位"), ("138123456789", "手机号应为11位，现在是12位"),
    ("86123458", "请带上区号"), ("abc", "只能包含数字"), ("+1 650 253 0000", "中国大陆"),
    ("13812345678转801", "手机号没有分机号"), ("", "请填写联系电话"),
])
def test_bad_phones_are_refused_in_one_sentence(typed: str, fragment: str) -> None:
    assert fragment in refused(typed).message


def test_the_old_rules_fused_an_extension_into_another_number() -> None:
    # The hand-written rules read 0755-86123458转801 as 0755-86123458-01 and 013812345678 as 0138-12345678.
    assert normalise_phone("0755-86123458转801") != "0755-86123458-01"
    assert normalise_phone("013812345678") != "0138-12345678"


@pytest.mark.parametrize(("typed", "stored"), [
    ("4001234567", "400-123-4567"), ("400-123-4567", "400-123-4567"), ("800-810-8888", "800-810-8888"),
    ("12345", "12345"), ("95598", "95598"), ("0755-86123458转801", "0755-86123458转801"),
    ("13812345678", "13812345678"),
])
def test_units_may_give_service_numbers(typed: str, stored: str) -> None:
    assert normalise_phone(typed, allow_service=True) == stored


@pytest.mark.parametrize("typed", ["4001234567", "400-123-4567", "800-810-8888", "12345"])
def test_service_numbers_are_not_a_residents_phone(typed: str) -> None:
    message = refused(typed).message
    assert "服务热线" in message or "11位" in message


def test_400_is_refused_for_a_resident_with_a_clear_sentence() -> None:
    assert refused("400-123-4567").message == "400开头的号码是单位的服务热线，不能登记为居民的联系电话。"


# ---------------------------------------------------------------- phones: against libphonenumber's verdict

def _area_codes() -> list[str]:
    return ["10"] + [f"2{d}" for d in range(10)] + [str(n) for n in range(310, 1000, 7)]


def _landline_table() -> list[tuple[str, str, str]]:
    """(typed, area with 0, subscriber) for 7- and 8-digit numbers after many area codes."""
    rows = []
    for area in _area_codes():
        for subscriber in ("6123457", "61234578", "2345678", "82345678"):
            for typed in (f"0{area}-{subscriber}", f"+86 {area} {subscriber}", f"0086{area}{subscriber}"):
                rows.append((typed, f"0{area}", subscriber))
    return rows


def _reference_says_resident_phone(digits: str) -> bool:
    number = phonenumbers.parse(digits, "CN")
    kind = phonenumbers.number_type(number)
    return phonenumbers.is_valid_number(number) and kind in (
        phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)


def _accepted(typed: str) -> str | None:
    try:
        return normalise_phone(typed)
    except DomainError:
        return None


def test_landlines_agree_with_libphonenumber() -> None:
    disagree = []
    for typed, area, subscriber in _landline_table():
        valid = _reference_says_resident_phone(area + subscriber)
        got = _accepted(typed)
        if got != (f"{area}-{subscriber}" if valid else None):
            disagree.append((typed, valid, got))
        if valid:  # the same number with an extension: kept apart, same stored number before 转
            assert normalise_phone(f"{typed}转8012") == f"{area}-{subscriber}转8012"
    assert disagree == []
    assert len(_landline_table()) > 1000


@pytest.mark.parametrize("prefix", range(100, 200))
def test_mobiles_agree_with_libphonenumber(prefix: int) -> None:
    digits = f"{prefix}12345678"
    valid = _reference_says_resident_phone(digits)
    for typed in (digits, "0" + digits, "+86" + digits, "0086 " + digits, f"{digits[:3]}-{digits[3:7]}-{digits[7:]}"):
        assert _accepted(typed) == (digits if valid else None), typed


def test_stored_numbers_stay_as_they_were() -> None:
    # What the old rules stored for valid numbers reads back unchanged (idempotent).
    for stored in ("13812345678", "010-62345678", "0755-86123458", "0913-1234567", "021-12345678"):
        assert normalise_phone(stored) == stored


# ---------------------------------------------------------------- extensions: masking and the lookup

def test_an_extension_is_masked_and_not_the_lookup_tail() -> None:
    assert mask_phone("0755-86123458转801") == "0755-****3458转***"
    assert mask_phone("0913-1234567转8012") == "0913-****4567转****"
    assert mask_phone("0755-86123458") == "0755-****3458" and mask_phone("13812345678") == "138****5678"
    assert phone_tail("0755-86123458转801") == "3458" and phone_tail("13812345678") == "5678"
    assert phone_tail("") == ""


def test_a_resident_with_an_extension_is_found_by_the_numbers_tail(ws, clerk_id) -> None:  # noqa: ANN001
    r = add_resident(ws, clerk_id, ResidentDraft(name="赵六", phone="0755-8612 3458 转 801"))
    assert r.phone_masked == "0755-****3458转***"
    with ws.read() as s:
        row = s.get(Resident, r.id)
        assert (row.phone, row.phone_tail) == ("0755-86123458转801", "3458")
    assert [x.name for x in search_residents(ws, "3458")] == ["赵六"]
    assert [x.name for x in search_residents(ws, "345")] == ["赵六"]


def test_a_residents_phone_may_not_be_a_service_number(ws, clerk_id) -> None:  # noqa: ANN001
    with pytest.raises(DomainError, match="服务热线") as err:
        add_resident(ws, clerk_id, ResidentDraft(name="赵六", phone="400-123-4567"))
    assert err.value.field == "phone"


def _write_units(tmp_path, contact: str) -> None:  # noqa: ANN001
    """The committee's units.toml: the shipped units, the water company with a phone."""
    from grassroots_tui.config import packaged_data_dir

    shipped = (packaged_data_dir() / "units.toml").read_text(encoding="utf-8")
    assert 'name = "自来水公司"\n' in shipped
    folder = tmp_path / "userconfig"
    folder.mkdir(exist_ok=True)
    (folder / "units.toml").write_text(
        shipped.replace('name = "自来水公司"\n', f'name = "自来水公司"\ncontact = "{contact}"\n'), encoding="utf-8")


def test_a_units_service_number_from_units_toml_is_kept(tmp_path, clock) -> None:  # noqa: ANN001
    from grassroots_tui.services.workspace import Workspace

    _write_units(tmp_path, "４００－１２３－４５６７")
    ws = Workspace.open(tmp_path / "u.sqlite3", clock=clock)
    try:
        with ws.read() as s:
            assert s.get(Unit, "SW").contact == "400-123-4567"
    finally:
        ws.close()


def test_a_bad_unit_phone_names_the_file_and_the_unit(tmp_path, clock) -> None:  # noqa: ANN001
    from grassroots_tui.services.workspace import Workspace

    _write_units(tmp_path, "0755-8612345")
    with pytest.raises(DomainError, match="units.toml 中“自来水公司”的联系电话有误：区号0755的座机号码应为8位") as err:
        Workspace.open(tmp_path / "u.sqlite3", clock=clock)
    assert err.value.field == "contact"


# ---------------------------------------------------------------- ID numbers

def with_check(first17: str) -> str:
    return first17 + id_check_char(first17)


@pytest.mark.parametrize(("first17", "fragment"), [
    ("00000019900101001", "前两位“00”不是任何省份"),
    ("99000019900101001", "前两位“99”不是任何省份"),
    ("71000019900101001", "前两位“71”"),  # Taiwan's permits use 83, not 71
    ("11019919900101001", "前六位“110199”"),  # Beijing has no county 99
    ("44999919900101001", "前六位“449999”"),  # no prefecture 4499 in Guangdong
])
def test_area_codes_outside_gb2260_are_refused(first17: str, fragment: str) -> None:
    with pytest.raises(DomainError, match=fragment) as err:
        parse_id_number(with_check(first17), today=TODAY)
    assert err.value.field == "id_number"


@pytest.mark.parametrize("code", [
    "110105",  # 北京市朝阳区
    "440305",  # 深圳市南山区
    "110103",  # 北京市崇文区, merged into 东城区 in 2010: numbers issued there keep the code
    "810000", "820000", "830000",  # 港澳台居民居住证
])
def test_real_area_codes_are_accepted(code: str) -> None:
    number = with_check(code + "19900101001")
    assert parse_id_number(number, today=TODAY).number == number


def test_a_county_newer_than_the_list_is_accepted_only_for_people_born_after_it() -> None:
    divisions = Divisions(frozenset({"110000", "110100", "110101"}), covered_until=2021)
    new_county = "110199"
    with pytest.raises(DomainError, match="110199"):
        parse_id_number(with_check(new_county + "19900101001"), today=TODAY, divisions=divisions)
    assert parse_id_number(with_check(new_county + "20230101001"), today=TODAY, divisions=divisions)
    with pytest.raises(DomainError, match="前六位"):  # an unknown prefecture is refused whatever the year
        parse_id_number(with_check("110299" + "20230101001"), today=TODAY, divisions=divisions)


def test_the_shipped_list_is_gb2260() -> None:
    divisions = shipped_divisions()
    assert len(divisions.provinces) == 34  # 31 provinces and municipalities, Hong Kong, Macau, Taiwan
    assert {"81", "82", "83"} <= divisions.provinces and "71" not in divisions.provinces
    assert len(divisions.codes) > 7000 and divisions.covered_until == 2021
    assert {"110101", "440305", "460400"} <= divisions.codes  # 东城区, 南山区, 儋州市 (2015)


def test_the_birth_date_is_checked_against_the_day_given() -> None:
    born = with_check("11010520261203001")  # born 3 December 2026
    with pytest.raises(DomainError, match="不合理"):
        parse_id_number(born, today=date(2026, 12, 2))
    assert parse_id_number(born, today=date(2026, 12, 3)).birth_date == date(2026, 12, 3)


def test_full_width_x_is_still_accepted() -> None:
    assert parse_id_number("１１０１０５１９４９１２３１００２Ｘ", today=TODAY).number == "11010519491231002X"


def test_services_check_the_birth_date_against_the_workspace_clock(ws, clerk_id, clock) -> None:  # noqa: ANN001
    born = with_check("11010520010102002")  # 2 January 2001
    clock.set(2001, 1, 1, 9)
    with pytest.raises(DomainError, match="不合理"):
        add_resident(ws, clerk_id, ResidentDraft(name="钱七", id_number=born))
    clock.set(2001, 1, 2, 9)
    assert add_resident(ws, clerk_id, ResidentDraft(name="钱七", id_number=born)).birth_date == date(2001, 1, 2)


def test_the_import_checks_area_codes_and_the_clock(ws, clerk_id, clock, tmp_path) -> None:  # noqa: ANN001
    clock.set(2001, 1, 1, 9)
    path = tmp_path / "r.csv"
    path.write_text("姓名,身份证号,手机\n"
                    f"甲,{with_check('00000019900101001')},13812345678\n"
                    f"乙,{with_check('11010520010102002')},13912345678\n"
                    f"丙,{with_check('11010519900101001')},0755-86123458转801\n", encoding="utf-8")
    report = import_residents(ws, clerk_id, path)
    assert not report.ok and report.imported == 0
    messages = {e.row: e.message for e in report.errors}
    assert set(messages) == {2, 3}
    assert "前两位“00”" in messages[2] and "不合理" in messages[3]
