"""Chinese-numeral times and the full-width space, read by the one date parser (domain/dates.py)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from grassroots_tui.domain.dates import chinese_number, parse_date, parse_datetime
from grassroots_tui.domain.errors import DomainError

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 2, 9, 0, tzinfo=TZ)  # a Wednesday morning


def at(day: int, hour: int, minute: int = 0, month: int = 12) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=TZ)


@pytest.mark.parametrize(("typed", "expected"), [
    ("明天下午三点", at(3, 15)),
    ("后天上午十点", at(4, 10)),
    ("三点半", at(2, 3, 30)),  # no 上午/下午: the 24-hour clock, as for 3点半
    ("十五点半", at(2, 15, 30)),
    ("下午3点", at(2, 15)),
    ("下午三点半", at(2, 15, 30)),
    ("晚上八点一刻", at(2, 20, 15)),
    ("晚上八点三刻", at(2, 20, 45)),
    ("十二点", at(2, 12)),
    ("中午十二点", at(2, 12)),
    ("中午一点", at(2, 13)),
    ("下午十二点半", at(2, 12, 30)),
    ("上午十点二十", at(2, 10, 20)),
    ("上午十点二十分", at(2, 10, 20)),
    ("十点零五", at(2, 10, 5)),
    ("九点〇五分", at(2, 9, 5)),
    ("两点钟", at(2, 2)),
    ("下午两点钟", at(2, 14)),
    ("早上八点", at(2, 8)),
    ("二十三点五十九", at(2, 23, 59)),
    ("零点", at(2, 0)),
    ("明天 下午三点", at(3, 15)),
    ("周五下午三点", at(4, 15)),
    ("星期三 上午九点", at(2, 9)),
    ("下周三上午九点半", at(9, 9, 30)),
    ("十二月三日 九点", at(3, 9)),
    ("12月3日 下午2点半", at(3, 14, 30)),
    ("明天\u3000下午三点", at(3, 15)),  # U+3000 between the parts
    ("\u3000明天\u300014:30\u3000", at(3, 14, 30)),
    ("2026-12-03\u300014:30", at(3, 14, 30)),
])
def test_chinese_times_are_read(typed: str, expected: datetime | None) -> None:
    if expected is None:
        with pytest.raises(DomainError):
            parse_datetime(typed, NOW)
        return
    assert parse_datetime(typed, NOW) == expected


@pytest.mark.parametrize(("typed", "message"), [
    ("下午十五点", "“下午十五点”不对：下午是 1 点到 11 点，没有“下午15点”；24 小时制的时刻请直接写，如 15:00。"),
    ("下午15点", "“下午15点”不对：下午是 1 点到 11 点，没有“下午15点”；24 小时制的时刻请直接写，如 15:00。"),
    ("二十五点", "“二十五点”中的小时 25 不对，小时应在 0 到 23 之间。"),
    ("明天 十点七十", "“明天 十点七十”中的分钟 70 不对，分钟应在 0 到 59 之间。"),
    ("晚上十二点", "“晚上十二点”是第二天的 0 点，为免弄错日期，请写明哪一天，如 明天 0:00。"),
    ("晚上一点", "“晚上一点”不对：晚上是 6 点到 11 点，没有“晚上1点”；24 小时制的时刻请直接写，如 15:00。"),
    ("上午十二点", "“上午十二点”不对：上午是 1 点到 11 点，没有“上午12点”；24 小时制的时刻请直接写，如 15:00。"),
    ("中午五点", "“中午五点”不对：中午是 11 点到 下午3 点，没有“中午5点”。"),
    ("十三月三日 九点", "“十三月三日 九点”中的月份 13 不存在，月份应在 1 到 12 之间。"),
])
def test_nonsense_is_refused_in_one_chinese_sentence(typed: str, message: str) -> None:
    with pytest.raises(DomainError) as err:
        parse_datetime(typed, NOW)
    assert err.value.message == message


def test_weekday_names_stay_weekdays() -> None:
    # 周三 is a day of the week, not the number 3: only numerals before 点/时/月 or after 点/月 are read.
    assert parse_date("周三", NOW.date()) == date(2026, 12, 2)
    assert parse_date("下周三", NOW.date()) == date(2026, 12, 9)
    assert parse_date("十二月三日", NOW.date()) == date(2026, 12, 3)
    assert parse_date("\u300012-03\u3000", NOW.date()) == date(2026, 12, 3)


@pytest.mark.parametrize(("text", "value"), [
    ("零", 0), ("〇", 0), ("一", 1), ("两", 2), ("九", 9), ("十", 10), ("十一", 11), ("十二", 12), ("二十", 20),
    ("二十三", 23), ("五十九", 59), ("九十九", 99), ("零五", 5), ("〇八", 8),
    ("", None), ("十十", None), ("一二", None), ("两十", None), ("十两", None), ("一百", None), ("二十零", None),
    ("零十", None), ("三十五六", None), ("二二十", None),
])
def test_chinese_number(text: str, value: int | None) -> None:
    assert chinese_number(text) == value


DIGITS = "零一二三四五六七八九"


def _spelled(n: int) -> str:
    tens, ones = divmod(n, 10)
    if tens == 0:
        return DIGITS[ones]
    return ("" if tens == 1 else DIGITS[tens]) + "十" + ("" if ones == 0 else DIGITS[ones])


@given(st.integers(0, 23), st.integers(1, 59))
def test_every_spelled_time_is_its_number(hour: int, minute: int) -> None:
    expected = NOW.replace(hour=hour, minute=minute)
    assert parse_datetime(f"今天 {_spelled(hour)}点{_spelled(minute)}分", NOW) == expected
    assert parse_datetime(f"{_spelled(hour)}点{_spelled(minute)}", NOW) == expected
