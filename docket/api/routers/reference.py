"""Reference data in the caller's scope: categories, offices and their communities, buildings, units,
rooms and departments."""

from __future__ import annotations

from ninja import Path, Query, Router, Schema
from pydantic import Field

from .. import selectors
from ..schemas.common import ERROR_STATUSES, MAX_ID, ErrorOut, Id
from ..schemas.reference import BuildingOut, CategoryOut, DepartmentOut, OfficeDetail, OfficeOut, RoomPage

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


def _community_of(office):
    """The office's community, or None (an office may exist before its community is entered)."""
    try:
        return office.community
    except office._meta.model.community.RelatedObjectDoesNotExist:
        return None


def _community(office) -> str | None:
    c = _community_of(office)
    return c.name if c else None


# --- organisation lookups: only offices and companies in the caller's scope (404 for any other) --------

OfficeId = Path(..., ge=1, le=MAX_ID, description="the office's id")


def _office_row(o) -> dict:
    return {
        "id": o.id,
        "code": o.code,
        "name": o.name,
        "company_id": o.company_id,
        "community": _community(o),
        "phone": o.phone,
    }


@router.get(
    "/offices/{id}",
    response={200: OfficeDetail, ERROR_STATUSES: ErrorOut},
    operation_id="offices_get",
    summary="One office in the caller's scope, with its community",
)
def offices_get(request, id: int = OfficeId):
    office = selectors.office_for(request.auth, id)
    c = _community_of(office)
    community = {"id": c.id, "name": c.name, "address": c.address} if c else None
    return {**_office_row(office), "community_detail": community}


@router.get(
    "/offices/{id}/buildings",
    response={200: list[BuildingOut], ERROR_STATUSES: ErrorOut},
    operation_id="offices_buildings",
    summary="The buildings of the office's community, each with its units",
)
def offices_buildings(request, id: int = OfficeId):
    office = selectors.office_for(request.auth, id)
    return [
        {"id": b.id, "name": b.name, "units": [{"id": u.id, "name": u.name} for u in b.units.all()]}
        for b in selectors.buildings_of(office)
    ]


class RoomQuery(Schema):
    building: Id = Field(None, description="only this building's rooms")  # type: ignore[assignment]
    unit: Id = Field(None, description="only this unit's rooms")  # type: ignore[assignment]
    cursor: str = Field(
        None,
        max_length=20,
        pattern=r"^[0-9]{1,16}$",  # type: ignore[assignment]
        description="`next_cursor` of the previous page",
    )
    limit: int = Field(200, ge=1, le=1000)


@router.get(
    "/offices/{id}/rooms",
    response={200: RoomPage, ERROR_STATUSES: ErrorOut},
    operation_id="offices_rooms",
    summary="The office's rooms (for `room_id` on intake), by id, a page at a time",
)
def offices_rooms(request, q: Query[RoomQuery], id: int = OfficeId):
    office = selectors.office_for(request.auth, id)
    after = int(q.cursor) if q.cursor else None
    rows = list(
        selectors.rooms_of(office, building_id=q.building, unit_id=q.unit, after_id=after)[: q.limit + 1]
    )
    more = len(rows) > q.limit
    rows = rows[: q.limit]
    return {
        "items": [
            {
                "id": r.id,
                "building_id": r.unit.building_id,
                "building": r.unit.building.name,
                "unit_id": r.unit_id,
                "unit": r.unit.name,
                "number": r.number,
                "label": str(r),
            }
            for r in rows
        ],
        "next_cursor": str(rows[-1].id) if more else None,
    }


def _department_row(d) -> dict:
    return {
        "id": d.id,
        "company_id": d.company_id,
        "office_id": d.office_id,
        "kind": d.kind,
        "kind_label": str(d.get_kind_display()),
        "name": d.name,
        "path": str(d),
    }


@router.get(
    "/offices/{id}/departments",
    response={200: list[DepartmentOut], ERROR_STATUSES: ErrorOut},
    operation_id="offices_departments",
    summary="The departments a complaint of this office can go to: the office's own and the company's",
)
def offices_departments(request, id: int = OfficeId):
    office = selectors.office_for(request.auth, id)
    return [_department_row(d) for d in selectors.departments_of_office(office)]


@router.get(
    "/companies/{id}/departments",
    response={200: list[DepartmentOut], ERROR_STATUSES: ErrorOut},
    operation_id="companies_departments",
    summary="The company's departments: company-level ones and those of its offices in the caller's scope",
)
def companies_departments(request, id: int = Path(..., ge=1, le=MAX_ID, description="the company's id")):
    company = selectors.company_for(request.auth, id)
    return [_department_row(d) for d in selectors.departments_of_company(request.auth, company)]
