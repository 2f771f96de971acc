"""Failure paths of the services: each refusal has its code, and after it the record is exactly as before
(no new rows, no new events, version unchanged) (R-INT-4, R-HDL-2/3/7/11, R-HDL-12, R-EXP-8)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from docket.accounts.models import Role
from docket.complaints import services as s
from docket.complaints.models import (
    Category,
    Channel,
    ClaimState,
    CompensationClaim,
    Complaint,
    ComplaintIssue,
    Exemption,
    Kind,
    Method,
    Reply,
    ReplyState,
    Severity,
    State,
)
from docket.complaints.services import ComplaintInput, CoSignerInput, IssueInput, UploadInput
from docket.core import clock
from docket.core.errors import DomainError
from docket.org.models import Company, ExternalParty, Group

from . import helpers as h

world, world_data = h.world, h.world_data


def _valid(world, action: str):
    """The action's valid situation (helpers.VALID), prepared, and its usual actor."""
    state, method, variant = h.VALID[action]
    x = h.prepare(action, world.ctx(state, method, variant))
    return x, h.user_for(world.org, h.ACTOR[action])


# --- required text ---------------------------------------------------------------------------------------

REQUIRED = [
    ("close_on_spot", "note"),
    ("transfer", "reason"),
    ("refuse", "reason"),
    ("issue_findings_record", "findings"),
    ("issue_findings_record", "measures"),
    ("forward_to_developer", "reason"),
    ("developer_answer_record", "answer"),
    ("explanation_record", "explanation"),
    ("reply_draft_save", "body"),
    ("reply_review_return", "comment"),
    ("complainant_disagree", "reason"),
    ("negotiation_round_record", "summary"),
    ("measures_done", "note"),
    ("issue_verify", "note"),
    ("escalate_to_qm", "reason"),
    ("close_unclosed", "analysis"),
    ("close_unclosed", "mitigation"),
    ("withdraw", "reason"),
    ("ncr_issue", "nonconformity"),
    ("ncr_issue", "cause"),
    ("ncr_issue", "corrective_action"),
    ("compensation_claim_record", "description"),
    ("compensation_decide", "note"),
    ("compensation_escalate", "note"),
    ("note_add", "text"),
    ("acknowledge_send", "text"),
    ("clock_pause", "reason"),
    ("forwarder_reply_record", "text"),
    ("severity_raise", "reason"),
    ("group_report_record", "content"),
    ("group_report_record", "cause"),
    ("group_report_record", "handling"),
]


@pytest.mark.parametrize("blank", ["", "  \n\t "])
@pytest.mark.parametrize(("action", "field"), REQUIRED, ids=[f"{a}.{f}" for a, f in REQUIRED])
def test_required_text_missing(world, action, field, blank):
    x, actor = _valid(world, action)
    version = Complaint.objects.get(pk=x.complaint_id).version
    err = h.refused("required", x.complaint_id, lambda: h.invoke(action, actor, x, **{field: blank}))
    assert err.params.get("field")
    # the same call with the text filled in goes through: the blank field was the only problem
    h.invoke(action, actor, x)
    assert Complaint.objects.get(pk=x.complaint_id).version == version + 1


def test_follow_up_needs_a_satisfaction_score(world):
    x, actor = _valid(world, "follow_up_record")
    h.refused("required", x.complaint_id, lambda: h.invoke("follow_up_record", actor, x, satisfaction=None))


# --- bad values --------------------------------------------------------------------------------------------

