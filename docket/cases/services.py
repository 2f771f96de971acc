"""Writing the case library (R-ANA-4). Every text is scrubbed of personal data before it is stored."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import IntegrityError, transaction

from docket.complaints.models import Complaint, ComplaintIssue
from docket.core import clock
from docket.core.errors import DomainError

from .access import cases_visible_to, may_write
from .models import TypicalCase
from .scrub import names_of, scrub


@dataclass
class CaseInput:
    kind: str
    title: str
    background: str
    causes: str
    handling: str
    result: str
    lessons: str
    measures: str
    tags: list[str] = field(default_factory=list)
    category_id: int | None = None

    LABELS = {
        "title": "案例标题",
        "background": "事件背景",
        "causes": "原因分析",
        "handling": "处理过程",
        "result": "处理结果",
        "lessons": "经验教训",
        "measures": "纠正预防措施",
    }


def _clean(data: CaseInput, complaint: Complaint) -> dict:
    if data.kind not in TypicalCase.Kind.values:
        raise DomainError("validation", detail="案例类型无效")
    names = names_of(complaint)
    out: dict = {"kind": data.kind}
    for key, label in CaseInput.LABELS.items():
        text = scrub((getattr(data, key) or "").strip(), names=names)
        if not text:
            raise DomainError("required", field=label)
        out[key] = text[:200] if key == "title" else text
    tags = []
    for t in data.tags:
        t = scrub(t.strip(), names=names).replace(",", "")[:20]
        if t and t not in tags:
            tags.append(t)
    out["tags"] = ("," + ",".join(tags[:10]) + ",") if tags else ""
    category_id = data.category_id
    if category_id is None:
        first = ComplaintIssue.objects.filter(complaint=complaint).order_by("seq").first()
        category_id = first.category_id if first else None
    if category_id is not None:
        from docket.complaints.models import Category

        if not Category.objects.filter(pk=category_id, company_id=complaint.company_id).exists():
            raise DomainError("validation", detail="投诉类别无效")
    out["category_id"] = category_id
    return out


def _place(complaint: Complaint) -> str:
    parts = [complaint.community.name]
    if complaint.building is not None:
        parts.append(complaint.building.name)
    return " ".join(parts)


def case_create(*, actor, complaint_id: int, data: CaseInput) -> TypicalCase:
    """Mark the complaint as a typical case and store its write-up (scrubbed)."""
    complaint = Complaint.objects.select_related("community", "building").filter(pk=complaint_id).first()
    if complaint is None or not may_write(actor, complaint):
        raise DomainError("not_found")
    values = _clean(data, complaint)
    now = clock.now()
    try:
        with transaction.atomic():
            return TypicalCase.objects.create(
                company_id=complaint.company_id,
                complaint=complaint,
                place=_place(complaint),
                created_by=actor,
                created_at=now,
                updated_by=actor,
                updated_at=now,
                **values,
            )
    except IntegrityError as exc:
        raise DomainError("validation", detail="该投诉已收入案例库") from exc


def case_update(*, actor, case_id: int, data: CaseInput) -> TypicalCase:
    with transaction.atomic():
        case = TypicalCase.objects.select_for_update().filter(pk=case_id).first()
        if case is None or not cases_visible_to(actor).filter(pk=case_id).exists():
            raise DomainError("not_found")
        complaint = Complaint.objects.select_related("community", "building").get(pk=case.complaint_id)
        if not may_write(actor, complaint):
            raise DomainError("forbidden_action")
        values = _clean(data, complaint)
        for k, v in values.items():
            setattr(case, k, v)
        case.updated_by, case.updated_at = actor, clock.now()
        case.save()
    return case
