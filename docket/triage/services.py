"""Triage (R-INT-4, R-ESC-1): suggest a category, the responsible department and possible same-issue
complaints from the Chinese text; train the company's classifier; record what staff chose; keep the
same-issue groups staff confirm. Staff always decide: nothing here changes a complaint.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache

from django.db import transaction
from django.db.models import Count, Exists, Max, OuterRef, Prefetch, QuerySet
from django.utils.translation import gettext as _

from docket.accounts.backends import ORG
from docket.complaints import reactions, scopes
from docket.complaints.models import Category, Complaint, ComplaintIssue, CoSigner
from docket.core import clock, generations, phones
from docket.core.compiled import Compiled, CompiledBy, set_prefetched
from docket.core.errors import DomainError
from docket.org.models import Company, Department, Office

from . import classifier
from .models import SameIssueGroup, SameIssueMember, TriageFeedback, TriageModel
from .rules import DEPT_OF_PATH, RULES_VERSION, rule_scores
from .same_issue import THRESHOLD, WINDOW_DAYS, Doc, make_doc, people, score
from .text import normalise, number_of

# The complaints whose text is read and scored per lookup (the newest that pass the category filter):
# bounds the work whatever the office's volume (bench/triage.py).
MAX_CANDIDATES = 400
# The ids read per lookup before the category filter (ids only: cheap); bounds a very busy office.
MAX_WINDOW = 3000
MIN_TRAINING_SAMPLES = 50
# What reactions (complaints/reactions.py) hear when staff confirm or merge a same-issue group.
SAME_ISSUE_CONFIRMED = "same_issue_confirmed"


# --- the suggestion ---------------------------------------------------------------------------------------


@dataclass
class Candidate:
    complaint: Complaint
    score: float
    doc: Doc | None = None


@dataclass
class Suggestion:
    source: str  # "rules-1" or "model-N": what made the suggestion (recorded with the feedback)
    categories: list[tuple[Category, float]]  # best first, at most three
    department: Department | None
    candidates: list[Candidate] = field(default_factory=list)
    people_known: int = 0  # distinct complainants among the candidates and this filing
    people_unknown: int = 0

    @property
    def category(self) -> Category | None:
        return self.categories[0][0] if self.categories else None

    @property
    def repeated(self) -> bool:
        """R-ESC-1: the same issue from ≥3 different (known) complainants within the window."""
        return self.people_known >= 3


_models_lock = threading.Lock()
_models: dict[int, tuple[int, classifier.Classifier]] = {}  # company id → (model row id, fitted)


def _current_model(company_id: int) -> tuple[TriageModel | None, classifier.Classifier | None]:
    """The company's newest model, deserialised once per process and version."""
    row = TriageModel.objects.filter(company_id=company_id).order_by("-version").only("id", "version").first()
    if row is None:
        return None, None
    cached = _models.get(company_id)
    if cached is not None and cached[0] == row.id:
        return row, cached[1]
    blob = TriageModel.objects.filter(pk=row.id).values_list("blob", flat=True).get()
    fitted = classifier.loads(bytes(blob))
    with _models_lock:
        _models[company_id] = (row.id, fitted)
    return row, fitted


# Reference rows read on every keystroke, kept per process under the `org` generation stamp (like the staff
# pages' reference data, docket.complaints.refdata): a renamed or retired category or department counts on
# the next lookup of every worker, and a lookup in a request costs no stamp read of its own.
def _cached(key: tuple, load):
    return generations.cached(("triage", *key), (ORG,), load)


def ref_cache_clear() -> None:
    """Forget the reference rows in this process (the benchmark's cold lookups)."""
    generations.forget(lambda key: isinstance(key, tuple) and key[:1] == ("triage",))


def _categories(company_id: int) -> tuple[dict[str, Category], dict[str, Category]]:
    """The company's active categories by id (as text) and by path ("设施设备 / 电梯")."""

    def load():
        cats = list(Category.objects.filter(company_id=company_id, active=True).select_related("parent"))
        return {str(c.id): c for c in cats}, {str(c): c for c in cats}

    return _cached(("categories", company_id), load)


def _department(office: Office, kind: str | None) -> Department | None:
    if not kind:
        return None
    return _cached(("department", office.id, kind), lambda: _department_load(office, kind))


def _department_load(office: Office, kind: str) -> Department | None:
    depts = [
        d
        for d in Department.objects.filter(company_id=office.company_id, kind=kind)
        if d.office_id in (office.id, None)
    ]
    depts.sort(key=lambda d: d.office_id is None)  # the office's own department first
    return depts[0] if depts else None


