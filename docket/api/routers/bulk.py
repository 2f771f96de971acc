"""Bulk hand-over (issue 14): `POST /complaints/bulk/hand-over` hands several complaints to one department
(and person) with each complaint's own 派单 or 转派 (`services.complaints_hand_over`) and answers per
complaint whether it was done or refused, with the refusal's stable code. The request as a whole is refused
only when it is malformed (422), or the caller holds no role that hands over (403 `forbidden_action`)."""

from __future__ import annotations

from django.http import HttpResponse
from ninja import Router, Schema
from pydantic import Field

from docket.complaints import services
from docket.complaints.services import inputs
from docket.complaints.services.bulk import BULK_MAX

from ..idempotency import IdempotencyKey, idempotent
from ..schemas.actions import IssueKey
from ..schemas.common import ERROR_STATUSES, ErrorOut, Id, InputSchema

router = Router(tags=["actions"])


class BulkHandOverIn(InputSchema):
    complaint_ids: list[Id] = Field(
        ..., min_length=1, max_length=BULK_MAX, description="the complaints to hand over (each on its own)"
    )
    department_id: Id = Field(..., description="the department they go to")
    responsible_id: Id | None = Field(None, description="the responsible person, of that department")
    reason: str = Field(
        "",
        max_length=inputs.TEXT_MAX,
        description="转派原因: required for complaints a department already holds",
    )
    versions: dict[IssueKey, Id] = Field(
        default_factory=dict,
        description="{complaint id: the version the caller saw} (optional; a changed complaint is refused "
        "with `conflict`)",
    )


class BulkItemOut(Schema):
    id: int
    receipt_no: str = Field(description="empty when the complaint is not visible to the caller")
    ok: bool
    action: str = Field(description="`assign` (派单) or `transfer` (转派): the action tried; empty if none")
    code: str | None = Field(description="the refusal's stable code (see the error codes); null when done")
    message: str | None = Field(description="the refusal as a person reads it; null when done")


class BulkHandOverOut(Schema):
    done: int
    refused: int
    results: list[BulkItemOut]


@router.post(
    "/complaints/bulk/hand-over",
    response={200: BulkHandOverOut, ERROR_STATUSES: ErrorOut},
    operation_id="complaints_bulk_hand_over",
    summary="Hand several complaints over at once (派单/转派 each), with a result per complaint",
)
def complaints_bulk_hand_over(
    request, response: HttpResponse, payload: BulkHandOverIn, idempotency_key: str = IdempotencyKey
):
    def act():
        results = services.complaints_hand_over(
            actor=request.auth,
            complaint_ids=payload.complaint_ids,
            department_id=payload.department_id,
            responsible_id=payload.responsible_id,
            reason=payload.reason,
            versions={int(k): v for k, v in payload.versions.items()},
        )
        items = [
            {
                "id": r.complaint_id,
                "receipt_no": r.receipt_no,
                "ok": r.ok,
                "action": r.action,
                "code": r.code or None,
                "message": r.message or None,
            }
            for r in results
        ]
        done = sum(1 for r in results if r.ok)
        return 200, {"done": done, "refused": len(results) - done, "results": items}

    return idempotent(request, response, idempotency_key, act, BulkHandOverOut)
