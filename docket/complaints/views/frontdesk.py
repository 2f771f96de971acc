"""Front-desk logs: daily reconciliation (日盘点, R-INT-9) and the suggestion-box log (开箱记录, R-INT-8)."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render

from docket.core import clock
from docket.core.errors import DomainError
from docket.org.models import Office

from .. import scopes, services
from ..intake_forms import BoxOpeningForm, ReconciliationForm
from ..models import SuggestionBoxOpening


def _front_offices(user):
    ids = scopes.front_desk_office_ids(user)
    if not ids:
        raise PermissionDenied("仅管理处接待人员和管理处经理可用。")
    return Office.objects.filter(id__in=ids)


@login_required
def reconciliation(request):
    offices = _front_offices(request.user)
    office = (
        offices.filter(pk=request.GET.get("office") or request.POST.get("office")).first() or offices.first()
    )
    try:
        day = date.fromisoformat(request.GET.get("day") or request.POST.get("day") or "")
    except ValueError:
        day = clock.local_now().date()
    form = ReconciliationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.reconciliation_record(
                actor=request.user, office_id=office.id, day=day, note=form.cleaned_data["note"]
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "已完成日盘点。")
            return redirect(f"{request.path}?office={office.id}&day={day.isoformat()}")
    rows = services.reconciliation_rows(office=office, day=day)
    return render(
        request,
        "complaints/reconciliation.html",
        {
            "offices": offices,
            "office": office,
            "day": day,
            "rows": rows,
            "form": form,
            "mine": next((r for r in rows if r["receiver"] == request.user), None),
        },
        status=422 if form.errors else 200,
    )


@login_required
def box_log(request):
    offices = _front_offices(request.user)
    form = BoxOpeningForm(
        request.POST or None,
        offices=offices,
        initial={"office": offices.first(), "opened_at": clock.local_now().strftime("%Y-%m-%dT%H:%M")},
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.box_opening_record(
                actor=request.user,
                office_id=d["office"].id,
                opened_at=d["opened_at"],
                letters=d["letters"],
                note=d["note"],
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "已记录开箱。")
            return redirect(request.path)
    openings = (
        SuggestionBoxOpening.objects.filter(office__in=offices)
        .select_related("office", "opened_by")
        .prefetch_related("complaints")[:50]
    )
    return render(
        request,
        "complaints/box_log.html",
        {"form": form, "openings": openings},
        status=422 if form.errors else 200,
    )
