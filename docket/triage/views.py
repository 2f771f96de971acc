"""Triage pages: the suggestion fragment the intake page loads with htmx while staff type, and the
acceptance page for QM. Parse → access → one service → render."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from docket.core.errors import DomainError

from . import selectors, services

MAX_TEXT = 4000


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


@login_required
@require_GET
def suggest(request):
    """GET /triage/suggest?office=&text=[&room=&location=&phone=&complaint=]: the suggestion fragment
    (category top 3, department, same-issue candidates). Also accepts the intake form's own field names
    (office, subject, description, issues, room, location, complainant_phone) so the intake form can
    hx-include itself; without text it answers an empty fragment."""
    q = request.GET
    office_id = _int(q.get("office") or q.get("office_id"))
    text = q.get("text") or " ".join(
        filter(None, [q.get("subject", ""), q.get("description", ""), q.get("issues", "")])
    )
    text = text[:MAX_TEXT]
    if office_id is None:
        raise Http404
    if not text.strip():
        return HttpResponse("")
    try:
        result = services.suggest(
            user=request.user,
            office_id=office_id,
            text=text,
            room_id=_int(q.get("room") or q.get("room_id")),
            location=q.get("location", "")[:200],
            phone=q.get("phone") or q.get("complainant_phone", ""),
            exclude_complaint_id=_int(q.get("complaint")),
        )
    except DomainError as exc:
        raise Http404 from exc
    return render(request, "triage/_suggest.html", {"s": result})


@login_required
def acceptance(request):
    """分诊建议采纳率: for QM, per suggestion source, in their company."""
    if not selectors.may_see_acceptance(request.user):
        raise Http404
    return render(
        request,
        "triage/acceptance.html",
        {"rows": selectors.acceptance_for(request.user), "models": selectors.models_for(request.user)},
    )
