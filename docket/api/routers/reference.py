"""Reference data in the caller's scope: categories and offices."""

from __future__ import annotations

from ninja import Router

from .. import selectors
from ..schemas.common import ERROR_STATUSES, ErrorOut
from ..schemas.reference import CategoryOut, OfficeOut

router = Router(tags=["reference"])


@router.get(
    "/categories",
    response={200: list[CategoryOut], ERROR_STATUSES: ErrorOut},
    operation_id="categories_list",
    summary="The complaint category trees of the caller's companies",
)
def categories_list(request):
    return [
        {
            "id": c.id,
            "company_id": c.company_id,
            "parent_id": c.parent_id,
            "name": c.name,
            "path": str(c),
            "developer_related": c.developer_related,
            "active": c.active,
        }
        for c in selectors.categories_visible_to(request.auth)
    ]


@router.get(
    "/offices",
    response={200: list[OfficeOut], ERROR_STATUSES: ErrorOut},
    operation_id="offices_list",
    summary="The management offices in the caller's scope",
)
def offices_list(request):
    return [
        {
            "id": o.id,
            "code": o.code,
            "name": o.name,
            "company_id": o.company_id,
            "community": _community(o),
            "phone": o.phone,
        }
        for o in selectors.offices_visible_to(request.auth)
    ]


def _community(office) -> str | None:
    try:
        return office.community.name
    except office._meta.model.community.RelatedObjectDoesNotExist:
        return None
