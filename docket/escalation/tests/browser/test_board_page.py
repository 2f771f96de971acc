"""Seed document 2 on the group's board in a real browser, phone (390 px) and PC (1366 px)."""

import pytest

from docket.escalation.tests.seed_doc2 import file_document_2

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("viewport", [(390, 844), (1366, 768)])
def test_document_2_on_the_groups_board(transactional_db, org, page_for, shot, live_server, viewport):
    c = file_document_2(org)
    page = page_for(org.users["group_property"], viewport)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{live_server.url}/escalation/board/")
    row = page.locator("tr.sev-major", has_text=c.receipt_no)
    row.wait_for()
    assert row.get_by_text("重大").first.is_visible()
    assert row.get_by_text("已被媒体曝光").first.is_visible()
    assert row.get_by_text("报告集团").first.is_visible()
    assert "13700000002" not in page.content()  # the group reads people masked
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1, overflow
    shot(page, f"escalation-board-doc2-{viewport[0]}")
    assert not errors, errors
