"""Front-desk intake: one form for every channel and method (R-INT-1..7, R-INT-10)."""

import contextlib

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from docket.core import ratelimit
from docket.core.errors import DomainError

from .. import access, services
from ..intake_forms import ERROR_FIELDS, IntakeForm


@login_required
def complaint_new(request):
    form = IntakeForm(request.POST or None, request.FILES or None, user=request.user)
    if not form.fields["office"].queryset.exists():
        raise PermissionDenied("您没有登记投诉的权限。")
    if request.method == "POST" and form.is_valid():
        data, close_note = form.to_input()
        try:
            complaint = services.complaint_register(
                actor=request.user, data=data, close_on_spot_note=close_note, hand_over=form.hand_over()
            ).complaint
        except DomainError as exc:
            form.add_error(ERROR_FIELDS.get(exc.code), exc.message)
        else:
            _triage_feedback(request, complaint.id)
            _incident_links(request, complaint.id)
            if complaint.holder_department_id:  # 登记并派单: the page shows where it went
                messages.success(
                    request,
                    _("已登记并派单至%(dept)s，回执编号 %(no)s。")
                    % {"dept": complaint.holder_department.name, "no": complaint.receipt_no},
                )
                return redirect("complaints:detail", pk=complaint.id)
            return redirect("complaints:receipt", pk=complaint.id)
    # A browser cannot keep a chosen file across a refused submission: name the files that were not kept,
    # so the user chooses them again instead of losing them unseen.
    dropped = [f.name for f in request.FILES.getlist("attachments")] if form.errors else []
    return render(
        request,
        "complaints/new.html",
        {"form": form, "dropped_files": dropped},
        status=422 if form.errors else 200,
    )


def _triage_feedback(request, complaint_id: int) -> None:
    """What the suggestion box offered while the front desk typed (hidden fields filled by triage.js) and
    what was filed, so QM can see how often suggestions are taken (docket/triage)."""
    from docket.triage.services import triage_feedback_record

    source = request.POST.get("triage_source", "")
    if not source:
        return

    def _id(name):
        value = request.POST.get(name, "")
        return int(value) if value.isdigit() else None

    # A forged or stale hidden field: the complaint is filed; the measurement skips it.
    with contextlib.suppress(DomainError):
        triage_feedback_record(
            actor=request.user,
            complaint_id=complaint_id,
            model_version=source[:40],
            suggested_category_id=_id("triage_category"),
            suggested_department_id=_id("triage_department"),
        )


def _incident_links(request, complaint_id: int) -> None:
    """The incidents ticked in the intake form's incident hint (docket/incidents, issue 12)."""
    if request.POST.getlist("incident"):
        from docket.incidents.views import link_at_intake

        link_at_intake(request, complaint_id)


@login_required
def intake_lookup(request):
    """The caller lookup as the front desk types (htmx fragment): full numbers and exact rooms only,
    throttled per user, every answer logged (services.resident_lookup)."""
    wait = ratelimit.hit("lookup", str(request.user.pk), settings.DOCKET_LOOKUP_RATE)
    if wait is not None:
        response = render(
            request, "complaints/_lookup.html", {"refused": _("查询过于频繁，请稍后再试。")}, status=429
        )
        response["Retry-After"] = str(int(wait) + 1)
        return response
    room = request.GET.get("room")
    try:
        result = services.resident_lookup(
            actor=request.user,
            phone=request.GET.get("complainant_phone", ""),
            room_id=int(room) if room and room.isdigit() else None,
        )
    except DomainError as exc:
        return render(request, "complaints/_lookup.html", {"refused": exc.message}, status=exc.status)
    return render(request, "complaints/_lookup.html", {"result": result})


@login_required
def intake_places(request):
    """The building → unit → room pickers of the intake form (htmx): `?building=` answers its units (and, out
    of band, its rooms), `?unit=` its rooms; both in natural order (101 before 1001). Only the places of the
    offices the user may register complaints for; anything else answers the empty lists."""
    from django.db.models import Q

    from docket.org.models import Office, Room, Unit

    from ..intake_forms import natural_key, sorted_rooms

    offices = [o for o in Office.objects.all() if access.register_role(request.user, o)]
    if not offices:
        raise PermissionDenied
    rooms = Room.objects.filter(unit__building__community__office__in=offices)
    unit = request.GET.get("unit", "")
    building = request.GET.get("building", "")
    if "unit" in request.GET:
        narrowed = rooms.filter(unit_id=int(unit)) if unit.isdigit() else rooms
        return render(request, "complaints/_place_options.html", {"rooms": sorted_rooms(narrowed)})
    q = Q(building_id=int(building)) if building.isdigit() else Q()
    units = sorted(
        Unit.objects.filter(q, building__community__office__in=offices).select_related("building"),
        key=lambda u: (natural_key(u.building.name), natural_key(u.name)),
    )
    narrowed = rooms.filter(unit__building_id=int(building)) if building.isdigit() else rooms
    return render(
        request,
        "complaints/_place_options.html",
        {"units": units, "rooms": sorted_rooms(narrowed), "oob_rooms": True},
    )
