"""Working-time calendar: pure functions over the Chinese statutory calendar (R-SLA-1, R-SLA-2).

No Django, no database: the duetimes module builds a `WorkCalendar` from `HolidayData` (package data
merged with the admin-editable table or a notice file, which `notice.py` reads) and a company's
`OfficeHours`, then asks it for deadlines. All datetimes must be aware; any zone is accepted and results
are in the calendar's zone (Asia/Shanghai by default).

Definitions used throughout:
- A *working day* is a Monday-Friday that is not a holiday, or any date listed as an adjusted working
  day (调休). Years without data fall back to weekends-only, and every such year is reported by
  `unknown_years_between` / `Deadline.provisional`, never silently (R-SLA-1).
- *Working time* is the union of the half-open blocks [start, end) of each working day: 12:00 and
  17:30 themselves are outside working time with the default hours.
- `add_working_minutes(t, m)` is the earliest instant u >= t with m working minutes in [t, u). So
  adding 0 returns t unchanged, and a sum that uses up a block exactly ends at that block's end.
- A moment's *working day* is the day on which work resumes: the date of `next_working_instant(t)`.
  `add_working_days(t, n)` is the end of the n-th working day after it; `end_of_working_day(t)` is
  `add_working_days(t, 0)` ("the same working day after work resumes", R-SLA-2).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

import chinese_calendar

SHANGHAI = ZoneInfo("Asia/Shanghai")
_MAX_IDLE_DAYS = 366  # consecutive non-working days before we call the data broken (loops must end)

DateLike = date | datetime


@dataclass(frozen=True)
class OfficeHours:
    """A company's office hours, identical on every working day; lunch break between the two blocks.

    Invariant: morning_start < morning_end <= afternoon_start <= afternoon_end (naive times). With no
    lunch break (morning_end == afternoon_start) or an empty afternoon the day is one block.
    """

    morning_start: time = time(8, 30)
    morning_end: time = time(12, 0)
    afternoon_start: time = time(13, 30)
    afternoon_end: time = time(17, 30)

    def __post_init__(self) -> None:
        times = (self.morning_start, self.morning_end, self.afternoon_start, self.afternoon_end)
        if any(not isinstance(t, time) or t.tzinfo is not None for t in times):
            raise ValueError("office hours must be naive datetime.time values")
        if not (self.morning_start < self.morning_end <= self.afternoon_start <= self.afternoon_end):
            raise ValueError(f"office hours out of order: {' / '.join(t.isoformat() for t in times)}")

    @classmethod
    def single_block(cls, start: time, end: time) -> OfficeHours:
        """Hours without a lunch break."""
        return cls(start, end, end, end)

    @property
    def blocks(self) -> tuple[tuple[time, time], ...]:
        """The working blocks of a day, empty ones dropped and touching ones merged."""
        if self.morning_end == self.afternoon_start or self.afternoon_start == self.afternoon_end:
            return ((self.morning_start, max(self.morning_end, self.afternoon_end)),)
        return ((self.morning_start, self.morning_end), (self.afternoon_start, self.afternoon_end))


@dataclass(frozen=True)
class HolidayData:
    """Statutory holidays and adjusted working days (调休), and the years for which data is complete.

    Dates may be listed for a year outside `years` (a partial notice): they are honoured, but the year
    still counts as unknown. A date is never both a holiday and a workday.
    """

    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()
    years: frozenset[int] = frozenset()

    def __post_init__(self) -> None:
        for name in ("holidays", "workdays", "years"):
            object.__setattr__(self, name, frozenset(getattr(self, name)))
        both = self.holidays & self.workdays
        if both:
            raise ValueError(f"dates both holiday and workday: {', '.join(map(str, sorted(both)))}")


def chinese_calendar_years() -> frozenset[int]:
    """Years the installed `chinese_calendar` package has data for (its own rule: min..max year)."""
    years = [d.year for d in chinese_calendar.holidays]
    return frozenset(range(min(years), max(years) + 1)) if years else frozenset()


def from_chinese_calendar(years: Iterable[int] | None = None) -> HolidayData:
    """HolidayData from the `chinese_calendar` package for `years` (default: every year it knows).

    Requested years the package does not know are left out of `years`, so they stay unknown.
    """
    known = chinese_calendar_years()
    chosen = known if years is None else known & frozenset(years)
    return HolidayData(
        holidays=frozenset(d for d in chinese_calendar.holidays if d.year in chosen),
        workdays=frozenset(d for d in chinese_calendar.workdays if d.year in chosen),
        years=chosen,
    )


def merge(a: HolidayData, b: HolidayData) -> HolidayData:
    """`a` overridden by `b`: every date `b` lists takes `b`'s status; years are the union.

    Marking a weekday as a workday cancels a holiday; marking a weekend day a holiday cancels a 调休.
    """
    overridden = b.holidays | b.workdays
    return HolidayData(
        holidays=(a.holidays - overridden) | b.holidays,
        workdays=(a.workdays - overridden) | b.workdays,
        years=a.years | b.years,
    )


# --- the calendar ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Deadline:
    """A computed deadline and the years without calendar data it depended on (R-SLA-1)."""

    at: datetime
    unknown_years: tuple[int, ...] = ()

    @property
    def provisional(self) -> bool:
        """True if the deadline was computed over a year with no data (weekends-only fallback)."""
        return bool(self.unknown_years)


def _utc_delta(a: datetime, b: datetime) -> timedelta:
    # Through UTC, so the arithmetic is right even in a zone with DST (aware subtraction within one
    # tzinfo uses wall-clock time).
    return b.astimezone(UTC) - a.astimezone(UTC)


@dataclass(frozen=True)
class WorkCalendar:
    """Working-time arithmetic over `data` and `hours` in `tz` (see the module docstring)."""

    data: HolidayData
    hours: OfficeHours = field(default_factory=OfficeHours)
    tz: tzinfo = SHANGHAI

    # -- days

    def _date(self, d: DateLike) -> date:
        return self._local(d).date() if isinstance(d, datetime) else d

    def is_working_day(self, d: DateLike) -> bool:
        d = self._date(d)
        if d in self.data.workdays:
            return True
        return d.weekday() < 5 and d not in self.data.holidays

    def is_known(self, d: DateLike) -> bool:
        """Whether the calendar has data for the year of `d` (else it is weekends-only, provisional)."""
        return self._date(d).year in self.data.years

    def unknown_years_between(self, start: DateLike, end: DateLike) -> tuple[int, ...]:
        """Years from `start` to `end` (either order, inclusive) without calendar data, ascending."""
        a, b = sorted((self._date(start), self._date(end)))
        return tuple(y for y in range(a.year, b.year + 1) if y not in self.data.years)

    def deadline(self, start: datetime, at: datetime) -> Deadline:
        """Wrap a deadline `at` computed from `start`, flagging the unknown years it depended on.

        E.g. `cal.deadline(t, cal.add_working_days(t, 2))`. Every function here consults only the days
        from `start` to its result, so this range is exactly what the computation touched.
        """
        return Deadline(at=self._local(at), unknown_years=self.unknown_years_between(start, at))

    def _next_working_day(self, d: date) -> date:
        for _ in range(_MAX_IDLE_DAYS):
            d += timedelta(days=1)
            if self.is_working_day(d):
                return d
        raise ValueError(f"no working day within {_MAX_IDLE_DAYS} days after {d}: holiday data is broken")

    # -- instants

    def _local(self, dt: datetime) -> datetime:
        if not isinstance(dt, datetime):
            raise TypeError(f"expected a datetime, got {type(dt).__name__}")
        if dt.tzinfo is None or dt.utcoffset() is None:
            raise ValueError(f"naive datetime {dt.isoformat()}: working-time maths needs aware datetimes")
        return dt.astimezone(self.tz)

    def _blocks_on(self, d: date) -> list[tuple[datetime, datetime]]:
        if not self.is_working_day(d):
            return []
        return [
            (datetime.combine(d, s, tzinfo=self.tz), datetime.combine(d, e, tzinfo=self.tz))
            for s, e in self.hours.blocks
        ]

    def _blocks_from(self, local: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Working blocks ending after `local`, in order, without end."""
        d, idle = local.date(), 0
        while True:
            blocks = self._blocks_on(d)
            idle = 0 if blocks else idle + 1
            if idle > _MAX_IDLE_DAYS:
                raise ValueError(
                    f"no working day within {_MAX_IDLE_DAYS} days of {d}: holiday data is broken"
                )
            for s, e in blocks:
                if e > local:
                    yield s, e
            d += timedelta(days=1)

    def is_working_instant(self, dt: datetime) -> bool:
        local = self._local(dt)
        return any(s <= local < e for s, e in self._blocks_on(local.date()))

    def next_working_instant(self, dt: datetime) -> datetime:
        """`dt` itself if inside working time, else the start of the next working block."""
        local = self._local(dt)
        s, _ = next(self._blocks_from(local))
        return max(s, local)

    def add_working_minutes(self, dt: datetime, minutes: float) -> datetime:
        """The earliest instant with `minutes` working minutes between `dt` and it.

        Adding 0 returns `dt`; an end that exactly uses up a block stays at that block's end.
        """
        if isinstance(minutes, bool) or not isinstance(minutes, int | float):
            raise TypeError(f"minutes must be a number, got {type(minutes).__name__}")
        if not math.isfinite(minutes) or minutes < 0:
            raise ValueError(f"minutes must be finite and >= 0, got {minutes}")
        local, remaining = self._local(dt), timedelta(minutes=minutes)
        if not remaining:
            return local
        for s, e in self._blocks_from(local):
            start = max(s, local)
            available = _utc_delta(start, e)
            if remaining <= available:
                return (start.astimezone(UTC) + remaining).astimezone(self.tz)
            remaining -= available
        raise AssertionError("unreachable: _blocks_from never ends")  # pragma: no cover

    def working_minutes_between(self, a: datetime, b: datetime) -> float:
        """Working minutes in [a, b); negative if b < a. Exact for whole-minute results."""
        a, b = self._local(a), self._local(b)
        if b < a:
            return -self.working_minutes_between(b, a)
        total = timedelta(0)
        for s, e in self._blocks_from(a):
            if s >= b:
                break
            total += _utc_delta(max(s, a), min(e, b))
        return total / timedelta(minutes=1)

    def _end_of_day(self, d: date) -> datetime:
        return self._blocks_on(d)[-1][1]

    def add_working_days(self, dt: datetime, n: int) -> datetime:
        """The end of the n-th working day after `dt`'s working day (the day work resumes).

        "Within 2 working days" from Tue 10:00 is Thu 17:30; from Tue 18:00, a Saturday or Sunday it is
        counted from the next working day (Wed, Mon). n = 0 gives `end_of_working_day(dt)`.
        """
        if isinstance(n, bool) or not isinstance(n, int) or n < 0:
            raise ValueError(f"n must be an int >= 0, got {n!r}")
        d = self.next_working_instant(dt).date()
        for _ in range(n):
            d = self._next_working_day(d)
        return self._end_of_day(d)

    def end_of_working_day(self, dt: datetime) -> datetime:
        """The end of the working day containing `dt`, or outside working time of the day on which work
        next resumes (after lunch: the same day; after hours or on a holiday: the next working day)."""
        return self.add_working_days(dt, 0)
