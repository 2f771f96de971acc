"""`GET /triage/suggest`: the triage suggestion for a complaint being typed (R-INT-4, R-ESC-1): category
top 3, the responsible department and same-issue candidates among the complaints the caller may see in
that office. Staff decide; the answer names its source (rules-1 / model-N) for the feedback record."""

from __future__ import annotations

from ninja import Query, Router, Schema
from pydantic import Field

from docket.triage import services

from ..schemas.common import ERROR_STATUSES, MAX_ID, ErrorOut

router = Router(tags=["triage"])


class SuggestQuery(Schema):
    office: int = Field(
        ge=1, le=MAX_ID, description="the office the complaint is filed with (in the caller's scope)"
    )
    text: str = Field(min_length=1, max_length=4000, description="subject, description and issue summaries")
    room: int | None = Field(None, ge=1, le=MAX_ID, description="the room, if known (building and unit)")
    location: str = Field("", max_length=200, description="the free-text place (发生地点)")
    phone: str = Field("", max_length=20, description="the complainant's phone (counts people, not filings)")
    complaint: int | None = Field(None, ge=1, le=MAX_ID, description="an existing complaint to leave out")


class CategoryGuess(Schema):
    id: int
    path: str
    probability: float


class DepartmentGuess(Schema):
    id: int
    name: str
    kind: str


class CandidateOut(Schema):
    id: int
    receipt_no: str
    subject: str
    received_at: str
    score: float


class SuggestOut(Schema):
    source: str = Field(
        description='"rules-1" (keyword rules) or "model-N" (the company\'s classifier, version N)'
    )
    categories: list[CategoryGuess]
    department: DepartmentGuess | None
    candidates: list[CandidateOut]
    people_known: int = Field(
        description="distinct complainants (by phone) among the candidates and this one"
    )
    people_unknown: int = Field(description="filings without a known person (anonymous, no phone)")
    repeated: bool = Field(description="≥3 different known complainants within 30 days (R-ESC-1)")


@router.get(
    "/triage/suggest",
    response={200: SuggestOut, ERROR_STATUSES: ErrorOut},
    operation_id="triage_suggest",
    summary="Suggest category, department and same-issue complaints for a text",
)
def triage_suggest(request, q: Query[SuggestQuery]):
    s = services.suggest(
        user=request.auth,
        office_id=q.office,
        text=q.text,
        room_id=q.room,
        location=q.location,
        phone=q.phone,
        exclude_complaint_id=q.complaint,
    )
    return {
        "source": s.source,
        "categories": [{"id": c.id, "path": str(c), "probability": round(p, 4)} for c, p in s.categories],
        "department": (
            {"id": s.department.id, "name": s.department.name, "kind": s.department.kind}
            if s.department
            else None
        ),
        "candidates": [
            {
                "id": c.complaint.pk,
                "receipt_no": c.complaint.receipt_no,
                "subject": c.complaint.subject,
                "received_at": c.complaint.received_at.isoformat(),
                "score": c.score,
            }
            for c in s.candidates
        ],
        "people_known": s.people_known,
        "people_unknown": s.people_unknown,
        "repeated": s.repeated,
    }
