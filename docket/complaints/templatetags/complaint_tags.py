import functools

from django import template

from .. import kinds

register = template.Library()


@functools.cache
def _value_labels():  # lazy labels: translated when shown, so one dict serves every language
    from django.utils.translation import gettext_lazy as _

    from ..models import (
        ContactMethod,
        Exemption,
        FollowUpMethod,
        FollowUpRating,
        Method,
        ProjectPhase,
        QmDecision,
        ReviewStage,
        UnclosedOutcome,
    )

    yes_no = {True: _("是"), False: _("否")}
    return {
        "stage": dict(ReviewStage.choices),
        "exemption": dict(Exemption.choices),
        "method": dict(Method.choices),
        "visit_method": dict(FollowUpMethod.choices),
        # The seed's procedure (issue 15).
        "contact_method": dict(ContactMethod.choices),
        "decision": dict(QmDecision.choices),
        "process_rating": dict(FollowUpRating.choices),
        "measures_rating": dict(FollowUpRating.choices),
        "result_rating": dict(FollowUpRating.choices),
        "outcome": dict(UnclosedOutcome.choices),
        "project_phase": dict(ProjectPhase.choices),
        "apologised": yes_no,
        "automatic": yes_no,
    }


# Payload fields holding a time (ISO text in the stored event), shown in local time.
_TIME_FIELDS = frozenset({"contacted_at"})


def _local_time(value) -> str:
    from datetime import datetime

    from docket.core import clock

    try:
        at = datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    return clock.to_local(at).strftime("%Y-%m-%d %H:%M") if at.tzinfo else str(value)


@register.filter
def event_label(kind: str) -> str:
    return kinds.label(kind)


@register.filter
def event_public_text(event) -> str:
    """What the complainant is told at this step (the kind's public text), for the public view."""
    from ..events import public_text

    return public_text(event)


@register.filter
def event_details(payload: dict) -> list[tuple[str, str]]:
    """The readable part of an event's payload, codes shown by their labels."""
    if not isinstance(payload, dict):
        return []
    labels = _value_labels()
    out = []
    for key, label in kinds.PAYLOAD_LABELS:
        value = payload.get(key)
        if value in (None, "", []):
            continue
        if key in _TIME_FIELDS:
            out.append((str(label), _local_time(value)))
            continue
        out.append((str(label), str(labels.get(key, {}).get(value, value))))
    return out


@register.filter
def countdown(due) -> str:
    """'剩余 3小时20分' / '已逾期 1天2小时' relative to now (clock time; the due time itself is exact)."""
    if not due:
        return ""
    from docket.core import clock

    seconds = int((due - clock.now()).total_seconds())
    late = seconds < 0
    seconds = abs(seconds)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    parts = (
        (f"{days}天" if days else "")
        + (f"{hours}小时" if hours else "")
        + (f"{minutes}分" if not days else "")
    )
    parts = parts or "0分"
    return f"已逾期 {parts}" if late else f"剩余 {parts}"


@register.filter
def due_class(due) -> str:
    """A colour class: overdue, due within 2 hours, or fine."""
    if not due:
        return ""
    from docket.core import clock

    seconds = (due - clock.now()).total_seconds()
    return "due-late" if seconds < 0 else "due-soon" if seconds < 7200 else "due-ok"


# Filters for rows rendered 50 at a time (the list and my work, bench/README.md): Django's
# `get_FOO_display` rebuilds a hashable dict of the field's choices on every call (~33 µs, twice a row)
# and the `date` filter goes through the localised formatter (~29 µs); these read a cached dict and format
# with strftime, with the same output.
_CHOICE_LABELS: dict = {}


@register.filter
def label(obj, field: str):
    """`obj.get_<field>_display()`: the label of the field's value (the value itself when unknown)."""
    key = (type(obj), field)
    labels = _CHOICE_LABELS.get(key)
    if labels is None:
        labels = _CHOICE_LABELS[key] = dict(type(obj)._meta.get_field(field).flatchoices)
    value = getattr(obj, field)
    return labels.get(value, value)


@register.filter
def minute(value) -> str:
    """`value|date:"Y-m-d H:i"` in the current time zone."""
    if not value:
        return ""
    from django.utils import timezone

    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.strftime("%Y-%m-%d %H:%M")