def classify(*, office: Office, text: str) -> Suggestion:
    """Category (top 3) and department for the text: the company's model when it has one, else the rules."""
    by_id, by_path = _categories(office.company_id)
    row, fitted = _current_model(office.company_id)
    if fitted is not None and row is not None:
        cats, depts = fitted.predict(text, k=3)
        ranked = [(by_id[label], p) for label, p in cats if label in by_id]
        dept = _department(office, depts[0][0] if depts else None)
        if dept is None and ranked:
            dept = _department(office, DEPT_OF_PATH.get(str(ranked[0][0])))
        return Suggestion(source=row.label, categories=ranked, department=dept)
    scores = rule_scores(normalise(text))
    total = sum(scores.values()) or 1.0
    ranked = [
        (by_path[path], s / total)
        for path, s in sorted(scores.items(), key=lambda kv: -kv[1])
        if path in by_path
    ][:3]
    kind = DEPT_OF_PATH.get(str(ranked[0][0])) if ranked else None
    return Suggestion(source=RULES_VERSION, categories=ranked, department=_department(office, kind))


def suggest(
    *,
    user,
    office_id: int,
    text: str,
    room_id: int | None = None,
    location: str = "",
    phone: str = "",
    exclude_complaint_id: int | None = None,
    now: datetime | None = None,
    window_days: int = WINDOW_DAYS,
) -> Suggestion:
    """What the front desk sees while typing: the category, the department and the same-issue candidates
    among the complaints of the office the user may see (never another office's, never one outside the
    user's scope). An office outside the user's scope answers `not_found`."""
    office = Office.objects.select_related("company").filter(pk=office_id).first()
    if office is None or not scopes.office_visible(user, office):
        raise DomainError("not_found")
    result = classify(office=office, text=text)
    building = unit = ""
    if room_id:
        from docket.org.models import Room

        room = Room.objects.select_related("unit__building__community").filter(pk=room_id).first()
        if room is None or room.unit.building.community.office_id != office.id:
            raise DomainError("not_found")
        building, unit = number_of(room.unit.building.name), number_of(room.unit.name)
    cats = tuple(str(c.id) for c, _p in result.categories)
    doc = make_doc(
        None,
        normalise(text),
        categories=cats,
        received_at=now or clock.now(),
        building=building,
        unit=unit,
        location=normalise(location),
        person=phones.normalize(phone) or "",
    )
    result.candidates = same_issue_candidates(
        office=office,
        doc=doc,
        visible=scopes.complaints_visible_to(user),
        exclude_id=exclude_complaint_id,
        window_days=window_days,
        after=exclude_complaint_id is not None,  # a filed complaint looked at again: both sides
    )
    known, unknown = people([doc] + [c.doc for c in result.candidates if c.doc is not None])
    result.people_known, result.people_unknown = known, unknown
    return result


# --- same-issue candidates ----------------------------------------------------------------------------------


def _text_of(c: Complaint) -> str:
    summaries = " ".join(i.summary for i in c.issues.all())
    return f"{c.subject} {c.description} {summaries}"


def _person_of(c: Complaint) -> str:
    if c.anonymous:
        return ""
    return phones.normalize(c.complainant_phone) or ""


def _categories_of(c: Complaint) -> tuple[str, ...]:
    """The categories of the complaint's issues, as a Doc carries them."""
    return tuple(str(i.category_id) for i in c.issues.all() if i.category_id)


def _doc_of(c: Complaint) -> Doc:
    building, unit = c.building, c.unit
    return make_doc(
        c.pk,
        normalise(_text_of(c)),
        categories=_categories_of(c),
        received_at=c.received_at,
        building=number_of(building.name) if building is not None else "",
        unit=number_of(unit.name) if unit is not None else "",
        location=normalise(c.location),
        person=_person_of(c),
    )


_WINDOW_FIELDS = (
    "id",
    "subject",
    "description",
    "location",
    "received_at",
    "anonymous",
    "complainant_phone",
    "building__name",
    "unit__name",
)


def window_query(
    office: Office, at: datetime, window_days: int, base: QuerySet | None, exclude_id=None, after: bool = True
) -> QuerySet:
    """The ids of the office's complaints within `window_days` of `at` (before, and after for a complaint
    looked at later), newest first, at most MAX_WINDOW: an index range on complaint_company_received
    (company, received_at) with the office filtered on it (bench/triage.py --explain prints the plan)."""
    since, until = _window_span(at, window_days, after)
    return _window_ids(base, office.company_id, office.id, since, until, exclude_id or None)


