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
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError

from docket.complaints.services import inputs
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


# pydantic's error types -> our validation codes (the codes Django's form fields use, so the page and the
# API name a problem alike; messages from `complaints.services.inputs.MESSAGES`, Chinese by default).
_PYDANTIC_CODES = {
    "missing": "required",
    "string_too_long": "max_length",
    "string_too_short": "min_length",
    "too_long": "max_items",
    "extra_forbidden": "unknown_field",
    "literal_error": "invalid_choice",
    "enum": "invalid_choice",
    "greater_than_equal": "min_value",
    "greater_than": "min_value",
    "less_than_equal": "max_value",
    "less_than": "max_value",
    "decimal_max_digits": "max_digits",
    "decimal_max_places": "max_decimal_places",
    "decimal_whole_digits": "max_whole_digits",
}
# A value of the wrong type: code `invalid`, with a message naming what was expected.
_EXPECTED = (
    ("int_", "invalid_integer"),
    ("bool_", "invalid_boolean"),
    ("string_", "invalid_text"),
    ("datetime_", "invalid_datetime"),
    ("date_", "invalid_datetime"),
    ("timezone_", "invalid_datetime"),
    ("decimal_", "invalid_number"),
    ("float_", "invalid_number"),
    ("dict_", "invalid_object"),
    ("model_", "invalid_object"),
    ("list_", "invalid_list"),
    ("tuple_", "invalid_list"),
)


def field_problem(err: dict) -> tuple[str, str]:
    """(stable code, message) of one pydantic error; never pydantic's English."""
    kind, ctx = str(err.get("type", "")), err.get("ctx") or {}
    if kind in inputs.MESSAGES:  # raised by our own validators (PydanticCustomError) with our code
        return kind, inputs.message(kind, **ctx)
    if kind == "value_error" and ctx.get("error"):  # a validator's own ValueError, written in Chinese
        return "invalid", str(ctx["error"])
    code = _PYDANTIC_CODES.get(kind)
    if code is not None:
        limit = next((ctx[k] for k in ("max_length", "min_length", "ge", "gt", "le", "lt") if k in ctx), "")
        params = {
            "limit_value": limit,
            "show_value": ctx.get("actual_length", ""),
            "max": ctx.get("max_digits", ctx.get("decimal_places", ctx.get("whole_digits", ""))),
        }
        return code, inputs.message(code, **params)
    expected = next((m for prefix, m in _EXPECTED if kind.startswith(prefix)), "invalid")
    return "invalid", inputs.message(expected)


def _ninja_fields(exc: ValidationError) -> list[dict]:
    out = []
    for err in exc.errors:
        loc = [p if isinstance(p, int) else str(p) for p in err.get("loc", ())]
        if loc[:2] == ["body", "payload"]:  # the handler's parameter name is not part of the contract
            loc = ["body", *loc[2:]]
        code, message = field_problem(err)
        out.append(
            {
                "loc": loc,
                "field": ".".join(str(p) for p in loc[1:]),
                "message": message,
                "type": code,
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


def _http_detail(exc: HttpError) -> str:
    """What went wrong, in the user's language: ninja's HttpError carries English ("Cannot parse request body",
    "CSRF check Failed"), never shown as it is."""
    import json

    cause = exc.__cause__
    if isinstance(cause, UnicodeDecodeError):
        return str(_("请求体不是 UTF-8 编码的文本"))
    if isinstance(cause, json.JSONDecodeError):
        return str(
            _("请求体不是有效的 JSON（第 %(line)s 行第 %(col)s 列）")
            % {"line": cause.lineno, "col": cause.colno}
        )
    if exc.status_code == 400:
        return str(_("请求体无法解析，应为 JSON 对象"))
    if exc.status_code == 403 and "csrf" in str(exc).lower():
        return str(_("缺少有效的 CSRF 令牌（使用网页会话调用接口时须带上 X-CSRFToken 请求头）"))
    return str(_("请求无法处理"))


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
        return respond(request, status, error_body(code, ApiError(code, detail=_http_detail(exc)).message))

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
