"""Session limits (R-ORG-4): idle timeout and an absolute cap, with few session writes."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.test import override_settings

from docket.accounts.models import User
from docket.core import clock

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("limits"),
]


@pytest.fixture
def limits(settings):
    settings.DOCKET_SESSION_IDLE_MINUTES = 30
    settings.DOCKET_SESSION_HOURS = 8


@pytest.fixture
def signed_in(client):
    User.objects.create_user(username="li", password="correct-horse-battery")
    assert client.post("/login/", {"username": "li", "password": "correct-horse-battery"}).status_code == 302
    return client


def test_idle_for_longer_than_the_limit_signs_out(signed_in):
    start = clock.now()
    with time_machine.travel(start, tick=False) as t:
        assert signed_in.get("/complaints/").status_code == 200
        t.move_to(start + timedelta(minutes=29))
        assert signed_in.get("/complaints/").status_code == 200
        t.move_to(start + timedelta(minutes=29 + 31))
        response = signed_in.get("/complaints/")
        assert response.status_code == 302 and response["Location"].startswith("/login/")
        assert SESSION_KEY not in signed_in.session
        assert "您已较长时间未操作" in signed_in.get(response["Location"]).content.decode()


def test_activity_does_not_extend_past_the_absolute_limit(signed_in):
    start = clock.now()
    with time_machine.travel(start, tick=False) as t:
        signed_in.get("/complaints/")
        for minutes in range(20, 8 * 60, 20):  # busy all day, never idle for long
            t.move_to(start + timedelta(minutes=minutes))
            assert signed_in.get("/complaints/").status_code == 200, minutes
        t.move_to(start + timedelta(hours=8, minutes=1))
        response = signed_in.get("/complaints/")
        assert response.status_code == 302
        assert "登录已超过有效时长" in signed_in.get(response["Location"]).content.decode()


def test_last_seen_is_written_at_most_once_a_minute(signed_in):
    start = clock.now()
    with time_machine.travel(start, tick=False) as t:
        signed_in.get("/complaints/")
        key = signed_in.session.session_key
        before = Session.objects.get(session_key=key).session_data
        for seconds in (5, 20, 40, 59):
            t.move_to(start + timedelta(seconds=seconds))
            signed_in.get("/complaints/")
            assert Session.objects.get(session_key=key).session_data == before, seconds
        t.move_to(start + timedelta(seconds=61))
        signed_in.get("/complaints/")
        assert Session.objects.get(session_key=key).session_data != before


@override_settings(DOCKET_SESSION_IDLE_MINUTES=0, DOCKET_SESSION_HOURS=0)
def test_limits_can_be_switched_off(signed_in):
    start = clock.now()
    with time_machine.travel(start, tick=False) as t:
        signed_in.get("/complaints/")
        t.move_to(start + timedelta(hours=3))
        assert signed_in.get("/complaints/").status_code == 200


def test_production_session_settings():
    from config.settings import base

    assert base.SESSION_COOKIE_AGE == 8 * 3600
    assert base.DOCKET_SESSION_IDLE_MINUTES == 30
