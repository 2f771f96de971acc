"""From complaint events to notices (issue 5): who hears about what.

`event_notify(event)` is called by `events.event_append` once per appended event, inside the service's
transaction, so the outbox rows commit or roll back with the change. For each event it decides

- the staff notice (`NOTICE_OF`: assigned, review requested, returned, hot/major raised, owner chased,
  owner replied) and its audience: the people holding the relevant roles in the complaint's scope, never
  the person who acted;
- the complainant's SMS (`OWNER_TEXTS`), only for events on the public timeline (`event.public`) of
  their own complaint, never for internal ones; anonymous complaints and complaints without a phone get
  nothing (R-EXP-1, R-EXP-2);
- the integrations' webhooks: public steps and the answer to the forwarder, to the endpoint of the
  integration that created the complaint (its API key's service user) or of the forwarding party; the
  forward to the developer's centre, to that party's endpoint (R-HDL-6, R-EXP-8).

Channels per role and notice come from the preferences (`docket.notifications.preferences`). Dedupe keys
derive from the event id, so nothing is queued twice. Cost: a dict lookup for kinds with no notice (most
of them); otherwise one query for the audience and one or two for the outbox. Deadline warnings and
overdue steps are notified by the sweep (`services/overdue.py`), not here.
"""

from __future__ import annotations

from django.db.models import Q

from docket.accounts.models import Role, RoleAssignment
from docket.core import clock
from docket.notifications import preferences
from docket.notifications.models import NoticeKind
from docket.notifications.service import notify, notify_address, notify_webhooks, webhooks_any

preferences.audiences_register({r.value: r.label for r in Role})

N = NoticeKind
NOTICE_OF: dict[str, str] = {
    "assigned": N.ASSIGNED,
    "transferred": N.ASSIGNED,
    "escalated": N.ASSIGNED,
    "refused": N.RETURNED,
    "reply_returned": N.RETURNED,
    "reply_submitted": N.REVIEW_REQUESTED,
    "reply_approved": N.REVIEW_REQUESTED,  # only while another review stage is pending
    "severity_raised": N.SEVERITY_RAISED,
    "complainant_chased": N.OWNER_CHASED,  # R-EXP-4 chase, once a service records it
    "complainant_wrote": N.OWNER_REPLIED,  # a complainant's letter/mail on an open complaint, ditto
    "follow_up_attempted": N.OWNER_CHASED,
    "complainant_agreed": N.OWNER_REPLIED,
    "complainant_disagreed": N.OWNER_REPLIED,
}
SUBJECTS: dict[str, str] = {
    N.ASSIGNED: "【新派单】",
    N.RETURNED: "【退回】",
    N.REVIEW_REQUESTED: "【待审核】",
    N.SEVERITY_RAISED: "【热点/重大投诉】",
    N.OWNER_CHASED: "【顾客催办】",
    N.OWNER_REPLIED: "【顾客回复】",
}

# The complainant's SMS per public event: (template key in DOCKET_SMS_TEMPLATES, text). The owner's own
# answers (agree/disagree) are not echoed back to them.
OWNER_TEXTS: dict[str, tuple[str, str]] = {
    "registered": ("registered", "您的投诉已受理，回执编号{no}，查询码{code}，可凭此查询处理进度。"),
    "acknowledged": ("progress", "您的投诉（{no}）已收到，我们正在处理：{text}"),
    "accepted": ("progress", "您的投诉（{no}）已接单处理。"),
    "reply_sent": ("progress", "您的投诉（{no}）已有答复，请凭回执编号和查询码查看，并告知是否同意。"),
    "measures_done": ("progress", "您的投诉（{no}）所涉问题的处理措施已落实。"),
    "clock_paused": ("progress", "您的投诉（{no}）暂停处理：{text}"),
    "clock_resumed": ("progress", "您的投诉（{no}）已恢复处理。"),
    "follow_up_recorded": ("closed", "您的投诉（{no}）已回访结案，感谢您的反馈。"),
    "follow_up_exempted": ("closed", "您的投诉（{no}）已结案。"),
    "closed_on_spot": ("closed", "您的投诉（{no}）已现场处理完毕并结案，感谢您的反馈。"),
    "closed_unclosed": ("closed", "您的投诉（{no}）已作未关闭处理，我们将持续关注。"),
    "withdrawn": ("closed", "您的投诉（{no}）已撤回。"),
}

