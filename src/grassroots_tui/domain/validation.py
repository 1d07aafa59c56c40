"""Validation of what clerks type: ID numbers, phones, addresses (domain.md §5).

Every function normalises with NFKC first, so full-width digits typed with a
Chinese IME (`１３８…`) are read as ordinary digits.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from grassroots_tui.domain.errors import DomainError

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def nfkc(text: str | None) -> str:
    return unicodedata.normalize("NFKC", text or "").strip()


def parse_count(text: str | int | None, label: str, field: str, *, minimum: int = 0) -> int:
    """A whole number the clerk typed (full-width digits welcome), or one Chinese sentence."""
    if isinstance(text, int):
        value = text
    else:
        raw = nfkc(text)
        if not raw.isdigit():
            raise DomainError(f"{label}应填整数（如 3），“{text}”不是整数。", field)
        value = int(raw)
    if value < minimum:
        raise DomainError(f"{label}不能小于 {minimum}。", field)
    return value


def id_check_char(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


@dataclass(frozen=True)
class IdInfo:
    number: str
    birth_date: date
    sex: str  # "男" / "女"


def parse_id_number(text: str, field: str = "id_number") -> IdInfo:
    """Check a mainland resident ID number (GB 11643-1999)."""
    value = nfkc(text).upper().replace(" ", "")
    if not value:
        raise DomainError("请填写身份证号。", field)
    if not re.fullmatch(r"\d{17}[\dX]", value):
        raise DomainError("身份证号应为18位：17位数字加1位校验码（数字或X）。", field)
    try:
        birth = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise DomainError(f"身份证号中的出生日期 {value[6:14]} 不是有效日期。", field) from None
    if birth.year < 1880 or birth > date.today():
        raise DomainError(f"身份证号中的出生日期 {birth:%Y-%m-%d} 不合理。", field)
    expected = id_check_char(value[:17])
    if value[17] != expected:
        raise DomainError("身份证号校验码不符，请核对是否有数字录错。", field)
    sex = "男" if int(value[16]) % 2 == 1 else "女"
    return IdInfo(value, birth, sex)


ID_TYPES = {
    "id_card": "居民身份证",
    "passport": "护照",
    "hk_macau": "港澳居民来往内地通行证",
    "taiwan": "台湾居民来往大陆通行证",
    "hmt_residence": "港澳台居民居住证",
    "foreign_residence": "外国人永久居留身份证",
    "other": "其他证件",
}


def check_other_document(text: str, field: str = "id_number") -> str:
    value = nfkc(text).upper().replace(" ", "")
    if not re.fullmatch(r"[A-Z0-9()\-]{5,20}", value):
        raise DomainError("证件号码应为5到20位字母或数字。", field)
    return value


def normalise_phone(text: str, field: str = "phone") -> str:
    """A mobile (11 digits, 1[3-9]…, optional +86/0086) or a landline with area code."""
    raw = nfkc(text)
    if not raw:
        raise DomainError("请填写联系电话。", field)
    compact = re.sub(r"[\s\-()（）]", "", raw)
    mobile = re.sub(r"^(\+86|0086|86(?=1\d{10}$))", "", compact)
    if re.fullmatch(r"1[3-9]\d{9}", mobile):
        return mobile
    if re.fullmatch(r"\d+", mobile) and mobile.startswith("1") and len(mobile) != 11:
        raise DomainError(f"手机号应为11位，现在是{len(mobile)}位。", field)
    if re.fullmatch(r"1[0-2]\d{9}", mobile):
        raise DomainError("手机号第二位应为3到9。", field)
    digits = compact.replace("转", "")
    if re.fullmatch(r"0\d{9,13}", digits):
        # Three-digit area codes: 010 and 02X; every other area code has four digits.
        cut = 3 if digits.startswith(("010", "02")) else 4
        area, rest = digits[:cut], digits[cut:]
        if len(rest) in (7, 8):
            return f"{area}-{rest}"
        if len(rest) > 8:
            return f"{area}-{rest[:8]}-{rest[8:]}" if len(rest[:8]) == 8 else f"{area}-{rest}"
    raise DomainError("电话号码格式不对：手机号为11位（如13812345678），座机需带区号（如010-12345678）。", field)


@dataclass(frozen=True)
class Address:
    estate: str = ""
    building: str = ""
    unit: str = ""
    room: str = ""

    def short(self) -> str:
        parts = [p for p in (self.building, self.unit, self.room) if p]
        return "-".join(parts)

    def display(self) -> str:
        text = self.estate
        if self.building:
            text += f"{self.building}号楼"
        if self.unit:
            text += f"{self.unit}单元"
        if self.room:
            text += f"{self.room}室"
        return text


_SHORTHAND = re.compile(r"^(\d{1,3})[-－—_/](\d{1,2})[-－—_/](\d{1,5})$")
_LONGHAND = re.compile(r"^(?P<estate>.*?)(?:(?P<b>\d{1,3})(?:号楼|栋|幢|号))?"
                       r"(?:(?P<u>\d{1,2})单元)?(?:(?P<r>\d{1,5})(?:室|号)?)?$")


def parse_address_shorthand(text: str) -> Address | None:
    """`3-2-301` -> building 3, unit 2, room 301; None when it is not shorthand."""
    m = _SHORTHAND.match(nfkc(text))
    if not m:
        return None
    return Address("", m.group(1), m.group(2), m.group(3))


def parse_address(text: str, estate: str = "", field: str = "address") -> Address:
    """Shorthand (`3-2-301`) or written form (`幸福里3号楼2单元301室`)."""
    raw = nfkc(text)
    if not raw:
        return Address(estate)
    short = parse_address_shorthand(raw)
    if short:
        return Address(estate, short.building, short.unit, short.room)
    m = _LONGHAND.match(raw)
    if m and (m.group("b") or m.group("u") or m.group("r")):
        return Address(estate or m.group("estate").strip(), m.group("b") or "", m.group("u") or "",
                       m.group("r") or "")
    raise DomainError("地址格式不对：请写成“楼-单元-室”（如 3-2-301）或“3号楼2单元301室”。", field)


def check_name(text: str, field: str = "name") -> str:
    name = nfkc(text)
    if not name:
        raise DomainError("请填写姓名。", field)
    if len(name) > 50:
        raise DomainError("姓名不能超过50个字。", field)
    if any(unicodedata.category(c).startswith("C") for c in name):
        raise DomainError("姓名中含有不可见的控制字符。", field)
    return name


def check_text(text: str | None, label: str, field: str, *, required: bool = False, limit: int = 20000) -> str:
    """Free text is kept verbatim (only trimmed); refuse empty when required and over-long text."""
    value = (text or "").strip()
    if required and not value:
        raise DomainError(f"请填写{label}。", field)
    if len(value) > limit:
        raise DomainError(f"{label}不能超过{limit}个字，现在有{len(value)}个字。", field)
    return value
