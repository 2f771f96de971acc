"""Read-only staff pages: the list and the complaint page (the full workbench is its own issue).
Interfaces only: parse → access → selector → render."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from docket.core.errors import DomainError
from docket.core.paging import CappedPaginator, page_slice
from docket.org.form_numbers import form_number

from .. import access, next_steps, privacy, refdata, selectors, services, workflow
from ..events import chain_verify, receipt_digest
from ..forms import ACTION_FORMS
from ..models import Channel, ComplainantType, Kind, Method, SavedFilter, State
from .actions import REPLY_ACTIONS, bulk_bar

QUEUE_VIEW_LABELS = {
    "mine": _("我的待办"),
    "unassigned": _("待派人"),
    "overdue": _("已超期"),
    "returned": _("被退回"),
    "chased": _("被催办"),
}


def list_filters(request) -> selectors.ListFilters:
    return selectors.ListFilters.from_query(request.GET)


def filter_choices(user) -> dict:
    """What the filter form offers: only offices, departments and categories in the user's scopes (cached
    per scope, refdata.py)."""
    return {
        "states": State.choices,
        "kinds": Kind.choices,
        "channels": Channel.choices,
        "methods": Method.choices,
        **refdata.filter_choices(user),
    }


@login_required
def complaint_list(request):
    f = list_filters(request)
    if f == selectors.ListFilters():
        # The landing: the ids of the first rows up to the cap counted and paged in one statement
        # (selectors.list_first_ids), then the page's rows by id (pagecpu2).
        cap = CappedPaginator.CAP
        first = selectors.list_first_ids(request.user, cap + 1)
        paginator = CappedPaginator([], selectors.LIST_PAGE_SIZE, cap=cap, counter=lambda limit: len(first))
        page = paginator.get_page(request.GET.get("page"))
        start, shown = page_slice(page)
        page.object_list = selectors.list_rows(first[start : start + shown])
    else:
        # Only the columns a row shows (as my work and the search): the record has 50-odd columns and the
        # holder is not shown; reading them all cost more CPU than the query itself.
        rows = (
            selectors.complaint_list_for(request.user, f)
            .select_related(None)
            .select_related("office", "holder_department")
            .only(*selectors.LIST_ROW_FIELDS)
        )
        page = CappedPaginator(rows, selectors.LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    choices = filter_choices(request.user)
    return render(
        request,
        "complaints/list.html",
        {
            "page": page,
            "filters": f,
            **choices,
            "saved": selectors.saved_filters_of(request.user),
            "bulk": bulk_bar(request.user, choices["departments"]),
        },
    )


class SearchPage:
    """One page of search results without a count: a common two-character term would otherwise be counted
    over the user's whole history; the page reads one row more to know whether another page follows."""

    @staticmethod
    def number_from(value) -> int:
        try:
            return min(max(1, int(value or 1)), 10_000)
        except ValueError:
            return 1

    def __init__(self, rows, number):
        """`rows`: the page's rows from its first, and one more when another page follows."""
        self.number = self.number_from(number)
        size = selectors.LIST_PAGE_SIZE
        found = list(rows[: size + 1])
        self.object_list, self._more = found[:size], len(found) > size
        self.paginator = self  # the pager reads page.paginator.num_pages / .capped
        self.num_pages, self.capped = self.number + (1 if self._more else 0), self._more

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self):
        return len(self.object_list)

    def has_previous(self):
        return self.number > 1

    def has_next(self):
        return self._more

    def previous_page_number(self):
        return self.number - 1

    def next_page_number(self):
        return self.number + 1


@login_required
def complaint_search(request):
    """The top bar's search: one box over receipt number, subject, issue text, phone, name and room, within
    what the user may see (selectors.search_rows, the rows of selectors.search_for)."""
    text = request.GET.get("q", "").strip()[:100]
    number = SearchPage.number_from(request.GET.get("page"))
    start = (number - 1) * selectors.LIST_PAGE_SIZE
    need = start + selectors.LIST_PAGE_SIZE + 1  # the page's rows and one more (is there a next page?)
    page = SearchPage(selectors.search_rows(request.user, text, need, start), number)
    return render(
        request,
        "complaints/search.html",
        {"page": page, "q": text, "too_short": 0 < len(text) < selectors.SEARCH_MIN},
    )


