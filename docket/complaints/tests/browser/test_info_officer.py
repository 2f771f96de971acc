"""The QM information officer's work in Chromium (infoofficer, officer8): the online complaints with whom each
waits for, and the officer's call to the office recorded from its row, in both languages, on a PC and a phone,
without sideways scrolling."""

import pytest
from playwright.sync_api import expect

from docket.complaints.models import Channel, Complaint, Method, State
from docket.complaints.tests.helpers import drive_to

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("viewport", [(1366, 768), (390, 844)], ids=["pc", "phone"])
def test_the_officers_work_names_whom_each_row_waits_for(
    transactional_db, org, page_for, shot, live_server, viewport, language
):
    """The registered row asks for the officer's call to the office (officer8): the officer records it from the
    row's button and the row then names whom it waits for, as the others do."""
    rows = [
        drive_to(org, state, method=Method.ONLINE, channel=Channel.ONLINE, complainant_phone=f"1390000000{n}")
        for n, state in enumerate((State.REGISTERED, State.INVESTIGATING, State.IN_REVIEW))
    ]
    en = language == "en"
    page = page_for(org.users["qm_info_officer"], viewport)
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page.goto(f"{live_server.url}/complaints/work/")
    notes = page.locator("table.queue td.next .waiting-step")
    assert notes.count() == 2
    call = page.locator(f'a[href="/complaints/{rows[0].id}/?do=office_call_record"]')
    expect(call).to_have_text("Phone the office" if en else "电话通知管理处")
    shot(page, f"infoofficer-{language}-{viewport[0]}x{viewport[1]}")
    _no_sideways_scrolling(page, viewport)

    call.click()
    form = page.locator("#action-panel form.action-form")
    expect(
        form.get_by_role("heading", name="Record the call to the office" if en else "记录电话通知管理处")
    ).to_be_visible()
    manager = org.a.users["office_manager"]
    expect(form.locator("select[name=callee_id]")).to_have_value(str(manager.id))  # the manager first
    form.locator("textarea[name=note]").fill("经理已知悉，马上安排")
    shot(page, f"infoofficer-call-{language}-{viewport[0]}x{viewport[1]}")
    _no_sideways_scrolling(page, viewport)
    with page.expect_navigation():
        form.get_by_role("button", name="OK" if en else "确定").click()
    assert Complaint.objects.get(pk=rows[0].id).office_called_at is not None
    expect(page.locator(".timeline")).to_contain_text("Office phoned" if en else "已电话通知管理处")

    page.goto(f"{live_server.url}/complaints/work/")
    notes = page.locator("table.queue td.next .waiting-step")
    assert notes.count() == 3
    texts = notes.all_inner_texts()
    if en:
        assert "Awaiting the office's dispatch" in texts
        assert "Awaiting the office's courtesy reply (within 4 hours)" in texts
        assert "Awaiting QM's approval of the reply" in texts
    else:
        assert "待管理处派单" in texts and "待品质管理部审批答复" in texts
    _no_sideways_scrolling(page, viewport)


def _no_sideways_scrolling(page, viewport) -> None:
    assert page.evaluate("document.scrollingElement.scrollWidth") <= viewport[0]
    inner = page.evaluate(
        "Math.max(0, ...[...document.querySelectorAll('.table-wrap')].map(w => w.scrollWidth - w.clientWidth))"
    )
    assert inner == 0
