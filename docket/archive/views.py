"""The archive exports of one complaint: the PDF (printable for the paper archive) and the ZIP bundle."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse

from docket.complaints import scopes

from . import access, services


def _archive(request, pk: int, *, bundle: bool = False) -> services.Archive:
    complaint = scopes.complaints_visible_to(request.user).filter(pk=pk).first()
    allowed = access.may_export_bundle if bundle else access.may_export
    if complaint is None or not allowed(request.user, complaint):
        raise Http404
    return services.archive_of(complaint.id)


def _file(body: bytes, content_type: str, name: str, inline: bool) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = (
        f"{'inline' if inline else 'attachment'}; filename*=UTF-8''{quote(name)}"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


@login_required
def archive_pdf(request, pk: int):
    """The complaint's whole file as one PDF (投诉归档, and the dossier for a major complaint)."""
    archive = _archive(request, pk)
    body = services.archive_pdf(archive, request.user)
    return _file(body, "application/pdf", f"{archive.complaint.receipt_no}.pdf", inline=True)


@login_required
def archive_bundle(request, pk: int):
    """The archive bundle: manifest with SHA-256 digests, the PDF, the chain, records and attachments."""
    archive = _archive(request, pk, bundle=True)
    body = services.archive_bundle(archive, request.user)
    suffix = "-dossier" if archive.dossier else ""
    return _file(body, "application/zip", f"{archive.complaint.receipt_no}{suffix}.zip", inline=False)
