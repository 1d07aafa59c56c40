"""Reading the dates and times clerks type.

Accepted (full-width digits and punctuation are fine, NFKC first):

- `2026-12-03 14:30`, `2026/12/03 14:30`, `2026.12.03 14:30`, `2026年12月3日 14:30`
- `12-03 14:30`, `12月3日 14:30` — a month-day without a year, read by `direction`:
  "future" (a meeting's start, `parse_datetime`'s default) the next such day, today included;
  "past" (a report or export period) the most recent such day not in the future;
  "near" (`parse_date`'s default: a deadline, a notice date) this year, unless that is more
  than 60 days back, then next year
- `今天 14:30`, `明天 14:30`, `后天 9:00`, `大后天 9:00`, `昨天 16:00`
- `周三 14:30`, `星期三 14:30` (the coming one, today included), `下周三 14:30`
- times as `14:30`, `1430`, `14点`, `14点30`, `14点半`, `下午2点`, `下午2:30`
- Chinese numerals in times and dates: `三点半`, `十点二十`, `十点零五`, `八点一刻`, `三点三刻`,
  `十二点`, `两点钟`, `十二月三日` (a small converter, `chinese_number`, rather than a library:
  numbers up to 99 are all a time or a day needs, and only numerals before 点/时/月 or after
  点/月 are read, so `周三` stays Wednesday)
- the full-width space (U+3000) anywhere is a space

A word before a time reads it on the 12-hour clock and must agree with it:
上午/早上/早晨 1–11 点; 中午 11、12 点 and 1–3 点 (13–15 时);
下午/傍晚 1–11 点 (+12) and 12 点 (12:00); 晚上 6–11 点 (18–23 时). `晚上十二点` is refused with
a hint to write `明天 0:00`: read as 00:00 it would silently fall on the next day, and a clerk
typing `今天晚上十二点` might mean either end of the day. `下午十五点` or `二十五点` is refused
with a Chinese sentence, like every other impossible time. An hour without such a word is on the
24-hour clock, whether written `3点半` or `三点半` (03:30; the afternoon is `下午三点半` or `15:30`):
one reading for both spellings, and the preview under the field shows it.

Errors are a Chinese sentence naming what was wrong, for the line under the field.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Literal

from grassroots_tui.domain.errors import DomainError
from grassroots_tui.domain.validation import nfkc

WEEKDAY_NAMES = "一二三四五六日"
ROLL_BACK_DAYS = 60  # `12-03` typed in February: a day this far back means next year

HINT = "可以写成 2026-12-03 14:30、12-03 14:30 或 明天 14:30"

_RELATIVE = {"今天": 0, "今日": 0, "明天": 1, "明日": 1, "后天": 2, "大后天": 3, "昨天": -1, "前天": -2}
_WEEKDAY = {c: i for i, c in enumerate(WEEKDAY_NAMES)} | {"天": 6}

_FULL = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?$")
_SHORT = re.compile(r"^(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_WEEK = re.compile(r"^(下下|下|本|这)?(?:周|星期|礼拜)([一二三四五六日天])$")
_TIME = re.compile(r"^(上午|早上|早晨|中午|下午|晚上|傍晚)?\s*(\d{1,2})(?:(?::|点|时)(\d{1,2}|半)?分?)?$")
_TIME_COMPACT = re.compile(r"^(\d{2})(\d{2})$")


def weekday_label(day: date) -> str:
    return f"星期{WEEKDAY_NAMES[day.weekday()]}"


def describe(value: datetime | date) -> str:
    """`2026年12月3日 星期四 14:30`, the preview shown under a date field."""
    if isinstance(value, datetime):
        return f"{value.year}年{value.month}月{value.day}日 {weekday_label(value.date())} {value:%H:%M}"
    return f"{value.year}年{value.month}月{value.day}日 {weekday_label(value)}"


_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
              "九": 9}
_CN = "零〇一二两三四五六七八九十"


def chinese_number(text: str) -> int | None:
    """`三` 3, `十` 10, `十二` 12, `二十` 20, `二十五` 25, `零五` 5, `〇五` 5: a whole number below 100, or None."""
    if not text or any(c not in _CN for c in text):
        return None
    if "十" not in text:
        if len(text) == 1:
            return _CN_DIGITS[text]
        if len(text) == 2 and text[0] in "零〇" and text[1] != "两":  # 十点零五: minutes written 0 and a digit
            return _CN_DIGITS[text[1]]
        return None
    tens, _, ones = text.partition("十")
    if "十" in ones or tens == "两" or (tens and tens[0] in "零〇") or len(tens) > 1 or len(ones) > 1:
        return None
    if ones in ("零", "〇", "两"):
        return None
    return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[ones] if ones else 0)


def _arabic(m: re.Match) -> str:
    value = chinese_number(m[1])
    return m[0] if value is None else m[0].replace(m[1], str(value), 1)


_CN_RUN = f"[{_CN}]+"
# Chinese numerals that are a time or a date (never `周三`, `星期三`): before 点/时/月, after 点/月.
_CN_TIME = [
    (re.compile(rf"({_CN_RUN})(?=点|时|月)"), _arabic),
    (re.compile(r"(?<=[点时])\s*(一|三)刻"), lambda m: "15" if m[1] == "一" else "45"),
    (re.compile(rf"(?<=[点时])\s*({_CN_RUN})(?=分|$|\s)"), _arabic),
    (re.compile(rf"(?<=月)\s*({_CN_RUN})(?=[日号])"), _arabic),
]


def _typed(text: str | None) -> str:
    return re.sub(r"\s+", " ", nfkc(text)).strip()


def _clean(text: str | None) -> str:
    raw = nfkc(text).replace("：", ":").replace("T", " ").replace("\u3000", " ")
    raw = re.sub(r"\s+", " ", raw).strip()
    raw = re.sub(r"(点|时)钟", r"\1", raw)  # 三点钟
    for pattern, replace in _CN_TIME:
        raw = pattern.sub(replace, raw)
    return raw


def _make_date(year: int, month: int, day: int, original: str, field: str | None) -> date:
    if not 1 <= month <= 12:
        raise DomainError(f"“{original}”中的月份 {month} 不存在，月份应在 1 到 12 之间。", field)
    try:
        return date(year, month, day)
    except ValueError:
        raise DomainError(f"日期不存在：{year}年{month}月{day}日。", field) from None


Direction = Literal["past", "future", "near"]


def _month_day(month: int, day: int, today: date, direction: Direction, original: str,
               field: str | None) -> date:
    """A month-day without a year, placed in the year `direction` asks for (02-29: a leap year)."""
    if (month, day) != (2, 29):
        _make_date(today.year, month, day, original, field)  # a month or day that never exists
    step = -1 if direction == "past" else 1
    year = today.year
    if direction == "near":
        candidate = _in_year_or_next_leap(year, month, day, step)
        if (today - candidate).days > ROLL_BACK_DAYS:
            candidate = _in_year_or_next_leap(candidate.year + 1, month, day, step)
        return candidate
    candidate = _in_year_or_next_leap(year, month, day, step)
    if direction == "past" and candidate > today:
        candidate = _in_year_or_next_leap(year - 1, month, day, step)
    elif direction == "future" and candidate < today:
        candidate = _in_year_or_next_leap(year + 1, month, day, step)
    return candidate


def _in_year_or_next_leap(year: int, month: int, day: int, step: int) -> date:
    """`month-day` in `year`; 02-29 in a common year moves by `step` to the nearest leap year."""
    while True:
        try:
            return date(year, month, day)
        except ValueError:
            year += step


def _read_date(part: str, today: date, original: str, field: str | None,
               direction: Direction = "near") -> date | None:
    if part in _RELATIVE:
        return today + timedelta(days=_RELATIVE[part])
    m = _FULL.match(part) or _COMPACT.match(part)
    if m:
        return _make_date(int(m[1]), int(m[2]), int(m[3]), original, field)
    m = _SHORT.match(part)
    if m:
        return _month_day(int(m[1]), int(m[2]), today, direction, original, field)
    m = _WEEK.match(part)
    if m:
        target = _WEEKDAY[m[2]]
        if m[1] in ("下", "下下"):
            monday = today - timedelta(days=today.weekday()) + timedelta(weeks=len(m[1]))
            return monday + timedelta(days=target)
        if m[1] in ("本", "这"):
            return today - timedelta(days=today.weekday()) + timedelta(days=target)
        return today + timedelta(days=(target - today.weekday()) % 7)
    return None


def _read_time(part: str, original: str, field: str | None) -> time | None:
    m = _TIME_COMPACT.match(part)
    if m:
        hour, minute, period = int(m[1]), int(m[2]), None
    else:
        m = _TIME.match(part)
        if not m:
            return None
        period = m[1]
        hour = int(m[2])
        minute = 30 if m[3] == "半" else int(m[3] or 0)
        if m[3] is None and period is None and ":" not in part and "点" not in part and "时" not in part:
            return None  # a bare number is not a time
    if period is not None:
        hour = _twelve_hour(period, hour, original, field)
    if not 0 <= hour <= 23:
        raise DomainError(f"“{original}”中的小时 {hour} 不对，小时应在 0 到 23 之间。", field)
    if not 0 <= minute <= 59:
        raise DomainError(f"“{original}”中的分钟 {minute} 不对，分钟应在 0 到 59 之间。", field)
    return time(hour, minute)


# Which hours each word before a time allows, and how many hours it adds (see the module docstring).
_PERIOD_HOURS: dict[str, tuple[range, int]] = {
    "上午": (range(1, 12), 0), "早上": (range(1, 12), 0), "早晨": (range(1, 12), 0),
    "下午": (range(1, 12), 12), "傍晚": (range(1, 12), 12), "晚上": (range(6, 12), 12),
}


def _twelve_hour(period: str, hour: int, original: str, field: str | None) -> int:
    """`下午3点` is 15:00; a word and an hour that do not go together are refused in a sentence."""
    if period == "中午":
        if hour in (11, 12):
            return hour
        if 1 <= hour <= 3:
            return hour + 12
        raise DomainError(f"“{original}”不对：中午是 11 点到 下午3 点，没有“中午{hour}点”。", field)
    if period == "晚上" and hour in (0, 12, 24):
        raise DomainError(f"“{original}”是第二天的 0 点，为免弄错日期，请写明哪一天，如 明天 0:00。", field)
    if period in ("下午", "傍晚") and hour == 12:
        return 12
    allowed, add = _PERIOD_HOURS[period]
    if hour not in allowed:
        raise DomainError(f"“{original}”不对：{period}是 {allowed.start} 点到 {allowed.stop - 1} 点，"
                          f"没有“{period}{hour}点”；24 小时制的时刻请直接写，如 15:00。", field)
    return hour + add


def _split(raw: str) -> tuple[str, str]:
    """The date part and the time part: `明天14:30` and `明天 14:30` alike."""
    if " " in raw:
        head, _, tail = raw.rpartition(" ")
        return head.strip(), tail.strip()
    for word in sorted(_RELATIVE, key=len, reverse=True):
        if raw.startswith(word):
            return word, raw[len(word):].strip()
    m = re.match(r"^(.*?[日号天一二三四五六])((?:上午|早上|早晨|中午|下午|晚上|傍晚)?\d.*)$", raw)
    if m and not _FULL.match(raw) and not _SHORT.match(raw):
        return m[1], m[2]
    return raw, ""


def parse_datetime(text: str | None, now: datetime, field: str | None = "start",
                   *, default_time: time | None = None, what: str = "时间",
                   direction: Direction = "future") -> datetime:
    """A typed date and time, in `now`'s time zone; a month-day alone is read by `direction`."""
    raw = _clean(text)
    if not raw:
        raise DomainError(f"请填写{what}，{HINT}。", field)
    today = now.date()
    tz: tzinfo | None = now.tzinfo
    shown = _typed(text)  # errors quote what the clerk typed, not its Arabic-numeral reading
    date_part, time_part = _split(raw)
    day = _read_date(date_part, today, shown, field, direction)
    if day is None:
        # A time alone means today; a date alone takes the default time.
        only_time = _read_time(raw, shown, field)
        if only_time is not None:
            return datetime.combine(today, only_time, tzinfo=tz)
        raise DomainError(f"无法识别的{what}“{text}”，{HINT}。", field)
    if not time_part:
        if default_time is None:
            raise DomainError(f"“{text}”缺少时刻，请写上几点几分，如 {date_part} 14:30。", field)
        return datetime.combine(day, default_time, tzinfo=tz)
    clock = _read_time(time_part, shown, field)
    if clock is None:
        raise DomainError(f"无法识别“{text}”中的时刻“{time_part}”，请写成 14:30 或 14点半。", field)
    return datetime.combine(day, clock, tzinfo=tz)


