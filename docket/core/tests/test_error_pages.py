"""Chinese 403/404/500/503 pages; 503 instead of 500 when the database is unavailable (R-EXP-12)."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connections
from django.test import RequestFactory
from django.views import defaults

from docket.core.views import server_error


@pytest.mark.django_db
def test_404_is_a_chinese_page(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    text = response.content.decode()
    assert "页面不存在" in text and "Not Found" not in text


@pytest.mark.django_db
def test_403_is_a_chinese_page(rf_user):
    response = defaults.permission_denied(rf_user, PermissionDenied())
    assert response.status_code == 403
    assert "无权访问" in response.content.decode()


@pytest.mark.django_db
def test_csrf_failure_is_a_chinese_page(client):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post("/login/", {"username": "x", "password": "y"})
    assert response.status_code == 403
    assert "页面已过期" in response.content.decode()


@pytest.fixture
def rf_user(db):
    from django.contrib.auth.models import AnonymousUser

    request = RequestFactory().get("/complaints/")
    request.user = AnonymousUser()
    return request


def test_500_is_a_chinese_page_rendered_without_the_database():
    # No database marker: any query here would fail the test.
    request = RequestFactory().get("/complaints/1/")
    try:
        raise ValueError("boom")
    except ValueError:
        response = server_error(request)
    assert response.status_code == 500
    text = response.content.decode()
    assert "服务器出错了" in text and "Server Error" not in text


def test_500_in_the_api_is_json():
    request = RequestFactory().get("/api/v1/complaints")
    try:
        raise ValueError("boom")
    except ValueError:
        response = server_error(request)
    assert response.status_code == 500 and json.loads(response.content)["code"] == "server_error"


# --- the database is really unavailable ---------------------------------------------------------


@pytest.fixture
def database_down(django_db_blocker):
    """Point the default connection at a database that cannot be opened (SQLite: a file in a missing
    folder; PostgreSQL: a closed port) — a real OperationalError, raised by the driver."""
    conn = connections["default"]
    saved = dict(conn.settings_dict)
    with django_db_blocker.unblock():
        conn.close()
        if conn.vendor == "sqlite":
            conn.settings_dict["NAME"] = "/nonexistent-docket-dir/docket.sqlite3"
        else:
            conn.settings_dict.update(HOST="127.0.0.1", PORT="1")
        try:
            yield
        finally:
            conn.close()
            conn.settings_dict.clear()
            conn.settings_dict.update(saved)


def _assert_503_page(response):
    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    text = response.content.decode()
    assert "系统暂时无法使用" in text and "Server Error" not in text


def test_sign_in_with_the_database_down_answers_a_503_page(client, database_down):
    # The view reaches the database (authenticate): DatabaseUnavailableMiddleware.
    response = client.post("/login/", {"username": "li", "password": "whatever-it-is"})
    _assert_503_page(response)


def test_a_session_with_the_database_down_answers_a_503_page(client, database_down):
    # The session is loaded in middleware, before any view: handler500 sees the OperationalError.
    client.cookies["sessionid"] = "x" * 32
    client.raise_request_exception = False
    _assert_503_page(client.get("/complaints/"))


def test_the_api_with_the_database_down_answers_503_json(client, database_down):
    response = client.get("/api/v1/complaints", HTTP_AUTHORIZATION="Bearer dk_abcdefgh_secret")
    assert response.status_code == 503 and response["Retry-After"] == "60"
    body = response.json()
    assert body["code"] == "unavailable" and "稍后再试" in body["message"]


def test_the_api_with_a_session_and_the_database_down_answers_503_json(client, database_down):
    client.cookies["sessionid"] = "x" * 32
    client.raise_request_exception = False
    response = client.get("/api/v1/complaints")
    assert response.status_code == 503 and response.json()["code"] == "unavailable"


@pytest.mark.django_db
def test_disk_full_on_sqlite_answers_503(client, org, caplog):
    """SQLite's own "database or disk is full" (SQLITE_FULL): the file may not grow past its current
    pages, and a complaint with a long description needs more."""
    conn = connections["default"]
    if conn.vendor != "sqlite":
        pytest.skip("SQLite's page limit")
    client.force_login(org.a.users["reception"])
    with conn.cursor() as cursor:
        cursor.execute("PRAGMA page_size")
        page_size = cursor.fetchone()[0]
        cursor.execute("PRAGMA freelist_count")
        free = cursor.fetchone()[0]
        # Use up the free pages (rolled back with the test), so the complaint needs new ones.
        cursor.execute("CREATE TABLE IF NOT EXISTS docket_test_filler (b BLOB)")
        cursor.execute("INSERT INTO docket_test_filler VALUES (zeroblob(%s))", [(free + 1) * page_size])
        cursor.execute("PRAGMA page_count")
        cursor.execute(f"PRAGMA max_page_count = {cursor.fetchone()[0]}")
    try:
        response = client.post(
            "/complaints/new/",
            {
                "office": org.a.office.id,
                "kind": "complaint",
                "channel": "office",
                "method": "phone",
                "complainant_phone": "13900001111",
                "complainant_name": "李",
                "room": org.a.room.id,
                "people_count": 1,
                "subject": "楼道灯不亮",
                "description": "楼道灯一周未修。" * 2000,  # 16 000 characters: within the limit, many pages
                "issues": "楼道灯不亮",
            },
        )
    finally:
        with conn.cursor() as cursor:
            cursor.execute("PRAGMA max_page_count = 1073741823")
    _assert_503_page(response)
    assert "database or disk is full" in caplog.text
