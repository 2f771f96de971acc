"""An issue waiting for the developer, on the complaint page in a real browser (docs/decisions.md "issuemoves"),
at 390×844 and 1366×768: with a reply draft saved, the page offers no 提交审核 (the service would refuse it,
`issue_with_developer`), says which issue waits and why, and its one primary button records the developer's
answer; once recorded, 提交审核 is offered. Screenshots in test-artifacts/developer-wait-*.png."""

import pytest
from playwright.sync_api import expect

from docket.complaints import services as s
from docket.complaints.models import DeveloperForward, Method
from docket.complaints.tests import helpers as h

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("viewport", [(390, 844), (1366, 768)], ids=["phone", "pc"])
def test_the_page_offers_the_developers_answer_not_the_reply(
    transactional_db, org, page_for, shot, live_server, viewport
):
    c, (one, two) = h.investigated_two_issues(org, Method.EMAIL, findings=False)
    sup = org.a.users["eng_supervisor"]
    s.issue_forward_to_developer(
        actor=sup, complaint_id=c.id, issue_id=one.id, party_id=org.developer.id, reason="外墙渗水属地产保修"
    )
    s.issue_findings_record(
        actor=sup, complaint_id=c.id, issue_id=two.id, findings="现场查看属实", measures="更换门机板"
    )
    s.reply_draft_save(actor=sup, complaint_id=c.id, body="您好，经现场查看……")
    name = "phone" if viewport[0] < 500 else "pc"

    page = page_for(sup, viewport)
    page.goto(f"{live_server.url}/complaints/{c.id}/")
    actions = page.locator(".actions")
    expect(page.locator("p.waiting")).to_contain_text(
        "问题1已转地产处理，等待地产答复；记录地产答复后才能提交或发送最终答复。"
    )
    expect(page.locator("p.next-step")).to_contain_text("记录地产答复")
    expect(actions.locator('[data-action="reply_submit"]')).to_have_count(0)
    expect(actions.locator('[data-action="reply_send"]')).to_have_count(0)
    expect(actions.locator('[data-action="reply_draft_save"]')).to_have_count(1)  # the draft may still change
    primary = actions.locator(".btn.primary")
    expect(primary).to_have_count(1)
    expect(primary).to_have_attribute("data-action", "issue_developer_answer_record")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    shot(page, f"developer-wait-01-waiting-{name}")

    # the developer's answer through the page's primary button; then the reply may be submitted
    primary.click()
    form = page.locator("#action-panel form.action-form")
    form.get_by_label("地产答复").fill("地产已安排外墙维修，下周完成。")
    shot(page, f"developer-wait-02-answer-form-{name}")
    with page.expect_navigation():
        form.get_by_role("button", name="确定").click()
    expect(page.get_by_role("status").first).to_have_text("已完成：记录地产对单项问题的答复")
    expect(page.locator("p.waiting")).to_have_count(0)
    expect(page.locator('.actions [data-action="reply_submit"]')).to_have_count(1)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    shot(page, f"developer-wait-03-answered-{name}")
    assert DeveloperForward.objects.get(complaint=c, issue=one).answered_at is not None
