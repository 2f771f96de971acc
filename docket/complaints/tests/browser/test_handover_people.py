"""派单 to the company's 品质管理部 in a real browser, at 1366×768 and 390×844 (docs/decisions.md "handoverpeople",
"people8"): the department list leaves out 办公室 and 公司管理层 (nobody there could accept at office level);
choosing 品质管理部 fills the responsible list with whom the service accepts there (QM — not the management
representative or leadership, who could not accept), the front desk names QM, and QM finds 接单 in 我的待办 and
accepts."""

import re

import pytest
from playwright.sync_api import expect

from conftest import make_complaint
from docket.complaints.models import Complaint, State

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("viewport", [(1366, 768), (390, 844)], ids=["pc", "phone"])
def test_hand_over_to_qm_names_qm_who_then_accepts(
    transactional_db, org, page_for, shot, live_server, viewport
):
    size = f"{viewport[0]}x{viewport[1]}"
    qm = org.users["qm"]
    c = make_complaint(org, subject="交品质管理部处理")
    url = f"{live_server.url}/complaints/{c.id}/"

    desk = page_for(org.a.users["reception"], viewport)
    desk.goto(url)
    desk.locator(".actions").get_by_role("link", name="派单", exact=True).click()
    form = desk.locator("#action-panel form.action-form")
    # a department chosen before htmx has wired the select (just after the panel is swapped in) fetches no
    # people; a person could not be that quick (as test_agent_features waits for its picker)
    desk.wait_for_function(
        "() => { const s = document.querySelector('#action-panel #id_department_id');"
        " return !!(s && s['htmx-internal-data'] && s['htmx-internal-data'].initHash); }",
        timeout=20000,
    )
    people = form.get_by_label("责任人（可选）")
    expect(people).to_contain_text("先选择部门")
    departments = form.get_by_label("责任部门", exact=True)
    expect(departments).to_contain_text("品质管理部")
    for name in ("办公室", "公司管理层"):
        expect(departments).not_to_contain_text(name)
    departments.select_option(label=f"{org.company.name} · 品质管理部")
    expect(people).to_contain_text(f"{qm.display_name}（品质管理部）")
    for who in ("mgmt_rep", "leadership", "general_office"):
        expect(people).not_to_contain_text(org.users[who].display_name)
    people.select_option(value=str(qm.id))
    shot(desk, f"handover-people-01-assign-{size}")
    if viewport[0] < 600:
        assert desk.evaluate("document.scrollingElement.scrollWidth") <= viewport[0]
    with desk.expect_navigation():
        form.get_by_role("button", name="确定").click()
    expect(desk.get_by_role("status").first).to_have_text("已完成：派单")
    c = Complaint.objects.get(pk=c.id)
    assert (c.state, c.holder_department_id, c.responsible_id) == (
        State.ASSIGNED,
        org.company_depts["qm"].id,
        qm.id,
    )

    qm_page = page_for(qm, viewport, land=True)
    _accept_from_queue(qm_page, c, viewport, shot, f"handover-people-02-qm-queue-{size}")
    qm_page.wait_for_url(re.compile(rf"/complaints/{c.id}/"))
    c = Complaint.objects.get(pk=c.id)
    assert (c.state, c.holder_id) == (State.INVESTIGATING, qm.id)


@pytest.mark.parametrize("viewport", [(1366, 768), (390, 844)], ids=["pc", "phone"])
def test_the_staff_member_named_accepts_from_their_own_queue(
    transactional_db, org, page_for, shot, live_server, viewport
):
    """A department's staff member named 责任人 at 派单 (the designated post of seed 5.2.2.4) lands on 我的待办,
    finds 接单 on the complaint's row and takes it (docs/decisions.md "namedaccept")."""
    from docket.complaints import services as s

    size = f"{viewport[0]}x{viewport[1]}"
    staff = org.a.users["eng_staff"]
    c = make_complaint(org, subject="3号楼地库照明损坏")
    s.complaint_assign(
        actor=org.a.users["reception"],
        complaint_id=c.id,
        department_id=org.a.depts["engineering"].id,
        responsible_id=staff.id,
    )
    page = page_for(staff, viewport, land=True)
    _accept_from_queue(page, c, viewport, shot, f"handover-people-03-named-staff-queue-{size}")
    shot(page, f"handover-people-04-named-staff-accepted-{size}")
    c = Complaint.objects.get(pk=c.id)
    assert (c.state, c.holder_id, c.responsible_id) == (State.INVESTIGATING, staff.id, staff.id)


def _accept_from_queue(page, c, viewport, shot, name: str) -> None:
    """On 我的待办: the complaint's row offers 接单 (screenshot `name`; nothing wider than a phone's screen);
    its panel opens and 确定 accepts."""
    row_link = page.locator(f'a[href="/complaints/{c.id}/?do=accept"]')
    expect(row_link).to_be_visible()
    expect(row_link).to_have_text("接单")
    if viewport[0] < 600:
        assert page.evaluate("document.scrollingElement.scrollWidth") <= viewport[0]
    shot(page, name)
    row_link.click()
    form = page.locator("#action-panel form.action-form")
    expect(form.get_by_role("heading", name="接单", exact=True)).to_be_visible()
    with page.expect_navigation():
        form.get_by_role("button", name="确定").click()
    expect(page.get_by_role("status").first).to_have_text("已完成：接单")
