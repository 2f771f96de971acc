"""Every API error is `{"code", "message", "fields"}`: a stable machine-readable code, a human message
(Chinese by default, English with `Accept-Language: en`) and, for validation errors, one entry per bad
field. Domain refusals keep the codes and statuses of `docket.core.errors`; the few codes that only the
API can produce (authentication, idempotency, transport) are listed here in the same shape.
"""

from __future__ import annotations

import functools
import logging
from typing import Any

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.utils.translation import gettext_lazy as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError

from docket.core.errors import DomainError

logger = logging.getLogger(__name__)

# code -> (HTTP status, message template). Codes never change meaning once released.
API_ERRORS: dict[str, tuple[int, Any]] = {
    "bad_request": (400, _("请求格式有误：{detail}")),
    "unauthenticated": (401, _("未登录，或接口密钥无效、已吊销。")),
    "forbidden": (403, _("请求被拒绝：{detail}")),
    "method_not_allowed": (405, _("不支持该请求方法。")),
    "idempotency_mismatch": (409, _("该 Idempotency-Key 已用于内容不同的请求，请换一个新的键。")),
    "too_large": (413, _("请求内容过大。")),
    "throttled": (429, _("请求过于频繁，请稍后再试。")),
    "server_error": (500, _("服务器内部错误，请稍后重试。")),
}


class ApiError(Exception):
    """A refusal made by the API layer itself (codes in API_ERRORS)."""

    def __init__(self, code: str, **params: object) -> None:
        if code not in API_ERRORS:
            raise ValueError(f"unknown API error code {code!r}")
        self.code, self.params = code, params
        super().__init__(f"{code}: {params}")

    @property
    def status(self) -> int:
        return API_ERRORS[self.code][0]

    @property
    def message(self) -> str:
        template = str(API_ERRORS[self.code][1])
        try:
            return template.format(**{k: str(v) for k, v in self.params.items()})
        except (KeyError, IndexError):
            return template


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
    if isinstance(exc, DomainError | ApiError):
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

    @api.exception_handler(DomainError)
    def domain_error(request, exc: DomainError):
        return respond(request, exc.status, error_body(exc.code, exc.message))

    @api.exception_handler(ApiError)
    def api_error(request, exc: ApiError):
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
        logger.exception("API error on %s %s", request.method, request.path, exc_info=exc)
        return respond(request, 500, error_body("server_error", ApiError("server_error").message))
