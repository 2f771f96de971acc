"""The statistics page and the committee's page in a real browser, on a phone (390 px) and a PC
(1366 px): charts drawn from our own static ECharts, tables readable, nothing wider than the screen."""

import pytest

from docket.reports import figures
from docket.reports.tests import dataset
from docket.sla import duetimes

pytestmark = pytest.mark.browser

NOV = "from=2026-11-01&to=2026-11-30"


def _fits(page) -> None:
    """The page itself never scrolls sideways (wide tables scroll inside their own box)."""
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1, overflow


@pytest.mark.parametrize("viewport", [(390, 844), (1366, 768)])
def test_statistics_and_committee_pages(transactional_db, org, page_for, shot, live_server, viewport):
    duetimes.invalidate()
    dataset.build(org)
    figures.refresh()  # the pages read the daily summary
    w = viewport[0]
    page = page_for(org.users["qm"], viewport)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{live_server.url}/reports/statistics/?{NOV}")
    page.wait_for_selector(".chart svg")
    # The company's page: the breakdown and the 12-month trend, each drawn beside its table.
    assert page.locator(".chart svg").count() == 2
    assert page.get_by_role("row", name="设施设备").first.is_visible()
    _fits(page)
    shot(page, f"reports-statistics-{w}")

    office = page_for(org.a.users["office_manager"], viewport)
    office.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    office.goto(f"{live_server.url}/reports/statistics/?{NOV}&by=department")
    office.wait_for_selector(".chart svg")
    # One office's page adds its buildings' heat map, repeat complainants and same-issue groups.
    assert office.locator(".chart svg").count() == 3
    assert office.get_by_text("重复投诉人").is_visible()
    assert office.get_by_role("row", name="朝阳园 1号楼").first.is_visible()
    _fits(office)
    shot(office, f"reports-statistics-office-{w}")

    # By complainant type (seed3): the breakdown's rows are the types, "未填写" for complaints not asked.
    page.goto(f"{live_server.url}/reports/statistics/?{NOV}&by=complainant")
    page.wait_for_selector(".chart svg")
    assert page.get_by_role("row", name="未填写").first.is_visible()
    # on a phone the table's rows are cards: each figure carries its column's name
    assert page.locator('table.stats td[data-label="受理数"]').first.is_visible()
    _fits(page)
    shot(page, f"reports-statistics-complainant-{w}")

    page.goto(f"{live_server.url}/reports/k01f2/?{NOV}")
    page.wait_for_selector("text=顾客投诉分类及统计分析")
    shot(page, f"reports-k01f2-{w}")

    committee = page_for(org.a.users["committee"], viewport)
    committee.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    committee.goto(f"{live_server.url}/reports/committee/?{NOV}")
    committee.wait_for_selector(".chart svg")
    assert committee.get_by_text("朝阳园 投诉情况").is_visible()
    assert "13800000001" not in committee.content()
    _fits(committee)
    shot(committee, f"reports-committee-{w}")
    assert not errors, errors


def test_the_charts_legend_follows_the_language(transactional_db, org, page_for, shot, live_server):
    """The walk (2026-12-06): in English the legend still read 受理 / 已关闭 / 处理中 (charts.js's own names)."""
    duetimes.invalidate()
    dataset.build(org)
    figures.refresh()
    page = page_for(org.users["qm"], (1366, 768))
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page.goto(f"{live_server.url}/reports/statistics/?{NOV}")
    page.wait_for_selector(".chart svg")
    legend = page.locator(".chart svg").first.inner_html()
    shot(page, "reports-statistics-en-1366")
    assert "Received" in legend and "Closed" in legend and "In progress" in legend
    assert "受理" not in legend and "处理中" not in legend
    # the periods' dates never break inside ("2026-11-" / "01" on a phone)
    phone = page_for(org.users["qm"], (390, 844))
    phone.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    phone.goto(f"{live_server.url}/reports/statistics/?{NOV}")
    dates = phone.locator("p.period .nowrap")
    assert dates.count() == 6
    assert dates.evaluate_all("ds => ds.map(d => d.getClientRects().length)") == [1] * 6
