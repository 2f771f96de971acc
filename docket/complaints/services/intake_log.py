"""Suggestion-box openings and daily reconciliation (R-INT-8, R-INT-9)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction

from docket.core import clock
from docket.core.errors import DomainError
from docket.org.models import Office

from .. import scopes
from ..models import Complaint, DailyReconciliation, State, SuggestionBoxOpening


def _front_desk(actor, office_id: int) -> Office:
    office = Office.objects.filter(pk=office_id).first()
    if office is None:
        raise DomainError("not_found")
    if scopes.front_desk_role(actor, office.id) is None:
        raise DomainError("forbidden_action")
    return office


def box_opening_record(
    *, actor, office_id: int, opened_at: datetime, letters: int, note: str = ""
) -> SuggestionBoxOpening:
    """Log one opening of the suggestion box (工作信息记录本). The complaints it produced are registered
    with channel 意见箱 and this opening."""
    office = _front_desk(actor, office_id)
    if letters < 0:
        raise DomainError("validation", detail="信件数不能为负")
    now = clock.now()
    if opened_at > now + timedelta(minutes=5):
        raise DomainError("validation", detail="开箱时间不能晚于现在")
    return SuggestionBoxOpening.objects.create(
        office=office,
        opened_by=actor,
        opened_at=opened_at,
        letters=letters,
        note=note.strip(),
        recorded_at=now,
    )


def _bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, datetime.min.time(), tzinfo=clock.SHANGHAI)
    return start, start + timedelta(days=1)


def reconciliation_rows(*, office: Office, day: date) -> list[dict]:
    """Per receiver: what they took in that day and what is still not handed over (state 已登记)."""
    start, end = _bounds(day)
    rows: dict[int | None, dict] = {}
    for c in (
        Complaint.objects.filter(office=office, received_at__gte=start, received_at__lt=end)
        .select_related("received_by")
        .order_by("received_at")
    ):
        row = rows.setdefault(c.received_by_id, {"receiver": c.received_by, "received": 0, "pending": []})
        row["received"] += 1
        if c.state == State.REGISTERED:
            row["pending"].append(c)
    done: dict[int | None, DailyReconciliation] = {
        r.receiver_id: r for r in DailyReconciliation.objects.filter(office=office, day=day)
    }
    for rid, row in rows.items():
        row["reconciliation"] = done.get(rid)
    return list(rows.values())


def reconciliation_record(*, actor, office_id: int, day: date, note: str = "") -> DailyReconciliation:
    """The receiver reconciles their own intake of `day`; anything not yet handed over must be explained."""
    office = _front_desk(actor, office_id)
    if day > clock.local_now().date():
        raise DomainError("validation", detail="不能盘点未来的日期")
    start, end = _bounds(day)
    mine = Complaint.objects.filter(
        office=office, received_by=actor, received_at__gte=start, received_at__lt=end
    )
    pending = mine.filter(state=State.REGISTERED).count()
    if pending and not note.strip():
        raise DomainError("required", field=f"未移交的 {pending} 件投诉的说明")
    try:
        with transaction.atomic():
            return DailyReconciliation.objects.create(
                office=office,
                receiver=actor,
                day=day,
                received=mine.count(),
                not_handed_over=pending,
                note=note.strip(),
                recorded_at=clock.now(),
            )
    except IntegrityError as exc:
        raise DomainError("validation", detail="该日已盘点") from exc
