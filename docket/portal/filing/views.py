"""Portal filing pages (issue 11): public, no account. The office's page and its poster, the filing form,
the receipt (page and PDF), and the phone proof by one-time SMS code that opens a named filing and the
list of the phone's complaints. Each view parses, checks the session's proofs and the limits, calls one
selector or service and renders; a refusal re-renders the form with the service's Chinese message."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from docket.complaints.models import PORTAL_COMPLAINANT_TYPES, Complaint, Kind
from docket.core import clock, ratelimit
from docket.core.errors import DomainError
from docket.core.pdf import pdf_response
from docket.core.phones import mask

from .. import selectors as portal_selectors
from ..views import PROOF, _throttled
from . import selectors, services

PHONE = "portal_phone"  # session: [proven phone, proven at (epoch seconds)]
FILED = "portal_filed"  # session: {receipt_no: [complaint id, filed at]} — the receipt may show its code


def _now() -> int:
    return int(clock.now().timestamp())


def _office(code: str):
    office = selectors.office_by_code(code)
    if office is None:
        raise Http404
    return office


def _limited(request: HttpRequest, scope: str, ident: str, rate: str) -> HttpResponse | None:
    wait = ratelimit.hit(scope, ident, rate)
    if wait is None:
        return None
    minutes = max(1, int(wait // 60) + (1 if wait % 60 else 0))
    response = render(request, "portal/throttled.html", {"minutes": minutes}, status=429)
    response["Retry-After"] = str(int(wait) + 1)
    return response


def proven_phone(request: HttpRequest) -> str:
    """The phone this browser session proved with a code within DOCKET_PORTAL_PHONE_MINUTES, or ""."""
    entry = request.session.get(PHONE)
    if not entry or _now() - entry[1] > settings.DOCKET_PORTAL_PHONE_MINUTES * 60:
        return ""
    return entry[0]


def _grant_tracking(request: HttpRequest, complaints: list[Complaint]) -> None:
    """Open these complaints' tracking pages for this session (the same proof a receipt check gives)."""
    proofs = dict(request.session.get(PROOF, {}))
    for c in complaints:
        proofs[c.receipt_no] = [c.id, _now()]
    request.session[PROOF] = proofs


# --- the office's page and poster ----------------------------------------------------------------------


def _office_context(request: HttpRequest, office) -> dict:
    url = request.build_absolute_uri(reverse("portal:office", args=[office.code]))
    return {
        "office": office,
        "channels": selectors.channels(office),
        "promises": selectors.promises(office),
        "url": url,
        "qr": selectors.qr_data_uri(url, scale=8),
    }


@require_http_methods(["GET"])
def office(request: HttpRequest, code: str) -> HttpResponse:
    """The office's page: its published channels, the promised reply times, and the buttons."""
    return render(request, "portal/filing_office.html", _office_context(request, _office(code)))


@require_http_methods(["GET"])
def poster(request: HttpRequest, code: str) -> HttpResponse:
    """The notice-board poster (A4, print from the browser): the page's QR code and the channels."""
    return render(request, "portal/filing_poster.html", _office_context(request, _office(code)))


@require_http_methods(["GET"])
def poster_pdf(request: HttpRequest, code: str) -> HttpResponse:
    o = _office(code)
    return pdf_response("portal/filing_poster_pdf.html", _office_context(request, o), f"{o.code}-poster.pdf")


# --- the filing ----------------------------------------------------------------------------------------


def _form_context(office, *, anonymous: bool, phone: str, form: dict | None = None, error: str = "") -> dict:
    buildings, units = selectors.places(office)
    return {
        "office": office,
        "anonymous": anonymous,
        "phone_masked": mask(phone),
        "kinds": Kind.choices,
        "complainant_types": [(t.value, t.label) for t in PORTAL_COMPLAINANT_TYPES],
        "buildings": buildings,
        "units": units,
        "form": form or {"kind": Kind.COMPLAINT, "place": "room", "complainant_type": "owner"},
        "error": error,
        "max_photos": settings.DOCKET_PORTAL_MAX_PHOTOS,
        "description_max": services.DESCRIPTION_MAX,
        "demand_max": services.DEMAND_MAX,
    }