def _window_span(at: datetime, window_days: int, after: bool) -> tuple[datetime, datetime]:
    return at - timedelta(days=window_days), at + timedelta(days=window_days if after else 0)


def _window_ids(base: QuerySet | None, company_id, office_id, since, until, exclude_id) -> QuerySet:
    qs = base if base is not None else Complaint.objects.all()
    qs = qs.filter(company_id=company_id, office_id=office_id, received_at__gte=since, received_at__lte=until)
    if exclude_id is not None:
        qs = qs.exclude(pk=exclude_id)
    return qs.order_by("-received_at").values_list("id", flat=True)[:MAX_WINDOW]


def _window_rows(ids: QuerySet, categories: tuple) -> QuerySet:
    """The window's rows that can still match `categories` (category ids; none: every row), newest first, at
    most MAX_CANDIDATES (see _window_docs)."""
    rows = _may_match(Complaint.objects.filter(pk__in=ids), categories)
    return rows.order_by("-received_at").values_list(*_WINDOW_FIELDS)[:MAX_CANDIDATES]


def _may_match(rows: QuerySet, categories) -> QuerySet:
    """Of `rows`, those that can still match a complaint of `categories` (category ids; none: every row):
    with no classified issue, or an issue in one of them (see _window_docs)."""
    if not categories:
        return rows
    issue = ComplaintIssue.objects.filter(complaint_id=OuterRef("pk"))
    return rows.filter(
        ~Exists(issue.filter(category_id__isnull=False)) | Exists(issue.filter(category_id__in=categories))
    )


def _build_window_rows(shape, company_id, office_id, since, until, *rest) -> QuerySet:
    has_exclude, _n = shape
    exclude_id, categories = (rest[0], rest[1:]) if has_exclude else (None, rest)
    return _window_rows(_window_ids(None, company_id, office_id, since, until, exclude_id), categories)


# The system's window (no user scope: escalation's count, the most frequent lookup) compiled once per shape
# (docket.core.compiled): building and compiling this statement cost more than PostgreSQL answering it.
_system_window_rows = CompiledBy(lambda shape, *values: _build_window_rows(shape, *values), limit=64)
# The window's issues, one plan per number of complaints (at most MAX_CANDIDATES).
_window_issues = Compiled(
    lambda *ids: (
        ComplaintIssue.objects.filter(complaint_id__in=ids)
        .order_by("complaint_id", "seq")
        .values_list("complaint_id", "summary", "category_id")
    )
)


def _window_docs(
    office: Office,
    at: datetime,
    window_days: int,
    base: QuerySet | None,
    exclude_id,
    categories: tuple[str, ...] = (),
    after: bool = True,
) -> list[Doc]:
    """The window's complaints as Docs, in two indexed queries of plain rows (no model instances): the
    window's rows that can still match, newest first (the window's ids a subquery); their issues (summary,
    category). With the looked-up complaint's categories, a complaint whose issues are all classified
    outside them is left out by the first query: it scores below the threshold whatever its words
    (same_issue.score), so this loses nothing — and an office's month of other topics is never read into
    Python (docs/decisions.md, "classify7")."""
    cats = _filter_cats(categories)
    if base is None:
        held = _window_held(office, at, window_days, exclude_id, cats, after)
        if held is not None:
            return held
        since, until = _window_span(at, window_days, after)
        values = (office.company_id, office.id, since, until, *((exclude_id,) if exclude_id else ()), *cats)
        shape = (bool(exclude_id), len(cats))
        found = _system_window_rows(shape, shape, *values)
    else:
        found = list(_window_rows(window_query(office, at, window_days, base, exclude_id, after), cats))
    issues: dict[int, list[tuple[str, int | None]]] = {}
    for cid, summary, cat in _window_issues(*[row[0] for row in found]) if found else ():
        issues.setdefault(cid, []).append((summary, cat))
    return [_doc_of_row(row, tuple(issues.get(row[0], ()))) for row in found]


def _filter_cats(categories: tuple[str, ...]) -> tuple[int, ...]:
    """The category ids the window's first query filters on: all of the complaint's categories when each is
    an id, else none (every row)."""
    wanted = {int(c) for c in categories if c.isdigit()}
    return tuple(sorted(wanted)) if wanted and len(wanted) == len(categories) else ()


