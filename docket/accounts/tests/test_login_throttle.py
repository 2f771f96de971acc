"""Sign-in throttling and lockout (R-ORG-4): per user name, per client address, the admin login too."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from docket.accounts.models import User
from docket.core import clock

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice():
    return User.objects.create_user(username="alice", password="correct-horse-battery")


def _login(client, username, password, path="/login/", **extra):
    return client.post(path, {"username": username, "password": password}, **extra)


def test_forty_wrong_passwords_then_the_right_one_is_refused(client, alice):
    for _ in range(40):
        _login(client, "alice", "wrong-password")
    response = _login(client, "alice", "correct-horse-battery")
    assert SESSION_KEY not in client.session
    text = response.content.decode()
    assert "登录失败次数过多" in text and "分钟后）再试" in text


@override_settings(DOCKET_LOGIN_FAILURES_PER_USER=5, DOCKET_LOGIN_WINDOW_MINUTES=15)
def test_lockout_per_user_name_lasts_the_window(client, alice):
    start = clock.now()
    with time_machine.travel(start, tick=False) as traveller:
        for i in range(4):
            response = _login(client, "Alice", "wrong-password")  # the name is counted case-insensitively
            assert "用户名或密码不正确" in response.content.decode(), i
        response = _login(client, "alice", "wrong-password")
        local = timezone.localtime(start + timedelta(minutes=15))  # Asia/Shanghai
        assert f"请在 {local:%H:%M}（约 15 分钟后）再试" in response.content.decode()
        # From another address too: the user name is locked.
        _login(client, "alice", "correct-horse-battery", REMOTE_ADDR="10.9.9.9")
        assert SESSION_KEY not in client.session
        traveller.move_to(start + timedelta(minutes=14))
        _login(client, "alice", "correct-horse-battery")
        assert SESSION_KEY not in client.session
        traveller.move_to(start + timedelta(minutes=15, seconds=5))
        response = _login(client, "alice", "correct-horse-battery")
        assert response.status_code == 302
        assert client.session[SESSION_KEY] == str(alice.pk)


@override_settings(DOCKET_LOGIN_FAILURES_PER_USER=5)
def test_a_successful_sign_in_clears_the_user_name_count(client, alice):
    for _ in range(4):
        _login(client, "alice", "wrong-password")
    assert _login(client, "alice", "correct-horse-battery").status_code == 302
    client.logout()
    for _ in range(4):
        _login(client, "alice", "wrong-password")
    assert _login(client, "alice", "correct-horse-battery").status_code == 302


@override_settings(DOCKET_LOGIN_FAILURES_PER_USER=5, DOCKET_LOGIN_FAILURES_PER_ADDRESS=20)
def test_lockout_per_client_address_across_user_names(client, alice):
    for i in range(20):
        _login(client, f"guess{i}", "wrong-password", REMOTE_ADDR="10.0.0.7")
    response = _login(client, "alice", "correct-horse-battery", REMOTE_ADDR="10.0.0.7")
    assert SESSION_KEY not in client.session
    assert "登录失败次数过多" in response.content.decode()
    # Another address is not affected.
    assert _login(client, "alice", "correct-horse-battery", REMOTE_ADDR="10.0.0.8").status_code == 302


def test_admin_login_goes_through_the_same_form(client, alice):
    alice.is_staff = alice.is_superuser = True
    alice.save()
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302 and response["Location"] == "/login/?next=/admin/"
    # Posting to the admin's login signs nobody in (it only redirects) ...
    client.post("/admin/login/?next=/admin/", {"username": "alice", "password": "correct-horse-battery"})
    assert SESSION_KEY not in client.session
    # ... and the locked user name stays locked for the admin.
    for _ in range(5):
        _login(client, "alice", "wrong-password", path="/login/?next=/admin/")
    _login(client, "alice", "correct-horse-battery", path="/login/?next=/admin/")
    assert SESSION_KEY not in client.session
    assert client.get("/admin/").status_code == 302


def test_admin_reachable_after_a_normal_sign_in(client, alice):
    alice.is_staff = alice.is_superuser = True
    alice.save()
    response = _login(client, "alice", "correct-horse-battery", path="/login/?next=/admin/")
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


@override_settings(DOCKET_LOGIN_FAILURES_PER_USER=5)
def test_an_administrator_can_lift_the_lockout(client, alice):
    for _ in range(5):
        _login(client, "alice", "wrong-password")
    _login(client, "alice", "correct-horse-battery")
    assert SESSION_KEY not in client.session
    call_command("login_unlock", "--username", "ALICE", stdout=StringIO())
    assert _login(client, "alice", "correct-horse-battery").status_code == 302
