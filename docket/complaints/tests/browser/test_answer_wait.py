"""An issue's own answer in review, on the complaint page in a real browser (docs/decisions.md "answerwait"), at
390×844 and 1366×768: with a reply draft saved, the page offers no 提交审核 (the service would refuse it,
`issue_answer_pending`) and says which answer waits for whom; QM's page makes the answer's review its primary
button; once the answer is approved and sent, 提交审核 is offered. Screenshots in test-artifacts/answer-wait-*.png."""

import pytest
from playwright.sync_api import expect

from docket.complaints import services as s
from docket.complaints.models import Method
from docket.complaints.tests import helpers as h

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("viewport", [(390, 844), (1366, 768)], ids=["phone", "pc"])
def test_the_page_says_the_final_reply_waits_for_the_issue_answer(
    transactional_db, org, page_for, shot, live_server, viewport
):
    c, (one, _two) = h.investigated_two_issues(org, Method.EMAIL)
    sup, qm = org.a.users["eng_supervisor"], org.users["qm"]
    answer = s.issue_answer_submit(
        actor=sup, complaint_id=c.id, issue_ids=[one.id], body="问题一：已更换门机板。"
    )
    s.reply_draft_save(actor=sup, complaint_id=c.id, body="您好，经现场查看……")
    name = "phone" if viewport[0] < 500 else "pc"
    note = "第 1 份单项答复等待品质管理部审核；审核通过并发送后才能提交或发送最终答复。"

    page = page_for(sup, viewport)
    page.goto(f"{live_server.url}/complaints/{c.id}/")
    actions = page.locator(".actions")
    expect(page.locator("p.waiting")).to_contain_text(note)
    expect(actions.locator('[data-action="reply_submit"]')).to_have_count(0)
    expect(actions.locator('[data-action="reply_draft_save"]')).to_have_count(1)  # the draft may still change
    expect(page.locator("p.next-step")).to_have_count(0)  # nothing of the drafter's until the answer is sent
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    shot(page, f"answer-wait-01-drafter-{name}")

    reviewer = page_for(qm, viewport)
    reviewer.goto(f"{live_server.url}/complaints/{c.id}/")
    expect(reviewer.locator("p.waiting")).to_contain_text(note)
    expect(reviewer.locator("p.next-step")).to_contain_text("审核单项答复")
    primary = reviewer.locator(".actions .btn.primary")
    expect(primary).to_have_count(1)
    expect(primary).to_have_attribute("data-action", "issue_answer_review")
    shot(reviewer, f"answer-wait-02-reviewer-{name}")

    # approved and sent: the final reply may be submitted
    s.issue_answer_review(actor=qm, complaint_id=c.id, answer_id=answer.id, approve=True)
    s.issue_answer_send(actor=org.a.users["reception"], complaint_id=c.id, answer_id=answer.id)
    page.reload()
    expect(page.locator("p.waiting")).to_have_count(0)
    expect(page.locator('.actions [data-action="reply_submit"]')).to_have_count(1)
    expect(page.locator("p.next-step")).to_contain_text("提交审核")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    shot(page, f"answer-wait-03-sent-{name}")
