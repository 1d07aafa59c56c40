"""Validation of what clerks type: ID numbers, phones, addresses (domain.md §5).

Every function normalises with NFKC first, so full-width digits typed with a
Chinese IME (`１３８…`) are read as ordinary digits.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from functools import cache, cached_property
from pathlib import Path

from grassroots_tui.domain.errors import DomainError

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def nfkc(text: str | None) -> str:
    return unicodedata.normalize("NFKC", text or "").strip()


def parse_count(text: str | int | None, label: str, field: str, *, minimum: int = 0,
                maximum: int | None = None, example: str = "3") -> int:
    """A whole number the clerk typed (full-width digits and spaces welcome), or one Chinese sentence.

    Every integer option of the command line goes through here, so `--limit ３` works and
    `--limit abc` or `--limit -1` is refused in Chinese rather than in Typer's English.
    """
    if isinstance(text, int):
        value = text
    else:
        raw = nfkc(text).replace("\u2212", "-")  # NFKC keeps the minus sign U+2212
        if not re.fullmatch(r"-?[0-9]+", raw):
            if not raw:
                raise DomainError(f"{label}应填整数（如 {example}），不能为空。", field)
            raise DomainError(f"{label}应填整数（如 {example}），“{text}”不是整数。", field)
        value = int(raw)
    if value < minimum:
        raise DomainError(f"{label}不能小于 {minimum}。", field)
    if maximum is not None and value > maximum:
        raise DomainError(f"{label}不能大于 {maximum}。", field)
    return value


def id_check_char(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


@dataclass(frozen=True)
class IdInfo:
    number: str
    birth_date: date
    sex: str  # "男" / "女"


# ---------------------------------------------------------------- administrative divisions (GB/T 2260)

DIVISIONS_FILE = "divisions.csv"


@dataclass(frozen=True)
class Divisions:
    """The area codes an ID number may start with: every code of GB/T 2260, current and abolished.

    A number keeps the code of the county that first issued it, so a code abolished since is still
    right. The list ends in `covered_until`; a county code created later is not in it, so under a
    known prefecture such a code is accepted for a person born in or after that year.
    """

    codes: frozenset[str]
    covered_until: int

    @cached_property
    def prefectures(self) -> frozenset[str]:
        return frozenset(code[:4] for code in self.codes)

    @cached_property
    def provinces(self) -> frozenset[str]:
        return frozenset(code[:2] for code in self.codes)

    @classmethod
    def from_csv(cls, text: str) -> Divisions:
        rows = csv.DictReader(line for line in text.splitlines() if line and not line.startswith("#"))
        codes: set[str] = set()
        years = [0]
        for row in rows:
            codes.add(row["code"])
            years += [int(y) for y in (row["start_year"], row["end_year"]) if y]
        return cls(frozenset(codes), max(years))


@cache
def shipped_divisions() -> Divisions:
    """`data/divisions.csv` of the package (or of a source checkout), read once on first use."""
    here = Path(__file__).resolve().parents[1]
    for folder in (here / "data", here.parents[1] / "data"):
        path = folder / DIVISIONS_FILE
        if path.is_file():
            return Divisions.from_csv(path.read_text(encoding="utf-8"))
    raise FileNotFoundError(f"grassroots data file not found ({DIVISIONS_FILE})")


def check_area_code(number: str, birth: date, field: str = "id_number",
                    divisions: Divisions | None = None) -> None:
    """The first six digits of an ID number name a real province, prefecture and county."""
    known = divisions or shipped_divisions()
    code = number[:6]
    if code[:2] not in known.provinces:
        raise DomainError(f"身份证号前两位“{code[:2]}”不是任何省份的代码，请核对。", field)
    if code in known.codes:
        return
    if code[:4] in known.prefectures and birth.year >= known.covered_until:
        return  # a county created after the list was compiled
    raise DomainError(f"身份证号前六位“{code}”不是行政区划代码（GB/T 2260）中的地区，请核对。", field)


def parse_id_number(text: str, field: str = "id_number", *, today: date,
                    divisions: Divisions | None = None) -> IdInfo:
    """Check a mainland resident ID number (GB 11643-1999) or a residence permit of 港澳台 residents.

    `today` is the workspace clock's date (a birth date after it is refused).
    """
    value = nfkc(text).upper().replace(" ", "")
    if not value:
        raise DomainError("请填写身份证号。", field)
    if not re.fullmatch(r"\d{17}[\dX]", value):
        raise DomainError("身份证号应为18位：17位数字加1位校验码（数字或X）。", field)
    try:
        birth = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise DomainError(f"身份证号中的出生日期 {value[6:14]} 不是有效日期。", field) from None
    if birth.year < 1880 or birth > today:
        raise DomainError(f"身份证号中的出生日期 {birth:%Y-%m-%d} 不合理。", field)
    expected = id_check_char(value[:17])
    if value[17] != expected:
        raise DomainError("身份证号校验码不符，请核对是否有数字录错。", field)
    check_area_code(value, birth, field, divisions)
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


# ---------------------------------------------------------------- phones

EXTENSION_MARK = "转"  # the stored form of an extension: 0755-86123458转801
# 转801, 转分机801, 分机801, ext 801, ext. 801, x801, #801 at the end of what was typed.
_EXTENSION = re.compile(r"^(?P<main>.*?)[\s,，;；]*(?:转分机|转|分机|分机号|ext\.?|x|#)[\s:：.]*(?P<ext>\d{1,6})$",
                        re.IGNORECASE)
# A trailing group after a hyphen or a space (0755-86123458-801): an extension only when what precedes
# it is a whole number by itself and the whole is not.
_TRAILING_GROUP = re.compile(r"^(?P<main>.*\d)[\s\-]+(?P<ext>\d{1,6})$")
RESIDENT_TYPES = ("MOBILE", "FIXED_LINE", "FIXED_LINE_OR_MOBILE")
SERVICE_TYPES = ("TOLL_FREE", "SHARED_COST", "UAN", "PREMIUM_RATE", "VOIP")


def _parse_cn(text: str):  # noqa: ANN202 - phonenumbers.PhoneNumber, imported lazily
    """libphonenumber's reading of `text` for region CN, or None when it sees no number at all."""
    import phonenumbers

    try:
        return phonenumbers.parse(text, "CN")
    except phonenumbers.NumberParseException:
        return None


