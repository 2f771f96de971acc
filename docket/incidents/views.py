"""Incident pages (staff), the intake hint fragment and the portal's public list. Parse → access → one
service → render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from docket.complaints import scopes
from docket.core.errors import DomainError
from docket.org.models import Office

from . import selectors, services
from .forms import DeclareForm, LinkForm, ResolveForm, UnlinkForm, UpdateForm
from .models import Incident


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


@login_required
def incident_list(request):
    """突发事件: the incidents of the offices in the user's scope, active first."""
    state = request.GET.get("state", "")
    page = Paginator(selectors.incident_list(request.user, state=state), 50).get_page(request.GET.get("page"))
    may_declare = selectors.declare_offices(request.user).exists()
    return render(request, "incidents/list.html", {"page": page, "state": state, "may_declare": may_declare})


@login_required
def incident_new(request):
    form = DeclareForm(request.POST or None, user=request.user)
    if not form.has_offices:
        raise PermissionDenied(_("您没有发布突发事件的权限。"))
    if request.method == "POST" and form.is_valid():
        try:
            inc = services.incident_declare(actor=request.user, **form.service_kwargs())
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("已发布突发事件。"))
            return redirect("incidents:detail", pk=inc.pk)
    return render(request, "incidents/new.html", {"form": form}, status=422 if form.errors else 200)


def _detail(request, inc: Incident, *, forms: dict | None = None, error: str = "", status: int = 200):
    complaints, hidden = selectors.linked_complaints(request.user, inc)
    manage = selectors.may_manage(request.user, inc)
    forms = forms or {}
    ctx = {
        "inc": inc,
        "area": selectors.area_label(inc),
        "updates": inc.updates.select_related("by").order_by("-seq"),
        "complaints": complaints,
        "hidden": hidden,
        "manage": manage,
        "error": error,
        "update_form": forms.get("update") or UpdateForm(initial={"version": inc.version}),
        "resolve_form": forms.get("resolve") or ResolveForm(initial={"version": inc.version}),
        "link_form": forms.get("link") or LinkForm(),
    }
    return render(request, "incidents/detail.html", ctx, status=status)


def _visible(request, pk: int) -> Incident:
    inc = selectors.incident_for(request.user, pk)
    if inc is None:
        raise Http404
    return inc


@login_required
def incident_detail(request, pk: int):
    return _detail(request, _visible(request, pk))


def _act(request, pk: int, form_class, key: str, call, done: str):
    inc = _visible(request, pk)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            result = call(inc, form.cleaned_data)
        except DomainError as exc:
            return _detail(request, inc, forms={key: form}, error=exc.message, status=exc.status)
        messages.success(request, done.format(result) if result is not None else done)
        return redirect("incidents:detail", pk=pk)
    return _detail(request, inc, forms={key: form}, status=422)


@login_required
@require_POST
def incident_update(request, pk: int):
    def call(inc, d):
        p = services.incident_update(
            actor=request.user, incident_id=inc.pk, text=d["text"], expected_version=d["version"]
        )
        return p.recorded, p.notified

    return _act(
        request, pk, UpdateForm, "update", call, _("已发布进展：记入 {0[0]} 件投诉，通知 {0[1]} 位投诉人。")
    )


@login_required
@require_POST
def incident_resolve(request, pk: int):
    def call(inc, d):
        p = services.incident_resolve(
            actor=request.user, incident_id=inc.pk, text=d["text"], expected_version=d["version"]
        )
        return p.recorded, p.notified

    return _act(
        request, pk, ResolveForm, "resolve", call, _("事件已解除：记入 {0[0]} 件投诉，通知 {0[1]} 位投诉人。")
    )


@login_required
@require_POST
def incident_link(request, pk: int):
    def call(inc, d):
        c = (
            scopes.complaints_visible_to(request.user)
            .filter(receipt_no=d["receipt_no"].strip().upper())
            .only("id")
            .first()
        )
        if c is None:
            raise DomainError("not_found")
        services.incident_link_complaint(actor=request.user, incident_id=inc.pk, complaint_id=c.id)
        return None

    return _act(request, pk, LinkForm, "link", call, _("已关联投诉。"))


@login_required
@require_POST
def incident_unlink(request, pk: int):
    def call(inc, d):
        services.incident_unlink_complaint(
            actor=request.user, incident_id=inc.pk, complaint_id=d["complaint"], reason=d["reason"]
        )
        return None

    return _act(request, pk, UnlinkForm, "unlink", call, _("已取消关联。"))


@login_required
@require_GET
def intake_hint(request):
    """GET /incidents/hint?office=&room=&location=[&incident=…]: the intake form's hint (htmx fragment):
    the office's active incidents whose area and time hold the chosen room or place, each with a
    checkbox "关联到此事件" (name `incident`, read by the intake view after filing). Empty for a user who
    does not manage the office's incidents. Accepts the intake form's own field names (hx-include)."""
    q = request.GET
    office_id = _int(q.get("office"))
    office = Office.objects.select_related("company").filter(pk=office_id).first() if office_id else None
    if office is None or scopes.incident_role(request.user, office) is None:
        return HttpResponse("")
    found = selectors.matching(office.id, room_id=_int(q.get("room")), location=q.get("location", "")[:200])
    checked = {int(v) for v in q.getlist("incident") if v.isdigit()}
    rows = [(inc, selectors.area_label(inc), inc.id in checked) for inc in found]
    return render(request, "incidents/_intake_hint.html", {"rows": rows})


def link_at_intake(request, complaint_id: int) -> None:
    """After the intake form filed a complaint: link it to the incidents ticked in the hint. The complaint
    is filed whatever happens here; a refused link (the incident was resolved meanwhile …) is a warning."""
    for value in request.POST.getlist("incident")[:5]:
        if not value.isdigit():
            continue
        try:
            services.incident_link_complaint(
                actor=request.user, incident_id=int(value), complaint_id=complaint_id, via="intake"
            )
        except DomainError as exc:
            messages.warning(request, _("未能关联突发事件：{0}").format(exc.message))


@require_GET
def public_incidents(request, office: str):
    """/p/o/<office code>/incidents/: the office's active incidents for owners — the public description
    and updates only: no person, no complaint, no staff name."""
    o = get_object_or_404(Office.objects.select_related("community"), code=office.upper())
    rows = [(inc, selectors.area_label(inc)) for inc in selectors.public_incidents(o)]
    response = render(request, "incidents/public.html", {"office": o, "rows": rows})
    response["Cache-Control"] = "public, max-age=60"
    return response
