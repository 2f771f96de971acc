"""The complainant's whole history (issue 14): every other complaint from the same phone or room the
viewer may see, paged (the complaint page shows the newest ten)."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render

from docket.core.errors import DomainError

from .. import access, history


@login_required
def complainant_history(request, pk: int):
    try:
        c = access.access_complaint(request.user, pk)
    except DomainError as exc:
        raise Http404 from exc
    qs = history.history_qs(request.user, c)
    if qs is None:
        raise Http404
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "complaints/history.html", {"c": c, "page": page})