# --- one window per office for a batch of classifications (docs/decisions.md, "windowbatch") -----------------

_batch = threading.local()


@dataclass
class _HeldWindow:
    since: datetime
    until: datetime
    cats: frozenset[str] | None  # the categories the rows were filtered on; None: every row
    docs: list[Doc]  # newest first


@contextmanager
def window_batch(rows: Iterable[Complaint], window_days: Callable[[int], int]):
    """Inside: the detector's window (`_window_docs`, the system's count) of each office with two or more of
    `rows` (the complaints a batch classifies: escalation.classify_pending) read once for them all, not
    once per complaint. `window_days(company_id)`: the company's repeat window (its thresholds).

    Exact: a complaint's window is what its own two statements would give. The office's rows over the union
    of the complaints' spans are read once (filtered on the union of their categories, or not at all when
    one has none) — only when that span holds fewer than MAX_WINDOW complaints, so the per-complaint id cap
    never binds; otherwise, and for an office with one complaint in the batch, the per-complaint
    statements run as before. Each complaint then keeps, in Python, the rows of its own span and categories
    but itself, newest first, at most MAX_CANDIDATES. A complaint filed while the batch runs is not in the
    held rows; it is classified itself in a later batch and counts the batch's complaints then (R-ESC-1's
    count is made by the newest complaint of a group)."""
    groups: dict[tuple[int, int], list[Complaint]] = {}
    for c in rows:
        groups.setdefault((c.company_id, c.office_id), []).append(c)
    held: dict[tuple[int, int], _HeldWindow] = {}
    for (company_id, office_id), group in groups.items():
        if len(group) < 2:
            continue
        days = window_days(company_id)
        since = min(c.received_at for c in group) - timedelta(days=days)
        until = max(c.received_at for c in group) + timedelta(days=days)
        span = Complaint.objects.filter(
            company_id=company_id, office_id=office_id, received_at__gte=since, received_at__lte=until
        )
        if span.values_list("id", flat=True)[:MAX_WINDOW].count() >= MAX_WINDOW:
            continue  # the per-complaint id cap may bind: each complaint reads its own window
        per = [_filter_cats(_categories_of(c)) for c in group]
        union = None if any(not cats for cats in per) else sorted({x for cats in per for x in cats})
        found = list(_may_match(span, union).order_by("-received_at", "-id").values_list(*_WINDOW_FIELDS))
        # their issues, by the ORM: the compiled `_window_issues` makes one plan per number of ids
        issues: dict[int, list[tuple[str, int | None]]] = {}
        if found:
            for cid, summary, cat in (
                ComplaintIssue.objects.filter(complaint_id__in=[r[0] for r in found])
                .order_by("complaint_id", "seq")
                .values_list("complaint_id", "summary", "category_id")
            ):
                issues.setdefault(cid, []).append((summary, cat))
        docs = [_doc_of_row(row, tuple(issues.get(row[0], ()))) for row in found]
        held[(company_id, office_id)] = _HeldWindow(
            since, until, None if union is None else frozenset(str(x) for x in union), docs
        )
    previous = getattr(_batch, "held", None)
    _batch.held = held
    try:
        yield
    finally:
        _batch.held = previous


def _window_held(office, at: datetime, window_days: int, exclude_id, cats: tuple[int, ...], after: bool):
    """The window's Docs from the batch's held rows (window_batch), or None when none covers it."""
    held = getattr(_batch, "held", None)
    window = held.get((office.company_id, office.id)) if held else None
    if window is None:
        return None
    since, until = _window_span(at, window_days, after)
    wanted = frozenset(str(x) for x in cats)
    if (
        since < window.since
        or until > window.until
        or (window.cats is not None and not wanted <= window.cats)
    ):
        return None
    out = []
    for d in window.docs:
        if d.key == exclude_id or not since <= d.received_at <= until:
            continue
        if wanted and d.categories and wanted.isdisjoint(d.categories):
            continue
        out.append(d)
        if len(out) == MAX_CANDIDATES:
            break
    return out


@lru_cache(maxsize=20000)
def _doc_of_row(row: tuple, issues: tuple[tuple[str, int | None], ...]) -> Doc:
    """A Doc from a window row and its issues; cached on their whole content (an edit makes a new key)."""
    pk, subject, description, location, received_at, anonymous, phone, building, unit = row
    text = f"{subject} {description} " + " ".join(summary for summary, _c in issues)
    return make_doc(
        pk,
        normalise(text),
        categories=tuple(str(c) for _s, c in issues if c),
        received_at=received_at,
        building=number_of(building) if building else "",
        unit=number_of(unit) if unit else "",
        location=normalise(location),
        person="" if anonymous else (phones.normalize(phone) or ""),
    )


