"""Daily reconciliation and the suggestion-box log (R-INT-8, R-INT-9)."""

import pytest
import time_machine
from django.urls import reverse

from docket.complaints import services as s
from docket.complaints.models import Channel, DailyReconciliation, Method, SuggestionBoxOpening
from docket.core.errors import DomainError


def test_reconciliation_counts_and_requires_note_for_pending(client, org, complaint_factory):
    with time_machine.travel("2026-11-24 10:00 +0800", tick=False):
        a = complaint_factory()
        b = complaint_factory()
        s.complaint_assign(
            actor=org.a.users["reception"], complaint_id=a.id, department_id=org.a.depts["engineering"].id
        )
        client.force_login(org.a.users["reception"])
        html = client.get(reverse("complaints:reconciliation")).content.decode()
        assert b.receipt_no in html and a.receipt_no not in html and "未盘点" in html
        r = client.post(
            reverse("complaints:reconciliation"), {"office": org.a.office.id, "day": "2026-11-24", "note": ""}
        )
        assert r.status_code == 422 and "未移交的 1 件投诉的说明" in r.content.decode()
        assert not DailyReconciliation.objects.exists()
        r = client.post(
            reverse("complaints:reconciliation"),
            {"office": org.a.office.id, "day": "2026-11-24", "note": "业主要求明早再派单"},
        )
        assert r.status_code == 302
    rec = DailyReconciliation.objects.get()
    assert (rec.received, rec.not_handed_over) == (2, 1)
    with pytest.raises(DomainError):
        s.reconciliation_record(
            actor=org.a.users["reception"], office_id=org.a.office.id, day=rec.day, note="again"
        )


def test_box_opening_and_the_complaints_it_produced(client, org, complaint_factory):
    client.force_login(org.a.users["reception"])
    r = client.post(
        reverse("complaints:box_log"),
        {
            "office": org.a.office.id,
            "opened_at": "2026-11-24T09:00",
            "letters": 2,
            "note": "两封：噪音、绿化",
        },
    )
    assert r.status_code == 302
    opening = SuggestionBoxOpening.objects.get()
    c = complaint_factory(channel=Channel.SUGGESTION_BOX, method=Method.LETTER, box_opening_id=opening.id)
    html = client.get(reverse("complaints:box_log")).content.decode()
    assert c.receipt_no in html and "两封：噪音、绿化" in html
    with pytest.raises(DomainError) as e:
        complaint_factory(
            kit=org.b,
            actor=org.b.users["reception"],
            channel=Channel.SUGGESTION_BOX,
            method=Method.LETTER,
            box_opening_id=opening.id,
        )
    assert e.value.code == "validation"


def test_only_front_desk_sees_these_pages(client, org):
    client.force_login(org.a.users["eng_supervisor"])
    assert client.get(reverse("complaints:reconciliation")).status_code == 403
    assert client.get(reverse("complaints:box_log")).status_code == 403
    html = client.get(reverse("complaints:list")).content.decode()
    assert "日盘点" not in html
