"""Seed part 2 (issue 15) in a real browser: the management representative assigns a corrective action
from the complaint page (the action is offered from its workflow row) and the claim and NCR panels show
on PC and phone. Screenshots in test-artifacts/."""

import pytest

from docket.complaints import services as s
from docket.complaints.models import CorrectiveAction, State
from docket.complaints.tests import helpers as h

pytestmark = pytest.mark.browser


def _no_overflow(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_claim_and_ncr_panels_and_assigning_an_action(transactional_db, org, page_for, shot, live_server):
    c = h.drive_to(org, State.INVESTIGATING)
    qm, mr, leader = org.users["qm"], org.users["mgmt_rep"], org.users["leadership"]
    money = s.compensation_claim_record(
        actor=qm, complaint_id=c.id, amount="5000", description="水管爆裂浸泡木地板"
    )
    s.compensation_escalate(
        actor=qm, complaint_id=c.id, claim_id=money.id, note="超出权限，费用报批", to_developer=False
    )
    s.compensation_outcome_record(
        actor=leader,
        complaint_id=c.id,
        claim_id=money.id,
        outcome="partly",
        amount="3000",
        reasons="按评估价赔付",
    )
    home = s.compensation_claim_record(
        actor=qm, complaint_id=c.id, description="交房后要求换房", home_return=True
    )
    s.compensation_escalate(actor=qm, complaint_id=c.id, claim_id=home.id, note="反馈地产", to_developer=True)
    dept = org.a.depts["engineering"]
    ncr = s.ncr_draft(
        actor=qm,
        complaint_id=c.id,
        department_id=dept.id,
        nonconformity="管道巡检漏项",
        cause="巡检表未覆盖地下室",
        corrective_action="立即补检地下室管道",
        preventive_action="修订巡检表",
    )
    s.ncr_sign(actor=mr, complaint_id=c.id, ncr_id=ncr.id)

    base = live_server.url
    page = page_for(mr)
    page.goto(f"{base}/complaints/{c.id}/")
    page.get_by_role("link", name="下达纠正/预防措施").click()
    page.get_by_label("预防措施").check()
    page.get_by_label("措施内容").fill("修订巡检表，增加地下室管道")
    page.get_by_label("责任部门").select_option(str(dept.id))
    page.get_by_role("button", name="确定").click()
    page.locator("#ncrs").get_by_text("修订巡检表，增加地下室管道").wait_for()
    assert CorrectiveAction.objects.filter(complaint=c, kind="preventive").exists()
    page.locator("#claims").scroll_into_view_if_needed()
    assert page.locator("#claims").get_by_text("部分同意").is_visible()
    assert page.locator("#claims").get_by_text("退房/换房要求").is_visible()
    shot(page, "seed2-claims-ncr-1366")

    phone = page_for(mr, viewport=(390, 844))
    phone.goto(f"{base}/complaints/{c.id}/")
    phone.locator("#claims").wait_for()
    assert _no_overflow(phone)
    shot(phone, "seed2-claims-ncr-390")