BAD_VALUES: list[tuple[str, dict[str, Any]]] = [
    ("follow_up_record", {"method": "sms"}),
    ("follow_up_record", {"method": ""}),
    ("follow_up_record", {"satisfaction": 0}),
    ("follow_up_record", {"satisfaction": 6}),
    ("follow_up_record", {"satisfaction": "5"}),
    ("follow_up_record", {"satisfaction": 4.5}),
    ("follow_up_record", {"quality_score": 0}),
    ("follow_up_record", {"quality_score": 9}),
    ("follow_up_exempt", {"exemption": Exemption.ON_THE_SPOT}),
    ("follow_up_exempt", {"exemption": "bored"}),
    ("compensation_claim_record", {"amount": "0"}),
    ("compensation_claim_record", {"amount": "-50"}),
    ("compensation_claim_record", {"amount": "三百"}),
    ("compensation_claim_record", {"amount": None}),
    ("compensation_claim_record", {"amount": "NaN"}),
    ("compensation_claim_record", {"amount": "1e10"}),
    ("compensation_decide", {"approved_amount": "300.01"}),  # more than claimed
    ("compensation_decide", {"approved_amount": "0"}),
    ("compensation_decide", {"approved_amount": "abc"}),
    ("clock_pause", {"resume_on": clock.now() - timedelta(hours=1)}),
    ("severity_raise", {"severity": Severity.NORMAL}),
    ("severity_raise", {"severity": "urgent"}),
]


# Ids by position and field (not by value: a time value differs between collections, which parallel
# runs compare).
@pytest.mark.parametrize(
    ("action", "overrides"),
    BAD_VALUES,
    ids=[f"{a}-{i}-{'-'.join(o)}" for i, (a, o) in enumerate(BAD_VALUES)],
)
def test_bad_values_are_refused(world, action, overrides):
    x, actor = _valid(world, action)
    h.refused("validation", x.complaint_id, lambda: h.invoke(action, actor, x, **overrides))


def test_forward_only_to_the_groups_developer_centre(world):
    org = world.org
    x, actor = _valid(world, "forward_to_developer")
    government = ExternalParty.objects.create(
        group=org.group, kind=ExternalParty.Kind.HOTLINE, name="12345热线"
    )
    other_group = Group.objects.create(name="别的集团", code="g2")
    foreign = ExternalParty.objects.create(
        group=other_group, kind=ExternalParty.Kind.DEVELOPER, name="别的地产"
    )
    for party in (government, foreign):
        h.refused(
            "validation",
            x.complaint_id,
            lambda p=party: h.invoke("forward_to_developer", actor, x, party_id=p.id),
        )


def test_assign_to_a_department_of_another_office(world):
    org = world.org
    x, actor = _valid(world, "assign")
    h.refused(
        "department_mismatch",
        x.complaint_id,
        lambda: h.invoke("assign", actor, x, department_id=org.b.depts["engineering"].id),
    )
    h.refused(
        "department_mismatch",
        x.complaint_id,
        lambda: h.invoke("assign", actor, x, issue_departments={x.issue_id: org.b.depts["security"].id}),
    )
    h.refused(
        "department_mismatch", x.complaint_id, lambda: h.invoke("assign", actor, x, department_id=10**6)
    )


def test_assign_issue_mapping_must_name_this_complaints_issues(world):
    x, actor = _valid(world, "assign")
    other_issue = world.complaint(State.ASSIGNED).issues.get()
    h.refused(
        "not_found",
        x.complaint_id,
        lambda: h.invoke(
            "assign", actor, x, issue_departments={other_issue.id: world.org.a.depts["security"].id}
        ),
    )


def test_responsible_person_must_belong_to_the_department(world):
    org = world.org
    x, actor = _valid(world, "assign")
    h.refused(
        "responsible_not_in_department",
        x.complaint_id,
        lambda: h.invoke("assign", actor, x, responsible_id=org.a.users["sec_supervisor"].id),
    )
    x2, actor2 = _valid(world, "transfer")
    h.refused(
        "responsible_not_in_department",
        x2.complaint_id,
        lambda: h.invoke("transfer", actor2, x2, responsible_id=org.a.users["eng_supervisor"].id),
    )
    # control: someone who is in it
    h.invoke("assign", actor, x, responsible_id=org.a.users["eng_supervisor"].id)
    assert Complaint.objects.get(pk=x.complaint_id).responsible_id == org.a.users["eng_supervisor"].id