def _photos(request: HttpRequest) -> list[services.Photo]:
    """The uploaded photos: the count and each size are checked before a byte is read."""
    files = [f for f in request.FILES.getlist("photos") if f.name or f.size]
    limit = settings.DOCKET_PORTAL_MAX_PHOTOS
    if len(files) > limit:
        raise DomainError("photos_too_many", limit=limit)
    most = settings.DOCKET_ATTACHMENT_MAX_BYTES
    for f in files:
        if (f.size or 0) > most:
            raise DomainError(
                "attachment_size",
                name=(f.name or "")[:100],
                limit_mb=f"{most / 1048576:.2f}".rstrip("0").rstrip("."),
            )
    return [services.Photo(name=f.name or "photo", content=f.read()) for f in files]


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 12 else None


@require_http_methods(["GET", "POST"])
def file(request: HttpRequest, code: str) -> HttpResponse:
    """File a complaint, suggestion or inquiry: named (the phone proven by an SMS code first) or anonymous
    (no phone; the receipt number and check code are the only key)."""
    o = _office(code)
    phone = proven_phone(request)
    anonymous = request.GET.get("anon") == "1" or request.POST.get("anonymous") == "1"
    if not anonymous and not phone:
        if request.method == "POST":  # the proof ran out while the form was open
            return redirect(f"{reverse('portal:phone')}?next={reverse('portal:file', args=[o.code])}")
        return render(request, "portal/filing_start.html", {"office": o})
    if request.method == "GET":
        return render(request, "portal/filing_form.html", _form_context(o, anonymous=anonymous, phone=phone))
    if (
        limited := _limited(
            request, "portal_file", ratelimit.client_address(request), settings.DOCKET_PORTAL_FILING_RATE
        )
    ) is not None:
        return limited
    p = request.POST
    form = {
        k: p.get(k, "")
        for k in (
            "kind",
            "description",
            "demand",
            "name",
            "place",
            "building",
            "unit",
            "room",
            "location",
            "complainant_type",
        )
    }
    try:
        filing = services.Filing(
            office_id=o.id,
            kind=form["kind"],
            description=form["description"],
            demand=form["demand"],
            anonymous=anonymous,
            name=form["name"],
            phone=phone,
            building_id=_int(form["building"]),
            unit_name=form["unit"],
            room_number=form["room"],
            public_area=form["place"] == "public",
            location=form["location"],
            photos=_photos(request),
            complainant_type=form["complainant_type"],
        )
        c = services.portal_file(filing)
    except DomainError as exc:
        context = _form_context(o, anonymous=anonymous, phone=phone, form=form, error=exc.message)
        return render(request, "portal/filing_form.html", context, status=exc.status)
    filed = dict(request.session.get(FILED, {}))
    filed[c.receipt_no] = [c.id, _now()]
    request.session[FILED] = filed
    _grant_tracking(request, [c])
    return redirect("portal:receipt", receipt_no=c.receipt_no)


# --- the receipt ---------------------------------------------------------------------------------------


def _filed(request: HttpRequest, receipt_no: str) -> Complaint | None:
    """The complaint this session filed within DOCKET_PORTAL_RECEIPT_MINUTES, or None."""
    entry = request.session.get(FILED, {}).get(receipt_no)
    if not entry or _now() - entry[1] > settings.DOCKET_PORTAL_RECEIPT_MINUTES * 60:
        return None
    return (
        Complaint.objects.select_related("office", "community", "room__unit__building")
        .filter(pk=entry[0], receipt_no=receipt_no)
        .first()
    )


