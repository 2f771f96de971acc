"""Retention and an owner's request (R-EXP-12, PIPL; issue 10): personal data is erased after the retention
period while the record stays verifiable; everything held about a phone number can be exported, logged."""

from __future__ import annotations

from datetime import timedelta

import pytest

from docket.complaints import services as s
from docket.complaints.events import chain_verify
from docket.complaints.models import Complaint, ComplaintEvent, CoSigner, PersonalDataAccess, State
from docket.complaints.tests.helpers import drive_to
from docket.core import clock
from docket.core.errors import DomainError
from docket.org.models import Resident

pytestmark = pytest.mark.django_db


def _ended_days_ago(c: Complaint, days: int) -> Complaint:
    Complaint.objects.filter(pk=c.pk).update(closed_at=clock.now() - timedelta(days=days))
    return Complaint.objects.get(pk=c.pk)


def test_personal_data_is_erased_after_the_retention_period_and_the_chain_still_verifies(org, settings):
    settings.DOCKET_RETENTION_DAYS = 1095
    old = _ended_days_ago(drive_to(org, State.CLOSED), 1096)
    recent = _ended_days_ago(drive_to(org, State.CLOSED), 1000)
    still_open = drive_to(org, State.INVESTIGATING)
    CoSigner.objects.create(complaint=old, name="李秀英", phone="13987654321", room="3-1-201")
    assert old.complainant_phone
    assert s.personal_data_anonymise_due() == 1
    old.refresh_from_db()
    assert (old.complainant_name, old.complainant_phone, old.complainant_email, old.complainant_address) == (
        "",
        "",
        "",
        "",
    )
    assert old.anonymised_at is not None
    assert list(CoSigner.objects.filter(complaint=old).values_list("name", "phone", "room")) == [("", "", "")]
    last = ComplaintEvent.objects.filter(complaint=old).order_by("-seq").first()
    assert last.kind == "personal_data_anonymised" and not last.public
    assert "complainant_phone" in last.payload["fields"] and "13800000001" not in str(last.payload)
    assert chain_verify(old) is None
    for c in (recent, still_open):
        c.refresh_from_db()
        assert c.complainant_phone and c.anonymised_at is None
    assert s.personal_data_anonymise_due() == 0  # idempotent


def test_major_complaints_follow_their_own_rule(org, settings):
    settings.DOCKET_RETENTION_DAYS, settings.DOCKET_RETENTION_MAJOR_DAYS = 1095, 3650
    major = drive_to(org, State.CLOSED)
    Complaint.objects.filter(pk=major.pk).update(severity="major")
    _ended_days_ago(major, 2000)
    assert s.personal_data_anonymise_due() == 0
    _ended_days_ago(major, 3651)
    assert s.personal_data_anonymise_due() == 1


def test_an_owner_export_of_everything_held_about_a_phone(org, complaint_factory):
    mine = complaint_factory(complainant_phone="13800000001")
    other = complaint_factory(complainant_phone="13800000002")
    Resident.objects.create(room=org.a.room, name="王建国", phone="13800000001")
    out = s.personal_data_export(actor=org.users["qm"], phone="138-0000-0001", reason="业主书面申请")
    assert [c["receipt_no"] for c in out["complaints"]] == [mine.receipt_no]
    assert other.receipt_no not in str(out)
    assert out["register"][0]["name"] == "王建国"
    assert out["complaints"][0]["timeline"][0]["kind"] == "registered"
    log = PersonalDataAccess.objects.get()
    assert log.purpose == "export" and log.reason == "业主书面申请" and "13800000001" not in log.query


@pytest.mark.parametrize("who", ["reception", "eng_supervisor", "committee"])
def test_only_qm_exports(org, complaint_factory, who):
    complaint_factory()
    with pytest.raises(DomainError) as exc:
        s.personal_data_export(actor=org.a.users[who], phone="13800000001", reason="x")
    assert exc.value.code == "forbidden_action"
    assert not PersonalDataAccess.objects.exists()


def test_an_incomplete_number_is_refused(org):
    with pytest.raises(DomainError) as exc:
        s.personal_data_export(actor=org.users["qm"], phone="1380000", reason="x")
    assert exc.value.code == "validation"


def test_the_log_page_is_qm_only_and_company_scoped(client, org, complaint_factory):
    from django.urls import reverse

    complaint_factory(complainant_phone="13800000001")
    s.resident_lookup(actor=org.a.users["reception"], phone="13800000001")
    url = reverse("complaints:privacy_log")
    for who in (
        org.a.users["reception"],
        org.a.users["office_manager"],
        org.users["leadership"],
        org.a.users["committee"],
    ):
        client.force_login(who)
        assert client.get(url).status_code == 403
    client.force_login(org.other_company_qm)
    page = client.get(url)
    assert page.status_code == 403 or "138****0001" not in page.content.decode()
    client.force_login(org.users["qm"])
    page = client.get(url).content.decode()
    assert "138****0001" in page and "13800000001" not in page
    assert url in client.get(reverse("complaints:work")).content.decode()  # in QM's menu
    bad = client.post(url, {"phone": "1380000", "reason": "申请"})
    assert bad.status_code == 422 and "完整" in bad.content.decode()
    good = client.post(url, {"phone": "13800000001", "reason": "业主书面申请"})
    assert good.status_code == 200 and good["Content-Disposition"].startswith("attachment")
    assert "13800000001" in good.content.decode()


def test_a_correction_is_recorded_without_the_values(org, complaint_factory, client):
    c = complaint_factory(complainant_phone="13800000001")
    before = Complaint.objects.get(pk=c.pk).version
    with pytest.raises(DomainError):
        s.complainant_details_correct(
            actor=org.a.users["reception"], complaint_id=c.id, phone="138000", reason="业主来电更正"
        )
    assert Complaint.objects.get(pk=c.pk).version == before  # refused: nothing written
    s.complainant_details_correct(
        actor=org.a.users["reception"], complaint_id=c.id, phone="139-0000-9999", reason="业主来电更正"
    )
    c.refresh_from_db()
    assert c.complainant_phone == "13900009999"
    event = ComplaintEvent.objects.filter(complaint=c).order_by("-seq").first()
    assert event.kind == "complainant_details_corrected" and not event.public
    assert event.payload == {"fields": ["complainant_phone"], "reason": "业主来电更正"}
    assert chain_verify(c) is None
    # the page form is derived from the declared inputs (no form class of its own)
    client.force_login(org.a.users["reception"])
    from django.urls import reverse

    page = client.get(reverse("complaints:action", args=[c.id, "complainant_correct"]))
    assert page.status_code == 200 and "更正原因" in page.content.decode()
    with pytest.raises(DomainError) as exc:
        s.complainant_details_correct(
            actor=org.a.users["eng_staff"], complaint_id=c.id, name="张", reason="x"
        )
    assert exc.value.code in ("not_found", "forbidden_action")
