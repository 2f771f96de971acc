"""Speed of the daily paths (issue 14): the shortcuts give the same answers as the slow paths, and a change
shows at once — the queue's step decided once per kind of row, the user and their roles and the reference
data from generation-stamped caches (docket/core/generations.py)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from docket.accounts.models import Role, RoleAssignment
from docket.accounts.services import role_grant
from docket.complaints import services as s
from docket.complaints.models import Complaint, Method, State
from docket.complaints.next_steps import StepDecider, next_action_for, prefetch_for_steps
from docket.complaints.tests.helpers import drive_to
from docket.core import generations

STATES = [
    (State.REGISTERED, Method.PHONE, {}),
    (State.ASSIGNED, Method.PHONE, {}),
    (State.INVESTIGATING, Method.PHONE, {}),
    (State.INVESTIGATING, Method.EMAIL, {"issues": 2}),
    (State.WITH_DEVELOPER, Method.PHONE, {}),
    (State.IN_REVIEW, Method.EMAIL, {}),
    (State.IN_REVIEW, Method.LETTER, {"review_stage": "general_office"}),
    (State.REPLY_APPROVED, Method.EMAIL, {}),
    (State.REPLIED, Method.PHONE, {}),
    (State.NEGOTIATING, Method.PHONE, {}),
    (State.IMPLEMENTING, Method.PHONE, {}),
    (State.VERIFYING, Method.PHONE, {}),
    (State.VERIFYING, Method.PHONE, {"issues": 2}),
    (State.FOLLOW_UP, Method.PHONE, {}),
    (State.CLOSED, Method.PHONE, {}),
]


def _all_users(org):
    return [*org.users.values(), *org.a.users.values(), *org.b.users.values(), org.other_company_qm]


def _same(a, b):
    if a is None or b is None:
        return a is b
    return (a.action, str(a.label), a.issue_id) == (b.action, str(b.label), b.issue_id)


def test_step_decider_matches_the_per_row_policy(org):
    """Every (user, complaint) pair: the page's decider answers exactly what next_action_for answers per
    row — over states, methods, review stages, two issues, both offices, an escalated and a returned one,
    each complaint twice (so the second answer comes from the decider's memo)."""
    rows = []
    for state, method, extra in STATES:
        rows.append(drive_to(org, state, method=method, **extra))
        if state in (State.ASSIGNED, State.VERIFYING, State.FOLLOW_UP):
            rows.append(drive_to(org, state, method=method, kit=org.b, **extra))
    letter = drive_to(org, State.IN_REVIEW, method=Method.EMAIL)
    s.reply_review_return(actor=org.users["qm"], complaint_id=letter.id, comment="请补充")
    escalated = drive_to(org, State.INVESTIGATING)
    Complaint.objects.filter(pk=escalated.id).update(level="company")
    ids = [c.id for c in rows] + [letter.id, escalated.id]
    for user in _all_users(org):
        page = list(Complaint.objects.filter(pk__in=ids + ids[:5]).order_by("id")) * 2
        prefetch_for_steps(page)
        decide = StepDecider(user)
        for c in page:
            fresh = Complaint.objects.get(pk=c.pk)  # the per-row path, without the page's prefetch
            assert _same(decide(c), next_action_for(user, fresh)), (user.username, c.state, c.method)


def test_renamed_department_and_category_show_at_once(client, org):
    """The filter form's reference data is cached per scope; a rename shows on the next request."""
    user = org.a.users["eng_supervisor"]
    client.force_login(user)
    html = client.get(reverse("complaints:list")).content.decode()
    assert "工程部" in html and "电梯" in html
    dept = org.a.depts["engineering"]
    dept.name = "工程维修部"
    dept.save()
    cat = org.categories["电梯"]
    cat.name = "电梯及扶梯"
    cat.save()
    for path in (reverse("complaints:list"), reverse("complaints:work")):
        html = client.get(path).content.decode()
        assert "工程维修部" in html and "电梯及扶梯" in html, path


def test_the_second_request_reads_no_user_roles_or_reference_data(client, org):
    user = org.a.users["eng_supervisor"]
    client.force_login(user)
    client.get(reverse("complaints:list"))
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("complaints:list")).status_code == 200
    tables = " ".join(q["sql"] for q in ctx.captured_queries)
    for table in ("accounts_user", "accounts_roleassignment", "org_department", "complaints_category"):
        assert f'FROM "{table}"' not in tables, table


