"""Incidents in a real browser (docket/incidents, issue 12): the front desk declares a water cut for a
building, files a complaint from a room there and sees the hint, links it, posts an update and finds it on
the complaint's timeline; the phone layout of the pages and the owners' public notice. (In this directory
because Playwright allows one running browser per thread and this one is session-scoped.)"""

import pytest

pytestmark = pytest.mark.browser


def _no_overflow(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def _declare(page, base):
    page.goto(f"{base}/incidents/")
    page.get_by_role("link", name="发布突发事件").click()
    page.get_by_label("类别").select_option(label="停水")
    page.get_by_label("标题").fill("1号楼停水")
    page.get_by_label("公告内容（业主可见，勿写个人信息）").fill(
        "因供水管道爆裂抢修，1号楼暂停供水，预计下午恢复。"
    )
    page.get_by_label("1号楼").check()
    page.get_by_role("button", name="发布").click()
    page.wait_for_selector("text=已发布突发事件。")


def _file_with_hint(page, base, shot, name):
    page.goto(f"{base}/complaints/new/")
    page.get_by_label("联系电话").fill("13912345678")
    page.get_by_label("投诉人姓氏/姓名").fill("李先生")
    page.get_by_label("房屋").select_option(label="1号楼1单元101")
    hint = page.locator("#incident-hint")
    hint.get_by_text("该范围内有正在进行的突发事件").wait_for()
    page.get_by_label("主题", exact=True).fill("家里没有水")
    page.get_by_label("投诉内容").fill("早上起床发现家里停水，也没有看到通知。")
    box = hint.get_by_label("关联到此事件：停水：1号楼停水")
    box.check()
    page.wait_for_timeout(600)  # the hint refreshes on change; the tick must survive it
    assert hint.get_by_label("关联到此事件：停水：1号楼停水").is_checked()
    hint.scroll_into_view_if_needed()
    shot(page, name)
    page.get_by_role("button", name="登记并打印回执").click()
    page.wait_for_selector("text=记录回执单")


def test_incident_from_declaration_to_the_complaint_timeline(
    transactional_db, org, page_for, shot, live_server
):
    base = live_server.url
    page = page_for(org.a.users["reception"])
    _declare(page, base)
    shot(page, "incident-01-detail-1366")
    _file_with_hint(page, base, shot, "incident-02-intake-hint-1366")

    page.goto(f"{base}/incidents/")
    page.get_by_role("link", name="停水：1号楼停水").click()
    assert page.get_by_text("家里没有水").is_visible()
    page.get_by_label("进展内容（将通知关联投诉人）").fill("抢修队已到场，预计15点恢复供水。")
    page.get_by_role("button", name="发布进展").click()
    page.wait_for_selector("text=已发布进展：记入 1 件投诉，通知 1 位投诉人。")
    shot(page, "incident-03-update-1366")

    page.get_by_role("link", name="家里没有水").first.click() if page.get_by_role(
        "link", name="家里没有水"
    ).count() else page.locator("section.card ul a").first.click()
    page.wait_for_selector("text=处理记录")
    assert page.get_by_text("关联突发事件").first.is_visible()
    timeline = page.locator("ol.timeline")
    assert timeline.get_by_text("事件进展", exact=True).is_visible()
    assert timeline.get_by_text("抢修队已到场，预计15点恢复供水。").is_visible()
    shot(page, "incident-04-complaint-timeline-1366")


def test_incident_pages_on_a_phone(transactional_db, org, page_for, shot, live_server):
    base = live_server.url
    page = page_for(org.a.users["reception"], viewport=(390, 844))
    _declare(page, base)
    shot(page, "incident-05-detail-phone")
    wide = page.evaluate(
        "[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > window.innerWidth + 1).map(e => e.tagName + '.' + e.className + ':' + (e.textContent || '').slice(0, 30))"
    )
    assert _no_overflow(page), wide
    _file_with_hint(page, base, shot, "incident-06-intake-hint-phone")
    page.goto(f"{base}/incidents/")
    assert _no_overflow(page)
    shot(page, "incident-07-list-phone")
    public = page.context.new_page()  # the owners' notice needs no sign-in
    public.goto(f"{base}/p/o/{org.a.office.code}/incidents/")
    public.get_by_text("1号楼停水").first.wait_for()
    assert public.get_by_text("因供水管道爆裂抢修").is_visible()
    assert "李先生" not in public.content() and "13912345678" not in public.content()
    assert _no_overflow(public)
    shot(public, "incident-08-public-phone")
