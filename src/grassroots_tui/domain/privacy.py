"""What personal data may leave the program, and how it is masked (PIPL): the one place that decides.

Every exit (the screens' lists, the command line, exports, the ledger) asks this module:

- a resident's name keeps its first character: 张** (`mask_name`);
- a phone keeps what the clerk uses to confirm it, the last four digits (and a mobile's first
  three, an area code): 138****5678, 010-****5678, an extension hidden: 0755-****3458转*** (`mask_phone`);
- an ID number keeps the region and the check digits: 110105********1234 (`mask_id`);
- phone and ID numbers typed into free text are masked however they were typed (`mask_text`):
  spaces or hyphens inside, full-width digits, +86/0086, landlines with area code, 15- and 18-digit
  ID numbers. Phones are found by Google's libphonenumber (`phonenumbers`) for region CN, long
  digit runs (ID and bank card numbers) by a pattern that ignores the separators;
- sensitive care tags (低保, 残疾, 刑满释放 … the list is `data/sensitive_tags.toml`) stay out of
  lists and command output (`visible_tags`).

`Disclosure(reveal=...)` bundles the rules for one exit: with `reveal` everything passes
unmasked (the caller writes the audit row); without, everything is masked. Pure functions,
no I/O: the tag list is handed in by the caller (services read it from the settings).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

# Used when no list is handed in (the shipped data/sensitive_tags.toml says the same).
DEFAULT_SENSITIVE_TAGS = frozenset({
    "低保", "特困", "五保", "困难户", "残疾", "重病", "大病", "精神障碍", "精神病", "严重精神", "艾滋", "失能",
    "吸毒", "戒毒", "刑满释放", "社区矫正", "监外执行", "信访", "邪教",
})

PHONE_MASK = "****"


def _nfkc(text: str | None) -> str:
    return unicodedata.normalize("NFKC", text or "").strip()


# ---------------------------------------------------------------- fields

def mask_name(name: str | None) -> str:
    """张三丰 -> 张**: the first character and one star for each other character."""
    if not name:
        return ""
    return name[0] + "*" * (len(name) - 1) if len(name) > 1 else "*"


def _area_code_length(digits: str) -> int:
    """Three-digit area codes are 010 and 02X; every other area code has four digits."""
    return 3 if digits.startswith(("010", "02")) else 4


def mask_phone(phone: str | None) -> str:
    """138****5678 for a mobile, 010-****5678 for a landline: the last four digits stay (the lookup's tail).

    An extension (stored after 转: 0755-86123458转801) is masked whole: 0755-****3458转***.
    """
    if not phone:
        return ""
    main, mark, extension = _nfkc(phone).partition("转")
    masked = _mask_number(main)
    return f"{masked}转{'*' * len(extension)}" if mark and extension else masked


def _mask_number(phone: str) -> str:
    digits = re.sub(r"\D", "", phone)
    if digits.startswith("0086") or (digits.startswith("86") and len(digits) in (12, 13)):
        digits = digits[4:] if digits.startswith("0086") else digits[2:]
        if not (len(digits) == 11 and digits.startswith("1")) and not digits.startswith("0"):
            digits = "0" + digits  # a landline after the country code has lost its leading 0
    if len(digits) == 11 and digits.startswith("1"):
        return f"{digits[:3]}{PHONE_MASK}{digits[-4:]}"
    if digits.startswith("0") and len(digits) >= 10:
        cut = _area_code_length(digits)
        subscriber = digits[cut:cut + 8]
        return f"{digits[:cut]}-{PHONE_MASK}{subscriber[-4:]}"
    return PHONE_MASK + digits[-4:] if len(digits) > 4 else PHONE_MASK


def mask_id(number: str | None) -> str:
    """110105********1234 (18 digits), 110105******123 (15), E1*****78 (other documents)."""
    if not number:
        return ""
    value = _nfkc(number).replace(" ", "")
    if len(value) == 18:
        return f"{value[:6]}{'*' * 8}{value[-4:]}"
    if len(value) == 15 and value.isdigit():
        return f"{value[:6]}{'*' * 6}{value[-3:]}"
    return value[:2] + "*" * max(len(value) - 4, 1) + value[-2:]


# ---------------------------------------------------------------- free text

# A run of digits with at most two separators (spaces, hyphens, dashes) between any two of them:
# `110105 19900101 1234`, `1101-0519-9001-0112-34`. NFKC has already turned full-width digits,
# spaces and hyphens into ASCII.
_SEP = r"[ \-\u2010-\u2014]"
_DIGIT_RUN = re.compile(rf"(?<![0-9])[0-9](?:{_SEP}{{0,2}}[0-9])*(?:{_SEP}{{0,2}}[Xx])?(?![0-9])")
LONG_NUMBER = 15  # ID numbers (15 or 18), bank cards (16-19): any run this long is masked


def _mask_long(digits: str) -> str:
    """A long digit run as an ID number would be masked; two numbers typed together lose all but the tail."""
    if digits.startswith("0086") and len(digits) in (14, 15, 16):  # 0086 and a mobile or landline
        return mask_phone(digits)
    if len(digits) in (15, 18):
        return mask_id(digits)
    if len(digits) <= 19:
        return f"{digits[:6]}{'*' * (len(digits) - 10)}{digits[-4:]}"
    return "*" * (len(digits) - 4) + digits[-4:]


def _normalised_with_map(text: str) -> tuple[str, list[int]]:
    """NFKC of `text` and, for each character of it, the index of the original character it came from."""
    out: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(text):
        norm = unicodedata.normalize("NFKC", ch)
        out.append(norm)
        where.extend([i] * len(norm))
    where.append(len(text))
    return "".join(out), where


def _phone_spans(norm: str) -> Iterable[tuple[int, int, str]]:
    """(start, end, masked) of every phone number libphonenumber finds in (normalised) text.

    POSSIBLE leniency finds numbers whatever their grouping; a match is kept when it is a
    mobile (11 digits, 1[3-9]) or a number typed with its area code or country code, so
    references (SQ-2026-000001), house numbers (3-2-301) and dates are left alone.
    """
    import phonenumbers

    for match in phonenumbers.PhoneNumberMatcher(norm, "CN", leniency=phonenumbers.Leniency.POSSIBLE):
        raw = match.raw_string
        digits = re.sub(r"\D", "", raw)
        national = str(match.number.national_number)
        lead = raw.lstrip("（( \t\u3000")
        if match.number.country_code != 86:
            continue
        if len(national) == 11 and re.fullmatch(r"1[3-9]\d{9}", national):
            yield match.start, match.end, mask_phone(national)
        elif (lead.startswith(("0", "+")) or digits.startswith("86")) and 9 <= len(national) <= 11:
            yield match.start, match.end, mask_phone("0" + national)


def mask_text(value: str | None, names: Iterable[str | None] = ()) -> str:
    """Phone and ID numbers inside free text masked like the fields, however they were typed.

    The text outside the numbers is returned as the clerk typed it (full-width punctuation
    included); `names` (the resident's own name) are masked where they occur.
    """
    if not value:
        return ""
    norm, where = _normalised_with_map(value)
    spans: list[tuple[int, int, str]] = []
    for m in _DIGIT_RUN.finditer(norm):
        digits = re.sub(r"[^0-9Xx]", "", m.group()).upper()
        if len(digits) >= LONG_NUMBER:
            spans.append((m.start(), m.end(), _mask_long(digits)))
    if spans:
        blanked = list(norm)
        for start, end, _ in spans:  # hide masked runs from the phone matcher (same length: offsets hold)
            blanked[start:end] = "#" * (end - start)
        rest = "".join(blanked)
    else:
        rest = norm
    spans += [s for s in _phone_spans(rest) if "#" not in rest[s[0]:s[1]]]
    out: list[str] = []
    last = 0
    for start, end, masked in sorted(spans):
        a, b = where[start], where[end]
        if a < last:
            continue
        out.append(value[last:a])
        out.append(masked)
        last = b
    out.append(value[last:])
    text = "".join(out)
    for name in names:
        if name and len(name) > 1:
            text = text.replace(name, mask_name(name))
    return text


# ---------------------------------------------------------------- tags

def is_sensitive_tag(tag: str, sensitive: Iterable[str] = DEFAULT_SENSITIVE_TAGS) -> bool:
    """低保户, 重度残疾, 刑满释放人员: a tag containing any word of the list is sensitive."""
    value = _nfkc(tag)
    return any(word and word in value for word in sensitive)


def visible_tags(tags: Iterable[str], sensitive: Iterable[str] = DEFAULT_SENSITIVE_TAGS) -> tuple[str, ...]:
    words = tuple(sensitive)
    return tuple(t for t in tags if not is_sensitive_tag(t, words))


def sensitive_only(tags: Iterable[str], sensitive: Iterable[str] = DEFAULT_SENSITIVE_TAGS) -> tuple[str, ...]:
    words = tuple(sensitive)
    return tuple(t for t in tags if is_sensitive_tag(t, words))


# ---------------------------------------------------------------- one exit

@dataclass(frozen=True)
class Disclosure:
    """The rules of one exit: masked (the default) or revealed (the caller audits it first)."""

    reveal: bool = False
    sensitive_tags: frozenset[str] = field(default=DEFAULT_SENSITIVE_TAGS)

    def name(self, value: str | None) -> str:
        return (value or "") if self.reveal else mask_name(value)

    def phone(self, value: str | None) -> str:
        return (value or "") if self.reveal else mask_phone(value)

    def id_number(self, value: str | None) -> str:
        return (value or "") if self.reveal else mask_id(value)

    def text(self, value: str | None, names: Iterable[str | None] = ()) -> str:
        return (value or "") if self.reveal else mask_text(value, names)

    def tags(self, tags: Iterable[str]) -> tuple[str, ...]:
        return tuple(tags) if self.reveal else visible_tags(tags, self.sensitive_tags)


__all__ = ["DEFAULT_SENSITIVE_TAGS", "Disclosure", "is_sensitive_tag", "mask_id", "mask_name", "mask_phone",
           "mask_text", "sensitive_only", "visible_tags"]