def test_role_changes_and_deactivation_apply_at_once(client, org):
    """A role granted or revoked counts on the next request; a deactivated user is signed out."""
    user = org.a.users["eng_staff"]
    client.force_login(user)
    c = drive_to(org, State.REGISTERED)
    assert client.get(reverse("complaints:detail", args=[c.id])).status_code == 404
    role_grant(user=user, role=Role.RECEPTION, scope_obj=org.a.office)
    assert client.get(reverse("complaints:detail", args=[c.id])).status_code == 200
    RoleAssignment.objects.filter(user=user, role=Role.RECEPTION).delete()
    assert client.get(reverse("complaints:detail", args=[c.id])).status_code == 404
    user.is_active = False
    user.save()
    r = client.get(reverse("complaints:work"))
    assert r.status_code == 302 and reverse("login") in r["Location"]


def test_password_change_ends_other_sessions(client, org):
    user = org.a.users["reception"]
    client.force_login(user)
    assert client.get(reverse("complaints:work")).status_code == 200
    user.set_password("another-Password-123")
    user.save()
    assert client.get(reverse("complaints:work")).status_code == 302


@pytest.mark.parametrize("shared", [False, True], ids=["files", "cache"])
def test_stamps_move_on_bump(monkeypatch, db, shared):
    """Stamps in files (a per-process cache) or in the shared cache (Redis; here the test's cache)."""
    monkeypatch.setattr(generations, "_shared", lambda: shared)
    before = generations.stamps(["perf-test"])
    assert generations.stamps(["perf-test"]) == before
    generations.bump("perf-test")
    after = generations.stamps(["perf-test"])
    assert after != before
    loads = []
    assert generations.cached("k", ["perf-test"], lambda: loads.append(1) or 1) == 1
    assert generations.cached("k", ["perf-test"], lambda: loads.append(1) or 2) == 1
    generations.bump("perf-test")
    assert generations.cached("k", ["perf-test"], lambda: loads.append(1) or 3) == 3
    assert len(loads) == 2


def test_complaint_page_fetch_matches_the_joined_fetch(org):
    """pagecpu: the complaint page's compiled query with fewer joins and the org rows from the process's copy
    gives the instance the 14-table fetch gave — same columns, same related rows, none read lazily — and its
    issues and obligations are Django's; an invisible complaint is `not_found`; a renamed department shows."""
    from docket.complaints import access, selectors
    from docket.core.errors import DomainError

    qm = org.users["qm"]
    rows = [drive_to(org, State.INVESTIGATING), drive_to(org, State.CLOSED, issues=2)]
    paths = [p.split("__") for p in selectors.DETAIL_RELATED]
    for c in rows:
        old = access.access_complaint(qm, c.id, related=selectors.DETAIL_RELATED)
        new = selectors.detail_complaint(qm, c.id)
        assert [getattr(new, f.attname) for f in Complaint._meta.concrete_fields] == [
            getattr(old, f.attname) for f in Complaint._meta.concrete_fields
        ]
        with CaptureQueriesContext(connection) as ctx:
            for path in paths:
                a, b = old, new
                for name in path:
                    a, b = getattr(a, name, None), getattr(b, name, None)
                    assert (a and a.pk) == (b and b.pk), (c.id, path)
        assert ctx.captured_queries == []
        issues = list(c.issues.order_by("seq").values_list("id", "department_id"))
        obligations = list(c.obligations.order_by("started_at", "id").values_list("id", flat=True))
        selectors.complaint_detail_for(new)
        with CaptureQueriesContext(connection) as ctx:
            assert [(i.id, i.department_id) for i in new.issues.all()] == issues
            assert [o.id for o in new.obligations.all()] == obligations
            assert all(i.complaint is new for i in new.issues.all())
        assert ctx.captured_queries == []
        assert [e.seq for e in selectors.timeline_rows(new)] == list(
            c.events.order_by("seq").values_list("seq", flat=True)
        )
    with pytest.raises(DomainError):
        selectors.detail_complaint(org.other_company_qm, rows[0].id)
    dept = rows[0].holder_department
    dept.name = "客服中心"
    dept.save()
    assert selectors.detail_complaint(qm, rows[0].id).holder_department.name == "客服中心"


def test_a_request_reads_each_stamp_once(db, monkeypatch):
    """pagecpu: within a request the stamps are read once, the announced ones with the first read; a bump
    in the request forgets what it moved; outside a request every read asks."""
    reads = []
    real = generations._read
    monkeypatch.setattr(generations, "_read", lambda names: reads.append(list(names)) or real(names))

    def view(request):
        generations.expect("inbox-7")
        first = generations.stamps(["org", "user-7"])
        generations.stamps(["inbox-7"])
        assert generations.stamps(["org"]) == first[:1]
        generations.bump("org")
        assert generations.stamps(["org"]) != first[:1]
        return "ok"

    assert generations.RequestStampsMiddleware(view)(None) == "ok"
    assert reads == [["org", "user-7", "inbox-7"], ["org"]]
    generations.stamps(["org"])
    generations.stamps(["org"])
    assert len(reads) == 4
