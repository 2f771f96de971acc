"""The whole happy path of an oral complaint and of a written one, through the services."""

from docket.complaints import services as s
from docket.complaints.events import chain_verify
from docket.complaints.models import Method, State


def test_phone_complaint_full_lifecycle(org, complaint_factory):
    a = org.a
    c = complaint_factory()
    assert c.state == State.REGISTERED
    assert c.receipt_no.startswith("CYY-")
    issue = c.issues.get()
    s.complaint_assign(actor=a.users["reception"], complaint_id=c.id, department_id=a.depts["engineering"].id)
    s.complaint_accept(actor=a.users["eng_supervisor"], complaint_id=c.id)
    s.issue_findings_record(
        actor=a.users["eng_staff"],
        complaint_id=c.id,
        issue_id=issue.id,
        findings="门机板老化",
        measures="更换门机板",
    )
    s.reply_draft_save(actor=a.users["eng_supervisor"], complaint_id=c.id, body="王先生您好，感谢您的反映……")
    s.reply_send(actor=a.users["eng_supervisor"], complaint_id=c.id)
    s.complainant_agree(actor=a.users["reception"], complaint_id=c.id)
    s.measures_done(actor=a.users["eng_staff"], complaint_id=c.id, note="已更换")
    s.issue_verify(
        actor=a.users["office_manager"], complaint_id=c.id, issue_id=issue.id, passed=True, note="运行正常"
    )
    s.follow_up_record(
        actor=a.users["reception"],
        complaint_id=c.id,
        method="phone",
        satisfaction=5,
        process_rating="satisfied",
        measures_rating="satisfied",
        result_rating="satisfied",
    )
    c.refresh_from_db()
    assert c.state == State.CLOSED
    assert c.events.count() == 10
    assert chain_verify(c) is None


def test_letter_needs_two_reviews(org, complaint_factory):
    a, u = org.a, org.users
    c = complaint_factory(method=Method.LETTER)
    issue = c.issues.get()
    s.complaint_assign(actor=a.users["reception"], complaint_id=c.id, department_id=a.depts["engineering"].id)
    s.complaint_accept(actor=a.users["eng_supervisor"], complaint_id=c.id)
    s.issue_findings_record(
        actor=a.users["eng_supervisor"],
        complaint_id=c.id,
        issue_id=issue.id,
        findings="查明",
        measures="维修",
    )
    s.reply_draft_save(actor=a.users["eng_supervisor"], complaint_id=c.id, body="答复")
    s.reply_submit(actor=a.users["eng_supervisor"], complaint_id=c.id)
    s.reply_review_return(actor=u["qm"], complaint_id=c.id, comment="未覆盖全部问题")
    s.reply_draft_save(actor=a.users["eng_supervisor"], complaint_id=c.id, body="答复（修改）")
    s.reply_submit(actor=a.users["eng_supervisor"], complaint_id=c.id)
    s.reply_review_approve(actor=u["qm"], complaint_id=c.id)
    c.refresh_from_db()
    assert c.state == State.IN_REVIEW
    s.reply_review_approve(actor=u["general_office"], complaint_id=c.id)
    c.refresh_from_db()
    assert c.state == State.REPLY_APPROVED
    s.reply_send(actor=a.users["reception"], complaint_id=c.id)
    c.refresh_from_db()
    assert c.state == State.REPLIED
