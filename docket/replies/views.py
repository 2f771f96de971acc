"""Reply templates (常用答复, issue 14): the list for staff, the editor for QM, and the picker's fill."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from docket.complaints import access
from docket.core.errors import DomainError

from . import fill, selectors, services
from .forms import TemplateForm
from .models import ReplyTemplate


@login_required
def template_list(request):
    readable = selectors.reader_company_ids(request.user)
    if not readable:
        raise PermissionDenied
    editable = set(selectors.editor_company_ids(request.user))
    rows = list(selectors.templates_readable(request.user).order_by("company_id", "-active", "title", "id"))
    return render(
        request,
        "replies/list.html",
        {
            "rows": [(t, t.company_id in editable) for t in rows],
            "can_edit": bool(editable),
            "placeholders": fill.PLACEHOLDERS,
        },
    )


def _editor_form(request, instance: ReplyTemplate | None):
    initial = {}
    if instance is not None:
        initial = {
            "company": instance.company_id,
            "category": instance.category_id or "",
            "title": instance.title,
            "body": instance.body,
            "active": instance.active,
        }
    form = TemplateForm(request.POST or None, initial=initial, user=request.user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.template_save(
                actor=request.user,
                pk=instance.pk if instance else None,
                company_id=d["company"],
                category_id=d["category"],
                title=d["title"],
                body=d["body"],
                active=d["active"],
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect("replies:list")
    return render(
        request,
        "replies/form.html",
        {"form": form, "instance": instance},
        status=422 if form.errors else 200,
    )


@login_required
def template_new(request):
    if not selectors.editor_company_ids(request.user):
        raise PermissionDenied
    return _editor_form(request, None)


@login_required
def template_edit(request, pk: int):
    t = selectors.template_editable(request.user, pk)
    if t is None:
        if selectors.templates_readable(request.user).filter(pk=pk).exists():
            raise PermissionDenied
        raise Http404
    return _editor_form(request, t)


@require_POST
@login_required
def template_fill(request, complaint_id: int):
    """The picker in the reply draft (htmx): answers the draft's textarea with the chosen template
    appended to what is already typed (placeholders filled), and the picker reset (out of band). Only for
    who may draft this complaint's reply now. POST: the current draft travels with it (too long for a
    query string)."""
    try:
        c = access.access_complaint(request.user, complaint_id)
    except DomainError as exc:
        raise Http404 from exc
    if access.allowed_role(request.user, c, "reply_draft_save") is None:
        raise PermissionDenied
    current = request.POST.get("body", "")
    offered = {t.id for t in selectors.templates_for(c)}
    tpl_id = request.POST.get("reply_template", "")
    text = current
    if tpl_id.isdigit() and int(tpl_id) in offered:
        t = ReplyTemplate.objects.get(pk=int(tpl_id))
        filled = fill.fill(t.body, fill.values_for(request.user, c))
        text = f"{current.rstrip()}\n\n{filled}" if current.strip() else filled
    # The draft form's own field, so the textarea answered is the one the form renders (id, limits).
    from docket.complaints.forms import ACTION_FORMS

    form = ACTION_FORMS["reply_draft_save"](complaint=c, user=request.user)
    form.fields["body"].initial = text
    return render(
        request,
        "replies/_fill.html",
        {"field": form["body"], "c": c, "templates": selectors.templates_for(c), "oob": True},
    )
