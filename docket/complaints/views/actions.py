"""The one view behind every workflow action: GET shows the action's form (inline through htmx, or as
a page), POST validates it and calls the action's service. A refusal is shown in Chinese above the form,
with everything the user typed kept; nothing is changed (the service is atomic)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from docket.core.errors import DomainError

from .. import access, next_steps, workflow
from ..forms import ACTION_FORMS


@login_required
def complaint_action(request, pk: int, action: str):
    form_class = ACTION_FORMS.get(action)
    if form_class is None:
        raise Http404
    try:
        complaint = access.access_complaint(request.user, pk)
    except DomainError as exc:
        raise Http404 from exc
    spec = workflow.ACTIONS[action]
    form = form_class(request.POST or None, request.FILES or None, complaint=complaint, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            form.call()
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"已完成：{spec.label}")
            url = reverse("complaints:detail", args=[pk])
            if request.htmx:
                return HttpResponse(status=204, headers={"HX-Redirect": url})
            return redirect(url)
    template = "complaints/_action_form.html" if request.htmx else "complaints/action.html"
    status = 422 if form.errors else 200
    reviewing = next_steps.reply_in_hand(complaint) if action in REPLY_ACTIONS else None
    return render(
        request, template, {"c": complaint, "form": form, "spec": spec, "reviewing": reviewing}, status=status
    )


# The actions whose form shows the reply they act on (the reviewer reads the draft they review).
REPLY_ACTIONS = frozenset({"reply_review_approve", "reply_review_return", "reply_submit", "reply_send"})


@login_required
def people_options(request):
    """Who may be named responsible in one department, as `<option>`s for the responsible-person select of
    派单, 转派, 登记并派单 and the bulk bar (htmx, when the department changes): `forms.people_choices`, the
    rule the services apply. The complaint (`complaint`, sent by 派单 and 转派) gives its level; without one
    (a new complaint, the bulk bar) the office level, whose people every level admits. Only for users who
    may hand complaints over, only for a department of an office (or company) in their scope and a
    complaint they see; anything else answers the empty prompt."""
    from docket.accounts.access import assignments_of
    from docket.org.models import Department

    from ..forms import people_choices
    from ..models import Level
    from ..scopes import complaints_visible_to, offices_in_scope

    roles = workflow.ACTIONS["assign"].roles | workflow.ACTIONS["transfer"].roles
    raw = (
        request.GET.get("department_id")
        or request.GET.get("assign_department")
        or request.GET.get("bulk-department_id")  # the bulk bar (issue 14)
        or ""
    )
    raw_complaint = request.GET.get("complaint") or ""
    dept: Department | None = None
    level: str | None = Level.OFFICE
    if raw.isdigit() and any(a.role in roles for a in assignments_of(request.user)):
        offices = list(offices_in_scope(request.user))
        dept = Department.objects.filter(pk=int(raw)).first()
        if dept is not None and not (
            dept.office_id in {o.id for o in offices}
            or (dept.office_id is None and dept.company_id in {o.company_id for o in offices})
        ):
            dept = None
        if dept is not None and raw_complaint:
            level = (
                complaints_visible_to(request.user, few=True)
                .filter(pk=int(raw_complaint))
                .values_list("level", flat=True)
                .first()
                if raw_complaint.isdigit()
                else None
            )
    choices = people_choices(dept if level is not None else None, level or Level.OFFICE)
    return render(request, "complaints/_people_options.html", {"choices": choices})


# --- bulk hand-over (issue 14) ------------------------------------------------------------------------
BULK_PREFIX = "bulk"


# The bar's three fields as Django's form renders them unbound (complaints/_bulk_bar.html), kept per language
# and list of departments offered (id and name, office included): they depend on nothing else, and through
# the form renderer they cost ~1.5 ms of the list's and the queue's CPU on every request (pagecpu2).
_BULK_FIELDS_TEMPLATE = (
    '<div class="bulk-field"><label for="{{ f.department_id.id_for_label }}">{{ f.department_id.label }}</label>'
    "{{ f.department_id }}</div>\n"
    '  <div class="bulk-field"><label for="{{ f.responsible_id.id_for_label }}">{{ f.responsible_id.label }}'
    "</label>{{ f.responsible_id }}</div>\n"
    '  <div class="bulk-field bulk-reason"><label for="{{ f.reason.id_for_label }}">{{ f.reason.label }}</label>'
    "{{ f.reason }}</div>"
)
_BULK_FIELDS: dict[tuple, str] = {}


class BulkBar:
    """The unbound bulk bar: `fields` is the markup of its department, person and reason fields."""

    def __init__(self, fields: str):
        self.fields = fields


def bulk_bar(user, departments=None) -> BulkBar | None:
    """The unbound bulk bar for the list and the queue, or None for users who may not hand over.
    `departments`: those the page has already read for its filter (the same set, no second query)."""
    from django.template import engines
    from django.utils.safestring import mark_safe
    from django.utils.translation import get_language

    from .. import services
    from ..forms import BulkHandOverForm, bulk_departments

    if not services.may_hand_over_in_bulk(user):
        return None
    depts = list(bulk_departments(user) if departments is None else departments)
    key = (get_language(), tuple((d.id, str(d)) for d in depts))
    fields = _BULK_FIELDS.get(key)
    if fields is None:
        form = BulkHandOverForm(prefix=BULK_PREFIX, user=user, departments=depts)
        fields = engines["django"].from_string(_BULK_FIELDS_TEMPLATE).render({"f": form})
        if len(_BULK_FIELDS) > 256:
            _BULK_FIELDS.clear()
        _BULK_FIELDS[key] = fields
    return BulkBar(mark_safe(fields))  # noqa: S308 (rendered by Django's templates, escaped there)


@login_required
def bulk_hand_over(request):
    """POST from the bulk bar: hand every ticked complaint over with its own 派单/转派
    (`services.complaints_hand_over`) and show, per complaint, what was done and what was refused and why."""
    from django.utils.http import url_has_allowed_host_and_scheme

    from .. import services
    from ..forms import BulkHandOverForm

    if request.method != "POST":
        return redirect("complaints:list")
    if not services.may_hand_over_in_bulk(request.user):
        raise PermissionDenied
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}) or not back.startswith(
        "/"
    ):
        back = reverse("complaints:list")
    form = BulkHandOverForm(request.POST, prefix=BULK_PREFIX, user=request.user)
    results, error = [], ""
    if form.is_valid():
        d = form.cleaned_data
        try:
            results = services.complaints_hand_over(
                actor=request.user,
                complaint_ids=d["ids"],
                department_id=d["department_id"],
                responsible_id=d["responsible_id"],
                reason=d["reason"],
            )
        except DomainError as exc:
            error = exc.message
    done = [r for r in results if r.ok]
    return render(
        request,
        "complaints/bulk_result.html",
        {
            "form": form,
            "results": results,
            "done": done,
            "refused": [r for r in results if not r.ok],
            "error": error,
            "back": back,
        },
        status=200 if results else 422,
    )
