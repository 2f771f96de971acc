"""The staff list for department roles at scale (bench/README.md): the two statements its page costs —
the pager's count and the first 50 rows newest first — in one process on the loaded `docket_bench`
(PostgreSQL), for every department supervisor (up to --departments). "before" is the exact COUNT(*) the
list's pager used to run over the department's whole history; "after" is the capped count the list runs
now (`core/paging.CappedPaginator`: at most cap + 1 rows). Visibility is `complaints/scopes.py`'s.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/docket_bench DJANGO_SETTINGS_MODULE=config.settings.dev \\
        uv run python -m bench.scope_list [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import time


def _ms(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000


def main(argv: list[str] | None = None) -> int:
    import django

    django.setup()
    from docket.accounts.models import Role, RoleAssignment
    from docket.complaints import scopes
    from docket.complaints.models import Complaint
    from docket.core.paging import CappedPaginator

    p = argparse.ArgumentParser()
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--departments", type=int, default=6)
    p.add_argument("--cap", type=int, default=1000)
    args = p.parse_args(argv)

    supervisors = list(
        RoleAssignment.objects.filter(role=Role.DEPT_SUPERVISOR).select_related("department")[
            : args.departments
        ]
    )
    print(
        f"staff list, department roles: {Complaint.objects.count():,} complaints, {len(supervisors)} departments"
    )
    print(f"{'department':<28} {'visible':>8} {'exact count':>12} {'capped count':>13} {'first page':>11}")
    before, after = [], []
    for a in supervisors:
        qs = Complaint.objects.filter(scopes.complaint_q(a))
        n = qs.count()
        exact = _ms(lambda qs=qs: qs.count(), args.runs)
        capped = _ms(lambda qs=qs: CappedPaginator(qs, 50, cap=args.cap).count, args.runs)
        page = _ms(
            lambda qs=qs: list(qs.order_by("-received_at", "-id").values_list("id", flat=True)[:50]),
            args.runs,
        )
        if CappedPaginator(qs, 50, cap=args.cap).count != min(n, args.cap):
            print(f"FAILED: capped count disagrees for {a.department}")
            return 1
        before.append(exact + page)
        after.append(capped + page)
        print(f"{str(a.department)[:28]:<28} {n:>8,} {exact:>9.1f} ms {capped:>10.1f} ms {page:>8.1f} ms")
    print(f"before (exact count + page): median {statistics.median(before):.1f} ms per list page")
    print(f"after (capped count + page): median {statistics.median(after):.1f} ms per list page")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
