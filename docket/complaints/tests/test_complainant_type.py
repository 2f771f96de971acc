"""The complainant's type (seed3; issue 15): owner, tenant, visitor, staff or other — on the intake page, the
API, the portal's filing form (owner/tenant/visitor only), the complaint page, the printed 处理表 and the
statistics (a dimension of its own)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from docket.complaints.models import ComplainantType, Complaint
from docket.core import clock
from docket.portal.filing.tests.test_filing import file_named
from docket.reports import figures
from docket.reports import statistics as st

from .test_views_intake import _post

pytestmark = pytest.mark.django_db


def test_intake_page_records_the_type_and_the_pages_show_it(client, org):
    client.force_login(org.a.users["reception"])
    page = client.get(reverse("complaints:new")).content.decode()
    assert 'name="complainant_type"' in page and "租户" in page and "员工" in page
    r = _post(client, org, complainant_type="tenant")
    assert r.status_code == 302
    c = Complaint.objects.get()
    assert c.complainant_type == ComplainantType.TENANT
    assert c.events.get(seq=1).payload["complainant_type"] == "tenant"
    detail = client.get(reverse("complaints:detail", args=[c.id])).content.decode()
    assert 'data-complainant-type="tenant"' in detail and "租户" in detail
    form = client.get(reverse("complaints:record_form", args=[c.id])).content.decode()
    assert "☑租户" in form and "☐业主" in form and "☐员工" in form


def test_intake_page_refuses_an_unknown_type(client, org):
    client.force_login(org.a.users["reception"])
    r = _post(client, org, complainant_type="boss")
    assert r.status_code in (200, 422) and not Complaint.objects.exists()


def test_the_api_takes_and_shows_the_type(org, complaint_factory):
    from docket.accounts.models import Role
    from docket.api.services import api_key_create
    from docket.api.tests.conftest import Api

    _k, token = api_key_create(actor=None, name="t", role=Role.RECEPTION, office=org.a.office)
    api = Api(token)
    body = {
        "office_id": org.a.office.id,
        "channel": "office",
        "method": "phone",
        "subject": "员工反映食堂卫生",
        "description": "员工宿舍区食堂卫生差",
        "complainant_name": "赵",
        "complainant_phone": "13900002222",
        "complainant_type": "staff",
    }
    r = api.post("/complaints", body)
    assert r.status_code == 201, r.json()
    assert r.json()["complainant_type"] == "staff"
    assert Complaint.objects.get(pk=r.json()["id"]).complainant_type == "staff"
    r = api.post("/complaints", body | {"complainant_type": "boss"})
    assert r.status_code == 422 and "complainant_type" in [f["field"] for f in r.json()["fields"]]


def test_portal_offers_owner_tenant_and_visitor_only(client, org):
    r = file_named(client, org, complainant_type="visitor")
    assert r.status_code == 302, r.content.decode()[:500]
    assert Complaint.objects.get().complainant_type == "visitor"
    page = client.get(f"/p/o/{org.a.office.code}/file/").content.decode()
    assert 'value="owner"' in page and 'value="tenant"' in page and 'value="visitor"' in page
    assert 'value="staff"' not in page
    r = client.post(f"/p/o/{org.a.office.code}/file/", _form(org, complainant_type="staff"))
    assert r.status_code == 422 and "业主、租户或访客" in r.content.decode()
    assert Complaint.objects.count() == 1


def _form(org, **over):
    from docket.portal.filing.tests.test_filing import form

    return form(org, **over)


def test_statistics_count_by_complainant_type_live_and_from_the_summary(org, complaint_factory):
    complaint_factory(complainant_type="owner")
    complaint_factory(complainant_type="staff")
    complaint_factory(complainant_type="staff")
    complaint_factory()  # not asked
    today = clock.local_now().date()
    qs = Complaint.objects.all()
    live = st.breakdown(qs, date_from=today - timedelta(days=1), date_to=today, dimension="complainant")
    got = {r.key: r.received for r in live.rows}
    assert got == {"owner": 1, "staff": 2, None: 1}
    labels = {r.key: r.label for r in live.rows}
    assert labels["staff"] == "员工" and labels[None] == "未填写"
    rows = figures.compute(qs, dims=("complainant",))
    stored = {}
    for (_day, _co, _of, _dim, key), acc in rows.items():
        stored[key] = stored.get(key, 0) + acc.get("received")
    assert stored == {"owner": 1, "staff": 2, "": 1}
