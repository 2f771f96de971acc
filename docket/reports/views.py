import json

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpResponse
from django.utils.translation import gettext

from docket.complaints import selectors
from docket.core import clock

from . import figures, tables
from . import statistics as stats
from .exports import complaints_xlsx_file


@login_required
def complaints_export(request):
    """The complaint list or my work (`work=1`), with the same filters as on screen, as an Excel file."""
    f = selectors.ListFilters.from_query(request.GET)
    rows = (
        selectors.work_queue_for(request.user, f)
        if request.GET.get("work") == "1"
        else selectors.complaint_list_for(request.user, f)
    )
    from django.http import FileResponse

    name = f"complaints-{clock.local_now():%Y%m%d-%H%M}.xlsx"
    # Streamed from a temporary file in blocks (FileResponse closes it, which removes it).
    return FileResponse(
        complaints_xlsx_file(rows),
        as_attachment=True,
        filename=name,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
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


# --- statistics (R-ANA-1, K01-F2), the committee's figures (R-EXP-11) ------------------------------------

K01_F2 = "TJ**WY8.3-K01-F2"  # the seed's; the printed one is the company's (`k01f2_form_number`)


def k01f2_form_number(companies, chosen) -> str:
    """The K01-F2 number to print: the chosen office's or company's configuration, else the one company in
    the viewer's scope, else (several companies, no choice) the seed's number (`docket.org.form_numbers`)."""
    from docket.org.form_numbers import form_number
    from docket.org.models import Company, Office

    if isinstance(chosen, Office):
        return form_number(chosen.company, "statistics")
    if isinstance(chosen, Company):
        return form_number(chosen, "statistics")
    only = list(companies[:2])
    return form_number(only[0] if len(only) == 1 else None, "statistics")


K01_F2_DIMENSIONS = [
    "category",
    "subcategory",
    "department",
    "office",
    "channel",
    "method",
    "kind",
    "severity",
]
COMMITTEE_DIMENSIONS = ["category", "month"]


def _period(request, default_months: int = 0):
    """from/to from the query string (YYYY-MM-DD), else this month so far (or the last months)."""
    from datetime import date

    today = clock.local_now().date()

    def _day(name):
        try:
            return date.fromisoformat(request.GET.get(name, ""))
        except ValueError:
            return None

    date_to = _day("to") or today
    date_from = _day("from") or (
        date_to.replace(day=1)
        if not default_months
        else stats.shift_months(date_to.replace(day=1), -default_months)
    )
    if date_from > date_to:
        date_from, date_to = date_to, date_from
    if (date_to - date_from).days > 3 * 366:  # a bounded range: at most three years at once
        date_from = stats.shift_months(date_to, -36)
    return date_from, date_to


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _staff_scope(request):
    """The viewer's statistics complaints, narrowed to the chosen office or company (only within scope:
    anything else answers 404), with the drill-down's base filters."""
    from django.http import Http404

    from . import selectors as rs

    if not rs.may_view_statistics(request.user):
        if rs.committee_communities(request.user):
            # The owners' committee's own page (the menu's one link leads everyone to their figures).
            raise _ToCommittee
        raise Http404
    from docket.complaints import scopes

    scope = rs.statistics_scope(request.user)
    offices = scopes.offices_in_scope(request.user).select_related("company").order_by("company_id", "code")
    companies = rs.companies_in_scope(request.user).order_by("id")
    office_id, company_id = _int(request.GET.get("office")), _int(request.GET.get("company"))
    drill: dict = {}
    chosen = None
    if office_id:
        chosen = offices.filter(pk=office_id).first()
        if chosen is None:
            raise Http404
        scope, drill = scope.narrow(office_id=office_id), {"office": str(office_id)}
    elif company_id:
        chosen = companies.filter(pk=company_id).first()
        if chosen is None:
            raise Http404
        scope = scope.narrow(company_id=company_id)
    return scope, drill, offices, companies, chosen


class _ToCommittee(Exception):
    pass


def _committee_redirect(view):
    from functools import wraps

    from django.shortcuts import redirect

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except _ToCommittee:
            return redirect("reports:committee_home")

    return wrapper


def _download(data: bytes, name: str, kind: str):
    types = {
        "csv": "text/csv; charset=utf-8",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }
    return HttpResponse(
        data,
        headers={"Content-Type": types[kind], "Content-Disposition": f'attachment; filename="{name}.{kind}"'},
    )


def _chart_json(b, kind: str = "bar") -> str:
    import json

    from django.utils.translation import gettext as _

    data = b.chart()
    data["type"] = kind
    data["title"] = str(b.dimension.label)
    # the legend's series names in the page's language (charts.js wrote them in Chinese)
    data["names"] = {"received": _("受理"), "closed": _("已关闭"), "open": _("处理中")}
    return json.dumps(data, ensure_ascii=False)


@login_required
@_committee_redirect
def statistics(request):
    """投诉统计分析: the period's figures beside the month before and the year before, one dimension as a
    chart with its table (each figure links to the complaint list), the 12-month trend, downloads."""
    from django.shortcuts import render

    scope, drill, offices, companies, chosen = _staff_scope(request)
    date_from, date_to = _period(request)
    dimension = request.GET.get("by", "category")
    if dimension not in stats.DIMENSIONS or dimension == "month":
        dimension = "category"
    b = figures.breakdown(scope, date_from=date_from, date_to=date_to, dimension=dimension)
    period = (date_from, date_to)
    t = tables.table(b, drill_base=drill, period=period)
    fmt = request.GET.get("format")
    if fmt in ("csv", "xlsx"):
        name = f"statistics-{dimension}-{date_from:%Y%m%d}-{date_to:%Y%m%d}"
        if fmt == "csv":
            return _download(tables.tables_csv([t]), name, "csv")
        heading = [f"投诉统计分析 {date_from} ~ {date_to}", str(chosen or "")]
        return _download(tables.tables_xlsx([t], heading=heading), name, "xlsx")
    cmp = figures.compare(scope, date_from=date_from, date_to=date_to)
    trend_from = stats.shift_months(date_to.replace(day=1), -11)
    trend = figures.breakdown(scope, date_from=trend_from, date_to=date_to, dimension="month", on_time=False)
    # One office's page (chosen, or the viewer's only office) adds what is read from the complaints
    # rather than the summary — repeat complainants, same-issue groups — and its buildings' heat map; a
    # company's or the group's year would read 100 000s of complaints for them (bench/README.md).
    heat, extras = None, []
    if (chosen is not None and _int(request.GET.get("office"))) or len(offices) == 1:
        heat = figures.building_heat(scope, date_from=trend_from, date_to=date_to)
        groups, grouped = figures.same_issue_groups(scope, date_from=date_from, date_to=date_to)
        extras = [
            (
                gettext("重复投诉人"),
                figures.repeat_complainants(scope, date_from=date_from, date_to=date_to),
                gettext("本期受理两次及以上的投诉人（按电话）"),
            ),
            (
                gettext("同一问题组"),
                groups,
                gettext("含本期两件及以上投诉的问题组，共 %(n)s 件投诉") % {"n": grouped},
            ),
        ]
    return render(
        request,
        "reports/statistics.html",
        {
            "date_from": date_from,
            "date_to": date_to,
            "dimension": dimension,
            "dimensions": [(d.code, d.label) for d in stats.DIMENSIONS.values() if d.code != "month"],
            "table": t,
            "chart": _chart_json(b, "bar"),
            "trend": _chart_json(trend, "line"),
            "trend_table": tables.table(trend, drill_base=drill, period=(trend_from, date_to), on_time=False),
            "summary": _summary(cmp, drill, period),
            "extras": extras,
            "heat": heat,
            "heat_chart": json.dumps(heat.chart(), ensure_ascii=False) if heat and heat.buildings else "",
            "cmp": cmp,
            "offices": offices,
            "companies": companies,
            "chosen": chosen,
            "office_id": _int(request.GET.get("office")),
            "company_id": _int(request.GET.get("company")),
            "query": request.GET.urlencode(),
        },
    )


def _summary(cmp, drill: dict, period) -> list[dict]:
    """The headline figures, each with month-on-month and year-on-year change and a drill-down link."""
    from urllib.parse import urlencode

    from django.urls import reverse
    from django.utils.translation import gettext as _

    base = dict(drill, received_from=period[0].isoformat(), received_to=period[1].isoformat())

    def link(extra):
        return reverse("complaints:list") + "?" + urlencode(dict(base, **extra)) if extra is not None else ""

    # The last column: which way of change is better ("up": more is better), for the change's colour.
    items = [
        (_("受理数"), "received", "int", {}, "down"),
        (_("已关闭"), "closed", "int", {"state": "closed"}, "up"),
        (_("处理中"), "open", "int", {"open": "1"}, "down"),
        (_("逾期未结"), "overdue", "int", {"open": "1", "overdue": "1"}, "down"),
        (_("及时率"), "on_time_rate", "pct", None, "up"),
        (_("顾客满意度"), "satisfaction", "num", None, "up"),
        (_("质检评分"), "quality", "num", None, "up"),
        (_("处理时长中位数（工作小时）"), "handling_p50", "num", None, "down"),
        (_("重开率"), "reopen_rate", "pct", None, "down"),
        (_("热点"), "hot", "int", None, "down"),
        (_("重大"), "major", "int", None, "down"),
    ]
    out = []
    for label, attr, fmt, extra, better in items:
        now, prev, year = (getattr(r, attr) for r in (cmp.current, cmp.previous, cmp.last_year))
        out.append(
            {
                "label": label,
                "cell": tables.Cell(now, fmt, link(extra)),
                "mom": stats.Comparison.change(now, prev),
                "yoy": stats.Comparison.change(now, year),
                "prev": tables.Cell(prev, fmt),
                "year": tables.Cell(year, fmt),
                "better": better,
            }
        )
    return out


@login_required
@_committee_redirect
def k01f2(request):
    """K01-F2 顾客投诉分类及统计分析: every classification of the period on one printable page, and as
    Excel (`format=xlsx`)."""
    from django.shortcuts import render

    scope, drill, _offices, companies, chosen = _staff_scope(request)
    form_no = k01f2_form_number(companies, chosen)
    date_from, date_to = _period(request)
    period = (date_from, date_to)
    breakdowns = [
        figures.breakdown(scope, date_from=date_from, date_to=date_to, dimension=d) for d in K01_F2_DIMENSIONS
    ]
    ts = [tables.table(b, drill_base=drill, period=period) for b in breakdowns]
    total = tables.table(
        figures.breakdown(scope, date_from=date_from, date_to=date_to), drill_base=drill, period=period
    )
    title = "顾客投诉分类及统计分析"
    if request.GET.get("format") == "xlsx":
        heading = [f"{title}（{form_no}）", f"{chosen or ''} {date_from} ~ {date_to}"]
        return _download(
            tables.tables_xlsx([total, *ts], heading=heading, sheet="K01-F2"),
            f"K01-F2-{date_from:%Y%m%d}-{date_to:%Y%m%d}",
            "xlsx",
        )
    return render(
        request,
        "reports/k01f2.html",
        {
            "form_no": form_no,
            "tables": ts,
            "total": total,
            "date_from": date_from,
            "date_to": date_to,
            "chosen": chosen,
            "query": request.GET.urlencode(),
        },
    )


@login_required
def committee_home(request):
    from django.http import Http404
    from django.shortcuts import redirect

    from . import selectors as rs

    ids = rs.committee_communities(request.user)
    if not ids:
        raise Http404
    from django.urls import reverse

    query = request.GET.urlencode()
    return redirect(reverse("reports:committee", args=[ids[0]]) + (f"?{query}" if query else ""))


@login_required
def committee(request, community_id: int):
    """业委会统计: the community's figures (R-EXP-11) — counts, on-time rate, satisfaction, open and
    overdue, hot and major, by category and by month — and nothing about any person or complaint."""
    from django.http import Http404
    from django.shortcuts import render

    from . import selectors as rs

    community = rs.committee_community(request.user, community_id)
    if community is None:
        raise Http404
    scope = rs.committee_scope(request.user, community)
    date_from, date_to = _period(request, default_months=11)
    total = figures.breakdown(scope, date_from=date_from, date_to=date_to)
    by = [
        figures.breakdown(scope, date_from=date_from, date_to=date_to, dimension=d)
        for d in COMMITTEE_DIMENSIONS
    ]
    ts = [tables.table(b, committee=True) for b in by]
    fmt = request.GET.get("format")
    if fmt in ("csv", "xlsx"):
        name = f"committee-{community.id}-{date_from:%Y%m%d}-{date_to:%Y%m%d}"
        all_tables = [tables.table(total, committee=True), *ts]
        if fmt == "csv":
            return _download(tables.tables_csv(all_tables), name, "csv")
        heading = [f"{community.name} 投诉情况公示 {date_from} ~ {date_to}"]
        return _download(tables.tables_xlsx(all_tables, heading=heading), name, "xlsx")
    tt = tables.table(total, committee=True)
    return render(
        request,
        "reports/committee.html",
        {
            "community": community,
            "kpis": list(zip(tt.headers[1:], tt.total[1:], strict=True)),
            "tables": ts,
            "charts": [_chart_json(by[0], "bar"), _chart_json(by[1], "line")],
            "date_from": date_from,
            "date_to": date_to,
            "query": request.GET.urlencode(),
        },
    )


@login_required
def report_duty(request, pk: int):
    """One periodic report (R-ANA-2, R-ANA-3): the period's figures beside the month / year before, the
    top causes and the classifications, pre-filled; the sections staff write; printable (the PDF is the
    browser's print to PDF)."""
    from django.contrib import messages
    from django.http import Http404
    from django.shortcuts import redirect, render

    from docket.core.errors import DomainError

    from . import selectors as rs
    from . import services

    duty = services.report_duties_visible_to(request.user).filter(pk=pk).first()
    if duty is None:
        raise Http404
    span = dict(date_from=duty.period_start, date_to=duty.period_end)
    from . import approval, documents

    scope = rs.duty_scope(request.user, duty)
    if scope is None:  # a department's month: its complaints, by the summary's own definitions
        scope = figures.LiveScope(Q(), selection=rs.duty_complaints(request.user, duty))
    cmp = documents.duty_compare(scope, duty)  # the period before of the report's own length
    causes = figures.top_causes(scope, **span)
    by = [figures.breakdown(scope, dimension=d, **span) for d, _title in documents.BREAKDOWNS]
    snapshot = documents.figures_from(cmp, causes, by)
    may_submit = duty.submitted_at is None and services._may_submit(request.user, duty)
    error = None
    if request.method == "POST" and may_submit:
        try:
            services.report_submit(
                actor=request.user,
                duty_id=duty.id,
                **{k: request.POST.get(k, "") for k, _label in services.REPORT_SECTIONS},
                figures=snapshot,
            )
        except DomainError as exc:
            error = exc.message
        else:
            messages.success(request, "报告已提交。")
            return redirect("reports:duty", pk=duty.id)
    draft = {
        "causes": "\n".join(f"{n}. {r.label}：{r.received} 件" for n, r in enumerate(causes, 1)),
    }
    if duty.reviews.exists():  # returned: the sections as written are the draft
        draft = {k: getattr(duty, k) for k, _label in services.REPORT_SECTIONS}
    return render(
        request,
        "reports/duty.html",
        {
            "duty": duty,
            "cmp": cmp,
            "summary": _summary(
                cmp,
                {"office": str(duty.office_id)} if duty.office_id else {},
                (duty.period_start, duty.period_end),
            ),
            "causes": causes,
            "tables": [tables.table(b) for b in by],
            "may_submit": may_submit,
            "sections": [
                (k, label, request.POST.get(k) if request.method == "POST" else draft.get(k, ""))
                for k, label in services.REPORT_SECTIONS
            ],
            "submitted": [(label, getattr(duty, k)) for k, label in services.REPORT_SECTIONS],
            "error": error,
            # The approval step and the documents (reports/approval.py, reports/documents.py).
            "may_review": duty.status == "submitted" and approval.may_review(request.user, duty),
            "reviews": duty.reviews.select_related("reviewer").order_by("reviewed_at", "id"),
            "bars": [(t, documents.bars(snapshot[f"by_{c}"])) for c, t in documents.BREAKDOWNS[:1]],
        },
        status=422 if error else 200,
    )