def parse_date(text: str | None, today: date, field: str | None = "date", *, what: str = "日期",
               direction: Direction = "near") -> date:
    """A typed day: `2026-12-03`, `12-03`, `明天`, `周三`; a month-day is read by `direction`."""
    raw = _clean(text)
    if not raw:
        raise DomainError(f"请填写{what}，可以写成 2026-12-03、12-03 或 明天。", field)
    day = _read_date(raw, today, _typed(text), field, direction)
    if day is None:
        raise DomainError(f"无法识别的{what}“{text}”，可以写成 2026-12-03、12-03 或 明天。", field)
    return day


def parse_period_days(start: str | None, end: str | None, today: date) -> tuple[date | None, date | None]:
    """A report or export period as typed (`--from/--to`, F6's range form); a side left empty is None.

    A month-day is the most recent such day not in the future (typed on 2 December, `10-01` is
    this October, `12-05` last December); an end typed as a month-day that would fall before
    the start is the first such day on or after it (`10-01` to `12-31` is this year's quarter).
    """
    first = parse_date(start, today, "from", what="开始日期", direction="past") if _clean(start) else None
    last = parse_date(end, today, "to", what="结束日期", direction="past") if _clean(end) else None
    if first is not None and last is not None and last < first:
        later = parse_date(end, first, "to", what="结束日期", direction="future")
        if (later.month, later.day) == (last.month, last.day):  # only the year was chosen: a month-day
            last = later
    return first, last


__all__ = ["Direction", "chinese_number", "parse_period_days", "parse_datetime", "parse_date", "describe",
           "weekday_label", "HINT", "WEEKDAY_NAMES"]