@login_required
def saved_filter_save(request):
    """Save (or replace) the current list filter under a name; only the known filter keys are kept."""
    if request.method != "POST":
        raise Http404
    name = request.POST.get("name", "").strip()[:40]
    query = urlencode(
        [
            (k, v)
            for k, v in QueryDict(request.POST.get("query", "")).items()
            if k in selectors.ListFilters.QUERY_KEYS and v
        ]
    )
    if name and query:
        SavedFilter.objects.update_or_create(user=request.user, name=name, defaults={"query": query})
        messages.success(request, f"已保存常用筛选“{name}”。")
    else:
        messages.error(request, "请先设置筛选条件，并填写名称。")
    return redirect(f"{reverse('complaints:list')}?{query}")


@login_required
def saved_filter_delete(request, pk: int):
    if request.method == "POST":
        SavedFilter.objects.filter(user=request.user, pk=pk).delete()
    return redirect("complaints:list")


@login_required
def work_queue(request):
    """我的待办 (the landing page): what waits for the signed-in user, most urgent first; each row names the
    step waiting for them and why it is urgent; tabs with counts (mine, unassigned, overdue, returned,
    chased)."""
    from ..next_steps import StepDecider, prefetch_for_steps, reasons_for

    f = list_filters(request)
    view = request.GET.get("view", "mine")
    if view not in selectors.QUEUE_VIEWS:
        view = "mine"
    counts = selectors.queue_counts(request.user)
    if f == selectors.ListFilters():
        paginator = Paginator([], selectors.LIST_PAGE_SIZE)
        paginator.count = counts[view]  # the tab's count is this view's count: no second COUNT
        page = paginator.get_page(request.GET.get("page"))
        # The page's rows by the statement compiled for this tab (selectors.queue_page), as many as the
        # paginator's slice holds.
        start, shown = page_slice(page)
        items = selectors.queue_page(request.user, view, start)[:shown] if shown else []
        page.object_list = items
    else:
        rows = selectors.queue_view(request.user, view, f).only(*selectors.QUEUE_ROW_FIELDS)
        page = Paginator(rows, selectors.LIST_PAGE_SIZE).get_page(request.GET.get("page"))
        items = list(page.object_list)
    chased = prefetch_for_steps(items, request.user)
    step_for = StepDecider(request.user)
    for c in items:
        c.step = step_for(c)
        c.reasons = reasons_for(c, chased=chased)
    choices = filter_choices(request.user)
    return render(
        request,
        "complaints/work.html",
        {
            "page": page,
            "items": items,
            "filters": f,
            "view": view,
            "tabs": [(v, QUEUE_VIEW_LABELS[v], counts[v]) for v in selectors.QUEUE_VIEWS],
            **choices,
            "bulk": bulk_bar(request.user, choices["departments"]),
        },
    )


@login_required
def complaint_detail(request, pk: int):
    try:
        complaint = selectors.detail_complaint(request.user, pk)
    except DomainError as exc:
        raise Http404 from exc
    complaint = selectors.complaint_detail_for(complaint)
    events = selectors.timeline_rows(complaint)  # read once: shown, verified, and the digest is the first
    actions = access.available_actions(request.user, complaint)
    step = next_steps.next_action_for(request.user, complaint)
    names = {a.name for a in actions}
    primary = step.action if step and step.action in names else ""
    # `?do=<action>` (the queue's step button) opens that action's form at once: one click fewer.
    do = request.GET.get("do", "")
    open_form = None
    if do in names and do in ACTION_FORMS:
        open_form = ACTION_FORMS[do](complaint=complaint, user=request.user)
    return render(
        request,
        "complaints/detail.html",
        {
            **_record_context(request.user, complaint, events),
            "actions": sorted(actions, key=lambda a: a.name != primary),
            "primary": primary,
            "step": step,
            "waiting_note": next_steps.waiting_note(complaint),
            "review_route": next_steps.review_route_text(complaint),
            "open_form": open_form,
            "open_spec": workflow.ACTIONS[do] if open_form is not None else None,
            "reviewing": next_steps.reply_in_hand(complaint) if do in REPLY_ACTIONS and open_form else None,
            "digest": events[0].hash if events and events[0].seq == 1 else "",
        },
    )


