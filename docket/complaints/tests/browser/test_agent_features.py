"""Agent features in a real browser (issue 14): the notice list and its badge, the complaint page with
the complainant's history and thumbnails, the reply-template picker — at 1366×768 and 390×844."""

import re

import pytest
from playwright.sync_api import expect

from docket.complaints.models import State
from docket.complaints.services import UploadInput, attachment_add
from docket.complaints.tests.helpers import drive_to
from docket.core.testing.images import image_bytes
from docket.notifications import inbox
from docket.replies import services as replies

pytestmark = pytest.mark.browser

VIEWPORTS = {"pc": (1366, 768), "phone": (390, 844)}


HTMX_READY = (
    "() => { const s = document.querySelector('#reply-tpl-select');"
    " return !!(s && s['htmx-internal-data'] && s['htmx-internal-data'].initHash); }"
)


def _pick(page, label: str) -> None:
    """Choose a reply template once htmx has wired the picker (a change before that would be lost)."""
    page.wait_for_function(HTMX_READY, timeout=20000)
    page.select_option("#reply-tpl-select", label=label)


def _until(page, expression: str, tries: int = 50) -> None:
    """Poll a condition (wait_for_function evaluates a string in the page, which the CSP forbids)."""
    for _ in range(tries):
        if page.evaluate(expression):
            return
        page.wait_for_timeout(100)
    raise AssertionError(expression)


@pytest.fixture
def scene(settings, tmp_path, org, complaint_factory):
    settings.MEDIA_ROOT = tmp_path / "media"
    # earlier complaints of the same resident the engineering department handled (so its supervisor sees them)
    for i, subject in enumerate(["楼道灯不亮", "车库渗水", "电梯异响"]):
        drive_to(org, State.ASSIGNED, subject=f"{subject}（第{i + 1}次）")
    c = drive_to(
        org, State.INVESTIGATING, complainant_name="王建国", subject="1号楼电梯经常故障，老人出行困难"
    )
    for name, color in [("电梯门.jpg", (180, 40, 40)), ("轿厢.png", (40, 90, 160))]:
        attachment_add(
            actor=org.a.users["reception"],
            complaint_id=c.id,
            upload=UploadInput(
                name, image_bytes("JPEG" if name.endswith("jpg") else "PNG", size=(800, 600), color=color)
            ),
        )
    qm = org.users["qm"]
    replies.template_save(
        actor=qm,
        company_id=org.company.id,
        category_id=org.categories["电梯"].id,
        title="电梯故障：已安排维保检修",
        body="{称呼}您好：\n您反映的电梯故障问题（回执编号 {回执编号}）已收悉。{管理处}已安排电梯维保单位全面检修，检修期间请走另一部电梯。感谢您的监督。",
    )
    replies.template_save(
        actor=qm, company_id=org.company.id, title="通用：致歉", body="{称呼}您好：给您带来不便，深表歉意。"
    )
    return c


@pytest.mark.parametrize("vp", list(VIEWPORTS))
def test_agent_features(transactional_db, org, scene, page_for, shot, live_server, vp):
    c = scene
    user = org.a.users["eng_supervisor"]
    unread = inbox.unread_count(user)
    assert unread > 0
    page = page_for(user, VIEWPORTS[vp])

    # the notice list, reached from the badge
    page.goto(f"{live_server.url}/notifications/")
    assert page.locator(".nav-notices .badge").inner_text() == str(unread)
    shot(page, f"agent-notifications-{vp}")
    page.locator(".inbox-item.unread .inbox-subject").first.click()
    page.wait_for_url(f"{live_server.url}/complaints/*/")
    assert inbox.unread_count(user) == unread - 1
    page.goto(f"{live_server.url}/complaints/{c.id}/")

    # the complaint page: history and thumbnails
    page.wait_for_selector("text=该投诉人的其他投诉")
    assert page.locator(".history-list li").count() == 3
    thumbs = page.locator(".attachments .thumb img")
    assert thumbs.count() == 2
    _until(
        page,
        "[...document.querySelectorAll('.attachments img')].every(i => i.complete && i.naturalWidth > 0)",
    )
    assert page.evaluate("document.querySelector('.attachments img').naturalWidth") == 240
    shot(page, f"agent-complaint-{vp}")

    # the reply-template picker in the draft form
    page.get_by_role("link", name="保存答复草稿").click()
    page.wait_for_selector("#reply-tpl-select")
    page.locator("#id_body").fill("")
    _pick(page, "电梯故障：已安排维保检修")
    # (generous timeouts: under a parallel run the fill round trip can take seconds)
    expect(page.locator("#id_body")).to_have_value(re.compile(re.escape(c.receipt_no)), timeout=20000)
    body = page.locator("#id_body").input_value()
    assert body.startswith("王建国您好") and "朝阳园管理处已安排" in body and "{" not in body
    # a second template is appended, not replacing. The answer also re-renders the picker (out of band):
    # choose from the new one, reset to its placeholder, not from the one being replaced.
    expect(page.locator("#reply-tpl-select")).to_have_value("", timeout=20000)
    _pick(page, "通用：致歉")
    expect(page.locator("#id_body")).to_have_value(re.compile("深表歉意"), timeout=20000)
    assert c.receipt_no in page.locator("#id_body").input_value()
    page.locator("#reply-tpl-select").scroll_into_view_if_needed()
    shot(page, f"agent-reply-picker-{vp}")


def test_keyboard_shortcuts(transactional_db, org, complaint_factory, page_for, shot, live_server):
    first = complaint_factory(subject="第一件")
    second = complaint_factory(subject="第二件")
    page = page_for(org.a.users["reception"])
    page.goto(f"{live_server.url}/complaints/")  # the list, newest first (sign-in lands on 我的待办)
    rows = page.locator("main table.list tbody tr")
    assert rows.count() == 2
    page.keyboard.press("j")
    expect(rows.nth(0)).to_have_class(re.compile("kb-current"))
    page.keyboard.press("j")
    expect(rows.nth(1)).to_have_class(re.compile("kb-current"))
    page.keyboard.press("k")
    page.keyboard.press("j")
    page.keyboard.press("?")
    expect(page.locator("#kb-help")).to_be_visible()
    shot(page, "agent-shortcuts-help-pc")
    page.get_by_role("button", name="关闭").click()
    expect(page.locator("#kb-help")).to_be_hidden()
    # Enter opens the selected row (the list's order is the list's business: read where the row points)
    href = page.locator("main table.list tbody tr.kb-current a[href]").first.get_attribute("href")
    assert href in (f"/complaints/{first.id}/", f"/complaints/{second.id}/")
    page.locator("main h1").first.click()  # focus on the page itself, not on a control
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}{href}", wait_until="domcontentloaded")
    assert second.id != first.id
    # typing in a field is left alone
    page.goto(f"{live_server.url}/complaints/")
    page.locator("input[name=q]").first.focus()
    page.keyboard.press("j")
    assert page.locator("tr.kb-current").count() == 0
