"""The complainant's history on the complaint page (issue 14)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from docket.accounts.models import Role
from docket.complaints import history, privacy, scopes
from docket.complaints.tests.helpers import user_for

ALL_ROLES = list(Role)


@pytest.fixture
def family(org, complaint_factory):
    """c: the complaint viewed; same_a: the same phone (typed differently), office A; same_b: the same
    phone, office B; room: the same room, another phone; anon: the same phone but anonymous; other: an
    unrelated complaint."""
    same_b = complaint_factory(
        kit=org.b,
        subject="B区投诉",
        complainant_phone="13800000001",
        room_id=None,
        actor=org.b.users["reception"],
    )
    same_a = complaint_factory(subject="同号码旧投诉", complainant_phone="138-0000-0001", room_id=None)
    room = complaint_factory(subject="同房号投诉", complainant_phone="13900000002")
    anon = complaint_factory(subject="匿名投诉", complainant_phone="", anonymous=True, room_id=None)
    other = complaint_factory(subject="无关投诉", complainant_phone="13700000003", room_id=None)
    c = complaint_factory(subject="当前投诉", complainant_phone="+86 13800000001")
    return {"c": c, "same_a": same_a, "same_b": same_b, "room": room, "anon": anon, "other": other}


def test_phone_spellings():
    assert "138-0000-0001" in history.phone_spellings("+8613800000001")
    assert "010-12345678" in history.phone_spellings("01012345678")
    assert "0571-1234567" in history.phone_spellings("05711234567")
    assert history.phone_spellings("1380000") == []


def test_matches_phone_in_any_spelling_and_room(org, family):
    rows = history.history_for(org.users["qm"], family["c"]).rows
    assert {r.subject for r in rows} == {"同号码旧投诉", "B区投诉", "同房号投诉"}
    assert [(r.received_at, r.id) for r in rows] == sorted(
        ((r.received_at, r.id) for r in rows), reverse=True
    )


@pytest.mark.parametrize("role", ALL_ROLES)
def test_history_per_role(client, org, family, role):
    user = user_for(org, role)
    c = family["c"]
    client.force_login(user)
    r = client.get(reverse("complaints:detail", args=[c.id]))
    if not scopes.can_see(user, c):
        assert r.status_code == 404
        return
    html = r.content.decode()
    if privacy.public_only(user, c):
        assert "该投诉人的其他投诉" not in html
        return
    assert "该投诉人的其他投诉" in html
    for key in ("same_a", "same_b", "room"):
        assert (family[key].receipt_no in html) == scopes.can_see(user, family[key]), key
    assert family["anon"].receipt_no not in html and family["other"].receipt_no not in html
    if role == Role.RECEPTION:  # office A's front desk: not office B's complaint
        assert family["same_b"].receipt_no not in html and family["same_a"].receipt_no in html


def test_office_b_reception_sees_only_its_office(client, org, family):
    user = org.b.users["reception"]
    client.force_login(user)
    html = client.get(reverse("complaints:detail", args=[family["same_b"].id])).content.decode()
    assert "该投诉人的其他投诉" in html
    assert family["c"].receipt_no not in html and family["same_a"].receipt_no not in html


def test_anonymous_complaint_has_no_history(client, org, family):
    client.force_login(org.users["qm"])
    html = client.get(reverse("complaints:detail", args=[family["anon"].id])).content.decode()
    assert "该投诉人的其他投诉" not in html
    assert client.get(reverse("complaints:history", args=[family["anon"].id])).status_code == 404


def test_history_page_and_more_link(client, org, complaint_factory):
    for i in range(history.LIMIT + 2):
        complaint_factory(subject=f"历史{i}")
    c = complaint_factory(subject="最新")
    client.force_login(org.users["qm"])
    html = client.get(reverse("complaints:detail", args=[c.id])).content.decode()
    assert html.count('<li><a href="/complaints/') >= history.LIMIT
    assert reverse("complaints:history", args=[c.id]) in html
    assert "历史11" in html and "历史0<" not in html
    page = client.get(reverse("complaints:history", args=[c.id])).content.decode()
    assert all(f"历史{i}<" in page for i in range(history.LIMIT + 2))
    # another company's QM: not found
    client.force_login(org.other_company_qm)
    assert client.get(reverse("complaints:history", args=[c.id])).status_code == 404


def test_query_count_does_not_grow_with_history(client, org, complaint_factory):
    c1 = complaint_factory(subject="一")
    client.force_login(org.users["qm"])
    client.get(reverse("complaints:detail", args=[c1.id]))  # warm caches
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("complaints:detail", args=[c1.id]))
    for i in range(15):
        complaint_factory(subject=f"多{i}")
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("complaints:detail", args=[c1.id]))
    assert len(many.captured_queries) == len(few.captured_queries)
    hist = [q for q in many.captured_queries if f"LIMIT {history.LIMIT + 1}" in q["sql"]]
    assert len(hist) == 1
