"""The QM information officer's work in Chromium (infoofficer): the online complaints with whom each waits
for, in both languages, on a PC and a phone, without sideways scrolling."""

import pytest

from docket.complaints.models import Channel, Method, State
from docket.complaints.tests.helpers import drive_to

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("viewport", [(1366, 768), (390, 844)], ids=["pc", "phone"])
def test_the_officers_work_names_whom_each_row_waits_for(
    transactional_db, org, page_for, shot, live_server, viewport, language
):
    for n, state in enumerate((State.REGISTERED, State.INVESTIGATING, State.IN_REVIEW)):
        drive_to(org, state, method=Method.ONLINE, channel=Channel.ONLINE, complainant_phone=f"1390000000{n}")
    page = page_for(org.users["qm_info_officer"], viewport)
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page.goto(f"{live_server.url}/complaints/work/")
    notes = page.locator("table.queue td.next .waiting-step")
    assert notes.count() == 3
    texts = notes.all_inner_texts()
    if language == "en":
        assert "Awaiting the office's dispatch (phone the office manager)" in texts
        assert "Awaiting the office's courtesy reply (within 4 hours)" in texts
        assert "Awaiting QM's approval of the reply" in texts
    else:
        assert "待管理处派单（电话通知管理处经理）" in texts and "待品质管理部审批答复" in texts
    shot(page, f"infoofficer-{language}-{viewport[0]}x{viewport[1]}")
    assert page.evaluate("document.scrollingElement.scrollWidth") <= viewport[0]
    inner = page.evaluate(
        "Math.max(0, ...[...document.querySelectorAll('.table-wrap')].map(w => w.scrollWidth - w.clientWidth))"
    )
    assert inner == 0
