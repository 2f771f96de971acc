"""API test fixtures: keys per role and scope, and clients that send them."""

from __future__ import annotations

import pytest
from django.test import Client

from docket.accounts.models import Role
from docket.api.services import api_key_create

BASE = "/api/v1"


class Api:
    """A Django test client that speaks JSON to /api/v1 with a bearer token (or none)."""

    def __init__(self, token: str | None = None, **headers):
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self.client = Client(headers=headers)

    def get(self, path, params=None, **headers):
        return self.client.get(BASE + path, params or {}, headers=headers)

    def post(self, path, body=None, **headers):
        return self.client.post(
            BASE + path, body if body is not None else {}, content_type="application/json", headers=headers
        )


@pytest.fixture(autouse=True)
def _fresh_throttle_counts(monkeypatch):
    """Throttle counters live in the cache (a shared Redis in the PostgreSQL pass): each test counts
    under its own prefix, so no test inherits another's requests."""
    import uuid

    from docket.core import ratelimit

    monkeypatch.setattr(ratelimit, "KEY_PREFIX", f"throttle-test-{uuid.uuid4().hex}")


@pytest.fixture
def make_key(org):
    def make(role=Role.RECEPTION, *, office=None, company=None, name="测试接口"):
        if office is None and company is None:
            office = org.a.office
        return api_key_create(actor=None, name=name, role=role, office=office, company=company)

    return make


@pytest.fixture
def api_a(make_key) -> Api:
    """Reception of office A (朝阳园)."""
    _key, token = make_key()
    return Api(token)


@pytest.fixture
def api_b(make_key, org) -> Api:
    """Reception of office B (丽雅苑)."""
    _key, token = make_key(office=org.b.office)
    return Api(token)


@pytest.fixture
def anon() -> Api:
    return Api()
