"""The case library's pages: list and search, one case, write up a complaint, edit a case."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render

from docket.complaints import scopes
from docket.complaints.models import Category, Complaint
from docket.core.errors import DomainError

from . import access, services
from .models import TypicalCase

PAGE = 50


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@login_required
def case_list(request):
    """典型案例库: search by text, category, tag and case type."""
    if not access.may_read_library(request.user):
        raise Http404
    qs = access.cases_visible_to(request.user).select_related("category__parent", "company")
    q = (request.GET.get("q") or "").strip()[:100]
    if q:
        text = Q()
        for f in (*TypicalCase.TEXT_FIELDS, "place"):
            text |= Q(**{f"{f}__icontains": q})
        qs = qs.filter(text)
    category = _int(request.GET.get("category"))
    if category:
        qs = qs.filter(Q(category_id=category) | Q(category__parent_id=category))
    tag = (request.GET.get("tag") or "").strip()[:20]
    if tag:
        qs = qs.filter(tags__contains=f",{tag.replace(',', '')},")
    kind = request.GET.get("kind")
    if kind in TypicalCase.Kind.values:
        qs = qs.filter(kind=kind)
    cases = list(qs[:PAGE])
    company_ids = set(access.cases_visible_to(request.user).values_list("company_id", flat=True).distinct())
    categories = Category.objects.filter(
        company_id__in=company_ids or [-1], parent__isnull=True, active=True
    ).order_by("company_id", "sort", "id")
    return render(
        request,
        "cases/list.html",
        {
            "cases": cases,
            "q": q,
            "category": category,
            "tag": tag,
            "kind": kind,
            "kinds": TypicalCase.Kind.choices,
            "categories": categories,
            "may_write": access.may_write_any(request.user),
        },
    )


def _case(request, pk: int) -> TypicalCase:
    case = (
        access.cases_visible_to(request.user)
        .select_related("category__parent", "created_by", "updated_by")
        .filter(pk=pk)
        .first()
    )
    if case is None:
        raise Http404
    return case


@login_required
def case_detail(request, pk: int):
    case = _case(request, pk)
    complaint = Complaint.objects.get(pk=case.complaint_id)
    return render(
        request,
        "cases/detail.html",
        {
            "case": case,
            "may_edit": access.may_write(request.user, complaint),
            # Only those who may see the complaint itself get a link to it.
            "complaint_link": scopes.can_see(request.user, complaint),
        },
    )


def _input(post) -> services.CaseInput:
    tags = [t for t in (post.get("tags") or "").replace("，", ",").replace(" ", ",").split(",") if t.strip()]
    return services.CaseInput(
        kind=post.get("kind", ""),
        title=post.get("title", ""),
        background=post.get("background", ""),
        causes=post.get("causes", ""),
        handling=post.get("handling", ""),
        result=post.get("result", ""),
        lessons=post.get("lessons", ""),
        measures=post.get("measures", ""),
        tags=tags,
        category_id=_int(post.get("category")),
    )


def _find_complaint(request) -> Complaint | None:
    """The complaint to write up, by id (`complaint`) or receipt number (`receipt_no`), within what the
    user may write."""
    visible = scopes.complaints_visible_to(request.user)
    cid = _int(request.GET.get("complaint") or request.POST.get("complaint"))
    receipt = (request.GET.get("receipt_no") or "").strip()
    c = None
    if cid:
        c = visible.select_related("community", "building").filter(pk=cid).first()
    elif receipt:
        c = visible.select_related("community", "building").filter(receipt_no=receipt).first()
    return c if c is not None and access.may_write(request.user, c) else None


@login_required
def case_new(request):
    """Mark a complaint as a typical case and write it up (QM, leadership, the office's manager)."""
    if not access.may_write_any(request.user):
        raise PermissionDenied
    complaint = _find_complaint(request)
    error = None
    if request.method == "POST":
        if complaint is None:
            raise Http404
        try:
            case = services.case_create(
                actor=request.user, complaint_id=complaint.id, data=_input(request.POST)
            )
        except DomainError as exc:
            error = exc.message
        else:
            messages.success(request, "已收入案例库（已去除个人信息）。")
            return redirect("cases:detail", pk=case.id)
    existing = getattr(complaint, "typical_case", None) if complaint else None
    initial = {}
    if complaint is not None and request.method == "GET":
        severity = complaint.severity if complaint.severity in TypicalCase.Kind.values else "important"
        initial = {"kind": severity, "title": complaint.subject}
    return render(
        request,
        "cases/form.html",
        {
            "complaint": complaint,
            "existing": existing,
            "receipt_no": request.GET.get("receipt_no", ""),
            "posted": request.POST if request.method == "POST" else initial,
            "kinds": TypicalCase.Kind.choices,
            "categories": _categories(complaint.company_id) if complaint else [],
            "error": error,
        },
        status=422 if error else 200,
    )


def _categories(company_id: int):
    return Category.objects.filter(company_id=company_id, active=True).select_related("parent")


@login_required
def case_edit(request, pk: int):
    case = _case(request, pk)
    complaint = Complaint.objects.select_related("community", "building").get(pk=case.complaint_id)
    if not access.may_write(request.user, complaint):
        raise PermissionDenied
    error = None
    if request.method == "POST":
        try:
            services.case_update(actor=request.user, case_id=case.id, data=_input(request.POST))
        except DomainError as exc:
            error = exc.message
        else:
            messages.success(request, "案例已保存（已去除个人信息）。")
            return redirect("cases:detail", pk=case.id)
    posted = (
        request.POST
        if request.method == "POST"
        else {
            **{f: getattr(case, f) for f in TypicalCase.TEXT_FIELDS},
            "kind": case.kind,
            "tags": ", ".join(case.tag_list),
            "category": str(case.category_id or ""),
        }
    )
    return render(
        request,
        "cases/form.html",
        {
            "case": case,
            "complaint": complaint,
            "posted": posted,
            "kinds": TypicalCase.Kind.choices,
            "categories": _categories(complaint.company_id),
            "error": error,
        },
        status=422 if error else 200,
    )
