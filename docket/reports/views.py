from django.contrib.auth.decorators import login_required
from django.http import HttpResponse

from docket.complaints import selectors
from docket.core import clock

from .exports import complaints_xlsx


@login_required
def complaints_export(request):
    """The complaint list or my work (`work=1`), with the same filters as on screen, as an Excel file."""
    f = selectors.ListFilters.from_query(request.GET)
    rows = (
        selectors.work_queue_for(request.user, f)
        if request.GET.get("work") == "1"
        else selectors.complaint_list_for(request.user, f)
    )
    data = complaints_xlsx(rows)
    name = f"complaints-{clock.local_now():%Y%m%d-%H%M}.xlsx"
    return HttpResponse(
        data,
        headers={
            "Content-Type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "Content-Disposition": f'attachment; filename="{name}"',
        },
    )


@login_required
def report_duties(request):
    """定期报告: the periodic reports the user submits or oversees, with due times; submit inline."""
    from django.contrib import messages
    from django.shortcuts import redirect, render

    from docket.core.errors import DomainError

    from . import services

    error = None
    if request.method == "POST":
        try:
            services.report_submit(
                actor=request.user,
                duty_id=int(request.POST.get("duty", 0)),
                summary=request.POST.get("summary", ""),
            )
        except (DomainError, ValueError) as exc:
            error = exc.message if isinstance(exc, DomainError) else "参数有误"
        else:
            messages.success(request, "报告已提交。")
            return redirect("reports:duties")
    duties = services.report_duties_visible_to(request.user).order_by("submitted_at", "due_at")[:200]
    submittable = {d.id for d in duties if d.submitted_at is None and services._may_submit(request.user, d)}
    return render(
        request,
        "reports/duties.html",
        {"duties": duties, "submittable": submittable, "error": error, "posted": request.POST},
        status=422 if error else 200,
    )


@login_required
def delivery_failures(request):
    """通知发送失败: the messages about complaints of the user's office that could not be delivered (the
    outbox told this user about them), newest first, each with a link to its complaint."""
    from django.shortcuts import render

    from docket.notifications.service import failure_notices_for

    rows = []
    for n in failure_notices_for(request.user)[:200]:
        ref = n.ref.removeprefix("complaint:")
        rows.append((n, int(ref) if ref.isdigit() and n.ref.startswith("complaint:") else None))
    return render(request, "reports/delivery_failures.html", {"rows": rows})