def test_transfer_to_the_same_or_a_foreign_department(world):
    org = world.org
    x, actor = _valid(world, "transfer")
    h.refused(
        "same_department",
        x.complaint_id,
        lambda: h.invoke("transfer", actor, x, department_id=org.a.depts["engineering"].id),
    )
    h.refused(
        "department_mismatch",
        x.complaint_id,
        lambda: h.invoke("transfer", actor, x, department_id=org.b.depts["security"].id),
    )


def test_issue_of_another_complaint_is_not_found(world):
    x, actor = _valid(world, "issue_findings_record")
    foreign = world.complaint(State.NEGOTIATING).issues.get()
    h.refused(
        "not_found", x.complaint_id, lambda: h.invoke("issue_findings_record", actor, x, issue_id=foreign.id)
    )
    x2, actor2 = _valid(world, "issue_verify")
    h.refused("not_found", x2.complaint_id, lambda: h.invoke("issue_verify", actor2, x2, issue_id=foreign.id))


# --- deadlines and severity --------------------------------------------------------------------------------


def test_pause_twice_and_resume_without_pause(world):
    x = world.ctx(State.NEGOTIATING)
    rec = world.org.a.users["reception"]
    h.refused("not_paused", x.complaint_id, lambda: h.invoke("clock_resume", rec, x))
    h.invoke("clock_pause", rec, x)
    h.refused("already_paused", x.complaint_id, lambda: h.invoke("clock_pause", rec, x))
    h.invoke("clock_resume", rec, x)
    assert Complaint.objects.get(pk=x.complaint_id).paused_at is None


def test_severity_is_never_lowered_or_raised_to_itself(world):
    x = world.ctx(State.INVESTIGATING)
    om = world.org.a.users["office_manager"]
    h.invoke("severity_raise", om, x, severity=Severity.HOT)
    h.refused(
        "severity_not_higher",
        x.complaint_id,
        lambda: h.invoke("severity_raise", om, x, severity=Severity.HOT),
    )
    h.invoke("severity_raise", om, x, severity=Severity.MAJOR)
    h.refused(
        "severity_not_higher",
        x.complaint_id,
        lambda: h.invoke("severity_raise", om, x, severity=Severity.HOT),
    )
    assert Complaint.objects.get(pk=x.complaint_id).severity == Severity.MAJOR


def test_forwarder_reply_only_when_one_is_due(world):
    om = world.org.a.users["office_manager"]
    not_forwarded = world.ctx(State.INVESTIGATING)
    h.refused(
        "nothing_due",
        not_forwarded.complaint_id,
        lambda: h.invoke("forwarder_reply_record", om, not_forwarded),
    )
    forwarded = world.ctx(State.INVESTIGATING, Method.GOVERNMENT_FORWARD)
    h.invoke("forwarder_reply_record", om, forwarded)
    h.refused(
        "nothing_due", forwarded.complaint_id, lambda: h.invoke("forwarder_reply_record", om, forwarded)
    )


# --- optimistic concurrency ------------------------------------------------------------------------------


@pytest.mark.parametrize("delta", [-1, 1])
@pytest.mark.parametrize("action", list(h.SERVICE))
def test_stale_expected_version_is_a_conflict(world, action, delta):
    x, actor = _valid(world, action)
    version = Complaint.objects.get(pk=x.complaint_id).version
    h.refused(
        "conflict", x.complaint_id, lambda: h.invoke(action, actor, x, expected_version=version + delta)
    )
    h.invoke(action, actor, x, expected_version=version)  # the current version goes through
    assert Complaint.objects.get(pk=x.complaint_id).version == version + 1


# --- replies: findings first, the review route, the right reviewer ---------------------------------------


