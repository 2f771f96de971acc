"""A complaint's obligations (deadlines) and attachments: list them, download one. Each starts from
`access_complaint`, so a complaint the caller may not see answers 404 like a missing one. Uploading is the
`attachment_add` action (base64 in JSON)."""

from __future__ import annotations

from django.http import FileResponse
from ninja import Path, Router

from docket.complaints import access, selectors
from docket.complaints.models import Attachment, Obligation

from .. import render
from ..schemas.common import ERROR_STATUSES, MAX_ID, ErrorOut
from ..schemas.complaints import AttachmentOut, ObligationOut
from .complaints import ComplaintId

router = Router(tags=["complaints"])

# What an attachment can be (services/intake.py checks the bytes); a download answers one of these.
ATTACHMENT_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp", "application/pdf")


@router.get(
    "/complaints/{id}/obligations",
    response={200: list[ObligationOut], ERROR_STATUSES: ErrorOut},
    operation_id="complaints_obligations",
    summary="The complaint's deadlines: due times, state, provisional flag (R-SLA-3)",
)
def complaints_obligations(request, id: int = ComplaintId):
    complaint = access.access_complaint(request.auth, id)
    rows = (
        Obligation.objects.filter(complaint=complaint)
        .select_related("holder_department")
        .order_by("started_at", "id")
    )
    return [render.obligation(o) for o in rows]


@router.get(
    "/complaints/{id}/attachments",
    response={200: list[AttachmentOut], ERROR_STATUSES: ErrorOut},
    operation_id="complaints_attachments",
    summary="The complaint's photos and scans (add one with the attachment_add action)",
)
def complaints_attachments(request, id: int = ComplaintId):
    complaint = access.access_complaint(request.auth, id)
    return [render.attachment(a) for a in Attachment.objects.filter(complaint=complaint).order_by("id")]


@router.get(
    "/complaints/{id}/attachments/{attachment_id}",
    response={ERROR_STATUSES: ErrorOut},
    operation_id="complaints_attachment_download",
    summary="Download one attachment (its stored content type)",
    openapi_extra={
        "responses": {
            "200": {
                "description": "the file",
                "content": {t: {"schema": {"type": "string", "format": "binary"}} for t in ATTACHMENT_TYPES},
            }
        }
    },
)
def complaints_attachment_download(
    request, id: int = ComplaintId, attachment_id: int = Path(..., ge=1, le=MAX_ID)
):
    att, handle = selectors.attachment_open(request.auth, id, attachment_id)
    response = FileResponse(
        handle, content_type=att.content_type, as_attachment=True, filename=att.original_name
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["ETag"] = f'"{att.sha256}"'
    return response
