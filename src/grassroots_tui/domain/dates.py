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


def _clean(text: str | None) -> str:
    raw = nfkc(text).replace("：", ":").replace("T", " ").replace("　", " ")
    return re.sub(r"\s+", " ", raw).strip()


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
    if period in ("下午", "晚上", "傍晚") and 1 <= hour < 12:
        hour += 12
    elif period == "中午" and hour < 6:
        hour += 12
    if not 0 <= hour <= 23:
        raise DomainError(f"“{original}”中的小时 {hour} 不对，小时应在 0 到 23 之间。", field)
    if not 0 <= minute <= 59:
        raise DomainError(f"“{original}”中的分钟 {minute} 不对，分钟应在 0 到 59 之间。", field)
    return time(hour, minute)


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
    date_part, time_part = _split(raw)
    day = _read_date(date_part, today, raw, field, direction)
    if day is None:
        # A time alone means today; a date alone takes the default time.
        only_time = _read_time(raw, raw, field)
        if only_time is not None:
            return datetime.combine(today, only_time, tzinfo=tz)
        raise DomainError(f"无法识别的{what}“{text}”，{HINT}。", field)
    if not time_part:
        if default_time is None:
            raise DomainError(f"“{text}”缺少时刻，请写上几点几分，如 {date_part} 14:30。", field)
        return datetime.combine(day, default_time, tzinfo=tz)
    clock = _read_time(time_part, raw, field)
    if clock is None:
        raise DomainError(f"无法识别“{text}”中的时刻“{time_part}”，请写成 14:30 或 14点半。", field)
    return datetime.combine(day, clock, tzinfo=tz)


def parse_date(text: str | None, today: date, field: str | None = "date", *, what: str = "日期",
               direction: Direction = "near") -> date:
    """A typed day: `2026-12-03`, `12-03`, `明天`, `周三`; a month-day is read by `direction`."""
    raw = _clean(text)
    if not raw:
        raise DomainError(f"请填写{what}，可以写成 2026-12-03、12-03 或 明天。", field)
    day = _read_date(raw, today, raw, field, direction)
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


__all__ = ["Direction", "parse_period_days", "parse_datetime", "parse_date", "describe", "weekday_label", "HINT", "WEEKDAY_NAMES"]
