"""The hot/major board (/escalation/board/): parse → access → selector → render (or the Excel file)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from docket.complaints import scopes
from docket.complaints.models import Severity
from docket.core import clock

from . import exports, selectors


@login_required
@require_GET
def board(request):
    """热点/重大投诉看板: for QM, the information officer, leadership, the management representative, the
    office manager and the group's property department, each within their scope; ?format=xlsx exports."""
    if not selectors.may_see_board(request.user):
        raise PermissionDenied
    f = selectors.Filters.parse(request.GET)
    rows = selectors.board(request.user, f)
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(
            exports.board_xlsx(rows),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        name = f"escalation-{clock.to_local(clock.now()):%Y%m%d-%H%M}.xlsx"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    return render(
        request,
        "escalation/board.html",
        {
            "rows": rows,
            "f": f,
            "offices": scopes.offices_in_scope(request.user).order_by("name"),
            "severities": [(Severity.HOT, Severity.HOT.label), (Severity.MAJOR, Severity.MAJOR.label)],
            "query": request.GET.urlencode(),
        },
    )
