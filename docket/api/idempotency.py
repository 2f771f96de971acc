"""`Idempotency-Key` on POSTs: a retried request with the same key and the same body gets the stored
response without acting again; the same key with another body gets 409 `idempotency_mismatch`.

The record is inserted, the action run and the response stored in one transaction. A concurrent
identical request therefore waits — on PostgreSQL at the unique index until the first commits, on
SQLite at BEGIN IMMEDIATE — and then finds the stored response. If the first request fails
unexpectedly everything rolls back, the key stays free and a retry acts. Refusals (4xx) are stored
and replayed like successes: the outcome of a request does not change when it is retried.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable

from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse
from ninja import Header, Schema
from ninja.responses import Status

from docket.core import clock
from docket.core.errors import DomainError

from .errors import ApiError, FormInvalid, body_for
from .models import IdempotencyRecord
from .schemas.common import ErrorOut
from .services import IDEMPOTENCY_TTL

KEY_PATTERN = r"^[\x21-\x7e]{1,100}$"

IdempotencyKey = Header(
    None,
    alias="Idempotency-Key",
    pattern=KEY_PATTERN,
    description="any unique string (e.g. a UUID) per logical request; retries with the same key and body "
    "get the first response without acting again (kept 24 h)",
)


def request_hash(request: HttpRequest) -> str:
    try:
        body = json.dumps(
            json.loads(request.body or b"null"), sort_keys=True, separators=(",", ":"), ensure_ascii=True
        )
    except ValueError:
        body = request.body.hex()
    return hashlib.sha256(f"{request.method}\n{request.path}\n{body}".encode()).hexdigest()


def _normalised(status: int, body: dict, schema: type[Schema]) -> tuple[dict, Schema]:
    """The body exactly as it will be sent (so a replay is byte-identical), and the validated answer.
    The answer is sent as the schema's instance: ninja renders an instance of the response schema without
    validating it again (the same bytes as the stored body validated anew, which a replay sends)."""
    model = (schema if status < 400 else ErrorOut).model_validate(body)
    return model.model_dump(mode="json"), model


def _claim(request: HttpRequest, key: str, digest: str, now) -> IdempotencyRecord:
    """The record for (caller, key): inserted now (one statement; a concurrent twin's insert waits on the
    unique index until the first commits or rolls back), or the existing one, locked."""
    user = request.auth  # type: ignore[attr-defined]  # set by ninja's authentication
    api_key = getattr(request, "api_key", None)
    method, path = request.method or "", request.path[:300]
    table = IdempotencyRecord._meta.db_table
    with connection.cursor() as cur:
        cur.execute(
            f"INSERT INTO {table} (user_id, api_key_id, key, request_hash, method, path, created_at) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT (user_id, key) DO NOTHING RETURNING id",
            [
                user.pk,
                api_key.pk if api_key else None,
                key,
                digest,
                method,
                path,
                connection.ops.adapt_datetimefield_value(now),
            ],
        )
        row = cur.fetchone()
    if row is not None:
        return IdempotencyRecord(
            id=row[0],
            user=user,
            api_key=api_key,
            key=key,
            request_hash=digest,
            method=method,
            path=path,
            created_at=now,
        )
    record = IdempotencyRecord.objects.select_for_update().get(user=user, key=key)
    if record.created_at <= now - IDEMPOTENCY_TTL:  # expired: the key starts afresh
        record.request_hash, record.status, record.body, record.created_at = digest, None, None, now
        record.method, record.path = method, path
        record.save()
    return record


def idempotent(
    request: HttpRequest,
    response: HttpResponse,
    key: str | None,
    act: Callable[[], tuple[int, dict]],
    schema: type[Schema],
) -> Status:
    """Run `act` (which calls one service and returns (status, body)) at most once per key."""
    if key is None:
        return Status(*act())
    digest = request_hash(request)
    with transaction.atomic():
        record = _claim(request, key, digest, clock.now())
        if record.request_hash != digest:
            raise ApiError("idempotency_mismatch")
        if record.status is not None:
            response["Idempotent-Replayed"] = "true"
            return Status(record.status, record.body)
        try:
            status, body = act()
        except (DomainError, ApiError, FormInvalid) as exc:
            status, body = body_for(exc)
        record.status, (record.body, answer) = status, _normalised(status, body, schema)
        _store(record)
    return Status(record.status, answer)


def _store(record: IdempotencyRecord) -> None:
    """`record.save(update_fields=["status", "body"])` in one statement written once (like `_claim`)."""
    table = IdempotencyRecord._meta.db_table
    body = IdempotencyRecord._meta.get_field("body").get_db_prep_save(record.body, connection)
    with connection.cursor() as cur:
        cur.execute(
            f"UPDATE {table} SET status = %s, body = %s WHERE id = %s", [record.status, body, record.pk]
        )
