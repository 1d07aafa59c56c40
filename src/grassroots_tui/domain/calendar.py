"""China's official working-day calendar.

Three sources, in this order of authority:

1. the committee's own entries in `calendar.toml` (`extra_holidays` / `extra_workdays`):
   the State Council's schedule for a year the package below does not know yet;
2. the `chinesecalendar` package: the published schedule (holidays and adjusted working
   weekends, 调休) for the years it covers (1.11: 2004-2026);
3. for any other year, the statutory holidays of 《全国年节及纪念日放假办法》 as revised in
   2024 (元旦 1 day, 春节 4 days from 除夕, 清明, 劳动节 2 days, 端午, 中秋, 国庆 3 days),
   computed with python-holidays' China calendar (it knows the lunar calendar). They never
   count as working days; adjusted working weekends and extra rest days are never guessed,
   they come only from a published schedule (1 or 2).

`knows(year)` tells whether a year's schedule is published (2) or entered by the committee
(1); `schedule_notice` is the one sentence every screen shows until it is.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

import chinese_calendar
import holidays as pyholidays

#: The festivals of the 2024 revision, by the Chinese names python-holidays gives them.
STATUTORY_NAMES = ("元旦", "农历除夕", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节")


@lru_cache(maxsize=4096)
def _official(day: date) -> bool | None:
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return None


@lru_cache(maxsize=256)
def official_year(year: int) -> bool:
    """True when `chinesecalendar` carries the State Council's schedule for `year`."""
    return _official(date(year, 6, 1)) is not None


@lru_cache(maxsize=256)
def statutory_holidays(year: int) -> dict[date, str]:
    """The statutory holidays of `year` under the 2024 rule: day -> Chinese name.

    Only the festival days themselves: python-holidays' guesses for days in lieu
    ("observed") and its copies of past schedules' 调休 rest days are left out.
    """
    found = pyholidays.China(years=year, observed=False, language="zh_CN")
    days: dict[date, str] = {}
    for day, name in found.items():
        names = [n.strip() for n in str(name).split(";")]
        kept = [n for n in names if n in STATUTORY_NAMES]
        if kept:
            days[day] = "、".join(dict.fromkeys(kept))
    return dict(sorted(days.items()))


@lru_cache(maxsize=256)
def _statutory_set(year: int) -> frozenset[date]:
    return frozenset(statutory_holidays(year))


@dataclass(frozen=True)
class WorkCalendar:
    extra_holidays: frozenset[date] = field(default_factory=frozenset)
    extra_workdays: frozenset[date] = field(default_factory=frozenset)

    @classmethod
    def from_lists(cls, holidays: Iterable[str | date] = (), workdays: Iterable[str | date] = ()) -> "WorkCalendar":
        def as_dates(items: Iterable[str | date]) -> frozenset[date]:
            return frozenset(d if isinstance(d, date) else date.fromisoformat(str(d)) for d in items)

        return cls(as_dates(holidays), as_dates(workdays))

    def entered(self, year: int) -> bool:
        """True when the committee has entered a schedule for `year` in calendar.toml."""
        return any(d.year == year for d in self.extra_holidays | self.extra_workdays)

    def knows(self, year: int) -> bool:
        """True when the schedule for `year` (holidays and 调休) is official or entered."""
        return official_year(year) or self.entered(year)

    def unknown_years(self, days: Iterable[date]) -> list[int]:
        """The years among `days` whose schedule is not known, in order."""
        return sorted({d.year for d in days if not self.knows(d.year)})

    def is_workday(self, day: date) -> bool:
        if day in self.extra_workdays:
            return True
        if day in self.extra_holidays:
            return False
        official = _official(day)
        if official is not None:
            return official
        if day in _statutory_set(day.year):
            return False
        return day.weekday() < 5

    def holidays_of(self, year: int) -> list[date]:
        """Every day of `year` that is not worked although it is Monday to Friday."""
        return [d for d in _days_of(year) if d.weekday() < 5 and not self.is_workday(d)]

    def workdays_of(self, year: int) -> list[date]:
        """The weekend days of `year` that are worked (调休)."""
        return [d for d in _days_of(year) if d.weekday() >= 5 and self.is_workday(d)]

    def add_working_days(self, start: date, n: int) -> date:
        """The Nth working day after `start` (the day of `start` itself never counts)."""
        if n < 1:
            raise ValueError("n must be at least 1")
        day = start
        count = 0
        while count < n:
            day += timedelta(days=1)
            if self.is_workday(day):
                count += 1
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in (start, end]."""
        count = 0
        day = start
        while day < end:
            day += timedelta(days=1)
            if self.is_workday(day):
                count += 1
        return count


def _days_of(year: int) -> list[date]:
    first = date(year, 1, 1)
    return [first + timedelta(days=i) for i in range((date(year + 1, 1, 1) - first).days)]


def schedule_notice(calendar: WorkCalendar, days: Iterable[date]) -> str | None:
    """The warning for dates in a year whose 放假调休安排 is not known yet, else None."""
    years = calendar.unknown_years(days)
    if not years:
        return None
    return f"{'、'.join(f'{y}年' for y in years)}放假调休安排尚未载入，时限按法定节假日计算"


# ------------------------------------------------------------------ the committee's entries

WEEKDAY_NAMES = "一二三四五六日"


def weekday_name(day: date) -> str:
    return "星期" + WEEKDAY_NAMES[day.weekday()]


def _parse_day(text: str, what: str) -> date:
    from grassroots_tui.domain.errors import DomainError

    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise DomainError(f"{what}“{text.strip()}”不是日期，请写成 2027-02-04", what) from None


def parse_days(text: str, what: str = "日期") -> list[date]:
    """`2027-02-04` or a range `2027-02-04..2027-02-10` (also `~`, `至`) as the days it names."""
    import unicodedata

    from grassroots_tui.domain.errors import DomainError

    norm = unicodedata.normalize("NFKC", text).strip().replace("至", "..").replace("~", "..")
    first, sep, last = norm.partition("..")
    start = _parse_day(first, what)
    end = _parse_day(last, what) if sep else start
    if end < start:
        raise DomainError(f"{what}“{text.strip()}”的结束日期早于开始日期", what)
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


@dataclass(frozen=True)
class Entry:
    """One year's schedule as the clerk typed it: the rest weekdays and the worked weekend days."""

    holidays: tuple[date, ...]
    workdays: tuple[date, ...]


