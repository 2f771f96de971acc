"""A complaint closed on the spot at reception, reopened by a second-stage review in a real browser: the
reviewer is told a department must be chosen (the category's usual one marked, none chosen), is refused
without one with everything typed kept, and with one the complaint lands in that department's queue."""

import pytest
from playwright.sync_api import expect

from docket.complaints import services as s
from docket.complaints.models import Channel, Complaint, Method, State
from docket.complaints.services import ComplaintInput, IssueInput

pytestmark = pytest.mark.browser


def test_reopening_an_on_the_spot_closure_chooses_the_department(
    transactional_db, org, page_for, shot, live_server
):
    kit = org.a
    data = ComplaintInput(
        office_id=kit.office.id,
        channel=Channel.OFFICE,
        method=Method.VISIT,
        subject="电梯按钮失灵",
        description="业主来访反映1号楼电梯按钮失灵。",
        complainant_name="王",
        complainant_phone="13800000001",
        room_id=kit.room.id,
        issues=[IssueInput(summary="电梯按钮失灵", category_id=org.categories["电梯"].id)],
    )
    c = s.complaint_register(
        actor=kit.users["reception"], data=data, close_on_spot_note="已当场复位按钮，业主确认满意"
    ).complaint
    s.owner_review_request(complaint_id=c.id, via="portal", reason="按钮第二天又失灵了")

    page = page_for(org.users["qm"])
    url = f"{live_server.url}/complaints/{c.id}/"
    page.goto(url)
    page.locator(".actions").get_by_role("link", name="二次复核决定", exact=True).click()
    form = page.locator("#action-panel form.action-form")
    expect(form.get_by_role("heading", name="二次复核决定", exact=True)).to_be_visible()
    dept = form.get_by_label("重新处理的责任部门（重新处理时必选）")
    expect(dept).to_have_value("")  # no default
    expect(dept.locator("option", has_text="（按分类建议）")).to_have_text(
        f"{kit.office.name} · 工程部（按分类建议）"
    )
    expect(form).to_contain_text("该投诉没有责任部门")
    form.get_by_label("重新处理", exact=True).check()
    form.get_by_label("复核意见（书面，将告知业主）").fill("按钮反复失灵，重新安排工程部检修。")
    shot(page, "reopen-holder-01-form")

    # without a department: refused in place, the decision typed is kept, nothing changed
    form.get_by_role("button", name="确定").click()
    form = page.locator("#action-panel form.action-form")
    expect(form.get_by_role("alert")).to_contain_text("重新处理须选择责任部门")
    expect(form.get_by_label("复核意见（书面，将告知业主）")).to_have_value(
        "按钮反复失灵，重新安排工程部检修。"
    )
    shot(page, "reopen-holder-02-refused")
    assert Complaint.objects.get(pk=c.pk).state == State.CLOSED

    form.get_by_label("重新处理的责任部门（重新处理时必选）").select_option(
        label=f"{kit.office.name} · 工程部（按分类建议）"
    )
    with page.expect_navigation():
        form.get_by_role("button", name="确定").click()
    expect(page.get_by_role("status").first).to_have_text("已完成：二次复核决定")
    expect(page.locator("body")).to_contain_text("重新处理的责任部门")
    shot(page, "reopen-holder-03-reopened")
    c = Complaint.objects.get(pk=c.pk)
    assert (c.state, c.holder_department_id) == (State.INVESTIGATING, kit.depts["engineering"].id)

    # the engineering supervisor finds it in their work
    sup = page_for(kit.users["eng_supervisor"], land=True)
    expect(sup.locator("body")).to_contain_text(c.receipt_no)
    shot(sup, "reopen-holder-04-supervisor-queue")
