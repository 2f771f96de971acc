"""Periodic reporting duties (R-SLA-4)."""

from datetime import date, datetime

import pytest
import time_machine
from django.urls import reverse

from docket.core.errors import DomainError
from docket.notifications.models import Notification
from docket.reports.models import ReportDuty
from docket.reports.services import report_duties_open, report_duties_overdue_notify, report_submit
from docket.sla import duetimes
from docket.sla.calendar import SHANGHAI


@pytest.fixture(autouse=True)
def _fresh():
    duetimes.invalidate()


def test_duties_open_once_with_due_times(org):
    n = report_duties_open(today=date(2026, 10, 1))  # National Day: the 1st is a holiday
    # 6 office departments, 2 offices, and the Q3 analysis of QM in each of the two companies.
    assert n == 6 + 2 + 2
    assert report_duties_open(today=date(2026, 10, 1)) == 0
    dept = ReportDuty.objects.filter(kind="dept_monthly").first()
    assert (dept.period_start, dept.period_end) == (date(2026, 9, 1), date(2026, 9, 30))
    # The first working day on or after Oct 1 is Oct 8 (Oct 1-7 holidays).
    assert dept.due_at.astimezone(SHANGHAI) == datetime(2026, 10, 8, 17, 30, tzinfo=SHANGHAI)
    assert ReportDuty.objects.get(kind="qm_periodic", company=org.company).period_start == date(2026, 7, 1)
    assert report_duties_open(today=date(2026, 11, 1)) == 8  # no quarter ended


def test_submit_by_the_right_person_only(org):
    report_duties_open(today=date(2026, 11, 1))
    duty = ReportDuty.objects.get(kind="dept_monthly", department=org.a.depts["engineering"])
    with pytest.raises(DomainError) as e:
        report_submit(actor=org.a.users["cs_supervisor"], duty_id=duty.id, summary="x")
    assert e.value.code == "not_found"
    with pytest.raises(DomainError):
        report_submit(actor=org.a.users["eng_manager"], duty_id=duty.id, summary="  ")
    with time_machine.travel("2026-11-02 10:00 +0800"):
        report_submit(
            actor=org.a.users["eng_manager"], duty_id=duty.id, summary="10月工程类投诉12件，电梯占5件……"
        )
    duty.refresh_from_db()
    assert duty.on_time is True and duty.submitted_by == org.a.users["eng_manager"]


def test_overdue_reports_notified_once(org):
    report_duties_open(today=date(2026, 11, 1))
    late = datetime(2026, 11, 20, 9, 0, tzinfo=SHANGHAI)
    assert report_duties_overdue_notify(now=late) == 8
    assert report_duties_overdue_notify(now=late) == 0
    assert Notification.objects.filter(kind="report_overdue", recipient=org.users["qm"]).count() == 8


def test_duties_page(client, org):
    report_duties_open(today=date(2026, 11, 1))
    client.force_login(org.a.users["office_manager"])
    html = client.get(reverse("reports:duties")).content.decode()
    assert "管理处月度投诉分析" in html and "部门月度投诉统计" in html
    duty = ReportDuty.objects.get(kind="office_monthly", office=org.a.office)
    r = client.post(reverse("reports:duties"), {"duty": duty.id, "summary": "本月投诉主要集中在停车与电梯……"})
    assert r.status_code == 302
    duty.refresh_from_db()
    assert duty.submitted_at is not None


def test_duty_page_prefilled_with_figures_and_submitted_in_sections(client, org):
    from docket.reports.tests import dataset

    dataset.build(org)
    report_duties_open(today=date(2026, 12, 1))
    duty = ReportDuty.objects.get(kind="office_monthly", office=org.a.office)
    client.force_login(org.a.users["office_manager"])
    html = client.get(reverse("reports:duty", args=[duty.id])).content.decode()
    # Office A's November: 5 received; the top cause 设施设备 / 电梯 with 4, pre-filled into the causes.
    assert "设施设备 / 电梯：4 件" in html
    assert 'name="causes"' in html and 'name="measures"' in html
    # Causes and corrective measures are required.
    r = client.post(reverse("reports:duty", args=[duty.id]), {"causes": "电梯老化", "measures": ""})
    assert r.status_code == 422
    duty.refresh_from_db()
    assert duty.submitted_at is None
    with time_machine.travel("2026-12-03 10:00 +0800"):
        r = client.post(
            reverse("reports:duty", args=[duty.id]),
            {"causes": "电梯老化", "lessons": "巡检不足", "measures": "更换门机板", "trends": "环比上升"},
        )
    assert r.status_code == 302
    duty.refresh_from_db()
    assert (duty.causes, duty.measures, duty.trends) == ("电梯老化", "更换门机板", "环比上升")
    assert "【纠正措施】\n更换门机板" in duty.summary
    assert duty.figures["current"]["received"] == 5 and duty.figures["previous"]["received"] == 1
    assert duty.figures["top_causes"][0] == {"label": "设施设备 / 电梯", "received": 4}
    # Another office's manager: not found.
    client.force_login(org.b.users["office_manager"])
    assert client.get(reverse("reports:duty", args=[duty.id])).status_code == 404
