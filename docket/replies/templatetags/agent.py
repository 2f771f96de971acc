"""Template tags for the agent features on the complaint page (issue 14)."""

from django import template

register = template.Library()


@register.simple_tag
def reply_templates_for(c):
    """The reply templates offered for this complaint's draft (only evaluated in the draft form)."""
    from docket.replies.selectors import templates_for

    return templates_for(c)


@register.simple_tag(takes_context=True)
def replies_nav(context) -> bool:
    """Whether the navigation offers 常用答复: staff of a company (no query: the roles are loaded once per
    request for the navigation already)."""
    from docket.accounts.access import assignments_of
    from docket.accounts.models import Role

    request = context.get("request")
    return any(a.role != Role.COMMITTEE_MEMBER for a in assignments_of(getattr(request, "user", None)))


@register.simple_tag(takes_context=True)
def send_preview(context, c) -> dict:
    """What sending the reply will do (issue 14): each channel the complainant is told on and the address
    as this viewer may read it (complaints/privacy.person_for), and the message text."""
    from docket.complaints import kinds
    from docket.complaints.privacy import person_for
    from docket.notifications import preferences
    from docket.notifications.models import Channel, NoticeKind

    request = context.get("request")
    person = person_for(getattr(request, "user", None), c, cosigners=())
    wanted = preferences.channels_for(c.company_id, preferences.COMPLAINANT, NoticeKind.OWNER_UPDATE)
    routes = []
    if not person.anonymous:
        if (c.complainant_phone or "").strip() and Channel.SMS in wanted:
            routes.append((Channel.SMS.label, person.phone))
        if (c.complainant_email or "").strip() and Channel.EMAIL in wanted:
            routes.append((Channel.EMAIL.label, person.email))
    owner_text = kinds.get("reply_sent").owner_text
    message = owner_text[1].format(no=c.receipt_no, code="", text="") if owner_text else ""
    return {"routes": routes, "message": message, "anonymous": person.anonymous}
