"""The in-app notice list (issue 14): /notifications/."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from . import inbox


@login_required
def notice_list(request):
    """The signed-in user's notices, newest first, paged; unread ones first marked."""
    qs = inbox.notices_for(request.user)
    if request.GET.get("unread") == "1":
        qs = qs.filter(read_at__isnull=True)
    page = Paginator(qs, inbox.PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(n, inbox.complaint_id_of(n)) for n in page.object_list]
    return render(
        request,
        "notifications/list.html",
        {"page": page, "rows": rows, "unread_only": request.GET.get("unread") == "1"},
    )


@require_POST
@login_required
def notice_read(request, pk: int):
    """Mark one own notice read; with open=1, go on to its complaint (the link is built here, never taken
    from the request)."""
    inbox.mark_read(request.user, pk)
    if request.POST.get("open") == "1":
        n = inbox.notices_for(request.user).filter(pk=pk).only("ref").first()
        cid = inbox.complaint_id_of(n) if n else None
        if cid:
            return redirect("complaints:detail", cid)
    return redirect(reverse("notifications:list") + _keep(request))


@require_POST
@login_required
def notice_read_all(request):
    inbox.mark_all_read(request.user)
    return redirect("notifications:list")


def _keep(request) -> str:
    page = request.POST.get("page", "")
    return f"?page={page}" if page.isdigit() else ""