def _two_issues(world, method, state=State.INVESTIGATING):
    """A two-issue complaint in `state`; only issue 1 has findings; a draft reply is saved."""
    org = world.org
    c = h.make_complaint(
        org, method=method, issues=[IssueInput(summary="电梯故障"), IssueInput(summary="门禁损坏")]
    )
    u = org.a.users
    s.complaint_assign(actor=u["reception"], complaint_id=c.id, department_id=org.a.depts["engineering"].id)
    s.complaint_accept(actor=u["eng_supervisor"], complaint_id=c.id)
    i1 = c.issues.get(seq=1)
    s.issue_findings_record(
        actor=u["eng_supervisor"], complaint_id=c.id, issue_id=i1.id, findings="查明", measures="维修"
    )
    s.reply_draft_save(actor=u["eng_supervisor"], complaint_id=c.id, body="答复")
    return c


def test_submit_before_every_issue_has_findings(world):
    c = _two_issues(world, Method.EMAIL)
    sup = world.org.a.users["eng_supervisor"]
    err = h.refused("issues_incomplete", c.id, lambda: s.reply_submit(actor=sup, complaint_id=c.id))
    assert "问题2" in err.message and "问题1" not in err.message
    assert Reply.objects.get(complaint=c).state == ReplyState.DRAFT


def test_send_before_every_issue_has_findings(world):
    c = _two_issues(world, Method.PHONE)
    h.refused(
        "issues_incomplete",
        c.id,
        lambda: s.reply_send(actor=world.org.a.users["reception"], complaint_id=c.id),
    )


@pytest.mark.parametrize("method", [Method.EMAIL, Method.ONLINE, Method.LETTER, Method.FAX])
def test_reviewed_routes_cannot_be_sent_without_review(world, method):
    c = h.drive_to(world.org, State.INVESTIGATING, method=method)
    x = h.prepare("reply_send", h.ctx_for(world.org, c))
    h.refused("review_required", c.id, lambda: h.invoke("reply_send", world.org.a.users["reception"], x))


def test_reviewed_route_needs_review_again_in_negotiation(world):
    x = h.prepare("reply_send", world.ctx(State.NEGOTIATING, Method.EMAIL))
    h.refused(
        "review_required", x.complaint_id, lambda: h.invoke("reply_send", world.org.a.users["reception"], x)
    )


@pytest.mark.parametrize("method", [Method.PHONE, Method.VISIT])
def test_oral_replies_are_not_submitted_for_review(world, method):
    c = h.drive_to(world.org, State.INVESTIGATING, method=method)
    x = h.prepare("reply_submit", h.ctx_for(world.org, c))
    h.refused(
        "review_not_required", c.id, lambda: h.invoke("reply_submit", world.org.a.users["eng_supervisor"], x)
    )


def test_no_draft_to_submit_or_send(world):
    sup = world.org.a.users["eng_supervisor"]
    email = world.complaint(State.INVESTIGATING, Method.EMAIL)  # findings recorded, no draft yet
    h.refused("no_draft", email.id, lambda: s.reply_submit(actor=sup, complaint_id=email.id))
    phone = world.complaint(State.INVESTIGATING)
    h.refused("no_draft", phone.id, lambda: s.reply_send(actor=sup, complaint_id=phone.id))
    negotiating = world.complaint(State.NEGOTIATING, Method.EMAIL)  # the last reply went out already
    h.refused("no_draft", negotiating.id, lambda: s.reply_submit(actor=sup, complaint_id=negotiating.id))


@pytest.mark.parametrize(
    ("method", "variant", "wrong"),
    [
        (Method.EMAIL, "", "general_office"),
        (Method.LETTER, "", "general_office"),
        (Method.LETTER, "go", "qm"),
    ],
)
def test_reviewer_of_the_wrong_stage(world, method, variant, wrong):
    c = world.complaint(State.IN_REVIEW, method, variant)
    reviewer = world.org.users[wrong]
    h.refused("forbidden_action", c.id, lambda: s.reply_review_approve(actor=reviewer, complaint_id=c.id))
    h.refused(
        "forbidden_action",
        c.id,
        lambda: s.reply_review_return(actor=reviewer, complaint_id=c.id, comment="格式不对"),
    )


