"""Error handlers (config/urls.py): Chinese pages, and 503 when the database is unavailable."""

from __future__ import annotations

import logging
import sys

from django.http import HttpResponseServerError
from django.template import loader

from .middleware import api_error_response, is_unavailable, unavailable_response

logger = logging.getLogger(__name__)


def server_error(request):
    """handler500. Django calls it inside its `except` block, so the exception is still in sys.exc_info:
    a database that is down while the session loads (before any view runs) still answers 503. The page
    renders without the request, hence without touching the database."""
    exc = sys.exc_info()[1]
    if is_unavailable(exc):
        return unavailable_response(request)
    if request.path.startswith("/api/"):
        return api_error_response("server_error", 500)
    return HttpResponseServerError(loader.get_template("500.html").render())
