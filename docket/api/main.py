"""The REST API, version 1 (django-ninja), mounted at /api/v1/. Routers live in `routers/`; handlers
only parse, check access and call the same services as the web pages. Authentication: an API key as
a bearer token, or the web UI's session (auth.py). Errors: errors.py. OpenAPI: /api/v1/openapi.json,
committed as docs/openapi.json (`manage.py openapi_export`)."""

from django.urls import URLPattern
from ninja import NinjaAPI
from ninja.renderers import JSONRenderer

from . import errors
from .auth import AUTH
from .routers import (
    actions,
    bulk,
    complaints,
    escalation,
    fallback,
    receipts,
    records,
    reference,
    statistics,
    triage,
)
from .throttling import ApiKeyThrottle


class Utf8JSON(JSONRenderer):
    """Chinese text as UTF-8, not \\u escapes (readable in curl and logs; same JSON)."""

    json_dumps_params = {"ensure_ascii": False}


class DocketAPI(NinjaAPI):
    """NinjaAPI whose URL views answer a wrong method with the JSON error shape (errors.json_405)."""

    def _get_urls(self):
        urls = super()._get_urls()
        for pattern in urls:
            if isinstance(pattern, URLPattern):
                pattern.callback = errors.json_405(pattern.callback)
        return urls

    def validation_error_from_error_contexts(self, error_contexts):
        """ninja drops each error's input (it may be long or personal); keep the length of a text that
        is too long, which our message states ("现有 N 个"), as pydantic does for lists."""
        lengths = [
            len(err["input"]) if err["type"] == "string_too_long" and isinstance(err["input"], str) else None
            for context in error_contexts
            for err in context.pydantic_validation_error.errors(include_url=False)
        ]
        exc = super().validation_error_from_error_contexts(error_contexts)
        for err, length in zip(exc.errors, lengths, strict=False):
            if length is not None:
                err.setdefault("ctx", {})["actual_length"] = length
        return exc


api = DocketAPI(
    title="Docket API",
    version="1.0.0",
    urls_namespace="api-v1",
    renderer=Utf8JSON(),
    auth=AUTH,
    throttle=[ApiKeyThrottle()],
    description=(
        "物业顾客投诉处理系统 Docket 的接口。认证：`Authorization: Bearer dk_<prefix>_<secret>`（接口密钥，"
        "`manage.py api_key_create` 生成），或网页登录会话。每个错误都返回 `{code, message, fields}`。"
        "POST 可带 `Idempotency-Key` 头，重试不会重复执行。请求过于频繁时返回 429 `throttled` 和 `Retry-After` 头。"
    ),
)
errors.install(api)
api.add_router("", complaints.router)
api.add_router("", actions.router)
api.add_router("", records.router)
api.add_router("", reference.router)
api.add_router("", statistics.router)
api.add_router("", receipts.router)
api.add_router("", triage.router)
api.add_router("", escalation.router)  # escalation (issue 12)
api.add_router("", bulk.router)  # bulk hand-over (issue 14)
api.add_router("", fallback.router)  # last: unknown paths answer JSON 404