def same_issue_candidates(
    *,
    office: Office,
    doc: Doc,
    visible: QuerySet | None = None,
    exclude_id: int | None = None,
    window_days: int = WINDOW_DAYS,
    threshold: float = THRESHOLD,
    limit: int = 10,
    after: bool = True,
) -> list[Candidate]:
    """Complaints of the office within the window scoring at least `threshold` against `doc`, best first.
    `visible` (the user's scope) restricts the rows read; None reads all (the system's own count). `after`:
    also the window after `doc` (a filed complaint looked at later); a complaint being typed has none."""
    at = doc.received_at or clock.now()
    scored = []
    for d in _window_docs(office, at, window_days, visible, exclude_id, doc.categories, after):
        s = score(doc, d)
        if s >= threshold:
            scored.append((s, d))
    scored.sort(key=lambda x: -x[0])
    scored = scored[:limit]
    by_id = {c.pk: c for c in _candidate_rows(*[d.key for _s, d in scored])} if scored else {}
    return [Candidate(by_id[d.key], s, d) for s, d in scored if d.key in by_id]


# The candidates' rows with what escalation's repeat count reads of each (escalation.services.repeat_of: no
# second query), one compiled plan per number of candidates (at most the caller's limit).
_candidate_rows = Compiled(
    lambda *ids: Complaint.objects.only(
        "id",
        "receipt_no",
        "subject",
        "received_at",
        "state",
        "anonymous",
        "complainant_phone",
        "kind",
        "severity",
    ).filter(pk__in=ids)
)
_membership = Compiled(
    lambda pk: SameIssueMember.objects.select_related("group").filter(complaint_id=pk).order_by("pk")[:1]
)
_placed = Compiled(
    lambda *ids: SameIssueMember.objects.filter(complaint_id__in=ids).values_list("complaint_id", flat=True)
)


@dataclass
class SameIssue:
    complaint: Complaint
    members: list[Candidate]  # the other complaints of the group
    confirmed: SameIssueGroup | None  # a staff-confirmed group, whose members win over the detector
    people_known: int
    people_unknown: int

    @property
    def repeated(self) -> bool:
        return self.people_known >= 3


def same_issue_group_for(
    *,
    complaint_id: int,
    window_days: int = WINDOW_DAYS,
    one: Complaint | None = None,
    in_group: bool | None = None,
) -> SameIssue:
    """The complaint's same-issue group: the staff-confirmed group if it is in one, else what the detector
    finds in its office within the window (for the system's R-ESC-1 count: no user scope). `one`: the
    complaint as `rules_row` read it, if the caller has it (not read again); `in_group`: whether it is a
    member of a group, if the caller read that (`RulesRow.in_group`), else it is read here."""
    c = one if one is not None else _window_one(complaint_id)
    member = None if in_group is False else next(iter(_membership(complaint_id)), None)
    if member is not None:
        others = [
            m.complaint
            for m in SameIssueMember.objects.filter(group_id=member.group_id)
            .exclude(complaint_id=complaint_id)
            .select_related("complaint")
        ]
        members = [Candidate(o, 1.0) for o in others]
        known, unknown = people([_doc_of(c)] + [_doc_of(_window_one(o.pk)) for o in others])
        return SameIssue(c, members, member.group, known, unknown)
    office = Office(id=c.office_id, company_id=c.company_id)  # the window reads only these two: no query
    candidates = same_issue_candidates(
        office=office, doc=_doc_of(c), exclude_id=c.pk, window_days=window_days, limit=50
    )
    # already placed by staff in a group: not proposed again
    decided = set(_placed(*[x.complaint.pk for x in candidates])) if candidates else set()
    found = [x for x in candidates if x.complaint.pk not in decided]
    known, unknown = people([_doc_of(c)] + [x.doc for x in found if x.doc is not None])
    return SameIssue(c, found, None, known, unknown)


