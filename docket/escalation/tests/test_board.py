"""The board: every role's access and scope, masking, filters, the Excel file (formula-safe)."""

import io

import pytest
from openpyxl import load_workbook

from docket.accounts.models import Role
from docket.complaints.models import Severity
from docket.complaints.tests.helpers import user_for
from docket.escalation import services as esc

ALLOWED = {
    Role.QM: {"a", "b"},
    Role.QM_INFO_OFFICER: {"a", "b"},
    Role.LEADERSHIP: {"a", "b"},
    Role.MGMT_REP: {"a", "b"},
    Role.GROUP_PROPERTY: {"a", "b"},
    Role.OFFICE_MANAGER: {"a"},
}


@pytest.fixture
def board_data(org, complaint_factory):
    a = complaint_factory(subject="A区业主被拦车", media_exposed=True, complainant_phone="13912345678")
    b = complaint_factory(kit=org.b, subject="B区集体投诉", people_count=3, complainant_phone="13987654321")
    normal = complaint_factory(subject="普通投诉")
    return {"a": a, "b": b, "normal": normal}


@pytest.mark.parametrize("role", list(Role.values))
def test_every_role(client, org, board_data, role):
    user = user_for(org, role)
    client.force_login(user)
    r = client.get("/escalation/board/")
    if role not in ALLOWED:
        assert r.status_code == 403
        assert board_data["a"].receipt_no not in r.content.decode()
        return
    assert r.status_code == 200
    html = r.content.decode()
    for key, c in board_data.items():
        assert (c.receipt_no in html) == (key in ALLOWED[role]), (role, key)
    # people masked for those who do not need them (group, leadership, info officer), full for QM
    full = role in (Role.QM, Role.OFFICE_MANAGER)
    assert ("13912345678" in html) == full
    if not full:
        assert "139****5678" in html


def test_filters_and_rules_shown(client, org, board_data):
    client.force_login(org.users["qm"])
    html = client.get("/escalation/board/?severity=major").content.decode()
    assert board_data["a"].receipt_no in html and board_data["b"].receipt_no not in html
    assert "已被媒体曝光" in html and "报告集团" in html
    html = client.get(f"/escalation/board/?office={org.b.office.id}").content.decode()
    assert board_data["b"].receipt_no in html and board_data["a"].receipt_no not in html
    html = client.get("/escalation/board/?state=ended").content.decode()
    assert board_data["a"].receipt_no not in html
    html = client.get("/escalation/board/?from=2000-01-01&to=2000-01-02").content.decode()
    assert board_data["a"].receipt_no not in html


def test_excel_export_is_formula_safe_and_masked(client, org, complaint_factory):
    c = complaint_factory(subject='=HYPERLINK("http://x")', people_count=3, complainant_phone="13912345678")
    client.force_login(org.users["group_property"])
    r = client.get("/escalation/board/?format=xlsx")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(r.content)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0][0] == "回执编号"
    (row,) = [x for x in rows if x[0] == c.receipt_no]
    assert row[3] == '\'=HYPERLINK("http://x")' and row[2] == "热点"
    assert "13912345678" not in str(rows)


def test_query_count_does_not_grow_with_rows(client, org, complaint_factory, django_assert_max_num_queries):
    for n in range(6):
        complaint_factory(people_count=3, complainant_phone=f"1380000010{n}")
    assert esc.SYSTEM == "escalation"
    client.force_login(org.users["qm"])
    client.get("/escalation/board/")
    with django_assert_max_num_queries(20):
        r = client.get("/escalation/board/")
    assert r.content.decode().count("sev-hot") == 6
    assert Severity.HOT


@pytest.mark.parametrize(
    ("role", "scope", "sees"),
    [
        (Role.QM, "company", {"a", "b"}),
        (Role.LEADERSHIP, "company", {"a", "b"}),
        (Role.MGMT_REP, "company", {"a", "b"}),
        (Role.OFFICE_MANAGER, "a", {"a"}),
        (Role.RECEPTION, "a", None),
        (Role.GENERAL_OFFICE, "company", None),
        (Role.QM, "other", set()),
    ],
)
def test_api_board_per_key(client, org, board_data, role, scope, sees):
    from docket.api.services import api_key_create
    from docket.org.models import Company

    where = {
        "company": {"company": org.company, "office": None},
        "a": {"office": org.a.office, "company": None},
        "other": {"company": Company.objects.get(code="co2"), "office": None},
    }[scope]
    _k, token = api_key_create(actor=None, name="看板", role=role, **where)
    r = client.get("/api/v1/escalation/board", headers={"Authorization": f"Bearer {token}"})
    if sees is None:
        assert r.status_code == 403 and r.json()["code"] == "forbidden_action"
        return
    assert r.status_code == 200, r.content
    got = {row["receipt_no"] for row in r.json()}
    assert got == {board_data[k].receipt_no for k in sees}
    if "a" in sees:
        row = next(x for x in r.json() if x["receipt_no"] == board_data["a"].receipt_no)
        assert row["severity"] == "major" and row["duties"][0]["kind"] == "report_group"
        assert "13912345678" not in r.content.decode()


def test_the_board_in_english_has_english_colons(client, org, board_data):
    """The walk (2026-12-06): "Report to group：Pending" and "Cause analysis：…" in English."""
    client.force_login(org.users["qm"])
    client.cookies["django_language"] = "en"
    html = client.get("/escalation/board/").content.decode()
    assert "Report to group: " in html
    assert "：" not in html.split("<main", 1)[1]
    client.cookies["django_language"] = "zh-hans"
    assert "报告集团：" in client.get("/escalation/board/").content.decode()
