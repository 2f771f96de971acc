"""A small keyset ("cursor") paginator over (received_at, id), newest first.

Each page is one query with `LIMIT n + 1` after the last row seen, whatever the page number, and rows
added or changed between pages never shift the pages (unlike offsets). The cursor is opaque to clients:
URL-safe base64 of `[received_at ISO, id]`.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, QuerySet
from ninja.errors import ValidationError

from .schemas.common import MAX_ID


@dataclass
class Page:
    items: list
    next_cursor: str | None


def encode_cursor(received_at: datetime, pk: int) -> str:
    raw = json.dumps([received_at.isoformat(), pk], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        when, pk = json.loads(raw)
        when = datetime.fromisoformat(when)
        if when.tzinfo is None or not isinstance(pk, int) or isinstance(pk, bool) or not 0 < pk <= MAX_ID:
            raise ValueError(cursor)
        return when, pk
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError) as exc:
        raise ValidationError(
            [{"loc": ("query", "cursor"), "msg": "无效的翻页游标", "type": "cursor"}]
        ) from exc


def paginate_newest_first(qs: QuerySet, cursor: str | None, limit: int) -> Page:
    """`qs` must be ordered by ("-received_at", "-id")."""
    if cursor:
        when, pk = decode_cursor(cursor)
        qs = qs.filter(Q(received_at__lt=when) | Q(received_at=when, id__lt=pk))
    rows = list(qs[: limit + 1])
    if len(rows) > limit:
        last = rows[limit - 1]
        return Page(rows[:limit], encode_cursor(last.received_at, last.id))
    return Page(rows, None)
