"""Reads for triage pages: the suggestion acceptance per model version, in the QM's company."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from docket.accounts.models import Role
from docket.complaints import scopes

from .models import TriageFeedback, TriageModel


def may_see_acceptance(user) -> bool:
    return Role.QM in scopes.roles_of(user) or bool(getattr(user, "is_superuser", False))


def acceptance_for(user) -> list[dict]:
    """Per suggestion source (rules-1, model-N): filings, and how many took the suggested category and
    department — only the feedback of offices in the user's scope (a QM: their company)."""
    rows = (
        TriageFeedback.objects.filter(scopes.office_q(user, office="office_id", company="company_id"))
        .values("model_version")
        .annotate(
            n=Count("id"),
            category=Count("id", filter=Q(category_accepted=True)),
            department=Count("id", filter=Q(department_accepted=True)),
        )
        .order_by("model_version")
    )
    out = []
    for r in rows:
        n = r["n"] or 1
        out.append({**r, "category_rate": r["category"] / n, "department_rate": r["department"] / n})
    return out


def models_for(user) -> QuerySet[TriageModel]:
    return (
        TriageModel.objects.filter(scopes.office_q(user, office="company__offices__id", company="company_id"))
        .defer("blob")
        .distinct()
        .order_by("-trained_at")[:20]
    )