# --- compensation (R-HDL-7) ---------------------------------------------------------------------------------


def _claim(world, amount, *, construction=False):
    x = world.ctx(State.INVESTIGATING)
    x.claim_id = s.compensation_claim_record(
        actor=world.org.users["qm"],
        complaint_id=x.complaint_id,
        amount=amount,
        description="索赔",
        involves_construction_or_sales=construction,
    ).id
    return x


@pytest.mark.parametrize(
    ("role", "amount"),
    [
        (Role.DEPT_MANAGER, "500.01"),
        (Role.OFFICE_MANAGER, "2000.01"),
        (Role.QM, "5000.01"),
        (Role.LEADERSHIP, "50000.01"),
    ],
)
def test_over_the_deciders_limit(world, role, amount):
    x = _claim(world, amount)
    user = h.user_for(world.org, role)
    err = h.refused("over_limit", x.complaint_id, lambda: h.invoke("compensation_decide", user, x))
    assert CompensationClaim.objects.get(pk=x.claim_id).state == ClaimState.PENDING
    assert Decimal(str(err.params["amount"])) == Decimal(amount)


@pytest.mark.parametrize(
    ("role", "amount"),
    [
        (Role.DEPT_MANAGER, "500"),
        (Role.OFFICE_MANAGER, "2000"),
        (Role.QM, "5000"),
        (Role.LEADERSHIP, "50000"),
    ],
)
def test_up_to_the_limit_is_approved(world, role, amount):
    x = _claim(world, amount)
    h.invoke("compensation_decide", h.user_for(world.org, role), x)
    claim = CompensationClaim.objects.get(pk=x.claim_id)
    assert claim.state == ClaimState.APPROVED and claim.approved_amount == Decimal(amount)


def test_partial_approval_within_the_limit_and_rejection_above_it(world):
    dm = world.org.a.users["eng_manager"]  # limit 500
    x = _claim(world, "800")
    h.refused("over_limit", x.complaint_id, lambda: h.invoke("compensation_decide", dm, x))
    h.invoke("compensation_decide", dm, x, approved_amount="450")
    assert CompensationClaim.objects.get(pk=x.claim_id).approved_amount == Decimal("450")
    y = _claim(world, "9000")
    h.invoke("compensation_decide", dm, y, approve=False, note="诉求不合理")  # rejecting needs no limit
    assert CompensationClaim.objects.get(pk=y.claim_id).state == ClaimState.REJECTED


def test_no_limit_means_no_approval(world):
    org = world.org
    x = _claim(world, "1")
    dm = h.make_user("dm_without_limit", [(Role.DEPT_MANAGER, org.a.depts["engineering"], None)])
    h.refused("over_limit", x.complaint_id, lambda: h.invoke("compensation_decide", dm, x))


def test_decided_claim_cannot_be_decided_again(world):
    x = _claim(world, "100")
    om = world.org.a.users["office_manager"]
    h.invoke("compensation_decide", om, x)
    h.refused(
        "claim_not_pending", x.complaint_id, lambda: h.invoke("compensation_decide", om, x, approve=False)
    )
    h.refused("claim_not_pending", x.complaint_id, lambda: h.invoke("compensation_escalate", om, x))


def test_claim_of_another_complaint_is_not_found(world):
    other = _claim(world, "100")
    x = world.ctx(State.REPLIED)
    x.claim_id = other.claim_id
    h.refused("not_found", x.complaint_id, lambda: h.invoke("compensation_decide", world.org.users["qm"], x))


