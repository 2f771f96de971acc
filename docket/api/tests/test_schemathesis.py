"""Schemathesis against the committed schema, in-process through Django's WSGI application (no
network server): a few generated requests per operation, checking for server errors and for responses
that do not match the schema (status codes, content types, bodies, headers).

Requests run inside the test's transaction: Django's per-request connection cleanup is switched off
for the duration, as Django's own test client does.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from docket.accounts.models import Role
from docket.api.services import api_key_create
from docket.complaints.models import Complaint

# Bounded: a few fuzzed examples per operation; the coverage phase (boundary values of every field) for
# the reads and intake, not for the 37 action operations, which share one body pattern.
CONFIG = schemathesis.Config.from_dict(
    {
        "seed": 20261127,
        "generation": {"max-examples": 4},
        "operations": [{"include-path-regex": "/actions/", "phases": {"coverage": {"enabled": False}}}],
    }
)
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application(), config=CONFIG)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
    ignored_auth,
]


@pytest.fixture
def in_test_transaction():
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def target(org, complaint_factory, in_test_transaction):
    """A QM key (company-wide, may take most actions) and one complaint to aim at."""
    _key, token = api_key_create(actor=None, name="schemathesis", role=Role.QM, company=org.company)
    return {"token": token, "complaint": complaint_factory(), "office": org.a.office}


@pytest.mark.django_db
@schema.parametrize()
@settings(deadline=None, database=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema(case, target):
    complaint = target["complaint"]
    if "id" in (case.path_parameters or {}):
        case.path_parameters["id"] = complaint.id  # aim at a real record so forms and services run
    if isinstance(case.body, dict):
        if "office_id" in case.body:
            case.body["office_id"] = target["office"].id
        if isinstance(case.body.get("version"), int) and case.body["version"] % 2:
            case.body["version"] = Complaint.objects.get(pk=complaint.pk).version
    case.call_and_validate(headers={"Authorization": f"Bearer {target['token']}"}, checks=CHECKS)
