"""The front desk's caller lookup (issue 10, finding 1): residents are personal data. Only the front desk
of the resident's own office finds them, only by a complete phone number or an exact room, throttled, and
every answer is logged. Before the fix any signed-in user (a committee member, a department employee)
could list residents of every office and company, by room or by a phone prefix."""

from __future__ import annotations

import pytest
from django.urls import reverse

from docket.complaints import services
from docket.complaints.models import PersonalDataAccess
from docket.core.errors import DomainError
from docket.org.models import Resident

pytestmark = pytest.mark.django_db

A_PHONE, B_PHONE = "13800000001", "13900000002"


@pytest.fixture
def residents(org):
    return (
        Resident.objects.create(room=org.a.room, name="王建国", phone=A_PHONE),
        Resident.objects.create(room=org.b.room, name="赵丽华", phone=B_PHONE),
    )


def _everyone(org):
    people = {f"a_{k}": u for k, u in org.a.users.items()}
    people |= {f"b_{k}": u for k, u in org.b.users.items()}
    people |= {k: u for k, u in org.users.items()}
    people["other_company_qm"] = org.other_company_qm
    return people


def _ask(client, user, **params):
    client.force_login(user)
    return client.get(reverse("complaints:lookup"), params)


def test_a_front_desk_finds_its_own_resident_by_full_number_and_the_answer_is_logged(client, org, residents):
    r = _ask(client, org.a.users["reception"], complainant_phone="+86 138-0000-0001")
    assert r.status_code == 200 and "王建国" in r.content.decode()
    log = PersonalDataAccess.objects.get()
    assert log.user == org.a.users["reception"] and log.purpose == "lookup" and log.results == 1
    assert log.query == "phone:138****0001" and log.office_id == org.a.office.id
    assert A_PHONE not in log.query


@pytest.mark.parametrize("prefix", ["1380000", "138000000", "13800000", "1"])
def test_a_prefix_answers_nothing_and_reads_nothing(client, org, residents, prefix):
    r = _ask(client, org.a.users["reception"], complainant_phone=prefix)
    assert r.status_code == 200 and "王建国" not in r.content.decode()
    assert not PersonalDataAccess.objects.exists()


def test_another_office_resident_is_not_found_by_phone_or_room(client, org, residents):
    reception = org.a.users["reception"]
    by_phone = _ask(client, reception, complainant_phone=B_PHONE).content.decode()
    by_room = _ask(client, reception, room=str(org.b.room.id)).content.decode()
    assert "赵丽华" not in by_phone and "赵丽华" not in by_room and B_PHONE not in by_phone + by_room


def test_every_role_and_scope(client, org, residents):
    """The permission matrix: for every user of the fixture, asking for office B's resident by phone and by
    room. Only office B's front desk (reception, office manager) finds her; everyone else gets nothing —
    people without a front-desk role a 403 — and nothing is logged for them."""
    finders = {"b_reception", "b_office_manager"}
    front_desks = finders | {"a_reception", "a_office_manager"}
    for key, user in _everyone(org).items():
        for params in ({"complainant_phone": B_PHONE}, {"room": str(org.b.room.id)}):
            r = _ask(client, user, **params)
            html = r.content.decode()
            if key in finders:
                assert r.status_code == 200 and "赵丽华" in html, (key, params)
            else:
                assert "赵丽华" not in html and B_PHONE not in html, (key, params)
                assert r.status_code == (200 if key in front_desks else 403), (key, params)
    assert set(PersonalDataAccess.objects.values_list("user__username", flat=True)) <= {
        _everyone(org)[k].username for k in front_desks
    }


def test_the_service_refuses_people_without_a_front_desk(org, residents):
    for key in ("committee", "eng_staff", "eng_supervisor"):
        with pytest.raises(DomainError) as exc:
            services.resident_lookup(actor=org.a.users[key], phone=A_PHONE)
        assert exc.value.code == "forbidden_action"
    with pytest.raises(DomainError):
        services.resident_lookup(actor=org.users["qm"], phone=A_PHONE)


def test_lookups_are_throttled_per_user(client, org, residents, settings):
    settings.DOCKET_LOOKUP_RATE = "3/10m"
    for _ in range(3):
        assert _ask(client, org.a.users["reception"], complainant_phone=A_PHONE).status_code == 200
    r = _ask(client, org.a.users["reception"], complainant_phone=A_PHONE)
    assert (
        r.status_code == 429 and "查询过于频繁" in r.content.decode() and "王建国" not in r.content.decode()
    )
    assert int(r["Retry-After"]) > 0
    # another user has a window of their own
    assert _ask(client, org.a.users["office_manager"], complainant_phone=A_PHONE).status_code == 200
