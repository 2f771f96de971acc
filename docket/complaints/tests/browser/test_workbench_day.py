"""A working day from the landing page (issue 14), at 1366×768 and 390×844, with the clicks counted.

Each scenario is walked twice: "before" takes the route the first workbench required (land on the list,
open 我的待办, open the complaint, press the action, confirm; intake printed the receipt and the hand-over
was a separate 派单), which still works; "after" takes the route this pass adds (land on 我的待办, press the
step the row names, confirm in the form that opens; 登记并派单 on the intake form). The counts are printed
(`-s` shows them) and asserted, so a change that adds a click fails here. A select counts as one click; on a
phone, opening the folded navigation is a click."""

import re

import pytest
from playwright.sync_api import expect

from docket.complaints.models import Complaint, Method, State
from docket.complaints.tests.helpers import drive_to

pytestmark = pytest.mark.browser

VIEWPORTS = [(1366, 768), (390, 844)]
BEFORE = {"intake-to-hand-over": 6, "supervisor's first action": 4, "QM review": 4}
AFTER = {"intake-to-hand-over": 3, "supervisor's first action": 2, "QM review": 2}


class Clicks:
    def __init__(self):
        self.n = 0

    def click(self, locator):
        locator.click()
        self.n += 1

    def select(self, locator, **kw):
        locator.select_option(**kw)
        self.n += 1


def _nav(page, clicks, name):
    """Follow a top-bar link; on a phone the navigation is behind the menu button first."""
    menu = page.locator("[data-menu]")
    if menu.is_visible():
        clicks.click(menu)
    clicks.click(page.locator("#top-nav").get_by_role("link", name=name, exact=True))


