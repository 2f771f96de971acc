"""Anything under /api/v1/ that matches no operation answers 404 `not_found` in the error shape, not
Django's HTML page. Mounted last; not in the schema."""

from __future__ import annotations

from ninja import Router

from docket.core.errors import DomainError

router = Router()


@router.api_operation(
    ["GET", "POST", "PUT", "PATCH", "DELETE"], "/{path:rest}", auth=None, include_in_schema=False
)
def unknown(request, rest: str):
    raise DomainError("not_found")
