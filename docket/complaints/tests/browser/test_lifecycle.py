"""A letter complaint from the front desk to closure, in a real browser, each step taken by the role the
workflow gives it: intake → assign → accept → findings per issue → reply draft → review (returned once,
then QM and general office approve) → send → agreed → measures → verification per issue → follow-up."""

import re

import pytest
from playwright.sync_api import expect

from docket.complaints import services as s
from docket.complaints.models import Complaint

pytestmark = pytest.mark.browser

ISSUES = ["3号楼电梯夜间频繁停运", "地下车库照明损坏"]
RETURN_COMMENT = "答复未说明电梯维修的具体完成时间，请补充后再提交。"


def _state(page):
    return page.locator("p.meta .state")


def _act(page, url, label, fill=None, *, state, shot=None, shot_name=None):
    """On the complaint page: click the action button, fill the inline form, press 确定, and wait for the
    reloaded page to show the success message and the new state."""
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


def test_letter_complaint_full_lifecycle(transactional_db, org, page_for, shot, live_server):
    kit = org.a
    reception = page_for(kit.users["reception"])

    # 1. Intake: a letter with two issues ------------------------------------------------------------
    reception.get_by_role("link", name="登记投诉").click()
    reception.wait_for_url(f"{live_server.url}/complaints/new/")
    reception.get_by_label("联系电话").fill("13912345678")
    reception.get_by_label("投诉人姓氏/姓名").fill("李先生")
    reception.get_by_label("房屋").select_option(label="1号楼1单元101")
    reception.get_by_label("方式", exact=True).select_option(label="信函")
    reception.get_by_label("主题", exact=True).fill("业主来信：电梯停运与车库照明问题")
    reception.get_by_label("投诉内容").fill("3号楼电梯本月夜间多次停运，地下车库B区照明损坏两周无人维修。")
    reception.get_by_label("反映的问题（每行一个；只有一个问题可留空）").fill("\n".join(ISSUES))
    reception.get_by_role("button", name="登记并打印回执").click()
    reception.wait_for_url(re.compile(r"/complaints/\d+/receipt/$"))
    c = Complaint.objects.get(subject="业主来信：电梯停运与车库照明问题")
    assert c.method == "letter" and c.issues.count() == 2
    expect(reception.locator(".receipt-table")).to_contain_text(c.receipt_no)
    expect(reception.locator(".receipt-table")).to_contain_text(c.check_code)
    for summary in ISSUES:
        expect(reception.locator(".receipt-table")).to_contain_text(summary)
    shot(reception, "10-lifecycle-receipt")
    url = f"{live_server.url}/complaints/{c.id}/"
    reception.goto(url)
    expect(_state(reception)).to_have_text("已登记")

    # 2. Reception assigns to engineering ----------------------------------------------------------
    dept_label = f"{kit.office.name} · 工程部"
    _act(
        reception,
        url,
        "派单",
        lambda f: f.get_by_label("责任部门", exact=True).select_option(label=dept_label),
        state="已派单",
        shot=shot,
        shot_name="11-lifecycle-assign-form",
    )
    shot(reception, "12-lifecycle-assigned")

    # 3. The supervisor accepts ----------------------------------------------------------------------
    sup = page_for(kit.users["eng_supervisor"])
    _act(sup, url, "接单", state="处理中")

    # 4. Staff records findings and measures for each issue --------------------------------------------
    staff = page_for(kit.users["eng_staff"])
    for n, summary in enumerate(ISSUES, start=1):

        def fill(f, n=n, summary=summary):
            f.get_by_label("问题", exact=True).select_option(label=f"{n}. {summary}")
            f.get_by_label("现场调查情况（如实记录，忌猜测）").fill(f"现场核实：{summary}属实")
            f.get_by_label("拟定处理措施").fill(f"三日内完成整改（问题{n}）")

        _act(staff, url, "记录调查情况与措施", fill, state="处理中")
        expect(staff.locator("ol.issues")).to_contain_text(f"现场核实：{summary}属实")
    shot(staff, "14-lifecycle-investigated")

    # 5. Supervisor drafts the reply and submits it for review ---------------------------------------
    body_label = "答复内容（先致歉或致谢；覆盖全部问题；不推卸责任）"
    _act(
        sup,
        url,
        "保存答复草稿",
        lambda f: f.get_by_label(body_label).fill("李先生您好，感谢您的来信。电梯与车库照明问题已安排维修。"),
        state="处理中",
    )
    _act(sup, url, "提交审核", state="答复审核中")

    # 6. QM returns it once with a comment ----------------------------------------------------------
    qm = page_for(org.users["qm"])
    _act(
        qm,
        url,
        "退回修改",
        lambda f: f.get_by_label("退回意见").fill(RETURN_COMMENT),
        state="处理中",
        shot=shot,
        shot_name="15-lifecycle-review-return-form",
    )
    expect(qm.locator("ol.timeline")).to_contain_text(RETURN_COMMENT)

    # 7. Supervisor edits the draft (it is pre-filled) and submits again ------------------------------
    def edit(f):
        box = f.get_by_label(body_label)
        expect(box).to_have_value(re.compile("感谢您的来信"))
        box.fill("李先生您好，感谢您的来信并致歉。电梯主板将于3日内更换，车库照明已于本周修复。")

    _act(sup, url, "保存答复草稿", edit, state="处理中")
    _act(sup, url, "提交审核", state="答复审核中")

    # 8. QM approves, then the general office (a letter needs both) -----------------------------------
    _act(
        qm,
        url,
        "审核通过",
        lambda f: f.get_by_label("审核意见（可选）").fill("同意"),
        state="答复审核中",
        shot=shot,
        shot_name="16-lifecycle-review-approve-form",
    )
    go = page_for(org.users["general_office"])
    _act(go, url, "审核通过", state="答复待发送")
    shot(go, "17-lifecycle-approved")

    # 9. Reception sends the reply; the complainant agrees -------------------------------------------
    _act(reception, url, "发送答复", state="已答复待确认")
    _act(reception, url, "顾客同意", state="措施落实中")

    # 10. Measures done; the office manager verifies each issue ---------------------------------------
    _act(
        sup,
        url,
        "措施已落实",
        lambda f: f.get_by_label("措施落实情况").fill("电梯主板已更换，车库照明已修复。"),
        state="待验证",
    )
    manager = page_for(kit.users["office_manager"])
    for n, summary in enumerate(ISSUES, start=1):

        def verify(f, n=n, summary=summary):
            f.get_by_label("问题", exact=True).select_option(label=f"{n}. {summary}")
            f.get_by_label("合格", exact=True).check()
            f.get_by_label("验证情况").fill("现场查看，已修复")

        last = n == len(ISSUES)
        _act(
            manager,
            url,
            "验证",
            verify,
            state="待回访" if last else "待验证",
            shot=shot if n == 1 else None,
            shot_name="18-lifecycle-verify-form",
        )

    # 11. Follow-up with satisfaction 5 closes it -----------------------------------------------------
    def follow_up(f):
        f.get_by_label("回访方式").select_option(label="电话")
        f.get_by_label("5 非常满意").check()
        for point in ("process_rating", "measures_rating", "result_rating"):  # the seed's three points
            f.locator(f"input[name={point}][value=satisfied]").check()
        f.get_by_label("顾客意见").fill("维修及时，满意。")

    _act(
        reception, url, "回访", follow_up, state="已关闭", shot=shot, shot_name="19-lifecycle-follow-up-form"
    )
    timeline = reception.locator("ol.timeline")
    expect(timeline).to_contain_text(RETURN_COMMENT)
    shot(reception, "20-lifecycle-closed")
    c.refresh_from_db()
    assert c.state == "closed"