# What the detector reads of the complaint looked up (_doc_of, the window, escalation.repeat_of): a full row of
# Complaint's ~80 columns cost more to build than the rest of the lookup (intakeperf). Any other column
# still loads on access (Django's deferred fields), so callers stay correct.
_ONE_FIELDS = (*_WINDOW_FIELDS, "company_id", "office_id", "receipt_no", "kind", "state", "severity")
# ... and what escalation's rules read besides (escalation.services.facts_of, its read-only pass)
_RULES_FIELDS = (
    *_ONE_FIELDS,
    "lawsuit_filed",
    "media_exposed",
    "legal_or_media_risk",
    "people_count",
    "paused_at",
)


def _rules_complaints() -> QuerySet:
    """What the rules and the detector read of complaints (the one shape of `rules_row` and `rules_rows`)."""
    return Complaint.objects.select_related("building", "unit").only(*_RULES_FIELDS)


def _rules_issue_rows() -> QuerySet:
    """... and of their issues, in each complaint's order."""
    return ComplaintIssue.objects.order_by("complaint_id", "seq").only(
        "id", "complaint_id", "summary", "category_id"
    )


_rules_row = Compiled(lambda pk: _rules_complaints().filter(pk=pk))
_rules_issues = Compiled(lambda pk: _rules_issue_rows().filter(complaint_id=pk))


@dataclass(frozen=True)
class RulesRow:
    """A complaint as `rules_rows` read it for a batch: the row (as `rules_row` reads one), and what the rules
    would otherwise ask per complaint, read for the whole batch — its co-signers, counted
    (escalation.facts_of), and whether it is a member of a same-issue group (same_issue_group_for)."""

    complaint: Complaint
    cosigners: int
    in_group: bool


def rules_row(complaint_id: int) -> Complaint | None:
    """The complaint as the hot/major rules and the detector read it (its row with building and unit, and
    its issues; no lock; compiled statements, as every new complaint is read so by its classification), or
    None when it is gone; pass it on as `same_issue_group_for(one=…)`."""
    found = _rules_row(complaint_id)
    if not found:
        return None
    set_prefetched(found[0], "issues", _rules_issues(complaint_id))
    return found[0]


def rules_rows(complaint_ids: list[int]) -> dict[int, RulesRow]:
    """`rules_row` for a batch (escalation.classify_pending), by id, the ids gone left out: the rows in one
    statement, their issues in another, the co-signer counts and the group memberships in one each."""
    found = {c.pk: c for c in _rules_complaints().filter(pk__in=complaint_ids)}
    ids = list(found)
    issues: dict[int, list[ComplaintIssue]] = {pk: [] for pk in found}
    for issue in _rules_issue_rows().filter(complaint_id__in=ids):
        issues[issue.complaint_id].append(issue)
    cosigners = dict(
        CoSigner.objects.filter(complaint_id__in=ids)
        .values_list("complaint_id")
        .annotate(n=Count("id"))
        .values_list("complaint_id", "n")
    )
    grouped = set(SameIssueMember.objects.filter(complaint_id__in=ids).values_list("complaint_id", flat=True))
    for pk, c in found.items():
        set_prefetched(c, "issues", issues[pk])
    return {pk: RulesRow(c, cosigners.get(pk, 0), pk in grouped) for pk, c in found.items()}


def _window_one(complaint_id: int) -> Complaint:
    c = (
        Complaint.objects.select_related("building", "unit")
        .only(*_ONE_FIELDS)
        .prefetch_related(
            Prefetch(
                "issues", queryset=ComplaintIssue.objects.only("id", "complaint_id", "summary", "category_id")
            )
        )
        .filter(pk=complaint_id)
        .first()
    )
    if c is None:
        raise DomainError("not_found")
    return c


# --- staff decisions on groups ------------------------------------------------------------------------------


def _visible_complaints(actor, complaint_ids: list[int]) -> list[Complaint]:
    ids = sorted(set(complaint_ids))
    found = list(scopes.complaints_visible_to(actor).filter(pk__in=ids).order_by("pk"))
    if len(found) != len(ids):
        raise DomainError("not_found")
    return found