def _valid(number) -> bool:  # noqa: ANN001
    import phonenumbers

    return number is not None and number.country_code == 86 and phonenumbers.is_valid_number(number)


def _type_name(number) -> str:  # noqa: ANN001
    import phonenumbers

    kind = phonenumbers.number_type(number)
    return next((k for k, v in vars(phonenumbers.PhoneNumberType).items() if v == kind), "UNKNOWN")


def _split_extension(compact: str) -> tuple[str, str]:
    """(number, extension) of what was typed; the extension is "" when there is none."""
    marked = _EXTENSION.match(compact)
    if marked and re.search(r"\d", marked.group("main")):
        return marked.group("main"), marked.group("ext")
    trailing = _TRAILING_GROUP.match(compact)
    if trailing and not _valid(_parse_cn(compact)) and _valid(_parse_cn(trailing.group("main"))):
        return trailing.group("main"), trailing.group("ext")
    return compact, ""


def _area_code_length(national: str) -> int:
    """Without the trunk 0: 10 and 2X have two digits, every other area code three."""
    return 2 if national.startswith(("10", "2")) else 3


def _landline_problem(national: str) -> str:
    """Why a number that starts with an area code is not a number libphonenumber knows, in one sentence."""
    cut = _area_code_length(national)
    area, subscriber = national[:cut], national[cut:]

    def valid(digits: str) -> bool:
        return _valid(_parse_cn("0" + digits))

    if any(valid(national + d) for d in "0123456789"):
        return f"区号0{area}的座机号码应为{len(subscriber) + 1}位，这里只有{len(subscriber)}位，请核对。"
    if len(subscriber) > 1 and valid(national[:-1]):
        return f"区号0{area}的座机号码应为{len(subscriber) - 1}位，这里有{len(subscriber)}位，请核对。"
    probes = [area + lead + "0" * size for lead in "2345678" for size in (6, 7)]
    if not any(valid(probe) for probe in probes):
        return f"区号0{area}不存在，请核对区号。"
    return f"0{area}-{subscriber} 不是有效的座机号码，请核对。"


def _is_mobile_prefix(digits: str) -> bool:
    return digits.startswith("1") and not digits.startswith("10")


