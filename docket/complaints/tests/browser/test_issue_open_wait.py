"""An issue not yet investigated, on the complaint page in a real browser (docs/decisions.md "readyissues"), at
390×844 and 1366×768: with a reply draft saved and issue 2 still open, the page offers no 提交审核 (the service
would refuse it, `issues_incomplete`), names the open issue and the possible step, and makes 调查 the primary
button; once issue 2 is investigated, 提交审核 is offered. Screenshots in test-artifacts/issue-open-*.png."""

import pytest
from playwright.sync_api import expect

from docket.complaints import services as s
from docket.complaints.models import Method
from docket.complaints.tests import helpers as h

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("viewport", [(390, 844), (1366, 768)], ids=["phone", "pc"])
def test_the_page_says_the_final_reply_waits_for_the_open_issue(
    transactional_db, org, page_for, shot, live_server, viewport
):
    c, (one, two) = h.investigated_two_issues(org, Method.EMAIL, findings=False)
    sup = org.a.users["eng_supervisor"]
    s.issue_findings_record(actor=sup, complaint_id=c.id, issue_id=one.id, findings="属实", measures="维修")
    s.reply_draft_save(actor=sup, complaint_id=c.id, body="您好，经现场查看……")
    name = "phone" if viewport[0] < 500 else "pc"

    page = page_for(sup, viewport)
    page.goto(f"{live_server.url}/complaints/{c.id}/")
    actions = page.locator(".actions")
    expect(page.locator("p.waiting")).to_contain_text(
        "问题2尚未调查（记录调查情况与措施）；调查后才能提交或发送最终答复。"
    )
    expect(actions.locator('[data-action="reply_submit"]')).to_have_count(0)
    expect(actions.locator('[data-action="reply_draft_save"]')).to_have_count(1)  # the draft may still change
    primary = actions.locator(".btn.primary")
    expect(primary).to_have_count(1)
    expect(primary).to_have_attribute("data-action", "issue_findings_record")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    shot(page, f"issue-open-01-drafter-{name}")

    # issue 2 investigated: the final reply may be submitted
    s.issue_findings_record(actor=sup, complaint_id=c.id, issue_id=two.id, findings="属实", measures="更换")
    page.reload()
    expect(page.locator("p.waiting")).to_have_count(0)
    expect(page.locator('.actions [data-action="reply_submit"]')).to_have_count(1)
    expect(page.locator("p.next-step")).to_contain_text("提交审核")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    shot(page, f"issue-open-02-investigated-{name}")
