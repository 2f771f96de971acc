"""The read-only staff pages: access, content, query counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from docket.complaints import services as s


def test_login_required(client, org):
    r = client.get(reverse("complaints:list"))
    assert r.status_code == 302 and "/login/" in r["Location"]


def test_list_shows_only_visible_complaints(client, org, complaint_factory):
    mine = complaint_factory(subject="北门被车辆堵塞")
    other = complaint_factory(kit=org.b, subject="丽雅苑垃圾清运不及时")
    client.force_login(org.a.users["reception"])
    html = client.get(reverse("complaints:list")).content.decode()
    assert mine.receipt_no in html and "北门被车辆堵塞" in html
    assert other.receipt_no not in html


def test_list_filters_by_state(client, org, complaint_factory):
    a = complaint_factory(subject="甲投诉")
    complaint_factory(subject="乙投诉")
    s.complaint_assign(
        actor=org.a.users["reception"], complaint_id=a.id, department_id=org.a.depts["engineering"].id
    )
    client.force_login(org.a.users["reception"])
    html = client.get(reverse("complaints:list"), {"state": "assigned"}).content.decode()
    assert "甲投诉" in html and "乙投诉" not in html


@pytest.mark.parametrize("n", [3, 12])
def test_list_query_count_is_constant(client, org, complaint_factory, n):
    for i in range(n):
        complaint_factory(subject=f"投诉{i}")
    user = org.a.users["reception"]
    client.force_login(user)
    client.get(reverse("complaints:list"))  # warm the session
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(reverse("complaints:list"))
    assert r.status_code == 200
    # session (the database session engine of the tests; cached_db with Redis), count, page rows, saved
    # filters; the user, their roles, the filter choices (offices, departments, categories) and the
    # unread-notice badge (pagecpu) come from the generation-stamped caches (docket/core/generations.py)
    from django.conf import settings

    session_query = settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"  # cached_db: Redis
    assert len(ctx.captured_queries) == 3 + session_query, [q["sql"] for q in ctx.captured_queries]


def test_detail_shows_record_timeline_and_actions(client, org, complaint_factory):
    c = complaint_factory()
    s.note_add(actor=org.a.users["reception"], complaint_id=c.id, text="顾客情绪激动，已安抚")
    client.force_login(org.a.users["reception"])
    html = client.get(reverse("complaints:detail", args=[c.id])).content.decode()
    assert c.subject in html and "顾客情绪激动，已安抚" in html and "内部" in html
    assert "派单" in html  # reception may assign a registered complaint
    assert "审核通过" not in html  # and may not review


def test_detail_of_invisible_complaint_is_404(client, org, complaint_factory):
    c = complaint_factory(kit=org.b)
    client.force_login(org.a.users["reception"])
    assert client.get(reverse("complaints:detail", args=[c.id])).status_code == 404
    assert client.get(reverse("complaints:detail", args=[999999])).status_code == 404
    assert client.get(reverse("complaints:receipt", args=[c.id])).status_code == 404


def test_receipt_carries_number_code_and_digest(client, org, complaint_factory):
    c = complaint_factory()
    client.force_login(org.a.users["reception"])
    html = client.get(reverse("complaints:receipt", args=[c.id])).content.decode()
    digest = c.events.get(seq=1).hash
    assert c.receipt_no in html and c.check_code in html and digest in html and "<svg" in html


def test_english_is_available(client, org, complaint_factory):
    client.force_login(org.a.users["reception"])
    client.cookies["django_language"] = "en"
    r = client.get(reverse("complaints:list"))
    assert r.status_code == 200 and 'lang="en"' in r.content.decode()


def test_printable_record_form_holds_the_whole_file(client, org, complaint_factory):
    from docket.complaints import services as s

    c = complaint_factory()
    issue = c.issues.get()
    a = org.a
    s.complaint_assign(actor=a.users["reception"], complaint_id=c.id, department_id=a.depts["engineering"].id)
    s.complaint_accept(actor=a.users["eng_supervisor"], complaint_id=c.id)
    s.issue_findings_record(
        actor=a.users["eng_staff"],
        complaint_id=c.id,
        issue_id=issue.id,
        findings="门机板老化导致停梯",
        measures="更换门机板并加强巡检",
    )
    client.force_login(a.users["reception"])
    html = client.get(reverse("complaints:record_form", args=[c.id])).content.decode()
    assert "顾客意见（投诉/建议）处理表" in html
    assert "门机板老化导致停梯" in html and "更换门机板并加强巡检" in html
    assert c.events.order_by("-seq").first().hash in html and "校验通过" in html


def test_saved_filters(client, org, complaint_factory):
    from docket.complaints.models import SavedFilter

    user = org.a.users["reception"]
    client.force_login(user)
    r = client.post(
        reverse("complaints:filter_save"), {"name": "逾期未结", "query": "overdue=1&open=1&evil=x"}
    )
    assert r.status_code == 302
    sf = SavedFilter.objects.get(user=user)
    assert sf.query == "overdue=1&open=1"
    html = client.get(reverse("complaints:list")).content.decode()
    assert "逾期未结" in html
    client.force_login(org.a.users["office_manager"])
    client.post(reverse("complaints:filter_delete", args=[sf.id]))  # not theirs: nothing happens
    assert SavedFilter.objects.filter(pk=sf.id).exists()


def _to_follow_up(org, c):
    from docket.complaints import services as s

    a = org.a
    issue = c.issues.get()
    s.complaint_assign(actor=a.users["reception"], complaint_id=c.id, department_id=a.depts["engineering"].id)
    s.complaint_accept(actor=a.users["eng_supervisor"], complaint_id=c.id)
    s.issue_findings_record(
        actor=a.users["eng_staff"], complaint_id=c.id, issue_id=issue.id, findings="f", measures="m"
    )
    s.reply_draft_save(
        actor=a.users["eng_supervisor"], complaint_id=c.id, body="王先生您好，感谢您的反映。电梯已维修。"
    )
    s.reply_send(actor=a.users["eng_supervisor"], complaint_id=c.id)
    s.complainant_agree(actor=a.users["reception"], complaint_id=c.id)
    s.measures_done(actor=a.users["eng_staff"], complaint_id=c.id, note="done")
    s.issue_verify(
        actor=a.users["office_manager"], complaint_id=c.id, issue_id=issue.id, passed=True, note="ok"
    )


def test_reply_letter_prints_the_sent_reply(client, org, complaint_factory):
    c = complaint_factory()
    _to_follow_up(org, c)
    client.force_login(org.a.users["reception"])
    html = client.get(reverse("complaints:reply_letter", args=[c.id, 1])).content.decode()
    assert "电梯已维修" in html and "尊敬的王先生/女士" in html
    assert client.get(reverse("complaints:reply_letter", args=[c.id, 2])).status_code == 404


def test_unreachable_exemption_after_three_attempts(org, complaint_factory):
    import pytest

    from docket.complaints import services as s
    from docket.core.errors import DomainError

    c = complaint_factory()
    _to_follow_up(org, c)
    rec = org.a.users["reception"]
    with pytest.raises(DomainError) as e:
        s.follow_up_exempt(actor=rec, complaint_id=c.id, exemption="unreachable")
    assert e.value.code == "exemption_invalid"
    for n in range(3):
        assert (
            s.follow_up_attempt_record(actor=rec, complaint_id=c.id, method="phone", note="无人接听") == n + 1
        )
    s.follow_up_exempt(actor=rec, complaint_id=c.id, exemption="unreachable")
    c.refresh_from_db()
    assert c.state == "closed"


def test_attachments_are_served_only_to_who_may_see_the_complaint(client, org, complaint_factory):
    """Staff open attachments through Docket (visibility checked), never straight from /media/."""
    from docket.complaints.models import Attachment
    from docket.complaints.services.intake import UploadInput
    from docket.core.testing.images import PNG as png  # a real image: attachments are decoded and checked

    c = complaint_factory()
    s.attachment_add(
        actor=org.a.users["reception"], complaint_id=c.id, upload=UploadInput("现场照片.png", png)
    )
    att = Attachment.objects.get(complaint=c)
    url = reverse("complaints:attachment", args=[c.id, att.id])
    client.force_login(org.a.users["reception"])
    assert url in client.get(reverse("complaints:detail", args=[c.id])).content.decode()
    r = client.get(url)
    assert r.status_code == 200 and r["Content-Type"] == "image/png" and b"".join(r.streaming_content) == png
    assert r["X-Content-Type-Options"] == "nosniff"
    client.force_login(org.b.users["reception"])  # another office's front desk
    assert client.get(url).status_code == 404
    assert client.get(f"/media/{att.file.name}").status_code == 404
    client.logout()
    assert client.get(url).status_code == 302  # to the login page
