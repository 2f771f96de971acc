"""Turning a rule and a start time into a stored due time (R-SLA-3), with the calendar the company
works by: the package's statutory data and the shipped notice files (`docket/sla/holidays/`), overridden
by the admin-edited days, in the company's hours."""

from __future__ import annotations

import threading
import time as _time
from dataclasses import dataclass
from datetime import datetime, timedelta

from . import calendar as cal
from .models import CalendarDay, CalendarYear, WorkingHours
from .notice import bundled

_CACHE_SECONDS = 60
_cache: dict[tuple, tuple[float, cal.WorkCalendar]] = {}
_lock = threading.Lock()


def _holiday_data() -> cal.HolidayData:
    # The package's years, then the shipped notice files for the years after it, then the stored days.
    package = cal.from_chinese_calendar()
    base = cal.merge(package, bundled(package.years))
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


@dataclass(frozen=True)
class Schedule:
    """When an obligation falls due, when its holder is warned, and when the sweep looks at it next."""

    due_at: datetime
    warn_at: datetime
    next_check_at: datetime
    provisional: bool


def warn_time(rule: dict, start: datetime, due: datetime, work: cal.WorkCalendar, ratio: float) -> datetime:
    """The warning comes when `ratio` of the time from start to due has passed: clock time for clock rules
    and fixed (external) deadlines, working time otherwise; at the due time itself when there is none."""
    if due <= start:
        return due
    if rule.get("type") in ("clock_minutes", "fixed"):
        return start + (due - start) * ratio
    return work.add_working_minutes(start, work.working_minutes_between(start, due) * ratio)


def schedule(
    rule: dict,
    start: datetime,
    work: cal.WorkCalendar,
    warn_ratio: float,
    *,
    step: int = 0,
    remaining_minutes: float | None = None,
    due_at: datetime | None = None,
) -> Schedule:
    """The one schedule of an obligation (R-SLA-3), for all three moments that set it:

    - start: the due time from `rule` and `start` (or the external `due_at`, e.g. the forwarder's own);
    - resume after a pause: `start` is the resume time and `remaining_minutes` the time left when paused
      (working minutes, or clock minutes for clock rules and fixed deadlines);
    - recomputation after holiday data changed: the same call as at start or resume, from the stored start.

    The warning is at `warn_ratio` of the time to the due time (the policy's `warn_ratio`), only while no
    sweep step has been taken yet (`step` 0); after that the sweep looks again at the due time."""
    provisional = False
    if due_at is None:
        if remaining_minutes is None:
            deadline = compute_due(rule, start, work)
        elif rule.get("type") in ("clock_minutes", "fixed"):
            deadline = cal.Deadline(at=start + timedelta(minutes=remaining_minutes), unknown_years=())
        else:
            deadline = work.deadline(start, work.add_working_minutes(start, remaining_minutes))
        due_at, provisional = deadline.at, deadline.provisional
    warn = warn_time(rule, start, due_at, work, warn_ratio)
    return Schedule(
        due_at=due_at,
        warn_at=warn,
        next_check_at=min(warn, due_at) if step == 0 else due_at,
        provisional=provisional,
    )


def unknown_years_ahead(days: int = 45, today=None) -> tuple[int, ...]:
    """Years without holiday data that a deadline starting within `days` days from today could reach
    (the longest default rule is a few working days; 45 days covers any holiday season)."""
    from docket.core import clock

    work = calendar_for(None)
    start = today or clock.local_now().date()
    return work.unknown_years_between(start, start + timedelta(days=days))