@pytest.mark.parametrize("role", [Role.DEPT_MANAGER, Role.OFFICE_MANAGER, Role.QM, Role.LEADERSHIP])
def test_construction_or_sales_claims_cannot_be_approved(world, role):
    x = _claim(world, "100", construction=True)
    user = h.user_for(world.org, role)
    h.refused("validation", x.complaint_id, lambda: h.invoke("compensation_decide", user, x))
    # they go to the developer's centre instead
    h.invoke("compensation_escalate", user, x, to_developer=True)
    assert CompensationClaim.objects.get(pk=x.claim_id).state == ClaimState.ESCALATED


def test_limit_is_the_highest_of_the_users_deciding_roles(world):
    """A department manager (limit 500) who is also the office manager (limit 2000) may approve 1000."""
    org = world.org
    both = h.make_user(
        "dm_and_om",
        [
            (Role.DEPT_MANAGER, org.a.depts["engineering"], Decimal("500")),
            (Role.OFFICE_MANAGER, org.a.office, Decimal("2000")),
        ],
    )
    x = _claim(world, "1000")
    h.invoke("compensation_decide", both, x)
    assert CompensationClaim.objects.get(pk=x.claim_id).state == ClaimState.APPROVED


# --- follow-up exemptions (R-HDL-11) ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("exemption", "note"),
    [
        (Exemption.ANONYMOUS, "匿名"),
        (Exemption.SENSITIVE, "敏感"),
        (Exemption.UNREACHABLE, ""),
        (Exemption.UNREACHABLE, "   "),
    ],
)
def test_exemption_must_fit_the_facts(world, exemption, note):
    x, actor = _valid(world, "follow_up_exempt")
    h.refused(
        "exemption_invalid",
        x.complaint_id,
        lambda: h.invoke("follow_up_exempt", actor, x, exemption=exemption, note=note),
    )


@pytest.mark.parametrize(
    ("exemption", "facts"),
    [
        (Exemption.ANONYMOUS, {"anonymous": True, "complainant_name": "", "complainant_phone": ""}),
        (Exemption.SENSITIVE, {"sensitive": True}),
    ],
)
def test_exemption_that_fits_closes_the_complaint(world, exemption, facts):
    # The facts exempt the complaint by themselves once verification passes (seed 5.2.5.1, issue 15).
    c = h.drive_to(world.org, State.VERIFYING, **facts)
    issue = c.issues.get()
    s.issue_verify(
        actor=world.org.a.users["office_manager"],
        complaint_id=c.id,
        issue_id=issue.id,
        passed=True,
        note="合格",
    )
    c = Complaint.objects.get(pk=c.id)
    assert c.state == State.CLOSED and c.follow_up.exemption == exemption and c.follow_up.automatic


# --- attachments --------------------------------------------------------------------------------------------

BAD_FILES = [
    ("attachment_type", UploadInput(name="setup.exe", content=b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64)),
    ("attachment_type", UploadInput(name="photo.jpg", content="这其实是一段文字".encode())),
    ("attachment_type", UploadInput(name="pic.png", content=b"<svg xmlns='http://www.w3.org/2000/svg'/>")),
    ("attachment_type", UploadInput(name="page.pdf", content=b"<html><script>alert(1)</script></html>")),
    ("attachment_empty", UploadInput(name="empty.jpg", content=b"")),
]


@pytest.mark.parametrize(("code", "upload"), BAD_FILES, ids=[u.name for _, u in BAD_FILES])
def test_bad_attachment_is_refused(world, code, upload):
    x, actor = _valid(world, "attachment_add")
    h.refused(code, x.complaint_id, lambda: h.invoke("attachment_add", actor, x, upload=upload))


def test_attachment_size_limit(world, settings):
    # A real PNG (attachments are decoded, so a signature followed by zeros is refused as broken) of
    # exactly the limit, and the same with one byte more.
    limit = len(h.PNG)
    settings.DOCKET_ATTACHMENT_MAX_BYTES = limit
    x, actor = _valid(world, "attachment_add")
    too_big = UploadInput(name="big.png", content=h.PNG + b"\x00")
    assert len(too_big.content) == limit + 1
    h.refused("attachment_size", x.complaint_id, lambda: h.invoke("attachment_add", actor, x, upload=too_big))
    just_fits = UploadInput(name="ok.png", content=h.PNG)
    att = h.invoke("attachment_add", actor, x, upload=just_fits)
    assert att.size == limit and att.content_type == "image/png"