def same_issue_confirm(*, actor, complaint_ids: list[int], title: str = "") -> SameIssueGroup:
    """Staff confirm that these complaints are one issue: a new group (members leave any group they were in;
    a group left empty is deleted). All must be of one office and visible to the actor."""
    if len(set(complaint_ids)) < 2:
        raise DomainError("validation", detail=_("至少选择两件投诉"))
    with transaction.atomic():
        complaints = _visible_complaints(actor, complaint_ids)
        if len({c.office_id for c in complaints}) != 1:
            raise DomainError("validation", detail=_("同一问题组的投诉须属于同一管理处"))
        first = complaints[0]
        group = SameIssueGroup.objects.create(
            company_id=first.company_id,
            office_id=first.office_id,
            category_id=ComplaintIssue.objects.filter(complaint=first)
            .values_list("category_id", flat=True)
            .first(),
            title=(title or first.subject)[:200],
            created_at=clock.now(),
            created_by=actor,
        )
        _place(actor, group, complaints)
        # escalation (issue 12): a confirmed group may make its complaints hot (R-ESC-1, R-ESC-3)
        reactions.facts_changed([c.pk for c in complaints], SAME_ISSUE_CONFIRMED)
        return group


def _place(actor, group: SameIssueGroup, complaints: list[Complaint]) -> None:
    now = clock.now()
    old_groups = set(
        SameIssueMember.objects.filter(complaint__in=complaints)
        .exclude(group=group)
        .values_list("group_id", flat=True)
    )
    for c in complaints:
        SameIssueMember.objects.update_or_create(
            complaint=c, defaults={"group": group, "decided_by": actor, "decided_at": now, "score": None}
        )
    SameIssueGroup.objects.filter(pk__in=old_groups, members__isnull=True, merged_into__isnull=True).delete()


def _group_for(actor, group_id: int) -> SameIssueGroup:
    group = SameIssueGroup.objects.select_related("office__company").filter(pk=group_id).first()
    if group is None or not scopes.office_visible(actor, group.office):
        raise DomainError("not_found")
    return group


def same_issue_split(
    *, actor, group_id: int, complaint_ids: list[int], title: str = ""
) -> SameIssueGroup | None:
    """Move these members out into a group of their own (two or more), or out of any group (one)."""
    with transaction.atomic():
        group = _group_for(actor, group_id)
        complaints = _visible_complaints(actor, complaint_ids)
        member_ids = set(group.members.values_list("complaint_id", flat=True))
        if not {c.pk for c in complaints} <= member_ids:
            raise DomainError("validation", detail=_("所选投诉不在该问题组中"))
        if len(complaints) == 1:
            SameIssueMember.objects.filter(group=group, complaint=complaints[0]).delete()
            return None
        new = SameIssueGroup.objects.create(
            company_id=group.company_id,
            office_id=group.office_id,
            category_id=group.category_id,
            title=(title or complaints[0].subject)[:200],
            created_at=clock.now(),
            created_by=actor,
        )
        _place(actor, new, complaints)
        return new


def same_issue_merge(*, actor, group_id: int, into_id: int) -> SameIssueGroup:
    """Move every member of one group into another of the same office; the emptied group remembers where."""
    if group_id == into_id:
        raise DomainError("validation", detail=_("不能并入自身"))
    with transaction.atomic():
        source, target = _group_for(actor, group_id), _group_for(actor, into_id)
        if source.office_id != target.office_id:
            raise DomainError("validation", detail=_("同一问题组的投诉须属于同一管理处"))
        SameIssueMember.objects.filter(group=source).update(
            group=target, decided_by=actor, decided_at=clock.now()
        )
        source.merged_into = target
        source.save(update_fields=["merged_into"])
        members = SameIssueMember.objects.filter(group=target).values_list("complaint_id", flat=True)
        reactions.facts_changed(list(members), SAME_ISSUE_CONFIRMED)  # escalation (issue 12)
        return target


# --- training and feedback ------------------------------------------------------------------------------------


def _split(key: int) -> bool:
    """A fixed 80/20 holdout by id (the same rows every time, whatever the order)."""
    return hashlib.sha1(str(key).encode()).digest()[0] < 52  # ~20 %


def training_rows(company_id: int) -> list[tuple[int, str, str, str]]:
    """(issue id, text, category id, department kind) for every classified issue of the company."""
    issues = (
        ComplaintIssue.objects.filter(company_id=company_id, category__isnull=False, category__active=True)
        .select_related("complaint", "department")
        .only(
            "id",
            "summary",
            "category_id",
            "department__kind",
            "complaint__subject",
            "complaint__description",
        )
    )
    counts: dict[int, int] = {}
    rows = list(issues)
    for i in rows:
        counts[i.complaint_id] = counts.get(i.complaint_id, 0) + 1
    out = []
    for i in rows:
        c = i.complaint
        # A complaint of several issues shares its description: train on the issue's own words there.
        text = (
            f"{c.subject} {c.description} {i.summary}"
            if counts[i.complaint_id] == 1
            else f"{i.summary} {c.subject}"
        )
        dept = i.department
        out.append((i.pk, text, str(i.category_id), dept.kind if dept is not None else ""))
    return out


