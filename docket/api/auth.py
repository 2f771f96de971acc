"""Authentication: an integration's API key as a bearer token, or the web UI's session.

Both give `request.auth` = the acting user (for a key, the key's service user), which every handler
passes to the services as `actor`; the permission policy does the rest. `request.api_key` is the key
(or None) for the idempotency store.
"""

from __future__ import annotations

from ninja.security import HttpBearer, SessionAuth

from .services import api_key_authenticate


class ApiKeyAuth(HttpBearer):
    """`Authorization: Bearer dk_<prefix>_<secret>`."""

    def authenticate(self, request, token):
        key = api_key_authenticate(token)
        if key is None:
            return None
        request.api_key = key
        return key.user


class WebSession(SessionAuth):
    """Ninja's `django_auth` (session cookie, CSRF checked on unsafe methods), asked only when someone
    is signed in, so an anonymous request with a bad token gets 401 rather than a CSRF refusal."""

    def _get_key(self, request):
        if not request.user.is_authenticated:
            return None
        request.api_key = None
        return super()._get_key(request)


api_key_auth = ApiKeyAuth()
session_auth = WebSession()
AUTH = [api_key_auth, session_auth]
