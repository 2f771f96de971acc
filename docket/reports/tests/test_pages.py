"""The statistics pages, the K01-F2 form, the committee's figures and their downloads: figures, scope for
every role of the fixture (nothing outside scope), and no personal data for the owners' committee."""

import csv
import io
import zipfile

import openpyxl
import pytest
from django.urls import reverse

from docket.accounts.models import Role
from docket.complaints.models import Complaint
from docket.complaints.selectors import ListFilters, complaint_list_for
from docket.complaints.tests.helpers import user_for
from docket.reports.tests import dataset
from docket.sla import duetimes

NOV = "from=2026-11-01&to=2026-11-30"


@pytest.fixture
def data(org):
    duetimes.invalidate()
    return dataset.build(org)


# Complaints received in November 2026 each role's statistics count (office A: 5, office B: 1).
EXPECTED_RECEIVED = {
    Role.RECEPTION: 5,
    Role.DEPT_STAFF: 5,
    Role.DEPT_SUPERVISOR: 5,
    Role.DEPT_MANAGER: 5,
    Role.OFFICE_MANAGER: 5,
    Role.QM: 6,
    Role.GENERAL_OFFICE: 6,
    Role.MGMT_REP: 6,
    Role.LEADERSHIP: 6,
    Role.GROUP_PROPERTY: 6,
    Role.COMMITTEE_MEMBER: None,  # not a statistics viewer: sent to the committee's own page
}


def _csv_total(content: bytes) -> dict:
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    header = rows[1]
    total = next(r for r in rows if r and r[0] == "合计")
    return dict(zip(header[1:], total[1:], strict=False))