# Internal events that integrations still receive: the answer to the forwarder and the developer forward.
WEBHOOK_INTERNAL = frozenset({"forwarder_replied", "forwarded_to_developer", "developer_answered"})
# Payload fields that carry the text of an event for staff notices and for the internal kinds integrations
# receive; what goes to the complainant or an integration about a public event is `events.public_text`.
TEXT_FIELD = {
    "forwarder_replied": "body",
    "forwarded_to_developer": "reason",
    "developer_answered": "answer",
    "reply_returned": "comment",
    "refused": "reason",
    "escalated": "reason",
    "severity_raised": "reason",
    "complainant_disagreed": "reason",
    "follow_up_attempted": "note",
    "complainant_chased": "text",
    "complainant_wrote": "body",
}


def event_notify(event) -> None:
    """The per-event hook (see the module docstring). Must stay cheap for kinds with no notice."""
    kind = event.kind
    notice = NOTICE_OF.get(kind)
    owner = event.public and kind in OWNER_TEXTS
    hook = event.public or kind in WEBHOOK_INTERNAL
    if notice is None and not owner and not hook:
        return
    c = event.complaint
    if notice is not None:
        _staff(event, c, notice)
    if owner:
        _owner(event, c)
    if hook and webhooks_any(c.company_id):
        _webhooks(event, c)


# --- staff ---------------------------------------------------------------------------------------------


def _people(q: Q, exclude_id: int | None) -> list[tuple[object, str]]:
    """(user, role) for every active user holding a role matched by `q`: one query."""
    rows = (
        RoleAssignment.objects.filter(q, user__is_active=True, user__is_service=False)
        .select_related("user")
        .order_by("user_id", "id")
    )
    if exclude_id is not None:
        rows = rows.exclude(user_id=exclude_id)
    return [(a.user, a.role) for a in rows]


def _holder_q(c) -> Q:
    """The holder, and the holder department's supervisors and managers; reception when nobody holds it."""
    q = Q(pk__in=[])
    if c.holder_department_id:
        q |= Q(department_id=c.holder_department_id, role__in=[Role.DEPT_SUPERVISOR, Role.DEPT_MANAGER])
    if c.holder_id:
        q |= Q(user_id=c.holder_id, company_id=c.company_id)
    if not (c.holder_department_id or c.holder_id):
        q |= Q(office_id=c.office_id, role=Role.RECEPTION)
    return q


def _audience_q(event, c, notice: str) -> Q | None:
    kind = event.kind
    if notice == N.ASSIGNED:
        q = _holder_q(c)
        if kind == "escalated":
            q |= Q(company_id=c.company_id, role=Role.QM)
        return q
    if notice == N.REVIEW_REQUESTED:
        role = {"qm": Role.QM, "general_office": Role.GENERAL_OFFICE}.get(c.review_stage)
        return Q(company_id=c.company_id, role=role) if role else None
    if notice == N.RETURNED:
        if kind == "refused":
            return Q(office_id=c.office_id, role=Role.RECEPTION)
        from .models import Reply

        author = (
            Reply.objects.filter(complaint_id=c.id, number=event.payload.get("reply"))
            .values_list("author_id", flat=True)
            .first()
        )
        return Q(user_id=author, company_id=c.company_id) if author else None
    if notice == N.SEVERITY_RAISED:
        return (
            Q(office_id=c.office_id, role=Role.OFFICE_MANAGER)
            | Q(company_id=c.company_id, role__in=[Role.QM, Role.LEADERSHIP])
            | Q(role=Role.GROUP_PROPERTY, group__companies__id=c.company_id)
        )
    if notice == N.OWNER_CHASED:
        if kind == "follow_up_attempted":
            return Q(office_id=c.office_id, role=Role.OFFICE_MANAGER)
        q = _holder_q(c) | Q(office_id=c.office_id, role=Role.OFFICE_MANAGER)
        if c.holder_department_id:
            q |= Q(department_id=c.holder_department_id, role=Role.DEPT_MANAGER)
        return q
    if notice == N.OWNER_REPLIED:
        return _holder_q(c)
    return None


