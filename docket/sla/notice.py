"""Holiday notice files: the text format an administrator types a year's official arrangement in (for a
year the `chinese_calendar` package does not know, e.g. 2027), read into `HolidayData` for the calendar.

Pure: no Django, no database (`services.holidays_import` stores what it reads).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Literal

from .calendar import HolidayData, merge

Kind = Literal["holiday", "workday"]
_KINDS: dict[str, Kind] = {"holiday": "holiday", "休": "holiday", "workday": "workday", "班": "workday"}
_HEADER = re.compile(r"([A-Za-z]+)\s*[:：]\s*(.*)")  # a full-width colon is accepted too
_ENTRY = re.compile(r"(\d{4}-\d{2}-\d{2})(?:\s*\.\.\s*(\d{4}-\d{2}-\d{2}))?\s+(\S+)(?:\s+(.*))?")


@dataclass(frozen=True)
class NoticeEntry:
    """One line of a notice: an inclusive date range of one kind, with its name and line number."""

    start: date
    end: date
    kind: Kind
    name: str
    line: int

    def dates(self) -> Iterator[date]:
        d = self.start
        while d <= self.end:
            yield d
            d += timedelta(days=1)


@dataclass(frozen=True)
class Notice:
    """A parsed notice file; `to_data()` marks the year known only if the notice is complete."""

    year: int
    complete: bool
    entries: tuple[NoticeEntry, ...]

    def to_data(self) -> HolidayData:
        return HolidayData(
            holidays=frozenset(d for e in self.entries if e.kind == "holiday" for d in e.dates()),
            workdays=frozenset(d for e in self.entries if e.kind == "workday" for d in e.dates()),
            years=frozenset({self.year}) if self.complete else frozenset(),
        )


def _line_error(number: int) -> Callable[[str], ValueError]:
    def fail(message: str) -> ValueError:
        return ValueError(f"line {number}: {message}")

    return fail


def read_notice(text: str) -> Notice:
    """Parse a holiday notice file (for a year the package does not know, e.g. 2027).

    Format (UTF-8 text, one item per line; `#` starts a comment; blank lines are ignored; the dates
    below illustrate the syntax, they are not the official 2027 arrangement)::

        year: 2027              # required, once, before any entry
        status: complete        # required: `complete` (the whole official notice is entered; the
                                # year becomes known) or `partial` (dates are used, year stays
                                # provisional)
        2027-01-01 holiday 元旦
        2027-02-05..2027-02-11 holiday 春节      # inclusive range, at most 31 days
        2027-02-14 workday 春节调休               # adjusted working day: must be a Sat or Sun

    Kinds: `holiday` (or `休`) and `workday` (or `班`); the name after the kind is optional. Dates
    may lie in the year before or after the header year (a New Year holiday that starts on
    31 December), not further. A date may appear only once. Every error is a ValueError naming the
    line.
    """
    year: int | None = None
    status: str | None = None
    entries: list[NoticeEntry] = []
    seen: dict[date, int] = {}
    for number, raw in enumerate(text.removeprefix("\ufeff").splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        fail = _line_error(number)
        if header := _HEADER.fullmatch(line):
            key, value = header.group(1).lower(), header.group(2).strip()
            if entries:
                raise fail(f"header {key!r} after the first entry")
            if key == "year":
                if year is not None:
                    raise fail("second 'year:' header")
                if not re.fullmatch(r"\d{4}", value) or not 1900 <= int(value) <= 2100:
                    raise fail(f"year must be a four-digit year, got {value!r}")
                year = int(value)
            elif key == "status":
                if status is not None:
                    raise fail("second 'status:' header")
                if value not in ("complete", "partial"):
                    raise fail(f"status must be 'complete' or 'partial', got {value!r}")
                status = value
            else:
                raise fail(f"unknown header {key!r} (expected 'year' or 'status')")
            continue
        match = _ENTRY.fullmatch(line)
        if not match:
            raise fail(f"cannot read {line!r}; expected 'YYYY-MM-DD[..YYYY-MM-DD] holiday|workday [name]'")
        if year is None or status is None:
            raise fail("entry before the 'year:' and 'status:' headers")
        try:
            start = date.fromisoformat(match.group(1))
            end = date.fromisoformat(match.group(2) or match.group(1))
        except ValueError as exc:
            raise fail(f"invalid date: {exc}") from None
        kind = _KINDS.get(match.group(3).lower())
        if kind is None:
            raise fail(f"unknown kind {match.group(3)!r} (expected 'holiday' or 'workday')")
        if end < start:
            raise fail(f"range ends before it starts: {start}..{end}")
        if (end - start).days >= 31:
            raise fail(f"range longer than 31 days: {start}..{end}")
        entry = NoticeEntry(start, end, kind, (match.group(4) or "").strip(), number)
        for d in entry.dates():
            if abs(d.year - year) > 1:
                raise fail(f"{d} is too far from the notice year {year}")
            if kind == "workday" and d.weekday() < 5:
                raise fail(f"{d} is a weekday; an adjusted working day (调休) falls on a Saturday or Sunday")
            if d in seen:
                raise fail(f"{d} already listed on line {seen[d]}")
            seen[d] = number
        entries.append(entry)
    if year is None or status is None:
        raise ValueError("line 1: a notice needs 'year:' and 'status:' headers")
    if status == "complete" and not any(e.kind == "holiday" for e in entries):
        raise ValueError(f"line {len(text.splitlines()) or 1}: a complete notice lists at least one holiday")
    return Notice(year=year, complete=status == "complete", entries=tuple(entries))


def parse_notice(text: str) -> HolidayData:
    """`read_notice(text).to_data()`: see `read_notice` for the format."""
    return read_notice(text).to_data()


BUNDLED_DIR = Path(__file__).resolve().parent / "holidays"


@functools.cache
def bundled(skip_years: frozenset[int] = frozenset()) -> HolidayData:
    """The notice files shipped in `docket/sla/holidays/` (one per year the package does not know), for
    every year not in `skip_years`: the statutory dates of a year are in force from installation, before
    an administrator imports the official notice (`holidays_import`), whose stored dates override them.
    A partial file's year stays unknown (provisional deadlines, the administrators' warning)."""
    data = HolidayData()
    for path in sorted(BUNDLED_DIR.glob("*.txt")):
        notice = read_notice(path.read_text(encoding="utf-8"))
        if notice.year not in skip_years:
            data = merge(data, notice.to_data())
    return data