def _receipt_context(request: HttpRequest, c: Complaint) -> dict:
    track = request.build_absolute_uri(f"{reverse('portal:track_form')}?r={c.receipt_no}")
    r = selectors.receipt(c)
    return {
        "r": r,
        "code": c.check_code,
        "track_url": track,
        "qr": selectors.qr_data_uri(track),
        "verify_qr": selectors.qr_data_uri(f"DOCKET:{c.receipt_no}:{r.digest}", scale=2),
    }


@require_http_methods(["GET"])
def receipt(request: HttpRequest, receipt_no: str) -> HttpResponse:
    """The receipt, at once after filing: number, check code (only here and in the PDF, while the
    session's receipt window lasts), what was received and when, the promised reply time, the digest."""
    c = _filed(request, receipt_no)
    if c is None:
        return redirect(
            f"{reverse('portal:track_form')}?r={receipt_no}"
            if portal_selectors.RECEIPT_NO.match(receipt_no)
            else reverse("portal:track_form")
        )
    return render(request, "portal/filing_receipt.html", _receipt_context(request, c))


@require_http_methods(["GET"])
def receipt_pdf(request: HttpRequest, receipt_no: str) -> HttpResponse:
    c = _filed(request, receipt_no)
    if c is None:
        return redirect(reverse("portal:track_form"))
    response = pdf_response(
        "portal/filing_receipt_pdf.html",
        _receipt_context(request, c),
        f"回执-{c.receipt_no}.pdf",
        inline=False,
    )
    response["Cache-Control"] = "no-store"
    return response


# --- the phone proof and the phone's complaints --------------------------------------------------------


def _next(request: HttpRequest) -> str:
    nxt = request.POST.get("next") or request.GET.get("next") or ""
    if nxt.startswith("/p/") and url_has_allowed_host_and_scheme(nxt, allowed_hosts=None):
        return nxt
    return reverse("portal:phone_list")


@require_http_methods(["GET", "POST"])
def phone(request: HttpRequest) -> HttpResponse:
    """Prove a phone: send a one-time code by SMS, then type it. Both steps are throttled (per client
    address; sending also per phone). The answer to "send" is the same for any valid number."""
    nxt = _next(request)
    context: dict = {"next": nxt, "phone": "", "sent": False, "error": ""}
    if request.method == "GET":
        return render(request, "portal/filing_phone.html", context)
    action = request.POST.get("action")
    number = (request.POST.get("phone") or "").strip()[:20]
    context["phone"] = number
    ip = ratelimit.client_address(request)
    try:
        if action == "send":
            if (
                limited := _limited(request, "portal_code_ip", ip, settings.DOCKET_PORTAL_CODE_IP_RATE)
            ) is not None:
                return limited
            clean = services.phone_clean(number)
            if (
                limited := _limited(
                    request, "portal_code_phone", clean, settings.DOCKET_PORTAL_CODE_PHONE_RATE
                )
            ) is not None:
                return limited
            services.phone_code_send(phone=clean)
            context.update(sent=True, phone=clean)
            return render(request, "portal/filing_phone.html", context)
        if (limited := _throttled(request)) is not None:
            return limited
        proven = services.phone_code_check(phone=number, code=request.POST.get("code", ""))
    except DomainError as exc:
        context.update(error=exc.message, sent=action != "send")
        return render(request, "portal/filing_phone.html", context, status=exc.status)
    request.session[PHONE] = [proven, _now()]
    request.session.cycle_key()
    return redirect(nxt)


@require_http_methods(["GET"])
def phone_list(request: HttpRequest) -> HttpResponse:
    """All the complaints of the proven phone, public fields only; each opens its tracking page."""
    number = proven_phone(request)
    if not number:
        return redirect(f"{reverse('portal:phone')}?next={reverse('portal:phone_list')}")
    complaints = selectors.complaints_of_phone(number)
    _grant_tracking(request, complaints)
    rows = [portal_selectors.tracking(c) for c in complaints]
    return render(request, "portal/filing_phone_list.html", {"rows": rows, "phone_masked": mask(number)})
