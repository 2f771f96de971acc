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
