"""An issue's own answer (seed3, R-INT-5) in a real browser, as each of its users meets it: the department
supervisor answers one issue of two from the complaint page on a phone, QM finds it in 我的待办 on a PC and
approves it through the page's primary action, the front desk finds it in 我的待办 on a phone and sends it.
Screenshots in test-artifacts/issue-answer-*.png."""

import pytest

from docket.complaints.models import IssueAnswer, Method
from docket.complaints.tests import helpers as h

pytestmark = pytest.mark.browser

PHONE, PC = (390, 844), (1366, 768)


def _no_overflow(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def _open_from_queue(page, base, c, step_label):
    """From 我的待办: the complaint's row names the step; its link opens the page, whose one primary
    button is that step."""
    row = page.locator(f'[data-id="{c.id}"], tr:has(a[href="/complaints/{c.id}/"])').first
    assert step_label in row.inner_text()
    page.locator(f'a[href="/complaints/{c.id}/"]').first.click()
    page.wait_for_url(f"{base}/complaints/{c.id}/")
    primary = page.locator(".btn.primary")
    assert primary.count() == 1 and step_label in primary.inner_text()
    primary.click()


def test_an_issue_answer_from_draft_to_sent(transactional_db, org, page_for, shot, live_server):
    c, (one, _two) = h.investigated_two_issues(org, Method.EMAIL)
    base = live_server.url

    # The department supervisor answers the first issue on its own, on a phone.
    page = page_for(org.a.users["eng_supervisor"], PHONE)
    page.goto(f"{base}/complaints/{c.id}/act/issue_answer_submit/")
    page.get_by_label(one.summary, exact=False).first.check()
    page.get_by_label("单项答复内容（发给顾客）").fill("问题一：已更换门机板，今日起恢复运行。")
    shot(page, "issue-answer-01-submit-phone")
    with page.expect_navigation():
        page.get_by_role("button", name="确定").click()
    page.locator('[data-issue-answer="1"]').wait_for()
    assert _no_overflow(page)
    shot(page, "issue-answer-02-in-review-phone")
    answer = IssueAnswer.objects.get(complaint=c)
    assert answer.state == "in_review" and answer.pending_stage == "qm"

    # QM: 我的待办 on a PC names the step; the page's primary action approves it.
    page = page_for(org.users["qm"], PC, land=True)
    _open_from_queue(page, base, c, "审核单项答复")
    page.get_by_label("通过").check()
    shot(page, "issue-answer-03-review-pc")
    with page.expect_navigation():
        page.get_by_role("button", name="确定").click()
    answer.refresh_from_db()
    assert answer.state == "approved"

    # The front desk: 我的待办 on a phone, then send; the answer is on the page as sent.
    page = page_for(org.a.users["reception"], PHONE, land=True)
    assert _no_overflow(page)
    shot(page, "issue-answer-04-queue-phone")
    _open_from_queue(page, base, c, "发送单项答复")
    with page.expect_navigation():
        page.get_by_role("button", name="确定").click()
    page.locator('[data-issue-answer="1"]').get_by_text("已发送").wait_for()
    assert _no_overflow(page)
    shot(page, "issue-answer-05-sent-phone")
    answer.refresh_from_db()
    assert answer.state == "sent"