def test_good_attachment_types_are_accepted(world):
    x, actor = _valid(world, "attachment_add")
    for upload, content_type in (
        (UploadInput("现场.jpg", h.JPEG), "image/jpeg"),
        (UploadInput("扫描件.pdf", b"%PDF-1.7\n" + b"0" * 20), "application/pdf"),
    ):
        assert h.invoke("attachment_add", actor, x, upload=upload).content_type == content_type


def test_attachment_for_an_issue_of_another_complaint(world):
    x, actor = _valid(world, "attachment_add")
    foreign = world.complaint(State.REPLIED).issues.get()
    h.refused("not_found", x.complaint_id, lambda: h.invoke("attachment_add", actor, x, issue_id=foreign.id))


# --- intake (R-INT-4, R-EXP-8) ---------------------------------------------------------------------------


def _input(org, **kw) -> ComplaintInput:
    data = dict(
        office_id=org.a.office.id,
        channel=Channel.OFFICE,
        method=Method.PHONE,
        subject="路灯不亮",
        description="2号楼前路灯连续三晚不亮。",
        complainant_name="张",
        complainant_phone="13700000003",
        room_id=org.a.room.id,
    )
    data.update(kw)
    return ComplaintInput(**data)


def _other_company_category(org):
    other = Company.objects.get(code="co2")
    return Category.objects.create(company=other, name="收费")


INTAKE_FAILURES = [
    ("no_name", "required", lambda o: {"complainant_name": ""}),
    ("no_phone", "required", lambda o: {"complainant_phone": "  "}),
    ("nobody", "required", lambda o: {"complainant_name": "", "complainant_phone": ""}),
    ("phone_letters", "validation", lambda o: {"complainant_phone": "138abc00001"}),
    ("phone_short", "validation", lambda o: {"complainant_phone": "1234"}),
    ("no_subject", "required", lambda o: {"subject": "   "}),
    ("no_description", "required", lambda o: {"description": ""}),
    ("long_subject", "validation", lambda o: {"subject": "长" * 201}),
    ("bad_kind", "validation", lambda o: {"kind": "praise"}),
    ("bad_channel", "validation", lambda o: {"channel": "wechat_group"}),
    ("bad_method", "validation", lambda o: {"method": "pigeon"}),
    ("no_people", "validation", lambda o: {"people_count": 0}),
    (
        "more_cosigners_than_people",
        "validation",
        lambda o: {"people_count": 2, "cosigners": [CoSignerInput("甲"), CoSignerInput("乙")]},
    ),
    ("blank_issue", "required", lambda o: {"issues": [IssueInput(summary="漏水"), IssueInput(summary=" ")]}),
    ("room_of_another_community", "validation", lambda o: {"room_id": o.b.room.id}),
    (
        "category_of_another_company",
        "validation",
        lambda o: {"issues": [IssueInput(summary="收费不合理", category_id=_other_company_category(o).id)]},
    ),
    (
        "government_forward_without_reference",
        "required",
        lambda o: {
            "method": Method.GOVERNMENT_FORWARD,
            "channel": Channel.GOVERNMENT,
            "forwarded_by_id": ExternalParty.objects.create(group=o.group, kind="hotline", name="12345").id,
        },
    ),
    (
        "government_forward_blank_reference",
        "required",
        lambda o: {
            "method": Method.GOVERNMENT_FORWARD,
            "channel": Channel.GOVERNMENT,
            "forwarder_ref": "   ",
            "forwarded_by_id": ExternalParty.objects.create(group=o.group, kind="hotline", name="12345").id,
        },
    ),
    (
        "government_forward_without_forwarder",
        "required",
        lambda o: {
            "method": Method.GOVERNMENT_FORWARD,
            "channel": Channel.GOVERNMENT,
            "forwarder_ref": "GD-1",
        },
    ),
    (
        "developer_forward_without_reference",
        "required",
        lambda o: {
            "method": Method.DEVELOPER_FORWARD,
            "channel": Channel.DEVELOPER,
            "forwarded_by_id": o.developer.id,
        },
    ),
    (
        "forwarder_of_another_group",
        "validation",
        lambda o: {
            "method": Method.GOVERNMENT_FORWARD,
            "channel": Channel.GOVERNMENT,
            "forwarder_ref": "GD-1",
            "forwarded_by_id": ExternalParty.objects.create(
                group=Group.objects.create(name="外集团", code="g3"), kind="hotline", name="外地12345"
            ).id,
        },
    ),
    (
        "executable_attachment",
        "attachment_type",
        lambda o: {"attachments": [UploadInput("现场.jpg", h.JPEG), UploadInput("a.exe", b"MZ\x90\x00")]},
    ),
    ("empty_attachment", "attachment_empty", lambda o: {"attachments": [UploadInput("a.png", b"")]}),
    ("missing_office", "not_found", lambda o: {"office_id": 10**6}),
]


