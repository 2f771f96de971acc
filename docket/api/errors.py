"""Every API error is `{"code", "message", "fields"}`: a stable machine-readable code, a human message
(Chinese by default, English with `Accept-Language: en`) and, for validation errors, one entry per bad
field. Every code, including the few only the API can produce (authentication, idempotency, throttling,
transport), is listed in `docket.core.errors.ERRORS`.
"""

from __future__ import annotations

import functools
import logging

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError

from docket.core.errors import API_CODES, DomainError
from docket.core.middleware import is_unavailable

logger = logging.getLogger(__name__)


class ApiError(DomainError):
    """A refusal made by the API layer itself; its codes are in `docket.core.errors.ERRORS` with the
    others (`API_CODES`)."""

    def __init__(self, code: str, **params: object) -> None:
        if code not in API_CODES:
            raise ValueError(f"not an API-layer error code {code!r}")
        super().__init__(code, **params)


class FormInvalid(Exception):
    """An action's form refused its input: 422 `validation` with the form's messages per field."""

    def __init__(self, fields: list[dict]) -> None:
        self.fields = fields
        super().__init__(fields)


def error_body(code: str, message: str, fields: list[dict] | None = None) -> dict:
    return {"code": code, "message": message, "fields": fields or []}


def validation_body(fields: list[dict]) -> dict:
    detail = "；".join(f"{f['field'] or f['loc'][0]}: {f['message']}" for f in fields[:5])
    return error_body("validation", DomainError("validation", detail=detail).message, fields)


def body_for(exc: Exception) -> tuple[int, dict]:
    """(status, body) for the refusals a handler may meet while acting (also stored for idempotent
    replays)."""
    if isinstance(exc, DomainError):
        return exc.status, error_body(exc.code, exc.message)
    if isinstance(exc, FormInvalid):
        return 422, validation_body(exc.fields)
    raise TypeError(f"not a refusal: {exc!r}")  # pragma: no cover


def _ninja_fields(exc: ValidationError) -> list[dict]:
    out = []
    for err in exc.errors:
        loc = [p if isinstance(p, int) else str(p) for p in err.get("loc", ())]
        if loc[:2] == ["body", "payload"]:  # the handler's parameter name is not part of the contract
            loc = ["body", *loc[2:]]
        out.append(
            {
                "loc": loc,
                "field": ".".join(str(p) for p in loc[1:]),
                "message": str(err.get("msg", "")),
                "type": str(err.get("type", "")),
            }
        )
    return out


def json_405(view):
    """Wrap one of ninja's URL views so that a known path asked with the wrong method answers 405
    `method_not_allowed` in the error shape (ninja answers a bare HttpResponseNotAllowed)."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if isinstance(response, HttpResponseNotAllowed):
            allow = response["Allow"]
            response = JsonResponse(
                error_body("method_not_allowed", ApiError("method_not_allowed").message),
                status=405,
                json_dumps_params={"ensure_ascii": False},
            )
            response["Allow"] = allow
        return response

    return wrapper


def install(api: NinjaAPI) -> None:
    """Register the handlers that turn every exception into the error shape above."""

    def respond(request: HttpRequest, status: int, body: dict) -> HttpResponse:
        return api.create_response(request, body, status=status)

    @api.exception_handler(DomainError)  # ApiError too
    def domain_error(request, exc: DomainError):
        return respond(request, exc.status, error_body(exc.code, exc.message))

    @api.exception_handler(FormInvalid)
    def form_invalid(request, exc: FormInvalid):
        return respond(request, *body_for(exc))

    @api.exception_handler(ValidationError)
    def validation_error(request, exc: ValidationError):
        return respond(request, 422, validation_body(_ninja_fields(exc)))

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request, exc):
        response = respond(request, 401, error_body("unauthenticated", ApiError("unauthenticated").message))
        response["WWW-Authenticate"] = 'Bearer realm="docket"'
        return response

    @api.exception_handler(Throttled)
    def throttled(request, exc: Throttled):
        return respond(request, 429, error_body("throttled", ApiError("throttled").message))

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        if isinstance(exc.__cause__, RequestDataTooBig):  # ninja wraps it while reading the body
            return respond(request, 413, error_body("too_large", ApiError("too_large").message))
        code = {400: "bad_request", 403: "forbidden", 405: "method_not_allowed", 413: "too_large"}.get(
            exc.status_code, "bad_request"
        )
        status = exc.status_code if code != "bad_request" else 400
        return respond(request, status, error_body(code, ApiError(code, detail=str(exc)).message))

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return respond(request, 404, error_body("not_found", DomainError("not_found").message))

    @api.exception_handler(RequestDataTooBig)
    def too_large(request, exc):
        return respond(request, 413, error_body("too_large", ApiError("too_large").message))

    @api.exception_handler(SuspiciousOperation)
    def suspicious(request, exc):
        return respond(request, 400, error_body("bad_request", ApiError("bad_request", detail="").message))

    @api.exception_handler(Exception)
    def server_error(request, exc):
        if is_unavailable(exc):  # database down or disk full: 503, worth retrying
            logger.error("API: database unavailable on %s %s: %s", request.method, request.path, exc)
            response = respond(request, 503, error_body("unavailable", ApiError("unavailable").message))
            response["Retry-After"] = str(settings.DOCKET_RETRY_AFTER_SECONDS)
            return response
        logger.exception("API error on %s %s", request.method, request.path, exc_info=exc)
        return respond(request, 500, error_body("server_error", ApiError("server_error").message))
