"""Optional TOTP two-step sign-in (R-ORG-4): required once enrolled, enrolment through a QR code."""

from __future__ import annotations

from base64 import b32encode
from datetime import timedelta

import pytest
import segno
import time_machine
from django.contrib.auth import SESSION_KEY
from django.test import override_settings
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from docket.accounts.models import User
from docket.core import clock

pytestmark = pytest.mark.django_db


def code(device: TOTPDevice, offset: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = clock.now().timestamp() + offset
    return f"{totp.token():0{device.digits}d}"


@pytest.fixture
def staff():
    user = User.objects.create_user(username="zhang", password="correct-horse-battery", is_staff=True)
    return user


@pytest.fixture
def enrolled(staff):
    return TOTPDevice.objects.create(user=staff, name="phone", confirmed=True)


def test_without_a_device_the_password_is_enough(client, staff):
    response = client.post("/login/", {"username": "zhang", "password": "correct-horse-battery"})
    assert response.status_code == 302 and client.session[SESSION_KEY] == str(staff.pk)


def test_an_enrolled_user_must_give_the_code(client, enrolled):
    response = client.post(
        "/login/?next=/reports/",
        {"username": "zhang", "password": "correct-horse-battery", "next": "/reports/"},
    )
    assert response.status_code == 302 and response["Location"] == "/login/otp/?next=%2Freports%2F"
    assert SESSION_KEY not in client.session
    # The signed-in pages stay closed until the code is given.
    assert client.get("/complaints/").status_code == 302
    page = client.get(response["Location"])
    assert "两步验证" in page.content.decode()
    wrong = client.post("/login/otp/", {"token": "000000" if code(enrolled) != "000000" else "111111"})
    assert wrong.status_code == 422 and "动态验证码不正确" in wrong.content.decode()
    assert SESSION_KEY not in client.session
    with time_machine.travel(clock.now() + timedelta(seconds=30), tick=False):  # past django-otp's own delay
        response = client.post("/login/otp/", {"token": code(enrolled), "next": "/reports/"})
        assert response.status_code == 302 and response["Location"] == "/reports/"
        assert client.session[SESSION_KEY] == str(enrolled.user_id)


def test_the_code_page_needs_the_password_first(client, enrolled):
    assert client.get("/login/otp/")["Location"] == "/login/"
    client.post("/login/otp/", {"token": code(enrolled)})
    assert SESSION_KEY not in client.session


@override_settings(DOCKET_LOGIN_FAILURES_PER_USER=5)
def test_wrong_codes_count_towards_the_lockout(client, enrolled):
    client.post("/login/", {"username": "zhang", "password": "correct-horse-battery"})
    for _ in range(5):
        response = client.post("/login/otp/", {"token": "abcdef"})
    assert "登录失败次数过多" in response.content.decode()
    response = client.post("/login/otp/", {"token": code(enrolled)})
    assert SESSION_KEY not in client.session


def test_an_unconfirmed_device_does_not_ask_for_a_code(client, staff):
    TOTPDevice.objects.create(user=staff, name="half-done", confirmed=False)
    client.post("/login/", {"username": "zhang", "password": "correct-horse-battery"})
    assert client.session[SESSION_KEY] == str(staff.pk)


def test_enrolment_shows_a_qr_code_and_confirms_with_a_code(client, staff):
    client.force_login(staff)
    page = client.get("/account/two-step/").content.decode()
    device = TOTPDevice.objects.get(user=staff)
    assert not device.confirmed
    # The QR code on the page is the one of the device's otpauth URI (issuer, user name, secret).
    assert device.config_url.startswith("otpauth://totp/Docket%3Azhang?secret=")
    qr = segno.make(device.config_url, error="m").svg_inline(omitsize=True, border=2, dark="#000")
    assert qr in page
    secret = b32encode(device.bin_key).decode()  # shown in groups of four, for typing it in by hand
    assert " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)) in page
    response = client.post("/account/two-step/", {"op": "enable", "token": "12345"})
    assert response.status_code == 422
    device.refresh_from_db()
    assert not device.confirmed
    with time_machine.travel(clock.now() + timedelta(seconds=30), tick=False):
        response = client.post("/account/two-step/", {"op": "enable", "token": code(device)})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert "两步验证已启用" in client.get("/account/two-step/").content.decode()


def test_turning_it_off_needs_a_current_code(client, enrolled):
    client.force_login(enrolled.user)
    client.post(
        "/account/two-step/", {"op": "disable", "token": "000000" if code(enrolled) != "000000" else "1"}
    )
    assert TOTPDevice.objects.filter(user=enrolled.user, confirmed=True).exists()
    with time_machine.travel(clock.now() + timedelta(seconds=30), tick=False):
        client.post("/account/two-step/", {"op": "disable", "token": code(enrolled)})
    assert not TOTPDevice.objects.filter(user=enrolled.user).exists()