def _xlsx_text(content: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(content)) as z:
        return "".join(z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xml"))


@pytest.mark.parametrize("role", list(EXPECTED_RECEIVED))
@pytest.mark.parametrize("page", ["statistics", "k01f2"])
def test_statistics_scope_for_every_role(client, org, data, role, page):
    client.force_login(user_for(org, role))
    url = reverse(f"reports:{page}")
    r = client.get(f"{url}?{NOV}")
    expected = EXPECTED_RECEIVED[role]
    if expected is None:
        assert r.status_code == 302 and r["Location"] == reverse("reports:committee_home")
        r = client.get(f"{url}?{NOV}&format=xlsx")
        assert r.status_code == 302 and not r.content
        return
    assert r.status_code == 200
    if page == "statistics":
        total = _csv_total(client.get(f"{url}?{NOV}&format=csv").content)
        assert int(total["受理数"]) == expected
    else:
        book = openpyxl.load_workbook(io.BytesIO(client.get(f"{url}?{NOV}&format=xlsx").content))
        ws = book["K01-F2"]
        first_total = next(row for row in ws.iter_rows(values_only=True) if row[0] == "合计")
        assert first_total[1] == expected
    # Another office or company than the viewer's answers 404, never figures; choosing one's own company
    # narrows nothing beyond the viewer's scope.
    from docket.org.models import Company

    other_company = Company.objects.get(code="co2")
    # (the group's department sees every company of the group)
    assert client.get(f"{url}?{NOV}&company={other_company.id}").status_code == (
        200 if role == Role.GROUP_PROPERTY else 404
    )
    if expected == 5:
        assert client.get(f"{url}?{NOV}&office={org.b.office.id}").status_code == 404
        if page == "statistics":
            own = client.get(f"{reverse('reports:statistics')}?{NOV}&company={org.company.id}&format=csv")
            assert int(_csv_total(own.content)["受理数"]) == 5


def test_other_company_sees_nothing_of_ours(client, org, data):
    client.force_login(org.other_company_qm)
    total = _csv_total(client.get(reverse("reports:statistics") + f"?{NOV}&format=csv").content)
    assert int(total["受理数"]) == 0
    assert client.get(reverse("reports:statistics") + f"?office={org.a.office.id}").status_code == 404


def test_statistics_figures_and_drill_down(client, org, data):
    client.force_login(org.a.users["office_manager"])
    r = client.get(reverse("reports:statistics") + f"?{NOV}&by=category")
    html = r.content.decode()
    assert "设施设备" in html and "地产遗留" in html
    assert 'src="/static/vendor/echarts/echarts.min.js"' in html and "<script>" not in html
    assert "75.0%" in html  # the reply on-time rate of office A (3 of 4)
    cat = org.categories["设施设备"].id
    link = f"/complaints/?received_from=2026-11-01&amp;received_to=2026-11-30&amp;category={cat}&amp;state=closed"
    assert link in html
    # The drill-down list shows exactly the complaints counted (c1, c2 closed in 设施设备).
    f = ListFilters.from_query(
        {"received_from": "2026-11-01", "received_to": "2026-11-30", "category": str(cat), "state": "closed"}
    )
    listed = set(complaint_list_for(org.a.users["office_manager"], f).values_list("id", flat=True))
    assert listed == {data.ids["c1"], data.ids["c2"]}
    page = client.get(link.replace("&amp;", "&")).content.decode()
    assert Complaint.objects.get(pk=data.ids["c1"]).receipt_no in page
    assert Complaint.objects.get(pk=data.ids["c4"]).receipt_no not in page


def test_received_range_filter_bounds_are_beijing_days(org, data):
    qm = org.users["qm"]
    october = ListFilters.from_query({"received_from": "2026-10-01", "received_to": "2026-10-31"})
    assert set(complaint_list_for(qm, october).values_list("id", flat=True)) == {data.ids["c7"]}
    one_day = ListFilters.from_query({"received_from": "2026-11-03", "received_to": "2026-11-03"})
    assert set(complaint_list_for(qm, one_day).values_list("id", flat=True)) == {data.ids["c2"]}
    assert ListFilters.from_query({"received_from": "garbage"}).received_from is None


def test_exports_content(client, org, data):
    client.force_login(org.a.users["office_manager"])
    url = reverse("reports:statistics") + f"?{NOV}&by=subcategory"
    total = _csv_total(client.get(url + "&format=csv").content)
    assert total["受理数"] == "5" and total["已关闭"] == "2" and total["撤回"] == "1"
    assert total["及时率：答复"] == "0.75"
    r = client.get(url + "&format=xlsx")
    assert r["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = openpyxl.load_workbook(io.BytesIO(r.content)).active
    rows = {row[0]: row for row in ws.iter_rows(values_only=True) if row and row[0]}
    assert rows["设施设备 / 电梯"][1] == 4 and rows["地产遗留"][1] == 1


def test_user_text_never_becomes_a_formula(client, org, data):
    from docket.complaints.models import Category

    Category.objects.filter(pk=org.categories["地产遗留"].id).update(name='=HYPERLINK("http://x","y")')
    client.force_login(org.a.users["office_manager"])
    url = reverse("reports:statistics") + f"?{NOV}&by=category"
    body = client.get(url + "&format=csv").content.decode("utf-8-sig")
    assert "'=HYPERLINK" in body
    xml = _xlsx_text(client.get(url + "&format=xlsx").content)
    assert "<f>" not in xml and "HYPERLINK" in xml


PERSONAL = ["王", "13800000001", "1号楼电梯经常故障", "朝阳园前台", "朝阳园工程主管", "品质管理部审核员"]


def _no_personal_data(text: str, org) -> None:
    for needle in PERSONAL + list(Complaint.objects.values_list("receipt_no", flat=True)):
        assert needle not in text, needle


@pytest.mark.parametrize("role", list(EXPECTED_RECEIVED))
def test_committee_page_scope_for_every_role(client, org, data, role):
    user = user_for(org, role)
    client.force_login(user)
    own = reverse("reports:committee", args=[org.a.community.id])
    other = reverse("reports:committee", args=[org.b.community.id])
    # Staff of office A and the company (and group) read A's figures; only company-wide staff read B's.
    company_wide = role in (Role.QM, Role.GENERAL_OFFICE, Role.MGMT_REP, Role.LEADERSHIP, Role.GROUP_PROPERTY)
    assert client.get(f"{own}?{NOV}").status_code == 200
    assert client.get(f"{other}?{NOV}").status_code == (200 if company_wide else 404)
    assert client.get(f"{other}?{NOV}&format=csv").status_code == (200 if company_wide else 404)


def test_committee_figures_without_personal_data(client, org, data):
    client.force_login(org.a.users["committee"])
    r = client.get(reverse("reports:committee_home"))
    assert r.status_code == 302 and r["Location"].endswith(f"/committee/{org.a.community.id}/")
    url = reverse("reports:committee", args=[org.a.community.id]) + f"?{NOV}"
    html = client.get(url).content.decode()
    main = html[html.index("<main") :]
    _no_personal_data(main, org)
    assert "/complaints/?" not in main  # no drill-down to complaint rows
    csv_body = client.get(url + "&format=csv").content.decode("utf-8-sig")
    _no_personal_data(csv_body, org)
    total = _csv_total(csv_body.encode())
    # Office A in November: 5 received, 2 closed, on-time 7 of 8, satisfaction 4, 2 open, 1 hot.
    assert (total["受理数"], total["已关闭"], total["及时率"], total["顾客满意度（1-5）"]) == (
        "5",
        "2",
        "0.9167",  # 11 of 12 deadlines on time (the four first contacts of issue 15 included)
        "4.0",
    )
    assert (total["处理中"], total["热点"], total["重大"]) == ("2", "1", "0")
    assert "设施设备" in csv_body and "2026-11" in csv_body
    xml = _xlsx_text(client.get(url + "&format=xlsx").content)
    _no_personal_data(xml, org)
    # Another community's figures: not found, in every format.
    other = reverse("reports:committee", args=[org.b.community.id])
    for suffix in ("", "&format=csv", "&format=xlsx"):
        assert client.get(f"{other}?{NOV}{suffix}").status_code == 404
    assert client.get(reverse("reports:committee", args=[99999])).status_code == 404


def test_a_change_is_coloured_by_whether_it_is_better(client, org, data):
    """The walk (2026-12-06): every rise read red and every fall green, so a falling on-time rate (▼21.6%)
    looked good and fewer closed complaints too. Each headline figure says which way is better."""
    import re

    from docket.reports.templatetags.report_tags import change

    assert 'class="chg down bad"' in change(-0.216, "up")
    assert 'class="chg down good"' in change(-0.5, "down")
    assert 'class="chg up bad"' in change(2.75, "down")
    assert 'class="chg up"' in change(0.1)  # no direction given: as before
    assert 'class="chg same"' in change(0, "up")
    client.force_login(org.a.users["office_manager"])
    r = client.get(reverse("reports:statistics") + f"?{NOV}&by=category")
    better = {str(k["label"]): k["better"] for k in r.context["summary"]}
    assert better["及时率"] == better["已关闭"] == better["顾客满意度"] == "up"
    assert better["逾期未结"] == better["重开率"] == better["处理时长中位数（工作小时）"] == "down"
    # every arrow on the page is coloured by its figure's direction
    kpis = r.content.decode().split('<section class="kpis"')[1].split("</section>")[0]
    arrows = re.findall(r'class="chg (up|down)([^"]*)"', kpis)
    assert arrows and all(rest in (" good", " bad") for _arrow, rest in arrows), arrows
