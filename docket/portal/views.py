"""The owners' portal (issue 11): public pages, no sign-in. The receipt number with its check code is the
key; after one successful check the proof is kept in the session, so the code never appears in a URL.
Each view parses, checks the proof, calls one selector or service and renders."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from docket.api.selectors import receipt_lookup
from docket.complaints import services
from docket.complaints.models import Complaint
from docket.core import clock, ratelimit
from docket.core.errors import DomainError

from . import answers, selectors

PROOF = "portal_proof"  # session key: {receipt_no: [complaint id, checked at (epoch seconds)]}
VIA = "portal"
_DONE = {"agreed", "disagreed", "chased", "rated", "added", "withdrawn", "review"}  # + portal answers


def _throttled(request: HttpRequest) -> HttpResponse | None:
    """One lookup counted per client address; beyond DOCKET_PORTAL_RATE a 429 page in Chinese."""
    wait = ratelimit.hit("portal", ratelimit.client_address(request), settings.DOCKET_PORTAL_RATE)
    if wait is None:
        return None
    minutes = max(1, int(wait // 60) + (1 if wait % 60 else 0))
    response = render(request, "portal/throttled.html", {"minutes": minutes}, status=429)
    response["Retry-After"] = str(int(wait) + 1)
    return response


def _proven(request: HttpRequest, receipt_no: str) -> Complaint | None:
    """The complaint whose check the session has passed within DOCKET_PORTAL_PROOF_MINUTES, else None."""
    entry = request.session.get(PROOF, {}).get(receipt_no)
    if not entry:
        return None
    complaint_id, at = entry
    if clock.now().timestamp() - at > settings.DOCKET_PORTAL_PROOF_MINUTES * 60:
        return None
    return (
        Complaint.objects.select_related("office", "community", "holder_department")
        .filter(pk=complaint_id, receipt_no=receipt_no)
        .first()
    )


def _to_form(receipt_no: str) -> HttpResponse:
    return redirect(f"{reverse('portal:track_form')}?r={receipt_no}")


@require_http_methods(["GET", "POST"])
def track_form(request: HttpRequest) -> HttpResponse:
    """Receipt number + check code → the tracking page. One answer for an unknown number and a wrong code."""
    receipt_no = (request.POST.get("receipt_no") or request.GET.get("r") or "").strip()
    error = ""
    if request.method == "POST":
        if (limited := _throttled(request)) is not None:
            return limited
        code = (request.POST.get("code") or "").strip()
        try:
            if not selectors.RECEIPT_NO.match(receipt_no) or not code:
                raise DomainError("not_found")
            c = receipt_lookup(receipt_no=receipt_no, code=code)
        except DomainError:
            error = _("回执编号或查询码不正确，请核对回执后重试。")
        else:
            proofs = dict(request.session.get(PROOF, {}))
            proofs[c.receipt_no] = [c.id, int(clock.now().timestamp())]
            request.session[PROOF] = proofs
            request.session.cycle_key()
            return redirect("portal:track", receipt_no=c.receipt_no)
    return render(request, "portal/track_form.html", {"receipt_no": receipt_no, "error": error})


def _track_page(request, c: Complaint, *, error: str = "", form: dict | None = None, status: int = 200):
    done = request.GET.get("done", "")
    return render(
        request,
        "portal/track.html",
        {
            "t": selectors.tracking(c),
            "a": answers.options(c),  # portal answers (issue 11)
            "error": error,
            "form": form or {},
            "done": done if done in _DONE else "",
        },
        status=status,
    )


@require_http_methods(["GET"])
def track(request: HttpRequest, receipt_no: str) -> HttpResponse:
    c = _proven(request, receipt_no)
    if c is None:
        return _to_form(receipt_no)
    return _track_page(request, c)


@require_POST
def answer(request: HttpRequest, receipt_no: str) -> HttpResponse:
    """The complainant's answer to the reply: agree (optional note) or disagree (a reason)."""
    c = _proven(request, receipt_no)
    if c is None:
        return _to_form(receipt_no)
    agree = request.POST.get("answer") == "agree"
    note, reason = request.POST.get("note", ""), request.POST.get("reason", "")
    try:
        if agree:
            services.owner_agree(complaint_id=c.id, via=VIA, note=note)
        else:
            services.owner_disagree(complaint_id=c.id, via=VIA, reason=reason)
    except DomainError as exc:
        c.refresh_from_db()
        return _track_page(
            request, c, error=exc.message, form={"note": note, "reason": reason}, status=exc.status
        )
    done = "agreed" if agree else "disagreed"
    return redirect(f"{reverse('portal:track', args=[receipt_no])}?done={done}")


@require_POST
def chase(request: HttpRequest, receipt_no: str) -> HttpResponse:
    """催办: the complainant asks for their complaint to be hurried, with what they want to say."""
    c = _proven(request, receipt_no)
    if c is None:
        return _to_form(receipt_no)
    text = request.POST.get("text", "")
    try:
        services.complainant_chase(complaint_id=c.id, text=text)
    except DomainError as exc:
        c.refresh_from_db()
        return _track_page(request, c, error=exc.message, form={"text": text}, status=exc.status)
    return redirect(f"{reverse('portal:track', args=[receipt_no])}?done=chased")


@require_http_methods(["GET"])
def verify(request: HttpRequest) -> HttpResponse:
    """Does the record still hold what was receipted? From the typed number and digest, or the receipt
    QR's data (?q=DOCKET:<receipt_no>:<digest>). No personal data on this page."""
    receipt_no = (request.GET.get("r") or "").strip()
    digest = (request.GET.get("d") or "").strip()
    if request.GET.get("q"):
        receipt_no, digest = selectors.parse_qr(request.GET["q"])
    result = None
    if receipt_no or digest:
        if (limited := _throttled(request)) is not None:
            return limited
        result = selectors.receipt_holds(receipt_no=receipt_no, digest=digest)
    return render(
        request, "portal/verify.html", {"receipt_no": receipt_no, "digest": digest, "result": result}
    )
