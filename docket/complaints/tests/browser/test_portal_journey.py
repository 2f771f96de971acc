"""The owner's whole journey through the portal on a phone (390×844, issue 11 "Done when"), in Debian's
Chromium: file with a photo (phone proved by the SMS code) → the receipt → the receipt PDF (downloaded, a
PDF with the receipt's text) → track → disagree with a reason → negotiating, the reason on the record →
staff (signed in as the handling roles, in the same browser) reply again → the owner agrees → measures done
and verified → the owner rates the three points → closed. Then the committee member of the community sees
the complaint masked only, and a record changed behind the application's back fails the public verify page.
A second test: a reply left unanswered closes itself after 7 days (time-machine) and the owner sees why.

Screenshots: test-artifacts/portal-journey-*.png. (The complaints' browser directory, beside the other
portal browser tests: its `chromium` fixture is session-scoped and a second Playwright in the same thread
is not allowed, see docket/reports/tests/browser/conftest.py.)"""

from __future__ import annotations

import io
import json
import re
from datetime import timedelta

import pypdfium2 as pdfium
import pytest
import time_machine
from playwright.sync_api import expect

from docket.complaints import services as s
from docket.complaints import workflow
from docket.complaints.models import Complaint, ComplaintEvent, ComplaintIssue, IssueState, OwnerRating, State
from docket.complaints.tests.helpers import drive_to
from docket.complaints.tests.test_events import _tamper
from docket.core import clock
from docket.notifications.models import Notification
from docket.portal.filing.tests.test_filing import jpeg

from .conftest import ARTIFACTS
from .test_lifecycle import _act

pytestmark = pytest.mark.browser

W, H = 390, 844
NAME, PHONE = "欧阳秀英", "13812345678"
BODY_LABEL = "答复内容（先致歉或致谢；覆盖全部问题；不推卸责任）"


def _phone_ctx(chromium):
    return chromium.new_context(
        viewport={"width": W, "height": H}, locale="zh-CN", is_mobile=True, accept_downloads=True
    )