def _investigating(org, complaint_factory):
    c = complaint_factory()
    s.complaint_assign(
        actor=org.a.users["reception"], complaint_id=c.id, department_id=org.a.depts["engineering"].id
    )
    s.complaint_accept(actor=org.a.users["eng_supervisor"], complaint_id=c.id)
    return c


FINDINGS = "现场调查情况（如实记录，忌猜测）"
MEASURES = "拟定处理措施"


def _refuse_empty_findings(page, form, c):
    """Findings left empty: the browser refuses it itself; blanks pass the browser, and the server must
    refuse them in Chinese, keeping what was typed in the other field; nothing is recorded."""
    form.get_by_label(MEASURES).fill("联系维保单位更换主板")
    form.get_by_role("button", name="确定").click()
    assert form.get_by_label(FINDINGS).evaluate("el => el.validity.valueMissing")
    form.get_by_label(FINDINGS).fill("   ")
    with page.expect_response(re.compile(r"/act/issue_findings_record/$")) as answer:
        form.get_by_role("button", name="确定").click()
    assert answer.value.status == 422
    page.wait_for_load_state()
    error = page.locator("form.action-form .has-error .error-text")
    expect(error).to_have_text(re.compile("必填"), timeout=1000)
    expect(page.locator("form.action-form").get_by_label(MEASURES)).to_have_value("联系维保单位更换主板")
    c.refresh_from_db()
    assert c.state == "investigating" and not c.issues.exclude(findings="").exists()


