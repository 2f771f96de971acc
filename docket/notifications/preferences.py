"""Who hears what: channels per company × role × notice kind (issue 5).

Resolution for (company, role, notice), first match wins: the company's row for the role, the default
row (no company) for the role, the company's row for any role (`*`), the default row for any role, then
the built-in `DEFAULTS` (role, then `*`). So the demo works with no rows at all, and an administrator
overrides one cell at a time. Rows are read once per process and kept for `TTL` seconds (dropped at once
when a row is saved in this process), so the per-event hook costs a dict lookup, not a query.
"""

from __future__ import annotations

import time

from django.utils.translation import gettext_lazy as _

from .models import Channel, NoticeKind

ANY = "*"
COMPLAINANT = "complainant"
TTL = 60.0

# Built-in defaults. Staff: e-mail (or the in-app/log record when they have no address); hot/major and
# overdue also go to the office's WeCom group when a robot is configured. The complainant: SMS to the phone
# and email to the address they gave, on the public steps of their own complaint, nothing else.
DEFAULTS: dict[tuple[str, str], tuple[str, ...]] = {
    (ANY, NoticeKind.ASSIGNED): (Channel.EMAIL,),
    (ANY, NoticeKind.DEADLINE_WARNING): (Channel.EMAIL,),
    (ANY, NoticeKind.OVERDUE): (Channel.EMAIL, Channel.WECOM),
    (ANY, NoticeKind.REVIEW_REQUESTED): (Channel.EMAIL,),
    (ANY, NoticeKind.RETURNED): (Channel.EMAIL,),
    (ANY, NoticeKind.SEVERITY_RAISED): (Channel.EMAIL, Channel.WECOM),
    (ANY, NoticeKind.OWNER_CHASED): (Channel.EMAIL,),
    (ANY, NoticeKind.OWNER_REPLIED): (Channel.EMAIL,),
    (ANY, NoticeKind.OWNER_UPDATE): (),
    # A message given up (service.deliver_due): always the in-app/log record, and e-mail when there is one
    # (the failed channel may be e-mail itself, so the record must not depend on it).
    (ANY, NoticeKind.DELIVERY_FAILED): (Channel.CONSOLE, Channel.EMAIL),
    (COMPLAINANT, NoticeKind.OWNER_UPDATE): (Channel.SMS, Channel.EMAIL),
    # escalation (issue 12): the group hears of reports by email and WeCom; an online complaint reaches the
    # QM information officer by email and the office manager by email and SMS at once (seed 5.2.3.3.1).
    (ANY, NoticeKind.GROUP_REPORT): (Channel.EMAIL, Channel.WECOM),
    (ANY, NoticeKind.ONLINE_COMPLAINT): (Channel.EMAIL,),
    ("office_manager", NoticeKind.ONLINE_COMPLAINT): (Channel.EMAIL, Channel.SMS),
    # seed part 2 (issue 15)
    (ANY, NoticeKind.COMPENSATION_CLAIMED): (Channel.EMAIL,),
}
for _kind in NoticeKind.values:
    DEFAULTS.setdefault((COMPLAINANT, _kind), ())
# Messages that are not one of the notice kinds (e.g. reports overdue) keep the original rule.
FALLBACK: tuple[str, ...] = (Channel.EMAIL,)

# Old event-ish kinds that callers pass to notify() and the notice kind they belong to.
ALIASES = {"deadline_missed": NoticeKind.OVERDUE, "overdue_escalated": NoticeKind.OVERDUE}

# Role codes and labels for the admin; domain code registers its roles (notifications imports no domain app).
AUDIENCES: dict[str, object] = {ANY: _("所有角色"), COMPLAINANT: _("投诉人（业主）")}


def audiences_register(labels: dict[str, object]) -> None:
    AUDIENCES.update(labels)


def audience_choices() -> list[tuple[str, object]]:
    return list(AUDIENCES.items())


_cache: dict[tuple, tuple[str, ...]] | None = None
_loaded_at = 0.0


def cache_clear(*_args, **_kwargs) -> None:
    global _cache
    _cache = None


def _rows() -> dict[tuple, tuple[str, ...]]:
    global _cache, _loaded_at
    if _cache is None or time.monotonic() - _loaded_at > TTL:
        from .models import NoticePreference

        _cache = {
            (p.company_id, p.role, p.notice): tuple(p.channels or ()) for p in NoticePreference.objects.all()
        }
        _loaded_at = time.monotonic()
    return _cache


def notice_for(kind: str) -> str | None:
    kind = ALIASES.get(kind, kind)
    return kind if kind in NoticeKind.values else None


def channels_for(company_id: int | None, role: str | None, notice: str | None) -> tuple[str, ...]:
    """The channels for one audience; see the module docstring for the order."""
    if notice is None:
        return FALLBACK
    role = role or ANY
    rows = _rows()
    for key in (
        (company_id, role, notice),
        (None, role, notice),
        (company_id, ANY, notice),
        (None, ANY, notice),
    ):
        if key in rows:
            return rows[key]
    if (role, notice) in DEFAULTS:
        return DEFAULTS[(role, notice)]
    return DEFAULTS.get((ANY, notice), FALLBACK)
