"""The owners' portal (issue 11) on a phone-sized screen (390×844, as in the WeChat in-app browser): the
complainant checks their receipt, disagrees with the reply, staff send a new reply, the complainant agrees.
No sign-in; the page must fit the width and load nothing the CSP refuses."""

import pytest
from playwright.sync_api import expect

from docket.complaints import services as s
from docket.complaints.models import Complaint, State
from docket.complaints.tests.helpers import drive_to

pytestmark = pytest.mark.browser


def _fits(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_track_disagree_then_agree_on_a_phone(transactional_db, org, chromium, live_server, shot):
    c = drive_to(org, State.REPLIED)
    ctx = chromium.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True)
    problems: list[str] = []
    page = ctx.new_page()
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    try:
        page.goto(f"{live_server.url}/p/track/")
        page.get_by_label("回执编号").fill(c.receipt_no)
        page.get_by_label("查询码").fill("WRONG1")
        page.get_by_role("button", name="查询").click()
        expect(page.get_by_role("alert")).to_contain_text("回执编号或查询码不正确")
        page.get_by_label("查询码").fill(c.check_code)
        shot(page, "portal-01-check")
        page.get_by_role("button", name="查询").click()
        page.wait_for_url(f"{live_server.url}/p/track/{c.receipt_no}/")
        expect(page.locator(".p-state")).to_have_text("已答复待确认")
        expect(page.locator("#reply")).to_contain_text("感谢您的反映")
        _fits(page)
        shot(page, "portal-02-replied")

        page.get_by_label("不同意的理由").fill("维修后卫生间仍然漏水，请再派人查看。")
        page.get_by_role("button", name="不同意答复").click()
        expect(page.get_by_role("status")).to_contain_text("您不同意答复")
        expect(page.locator(".p-state")).to_have_text("协商中")
        expect(page.locator(".p-timeline")).to_contain_text("维修后卫生间仍然漏水")
        expect(page.locator("#reply form")).to_have_count(0)  # the office answers again before any agreement
        _fits(page)
        shot(page, "portal-03-negotiating")

        # staff answer again through the services, as the office would
        sup = org.a.users["eng_supervisor"]
        s.reply_draft_save(actor=sup, complaint_id=c.id, body="已再次上门检修，更换了防水层，请您确认。")
        s.reply_send(actor=org.a.users["reception"], complaint_id=c.id)
        assert Complaint.objects.get(pk=c.pk).state == State.REPLIED

        page.reload()
        expect(page.locator("#reply")).to_contain_text("更换了防水层")
        page.get_by_label("补充说明（可不填）").fill("同意，谢谢。")
        page.get_by_role("button", name="同意答复", exact=True).click()
        expect(page.get_by_role("status")).to_contain_text("您同意答复")
        expect(page.locator(".p-state")).to_have_text("措施落实中")
        expect(page.locator("#reply form")).to_have_count(0)
        _fits(page)
        shot(page, "portal-04-agreed")

        page.goto(f"{live_server.url}/p/verify/?q=DOCKET:{c.receipt_no}:{c.events.get(seq=1).hash}")
        expect(page.get_by_role("status")).to_contain_text("记录与回执一致")
        _fits(page)
        shot(page, "portal-05-verify")

        # an open complaint: its deadline with the countdown, and the chase
        open_one = drive_to(org, State.INVESTIGATING)
        page.goto(f"{live_server.url}/p/track/?r={open_one.receipt_no}")
        expect(page.get_by_label("回执编号")).to_have_value(open_one.receipt_no)
        page.get_by_label("查询码").fill(open_one.check_code)
        page.get_by_role("button", name="查询").click()
        expect(page.locator(".p-deadlines")).to_contain_text("剩余")
        page.get_by_label("您想说的话").fill("请尽快派人来修电梯。")
        page.get_by_role("button", name="催办").click()
        expect(page.get_by_role("status")).to_contain_text("已催办")
        _fits(page)
        shot(page, "portal-06-open-chased")
    finally:
        ctx.close()
    assert Complaint.objects.get(pk=c.pk).state == State.IMPLEMENTING
    assert not problems, problems
