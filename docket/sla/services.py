"""Calendar administration: importing a year's holiday notice (R-SLA-1)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from docket.core.errors import DomainError

from . import duetimes
from .models import CalendarDay, CalendarYear
from .notice import read_notice


@dataclass
class ImportResult:
    year: int
    complete: bool
    days: int


def holidays_import(*, text: str, source: str) -> ImportResult:
    """Load a notice file (format: `notice.read_notice`). Its dates replace any entered before for the
    same dates; a `complete` notice marks the year as known. All or nothing."""
    try:
        notice = read_notice(text)
    except ValueError as exc:
        raise DomainError("validation", detail=str(exc)) from exc
    with transaction.atomic():
        count = 0
        for entry in notice.entries:
            for day in entry.dates():
                CalendarDay.objects.update_or_create(
                    date=day, defaults={"kind": entry.kind, "name": entry.name or "", "source": source[:100]}
                )
                count += 1
        if notice.complete:
            CalendarYear.objects.update_or_create(year=notice.year, defaults={"source": source[:200]})
    duetimes.invalidate()
    from django.core.cache import cache

    cache.delete("docket:unknown_years")
    return ImportResult(year=notice.year, complete=notice.complete, days=count)
