"""The public receipt check (R-INT-6, R-EXP-1): no sign-in, only the receipt number plus the phone
given at intake or the check code printed on the receipt."""

from __future__ import annotations

from ninja import Path, Query, Router, Schema
from pydantic import Field, model_validator

from docket.complaints import kinds
from docket.complaints import selectors as complaint_selectors
from docket.complaints import services as complaint_services
from docket.complaints.events import public_text

from .. import selectors
from ..schemas.common import ERROR_STATUSES, ErrorOut
from ..schemas.reference import ReceiptOut
from ..throttling import ReceiptThrottle

router = Router(tags=["public"])


class ReceiptQuery(Schema):
    phone: str = Field(
        None,
        max_length=20,
        pattern=r"^[0-9+\- ]{5,20}$",  # type: ignore[assignment]
        description="the complainant's phone given at intake",
    )
    code: str = Field(
        None,
        max_length=16,
        pattern=r"^[A-Za-z0-9]{4,16}$",  # type: ignore[assignment]
        description="the check code printed on the receipt",
    )

    @model_validator(mode="after")
    def _one(self):
        if not (self.phone or self.code):
            raise ValueError("请提供 phone 或 code")
        return self


@router.get(
    "/receipts/{receipt_no}",
    auth=None,
    throttle=[ReceiptThrottle()],
    response={200: ReceiptOut, ERROR_STATUSES: ErrorOut},
    operation_id="receipts_get",
    summary="Check a complaint's progress with its receipt (no sign-in)",
    description="Limited per client address (`DOCKET_API_RECEIPT_RATE`, 30 per 10 minutes by default): "
    "beyond it 429 `throttled` with `Retry-After`.",
)
def receipts_get(
    request,
    q: Query[ReceiptQuery],
    receipt_no: str = Path(..., max_length=32, pattern=r"^[A-Za-z0-9-]{1,32}$"),
):
    c = selectors.receipt_lookup(receipt_no=receipt_no, phone=q.phone or "", code=q.code or "")
    events = list(complaint_selectors.timeline_for(c, public_only=True))
    return {
        "receipt_no": c.receipt_no,
        "kind": c.kind,
        "kind_label": str(c.get_kind_display()),
        "state": c.state,
        "state_label": str(c.get_state_display()),
        "office": c.office.name,
        "community": c.community.name,
        "subject": c.subject,
        "received_at": c.received_at,
        "closed_at": c.closed_at,
        "issues": [
            {"seq": i.seq, "summary": i.summary, "state": i.state, "state_label": str(i.get_state_display())}
            for i in c.issues.order_by("seq")
        ],
        "timeline": [
            {
                "seq": e.seq,
                "kind": e.kind,
                "label": kinds.label(e.kind),
                "at": e.at,
                "text": public_text(e),
            }
            for e in events
        ],
        "receipt_digest": events[0].hash if events and events[0].seq == 1 else "",
    }


class ChaseIn(ReceiptQuery):
    """The receipt check's phone or code, and what the complainant wants to say."""

    text: str = Field(..., min_length=1, max_length=500, description="what the complainant wants to say")


class ChaseOut(Schema):
    receipt_no: str
    count: int = Field(description="how many times this complaint has been chased, this one included")


@router.post(
    "/receipts/{receipt_no}/chase",
    auth=None,
    throttle=[ReceiptThrottle()],
    response={201: ChaseOut, ERROR_STATUSES: ErrorOut},
    operation_id="receipts_chase",
    summary="The complainant chases their complaint (催办, no sign-in)",
    description="Recorded on the complaint's public timeline and sent to the holder and the holder's superiors. "
    "One chase per complaint per `DOCKET_CHASE_MIN_MINUTES` (60 by default; 409 `chase_too_soon`); an ended "
    "complaint answers 409 `complaint_ended`. Shares the receipt check's limit per client address.",
)
def receipts_chase(
    request,
    payload: ChaseIn,
    receipt_no: str = Path(..., max_length=32, pattern=r"^[A-Za-z0-9-]{1,32}$"),
):
    c = selectors.receipt_lookup(receipt_no=receipt_no, phone=payload.phone or "", code=payload.code or "")
    count = complaint_services.complainant_chase(complaint_id=c.id, text=payload.text)
    return 201, {"receipt_no": c.receipt_no, "count": count}


class AnswerIn(ReceiptQuery):
    """The receipt check's phone or code, and the complainant's answer to the reply."""

    agree: bool = Field(
        ..., description="true: I agree with the reply; false: I do not (a reason is required)"
    )
    reason: str = Field("", max_length=2000, description="why not (required when agree is false)")
    note: str = Field("", max_length=500, description="anything to add when agreeing")


class AnswerOut(Schema):
    receipt_no: str
    state: str
    state_label: str


@router.post(
    "/receipts/{receipt_no}/answer",
    auth=None,
    throttle=[ReceiptThrottle()],
    response={200: AnswerOut, ERROR_STATUSES: ErrorOut},
    operation_id="receipts_answer",
    summary="The complainant answers the reply: agree, or disagree with a reason (no sign-in)",
    description="Agreeing moves a replied complaint on to carrying out the measures; disagreeing opens "
    "negotiation and counts the round (R-EXP-3). Recorded on the public timeline with the complainant as the "
    "actor; the holder is told. 409 `invalid_transition` when no reply is waiting for an answer. Shares the "
    "receipt check's limit per client address.",
)
def receipts_answer(
    request,
    payload: AnswerIn,
    receipt_no: str = Path(..., max_length=32, pattern=r"^[A-Za-z0-9-]{1,32}$"),
):
    c = selectors.receipt_lookup(receipt_no=receipt_no, phone=payload.phone or "", code=payload.code or "")
    if payload.agree:
        c = complaint_services.owner_agree(complaint_id=c.id, via="receipt", note=payload.note)
    else:
        c = complaint_services.owner_disagree(complaint_id=c.id, via="receipt", reason=payload.reason)
    return {"receipt_no": c.receipt_no, "state": c.state, "state_label": str(c.get_state_display())}
