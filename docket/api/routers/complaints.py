"""Complaints: list, read, file, timeline and hash chain. Each handler: parse → access → one
service or selector → render."""

from __future__ import annotations

from typing import Literal

from django.http import HttpResponse
from ninja import Path, Query, Router, Schema
from pydantic import Field, field_validator

from docket.complaints import access, privacy, selectors, services
from docket.complaints.events import chain_verify
from docket.complaints.models import Kind, State
from docket.core import clock
from docket.core.errors import DomainError

from .. import render
from .. import selectors as api_selectors
from ..idempotency import IdempotencyKey, idempotent
from ..pagination import paginate_newest_first
from ..schemas.common import ERROR_STATUSES, MAX_ID, ApiDateTime, ErrorOut, Id, check_text
from ..schemas.complaints import ChainOut, ComplaintDetail, ComplaintPage, EventOut
from ..schemas.intake import ComplaintIn

router = Router(tags=["complaints"])
ComplaintId = Path(..., ge=1, le=MAX_ID, description="the complaint's id")


class ListQuery(Schema):
    # Optional filters default to None without being nullable: absent means "any".
    state: Literal[tuple(State.values)] = None  # type: ignore[valid-type,assignment]
    office: Id = Field(None, description="office id")  # type: ignore[assignment]
    kind: Literal[tuple(Kind.values)] = None  # type: ignore[valid-type,assignment]
    overdue: bool = Field(False, description="only complaints with something past its due time")
    updated_since: ApiDateTime = Field(None, description="changed at or after (for syncing)")  # type: ignore[assignment]
    cursor: str = Field(
        None,
        max_length=200,
        pattern=r"^[A-Za-z0-9_-]+$",  # type: ignore[assignment]
        description="`next_cursor` of the previous page",
    )
    limit: int = Field(50, ge=1, le=200)

    @field_validator("cursor")
    @classmethod
    def _text(cls, value):
        return check_text(value)


@router.get(
    "/complaints",
    response={200: ComplaintPage, ERROR_STATUSES: ErrorOut},
    operation_id="complaints_list",
    summary="List the complaints the caller may see, newest first",
)
def complaints_list(request, q: Query[ListQuery]):
    filters = selectors.ListFilters(
        state=q.state or "",
        office_id=q.office,
        kind=q.kind or "",
        overdue=q.overdue,
        updated_since=q.updated_since,
    )
    qs = selectors.complaint_list_for(request.auth, filters)
    page = paginate_newest_first(qs, q.cursor, q.limit)
    now = clock.now()
    return {"items": [render.summary(c, now) for c in page.items], "next_cursor": page.next_cursor}


@router.get(
    "/complaints/{id}",
    response={200: ComplaintDetail, ERROR_STATUSES: ErrorOut},
    operation_id="complaints_get",
    summary="One complaint with its issues, deadlines and the actions the caller may take now",
)
def complaints_get(request, id: int = ComplaintId):
    complaint = access.access_complaint(request.auth, id)
    return render.detail(api_selectors.complaint_for_render(complaint.id), request.auth)


@router.post(
    "/complaints",
    response={201: ComplaintDetail, ERROR_STATUSES: ErrorOut},
    operation_id="complaints_create",
    summary="File a complaint (complaint_register)",
)
def complaints_create(
    request, response: HttpResponse, payload: ComplaintIn, idempotency_key: str = IdempotencyKey
):
    def act():
        registered = services.complaint_register(
            actor=request.auth, data=payload.to_input(), close_on_spot_note=payload.close_on_spot_note
        )
        parts = registered.parts()
        if parts is None:  # closed on the spot: read back as it is now
            complaint = api_selectors.complaint_for_render(registered.complaint.id)
            return 201, render.detail(complaint, request.auth)
        return 201, render.detail(registered.complaint, request.auth, parts)

    return idempotent(request, response, idempotency_key, act, ComplaintDetail)


@router.get(
    "/complaints/{id}/events",
    response={200: list[EventOut], ERROR_STATUSES: ErrorOut},
    operation_id="complaints_events",
    summary="The timeline (all events, or the complainant's public one)",
)
def complaints_events(request, id: int = ComplaintId, public: bool = False):
    complaint = access.access_complaint(request.auth, id)
    public = public or privacy.public_only(request.auth, complaint)  # the committee: the public view only
    return [
        render.event(e, public_view=public) for e in selectors.timeline_for(complaint, public_only=public)
    ]


@router.get(
    "/complaints/{id}/chain",
    response={200: ChainOut, ERROR_STATUSES: ErrorOut},
    operation_id="complaints_chain",
    summary="The hash-chained record with every hashed field, and the result of verifying it",
)
def complaints_chain(request, id: int = ComplaintId):
    complaint = access.access_complaint(request.auth, id)
    if privacy.public_only(request.auth, complaint):
        raise DomainError("not_found")  # every hashed field, internal ones too: not for the public view
    events = list(selectors.timeline_for(complaint))
    return render.chain(complaint, events, chain_verify(complaint))
