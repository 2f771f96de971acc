"""Per-process caches and the write paths that must move them (issue 14 follow-up): a change made through
the admin's single and bulk deletes, or through a service, is seen by the next request or read — the
unread badge (the inbox's stamps), the role assignments (the user's stamp), triage's reference rows (the
`org` stamp) and the working calendar (dropped in the process that changed it)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from docket.accounts.models import Role, RoleAssignment
from docket.accounts.services import role_grant
from docket.complaints.models import State
from docket.complaints.tests.helpers import drive_to
from docket.notifications.models import Notification
from docket.notifications.service import notify
from docket.sla import duetimes
from docket.sla.models import CalendarDay
from docket.triage import services as triage

pytestmark = pytest.mark.django_db


def _badge(client) -> str:
    html = client.get(reverse("notifications:list")).content.decode()
    return html.split('class="badge">', 1)[1].split("<", 1)[0] if 'class="badge">' in html else ""


def _delete_selected(admin_client, model: str, ids: list[int]):
    r = admin_client.post(
        f"/admin/{model}/",
        {"action": "delete_selected", "_selected_action": [str(i) for i in ids], "post": "yes"},
    )
    assert r.status_code == 302, r.content.decode()[:500]


def test_notices_deleted_in_the_admin_leave_the_unread_badge_at_once(client, admin_client, org):
    user = org.a.users["reception"]
    for key in ("a", "b", "c"):
        notify(kind="assigned", recipients=[user], subject="新派单", body="请处理", dedupe_key=f"fu:{key}")
    client.force_login(user)
    assert _badge(client) == "3"
    first, *rest = Notification.objects.filter(recipient=user, inbox=True).order_by("id")
    r = admin_client.post(f"/admin/notifications/notification/{first.pk}/delete/", {"post": "yes"})
    assert r.status_code == 302 and not Notification.objects.filter(pk=first.pk).exists()
    assert _badge(client) == "2"
    _delete_selected(admin_client, "notifications/notification", [n.pk for n in rest])
    assert _badge(client) == ""


def test_a_role_deleted_in_the_admins_list_counts_on_the_next_request(client, admin_client, org):
    user = org.a.users["eng_staff"]
    c = drive_to(org, State.REGISTERED)
    role_grant(user=user, role=Role.RECEPTION, scope_obj=org.a.office)
    client.force_login(user)
    assert client.get(reverse("complaints:detail", args=[c.id])).status_code == 200
    ids = list(RoleAssignment.objects.filter(user=user, role=Role.RECEPTION).values_list("id", flat=True))
    _delete_selected(admin_client, "accounts/roleassignment", ids)
    assert client.get(reverse("complaints:detail", args=[c.id])).status_code == 404


def test_a_retired_category_is_not_suggested_on_the_next_lookup(org):
    text = "1号楼电梯又坏了，困人二十分钟"
    reception = org.a.users["reception"]
    first = triage.suggest(user=reception, office_id=org.a.office.id, text=text)
    lift = org.categories["电梯"]
    assert lift in [cat for cat, _p in first.categories]
    lift.active = False
    lift.save()
    again = triage.suggest(user=reception, office_id=org.a.office.id, text=text)
    assert lift not in [cat for cat, _p in again.categories]


def test_holidays_deleted_in_the_admins_list_leave_the_calendar_at_once(admin_client, org):
    day = dt.date(2031, 3, 12)  # a Wednesday
    holiday = CalendarDay.objects.create(date=day, kind=CalendarDay.Kind.HOLIDAY, name="测试假日")
    duetimes.invalidate()
    assert not duetimes.calendar_for(org.company.id).is_working_day(day)
    _delete_selected(admin_client, "sla/calendarday", [holiday.pk])
    assert duetimes.calendar_for(org.company.id).is_working_day(day)
