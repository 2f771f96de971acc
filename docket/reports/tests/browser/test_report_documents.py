"""The monthly report page (pre-filled figures, bars, the approval form) and the case library in a real
browser, on a phone (390 px) and a PC (1366 px): nothing wider than the screen, no console errors (the
bars are inline SVG: no inline style for the CSP to refuse)."""

from datetime import date

import pytest
import time_machine

from docket.cases import services as cases
from docket.reports import documents
from docket.reports.models import ReportDuty
from docket.reports.services import report_duties_open, report_submit
from docket.reports.tests import dataset
from docket.sla import duetimes

pytestmark = pytest.mark.browser


def _fits(page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1, overflow


@pytest.mark.parametrize("viewport", [(390, 844), (1366, 768)])
def test_monthly_report_and_case_library(transactional_db, org, page_for, shot, live_server, viewport):
    duetimes.invalidate()
    data = dataset.build(org)
    report_duties_open(today=date(2026, 12, 1))
    duty = ReportDuty.objects.get(kind="office_monthly", office=org.a.office)
    with time_machine.travel("2026-12-02 10:00 +0800"):
        report_submit(
            actor=org.a.users["office_manager"],
            duty_id=duty.id,
            causes="1. 设施设备 / 电梯：4 件。1号楼电梯门机板老化，维保单位巡检不到位。",
            lessons="老旧电梯应提前列入更换计划。",
            measures="更换门机板；修订维保合同考核条款。",
            trends="环比上升，集中在电梯。",
            figures=documents.report_figures(documents.duty_complaints_all(duty), duty),
        )
    w = viewport[0]
    errors: list[str] = []
    page = page_for(org.users["qm"], viewport)
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{live_server.url}/reports/duties/{duty.id}/")
    page.wait_for_selector(".hbars svg rect")
    assert page.get_by_role("button", name="审核通过").is_visible()
    assert page.get_by_text("设施设备 / 电梯：4 件").first.is_visible()
    _fits(page)
    shot(page, f"report-monthly-{w}")

    cases.case_create(
        actor=org.users["qm"],
        complaint_id=data.ids["c2"],
        data=cases.CaseInput(
            kind="hot",
            title="电梯一周三次停运引发热点投诉",
            background="王女士（13800000001）反映1号楼1单元101室所在单元电梯一周停运三次，老人出行困难，表示将联系媒体。",
            causes="门机板老化；维保单位巡检流于形式。",
            handling="工程部当日抢修，品质管理部督办，协调维保单位更换门机板。",
            result="电梯恢复正常运行，回访满意度3分。",
            lessons="老旧电梯应提前列入更换计划；热点投诉须当日响应。",
            measures="修订维保合同考核条款，增加月度联合巡检。",
            tags=["电梯", "热点", "维保"],
        ),
    )
    page.goto(f"{live_server.url}/cases/")
    page.wait_for_selector(".case-card")
    content = page.content()
    assert "13800000001" not in content and "王女士" not in content
    _fits(page)
    shot(page, f"cases-list-{w}")
    page.click(".case-card h2 a")
    page.wait_for_selector("text=纠正预防措施")
    _fits(page)
    shot(page, f"cases-detail-{w}")
    assert not errors, errors
