"""Pure tests of the working-time calendar (R-SLA-1, R-SLA-2): no database.

The 2026 dates are pinned against the State Council's published arrangement as shipped in the
`chinese_calendar` package. Calendars here use package data up to 2026 only, so the tests keep meaning
the same when a newer package learns 2027.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from docket.sla.calendar import (
    SHANGHAI,
    Deadline,
    HolidayData,
    OfficeHours,
    WorkCalendar,
    chinese_calendar_years,
    from_chinese_calendar,
    merge,
)
from docket.sla.notice import parse_notice, read_notice

from .test_notice import COMPLETE

NOTICE_2027 = Path(__file__).resolve().parent.parent / "holidays" / "2027.txt"
PACKAGE = from_chinese_calendar(range(2020, 2027))
CAL = WorkCalendar(merge(PACKAGE, parse_notice(NOTICE_2027.read_text(encoding="utf-8"))), OfficeHours())
CAL_NO_2027 = WorkCalendar(PACKAGE, OfficeHours())


def at(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=SHANGHAI)


def days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


# --- data sources ---------------------------------------------------------------------------------


def test_package_years_are_detected_not_hard_coded():
    years = chinese_calendar_years()
    assert 2026 in years and 2004 in years
    assert from_chinese_calendar().years == years
    assert from_chinese_calendar([2026, 3000]).years == {2026}  # unknown years stay unknown


def test_2026_spring_festival_matches_published_schedule():
    for d in days(date(2026, 2, 15), date(2026, 2, 23)):
        assert d in PACKAGE.holidays and not CAL.is_working_day(d), d
    for d in (date(2026, 2, 14), date(2026, 2, 28)):  # both Saturdays, adjusted working days
        assert d.weekday() == 5 and d in PACKAGE.workdays and CAL.is_working_day(d)
    assert CAL.is_working_day(date(2026, 2, 13)) and CAL.is_working_day(date(2026, 2, 24))


def test_2026_national_day_matches_published_schedule():
    for d in days(date(2026, 10, 1), date(2026, 10, 7)):
        assert d in PACKAGE.holidays and not CAL.is_working_day(d), d
    assert date(2026, 9, 20).weekday() == 6 and CAL.is_working_day(date(2026, 9, 20))
    assert date(2026, 10, 10).weekday() == 5 and CAL.is_working_day(date(2026, 10, 10))
    # In 2026 Mid-Autumn (Fri 25 Sep) is a separate holiday, Sep 25-27, not part of National Day.
    assert not any(CAL.is_working_day(d) for d in days(date(2026, 9, 25), date(2026, 9, 27)))
    assert CAL.is_working_day(date(2026, 10, 8)) and CAL.is_working_day(date(2026, 10, 9))


def test_2027_sample_notice_is_partial():
    notice = read_notice(NOTICE_2027.read_text(encoding="utf-8"))
    assert notice.year == 2027 and not notice.complete
    # The statutory days the 放假办法 fixes without a notice (article 2), nothing the notice decides.
    statutory = {date(2027, 1, 1), *days(date(2027, 2, 5), date(2027, 2, 8)), date(2027, 4, 5)}
    statutory |= {date(2027, 5, 1), date(2027, 5, 2), date(2027, 6, 9), date(2027, 9, 15)}
    statutory |= set(days(date(2027, 10, 1), date(2027, 10, 3)))
    assert notice.to_data() == HolidayData(holidays=frozenset(statutory))
    assert not CAL.is_known(date(2027, 1, 1)) and not CAL.is_working_day(date(2027, 1, 1))
    # Spring Festival: 除夕 (Fri) to 初三 (Mon) off; the Tuesday after counts until the notice says more.
    assert not CAL.is_working_day(date(2027, 2, 5)) and not CAL.is_working_day(date(2027, 2, 8))
    assert CAL.is_working_day(date(2027, 2, 4)) and CAL.is_working_day(date(2027, 2, 9))


def test_shipped_notices_are_in_force_until_an_import_overrides_them():
    from docket.sla.notice import bundled

    shipped = bundled(chinese_calendar_years())
    assert date(2027, 2, 5) in shipped.holidays and 2027 not in shipped.years  # partial: still provisional
    assert bundled(frozenset({2027})) == HolidayData()  # a year the package knows is the package's
    assert not any(d.year <= 2026 for d in shipped.holidays | shipped.workdays)


def test_merge_b_overrides_a():
    a = HolidayData(holidays={date(2027, 1, 1), date(2027, 5, 3)}, workdays={date(2027, 1, 9)}, years={2026})
    b = HolidayData(holidays={date(2027, 1, 9)}, workdays={date(2027, 5, 3)}, years={2027})
    m = merge(a, b)
    assert m.holidays == {date(2027, 1, 1), date(2027, 1, 9)}
    assert m.workdays == {date(2027, 5, 3)}
    assert m.years == {2026, 2027}


def test_holiday_data_rejects_a_date_with_two_statuses():
    with pytest.raises(ValueError, match="both holiday and workday"):
        HolidayData(holidays={date(2027, 1, 2)}, workdays={date(2027, 1, 2)})


# --- office hours ---------------------------------------------------------------------------------


def test_office_hours_validation_and_blocks():
    assert OfficeHours().blocks == ((time(8, 30), time(12)), (time(13, 30), time(17, 30)))
    assert OfficeHours.single_block(time(9), time(18)).blocks == ((time(9), time(18)),)
    assert OfficeHours(time(9), time(12), time(12), time(17)).blocks == ((time(9), time(17)),)
    with pytest.raises(ValueError, match="out of order"):
        OfficeHours(time(9), time(8), time(13), time(17))
    with pytest.raises(ValueError, match="out of order"):
        OfficeHours(time(9), time(13), time(12), time(17))
    with pytest.raises(ValueError, match="naive"):
        OfficeHours(time(9, tzinfo=UTC), time(12), time(13), time(17))


def test_single_block_hours():
    cal = WorkCalendar(PACKAGE, OfficeHours.single_block(time(9), time(18)))
    assert cal.is_working_instant(at(2026, 3, 10, 12, 30))
    assert cal.add_working_minutes(at(2026, 3, 10, 17), 120) == at(2026, 3, 11, 10)
    assert cal.working_minutes_between(at(2026, 3, 10), at(2026, 3, 11)) == 540


# --- instants -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        lambda c, t: c.is_working_instant(t),
        lambda c, t: c.next_working_instant(t),
        lambda c, t: c.add_working_minutes(t, 5),
        lambda c, t: c.add_working_days(t, 1),
        lambda c, t: c.end_of_working_day(t),
        lambda c, t: c.working_minutes_between(t, at(2026, 3, 10)),
        lambda c, t: c.is_working_day(t),
        lambda c, t: c.deadline(t, at(2026, 3, 10)),
    ],
)
def test_naive_datetimes_are_refused(call):
    with pytest.raises(ValueError, match="naive"):
        call(CAL, datetime(2026, 3, 10, 10))


def test_any_zone_in_shanghai_out():
    utc_10 = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
    result = CAL.add_working_minutes(utc_10, 60)
    assert result == at(2026, 3, 10, 11) and result.tzinfo == SHANGHAI
    ny = datetime(2026, 3, 9, 22, 0, tzinfo=ZoneInfo("America/New_York"))  # Tue 10:00 Shanghai
    assert CAL.add_working_days(ny, 2) == at(2026, 3, 12, 17, 30)
    assert CAL.add_working_minutes(utc_10, 0).tzinfo == SHANGHAI


def test_working_instant_boundaries():
    tue = (2026, 3, 10)
    assert CAL.is_working_instant(at(*tue, 8, 30))
    assert not CAL.is_working_instant(at(*tue, 8, 29))
    assert CAL.is_working_instant(at(*tue, 11, 59))
    assert not CAL.is_working_instant(at(*tue, 12, 0))
    assert CAL.is_working_instant(at(*tue, 13, 30))
    assert not CAL.is_working_instant(at(*tue, 17, 30))
    assert not CAL.is_working_instant(at(2026, 3, 14, 10))  # Saturday
    assert CAL.is_working_instant(at(2026, 2, 14, 10))  # 调休 Saturday


def test_next_working_instant():
    assert CAL.next_working_instant(at(2026, 3, 10, 10)) == at(2026, 3, 10, 10)
    assert CAL.next_working_instant(at(2026, 3, 10, 12)) == at(2026, 3, 10, 13, 30)
    assert CAL.next_working_instant(at(2026, 3, 10, 17, 30)) == at(2026, 3, 11, 8, 30)
    assert CAL.next_working_instant(at(2026, 3, 13, 20)) == at(2026, 3, 16, 8, 30)  # Fri → Mon
    assert CAL.next_working_instant(at(2026, 2, 14, 18)) == at(2026, 2, 24, 8, 30)  # Spring Festival


@pytest.mark.parametrize(
    ("start", "minutes", "expected"),
    [
        (at(2026, 3, 10, 11, 30), 60, at(2026, 3, 10, 14)),  # across lunch
        (at(2026, 3, 10, 11), 60, at(2026, 3, 10, 12)),  # ends on the block end: stays there
        (at(2026, 3, 10, 16, 30), 60, at(2026, 3, 10, 17, 30)),  # ends on the day's end
        (at(2026, 3, 10, 12, 15), 30, at(2026, 3, 10, 14)),  # starts in lunch
        (at(2026, 3, 10, 17), 60, at(2026, 3, 11, 9)),  # evening
        (at(2026, 3, 10, 7), 30, at(2026, 3, 10, 9)),  # early morning
        (at(2026, 3, 13, 17), 60, at(2026, 3, 16, 9)),  # weekend
        (at(2026, 3, 14, 10), 450, at(2026, 3, 16, 17, 30)),  # from Saturday: one full working day
        (at(2026, 2, 13, 17), 60, at(2026, 2, 14, 9)),  # into the 调休 Saturday
        (at(2026, 2, 14, 17), 60, at(2026, 2, 24, 9)),  # over the Spring Festival
        (at(2026, 9, 19, 10), 30, at(2026, 9, 20, 9)),  # 调休 Sunday before National Day
        (at(2026, 9, 30, 17), 60, at(2026, 10, 8, 9)),  # over National Day
        (at(2026, 10, 9, 17), 60, at(2026, 10, 10, 9)),  # into the 调休 Saturday after it
        (at(2026, 3, 10, 10), 0, at(2026, 3, 10, 10)),  # zero is identity
    ],
)
def test_add_working_minutes(start, minutes, expected):
    assert CAL.add_working_minutes(start, minutes) == expected


def test_add_zero_outside_working_time_is_identity_too():
    assert CAL.add_working_minutes(at(2026, 3, 14, 10), 0) == at(2026, 3, 14, 10)


def test_add_working_minutes_rejects_bad_amounts():
    with pytest.raises(ValueError):
        CAL.add_working_minutes(at(2026, 3, 10, 10), -1)
    with pytest.raises(ValueError):
        CAL.add_working_minutes(at(2026, 3, 10, 10), float("inf"))
    with pytest.raises(TypeError):
        CAL.add_working_minutes(at(2026, 3, 10, 10), "60")


def test_working_minutes_between():
    assert CAL.working_minutes_between(at(2026, 3, 10), at(2026, 3, 11)) == 450
    assert CAL.working_minutes_between(at(2026, 3, 10, 11), at(2026, 3, 10, 14)) == 90
    assert CAL.working_minutes_between(at(2026, 3, 10, 14), at(2026, 3, 10, 11)) == -90
    assert CAL.working_minutes_between(at(2026, 3, 14), at(2026, 3, 16)) == 0
    assert CAL.working_minutes_between(at(2026, 3, 10, 10), at(2026, 3, 10, 10)) == 0


def test_working_minutes_between_counts_spring_festival_fortnight():
    # Fri 13, Sat 14 (调休), Tue 24 - Fri 27, Sat 28 (调休): 7 working days.
    assert CAL.working_minutes_between(at(2026, 2, 13), at(2026, 3, 1)) == 7 * 450


# --- days -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (at(2026, 3, 10, 10), 2, at(2026, 3, 12, 17, 30)),  # Tue 10:00 → Thu 17:30
        (at(2026, 3, 10, 7), 2, at(2026, 3, 12, 17, 30)),  # before hours: same working day
        (at(2026, 3, 10, 12, 30), 2, at(2026, 3, 12, 17, 30)),  # lunch: same working day
        (at(2026, 3, 10, 17, 30), 2, at(2026, 3, 13, 17, 30)),  # after hours: from Wed
        (at(2026, 3, 14, 10), 2, at(2026, 3, 18, 17, 30)),  # Sat: from Mon → Wed
        (at(2026, 3, 12, 10), 2, at(2026, 3, 16, 17, 30)),  # Thu → Mon over the weekend
        (at(2026, 2, 13, 10), 2, at(2026, 2, 24, 17, 30)),  # Fri → Sat 14 (调休) → Tue 24
        (at(2026, 9, 29, 10), 2, at(2026, 10, 8, 17, 30)),  # Tue → Wed 30 → Thu Oct 8
        (at(2026, 3, 10, 10), 0, at(2026, 3, 10, 17, 30)),
    ],
)
def test_add_working_days(start, n, expected):
    assert CAL.add_working_days(start, n) == expected


def test_add_working_days_rejects_negative():
    with pytest.raises(ValueError):
        CAL.add_working_days(at(2026, 3, 10, 10), -1)


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (at(2026, 3, 10, 10), at(2026, 3, 10, 17, 30)),
        (at(2026, 3, 10, 12, 30), at(2026, 3, 10, 17, 30)),  # lunch: the day resumes after it
        (at(2026, 3, 10, 6), at(2026, 3, 10, 17, 30)),
        (at(2026, 3, 10, 18), at(2026, 3, 11, 17, 30)),
        (at(2026, 3, 14, 10), at(2026, 3, 16, 17, 30)),
        (at(2026, 2, 14, 10), at(2026, 2, 14, 17, 30)),  # 调休 Saturday
        (at(2026, 10, 1, 10), at(2026, 10, 8, 17, 30)),
    ],
)
def test_end_of_working_day(start, expected):
    assert CAL.end_of_working_day(start) == expected


# --- provisional years (R-SLA-1) ------------------------------------------------------------------


def test_known_and_unknown_years():
    assert CAL.is_known(date(2026, 6, 1)) and not CAL.is_known(date(2027, 6, 1))
    assert CAL.is_known(at(2026, 12, 31, 23, 59)) and not CAL.is_known(datetime(2026, 12, 31, 16, tzinfo=UTC))
    assert CAL.unknown_years_between(date(2025, 1, 1), date(2028, 1, 1)) == (2027, 2028)
    assert CAL.unknown_years_between(date(2027, 3, 1), date(2026, 3, 1)) == (2027,)
    assert CAL.unknown_years_between(date(2026, 1, 1), date(2026, 12, 31)) == ()


def test_year_end_2026_to_2027_is_provisional():
    start = at(2026, 12, 31, 17)
    # With the partial 2027 notice, 1 January is a holiday: next working time is Mon 4 Jan.
    assert CAL.add_working_minutes(start, 60) == at(2027, 1, 4, 9)
    assert CAL.add_working_days(start, 1) == at(2027, 1, 4, 17, 30)
    # Without any 2027 data, the calendar falls back to weekends-only (Fri 1 Jan counts) ...
    assert CAL_NO_2027.add_working_minutes(start, 60) == at(2027, 1, 1, 9)
    # ... and both say so.
    for cal in (CAL, CAL_NO_2027):
        deadline = cal.deadline(start, cal.add_working_minutes(start, 60))
        assert deadline.provisional and deadline.unknown_years == (2027,)
    inside = CAL.deadline(at(2026, 12, 31, 9), CAL.end_of_working_day(at(2026, 12, 31, 9)))
    assert inside == Deadline(at=at(2026, 12, 31, 17, 30)) and not inside.provisional


def test_complete_2027_notice_makes_deadlines_firm():
    cal = WorkCalendar(merge(PACKAGE, parse_notice(COMPLETE)), OfficeHours())
    start = at(2026, 12, 30, 17)
    assert cal.add_working_days(start, 1) == at(2027, 1, 4, 17, 30)  # Dec 31 is a holiday in COMPLETE
    assert not cal.deadline(start, cal.add_working_days(start, 1)).provisional


# --- default policies as examples (R-SLA-2) -------------------------------------------------------


def test_policy_phone_same_working_day():
    assert CAL.end_of_working_day(at(2026, 3, 10, 15)) == at(2026, 3, 10, 17, 30)
    assert CAL.end_of_working_day(at(2026, 3, 10, 19)) == at(2026, 3, 11, 17, 30)


def test_policy_email_and_letter_two_working_days():
    assert CAL.add_working_days(at(2026, 3, 10, 10), 2) == at(2026, 3, 12, 17, 30)
    assert CAL.add_working_days(at(2026, 9, 30, 9), 2) == at(2026, 10, 9, 17, 30)
    # A community that promises 3 working days (per-office policy):
    assert CAL.add_working_days(at(2026, 3, 10, 10), 3) == at(2026, 3, 13, 17, 30)


def test_policy_online_courtesy_and_reply():
    def online(received: datetime) -> tuple[datetime, datetime]:
        courtesy = received.astimezone(SHANGHAI) + timedelta(hours=4)  # clock hours
        return courtesy, CAL.end_of_working_day(received)

    assert online(at(2026, 3, 10, 10)) == (at(2026, 3, 10, 14), at(2026, 3, 10, 17, 30))
    assert online(at(2026, 3, 10, 19)) == (at(2026, 3, 10, 23), at(2026, 3, 11, 17, 30))
    assert online(at(2026, 3, 14, 21)) == (at(2026, 3, 15, 1), at(2026, 3, 16, 17, 30))
    assert online(at(2026, 10, 2, 9)) == (at(2026, 10, 2, 13), at(2026, 10, 8, 17, 30))


# --- properties -----------------------------------------------------------------------------------

instants = st.datetimes(
    min_value=datetime(2025, 12, 1), max_value=datetime(2027, 2, 28), timezones=st.just(SHANGHAI)
)
minutes = st.integers(min_value=0, max_value=5 * 450)
FAST = settings(max_examples=150, deadline=None)


def working(t: datetime) -> datetime:
    return CAL.next_working_instant(t)


@FAST
@given(instants, instants, minutes)
def test_add_is_monotonic(a, b, m):
    a, b = sorted((a, b))
    assert CAL.add_working_minutes(a, m) <= CAL.add_working_minutes(b, m)


@FAST
@given(instants, minutes, minutes)
def test_add_is_additive_on_working_instants(t, m1, m2):
    t = working(t)
    assert CAL.add_working_minutes(CAL.add_working_minutes(t, m1), m2) == CAL.add_working_minutes(t, m1 + m2)


@FAST
@given(instants)
def test_zero_is_identity_on_working_instants(t):
    t = working(t)
    assert CAL.is_working_instant(t)
    assert CAL.add_working_minutes(t, 0) == t


@FAST
@given(instants, minutes)
def test_between_inverts_add(t, m):
    assert CAL.working_minutes_between(t, CAL.add_working_minutes(t, m)) == m


@FAST
@given(instants, minutes)
def test_add_ends_in_working_time_or_at_a_block_end(t, m):
    end = CAL.add_working_minutes(t, m)
    if m:
        assert CAL.is_working_instant(end - timedelta(microseconds=1))


@FAST
@given(instants, instants)
def test_deadline_is_provisional_iff_it_spans_2027(a, b):
    a, b = sorted((a, b))
    assert CAL.deadline(a, b).provisional == (b.year == 2027)