def _fits(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= W


def _code_from_sms_log(path) -> str:
    last = path.read_text(encoding="utf-8").strip().splitlines()[-1]
    m = re.search(r"验证码是 (\d{6})", json.loads(last)["text"])
    assert m is not None
    return m.group(1)


def _handle_to_replied(org, c: Complaint) -> None:
    """The office's first round, through the services (the browser part is the owner's)."""
    u, cid = org.a.users, c.id
    s.complaint_assign(actor=u["reception"], complaint_id=cid, department_id=org.a.depts["engineering"].id)
    s.complaint_accept(actor=u["eng_supervisor"], complaint_id=cid)
    for issue in c.issues.all():
        s.issue_findings_record(
            actor=u["eng_supervisor"], complaint_id=cid, issue_id=issue.id, findings="属实", measures="维修"
        )
    s.reply_draft_save(actor=u["eng_supervisor"], complaint_id=cid, body="您好，已安排维修卫生间防水。")
    s.reply_submit(actor=u["eng_supervisor"], complaint_id=cid)
    for stage in workflow.REVIEW_ROUTES[c.method]:
        s.reply_review_approve(actor=org.users[stage], complaint_id=cid)
    s.reply_send(actor=u["reception"], complaint_id=cid)
    assert Complaint.objects.get(pk=cid).state == State.REPLIED


def _track(page, live_server, c):
    page.goto(f"{live_server.url}/p/track/")
    page.get_by_label("回执编号").fill(c.receipt_no)
    page.get_by_label("查询码").fill(c.check_code)
    page.get_by_role("button", name="查询").click()
    page.wait_for_url(f"{live_server.url}/p/track/{c.receipt_no}/")


def test_file_track_disagree_reply_agree_rate_closed_then_committee_and_verify(
    transactional_db, org, chromium, page_for, live_server, shot, settings, tmp_path
):
    settings.DOCKET_SMS_FILE = str(tmp_path / "sms.log")
    o = org.a.office
    ctx = _phone_ctx(chromium)
    problems: list[str] = []
    owner = ctx.new_page()
    owner.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    try:
        # 1. File with a photo, the phone proved by the SMS code ----------------------------------------------
        owner.goto(f"{live_server.url}/p/o/{o.code}/")
        _fits(owner)
        shot(owner, "portal-journey-01-office")
        owner.get_by_role("link", name="我要投诉 / 建议 / 咨询").click()
        owner.get_by_role("link", name="验证手机号后提交").click()
        owner.get_by_label("手机号码").fill(PHONE)
        owner.get_by_role("button", name="获取验证码").click()
        expect(owner.get_by_role("status")).to_contain_text("验证码已通过短信发送")
        owner.get_by_label("短信验证码").fill(_code_from_sms_log(tmp_path / "sms.log"))
        owner.get_by_role("button", name="验证", exact=True).click()
        owner.wait_for_url(f"{live_server.url}/p/o/{o.code}/file/")
        owner.get_by_label("楼栋").select_option(label=org.a.room.unit.building.name)
        owner.get_by_label("单元").select_option(label=org.a.room.unit.name)
        owner.get_by_label("房号").fill(org.a.room.number)
        owner.get_by_label(re.compile("事情经过")).fill("卫生间天花板漏水，已经三天了，楼上没人在家。")
        owner.get_by_label(re.compile("您的诉求")).fill("请尽快联系楼上业主并维修。")
        owner.set_input_files(
            "#photos", files=[{"name": "漏水.jpg", "mimeType": "image/jpeg", "buffer": jpeg((800, 600))}]
        )
        owner.get_by_label(re.compile("您的称呼")).fill(NAME)
        _fits(owner)
        shot(owner, "portal-journey-02-form")
        owner.get_by_role("button", name="提交").click()

        # 2. The receipt, and its PDF ---------------------------------------------------------------------------
        c = Complaint.objects.get()
        assert (c.complainant_name, c.complainant_phone, c.attachments.count()) == (NAME, PHONE, 1)
        owner.wait_for_url(f"{live_server.url}/p/r/{c.receipt_no}/")
        expect(owner.locator(".p-code")).to_have_text(c.check_code)
        digest = c.events.get(seq=1).hash
        expect(owner.locator("body")).to_contain_text(digest)
        _fits(owner)
        shot(owner, "portal-journey-03-receipt")
        with owner.expect_download() as dl:
            owner.get_by_role("link", name="下载回执（PDF）").click()
        pdf_path = ARTIFACTS / "portal-journey-receipt.pdf"
        dl.value.save_as(pdf_path)
        data = pdf_path.read_bytes()
        assert data.startswith(b"%PDF-")
        pdf = pdfium.PdfDocument(io.BytesIO(data))
        text = pdf[0].get_textpage().get_text_range()
        assert c.receipt_no in text and "投诉受理回执" in text and digest[:16] in text.replace("\n", "")
        pdf[0].render(scale=1.5).to_pil().save(ARTIFACTS / "portal-journey-04-receipt-pdf.png")

        # 3. Track ---------------------------------------------------------------------------------------------
        owner.get_by_role("link", name="查看处理进度").click()
        owner.wait_for_url(f"{live_server.url}/p/track/{c.receipt_no}/")
        expect(owner.locator(".p-state")).to_have_text("已登记")
        expect(owner.locator(".p-deadlines")).to_contain_text("剩余")
        _fits(owner)
        shot(owner, "portal-journey-05-track")

        # 4. The office replies; the owner disagrees with a reason: negotiating, on the record -------------------
        _handle_to_replied(org, c)
        owner.reload()
        expect(owner.locator(".p-state")).to_have_text("已答复待确认")
        expect(owner.locator("#reply")).to_contain_text("已安排维修卫生间防水")
        shot(owner, "portal-journey-06-replied")
        reason = "维修后卫生间仍然漏水，请再派人查看。"
        owner.get_by_label("不同意的理由").fill(reason)
        owner.get_by_role("button", name="不同意答复").click()
        expect(owner.get_by_role("status")).to_contain_text("您不同意答复")
        expect(owner.locator(".p-state")).to_have_text("协商中")
        expect(owner.locator(".p-timeline")).to_contain_text(reason)
        _fits(owner)
        shot(owner, "portal-journey-07-disagreed")
        c.refresh_from_db()
        assert c.state == State.NEGOTIATING and c.negotiation_rounds == 1
        assert ComplaintEvent.objects.filter(complaint=c, payload__reason=reason).exists()

        # 5. Staff reply again, each step by its role in the same browser ---------------------------------------
        url = f"{live_server.url}/complaints/{c.id}/"
        sup = page_for(org.a.users["eng_supervisor"])
        sup.goto(url)
        expect(sup.locator("ol.timeline")).to_contain_text(reason)  # the staff record shows the disagreement
        _act(
            sup,
            url,
            "保存答复草稿",
            lambda f: f.get_by_label(BODY_LABEL).fill("您好，已再次上门检修，更换了防水层，请您确认。"),
            state="协商中",
        )
        _act(sup, url, "提交审核", state="答复审核中")
        _act(page_for(org.users["qm"]), url, "审核通过", state="答复待发送")
        _act(page_for(org.a.users["reception"]), url, "发送答复", state="已答复待确认")

        # 6. The owner agrees ------------------------------------------------------------------------------------
        owner.reload()
        expect(owner.locator("#reply")).to_contain_text("更换了防水层")
        owner.get_by_role("button", name="同意答复", exact=True).click()
        expect(owner.get_by_role("status")).to_contain_text("您同意答复")
        expect(owner.locator(".p-state")).to_have_text("措施落实中")
        shot(owner, "portal-journey-08-agreed")

        # 7. Measures done and verified (office, then QM for an online complaint); the owner rates -------------
        s.measures_done(actor=org.a.users["eng_staff"], complaint_id=c.id, note="已更换防水层")
        for issue in c.issues.all():
            s.issue_verify(
                actor=org.a.users["office_manager"],
                complaint_id=c.id,
                issue_id=issue.id,
                passed=True,
                note="不再漏水",
            )
        if Complaint.objects.get(pk=c.pk).state == State.QM_VERIFYING:
            s.qm_verify(actor=org.users["qm"], complaint_id=c.id, decision="passed", note="复核合格")
        owner.reload()
        expect(owner.locator(".p-state")).to_have_text("待回访")
        for legend, score in (("受理过程", "5"), ("处理措施", "4"), ("处理结果", "4")):
            owner.locator("fieldset", has_text=legend).locator("label", has_text=score).click()
        owner.get_by_label("您的意见（可不填）").fill("第二次维修很及时，谢谢。")
        _fits(owner)
        shot(owner, "portal-journey-09-rate")
        owner.get_by_role("button", name="提交评价").click()
        expect(owner.get_by_role("status")).to_contain_text("感谢您的评价")
        expect(owner.locator(".p-state")).to_have_text("已关闭")
        _fits(owner)
        shot(owner, "portal-journey-10-closed")
        c.refresh_from_db()
        rating = OwnerRating.objects.get(complaint=c)
        assert (c.state, rating.process, rating.measures, rating.result) == (State.CLOSED, 5, 4, 4)

        # 8. The committee member sees it masked only ----------------------------------------------------------
        member = page_for(org.a.users["committee"], (W, H))
        expect(member.locator("body")).to_contain_text(c.receipt_no)
        shot(member, "portal-journey-11-committee-list")
        for where in ("/complaints/", f"/complaints/{c.id}/"):
            member.goto(f"{live_server.url}{where}")
            text, html = member.locator("body").inner_text(), member.content()
            for private in (NAME, PHONE, org.a.room.number + "室", "1单元" + org.a.room.number):
                assert private not in text and private not in html, (where, private)
        expect(member.locator("body")).to_contain_text("欧阳")
        expect(member.locator("body")).to_contain_text("138****5678")
        shot(member, "portal-journey-12-committee-detail")

        # 9. The verify page: the intact record holds, a changed one does not -----------------------------------
        owner.goto(f"{live_server.url}/p/verify/")
        owner.get_by_label("回执编号").fill(c.receipt_no)
        owner.get_by_label("登记记录校验码").fill(digest)
        owner.get_by_role("button", name="核验", exact=True).click()
        expect(owner.get_by_role("status")).to_contain_text("记录与回执一致")
        _fits(owner)
        shot(owner, "portal-journey-13-verify-ok")
        disagreed = ComplaintEvent.objects.get(complaint=c, payload__reason=reason)
        _tamper(
            "UPDATE complaints_complaintevent SET payload = %s WHERE id = %s",
            ['{"reason": "业主同意了"}', disagreed.id],
        )
        owner.reload()
        expect(owner.locator("body")).to_contain_text("无法核验")
        expect(owner.locator("body")).not_to_contain_text("记录与回执一致")
        _fits(owner)
        shot(owner, "portal-journey-14-verify-tampered")
    finally:
        ctx.close()
    assert not problems, problems


def test_an_unanswered_reply_closes_itself_after_seven_days(
    transactional_db, org, chromium, live_server, shot
):
    c = drive_to(org, State.REPLIED)
    # every issue ended on its own (answered and closed, seed3): nothing left to carry out, so the silence
    # closes it (with measures owed it would go on to implementing: decisions.md "silentowner")
    ComplaintIssue.objects.filter(complaint=c).update(state=IssueState.CLOSED)
    sent = c.replies.get(state="sent").sent_at
    ctx = _phone_ctx(chromium)
    page = ctx.new_page()
    try:
        _track(page, live_server, c)
        expect(page.locator(".p-state")).to_have_text("已答复待确认")
        with time_machine.travel(sent + timedelta(days=6, hours=23), tick=False):
            assert s.auto_close_sweep() == 0
        with time_machine.travel(sent + timedelta(days=7, minutes=1), tick=True):
            assert s.auto_close_sweep() == 1
            assert s.auto_close_sweep() == 0  # once
            c.refresh_from_db()
            assert (c.state, c.closure_kind) == (State.CLOSED, "no_answer")
            sms = Notification.objects.filter(ref=f"complaint:{c.id}", kind="owner:auto_closed").first()
            assert sms is not None and "/p/t/" in sms.body
            _track(page, live_server, c)  # the proof of a week ago has lapsed: the code again
            expect(page.locator(".p-state")).to_have_text("已关闭")
            expect(page.locator(".p-timeline")).to_contain_text("7 天内未收到您的意见")
            expect(page.locator("#review")).to_contain_text("申请二次复核")
            _fits(page)
            shot(page, "portal-journey-15-auto-closed")
        assert clock.now() < sent + timedelta(days=1)
    finally:
        ctx.close()
