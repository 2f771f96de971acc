"""Turning a rule and a start time into a stored due time (R-SLA-3), with the calendar the company
works by: the package's statutory data, overridden by the admin-edited days, in the company's hours."""

from __future__ import annotations

import threading
import time as _time
from datetime import datetime, timedelta

from . import calendar as cal
from .models import CalendarDay, CalendarYear, WorkingHours

_CACHE_SECONDS = 60
_cache: dict[tuple, tuple[float, cal.WorkCalendar]] = {}
_lock = threading.Lock()


def _holiday_data() -> cal.HolidayData:
    base = cal.from_chinese_calendar()
    days = list(CalendarDay.objects.values_list("date", "kind"))
    extra = cal.HolidayData(
        holidays=frozenset(d for d, k in days if k == CalendarDay.Kind.HOLIDAY),
        workdays=frozenset(d for d, k in days if k == CalendarDay.Kind.WORKDAY),
        years=frozenset(CalendarYear.objects.values_list("year", flat=True)),
    )
    return cal.merge(base, extra)


def calendar_for(company_id: int | None) -> cal.WorkCalendar:
    """The company's working calendar; cached per process for a minute (and dropped at once in this
    process when an administrator changes holidays or hours, see `invalidate`)."""
    key = (company_id,)
    now = _time.monotonic()
    with _lock:
        hit = _cache.get(key)
        if hit and now - hit[0] < _CACHE_SECONDS:
            return hit[1]
    wh = WorkingHours.objects.filter(company_id=company_id).first() if company_id else None
    hours = (
        cal.OfficeHours(wh.morning_start, wh.morning_end, wh.afternoon_start, wh.afternoon_end)
        if wh
        else cal.OfficeHours()
    )
    work = cal.WorkCalendar(_holiday_data(), hours)
    with _lock:
        _cache[key] = (now, work)
    return work


def invalidate() -> None:
    with _lock:
        _cache.clear()


def compute_due(rule: dict, start: datetime, work: cal.WorkCalendar) -> cal.Deadline:
    """When an obligation governed by `rule` (see policies) that starts at `start` falls due."""
    kind = rule["type"]
    if kind == "same_day":
        at = work.end_of_working_day(start)
    elif kind == "working_days":
        at = work.add_working_days(start, rule["n"])
    elif kind == "working_minutes":
        at = work.add_working_minutes(start, rule["n"])
    elif kind == "clock_minutes":
        at = start + timedelta(minutes=rule["n"])
        return cal.Deadline(at=at.astimezone(cal.SHANGHAI), unknown_years=())
    else:  # pragma: no cover - validate_rules refuses unknown types
        raise ValueError(kind)
    return work.deadline(start, at)


def unknown_years_ahead(days: int = 45, today=None) -> tuple[int, ...]:
    """Years without holiday data that a deadline starting within `days` days from today could reach
    (the longest default rule is a few working days; 45 days covers any holiday season)."""
    from docket.core import clock

    work = calendar_for(None)
    start = today or clock.local_now().date()
    return work.unknown_years_between(start, start + timedelta(days=days))
