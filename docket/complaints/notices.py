"""From complaint events to notices (issue 5): who hears about what.

`event_notify(event)` is called by `Act.finish()` (services/_base.py) once per event the action wrote,
inside the service's transaction, so the outbox rows commit or roll back with the change. What each kind
raises is declared in the event-kind registry (`kinds.py`):

- the staff notice (`notice`) and its audience (`audience`, a name in `audiences.py`): the people holding
  the relevant roles in the complaint's scope, never the person who acted;
- the complainant's SMS/email (`owner_text`), only for events on the public timeline of their own
  complaint; anonymous complaints and complaints without a phone or email get nothing (R-EXP-1, R-EXP-2);
- the integrations' webhooks: public steps and the internal kinds marked `webhook` (the answer to the
  forwarder, the forward to the developer's centre), to the endpoint of the integration that created the
  complaint (its API key's service user) or of the forwarding party (R-HDL-6, R-EXP-8).

Channels per role and notice come from the preferences (`docket.notifications.preferences`). Dedupe keys
derive from the event id, so nothing is queued twice. Cost: a dict lookup for kinds with no notice (most
of them); otherwise one or two queries for the audience and one or two for the outbox. Deadline warnings
and overdue steps are notified by the sweep (`services/overdue.py`), not here.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import translation

from docket.core import clock
from docket.notifications.models import NoticeKind
from docket.notifications.service import notify, notify_address, notify_webhooks, webhooks_any

from . import audiences, kinds
from .events import public_text, staff_text
from .owner_links import tracking_url

N = NoticeKind
SUBJECTS: dict[str, str] = {
    N.ASSIGNED: "【新派单】",
    N.RETURNED: "【退回】",
    N.REVIEW_REQUESTED: "【待审核】",
    N.SEVERITY_RAISED: "【热点/重大投诉】",
    N.OWNER_CHASED: "【顾客催办】",
    N.OWNER_REPLIED: "【顾客回复】",
}


def event_notify(event) -> None:
    """The per-event hook (see the module docstring). Must stay cheap for kinds with no notice. What goes
    out is written in the site's language (Chinese), whatever language the acting user's page is in."""
    kind = kinds.get(event.kind)
    owner = event.public and kind.owner_text is not None
    hook = event.public or kind.webhook
    if kind.notice is None and not owner and not hook:
        return
    with translation.override(settings.LANGUAGE_CODE):
        _notify(event, kind, owner, hook)


def _notify(event, kind: kinds.EventKind, owner: bool, hook: bool) -> None:
    c = event.complaint
    if kind.notice is not None:
        _staff(event, c, kind)
    if owner:
        _owner(event, c)
    if hook and webhooks_any(c.company_id):
        _webhooks(event, c)


# --- staff ---------------------------------------------------------------------------------------------


def _staff(event, c, kind: kinds.EventKind) -> None:
    people = audiences.audience(kind.audience or "", c, event, exclude_id=event.actor_id)
    if not people:
        return
    notice = kind.notice or ""
    due = clock.to_local(c.next_due_at).strftime("%Y-%m-%d %H:%M") if c.next_due_at else "—"
    # Only what the complaint row already holds: no extra query for names.
    body = f"{c.receipt_no} {c.subject}\n{kind.label}（{event.actor_name}）\n最近到期：{due}"
    text = staff_text(event)
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
    kind = kinds.get(event.kind)
    template_key, fmt = kind.owner_text or ("", "")
    params = {"no": c.receipt_no}
    if event.kind == "registered":
        params["code"] = c.check_code
    else:
        params["step"] = str(kind.label)
    template = getattr(settings, "DOCKET_SMS_TEMPLATES", {}).get(template_key, template_key)
    body = fmt.format(no=c.receipt_no, code=c.check_code, text=public_text(event)[:60])
    # portal answers (issue 11): every owner message links to their tracking page (a signed short token,
    # never the check code).
    params["link"] = tracking_url(c.id)
    body = f"{body} 查看/答复：{params['link']}"
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


def _webhooks(event, c) -> None:
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
            "label": kinds.label(event.kind),
            "at": event.at.isoformat(),
            "public": event.public,
            "hash": event.hash,
        },
        # Outside the company: for a public event only what the complainant's own timeline shows; the
        # internal kinds integrations receive carry their staff text.
        "text": public_text(event) if event.public else staff_text(event),
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
