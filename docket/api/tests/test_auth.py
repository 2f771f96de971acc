"""API keys (creation, bearer auth, revocation, last use) and session auth."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.test import Client

from docket.accounts.models import Role
from docket.api.models import ApiKey
from docket.api.services import ApiKeyError, api_key_create, api_key_revoke
from docket.core import clock

from .conftest import BASE, Api

pytestmark = pytest.mark.django_db


def test_command_prints_the_token_once_and_stores_only_its_digest(org):
    out, err = StringIO(), StringIO()
    call_command(
        "api_key_create",
        "--name",
        "12345热线",
        "--role",
        "reception",
        "--office",
        "CYY",
        stdout=out,
        stderr=err,
    )
    token = out.getvalue().strip()
    assert token.startswith("dk_") and "只显示这一次" in err.getvalue()
    _, prefix, secret = token.split("_", 2)
    key = ApiKey.objects.get(prefix=prefix)
    assert key.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in str(ApiKey.objects.filter(pk=key.pk).values().get())
    assert key.office == org.a.office and key.company == org.company and key.role == Role.RECEPTION
    # requests act as a dedicated service user holding exactly that role in that scope
    assert [(a.role, a.office_id) for a in key.user.roles.all()] == [("reception", org.a.office.id)]
    assert not key.user.has_usable_password()
    assert Api(token).get("/complaints").status_code == 200


def test_command_with_company_scope(org):
    out = StringIO()
    call_command(
        "api_key_create",
        "--name",
        "品质系统",
        "--role",
        "qm",
        "--company",
        "co1",
        stdout=out,
        stderr=StringIO(),
    )
    key = ApiKey.objects.get()
    assert key.company == org.company and key.office is None
    assert [(a.role, a.company_id) for a in key.user.roles.all()] == [("qm", org.company.id)]


@pytest.mark.parametrize(
    "args, message",
    [
        (["--role", "qm", "--office", "CYY"], "company"),
        (["--role", "reception", "--company", "co1"], "office"),
        (["--role", "dept_staff", "--office", "CYY"], "company"),
        (["--role", "reception", "--office", "NOPE"], "NOPE"),
        (["--role", "qm", "--company", "nope"], "nope"),
    ],
)
def test_command_refuses_a_scope_that_does_not_fit_the_role(org, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("api_key_create", "--name", "x", *args, stdout=StringIO(), stderr=StringIO())
    assert not ApiKey.objects.exists()


def test_service_needs_a_name_and_one_scope(org):
    with pytest.raises(ApiKeyError):
        api_key_create(actor=None, name=" ", role="reception", office=org.a.office)
    with pytest.raises(ApiKeyError):
        api_key_create(actor=None, name="x", role="reception", office=org.a.office, company=org.company)
    with pytest.raises(ApiKeyError):
        api_key_create(actor=None, name="x", role="nobody", office=org.a.office)


@pytest.mark.parametrize(
    "header",
    [
        None,
        "Bearer",
        "Bearer dk_",
        "Bearer dk_abc",
        "Bearer dk_deadbeef_wrong",
        "Basic dXNlcjpwdw==",
        "Bearer xx_deadbeef_secret",
        "Bearer dk__secret",
    ],
)
def test_missing_or_bad_tokens_get_401_unauthenticated(org, make_key, header):
    make_key()
    client = Client(headers={"Authorization": header} if header else {})
    r = client.get(f"{BASE}/complaints")
    assert r.status_code == 401
    assert r.json()["code"] == "unauthenticated" and r.json()["message"]
    assert r["WWW-Authenticate"].startswith("Bearer")


def test_right_prefix_wrong_secret_is_refused(org, make_key):
    key, token = make_key()
    assert Api(token[:-2] + "xx").get("/complaints").status_code == 401


def test_revoked_key_gets_401(org, make_key, complaint_factory):
    key, token = make_key()
    api = Api(token)
    c = complaint_factory()
    assert api.get(f"/complaints/{c.id}").status_code == 200
    api_key_revoke(actor=None, key_id=key.id)
    for r in (
        api.get("/complaints"),
        api.get(f"/complaints/{c.id}"),
        api.post(f"/complaints/{c.id}/actions/note_add", {"version": c.version, "text": "x"}),
    ):
        assert r.status_code == 401 and r.json()["code"] == "unauthenticated"
    key.refresh_from_db()
    assert key.revoked_at is not None and not key.user.is_active
    assert c.events.filter(kind="note_added").count() == 0


def test_last_used_at_is_recorded_coarsely(org, make_key):
    key, token = make_key()
    assert key.last_used_at is None
    with time_machine.travel(clock.now(), tick=False):
        Api(token).get("/offices")
        key.refresh_from_db()
        first = key.last_used_at
        assert first is not None
        Api(token).get("/offices")
        key.refresh_from_db()
        assert key.last_used_at == first  # not rewritten within the minute
    with time_machine.travel(clock.now() + timedelta(minutes=5), tick=False):
        Api(token).get("/offices")
        key.refresh_from_db()
        assert key.last_used_at > first


def test_actions_are_recorded_under_the_keys_service_user(org, make_key, complaint_factory):
    key, token = make_key(name="微信小程序")
    c = complaint_factory()
    r = Api(token).post(f"/complaints/{c.id}/actions/note_add", {"version": c.version, "text": "接口备注"})
    assert r.status_code == 200
    event = c.events.get(kind="note_added")
    assert event.actor_id == key.user_id and event.actor_name == "接口·微信小程序"
    assert event.actor_role.startswith("接待/客服")


def test_session_auth_for_the_web_ui(org, complaint_factory):
    c = complaint_factory()
    client = Client()
    client.force_login(org.a.users["reception"])
    r = client.get(f"{BASE}/complaints/{c.id}")
    assert r.status_code == 200 and r.json()["id"] == c.id
    r = client.post(
        f"{BASE}/complaints/{c.id}/actions/note_add",
        {"version": c.version, "text": "网页"},
        content_type="application/json",
    )
    assert r.status_code == 200


def test_session_posts_need_the_csrf_token(org, complaint_factory):
    c = complaint_factory()
    client = Client(enforce_csrf_checks=True)
    client.force_login(org.a.users["reception"])
    assert client.get(f"{BASE}/complaints/{c.id}").status_code == 200  # safe method: no token needed
    r = client.post(
        f"{BASE}/complaints/{c.id}/actions/note_add",
        {"version": c.version, "text": "网页"},
        content_type="application/json",
    )
    assert r.status_code == 403 and r.json()["code"] == "forbidden"
    assert c.events.filter(kind="note_added").count() == 0


def test_bearer_posts_need_no_csrf_token(org, make_key, complaint_factory):
    _key, token = make_key()
    c = complaint_factory()
    client = Client(enforce_csrf_checks=True, headers={"Authorization": f"Bearer {token}"})
    r = client.post(
        f"{BASE}/complaints/{c.id}/actions/note_add",
        {"version": c.version, "text": "接口"},
        content_type="application/json",
    )
    assert r.status_code == 200


def test_admin_lists_and_revokes_but_never_shows_the_secret(org, make_key, admin_client):
    key, token = make_key()
    secret = token.split("_", 2)[2]
    listing = admin_client.get("/admin/api/apikey/")
    assert listing.status_code == 200 and key.name in listing.content.decode()
    page = admin_client.get(f"/admin/api/apikey/{key.id}/change/").content.decode()
    assert secret not in page and key.secret_hash not in page
    assert admin_client.get("/admin/api/apikey/add/").status_code == 403
    r = admin_client.post("/admin/api/apikey/", {"action": "revoke", "_selected_action": [key.id]})
    assert r.status_code == 302
    key.refresh_from_db()
    assert key.revoked_at is not None
    assert Api(token).get("/complaints").status_code == 401
