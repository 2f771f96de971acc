"""Password rules and hashing (R-ORG-4)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import override_settings

from config.settings import base
from docket.accounts.models import User


@pytest.mark.parametrize("weak", ["12345678", "password", "1234567890123", "qwertyuiop", "short1!"])
def test_weak_passwords_are_refused(weak):
    with pytest.raises(ValidationError):
        validate_password(weak, user=User(username="alice"))


def test_a_password_like_the_user_name_is_refused():
    with pytest.raises(ValidationError) as err:
        validate_password("wangxiaoming1", user=User(username="wangxiaoming", display_name="王小明"))
    assert "相似" in " ".join(err.value.messages)  # Django's Chinese message


@pytest.mark.parametrize("username", ["reception", "qm", "admin", "yy_eng_manager"])
def test_the_readme_demo_password_passes_the_rules(username):
    validate_password("docket-demo", user=User(username=username))


@pytest.mark.django_db
def test_the_admin_password_form_refuses_a_weak_password(admin_client):
    user = User.objects.create_user(username="bob", password="Old-password-1")
    response = admin_client.post(
        f"/admin/accounts/user/{user.pk}/password/",
        {"password1": "12345678", "password2": "12345678", "usable_password": "true"},
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "这个密码太常见了" in text and "密码只包含数字" in text and "密码太短，至少需要 10 个字符" in text
    user.refresh_from_db()
    assert user.check_password("Old-password-1")


def test_production_hashes_with_argon2_first():
    assert base.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    # The test settings use MD5 for speed; the real list is checked here.
    assert settings.PASSWORD_HASHERS != base.PASSWORD_HASHERS


@pytest.mark.django_db
@override_settings(PASSWORD_HASHERS=base.PASSWORD_HASHERS)
def test_argon2_new_hashes_and_old_pbkdf2_hashes_upgraded_at_sign_in(client):
    fresh = User.objects.create_user(username="fresh", password="correct-horse-battery")
    assert fresh.password.startswith("argon2$")
    old = User.objects.create(
        username="old",
        password=make_password("correct-horse-battery", hasher="pbkdf2_sha256"),
    )
    assert old.password.startswith("pbkdf2_sha256$")
    response = client.post("/login/", {"username": "old", "password": "correct-horse-battery"})
    assert response.status_code == 302 and client.session[SESSION_KEY] == str(old.pk)
    old.refresh_from_db()
    assert old.password.startswith("argon2$")
    assert old.check_password("correct-horse-battery")
