"""Attachments for staff: served only through this view, after the same visibility check as the
complaint page (never straight from /media/, which would skip it)."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404

from docket.core.errors import DomainError

from .. import selectors


@login_required
def attachment_download(request, pk: int, attachment_id: int):
    try:
        att, handle = selectors.attachment_open(request.user, pk, attachment_id)
    except DomainError as exc:
        raise Http404 from exc
    # Photos and PDFs open in the browser; the type is the one checked from the bytes at upload.
    response = FileResponse(
        handle,
        content_type=att.content_type,
        as_attachment=request.GET.get("download") == "1",
        filename=att.original_name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = (
        "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"
    )
    response["Cache-Control"] = "private, max-age=3600"
    response["ETag"] = f'"{att.sha256}"'
    return response
