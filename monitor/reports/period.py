"""The semi-monthly reporting period (半月报): 1st–15th and 16th–last day of each month.

The office reports as of the 15th and the last day of the month; a report asked for another
day covers the half-month up to and including that day and says it is partial. Days are
office-local (Asia/Shanghai by default): a lead captured at 23:30 on the 15th in Shenzhen is
16:30 UTC and belongs to the first half.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Period:
    """Both ends are office-local dates, inclusive."""

    start: date
    end: date
    timezone: str = "Asia/Shanghai"

    @classmethod
    def ending(cls, as_of: date, timezone: str = "Asia/Shanghai") -> Period:
        """The half-month that ends at (or, for a mid-period day, is cut at) `as_of`."""
        start = as_of.replace(day=1 if as_of.day <= 15 else 16)
        return cls(start, as_of, timezone)

    @property
    def full_end(self) -> date:
        """The 15th or the month's last day: where this half-month normally ends."""
        if self.start.day == 1:
            return self.start.replace(day=15)
        last = calendar.monthrange(self.start.year, self.start.month)[1]
        return self.start.replace(day=last)

    @property
    def partial(self) -> bool:
        """True when `end` is not a reporting day (the 15th or the last of the month)."""
        return self.end != self.full_end

    @property
    def label(self) -> str:
        half = "上半月" if self.start.day == 1 else "下半月"
        suffix = f"（截至{self.end.month}月{self.end.day}日）" if self.partial else ""
        return f"{self.start.year}年{self.start.month}月{half}{suffix}"

    def bounds(self) -> tuple[datetime, datetime]:
        """[start, end) as aware datetimes: local midnight of `start` to after `end`."""
        zone = ZoneInfo(self.timezone)
        begin = datetime.combine(self.start, time.min, zone)
        finish = datetime.combine(self.end + timedelta(days=1), time.min, zone)
        return begin, finish

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end
