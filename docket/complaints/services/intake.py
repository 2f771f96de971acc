"""Intake: registering a complaint (R-INT-1..7, R-INT-10), receipts, attachments."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Q, QuerySet

from docket.accounts.models import RoleAssignment
from docket.core import clock, compiled, phones
from docket.core.compiled import Compiled
from docket.core.errors import DomainError
from docket.core.text import one_line
from docket.org.models import Building, Department, ExternalParty, Office, PublicArea, Room, Unit

from .. import access, refdata, workflow
from ..actors import Actor, ActorKind
from ..events import GENESIS
from ..models import (
    Attachment,
    Category,
    Channel,
    ClosureKind,
    ComplainantType,
    Complaint,
    ComplaintIssue,
    CoSigner,
    IssueState,
    Kind,
    Method,
    Obligation,
    ReceiptCounter,
    State,
)
from ..models.complaint import search_text_of
from . import inputs
from ._base import Act, acting, text_required
from .attachments import attachment_store as _store_attachment
from .attachments import attachment_validate
from .closing import issues_moved
from .obligations import obligation_plan, obligations_cancel, obligations_insert, obligations_meet

# Unambiguous characters for the complainant's check code (no 0/O, 1/I/L).
_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


@dataclass
class IssueInput:
    summary: str
    category_id: int | None = None


@dataclass
class UploadInput:
    name: str
    content: bytes


@dataclass
class CoSignerInput:
    name: str
    room: str = ""
    phone: str = ""


@dataclass
class ComplaintInput:
    """What reception (or the committee, the portal, the API) records. Field meanings: R-INT-4."""

    office_id: int
    channel: str
    method: str
    subject: str
    description: str
    kind: str = Kind.COMPLAINT
    anonymous: bool = False
    complainant_name: str = ""
    complainant_phone: str = ""
    complainant_address: str = ""
    # The complainant's email address (updates by email, R-EXP-1); with method "email" it may stand in for
    # the phone as the contact.
    complainant_email: str = ""
    room_id: int | None = None
    # seed part 2 (issue 15, R-ORG-2): a building, a unit or a public area instead of (or beside) a room.
    building_id: int | None = None
    unit_id: int | None = None
    public_area_id: int | None = None
    location: str = ""
    people_count: int = 1
    # seed3 (issue 15): owner / tenant / visitor / staff / other (ComplainantType); "" when not asked.
    complainant_type: str = ""
    demand: str = ""
    issues: list[IssueInput] = field(default_factory=list)
    cosigners: list[CoSignerInput] = field(default_factory=list)
    attachments: list[UploadInput] = field(default_factory=list)
    lawsuit_filed: bool = False
    media_exposed: bool = False
    legal_or_media_risk: bool = False
    developer_related: bool = False
    compensation_claimed: bool = False
    home_return_requested: bool = False
    sensitive: bool = False
    forwarded_by_id: int | None = None
    forwarder_ref: str = ""
    forwarder_due_at: datetime | None = None
    received_at: datetime | None = None  # when it really arrived (a letter opened today, sent yesterday)
    received_reason: str = ""  # why it is recorded late: required when received_at is before today
    box_opening_id: int | None = None  # the suggestion-box opening that produced it (R-INT-8)


def _validate_fields(data: ComplaintInput) -> None:
    if data.kind not in Kind.values:
        raise DomainError("validation", detail=f"kind={data.kind}")
    if data.channel not in Channel.values:
        raise DomainError("validation", detail=f"channel={data.channel}")
    if data.method not in Method.values:
        raise DomainError("validation", detail=f"method={data.method}")
    text_required(data.subject, "主题")
    text_required(data.description, "投诉内容")
    if len(data.subject) > inputs.SUBJECT_MAX:
        raise DomainError("validation", detail=f"主题不能超过{inputs.SUBJECT_MAX}字")
    email = data.complainant_email.strip()
    if email:
        try:
            validate_email(email)
        except ValidationError as exc:
            raise DomainError("validation", detail="电子邮箱格式不正确") from exc
    contact = data.complainant_phone.strip() or (email if data.method == Method.EMAIL else "")
    if not data.anonymous and not (data.complainant_name.strip() and contact):
        raise DomainError("required", field="投诉人姓氏和联系电话（或选择匿名）")
    phone = data.complainant_phone.strip()
    if phone and phones.normalize(phone) is None:
        # A complete number only (core.phones): a mainland mobile, or a landline with its area code.
        raise DomainError(
            "validation", detail="联系电话不完整：手机为11位，固定电话须带区号（如 029-88886666）"
        )
    if data.people_count < 1:
        raise DomainError("validation", detail="投诉人数至少为1")
    if data.complainant_type and data.complainant_type not in ComplainantType.values:
        raise DomainError("validation", detail="请选择投诉人类型")
    if data.cosigners and data.people_count < len(data.cosigners) + 1:
        raise DomainError("validation", detail="投诉人数少于联名人数")
    forwarded = data.method in (Method.GOVERNMENT_FORWARD, Method.DEVELOPER_FORWARD)
    if forwarded and not (data.forwarded_by_id and data.forwarder_ref.strip()):
        raise DomainError("required", field="转交单位及其编号")
    for issue in data.issues:
        text_required(issue.summary, "问题描述")


def received_at_check(received_at: datetime | None, reason: str, now: datetime) -> datetime:
    """When the complaint really arrived (R-SLA-3: its deadlines run from then). Default now. Later than
    now by more than DOCKET_RECEIVED_SKEW_MINUTES (another device's clock) is refused; within it, it is
    now. Earlier than today (a letter recorded late) needs the reason, which the registration event
    keeps."""
    if received_at is None:
        return now
    skew = settings.DOCKET_RECEIVED_SKEW_MINUTES
    if received_at > now + timedelta(minutes=skew):
        raise DomainError("received_in_future", minutes=skew)
    received_at = min(received_at, now)
    if clock.to_local(received_at).date() < clock.to_local(now).date() and not reason.strip():
        raise DomainError("received_reason_required")
    if len(reason) > inputs.RECEIVED_REASON_MAX:
        raise DomainError("validation", detail=f"补录原因不能超过{inputs.RECEIVED_REASON_MAX}字")
    return received_at


def _next_receipt_no(office: Office, day) -> str:
    """Office code + date + sequence, e.g. CYY-20261127-0007. One upsert creates the day's counter row or
    increments it, and keeps it locked until the intake's transaction ends, so two intakes never get one
    number and a rolled-back intake gives its number back (no gaps)."""
    table = ReceiptCounter._meta.db_table
    with connection.cursor() as cur:
        cur.execute(
            f"INSERT INTO {table} (office_id, day, last) VALUES (%s, %s, 1) "
            f"ON CONFLICT (office_id, day) DO UPDATE SET last = {table}.last + 1 RETURNING last",
            [office.id, connection.ops.adapt_datefield_value(day)],
        )
        last = cur.fetchone()[0]
    return f"{office.code}-{day:%Y%m%d}-{last:04d}"


# Channels where the complainant files directly, without staff in between (R-EXP-4 abuse limits apply).
SELF_SERVICE_METHODS = frozenset({Method.ONLINE, Method.EMAIL})


def _abuse_check(data: ComplaintInput, company_id: int) -> None:
    """R-EXP-4: per phone (or email address) at most DOCKET_FILINGS_PER_DAY self-service filings a day, and
    at most DOCKET_SAME_TEXT_PER_DAY with the same text. Staff-recorded filings (phone, visit, letter …) are
    not limited: the receptionist judges. A soft limit: two filings in the same instant may both pass."""
    if data.method not in SELF_SERVICE_METHODS or data.anonymous:
        return
    phone, email = phones.normalize(data.complainant_phone) or "", data.complainant_email.strip().lower()
    if not (phone or email):
        return
    day_start = clock.local_now().replace(hour=0, minute=0, second=0, microsecond=0)
    same = Complaint.objects.filter(
        company_id=company_id, received_at__gte=day_start, method__in=SELF_SERVICE_METHODS
    )
    same = same.filter(complainant_phone=phone) if phone else same.filter(complainant_email__iexact=email)
    limit, same_text = settings.DOCKET_FILINGS_PER_DAY, settings.DOCKET_SAME_TEXT_PER_DAY
    n = same.aggregate(all=Count("id"), text=Count("id", filter=Q(description=data.description.strip())))
    if n["all"] >= limit:
        raise DomainError("filing_limit", limit=limit)
    if n["text"] >= same_text:
        raise DomainError("duplicate_filing", limit=same_text)


@dataclass
class Registered:
    """What `complaint_register` returns: the new complaint and the rows written with it, as written, for a
    caller that shows the new record at once (the API's answer) without reading them back. A complaint
    closed on the spot was changed again after they were written: `parts()` is None, read it back."""

    complaint: Complaint
    issues: list[ComplaintIssue]
    cosigners: list[CoSigner]
    attachments: list[Attachment]
    obligations: list[Obligation]
    closed_on_spot: bool = False
    handed_over: bool = False  # assigned at intake (登记并派单): the rows changed after they were written

    def parts(self) -> dict | None:
        if self.closed_on_spot or self.handed_over:
            return None
        return {
            "issues": self.issues,
            "cosigners": self.cosigners,
            "attachments": self.attachments,
            "obligations": self.obligations,
            "replies": [],
        }


@dataclass
class _Checked:
    """The input after `_validate`: who registers where, and what was refused before any write."""

    office: Office
    assignment: RoleAssignment | None  # None for the complainant filing themselves (the portal)
    uploads: list[tuple[UploadInput, str]]
    received_at: datetime
    now: datetime
    ref: refdata.IntakeRef  # the office's reference rows: its categories and SLA policy


@dataclass
class _Resolved:
    """The rows the input names, each checked to belong to the office or its company."""

    room: Room | None
    categories: dict[int, Category]
    place: Place | None = None  # seed part 2: the building / unit / public area


@dataclass
class Place:
    """The place a complaint concerns (R-ORG-2): the unit and building of the room, or those given."""

    unit: Unit | None
    building: Building | None
    public_area: PublicArea | None


def _resolve_place(data: ComplaintInput, office: Office, room: Room | None) -> Place:
    """seed part 2 (issue 15): every place must be of the office's community, and a unit or building given
    beside a room must be the room's own."""
    community = office.community
    unit = building = area = None
    if data.unit_id is not None:
        unit = (
            Unit.objects.select_related("building")
            .filter(pk=data.unit_id, building__community=community)
            .first()
        )
        if unit is None:
            raise DomainError("validation", detail="单元不属于该管理处的小区")
    if data.building_id is not None:
        building = Building.objects.filter(pk=data.building_id, community=community).first()
        if building is None:
            raise DomainError("validation", detail="楼栋不属于该管理处的小区")
    if data.public_area_id is not None:
        area = PublicArea.objects.filter(pk=data.public_area_id, community=community).first()
        if area is None:
            raise DomainError("validation", detail="公共区域不属于该管理处的小区")
    if room is not None:
        if (unit and unit.id != room.unit_id) or (building and building.id != room.unit.building_id):
            raise DomainError("validation", detail="房屋与所选楼栋/单元不一致")
        unit, building = room.unit, room.unit.building
    elif unit is not None:
        if building and building.id != unit.building_id:
            raise DomainError("validation", detail="单元与所选楼栋不一致")
        building = unit.building
    return Place(unit, building, area)


def _validate(actor, data: ComplaintInput, now: datetime) -> _Checked:
    """The office and the actor's role there, then the input's own rules, the received time, the abuse
    limits and the uploads — all before anything is written."""
    ref = refdata.intake_ref(data.office_id)  # per process, reloaded when the organisation changes
    if ref is None:
        raise DomainError("not_found")
    office = ref.office
    if isinstance(actor, Actor):  # portal filing (issue 11): the complainant files for themselves
        assignment = None
        _self_filing_check(actor, data)
    else:
        assignment = access.register_role(actor, office)
        if assignment is None:
            raise DomainError("forbidden_action" if access.office_visible(actor, office) else "not_found")
    if assignment is not None and assignment.role == "committee_member" and data.channel != Channel.COMMITTEE:
        raise DomainError("validation", detail="业委会代为登记的投诉渠道须为“业主委员会”")
    _validate_fields(data)
    received_at = received_at_check(data.received_at, data.received_reason, now)
    _abuse_check(data, office.company_id)
    uploads = [(u, attachment_validate(u)) for u in data.attachments]
    return _Checked(office, assignment, uploads, received_at, now, ref)


# --- portal filing (issue 11) ---
def _self_filing_check(actor: Actor, data: ComplaintInput) -> None:
    """The complainant files for themselves (`Actor.complainant(via)`, the owners' portal): online only,
    received now, with nothing only staff record (co-signers, forwarders, suggestion-box openings, risk
    flags). The caller has proven the phone (or the filing is anonymous)."""
    staff_only = (
        data.cosigners
        or data.forwarded_by_id
        or data.box_opening_id
        or data.received_at is not None
        or data.lawsuit_filed
        or data.media_exposed
        or data.legal_or_media_risk
        or data.sensitive
    )
    if actor.kind != ActorKind.COMPLAINANT or data.method != Method.ONLINE or data.channel != Channel.ONLINE:
        raise DomainError("forbidden_action")
    if staff_only:
        raise DomainError("validation", detail="自助提交不能填写仅由工作人员登记的内容")


# --- end portal filing ---


# The room with its unit and building, if it is of the community (compiled once per process: every intake).
_room_of = Compiled(
    lambda pk, community: Room.objects.select_related("unit__building").filter(
        pk=pk, unit__building__community=community
    )
)


def _resolve(data: ComplaintInput, office: Office, ref: refdata.IntakeRef) -> _Resolved:
    """The room, categories, suggestion-box opening and forwarder the input names."""
    room = None
    if data.room_id is not None:
        found = _room_of(data.room_id, office.community.id)
        room = found[0] if found else None
        if room is None:
            raise DomainError("validation", detail="房屋不属于该管理处的小区")
    known = ref.categories
    categories: dict[int, Category] = {}
    for issue in data.issues:
        if issue.category_id and issue.category_id in known:
            categories[issue.category_id] = known[issue.category_id]
    for i in data.issues:
        if i.category_id and i.category_id not in categories:
            raise DomainError("validation", detail="分类不属于该公司")
    if data.box_opening_id is not None:
        from ..models import SuggestionBoxOpening

        if (
            data.channel != Channel.SUGGESTION_BOX
            or not SuggestionBoxOpening.objects.filter(pk=data.box_opening_id, office=office).exists()
        ):
            raise DomainError("validation", detail="开箱记录不属于该管理处，或渠道不是意见箱")
    if (
        data.forwarded_by_id
        and not ExternalParty.objects.filter(
            pk=data.forwarded_by_id, group_id=office.company.group_id
        ).exists()
    ):
        raise DomainError("validation", detail="转交单位不存在")
    return _Resolved(room, categories, _resolve_place(data, office, room))


def _write(actor, data: ComplaintInput, checked: _Checked, resolved: _Resolved) -> Registered:
    """The complaint with its issues, co-signers and attachments, its receipt number, the `registered`
    event and the deadlines that start at intake. Runs inside the intake's transaction."""
    office, now, received_at, room = checked.office, checked.now, checked.received_at, resolved.room
    receipt_no = _next_receipt_no(office, clock.to_local(now).date())
    developer_related = data.developer_related or any(
        c.developer_related for c in resolved.categories.values()
    )
    c = Complaint(
        company=office.company,
        office=office,
        community=office.community,
        room=room,
        unit=resolved.place.unit if resolved.place else None,
        building=resolved.place.building if resolved.place else None,
        public_area=resolved.place.public_area if resolved.place else None,
        location=data.location.strip(),
        receipt_no=receipt_no,
        check_code="".join(secrets.choice(_CODE_ALPHABET) for _ in range(8)),
        kind=data.kind,
        channel=data.channel,
        method=data.method,
        anonymous=data.anonymous,
        complainant_name="" if data.anonymous else data.complainant_name.strip(),
        complainant_phone=phones.normalize(data.complainant_phone) or "",  # stored as digits
        complainant_address=data.complainant_address.strip() or (str(room) if room else ""),
        complainant_email=data.complainant_email.strip()[: inputs.EMAIL_MAX],
        people_count=data.people_count,
        complainant_type=data.complainant_type,
        subject=one_line(data.subject),
        description=data.description.strip(),
        demand=data.demand.strip(),
        lawsuit_filed=data.lawsuit_filed,
        media_exposed=data.media_exposed,
        legal_or_media_risk=data.legal_or_media_risk,
        developer_related=developer_related,
        compensation_claimed=data.compensation_claimed,
        home_return_requested=data.home_return_requested,
        sensitive=data.sensitive,
        forwarded_by_id=data.forwarded_by_id,
        forwarder_ref=data.forwarder_ref.strip(),
        forwarder_due_at=data.forwarder_due_at,
        received_by=actor if getattr(actor, "pk", None) else None,
        received_at=received_at,
        box_opening_id=data.box_opening_id,
        updated_at=now,
    )
    # Deadlines start at intake (R-SLA-2/3): the reply, the online courtesy reply, and a forwarder's
    # own deadline (R-EXP-8). They run from when the complaint arrived — a letter recorded late runs from
    # its real received time — and are sealed into the registration event. Planned before the complaint's
    # row, which is written with the earliest due time (every obligation of a new complaint runs: what
    # `next_due_refresh` would set afterwards, without the UPDATE).
    who = actor if isinstance(actor, Actor) else Actor.of_user(actor, checked.assignment)
    act = Act(complaint=c, actor=who, action="register", now=now, policy=checked.ref.policy)
    planned = [
        obligation_plan(act, "reply", c.method, start=received_at),
        obligation_plan(act, "acknowledge", c.method, start=received_at),
    ]
    if c.forwarder_due_at:
        planned.append(obligation_plan(act, "forwarder_reply", due_at=c.forwarder_due_at, start=received_at))
    obligations = [o for o in planned if o is not None]
    c.next_due_at = min((o.due_at for o in obligations), default=None)
    issues = data.issues or [IssueInput(summary=c.subject)]
    summaries = [i.summary.strip()[: inputs.ISSUE_MAX] for i in issues]
    c.search_text = search_text_of(c.subject, summaries)
    try:
        compiled.insert([c])
    except IntegrityError as exc:  # pragma: no cover - the counter lock makes this unreachable
        raise DomainError("conflict") from exc
    c._chain_tail = (0, GENESIS)  # type: ignore[attr-defined]  # a new record: its chain starts here (no query for the last event)
    issue_rows = [
        ComplaintIssue(
            complaint=c,
            company_id=c.company_id,
            seq=n,
            summary=summary,
            category=resolved.categories.get(i.category_id) if i.category_id else None,
        )
        for n, (i, summary) in enumerate(zip(issues, summaries, strict=True), start=1)
    ]
    compiled.insert(issue_rows)
    cosigner_rows = CoSigner.objects.bulk_create(
        [
            CoSigner(complaint=c, name=s.name.strip(), room=s.room.strip(), phone=s.phone.strip())
            for s in data.cosigners
        ]
    )
    stored = [_store_attachment(c, u, ct, actor, now) for u, ct in checked.uploads]
    payload = {
        "receipt_no": c.receipt_no,
        "kind": c.kind,
        "channel": c.channel,
        "method": c.method,
        "subject": c.subject,
        "issues": [i.summary for i in issues],
        "people_count": c.people_count,
        "attachments": [a.sha256 for a in stored],
        **({"complainant_type": c.complainant_type} if c.complainant_type else {}),
    }
    if who.kind == ActorKind.COMPLAINANT:  # portal filing: how the complainant reached us
        payload["via"] = who.via
    if received_at < now:  # recorded after it arrived: when, and why (R-SLA-2/3)
        payload["received_at"] = received_at
        if data.received_reason.strip():
            payload["received_reason"] = data.received_reason.strip()
    act.record("registered", payload)
    obligations_insert(act, obligations)  # one statement, sealed into the registration event
    act.flush()
    if act.changed:
        c.save(update_fields=sorted(act.changed))
    if act.notify():  # a reaction changed it (escalation: hot/major and its report duty at intake)
        obligations = [o for o in Obligation.objects.filter(complaint=c).order_by("id")]  # noqa: C416
    return Registered(
        complaint=c,
        issues=issue_rows,
        cosigners=cosigner_rows,
        attachments=stored,
        obligations=[o for o in obligations if o is not None],
    )


def _finish(actor, registered: Registered, close_on_spot_note: str | None) -> Registered:
    """Resolved at intake with the complainant's confirmed satisfaction: close it at once (R-INT-10)."""
    if close_on_spot_note is None:
        return registered
    c = registered.complaint
    complaint_close_on_spot(actor=actor, complaint_id=c.pk, note=close_on_spot_note)
    c.refresh_from_db()
    registered.closed_on_spot = True
    return registered


@dataclass(frozen=True)
class HandOver:
    """Who a complaint goes to at intake (登记并派单): the lead department and, optionally, the person."""

    department_id: int
    responsible_id: int | None = None


def _hand_over(actor, registered: Registered, hand_over: HandOver | None) -> Registered:
    """Registered and handed over in one step: the same `complaint_assign` a later 派单 would call, inside
    the intake's transaction, so a refused hand-over leaves no complaint behind (all or nothing)."""
    if hand_over is None:
        return registered
    from .handling import complaint_assign

    c = registered.complaint
    complaint_assign(
        actor=actor,
        complaint_id=c.pk,
        department_id=hand_over.department_id,
        responsible_id=hand_over.responsible_id,
    )
    c.refresh_from_db()
    registered.handed_over = True
    return registered


def complaint_register(
    *,
    actor,
    data: ComplaintInput,
    close_on_spot_note: str | None = None,
    hand_over: HandOver | None = None,
) -> Registered:
    """Record a complaint (顾客意见处理表) with its issues, co-signers and attachments, give it a receipt
    number and check code, and append the `registered` event — all or nothing. Returns the complaint with
    the rows written (`Registered`).

    With `close_on_spot_note` the complaint was resolved at intake with the complainant's confirmed
    satisfaction: it is recorded and closed at once (R-INT-10), still counted. With `hand_over` it is
    assigned at once (登记并派单) by the same actor, who must be allowed to assign; a refusal of either step
    writes nothing. The two are exclusive.
    A complaint with no issue listed gets one issue equal to its subject (every complaint has ≥ 1 issue).
    `data.received_at` (default now) is when it really arrived: deadlines run from it (R-SLA-3); a time in
    the future is refused, one before today needs `data.received_reason` (`received_at_check`).
    """
    if isinstance(actor, Actor) and close_on_spot_note is not None:  # portal filing: staff only
        raise DomainError("forbidden_action")
    if hand_over is not None and close_on_spot_note is not None:
        raise DomainError("validation", detail="现场处理完毕的投诉无需派单")
    checked = _validate(actor, data, clock.now())
    resolved = _resolve(data, checked.office, checked.ref)
    with transaction.atomic():
        registered = _write(actor, data, checked, resolved)
        return _hand_over(actor, _finish(actor, registered, close_on_spot_note), hand_over)


def complaint_close_on_spot(
    *, actor, complaint_id: int, note: str, expected_version: int | None = None
) -> Complaint:
    """Resolved at intake and the complainant confirmed satisfaction (R-INT-10; exempt from follow-up,
    R-HDL-11 A). Its issues were resolved with it: they end closed (已办结) at the same moment, named in the
    closing event (`workflow.ISSUE_MOVES`)."""
    note = text_required(note, "现场处理情况")
    with acting(
        actor=actor, complaint_id=complaint_id, action="close_on_spot", expected_version=expected_version
    ) as act:
        act.move(State.CLOSED)
        act.set(closure_kind=ClosureKind.ON_THE_SPOT, closure_note=note, closed_at=act.now)
        act.record(
            "closed_on_spot",
            {"note": note, **issues_moved(act, workflow.issue_sources("close_on_spot"), IssueState.CLOSED)},
        )
        obligations_meet(act, "reply", "acknowledge")
        obligations_cancel(act)
    return act.complaint


def attachment_add(
    *,
    actor,
    complaint_id: int,
    upload: UploadInput,
    issue_id: int | None = None,
    expected_version: int | None = None,
) -> Attachment:
    """Add a photo or scan to an open complaint (e.g. the department's on-site photo)."""
    content_type = attachment_validate(upload)
    with acting(
        actor=actor, complaint_id=complaint_id, action="attachment_add", expected_version=expected_version
    ) as act:
        att = _store_attachment(act.complaint, upload, content_type, actor, act.now)
        if issue_id is not None:
            if not ComplaintIssue.objects.filter(pk=issue_id, complaint=act.complaint).exists():
                raise DomainError("not_found")
            att.issue_id = issue_id
            att.save(update_fields=["issue"])
        act.record("attachment_added", {"name": att.original_name, "sha256": att.sha256, "issue": issue_id})
    return att


def departments_of(complaint: Complaint) -> QuerySet[Department]:
    """The departments of the complaint's office and of its company (R-HDL-1): those a report (不合格报告) or a
    corrective action may name (`department_for`, which the forms' choices are)."""
    return Department.objects.filter(company_id=complaint.company_id).filter(
        Q(office__isnull=True) | Q(office_id=complaint.office_id)
    )


def department_for(complaint: Complaint, department_id: int) -> Department:
    """A department of the complaint's office or company (`departments_of`), else `department_mismatch`."""
    dept = departments_of(complaint).filter(pk=department_id).first()
    if dept is None:
        raise DomainError("department_mismatch")
    return dept
