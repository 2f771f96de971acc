"""Front-desk logs: daily reconciliation (日盘点, R-INT-9) and the suggestion-box log (开箱记录, R-INT-8)."""

from datetime import date, datetime, time, timedelta

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


# --- seed part 2 (issue 15): the 工作信息记录本, printable (seed 5.2.2.8, quality record TJ**WY7.2.3-K01-F1) ---


def _day(value: str | None, default: date) -> date:
    try:
        return date.fromisoformat(value or "")
    except ValueError:
        return default


@login_required
def work_log(request):
    """The work information log of one office for a period (default: this month so far): every
    suggestion-box opening with the letters and the complaints/suggestions it produced and the department
    each went to, and the receivers' daily reconciliations. HTML to print, or `?format=pdf`."""
    from django.db.models import Prefetch

    from docket.core.pdf import pdf_response
    from docket.org.form_numbers import form_number

    from ..models import Complaint, DailyReconciliation

    offices = _front_offices(request.user)
    office = offices.filter(pk=request.GET.get("office") or 0).first() or offices.first()
    today = clock.local_now().date()
    start = _day(request.GET.get("from"), today.replace(day=1))
    end = _day(request.GET.get("to"), today)
    if end < start:
        start, end = end, start
    if (end - start).days > 366:
        start = end.replace(year=end.year - 1)
    tz = clock.local_now().tzinfo
    lo = datetime.combine(start, time.min, tzinfo=tz)
    hi = datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz)
    openings = (
        SuggestionBoxOpening.objects.filter(office=office, opened_at__gte=lo, opened_at__lt=hi)
        .select_related("opened_by")
        .prefetch_related(
            Prefetch(
                "complaints",
                queryset=Complaint.objects.select_related("holder_department").order_by("receipt_no"),
            )
        )
        .order_by("opened_at")
    )
    days = (
        DailyReconciliation.objects.filter(office=office, day__gte=start, day__lte=end)
        .select_related("receiver")
        .order_by("day", "receiver_id")
    )
    context = {
        "office": office,
        "offices": offices,
        "company": office.company,
        "form_no": form_number(office.company, "work_log"),
        "start": start,
        "end": end,
        "openings": openings,
        "days": days,
        "printed_at": clock.local_now(),
    }
    if request.GET.get("format") == "pdf":
        try:
            return pdf_response(
                "complaints/work_log_pdf.html", context, f"工作信息记录本-{office.name}-{start}-{end}.pdf"
            )
        except DomainError as exc:
            messages.error(request, exc.message)
    return render(request, "complaints/work_log.html", context)