def triage_model_train(*, company_id: int, min_samples: int = MIN_TRAINING_SAMPLES) -> TriageModel | None:
    """Fit the company's classifier on its classified issues and store it as the next version, with its
    accuracy on a fixed 20 % holdout (fitted again on everything before it is stored). None when the
    company has fewer than `min_samples` classified issues or a single category (the rules stay)."""
    rows = training_rows(company_id)
    if len(rows) < min_samples or len({r[2] for r in rows}) < 2:
        return None
    train = [r for r in rows if not _split(r[0])]
    test = [r for r in rows if _split(r[0])]
    metrics: dict[str, float | int] = {
        "samples": len(rows),
        "holdout": len(test),
        "labels": len({r[2] for r in rows}),
    }
    if test and len({r[2] for r in train}) > 1:
        fitted = _fit(train)
        top1 = top3 = dept = dept_n = 0
        for _id, text, cat, kind in test:
            cats, depts = fitted.predict(text, k=3)
            top1 += cats[0][0] == cat
            top3 += cat in [c for c, _p in cats]
            if kind:
                dept_n += 1
                dept += bool(depts) and depts[0][0] == kind
        metrics.update(
            category_top1=round(top1 / len(test), 4),
            category_top3=round(top3 / len(test), 4),
        )
        if dept_n:
            metrics["department"] = round(dept / dept_n, 4)
    fitted = _fit(rows)
    with transaction.atomic():
        Company.objects.select_for_update().filter(pk=company_id).first()  # one version number at a time
        last = TriageModel.objects.filter(company_id=company_id).aggregate(v=Max("version"))["v"] or 0
        return TriageModel.objects.create(
            company_id=company_id,
            version=last + 1,
            trained_at=clock.now(),
            samples=len(rows),
            metrics=metrics,
            blob=classifier.dumps(fitted),
        )


def _fit(rows) -> classifier.Classifier:
    return classifier.fit([r[1] for r in rows], [r[2] for r in rows], [r[3] for r in rows])


def triage_models_retrain() -> list[TriageModel]:
    """The periodic retraining (config/jobs.py): a new version for every company whose classified issues
    changed in number since its newest model."""
    made = []
    for company_id in Company.objects.values_list("id", flat=True):
        n = ComplaintIssue.objects.filter(
            company_id=company_id, category__isnull=False, category__active=True
        ).count()
        last = TriageModel.objects.filter(company_id=company_id).order_by("-version").only("samples").first()
        if n < MIN_TRAINING_SAMPLES or (last is not None and last.samples == n):
            continue
        model = triage_model_train(company_id=company_id)
        if model is not None:
            made.append(model)
    return made


def triage_feedback_record(
    *,
    actor,
    complaint_id: int,
    model_version: str,
    suggested_category_id: int | None,
    suggested_department_id: int | None,
) -> TriageFeedback:
    """Record, once the complaint is filed, what was suggested and whether staff took it: the chosen
    category and department are the complaint's first issue's. Recording again (an edit before filing was
    final) replaces the row. The actor must see the complaint."""
    c = scopes.complaints_visible_to(actor).filter(pk=complaint_id).first() if actor is not None else None
    if c is None:
        raise DomainError("not_found")
    if not (model_version == RULES_VERSION or model_version.startswith("model-")):
        raise DomainError("validation", detail="model_version")
    issue = ComplaintIssue.objects.filter(complaint=c).order_by("seq").first()
    chosen_cat = issue.category_id if issue else None
    # The issue's responsible department once assigned, else the department the complaint went to.
    chosen_dept = (issue.department_id if issue else None) or c.holder_department_id
    row, _created = TriageFeedback.objects.update_or_create(
        complaint=c,
        defaults={
            "company_id": c.company_id,
            "office_id": c.office_id,
            "model_version": model_version,
            "suggested_category_id": suggested_category_id,
            "suggested_department_id": suggested_department_id,
            "chosen_category_id": chosen_cat,
            "chosen_department_id": chosen_dept,
            "category_accepted": suggested_category_id is not None and suggested_category_id == chosen_cat,
            "department_accepted": suggested_department_id is not None
            and suggested_department_id == chosen_dept,
            "recorded_by": actor,
            "recorded_at": clock.now(),
        },
    )
    return row
