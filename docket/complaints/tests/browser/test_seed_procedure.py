"""The seed's procedure in a real browser (issue 15): a company-level online complaint is accepted and the
department records its first contact (document 5 §4.3) on a PC; after escalation and handling, the office
verifies on site and QM verifies again (5.2.3.6) on a phone, then QM's follow-up records the three points
(5.2.5.3) on a phone. Screenshots in test-artifacts/seed-*.png."""

import pytest
from playwright.sync_api import expect

from docket.complaints import services as s
from docket.complaints.models import Complaint, ComplaintIssue, FirstContact, FollowUp, Obligation

pytestmark = pytest.mark.browser

PC, PHONE = (1366, 768), (390, 844)


def _state(page):
    return page.locator("p.meta .state")


def _act(page, url, label, fill=None, *, state, shot=None, shot_name=None):
    page.goto(url)
    page.locator(".actions").get_by_role("link", name=label, exact=True).click()
    form = page.locator("#action-panel form.action-form")
    expect(form.get_by_role("heading", name=label, exact=True)).to_be_visible()
    if fill:
        fill(form)
    if shot:
        shot(page, shot_name)
    with page.expect_navigation():
        form.get_by_role("button", name="确定").click()
    expect(page.get_by_role("status").first).to_have_text(f"已完成：{label}")
    expect(_state(page)).to_have_text(state)


def test_company_level_online_complaint_first_contact_two_level_verification_three_point_follow_up(
    transactional_db, org, complaint_factory, page_for, shot, live_server
):
    kit = org.a
    c = complaint_factory(channel="online", method="online", subject="网上投诉：3号楼电梯夜间停运")
    s.complaint_assign(
        actor=kit.users["reception"], complaint_id=c.id, department_id=kit.depts["engineering"].id
    )
    url = f"{live_server.url}/complaints/{c.id}/"

    # 1. Acceptance and first contact, by the engineering supervisor on a PC ---------------------------------
    sup = page_for(kit.users["eng_supervisor"], PC)
    _act(sup, url, "接单", state="处理中")
    expect(sup.locator(".actions")).to_contain_text("记录首次联系顾客")

    def contact(f):
        f.get_by_label("联系方式").select_option(label="电话")
        f.get_by_label("已道歉", exact=True).check()
        f.get_by_label("联系情况（对投诉问题所作的解释、约定的处理或答复时间）").fill(
            "已致电业主，首先致歉；说明今晚安排维保单位检修，明天中午前答复。"
        )

    _act(
        sup,
        url,
        "记录首次联系顾客",
        contact,
        state="处理中",
        shot=shot,
        shot_name="seed-01-first-contact-form-pc",
    )
    expect(sup.locator(".actions")).not_to_contain_text("记录首次联系顾客")
    expect(sup.locator("ol.timeline")).to_contain_text("首次联系顾客")
    shot(sup, "seed-02-first-contact-recorded-pc")
    contact_row = FirstContact.objects.get(complaint=c)
    assert contact_row.apologised and contact_row.method == "phone"
    assert Obligation.objects.get(complaint=c, kind="first_contact").state == "met"

    # 2. The office escalates it; QM handles it to the end of the measures (services: not under test here) ---
    s.complaint_escalate(
        actor=kit.users["office_manager"], complaint_id=c.id, reason="涉及电梯更换费用，管理处无法决定"
    )
    qm_user = org.users["qm"]
    issue = ComplaintIssue.objects.get(complaint=c)
    s.issue_findings_record(
        actor=qm_user, complaint_id=c.id, issue_id=issue.id, findings="主板老化", measures="更换电梯主板"
    )
    s.reply_draft_save(
        actor=qm_user, complaint_id=c.id, body="您好，非常抱歉给您带来不便，电梯主板将于三日内更换。"
    )
    s.reply_submit(actor=qm_user, complaint_id=c.id)
    s.reply_review_approve(actor=qm_user, complaint_id=c.id)
    s.reply_send(actor=qm_user, complaint_id=c.id)
    s.complainant_agree(actor=qm_user, complaint_id=c.id)
    s.measures_done(actor=qm_user, complaint_id=c.id, note="电梯主板已更换，试运行正常。")

    # 3. The office manager verifies on site (phone), then QM verifies (phone) ----------------------------------
    manager = page_for(kit.users["office_manager"], PHONE)

    def verify(f):
        f.get_by_label("问题", exact=True).select_option(index=0)
        f.get_by_label("合格", exact=True).check()
        f.get_by_label("验证情况").fill("现场查看：主板已更换，连续运行24小时无故障。")

    _act(
        manager, url, "验证", verify, state="待品质部验证", shot=shot, shot_name="seed-03-office-verify-phone"
    )
    shot(manager, "seed-04-waiting-for-qm-phone")

    qm = page_for(qm_user, PHONE)

    def qm_verify(f):
        f.get_by_label("验证合格", exact=True).check()
        f.get_by_label("验证情况（核对管理处的验证记录与现场结果）").fill(
            "核对管理处验证记录并电话抽查，措施适宜、充分。"
        )

    _act(qm, url, "品质部验证", qm_verify, state="待回访", shot=shot, shot_name="seed-05-qm-verify-phone")

    # 4. QM's follow-up on the three points (phone) -------------------------------------------------------------
    def follow_up(f):
        f.get_by_label("回访方式").select_option(label="电话")
        f.locator("input[name=process_rating][value=satisfied]").check()
        f.locator("input[name=measures_rating][value=satisfied]").check()
        f.locator("input[name=result_rating][value=basic]").check()
        f.get_by_label("4 满意").check()
        f.get_by_label("顾客意见").fill("处理及时，希望以后多做预防性维护。")

    _act(qm, url, "回访", follow_up, state="已关闭", shot=shot, shot_name="seed-06-follow-up-form-phone")
    shot(qm, "seed-07-closed-phone")
    fu = FollowUp.objects.get(complaint=c)
    assert (fu.process_rating, fu.measures_rating, fu.result_rating) == ("satisfied", "satisfied", "basic")
    c = Complaint.objects.get(pk=c.id)
    assert c.state == "closed" and c.level == "company"
    kinds = list(c.events.values_list("kind", flat=True))
    assert (
        kinds.index("office_verification_reported")
        < kinds.index("qm_verified")
        < kinds.index("follow_up_recorded")
    )
    # the page reads well on the PC too
    sup.goto(url)
    shot(sup, "seed-08-closed-pc")
