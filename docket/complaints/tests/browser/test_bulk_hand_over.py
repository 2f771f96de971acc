"""Bulk hand-over in the browser (issue 14), at 1366×768 and 390×844: tick rows (or the whole page), choose a
department and a person, and read per complaint what was done and what was refused."""

import re

import pytest
from playwright.sync_api import expect

from conftest import make_complaint
from docket.complaints.models import Complaint, State
from docket.complaints.tests.helpers import drive_to

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("viewport", [(1366, 768), (390, 844)], ids=["pc", "phone"])
def test_bulk_hand_over_from_the_queue_and_the_list(
    transactional_db, org, page_for, shot, live_server, viewport
):
    kit = org.a
    size = f"{viewport[0]}x{viewport[1]}"
    first, second = make_complaint(org, subject="批量一"), make_complaint(org, subject="批量二")
    closed = drive_to(org, State.CLOSED)
    page = page_for(kit.users["office_manager"], viewport)

    # the queue's 待派人 view: tick two rows one by one
    page.goto(f"{live_server.url}/complaints/work/?view=unassigned")
    bar = page.locator("#bulk-form")
    # on a phone the fields wait for a ticked row (the queue's rows come first); on a PC they are always there
    if viewport[0] < 600:
        expect(bar.get_by_label("派给部门")).to_be_hidden()
    else:
        expect(bar.get_by_label("派给部门")).to_be_visible()
    for c in (first, second):
        page.get_by_label(f"选择 {c.receipt_no}").check()
    expect(bar.get_by_label("派给部门")).to_be_visible()
    expect(bar.locator("[data-bulk-n]")).to_have_text("2")
    bar.get_by_label("派给部门").select_option(label=f"{kit.office.name} · 工程部")
    expect(bar.get_by_label("责任人（可选）")).to_contain_text(kit.users["eng_supervisor"].display_name)
    bar.get_by_label("责任人（可选）").select_option(value=str(kit.users["eng_supervisor"].id))
    shot(page, f"bulk-01-queue-ticked-{size}")
    if viewport[0] < 600:
        assert page.evaluate("document.scrollingElement.scrollWidth") <= viewport[0]
    bar.get_by_role("button", name="批量派单/转派").click()
    page.wait_for_url(re.compile(r"/complaints/bulk/hand-over/$"))
    expect(page.get_by_role("status")).to_have_text("已完成 2 件，未执行 0 件。")
    shot(page, f"bulk-02-queue-result-{size}")
    for c in (first, second):
        c.refresh_from_db()
        assert c.state == State.ASSIGNED and c.responsible == kit.users["eng_supervisor"]
    page.get_by_role("link", name="← 返回").click()
    page.wait_for_url(re.compile(r"/complaints/work/\?view=unassigned$"))

    # the list: 全选本页 takes the assigned two (转派) and the closed one (refused, left as it was)
    page.goto(f"{live_server.url}/complaints/")
    bar = page.locator("#bulk-form")
    bar.get_by_label("全选本页").check()
    expect(bar.locator("[data-bulk-n]")).to_have_text(str(Complaint.objects.count()))
    bar.get_by_label("派给部门").select_option(label=f"{kit.office.name} · 秩序部")
    bar.get_by_label("转派原因（已派出的投诉转派时必填）").fill("属秩序部职责")
    shot(page, f"bulk-03-list-all-{size}")
    bar.get_by_role("button", name="批量派单/转派").click()
    expect(page.get_by_role("status")).to_have_text("已完成 2 件，未执行 1 件。")
    refused = page.locator("tr.bulk-refused")
    expect(refused).to_have_count(1)
    expect(refused).to_contain_text(closed.receipt_no)
    expect(refused).to_contain_text("不能执行")
    shot(page, f"bulk-04-list-result-{size}")
    closed_after = Complaint.objects.get(pk=closed.id)
    assert closed_after.state == State.CLOSED and closed_after.version == closed.version
    assert set(
        Complaint.objects.filter(state=State.ASSIGNED).values_list("holder_department", flat=True)
    ) == {kit.depts["security"].id}
