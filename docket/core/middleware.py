"""Cross-cutting response middleware: the Content-Security-Policy header, and 503 instead of 500 when the
database is unavailable (R-EXP-12).

Both are cheap per request: the CSP header is one settings lookup and one header; the 503 path runs only
when a view has already failed.
"""

from __future__ import annotations

import errno
import logging

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader

from .errors import DomainError

logger = logging.getLogger(__name__)


def is_unavailable(exc: BaseException | None) -> bool:
    """The database cannot be reached or written (server down, connection lost, SQLite "database is
    locked" past its timeout, "database or disk is full"), or the disk is full for a file write."""
    if isinstance(exc, OperationalError | InterfaceError):
        return True
    return isinstance(exc, OSError) and exc.errno == errno.ENOSPC


def api_error_response(code: str, status: int) -> JsonResponse:
    """The API's error shape (docket/api/errors.py) for failures outside ninja's own handlers."""
    body = {"code": code, "message": DomainError(code).message, "fields": []}
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


def unavailable_response(request: HttpRequest) -> HttpResponse:
    """503 with Retry-After; JSON `unavailable` under /api/, else the Chinese 503 page. Renders without
    the request (no context processors), so nothing here touches the database."""
    if request.path.startswith("/api/"):
        response: HttpResponse = api_error_response("unavailable", 503)
    else:
        html = loader.get_template("503.html").render({"retry_after": settings.DOCKET_RETRY_AFTER_SECONDS})
        response = HttpResponse(html, status=503)
    response["Retry-After"] = str(settings.DOCKET_RETRY_AFTER_SECONDS)
    return response


class DatabaseUnavailableMiddleware:
    """A view (or its template) that fails because the database is unavailable answers 503, not 500.
    Failures in other middleware (loading the session) reach `config.urls.handler500`, which answers the
    same way (docket/core/views.py)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if is_unavailable(exception):
            logger.error("database unavailable on %s %s: %s", request.method, request.path, exception)
            return unavailable_response(request)
        return None


class ContentSecurityPolicyMiddleware:
    """Adds `DOCKET_CSP` to every response that does not set its own policy. Our templates carry no inline
    script, event-handler attribute or style attribute, so the policy allows only our own static files."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = settings.DOCKET_CSP
        if policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = policy
        return response