def test_empty_findings_refused_by_the_server(
    transactional_db, org, complaint_factory, chromium, shot, live_server
):
    """The server side of the refusal, seen without JavaScript (the plain action page, a normal POST)."""
    c = _investigating(org, complaint_factory)
    ctx = chromium.new_context(
        java_script_enabled=False, locale="zh-CN", viewport={"width": 1366, "height": 768}
    )
    try:
        page = ctx.new_page()
        page.goto(f"{live_server.url}/login/")
        page.get_by_label("用户名").fill(org.a.users["eng_staff"].username)
        page.get_by_label("密码").fill("pw")
        page.get_by_role("button", name="登录").click()
        page.goto(f"{live_server.url}/complaints/{c.id}/")
        page.locator(".actions").get_by_role("link", name="记录调查情况与措施", exact=True).click()
        page.wait_for_url(re.compile(r"/act/issue_findings_record/$"))
        _refuse_empty_findings(page, page.locator("form.action-form"), c)
        shot(page, "30-findings-error-nojs")
        page.get_by_role("link", name="取消").click()
        expect(_state(page)).to_have_text("处理中")
    finally:
        ctx.close()


def test_empty_findings_refused_inline(transactional_db, org, complaint_factory, page_for, shot, live_server):
    """The real workbench flow: the form loaded by htmx into #action-panel."""
    c = _investigating(org, complaint_factory)
    staff = page_for(org.a.users["eng_staff"])
    staff.goto(f"{live_server.url}/complaints/{c.id}/")
    staff.locator(".actions").get_by_role("link", name="记录调查情况与措施", exact=True).click()
    try:
        _refuse_empty_findings(staff, staff.locator("#action-panel form.action-form"), c)
        expect(_state(staff)).to_have_text("处理中")
    finally:
        shot(staff, "31-findings-error-inline")


def test_intake_page_does_not_scroll_sideways(transactional_db, org, page_for, shot, live_server):
    page = page_for(org.a.users["reception"], viewport=(390, 844))
    for width, height in [(390, 844), (1366, 768)]:
        page.set_viewport_size({"width": width, "height": height})
        page.goto(f"{live_server.url}/complaints/new/")
        expect(page.get_by_role("button", name="登记并打印回执")).to_be_visible()
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"the intake page scrolls sideways by {overflow}px at {width}×{height}"
        shot(page, f"21-intake-{width}")
