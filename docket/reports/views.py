from django.contrib.auth.decorators import login_required
from django.http import HttpResponse

from docket.complaints import selectors
from docket.complaints.views.pages import list_filters
from docket.core import clock

from .exports import complaints_xlsx


@login_required
def complaints_export(request):
    """The complaint list, with the same filters as on screen, as an Excel file."""
    data = complaints_xlsx(selectors.complaint_list_for(request.user, list_filters(request)))
    name = f"complaints-{clock.local_now():%Y%m%d-%H%M}.xlsx"
    return HttpResponse(data, headers={
        "Content-Type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "Content-Disposition": f'attachment; filename="{name}"',
    })