def _fill_intake(page, subject):
    page.get_by_label("联系电话").fill("13912345678")
    page.get_by_label("投诉人姓氏/姓名").fill("李先生")
    page.get_by_label("主题", exact=True).fill(subject)
    page.get_by_label("投诉内容").fill("2号电梯今早停运，老人无法下楼。")


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=["pc", "phone"])
def test_a_day_from_the_landing_page(transactional_db, org, page_for, shot, live_server, viewport):
    kit = org.a
    size = f"{viewport[0]}x{viewport[1]}"
    counts: dict[str, dict[str, int]] = {"before": {}, "after": {}}
    dept_label = f"{kit.office.name} · 工程部"

    # --- intake to hand-over (reception) -------------------------------------------------------------
    rec = page_for(kit.users["reception"], viewport, land=True)
    expect(rec.get_by_role("heading", name="我的待办", exact=True)).to_be_visible()
    shot(rec, f"wb-01-reception-landing-{size}")
    before = Clicks()
    _nav(rec, before, "登记投诉")
    _fill_intake(rec, "电梯停运（旧流程）")
    before.click(rec.get_by_role("button", name="登记并打印回执"))
    rec.wait_for_url(re.compile(r"/complaints/\d+/receipt/$"))
    before.click(rec.get_by_role("link", name="← 返回"))
    before.click(rec.locator(".actions").get_by_role("link", name="派单", exact=True))
    form = rec.locator("#action-panel form.action-form")
    before.select(form.get_by_label("责任部门", exact=True), label=dept_label)
    with rec.expect_navigation():
        before.click(form.get_by_role("button", name="确定"))
    expect(rec.locator("p.meta .state")).to_have_text("已派单")
    counts["before"]["intake-to-hand-over"] = before.n

    after = Clicks()
    rec.goto(f"{live_server.url}/complaints/work/")
    _nav(rec, after, "登记投诉")
    _fill_intake(rec, "电梯停运（登记并派单）")
    after.select(rec.get_by_label("派给部门"), label=dept_label)
    expect(rec.get_by_label("责任人（可选）")).to_contain_text(kit.users["eng_supervisor"].display_name)
    shot(rec, f"wb-02-register-and-hand-over-{size}")
    after.click(rec.get_by_role("button", name="登记并派单"))
    rec.wait_for_url(re.compile(r"/complaints/\d+/$"))
    expect(rec.locator("p.meta .state")).to_have_text("已派单")
    counts["after"]["intake-to-hand-over"] = after.n
    new = Complaint.objects.get(subject="电梯停运（登记并派单）")
    assert new.state == State.ASSIGNED and new.holder_department == kit.depts["engineering"]

    # --- the supervisor's first action: accept --------------------------------------------------------
    old = Complaint.objects.get(subject="电梯停运（旧流程）")
    sup = page_for(kit.users["eng_supervisor"], viewport, land=True)
    row = sup.locator("tr", has_text=new.receipt_no)
    expect(row.locator("a[data-action]")).to_have_text("接单")
    shot(sup, f"wb-03-supervisor-landing-{size}")
    before = Clicks()
    sup.goto(f"{live_server.url}/complaints/")  # the old landing page
    _nav(sup, before, "我的待办")
    before.click(sup.get_by_role("link", name=old.receipt_no))
    before.click(sup.locator(".actions").get_by_role("link", name="接单", exact=True))
    with sup.expect_navigation():
        before.click(sup.locator("#action-panel form.action-form").get_by_role("button", name="确定"))
    expect(sup.locator("p.meta .state")).to_have_text("处理中")
    counts["before"]["supervisor's first action"] = before.n

    after = Clicks()
    sup.goto(f"{live_server.url}/complaints/work/")
    after.click(sup.locator("tr", has_text=new.receipt_no).locator("a[data-action]"))
    form = sup.locator("#action-panel form.action-form")
    expect(form.get_by_role("heading", name="接单")).to_be_visible()
    expect(sup.locator(".actions a.primary")).to_have_text("接单")
    shot(sup, f"wb-04-supervisor-accept-open-{size}")
    with sup.expect_navigation():
        after.click(form.get_by_role("button", name="确定"))
    expect(sup.locator("p.meta .state")).to_have_text("处理中")
    counts["after"]["supervisor's first action"] = after.n
    # the next step is now the findings, the one primary button
    expect(sup.locator(".actions a.primary")).to_have_text("记录调查情况与措施")

    # --- QM review --------------------------------------------------------------------------------------
    first = drive_to(org, State.IN_REVIEW, method=Method.EMAIL, subject="审核（旧流程）")
    second = drive_to(org, State.IN_REVIEW, method=Method.EMAIL, subject="审核（新流程）")
    qm = page_for(org.users["qm"], viewport, land=True)
    before = Clicks()
    qm.goto(f"{live_server.url}/complaints/")
    _nav(qm, before, "我的待办")
    before.click(qm.get_by_role("link", name=first.receipt_no))
    before.click(qm.locator(".actions").get_by_role("link", name="审核通过", exact=True))
    with qm.expect_navigation():
        before.click(qm.locator("#action-panel form.action-form").get_by_role("button", name="确定"))
    expect(qm.locator("p.meta .state")).to_have_text("答复待发送")
    counts["before"]["QM review"] = before.n

    after = Clicks()
    qm.goto(f"{live_server.url}/complaints/work/")
    shot(qm, f"wb-05-qm-landing-{size}")
    after.click(qm.locator("tr", has_text=second.receipt_no).locator("a[data-action]"))
    form = qm.locator("#action-panel form.action-form")
    expect(form.locator(".reviewing")).to_contain_text("您好，感谢您的反映")  # the draft under review
    shot(qm, f"wb-06-qm-review-open-{size}")
    with qm.expect_navigation():
        after.click(form.get_by_role("button", name="确定"))
    expect(qm.locator("p.meta .state")).to_have_text("答复待发送")
    expect(qm.locator(".waiting")).to_contain_text("等待发送")
    counts["after"]["QM review"] = after.n

    # --- search from the top bar ------------------------------------------------------------------------
    qm.locator(".top-search input").fill("5678")
    qm.locator(".top-search button").click()
    expect(qm.locator("table.list")).to_contain_text(new.receipt_no)
    shot(qm, f"wb-07-search-{size}")
    if viewport[0] < 600:  # nothing scrolls sideways on a phone
        width = qm.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport[0], width

    menu_click = 1 if viewport[0] < 600 else 0
    print(f"\nclick counts at {size} (before → after): ", end="")
    print("; ".join(f"{k} {counts['before'][k]} → {counts['after'][k]}" for k in AFTER))
    assert counts["before"] == {
        "intake-to-hand-over": 6 + menu_click,
        **{k: v + menu_click for k, v in BEFORE.items() if k != "intake-to-hand-over"},
    }
    assert counts["after"] == {**AFTER, "intake-to-hand-over": AFTER["intake-to-hand-over"] + menu_click}
