"""China's official working-day calendar.

The State Council's schedule (holidays and adjusted working weekends, 调休) comes
from the `chinesecalendar` package. For a year the package does not cover yet,
Monday to Friday are working days, corrected by the overrides the committee
keeps in `calendar.toml`; `knows(year)` tells whether a year is official.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

import chinese_calendar


@lru_cache(maxsize=4096)
def _official(day: date) -> bool | None:
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return None


@dataclass(frozen=True)
class WorkCalendar:
    extra_holidays: frozenset[date] = field(default_factory=frozenset)
    extra_workdays: frozenset[date] = field(default_factory=frozenset)

    @classmethod
    def from_lists(cls, holidays: Iterable[str | date] = (), workdays: Iterable[str | date] = ()) -> "WorkCalendar":
        def as_dates(items: Iterable[str | date]) -> frozenset[date]:
            return frozenset(d if isinstance(d, date) else date.fromisoformat(str(d)) for d in items)

        return cls(as_dates(holidays), as_dates(workdays))

    def knows(self, year: int) -> bool:
        """True when the official schedule for `year` is known."""
        return _official(date(year, 6, 1)) is not None

    def is_workday(self, day: date) -> bool:
        if day in self.extra_workdays:
            return True
        if day in self.extra_holidays:
            return False
        official = _official(day)
        if official is not None:
            return official
        return day.weekday() < 5

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
