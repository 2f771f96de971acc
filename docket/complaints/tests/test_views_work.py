"""My work queue: what waits for each role, most urgent first."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from docket.complaints import selectors
from docket.complaints import services as s
from docket.complaints.models import Channel, Method


def _ids(user):
    return [c.id for c in selectors.work_queue_for(user)]


def test_queue_follows_the_complaint_through_roles(org, complaint_factory):
    a, u = org.a, org.users
    c = complaint_factory(method=Method.LETTER)
    issue = c.issues.get()
    assert _ids(a.users["reception"]) == [c.id]
    assert _ids(a.users["eng_supervisor"]) == []
    s.complaint_assign(actor=a.users["reception"], complaint_id=c.id, department_id=a.depts["engineering"].id)
    assert _ids(a.users["reception"]) == []
    assert _ids(a.users["eng_supervisor"]) == [c.id]
    s.complaint_accept(actor=a.users["eng_supervisor"], complaint_id=c.id)
    s.issue_findings_record(
        actor=a.users["eng_staff"], complaint_id=c.id, issue_id=issue.id, findings="f", measures="m"
    )
    s.reply_draft_save(actor=a.users["eng_supervisor"], complaint_id=c.id, body="答复")
    s.reply_submit(actor=a.users["eng_supervisor"], complaint_id=c.id)
    assert _ids(u["qm"]) == [c.id] and _ids(u["general_office"]) == []
    assert _ids(a.users["eng_supervisor"]) == []
    s.reply_review_approve(actor=u["qm"], complaint_id=c.id)
    assert _ids(u["qm"]) == [] and _ids(u["general_office"]) == [c.id]
    s.reply_review_approve(actor=u["general_office"], complaint_id=c.id)
    assert _ids(u["general_office"]) == [] and _ids(a.users["reception"]) == [c.id]


def test_queue_sorted_by_due_and_excludes_other_offices(org, complaint_factory):
    late = complaint_factory(method=Method.LETTER)  # 2 working days
    soon = complaint_factory(method=Method.PHONE)  # same day
    complaint_factory(kit=org.b)
    assert _ids(org.a.users["reception"]) == [soon.id, late.id]


def test_work_page_constant_queries(client, org, complaint_factory):
    for _ in range(3):
        complaint_factory()
    client.force_login(org.a.users["reception"])
    client.get(reverse("complaints:work"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("complaints:work"))
    for _ in range(9):
        complaint_factory()
    with CaptureQueriesContext(connection) as many:
        r = client.get(reverse("complaints:work"))
    assert r.status_code == 200 and "我的待办" in r.content.decode()
    assert len(few.captured_queries) == len(many.captured_queries)


def test_export_matches_the_filtered_list(client, org, complaint_factory):
    import io

    import openpyxl

    a = complaint_factory(subject="电梯困人")
    complaint_factory(subject="绿化修剪")
    complaint_factory(kit=org.b, subject="别的管理处")
    s.complaint_assign(
        actor=org.a.users["reception"], complaint_id=a.id, department_id=org.a.depts["engineering"].id
    )
    client.force_login(org.a.users["reception"])
    r = client.get(reverse("reports:complaints_xlsx"), {"state": "assigned"})
    assert r["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(r.getvalue())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "回执编号"
    assert [row[5] for row in rows[1:]] == ["电梯困人"]
    assert "13800000001" not in repr(rows)  # no personal data in exports


def test_filters_by_department_category_channel_and_method(client, org, complaint_factory):
    """The list and my work narrow by department (lead or any issue's), category (with sub-categories),
    channel and method; a complaint with two matching issues is one row."""
    from docket.complaints.services.intake import IssueInput

    a = org.a
    lift = complaint_factory(subject="电梯投诉")
    other = org.categories["地产遗留"]
    two = complaint_factory(
        subject="两项问题",
        method=Method.VISIT,
        issues=[
            IssueInput(summary="外墙渗水", category_id=other.id),
            IssueInput(summary="地下室渗水", category_id=other.id),
        ],
    )
    s.complaint_assign(
        actor=a.users["reception"], complaint_id=lift.id, department_id=a.depts["engineering"].id
    )

    def listed(**query):
        f = selectors.ListFilters.from_query(query)
        return [c.id for c in selectors.complaint_list_for(a.users["reception"], f)]

    assert listed(department=str(a.depts["engineering"].id)) == [lift.id]
    assert listed(category=str(org.categories["电梯"].id)) == [lift.id]
    assert listed(category=str(org.categories["电梯"].parent_id)) == [
        lift.id
    ]  # the parent covers its children
    assert listed(category=str(other.id)) == [two.id]
    assert listed(method="visit") == [two.id] and listed(method="phone") == [lift.id]
    assert sorted(listed(channel="office")) == sorted([lift.id, two.id]) and listed(channel="online") == []
    assert listed(department="not-a-number") == sorted([lift.id, two.id], reverse=True)

    sup = a.users["eng_supervisor"]
    mine = selectors.work_queue_for(sup, selectors.ListFilters.from_query({"method": "visit"}))
    assert list(mine) == []
    client.force_login(sup)
    html = client.get(reverse("complaints:work"), {"method": "phone"}).content.decode()
    assert "电梯投诉" in html and 'name="department"' in html
    assert "电梯投诉" not in client.get(reverse("complaints:work"), {"method": "visit"}).content.decode()


def test_my_work_exports_to_excel(client, org, complaint_factory):
    import io

    from openpyxl import load_workbook

    complaint_factory(subject="待派单的投诉")
    client.force_login(org.a.users["reception"])
    r = client.get(reverse("reports:complaints_xlsx"), {"work": "1"})
    assert r.status_code == 200
    rows = list(load_workbook(io.BytesIO(r.getvalue())).active.iter_rows(values_only=True))
    assert any("待派单的投诉" in str(cell) for row in rows for cell in row)
    r = client.get(reverse("reports:complaints_xlsx"), {"work": "1", "method": "visit"})
    rows = list(load_workbook(io.BytesIO(r.getvalue())).active.iter_rows(values_only=True))
    assert not any("待派单的投诉" in str(cell) for row in rows for cell in row)


def test_queue_lies_within_what_each_role_sees(org, complaint_factory):
    """work_queue_for is not intersected with complaints_visible_to (that join made the page read a
    department's whole history, bench/README.md): every role's work must lie inside its own scope."""
    from docket.complaints.access import complaints_visible_to
    from docket.complaints.models import ComplaintIssue

    a, b = org.a, org.b
    registered = complaint_factory()
    held = complaint_factory(method=Method.LETTER)
    s.complaint_assign(
        actor=a.users["reception"], complaint_id=held.id, department_id=a.depts["engineering"].id
    )
    s.complaint_accept(actor=a.users["eng_supervisor"], complaint_id=held.id)
    # an open issue owned by another office's department (the bench data has such complaints)
    ComplaintIssue.objects.filter(complaint=held).update(department=b.depts["customer_service"])
    elsewhere = complaint_factory(kit=b)
    # an online complaint of office A, with QM (the QM information officer's work, infoofficer)
    web = complaint_factory(method=Method.ONLINE, channel=Channel.ONLINE, complainant_phone="13900000009")
    s.complaint_assign(
        actor=a.users["reception"], complaint_id=web.id, department_id=a.depts["engineering"].id
    )
    s.complaint_accept(actor=a.users["eng_supervisor"], complaint_id=web.id)
    s.issue_findings_record(
        actor=a.users["eng_supervisor"],
        complaint_id=web.id,
        issue_id=web.issues.get().id,
        findings="f",
        measures="m",
    )
    s.reply_draft_save(actor=a.users["eng_supervisor"], complaint_id=web.id, body="礼节性答复")
    s.reply_submit(actor=a.users["eng_supervisor"], complaint_id=web.id)
    users = [*a.users.values(), *b.users.values(), *org.users.values(), org.other_company_qm]
    for user in users:
        work = set(_ids(user))
        visible = set(complaints_visible_to(user).values_list("id", flat=True))
        assert work <= visible, user.username
        assert set(selectors.unassigned_for(user).values_list("id", flat=True)) <= visible, user.username
    assert _ids(org.users["qm_info_officer"]) == [web.id]
    assert _ids(a.users["reception"]) == [registered.id]
    assert _ids(b.users["reception"]) == [elsewhere.id]
    assert _ids(a.users["eng_supervisor"]) == [held.id]  # the department holds it
    assert _ids(b.users["cs_supervisor"]) == [held.id]  # and owes its open issue
    assert _ids(b.users["sec_supervisor"]) == []
