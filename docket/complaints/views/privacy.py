"""Personal-data pages for QM (R-EXP-12, PIPL; issue 10): the log of every lookup, reveal and export in the
company, and an owner's request for everything held about their phone number."""

import json

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render

from docket.core import clock
from docket.core.errors import DomainError

from .. import scopes, services
from ..models import PersonalDataAccess


@login_required
def privacy_log(request):
    companies = scopes.qm_company_ids(request.user)
    if not companies:
        raise PermissionDenied("仅品质管理部可查看个人信息查询记录。")
    error = ""
    if request.method == "POST":
        try:
            data = services.personal_data_export(
                actor=request.user, phone=request.POST.get("phone", ""), reason=request.POST.get("reason", "")
            )
        except DomainError as exc:
            error = exc.message
        else:
            stamp = clock.local_now().strftime("%Y%m%d-%H%M")
            response = HttpResponse(
                json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8"
            )
            response["Content-Disposition"] = f'attachment; filename="personal-data-{stamp}.json"'
            return response
    purpose = request.GET.get("purpose", "")
    rows = PersonalDataAccess.objects.filter(company_id__in=companies).select_related(
        "user", "office", "complaint"
    )
    if purpose in PersonalDataAccess.Purpose.values:
        rows = rows.filter(purpose=purpose)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "complaints/privacy_log.html",
        {
            "page": page,
            "purpose": purpose,
            "purposes": PersonalDataAccess.Purpose.choices,
            "error": error,
            "posted": request.POST if request.method == "POST" else {},
        },
        status=422 if error else 200,
    )