def check_entry(year: int, holidays: Iterable[str], workdays: Iterable[str]) -> Entry:
    """The State Council's schedule for `year`, typed by the clerk, checked (DomainError in Chinese).

    A holiday range may include a weekend (the notices write "2月4日至10日放假"): its weekend days
    rest anyway and are left out; a single holiday on a weekend, a workday on a weekday, a workday
    on a statutory holiday, or a day outside `year` is refused.
    """
    from grassroots_tui.domain.errors import DomainError

    if not 2000 <= year <= 2100:
        raise DomainError(f"年份 {year} 不合理", "year")
    rest: set[date] = set()
    for text in holidays:
        days = parse_days(text, "放假日期")
        if len(days) == 1 and days[0].weekday() >= 5:
            raise DomainError(f"{days[0]} 是{weekday_name(days[0])}，本来就休息，无需登记为放假", "holiday")
        rest.update(d for d in days if d.weekday() < 5)
    work: set[date] = set()
    for text in workdays:
        for day in parse_days(text, "调休上班日期"):
            if day.weekday() < 5:
                raise DomainError(f"{day} 是{weekday_name(day)}，本来就是工作日，调休上班只登记周六或周日",
                                  "workday")
            name = statutory_holidays(day.year).get(day)
            if name:
                raise DomainError(f"{day} 是法定节假日（{name}），不能登记为调休上班", "workday")
            work.add(day)
    for day in sorted(rest | work):
        if day.year != year:
            raise DomainError(f"{day} 不在 {year} 年内，请只登记 {year} 年的安排", "year")
    if not rest and not work:
        raise DomainError("请至少给出一个 --holiday 或 --workday", "holiday")
    return Entry(tuple(sorted(rest)), tuple(sorted(work)))


def merge_entry(calendar: WorkCalendar, entry: Entry) -> WorkCalendar:
    """`calendar` with `entry` added; a day entered again with the other meaning takes the new one."""
    holidays = (calendar.extra_holidays - set(entry.workdays)) | set(entry.holidays)
    workdays = (calendar.extra_workdays - set(entry.holidays)) | set(entry.workdays)
    return WorkCalendar(frozenset(holidays), frozenset(workdays))


def source_label(calendar: WorkCalendar, year: int) -> str:
    if calendar.entered(year):
        return "居委会录入的放假调休安排（calendar.toml）"
    if official_year(year):
        return "国务院办公厅公布的放假调休安排（随程序提供）"
    return "放假调休安排尚未载入：只按法定节假日计算，没有调休上班"


def check_year(calendar: WorkCalendar, year: int) -> tuple[list[str], list[str]]:
    """(problems, notes) of `year`'s calendar against the statutory rule.

    A problem: a statutory holiday counted as a working day. Notes: rest weekdays far from
    any festival, working weekends far from any rest day, a year whose schedule is not known.
    """
    statutory = statutory_holidays(year)
    problems = [f"{d}（{name}，{weekday_name(d)}）是法定节假日，却被算作工作日"
                for d, name in statutory.items() if calendar.is_workday(d)]
    notes: list[str] = []
    if not calendar.knows(year):
        notes.append(f"{year}年放假调休安排尚未载入，时限按法定节假日计算；"
                     f"国务院公布后请用 grassroots calendar add {year} 录入")
    near_festival = {d + timedelta(days=i) for d in statutory for i in range(-7, 8)}
    rest = calendar.holidays_of(year)
    for day in rest:
        if day not in near_festival:
            notes.append(f"{day}（{weekday_name(day)}）放假，但前后一周内没有法定节假日")
    rest_set = set(rest) | set(statutory)
    for day in calendar.workdays_of(year):
        if not any(day + timedelta(days=i) in rest_set for i in range(-14, 15)):
            notes.append(f"{day}（{weekday_name(day)}）调休上班，但前后两周内没有放假")
    return problems, notes