@pytest.mark.parametrize(("name", "code", "overrides"), INTAKE_FAILURES, ids=[f[0] for f in INTAKE_FAILURES])
def test_intake_validation(world, name, code, overrides):
    org = world.org
    data = _input(org, **overrides(org))
    before = h.global_counts()
    with pytest.raises(DomainError) as e:
        s.complaint_register(actor=org.a.users["reception"], data=data)
    assert e.value.code == code, e.value
    assert h.global_counts() == before


@pytest.mark.parametrize(
    "overrides",
    [
        {"anonymous": True, "complainant_name": "", "complainant_phone": ""},
        {"complainant_phone": "0755-8888 1234"},
        {
            "method": Method.GOVERNMENT_FORWARD,
            "channel": Channel.GOVERNMENT,
            "forwarder_ref": "12345-2026-001",
        },
        {"people_count": 3, "cosigners": [CoSignerInput("甲"), CoSignerInput("乙")]},
        {"kind": Kind.SUGGESTION, "attachments": [UploadInput("现场.jpg", h.JPEG)]},
    ],
    ids=["anonymous", "landline", "government_forward", "collective", "suggestion_with_photo"],
)
def test_intake_controls_that_pass(world, overrides):
    """The same input as the failures, made right, is accepted (so the failures are about what they say)."""
    org = world.org
    if overrides.get("method") == Method.GOVERNMENT_FORWARD:
        overrides = overrides | {
            "forwarded_by_id": ExternalParty.objects.create(group=org.group, kind="hotline", name="12345").id
        }
    before = h.global_counts()
    c = s.complaint_register(actor=org.a.users["reception"], data=_input(org, **overrides)).complaint
    after = h.global_counts()
    assert c.state == State.REGISTERED
    # a collective complaint of 3 is hot at once: its classification is a second event (escalation, issue 12)
    classified = 1 if overrides.get("people_count", 1) >= 3 else 0
    assert after["complaints"] == before["complaints"] + 1
    assert after["events"] == before["events"] + 1 + classified
    if overrides.get("anonymous"):
        assert c.complainant_name == ""


def test_failed_close_on_the_spot_records_nothing(world):
    """Closing on the spot without saying what was done fails, and the registration goes with it."""
    org = world.org
    before = h.global_counts()
    with pytest.raises(DomainError) as e:
        s.complaint_register(actor=org.a.users["reception"], data=_input(org), close_on_spot_note="  ")
    assert e.value.code == "required"
    assert h.global_counts() == before
    assert ComplaintIssue.objects.count() == before["issues"]
