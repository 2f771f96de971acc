"""Verifying every complaint's chain (R-ANA-6): used by `manage.py verify_chains` and the nightly job."""

from __future__ import annotations

from collections.abc import Iterator

from .events import ChainProblem, chain_verify
from .models import Complaint


def chains_verify_all(
    *, company_id: int | None = None, batch: int = 500
) -> Iterator[tuple[int, ChainProblem | None]]:
    """Yield (complaint id, first problem or None) for every complaint, in id order, in batches so memory
    stays flat however many complaints there are."""
    qs = Complaint.objects.order_by("id").only("id", "receipt_no")
    if company_id is not None:
        qs = qs.filter(company_id=company_id)
    last = 0
    while True:
        rows = list(qs.filter(id__gt=last)[:batch])
        if not rows:
            return
        for complaint in rows:
            yield complaint.id, chain_verify(complaint)
        last = rows[-1].id


# --- the export an outsider verifies (issue 11, portal answers; docs/verify.md) --------------------------


def chain_export_lines(complaints) -> Iterator[str]:
    """JSON Lines, one line per event of each complaint in `complaints` (rows or ids), in order:
    `{"receipt_no", "seq", "prev_hash", "hash", "event"}` where `event` is exactly the body that was hashed
    (`events.canonical`): hash = SHA-256(prev_hash + "\\n" + canonical JSON of `event`). docs/verify.md shows
    how to check such a file without Docket."""
    import json

    from .events import canonical
    from .models import ComplaintEvent

    for complaint in complaints:
        cid = getattr(complaint, "pk", complaint)
        receipt_no = Complaint.objects.filter(pk=cid).values_list("receipt_no", flat=True).first()
        for e in ComplaintEvent.objects.filter(complaint_id=cid).order_by("seq").iterator(chunk_size=500):
            line = {
                "receipt_no": receipt_no,
                "seq": e.seq,
                "prev_hash": e.prev_hash,
                "hash": e.hash,
                "event": json.loads(canonical(e)),
            }
            yield json.dumps(line, ensure_ascii=False, separators=(",", ":"))
