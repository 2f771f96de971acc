"""Accessibility in the browser (issue 14): the skip link is the first stop of the keyboard and moves to the
main content; an action panel opened on the complaint page takes the focus; a field with an error is
announced as invalid and described by its error."""

import re

import pytest
from playwright.sync_api import expect

from docket.complaints.models import State
from docket.complaints.tests.helpers import drive_to

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("viewport", [(1366, 768), (390, 844)], ids=["pc", "phone"])
def test_skip_link_focus_into_panel_and_described_errors(
    transactional_db, org, page_for, shot, live_server, viewport
):
    size = f"{viewport[0]}x{viewport[1]}"
    c = drive_to(org, State.ASSIGNED)
    page = page_for(org.a.users["eng_supervisor"], viewport)

    # the skip link: first Tab stop, visible when focused, takes the focus to <main>
    page.keyboard.press("Tab")
    skip = page.locator("a.skip-link")
    expect(skip).to_be_focused()
    expect(skip).to_have_text("跳到主要内容")
    expect(skip).to_be_in_viewport()
    shot(page, f"a11y-01-skip-link-{size}")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"

    # an action panel opened by its button takes the focus
    page.goto(f"{live_server.url}/complaints/{c.id}/")
    page.locator(".actions").get_by_role("link", name="转派", exact=True).click()
    form = page.locator("#action-panel form.action-form")
    expect(form.get_by_role("heading", name="转派")).to_be_visible()
    page.wait_for_function("document.querySelector('#action-panel').contains(document.activeElement)")
    assert page.evaluate("document.activeElement.closest('#action-panel') !== null")

    # submitting it with a blank reason (spaces pass the browser's own check, not ours): the field is
    # aria-invalid and described by its error
    form.get_by_label("责任部门", exact=True).select_option(label=f"{org.a.office.name} · 秩序部")
    form.get_by_label("转派原因").fill("   ")
    with page.expect_response(re.compile(r"/act/transfer/")):
        form.get_by_role("button", name="确定").click()
    reason = page.locator("#action-panel").get_by_label("转派原因")
    expect(reason).to_have_attribute("aria-invalid", "true")
    described = reason.get_attribute("aria-describedby")
    assert described and "id_reason_error" in described.split()
    expect(page.locator("#id_reason_error")).to_contain_text("必填")
    expect(page.locator("#action-panel").get_by_label("责任部门", exact=True)).not_to_have_attribute(
        "aria-invalid", "true"
    )
    shot(page, f"a11y-02-panel-errors-{size}")
