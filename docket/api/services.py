"""API services: creating, revoking and checking integration keys; expiring idempotency records.

Key format: `dk_<prefix>_<secret>`; `prefix` (8 hex characters) finds the row, the secret is compared by
its SHA-256 digest in constant time. The secret exists only in the return value of `api_key_create`.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import transaction

from docket.accounts.access import forget
from docket.accounts.backends import CachedModelBackend
from docket.accounts.models import ROLE_SCOPE, Role, Scope, User
from docket.accounts.services import role_grant
from docket.core import clock
from docket.core.compiled import Compiled
from docket.org.models import Company, Office

from .models import ApiKey, IdempotencyRecord

TOKEN_PREFIX = "dk"
IDEMPOTENCY_TTL = timedelta(hours=24)
# Touch last_used_at at most this often, so a busy integration does not write on every request.
LAST_USED_GRANULARITY = timedelta(minutes=1)


class ApiKeyError(ValueError):
    """A key that cannot be created as asked (wrong scope for the role, unknown role)."""


def secret_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def api_key_create(
    *,
    actor: User | None,
    name: str,
    role: str,
    office: Office | None = None,
    company: Company | None = None,
    compensation_limit: Decimal | None = None,
) -> tuple[ApiKey, str]:
    """Create a key, its service user and the user's one role; return the key and the full token
    (shown once). Office roles (reception, office manager) need `office`; company roles (QM, general
    office, management representative, leadership) need `company`. `compensation_limit` is the approval
    limit of the service user's role (R-HDL-7); none by default, so a key approves no compensation."""
    name = (name or "").strip()
    if not name:
        raise ApiKeyError("name is required")
    if role not in Role.values:
        raise ApiKeyError(f"unknown role {role!r}")
    if (office is None) == (company is None):
        raise ApiKeyError("give exactly one of office or company")
    scope = ROLE_SCOPE[role]
    if office is not None and scope != Scope.OFFICE:
        raise ApiKeyError(f"role {role} is not held in an office (it needs --company)")
    if company is not None and scope != Scope.COMPANY:
        raise ApiKeyError(f"role {role} is not held in a company (it needs --office)")
    if company is None:
        assert office is not None  # exactly one of them is given (checked above)
        company = office.company
    prefix = secrets.token_hex(4)
    while ApiKey.objects.filter(prefix=prefix).exists():  # pragma: no cover - 1 in 4 billion
        prefix = secrets.token_hex(4)
    secret = secrets.token_urlsafe(32)
    user = User.objects.create(
        username=f"api-{prefix}",
        display_name=f"接口·{name}"[:50],
        password=make_password(None),
        is_service=True,
    )
    role_grant(user=user, role=role, scope_obj=office or company, compensation_limit=compensation_limit)
    key = ApiKey.objects.create(
        name=name[:100],
        prefix=prefix,
        secret_hash=secret_digest(secret),
        role=role,
        company=company,
        office=office,
        user=user,
        created_at=clock.now(),
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    return key, f"{TOKEN_PREFIX}_{prefix}_{secret}"


@transaction.atomic
def api_key_revoke(*, actor: User | None, key_id: int) -> ApiKey:
    """Revoke a key for good: it never authenticates again and its service user is deactivated."""
    key = ApiKey.objects.select_for_update().select_related("user").get(pk=key_id)
    if key.revoked_at is None:
        key.revoked_at = clock.now()
        key.save(update_fields=["revoked_at"])
        key.user.is_active = False
        key.user.save(update_fields=["is_active"])
        forget(key.user)
    return key


# The key row by its public prefix (unique), compiled once per process (core/compiled.py): read on every
# request made with a key, so that a revoked key stops at once.
_key_by_prefix = Compiled(lambda prefix: ApiKey.objects.filter(prefix=prefix))


def api_key_authenticate(token: str) -> ApiKey | None:
    """The active key for a full token, or None. Records `last_used_at` (coarsely)."""
    parts = token.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX or not parts[1] or not parts[2]:
        return None
    found = _key_by_prefix(parts[1][:16])
    key = found[0] if found else None
    if key is None or key.revoked_at is not None:
        return None
    if not hmac.compare_digest(key.secret_hash, secret_digest(parts[2])):
        return None
    # The key's user with their role assignments from the per-process cache the web sessions use
    # (docket.core.generations: reloaded when the user, a role assignment or the organisation changed).
    user = CachedModelBackend().get_user(key.user_id)
    if user is None or not user.is_active:
        return None
    key.user = user
    now = clock.now()
    if key.last_used_at is None or now - key.last_used_at >= LAST_USED_GRANULARITY:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now
    return key


def idempotency_purge(*, now=None) -> int:
    """Delete idempotency records past their 24 h lifetime; returns how many."""
    cutoff = (now or clock.now()) - IDEMPOTENCY_TTL
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted
