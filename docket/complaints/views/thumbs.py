"""Attachment thumbnails for staff (issue 14): the same visibility check as the download (the complaint
page's), then the cached thumbnail."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404

from docket.core.errors import DomainError

from .. import selectors, thumbs


@login_required
def attachment_thumbnail(request, pk: int, attachment_id: int):
    try:
        att, handle = selectors.attachment_open(request.user, pk, attachment_id)
    except DomainError as exc:
        raise Http404 from exc
    with handle:
        path = thumbs.thumbnail_for(att, handle)
    if path is None:
        raise Http404
    response = FileResponse(path.open("rb"), content_type="image/jpeg")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=86400"
    response["ETag"] = f'"{att.sha256}-{thumbs.SIZE}"'
    return response