def _staff(event, c, notice: str) -> None:
    if event.kind == "reply_approved" and not c.review_stage:
        return  # the last stage approved: nobody else has to review
    q = _audience_q(event, c, notice)
    if q is None:
        return
    people = _people(q, exclude_id=event.actor_id)
    if not people:
        return
    from .events import EVENT_LABELS

    label = EVENT_LABELS.get(event.kind, event.kind)
    due = clock.to_local(c.next_due_at).strftime("%Y-%m-%d %H:%M") if c.next_due_at else "—"
    # Only what the complaint row already holds: no extra query for names.
    body = f"{c.receipt_no} {c.subject}\n{label}（{event.actor_name}）\n最近到期：{due}"
    text = _text(event)
    if text:
        body += f"\n{text[:500]}"
    notify(
        kind=notice,
        notice=notice,
        recipients=people,
        subject=f"{SUBJECTS.get(notice, '')}{c.receipt_no} {c.subject}",
        body=body,
        dedupe_key=f"ev:{event.id}",
        company_id=c.company_id,
        office_id=c.office_id,
        ref=f"complaint:{c.id}",
    )


# --- the complainant -------------------------------------------------------------------------------------


def _owner(event, c) -> None:
    phone = (c.complainant_phone or "").strip()
    email = (c.complainant_email or "").strip()
    if c.anonymous or not (phone or email):
        return
    template_key, fmt = OWNER_TEXTS[event.kind]
    from .events import public_text

    text = public_text(event)[:60]
    params = {"no": c.receipt_no}
    if event.kind == "registered":
        params["code"] = c.check_code
    else:
        from .events import EVENT_LABELS

        params["step"] = EVENT_LABELS.get(event.kind, event.kind)
    from django.conf import settings

    template = getattr(settings, "DOCKET_SMS_TEMPLATES", {}).get(template_key, template_key)
    body = fmt.format(no=c.receipt_no, code=c.check_code, text=text)
    # The receipt number leads the subject, so a reply to the email finds its complaint (mailin).
    subject = f"[{c.receipt_no}] {params.get('step', '登记受理')}"
    for address in (phone, email):
        if address:
            notify_address(
                kind=f"owner:{event.kind}",
                notice=N.OWNER_UPDATE,
                address=address,
                subject=subject,
                body=body
                if "@" not in address
                else f"{c.complainant_name or '您好'}：\n\n{body}\n\n"
                f"（回复本邮件即可补充说明，请保留标题中的回执编号。）",
                data={"template": template, "params": params},
                dedupe_key=f"ev:{event.id}:owner",
                company_id=c.company_id,
                ref=f"complaint:{c.id}",
            )


# --- integrations ----------------------------------------------------------------------------------------


def _text(event) -> str:
    """The text of an event for staff (any field TEXT_FIELD names)."""
    field = TEXT_FIELD.get(event.kind)
    value = event.payload.get(field) if field else None
    return str(value) if value else ""


def _public_or_staff_text(event) -> str:
    """What goes outside the company: for a public event only what the complainant's own timeline shows
    (events.public_text, the one table of public fields); the internal kinds integrations receive
    (WEBHOOK_INTERNAL) carry their staff text."""
    from .events import public_text

    return public_text(event) if event.public else _text(event)


def _webhooks(event, c) -> None:
    from .events import EVENT_LABELS

    parties = {c.forwarded_by_id}
    data = {
        "complaint": {
            "id": c.id,
            "receipt_no": c.receipt_no,
            "forwarder_ref": c.forwarder_ref,
            "forwarded_by_id": c.forwarded_by_id,
            "state": c.state,
            "kind": c.kind,
            "subject": c.subject,
            "company_id": c.company_id,
            "office_id": c.office_id,
        },
        "event": {
            "id": event.id,
            "seq": event.seq,
            "kind": event.kind,
            "label": EVENT_LABELS.get(event.kind, event.kind),
            "at": event.at.isoformat(),
            "public": event.public,
            "hash": event.hash,
        },
        "text": _public_or_staff_text(event),
    }
    if event.kind in ("forwarded_to_developer", "developer_answered"):
        # The forward goes to the developer's endpoint; its answer only to the complaint's own integrations.
        from .models import DeveloperForward

        fwd = (
            DeveloperForward.objects.filter(complaint_id=c.id)
            .order_by("-sent_at", "-id")
            .values("id", "party_id", "reason", "their_ref", "answer")
            .first()
        )
        if fwd:
            if event.kind == "forwarded_to_developer":
                parties = {fwd["party_id"]}
            data["forward"] = {
                **fwd,
                "description": c.description,
                "location": c.location,
                "answer_url": f"/api/v1/complaints/{c.id}/actions/developer_answer_record",
            }
    notify_webhooks(
        event=f"complaint.{event.kind}",
        data=data,
        dedupe_key=f"ev:{event.id}",
        company_id=c.company_id,
        created_by_id=c.received_by_id,
        party_ids=parties,
        ref=f"complaint:{c.id}",
    )
