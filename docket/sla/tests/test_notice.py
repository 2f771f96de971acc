"""Pure tests of the holiday notice format (`docket/sla/notice.py`): no database."""

from __future__ import annotations

from datetime import date

import pytest

from docket.sla.calendar import HolidayData
from docket.sla.notice import parse_notice, read_notice

COMPLETE = """\
# a test notice
year: 2027
status: complete
2026-12-31..2027-01-03 holiday 元旦   # spills into the previous year
2027-01-09 workday 元旦调休
2027-02-05 休
2027-02-06 班 Saturday (Chinese aliases)
"""


def test_parse_complete_notice():
    data = parse_notice(COMPLETE)
    assert data.years == {2027}
    assert data.holidays == {
        date(2026, 12, 31),
        date(2027, 1, 1),
        date(2027, 1, 2),
        date(2027, 1, 3),
        date(2027, 2, 5),
    }
    assert data.workdays == {date(2027, 1, 9), date(2027, 2, 6)}
    assert parse_notice("\ufeffyear：2027\nstatus: partial\n2027-01-01 holiday") == HolidayData(
        holidays=frozenset({date(2027, 1, 1)})
    )  # a BOM and a full-width colon, as Windows editors and Chinese keyboards produce them
    entries = read_notice(COMPLETE).entries
    assert entries[0].name == "元旦" and entries[0].line == 4 and entries[2].name == ""


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("year: 2027\nstatus: partial\n2027-13-01 holiday x", "line 3: invalid date"),
        ("year: 2027\nstatus: partial\n\n2027-01-01 vacation", "line 4: unknown kind"),
        ("year: 2027\nstatus: partial\n2027-01-03..2027-01-01 holiday", "line 3: range ends before"),
        ("year: 2027\nstatus: partial\n2027-01-01..2027-03-01 holiday", "line 3: range longer"),
        ("2027-01-01 holiday\n", "line 1: entry before"),
        ("year: 2027\n# only a year\n", "line 1: a notice needs"),
        ("year: 27\n", "line 1: year must be"),
        ("year: 2027\nstatus: final\n", "line 2: status must be"),
        ("year: 2027\nyear: 2028\n", "line 2: second 'year:'"),
        ("year: 2027\nstatus: partial\nregion: sh\n", "line 3: unknown header"),
        (
            "year: 2027\nstatus: partial\n2027-01-01 holiday\nstatus: complete",
            "line 4: header 'status' after",
        ),
        ("year: 2027\nstatus: partial\n2027-02-08 workday 春节调休", "line 3: 2027-02-08 is a weekday"),
        (
            "year: 2027\nstatus: partial\n2027-01-01 holiday\n2026-12-31..2027-01-01 holiday",
            "line 4: 2027-01-01 already listed on line 3",
        ),
        ("year: 2027\nstatus: partial\n2029-01-01 holiday", "line 3: 2029-01-01 is too far"),
        ("year: 2027\nstatus: partial\nfirst of may: holiday", "line 3: cannot read"),
        ("year: 2027\nstatus: partial\n1 May holiday", "line 3: cannot read"),
        (
            "year: 2027\nstatus: complete\n2027-01-09 workday\n",
            "line 3: a complete notice lists at least one holiday",
        ),
    ],
)
def test_parse_notice_errors_name_the_line(text, message):
    with pytest.raises(ValueError, match=message):
        parse_notice(text)
