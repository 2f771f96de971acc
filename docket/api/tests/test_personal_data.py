"""Personal data through the API with integration keys (issue 10): an office B key never reads office A's
complainants (not found, nothing in the body); a key holding a role that needs the full values (the front
desk: a hotline integration calls back) reads them; a company key in a role that does not need them reads
them masked (privacy.py)."""

from __future__ import annotations

import pytest

from docket.accounts.models import Role
from docket.api.tests.conftest import Api

pytestmark = pytest.mark.django_db

PHONE = "13812345678"


@pytest.fixture
def complaint(complaint_factory):
    return complaint_factory(complainant_phone=PHONE, complainant_name="王建国")


def _paths(c):
    return [f"/complaints/{c.id}", f"/complaints/{c.id}/events", f"/complaints/{c.id}/chain"]


def test_another_office_key_reads_nothing(api_b, complaint):
    for path in _paths(complaint):
        r = api_b.get(path)
        assert r.status_code == 404, path
        assert PHONE not in r.content.decode() and "王建国" not in r.content.decode()
    listing = api_b.get("/complaints").content.decode()
    assert complaint.receipt_no not in listing and PHONE not in listing


def test_the_front_desk_key_reads_in_full(api_a, complaint):
    body = api_a.get(f"/complaints/{complaint.id}").json()
    assert body["complainant_phone"] == PHONE and body["complainant_name"] == "王建国"


@pytest.mark.parametrize("role", [Role.LEADERSHIP, Role.MGMT_REP, Role.GENERAL_OFFICE])
def test_a_company_key_in_a_role_that_does_not_need_them_reads_them_masked(make_key, org, complaint, role):
    _key, token = make_key(role, company=org.company)
    body = Api(token).get(f"/complaints/{complaint.id}").json()
    assert body["complainant_phone"] == "138****5678" and body["complainant_name"] == "王先生/女士"
    assert PHONE not in Api(token).get(f"/complaints/{complaint.id}").content.decode()