def _typed_national(main: str, digits: str) -> str:
    """The digits as dialled at home: +86/0086 taken off, the trunk 0 put back before an area code."""
    international = main.startswith("+") or digits.startswith("0086")
    if international:
        digits = digits[4:] if digits.startswith("0086") else digits.removeprefix("86")
        if not _is_mobile_prefix(digits):
            digits = "0" + digits
    if len(digits) == 12 and digits.startswith("0") and _is_mobile_prefix(digits[1:]):
        digits = digits[1:]  # a mobile typed with a leading 0 (013812345678)
    return digits


def phone_problem(digits: str) -> str:
    """Why a run of digits (already without +86) is not a phone number, in one Chinese sentence."""
    if _is_mobile_prefix(digits):
        if len(digits) != 11:
            return f"手机号应为11位，现在是{len(digits)}位。"
        return f"{digits[:3]}不是已分配的手机号段，请核对号码。"
    if digits.startswith("0") and len(digits) >= 9:
        return _landline_problem(digits[1:])
    if len(digits) in (7, 8):
        return "座机号码请带上区号（如0755-86123458）。"
    return "电话号码格式不对：手机号为11位（如13812345678），座机需带区号（如010-62345678）。"


def _stored_form(number, kind: str) -> str:  # noqa: ANN001
    """13812345678 for a mobile, 0755-86123458 for a landline, 400-123-4567 for a service number."""
    import phonenumbers

    national = str(number.national_number)
    if kind == "MOBILE":
        return national
    if kind in ("FIXED_LINE", "FIXED_LINE_OR_MOBILE"):
        cut = phonenumbers.length_of_geographical_area_code(number) or _area_code_length(national)
        return f"0{national[:cut]}-{national[cut:]}"
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL).replace(" ", "-")


def normalise_phone(text: str, field: str = "phone", *, allow_service: bool = False) -> str:
    """A phone number as libphonenumber (region CN) reads it, in the stored form, or one Chinese sentence.

    Stored forms: a mobile as its 11 digits (13812345678, also when typed +86…, 0086… or with a
    leading 0), a landline as area code and number (0755-86123458, also when typed +86 755 …),
    an extension after 转 (0755-86123458转801). A resident's phone is a mobile or a landline;
    `allow_service` (a unit's phone) also takes 400/800 numbers (400-123-4567) and short
    service numbers (12345, 95598).
    """
    raw = nfkc(text)
    if not raw:
        raise DomainError("请填写联系电话。", field)
    compact = re.sub(r"[()（）\[\]【】]", " ", raw).strip()
    compact = re.sub(r"[\u2010-\u2015]", "-", compact)  # the dashes an IME types for a hyphen
    main, extension = _split_extension(compact)
    digits = re.sub(r"\D", "", main)
    if not digits or re.search(r"[^\d\s\-+.]", main):
        raise DomainError("电话号码只能包含数字、空格、连字符和“+”（分机号写在“转”之后，如0755-86123458转801）。", field)
    number = _parse_cn(main)
    if number is not None and number.country_code != 86:
        raise DomainError("只能登记中国大陆的电话号码（+86）。", field)
    if allow_service and not extension and not main.startswith("+"):
        from phonenumbers import shortnumberinfo

        short = _parse_cn(digits)
        if short is not None and shortnumberinfo.is_valid_short_number_for_region(short, "CN"):
            return digits
    if not _valid(number):
        raise DomainError(phone_problem(_typed_national(main, digits)), field)
    kind = _type_name(number)
    if kind in SERVICE_TYPES:
        if not allow_service:
            raise DomainError(f"{digits[:3]}开头的号码是单位的服务热线，不能登记为居民的联系电话。", field)
    elif kind not in RESIDENT_TYPES:
        raise DomainError("这个号码不是手机号或座机号，请核对。", field)
    stored = _stored_form(number, kind)
    if extension:
        if kind == "MOBILE":
            raise DomainError("手机号没有分机号，请去掉“转”后面的数字。", field)
        stored += EXTENSION_MARK + extension
    return stored


def phone_tail(phone: str | None) -> str:
    """The last four digits of a stored phone's number (not of its extension): what a lookup types."""
    main = (phone or "").split(EXTENSION_MARK, 1)[0]
    return re.sub(r"\D", "", main)[-4:]


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
