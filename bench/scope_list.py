"""The staff list's visibility query for department roles, before and after issue 9 (bench/README.md):
times the list page's two statements — COUNT(*) for the pager and the first 50 rows newest first — with
the old condition (holder department OR an uncorrelated subquery of owned issues) and the new one (two
uncorrelated `id IN (…)` subqueries, complaints/scopes.py), for every department supervisor of the
database, in one process on the loaded `docket_bench` (PostgreSQL).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/docket_bench DJANGO_SETTINGS_MODULE=config.settings.dev \
        uv run python -m bench.scope_list [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import time


def main(argv: list[str] | None = None) -> int:
    import django

    django.setup()
    from django.db.models import Q

    from docket.accounts.models import Role, RoleAssignment
    from docket.complaints import scopes
    from docket.complaints.models import Complaint, ComplaintIssue

    p = argparse.ArgumentParser()
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--departments", type=int, default=6)
    args = p.parse_args(argv)

    def old_q(a):
        owned = ComplaintIssue.objects.filter(department_id=a.department_id).values("complaint_id")
        return Q(company_id=a.company_id) & (Q(holder_department_id=a.department_id) | Q(id__in=owned))

    supervisors = list(
        RoleAssignment.objects.filter(role=Role.DEPT_SUPERVISOR).select_related("department")[
            : args.departments
        ]
    )
    print(f"staff list visibility, {Complaint.objects.count():,} complaints, {len(supervisors)} departments")
    print(
        f"{'department':<28} {'rows':>8} {'old count':>10} {'old page':>9} {'new count':>10} {'new page':>9}"
    )
    totals: dict[str, list[float]] = {"old": [], "new": []}
    for a in supervisors:
        row = [str(a.department)[:28]]
        n, seen = None, []
        for label, q in (("old", old_q(a)), ("new", scopes.complaint_q(a))):
            qs = Complaint.objects.filter(q)
            counts, pages = [], []
            for _ in range(args.runs):
                t = time.perf_counter()
                n = qs.count()
                counts.append(time.perf_counter() - t)
                t = time.perf_counter()
                list(qs.order_by("-received_at", "-id").values_list("id", flat=True)[:50])
                pages.append(time.perf_counter() - t)
            seen.append(n)
            c, pg = statistics.median(counts) * 1000, statistics.median(pages) * 1000
            totals[label].append(c + pg)
            row += [f"{c:.1f} ms", f"{pg:.1f} ms"]
        if seen[0] != seen[1]:
            print(f"FAILED: the two conditions disagree for {a.department}: {seen}")
            return 1
        print(f"{row[0]:<28} {n:>8,} {row[1]:>10} {row[2]:>9} {row[3]:>10} {row[4]:>9}")
    for label in ("old", "new"):
        print(f"{label}: median list statements {statistics.median(totals[label]):.1f} ms per page")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