def _record_context(user, complaint, events: list) -> dict:
    """What every view of one record shows, as this viewer may read it: the people (masked for roles that
    do not need them, privacy.py), and for the owners' committee only the public events."""
    public = privacy.public_only(user, complaint)
    return {
        "c": complaint,
        "person": privacy.person_for(user, complaint),
        "public_only": public,
        "events": [e for e in events if e.public] if public else events,
        "chain_problem": chain_verify(complaint, events),
    }


@login_required
def complaint_reveal(request, pk: int):
    """Reveal the complaint's personal data to a viewer who sees it masked, with a logged reason (POST)."""
    if request.method != "POST":
        return redirect("complaints:detail", pk=pk)
    try:
        person = services.personal_data_reveal(
            actor=request.user, complaint_id=pk, reason=request.POST.get("reason", "")
        )
        error = ""
    except DomainError as exc:
        if exc.code == "not_found":
            raise Http404 from exc
        person, error = None, exc.message
    complaint = selectors.detail_complaint(request.user, pk)
    context = {
        "c": complaint,
        "person": person or privacy.person_for(request.user, complaint),
        "revealed": person is not None,
        "reveal_error": error,
    }
    return render(request, "complaints/_person.html", context, status=200 if person else 422)


@login_required
def complaint_receipt(request, pk: int):
    """The printable receipt (回执单, R-INT-6): receipt number, check code, the registration digest the
    owners' committee can check later, and a QR code carrying number and digest."""
    try:
        complaint = selectors.detail_complaint(request.user, pk)
    except DomainError as exc:
        raise Http404 from exc
    complaint = selectors.complaint_detail_for(complaint)
    digest = receipt_digest(complaint)
    return render(
        request,
        "complaints/receipt.html",
        {
            "c": complaint,
            "person": privacy.person_for(request.user, complaint),
            "digest": digest,
            "qr_svg": receipt_qr_svg(complaint.receipt_no, digest),
            # The check code opens the owner's portal answers (agree, withdraw …): the owners' committee sees
            # it only on a receipt it recorded itself on the owner's behalf (R-INT-7), to hand over.
            "show_check_code": not privacy.public_only(request.user, complaint)
            or complaint.received_by_id == request.user.pk,
        },
    )


def receipt_qr_svg(receipt_no: str, digest: str) -> str:
    import segno

    return segno.make(f"DOCKET:{receipt_no}:{digest}", error="m").svg_inline(scale=3)


@login_required
def complaint_record_form(request, pk: int):
    """The printable 顾客意见(投诉/建议)处理表 with everything the file holds, for the paper archive
    (R-ANA-5, R-EXP-14)."""
    try:
        complaint = selectors.detail_complaint(request.user, pk)
    except DomainError as exc:
        raise Http404 from exc
    if privacy.public_only(request.user, complaint):
        raise Http404  # the internal controlled form; the owners' committee reads the public view
    complaint = selectors.complaint_detail_for(complaint)
    events = list(selectors.timeline_for(complaint))
    return render(
        request,
        "complaints/record_form.html",
        {
            **_record_context(request.user, complaint, events),
            "digest": events[0].hash if events else "",
            "last_hash": events[-1].hash if events else "",
            "form_no": form_number(complaint.company, "record_form"),
            "complainant_types": ComplainantType.choices,  # seed3: ticked on the printed form
        },
    )


@login_required
def reply_letter(request, pk: int, number: int):
    """A sent or approved reply as a printable letter (R-EXP-14)."""
    try:
        complaint = access.access_complaint(request.user, pk)
    except DomainError as exc:
        raise Http404 from exc
    states = ["sent"] if privacy.public_only(request.user, complaint) else ["approved", "sent"]
    reply = complaint.replies.filter(number=number, state__in=states).first()
    if reply is None:
        raise Http404
    person = privacy.person_for(request.user, complaint)
    return render(request, "complaints/reply_letter.html", {"c": complaint, "r": reply, "person": person})
