"""Figures against hand-computed expectations (dataset.py states the history and the reasons)."""

from datetime import date

import pytest

from docket.complaints.models import Complaint
from docket.reports import statistics as st
from docket.reports.tests import dataset
from docket.sla import duetimes


@pytest.fixture
def data(org):
    duetimes.invalidate()
    return dataset.build(org)


def office_a(org):
    return Complaint.objects.filter(office=org.a.office)


def test_totals_of_office_a_in_november(org, data):
    t = st.breakdown(office_a(org), now=dataset.NOW, **dataset.NOV).total
    assert (t.received, t.closed, t.unclosed, t.withdrawn, t.open) == (5, 2, 0, 1, 2)
    assert (t.hot, t.major) == (1, 0)
    # satisfaction (5 + 3) / 2; quality (4 + 2) / 2; handling of c1 4 h, c2 48 h: median 26, p90 4 + 0.9 * 44
    assert (t.satisfaction, t.rated, t.quality) == (4.0, 2, 3.0)
    assert (t.handling_p50, t.handling_p90) == (26.0, 43.6)
    # reply: c1, c2 met; c4 late → missed; c5 met by its resumed deadline (the pause does not count);
    # c3's was cancelled by the withdrawal and is not decided.
    assert t.on_time["reply"] == (3, 1)
    assert t.rate_of("reply") == 0.75
    assert t.on_time["follow_up"] == (2, 0) and t.on_time["verify"] == (2, 0)
    # the department's first contact (issue 15): c1, c2 at the reply, c4, c5 at once
    assert t.on_time["first_contact"] == (4, 0)
    assert t.on_time_rate == round(11 / 12, 4)


def test_paused_clock_counts_on_time(org, data):
    """Without the pause c5's reply (sent Wed 11:00 against a Mon 17:30 deadline) would be missed."""
    only_c5 = Complaint.objects.filter(pk=data.ids["c5"])
    t = st.breakdown(only_c5, now=dataset.NOW, **dataset.NOV).total
    assert t.on_time == {"reply": (1, 0), "first_contact": (1, 0)}


def test_category_counts_a_complaint_once_and_rolls_up_sub_categories(org, data):
    rows = {r.label: r for r in st.breakdown(office_a(org), dimension="category", **dataset.NOV).rows}
    assert set(rows) == {"设施设备", "地产遗留"}
    # c1, c2 (two 电梯 issues, once), c3, c5 under 设施设备 (电梯 is its sub-category); c4 under 地产遗留.
    assert rows["设施设备"].received == 4 and rows["地产遗留"].received == 1
    # Exact averages: c2 counted twice would give (5 + 3 + 3) / 3.
    assert rows["设施设备"].satisfaction == 4.0
    assert rows["设施设备"].on_time["reply"] == (3, 0) and rows["地产遗留"].on_time["reply"] == (0, 1)
    sub = {
        r.label: r.received for r in st.breakdown(office_a(org), dimension="subcategory", **dataset.NOV).rows
    }
    assert sub == {"设施设备 / 电梯": 4, "地产遗留": 1}


@pytest.mark.parametrize(
    "dimension,expected",
    [
        ("office", {"朝阳园管理处": 5, "丽雅苑管理处": 1}),
        ("community", {"朝阳园": 5, "丽雅苑": 1}),
        ("building", {"朝阳园 1号楼": 5, "丽雅苑 1号楼": 1}),
        ("channel", {"管理处": 6}),
        ("method", {"电话": 6}),
        ("kind", {"投诉": 6}),
        ("severity", {"一般": 5, "热点": 1}),
        ("department", {"朝阳园管理处 工程部": 4, "未分派": 1, "丽雅苑管理处 工程部": 1}),
        ("month", {"2026-11": 6}),
    ],
)
def test_every_dimension(org, data, dimension, expected):
    company = Complaint.objects.filter(company=org.company)
    rows = st.breakdown(company, dimension=dimension, **dataset.NOV).rows
    got = {r.label: r.received for r in rows}
    assert got == expected


def test_month_on_month_and_year_on_year(org, data):
    cmp = st.compare(office_a(org), **dataset.NOV)
    assert cmp.previous_range == (date(2026, 10, 1), date(2026, 10, 31))
    assert cmp.last_year_range == (date(2025, 11, 1), date(2025, 11, 30))
    assert (cmp.current.received, cmp.previous.received, cmp.last_year.received) == (5, 1, 1)
    assert st.Comparison.change(5, 1) == 4.0


def test_shift_period_clamps_days():
    assert st.shift_period(date(2026, 3, 1), date(2026, 3, 31), -1) == (date(2026, 2, 1), date(2026, 2, 28))
    assert st.shift_period(date(2026, 3, 5), date(2026, 3, 31), -1) == (date(2026, 2, 5), date(2026, 2, 28))


def test_fixed_number_of_queries(org, data, django_assert_max_num_queries):
    with django_assert_max_num_queries(10):
        st.breakdown(office_a(org), dimension="category", **dataset.NOV)


def test_month_trend_has_every_month_and_drills_to_its_days(org, data):
    from docket.reports import tables

    b = st.breakdown(
        office_a(org), date_from=date(2026, 9, 15), date_to=date(2026, 11, 20), dimension="month"
    )
    assert [(r.label, r.received) for r in b.rows] == [("2026-09", 0), ("2026-10", 1), ("2026-11", 5)]
    t = tables.table(b, drill_base={}, period=(date(2026, 9, 15), date(2026, 11, 20)))
    sept = t.rows[0][1].href
    assert "received_from=2026-09-15" in sept and "received_to=2026-09-30" in sept
    nov = t.rows[2][1].href
    assert "received_from=2026-11-01" in nov and "received_to=2026-11-20" in nov
