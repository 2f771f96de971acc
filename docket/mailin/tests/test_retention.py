"""The message log forgets who wrote (R-EXP-12): with the complaint's erasure, or 30 days after a message
that became nothing; never a message still to be retried."""

from __future__ import annotations

from datetime import timedelta

from docket.core import clock
from docket.mailin.models import InboundMessage, Mailbox
from docket.mailin.services import inbound_purge

SENDER = {"from_name": "王小明", "from_address": "wxm@example.com", "subject": "楼道漏水 13800138000"}


def _msg(box, n, *, days_ago=0, **kw):
    at = clock.now() - timedelta(days=days_ago)
    return InboundMessage.objects.create(
        mailbox=box,
        message_id=f"<{n}@x>",
        uidvalidity=1,
        uid=n,
        received_at=at,
        processed_at=at,
        **{"outcome": "rejected", "reason": "自动回复 wxm@example.com", **SENDER, **kw},
    )


def test_senders_are_forgotten_with_the_complaint_or_after_30_days(org, complaint_factory, settings):
    settings.DOCKET_OUTBOX_KEEP_DAYS = 30
    box = Mailbox.objects.create(name="m", office=org.a.office, host="h", username="u", password="p")
    erased, kept = complaint_factory(), complaint_factory()
    erased.__class__.objects.filter(pk=erased.pk).update(anonymised_at=clock.now())
    rows = {
        "filed, complaint erased": _msg(box, 1, days_ago=2000, complaint=erased, outcome="created"),
        "filed, complaint kept": _msg(box, 2, days_ago=2000, complaint=kept, outcome="created"),
        "rejected, old": _msg(box, 3, days_ago=31),
        "rejected, recent": _msg(box, 4, days_ago=29),
        "error, to be retried": _msg(box, 5, days_ago=31, outcome="error", attempts=1),
        "error, given up": _msg(box, 6, days_ago=31, outcome="error", attempts=3),
    }
    assert inbound_purge() == 3
    blanked = {k for k, r in rows.items() if InboundMessage.objects.get(pk=r.pk).from_address == ""}
    assert blanked == {"filed, complaint erased", "rejected, old", "error, given up"}
    for key in blanked:
        row = InboundMessage.objects.get(pk=rows[key].pk)
        assert (row.from_name, row.subject, row.reason) == ("", "", "")
        assert row.message_id and row.outcome  # still files a redelivery exactly once
    assert InboundMessage.objects.get(pk=rows["filed, complaint kept"].pk).from_name == "王小明"
    assert inbound_purge() == 0  # idempotent
