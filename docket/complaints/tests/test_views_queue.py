"""The workbench's second pass (issue 14): the queue names the step waiting for me and why; nothing I cannot
act on is in my queue; the complaint page leads with that step."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from docket.complaints import selectors
from docket.complaints import services as s
from docket.complaints.models import Method, State
from docket.complaints.next_steps import next_action_for, prefetch_for_steps, reasons_for
from docket.complaints.tests.helpers import drive_to


def _ids(user, view="mine"):
    return [c.id for c in selectors.queue_view(user, view)]


def _label(user, c):
    step = next_action_for(user, c)
    return None if step is None else str(step.label)


# (state, method, review stage) → {user key: expected label}; users of office A ("qm"… are company users).
CASES = [
    (State.REGISTERED, Method.PHONE, "qm", {"reception": "派单", "eng_supervisor": None, "eng_staff": None}),
    (State.ASSIGNED, Method.PHONE, "qm", {"eng_supervisor": "接单", "eng_staff": None, "reception": None}),
    (State.INVESTIGATING, Method.PHONE, "qm", {"eng_supervisor": "调查", "eng_staff": "调查"}),
    (
        State.WITH_DEVELOPER,
        Method.PHONE,
        "qm",
        {"eng_supervisor": "记录地产答复", "reception": "记录地产答复"},
    ),
    (State.IN_REVIEW, Method.EMAIL, "qm", {"qm": "审核", "general_office": None, "eng_supervisor": None}),
    (State.IN_REVIEW, Method.LETTER, "general_office", {"general_office": "审核", "qm": None}),
    (State.REPLY_APPROVED, Method.EMAIL, "qm", {"reception": "发送", "general_office": None}),
    (State.REPLIED, Method.PHONE, "qm", {"reception": "记录顾客意见", "eng_staff": None}),
    (State.NEGOTIATING, Method.PHONE, "qm", {"eng_supervisor": "协商", "eng_staff": None}),
    (State.IMPLEMENTING, Method.PHONE, "qm", {"eng_supervisor": "落实措施", "eng_staff": "落实措施"}),
    (
        State.VERIFYING,
        Method.PHONE,
        "qm",
        {"office_manager": "验证", "eng_supervisor": "验证", "eng_staff": None},
    ),
    (
        State.FOLLOW_UP,
        Method.PHONE,
        "qm",
        {"reception": "回访", "eng_supervisor": None, "office_manager": "回访"},
    ),
    (State.CLOSED, Method.PHONE, "qm", {"reception": None, "qm": None}),
]


def _user(org, key):
    return org.users[key] if key in org.users else org.a.users[key]


@pytest.mark.parametrize("state,method,stage,expected", CASES, ids=[f"{c[0]}-{c[1]}-{c[2]}" for c in CASES])
def test_next_action_labels(org, state, method, stage, expected):
    c = drive_to(org, state, method=method, review_stage=stage)
    for key, label in expected.items():
        assert _label(_user(org, key), c) == label, key


def test_drafting_steps_follow_the_reply(org):
    """Investigating with every issue investigated: draft, then submit (a written complaint) or send (an
    oral one); a returned draft says 修改答复 and carries the reason 退回修改."""
    sup, qm = org.a.users["eng_supervisor"], org.users["qm"]
    letter = drive_to(org, State.IN_REVIEW, method=Method.EMAIL)
    s.reply_review_return(actor=qm, complaint_id=letter.id, comment="请补充维修时间")
    letter.refresh_from_db()
    assert letter.state == State.INVESTIGATING
    assert _label(sup, letter) == "修改答复"
    assert [code for code, _ in reasons_for(letter)] == ["returned"]
    s.reply_draft_save(actor=sup, complaint_id=letter.id, body="已补充维修时间")
    # the draft is saved but still the returned row: it must be submitted again
    phone = drive_to(org, State.INVESTIGATING)
    for issue in phone.issues.all():
        s.issue_findings_record(
            actor=sup, complaint_id=phone.id, issue_id=issue.id, findings="f", measures="m"
        )
    assert _label(sup, phone) == "起草答复"
    assert _label(org.a.users["eng_staff"], phone) is None  # staff do not draft replies
    s.reply_draft_save(actor=sup, complaint_id=phone.id, body="答复")
    assert _label(sup, phone) == "发送答复"  # oral: no review


def test_nothing_in_a_queue_waits_for_someone_else(org):
    """Every item of every handling role's queue has a step for that user (the watch lists of leadership,
    the management representative and the group are their boards, not steps)."""
    complaints = [drive_to(org, st) for st in (State.REGISTERED, State.ASSIGNED, State.INVESTIGATING)]
    complaints += [drive_to(org, st) for st in (State.REPLIED, State.NEGOTIATING, State.IMPLEMENTING)]
    complaints += [drive_to(org, st) for st in (State.VERIFYING, State.FOLLOW_UP, State.WITH_DEVELOPER)]
    complaints += [drive_to(org, State.IN_REVIEW, method=Method.LETTER)]
    complaints += [drive_to(org, State.IN_REVIEW, method=Method.LETTER, review_stage="general_office")]
    complaints += [drive_to(org, State.REPLY_APPROVED, method=Method.EMAIL)]
    handling = ["reception", "eng_staff", "eng_supervisor", "eng_manager", "office_manager", "cs_supervisor"]
    users = [org.a.users[k] for k in handling] + [org.users["qm"], org.users["general_office"]]
    seen = 0
    for user in users:
        rows = list(selectors.queue_view(user, "mine"))
        prefetch_for_steps(rows)
        for c in rows:
            assert next_action_for(user, c) is not None, (user.username, c.state)
            seen += 1
    assert seen >= len(complaints)  # every complaint is somebody's


def test_supervisor_queue_leaves_out_what_waits_for_others(org):
    sup = org.a.users["eng_supervisor"]
    follow_up = drive_to(org, State.FOLLOW_UP)
    replied = drive_to(org, State.REPLIED)
    review = drive_to(org, State.IN_REVIEW, method=Method.EMAIL)
    verifying = drive_to(org, State.VERIFYING)
    assigned = drive_to(org, State.ASSIGNED)
    mine = _ids(sup)
    assert set(mine) == {verifying.id, assigned.id}
    assert follow_up.id in _ids(org.a.users["reception"]) and replied.id in _ids(org.a.users["reception"])
    assert review.id in _ids(org.users["qm"])


def test_staff_queue_is_only_their_own(org):
    a = org.a
    staff, sup = a.users["eng_staff"], a.users["eng_supervisor"]
    dept = drive_to(org, State.INVESTIGATING)  # the department's, nobody's in particular
    mine = drive_to(org, State.REGISTERED)
    s.complaint_assign(
        actor=a.users["reception"],
        complaint_id=mine.id,
        department_id=a.depts["engineering"].id,
        responsible_id=staff.id,
    )
    s.complaint_accept(actor=sup, complaint_id=mine.id)
    assert _ids(staff) == [mine.id]
    assert set(_ids(sup)) == {dept.id, mine.id}
    # once the staff member has recorded the findings there is nothing left for them until the measures
    issue = mine.issues.get()
    s.issue_findings_record(actor=staff, complaint_id=mine.id, issue_id=issue.id, findings="f", measures="m")
    assert _ids(staff) == []


def test_tabs_unassigned_returned_and_chased(org):
    a, qm = org.a, org.users["qm"]
    sup, rec = a.users["eng_supervisor"], a.users["reception"]
    registered = drive_to(org, State.REGISTERED)
    back = drive_to(org, State.IN_REVIEW, method=Method.EMAIL)
    s.reply_review_return(actor=qm, complaint_id=back.id, comment="请补充")
    chased = drive_to(org, State.ASSIGNED)
    s.chase_record(actor=rec, complaint_id=chased.id, text="业主来电催办")
    assert _ids(sup, "returned") == [back.id]
    assert _ids(sup, "chased") == [chased.id]
    assert _ids(sup, "unassigned") == [chased.id]  # held by the department, no person named
    assert _ids(rec, "unassigned") == [registered.id]
    counts = selectors.queue_counts(sup)
    assert counts == {"mine": 2, "unassigned": 1, "overdue": 0, "returned": 1, "chased": 1}
    assert selectors.queue_counts(org.b.users["reception"])["mine"] == 0  # another office sees none
    # the chase is kept on the complaint (the tab reads the covering index, not the events) ...
    chased.refresh_from_db()
    assert chased.chased_at is not None
    # ... and the returned draft leaves 退回修改 once it goes back to review
    s.reply_submit(actor=sup, complaint_id=back.id)
    assert _ids(sup, "returned") == []
    assert selectors.queue_counts(sup)["returned"] == 0


def test_work_page_rows_name_the_step_with_constant_queries(client, org):
    sup = org.a.users["eng_supervisor"]
    drive_to(org, State.ASSIGNED)
    drive_to(org, State.VERIFYING)
    client.force_login(sup)
    client.get(reverse("complaints:work"))
    with CaptureQueriesContext(connection) as few:
        r = client.get(reverse("complaints:work"))
    html = r.content.decode()
    assert "接单" in html and "验证" in html and 'data-view="unassigned"' in html
    for st in (State.ASSIGNED, State.INVESTIGATING, State.IMPLEMENTING, State.NEGOTIATING, State.VERIFYING):
        drive_to(org, st)
    c = drive_to(org, State.ASSIGNED)
    s.chase_record(actor=org.a.users["reception"], complaint_id=c.id, text="催办")
    with CaptureQueriesContext(connection) as many:
        r = client.get(reverse("complaints:work"))
    html = r.content.decode()
    assert "顾客催办" in html and "调查" in html and "落实措施" in html
    # the notices the new complaints sent the supervisor recount the top bar's badge once (pagecpu: its
    # count is kept until a notice changes); the rows themselves cost no query more, but for the one statement
    # of unanswered forwards a page with rows investigating, negotiating or implementing reads (docs/decisions.md
    # "offers8")
    badge, forwards = 'FROM "notifications_notification"', 'FROM "complaints_developerforward"'
    assert not [q for q in few.captured_queries if forwards in q["sql"]]
    assert len([q for q in many.captured_queries if forwards in q["sql"]]) == 1
    assert len(few.captured_queries) + 1 == len([q for q in many.captured_queries if badge not in q["sql"]])


def test_landing_page_is_my_work(client, org):
    client.force_login(org.a.users["reception"])
    r = client.get("/")
    assert r.status_code == 302 and r["Location"] == reverse("complaints:work")


def test_detail_leads_with_the_next_step_and_opens_it(client, org):
    c = drive_to(org, State.ASSIGNED)
    client.force_login(org.a.users["eng_supervisor"])
    html = client.get(reverse("complaints:detail", args=[c.id])).content.decode()
    assert f'class="btn primary" href="/complaints/{c.id}/act/accept/"' in html
    assert html.count("btn primary") == 1
    html = client.get(reverse("complaints:detail", args=[c.id]), {"do": "accept"}).content.decode()
    assert f'action="/complaints/{c.id}/act/accept/"' in html  # the form is open at once
    # an action the user may not take is not opened
    html = client.get(reverse("complaints:detail", args=[c.id]), {"do": "assign"}).content.decode()
    assert "/act/assign/" not in html


def test_review_panel_shows_the_draft_and_the_page_says_who_is_next(client, org):
    c = drive_to(org, State.IN_REVIEW, method=Method.LETTER)
    qm = org.users["qm"]
    client.force_login(qm)
    html = client.get(reverse("complaints:action", args=[c.id, "reply_review_approve"])).content.decode()
    assert "您好，感谢您的反映，经现场查看" in html and "第 1 次答复" in html
    s.reply_review_approve(actor=qm, complaint_id=c.id)
    html = client.get(reverse("complaints:detail", args=[c.id])).content.decode()
    assert "答复现等待办公室审核" in html
    draft = drive_to(org, State.INVESTIGATING, method=Method.EMAIL)
    s.reply_draft_save(actor=org.a.users["eng_supervisor"], complaint_id=draft.id, body="答复")
    client.force_login(org.a.users["eng_supervisor"])
    html = client.get(reverse("complaints:detail", args=[draft.id])).content.decode()
    assert "无需审核" not in html and "提交后须经审核：品质管理部" in html


def test_chased_at_backfill_takes_the_last_chase(org):
    """Migration 0027 fills `chased_at` from the record: the time of each complaint's last chase."""
    import importlib

    from docket.complaints.models import Complaint, ComplaintEvent

    migration = importlib.import_module("docket.complaints.migrations.0027_queuecpu_chased_at").Migration
    backfill = next(op for op in migration.operations if hasattr(op, "sql"))
    chased, quiet = drive_to(org, State.ASSIGNED), drive_to(org, State.ASSIGNED)
    s.chase_record(actor=org.a.users["reception"], complaint_id=chased.id, text="催办")
    last = ComplaintEvent.objects.filter(complaint=chased, kind="complainant_chased").get().at
    Complaint.objects.filter(pk__in=[chased.pk, quiet.pk]).update(chased_at=None)
    with connection.cursor() as cur:
        cur.execute(backfill.sql)
    assert Complaint.objects.get(pk=chased.pk).chased_at == last
    assert Complaint.objects.get(pk=quiet.pk).chased_at is None
