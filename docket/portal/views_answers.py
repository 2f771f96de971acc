"""The owner's answers on the tracking page (issue 11, portal answers): rate the follow-up on three points,
add information or photos, withdraw, ask for a second-stage review; and the signed link from an SMS or
email that opens the tracking page. Each view: the session's proof → one service → back to the page (a
refusal re-renders it with the service's Chinese message and what was typed, nothing written)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from docket.complaints import services
from docket.complaints.models import Complaint
from docket.complaints.owner_links import link_complaint_id
from docket.complaints.services.intake import UploadInput
from docket.core import clock
from docket.core.errors import DomainError

from .views import PROOF, VIA, _proven, _throttled, _to_form, _track_page


def _done(receipt_no: str, what: str) -> HttpResponse:
    return redirect(f"{reverse('portal:track', args=[receipt_no])}?done={what}")


def _refused(request, c: Complaint, exc: DomainError, form: dict) -> HttpResponse:
    c.refresh_from_db()
    return _track_page(request, c, error=exc.message, form=form, status=exc.status)


@require_POST
def rate(request: HttpRequest, receipt_no: str) -> HttpResponse:
    c = _proven(request, receipt_no)
    if c is None:
        return _to_form(receipt_no)
    form = {k: request.POST.get(k, "") for k in ("process", "measures", "result", "comment")}
    try:
        services.owner_rate(complaint_id=c.id, via=VIA, **form)
    except DomainError as exc:
        return _refused(request, c, exc, form)
    return _done(receipt_no, "rated")


@require_POST
def add_info(request: HttpRequest, receipt_no: str) -> HttpResponse:
    c = _proven(request, receipt_no)
    if c is None:
        return _to_form(receipt_no)
    text = request.POST.get("info", "")
    files = request.FILES.getlist("photos")
    form = {"info": text}
    try:
        photos = [UploadInput(name=(f.name or "photo")[:200], content=f.read()) for f in files]
        services.owner_add_info(complaint_id=c.id, via=VIA, text=text, photos=photos)
    except DomainError as exc:
        return _refused(request, c, exc, form)
    return _done(receipt_no, "added")


@require_POST
def withdraw(request: HttpRequest, receipt_no: str) -> HttpResponse:
    c = _proven(request, receipt_no)
    if c is None:
        return _to_form(receipt_no)
    reason = request.POST.get("withdraw_reason", "")
    try:
        services.owner_withdraw(complaint_id=c.id, via=VIA, reason=reason)
    except DomainError as exc:
        return _refused(request, c, exc, {"withdraw_reason": reason})
    return _done(receipt_no, "withdrawn")


@require_POST
def review(request: HttpRequest, receipt_no: str) -> HttpResponse:
    c = _proven(request, receipt_no)
    if c is None:
        return _to_form(receipt_no)
    reason = request.POST.get("review_reason", "")
    try:
        services.owner_review_request(complaint_id=c.id, via=VIA, reason=reason)
    except DomainError as exc:
        return _refused(request, c, exc, {"review_reason": reason})
    return _done(receipt_no, "review")


@require_GET
def link(request: HttpRequest, token: str) -> HttpResponse:
    """The signed link from an SMS or email: a valid token sets the same proof as a passed check and goes
    to the tracking page; anything else (forged, expired, unknown) lands on the check form, counted
    against the client's address like a wrong code."""
    complaint_id = link_complaint_id(token)
    c = Complaint.objects.filter(pk=complaint_id).only("id", "receipt_no").first() if complaint_id else None
    if c is None:
        if (limited := _throttled(request)) is not None:
            return limited
        return render(request, "portal/answers_link_invalid.html", status=404)
    proofs = dict(request.session.get(PROOF, {}))
    proofs[c.receipt_no] = [c.id, int(clock.now().timestamp())]
    request.session[PROOF] = proofs
    request.session.cycle_key()
    response = redirect("portal:track", receipt_no=c.receipt_no)
    response["Referrer-Policy"] = "no-referrer"
    return response
