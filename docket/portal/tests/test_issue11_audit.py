"""Gaps found walking issue 11's bullets (portal3): the tracking page names who handles the complaint by
department and post (never the person or a staff phone); the check code — which opens the owner's answers
on the portal — is not on the staff receipt the owners' committee can print, unless the committee recorded
the complaint itself on the owner's behalf (R-INT-7) and hands the receipt over."""

from __future__ import annotations

import pytest
from django.urls import reverse

from docket.complaints import services as s
from docket.complaints.models import Channel, Method, State
from docket.complaints.services.intake import ComplaintInput
from docket.complaints.tests.helpers import drive_to

from .test_portal import _open

pytestmark = pytest.mark.django_db


def test_tracking_names_the_department_and_post_not_the_person(client, org):
    sup = org.a.users["eng_supervisor"]
    sup.display_name, sup.phone = "张工程师", "13700001111"
    sup.save(update_fields=["display_name", "phone"])
    c = drive_to(org, State.INVESTIGATING)
    assert c.holder_id == sup.id
    page = _open(client, c).content.decode()
    assert "工程部 · 部门主管" in page
    for private in ("张工程师", "13700001111", sup.username):
        assert private not in page
    # not yet held by anyone: the office, no post
    fresh = drive_to(org, State.REGISTERED)
    client.cookies.clear()
    page = _open(client, fresh).content.decode()
    assert org.a.office.name in page and "部门主管" not in page


def test_the_committee_receipt_has_no_check_code_unless_it_recorded_it(client, org):
    by_desk = drive_to(org, State.INVESTIGATING)
    member = org.a.users["committee"]
    client.force_login(member)
    page = client.get(reverse("complaints:receipt", args=[by_desk.id]))
    assert page.status_code == 200
    body = page.content.decode()
    assert by_desk.receipt_no in body and by_desk.check_code not in body
    mine = s.complaint_register(
        actor=member,
        data=ComplaintInput(
            office_id=org.a.office.id,
            channel=Channel.COMMITTEE,
            method=Method.LETTER,
            subject="绿化带被占用",
            description="3号楼旁绿化带被改为菜地。",
            complainant_name="李",
            complainant_phone="13900000002",
        ),
    ).complaint
    body = client.get(reverse("complaints:receipt", args=[mine.id])).content.decode()
    assert mine.check_code in body and "13900000002" not in body
    # staff keep seeing it
    client.force_login(org.a.users["reception"])
    assert by_desk.check_code in client.get(reverse("complaints:receipt", args=[by_desk.id])).content.decode()


def test_an_agreed_reply_time_shows_on_the_receipt_page_and_pdf(client, org):
    from datetime import timedelta

    from docket.complaints.models import Complaint, Obligation
    from docket.core import clock
    from docket.core.tests.test_pdf import png_ink
    from docket.portal.filing.tests.test_filing import file_named

    file_named(client, org)
    c = Complaint.objects.get()
    page = client.get(f"/p/r/{c.receipt_no}/").content.decode()
    assert "与您约定的时间" not in page
    agreed = clock.now() + timedelta(days=3)
    s.reply_time_agree(actor=org.a.users["reception"], complaint_id=c.id, agreed_at=agreed)
    due = clock.to_local(Obligation.objects.get(complaint=c, kind="reply").due_at).strftime("%Y-%m-%d %H:%M")
    page = client.get(f"/p/r/{c.receipt_no}/").content.decode()
    assert due in page and "与您约定的时间" in page
    text, _ink = png_ink(client.get(f"/p/r/{c.receipt_no}/receipt.pdf").content)
    flat = text.replace("\r\n", "").replace("\n", "")
    assert due in flat and "与您约定的时间" in flat
