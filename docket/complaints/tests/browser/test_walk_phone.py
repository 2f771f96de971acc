"""What the walk of 2026-12-06 (every demo role, phone and PC, both languages) found on a phone, kept fixed:
the complaint page's deadlines and claims tables. Screenshots in test-artifacts/walk-*.png."""

import pytest

from docket.complaints import services as s
from docket.complaints.models import State
from docket.complaints.tests import helpers as h

pytestmark = pytest.mark.browser

PHONE = (390, 844)


def _lines(page, selector):
    """How many lines each matching element's text takes (its height over its line height)."""
    return page.evaluate(
        """(sel) => [...document.querySelectorAll(sel)].map(el => {
             const r = document.createRange(); r.selectNodeContents(el);
             const lh = parseFloat(getComputedStyle(el).lineHeight);
             return Math.round(r.getBoundingClientRect().height / lh);
           })""",
        selector,
    )


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_deadlines_and_claims_fit_a_phone(transactional_db, org, page_for, shot, live_server, language):
    """At 390 px the escalated claim's four columns pushed the English page to 511 px (the `table-scroll`
    wrapper had no style) and every due time broke as "2026-" / "11-18" / "17:30"."""
    c = h.drive_to(org, State.INVESTIGATING)
    qm = org.users["qm"]
    claim = s.compensation_claim_record(
        actor=qm,
        complaint_id=c.id,
        amount="1100",
        description="瓷砖坠落砸坏车辆前挡风玻璃的维修费用，业主提供维修报价单（1100元）。",
        involves_construction_or_sales=True,
    )
    s.compensation_escalate(
        actor=qm,
        complaint_id=c.id,
        claim_id=claim.id,
        note="涉及工程质量问题，上报地产客户关系中心按保修程序处理。",
        to_developer=True,
    )
    page = page_for(org.users["qm"], PHONE)
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page.goto(f"{live_server.url}/complaints/{c.id}/")
    page.locator("#claims").scroll_into_view_if_needed()
    shot(page, f"walk-deadlines-claims-{language}-390")
    assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE[0]
    due_cells = _lines(page, "table.deadlines td:nth-child(2)")
    assert due_cells and set(due_cells) == {1}, due_cells
    # the claim reads as a card: each column under its name, nothing cut at the card's edge
    card = page.locator("#claims")
    assert card.evaluate("el => el.scrollWidth <= el.clientWidth")
    assert page.locator("#claims td[data-label]").count() == 3


def test_more_filters_fit_a_phone_in_english(transactional_db, org, page_for, shot, live_server):
    """Opened, the filters' 方式 select took its longest English option's width and the page 394 px."""
    page = page_for(org.a.users["reception"], PHONE, land=True)
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    for path in ("/complaints/work/", "/complaints/"):
        page.goto(f"{live_server.url}{path}")
        page.locator("details.more-filters summary").click()
        assert page.get_by_label("Method").is_visible()
        shot(page, f"walk-more-filters-en-390-{path.count('/')}")
        assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE[0], path


def test_the_complaint_pages_links_wrap_whole(transactional_db, org, page_for, shot, live_server):
    """At 390 px the QM's row of links broke 归档文件包 after its first character."""
    c = h.drive_to(org, State.CLOSED)
    page = page_for(org.users["qm"], PHONE)
    page.goto(f"{live_server.url}/complaints/{c.id}/")
    links = page.locator("p.page-links a")
    assert links.count() >= 5  # back, receipt, record form, the archive's PDF and bundle, the case library
    shot(page, "walk-page-links-390")
    # every link on one line: its text makes one box
    assert links.evaluate_all("as => as.map(a => a.getClientRects().length)") == [1] * links.count()


def test_the_top_bar_search_in_english_on_a_phone(transactional_db, org, page_for, shot, live_server):
    """The search box's English hint was cut ("Number, subject, last 4 phone digits,") and the results'
    heading read "Search：电梯"."""
    page = page_for(org.a.users["reception"], PHONE, land=True)
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page.goto(f"{live_server.url}/complaints/search/?q=电梯")
    assert page.locator("h1").inner_text() == "Search: 电梯"
    box = page.locator(".top-search input[name=q]")
    room, hint = box.evaluate(
        """el => {
             const cs = getComputedStyle(el);
             const ctx = document.createElement('canvas').getContext('2d');
             ctx.font = cs.font;
             const inner = el.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
             return [inner, ctx.measureText(el.placeholder).width];
           }"""
    )
    shot(page, "walk-search-en-390")
    assert hint <= room, (hint, room)
