"""Triage quality and speed on the evaluation set (docket/triage/eval/complaints.jsonl).

    uv run python -m bench.triage [--complaints 3000] [--lookups 300] [--quick]

1. Category top-1 / top-3 and department accuracy on the fixed held-out split: the cold-start rules, and
   the classifier fitted on the training split.
2. Same-issue precision / recall over pairs of the held-out split (same office, within 30 days): the later
   complaint is the one being typed (its category is the classifier's top 3), the earlier one is filed
   with its category; gold = same group. The threshold is services' THRESHOLD (chosen on the training
   pairs, printed alongside).
3. Speed: `services.suggest` (classification + the same-issue query and scoring) on a scratch SQLite
   database holding --complaints complaints of one company (the evaluation texts, repeated over a year),
   p50/p95 over --lookups calls with a warm process (the model and jieba loaded once).

SQLite in a temporary file, so it runs anywhere (no PostgreSQL needed); figures printed, nothing asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "docket" / "triage" / "eval" / "complaints.jsonl"
T0 = datetime(2026, 1, 5, 2, 0, tzinfo=UTC)


def load() -> list[dict]:
    return [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines() if line.strip()]


def text_of(r: dict) -> str:
    return f"{r['subject']} {r['description']}"


def quality(rows: list[dict]) -> dict:
    from docket.triage import classifier
    from docket.triage.rules import DEPT_OF_PATH, rule_scores
    from docket.triage.text import normalise

    train = [r for r in rows if r["split"] == "train"]
    test = [r for r in rows if r["split"] == "test"]
    out: dict = {"train": len(train), "test": len(test)}
    # cold-start rules
    t1 = t3 = dept = 0
    for r in test:
        scores = rule_scores(normalise(text_of(r)))
        ranked = [p for p, _s in sorted(scores.items(), key=lambda kv: -kv[1])][:3]
        t1 += bool(ranked) and ranked[0] == r["category"]
        t3 += r["category"] in ranked
        dept += bool(ranked) and DEPT_OF_PATH[ranked[0]] == r["dept"]
    out["rules"] = (t1 / len(test), t3 / len(test), dept / len(test))
    # classifier
    t = time.perf_counter()
    fitted = classifier.fit(
        [text_of(r) for r in train], [r["category"] for r in train], [r["dept"] for r in train]
    )
    out["fit_seconds"] = time.perf_counter() - t
    t1 = t3 = dept = 0
    predicted: dict[int, tuple[str, ...]] = {}
    misses = []
    for r in rows:
        cats, depts = fitted.predict(text_of(r), k=3)
        predicted[r["id"]] = tuple(c for c, _p in cats)
        if r["split"] != "test":
            continue
        t1 += cats[0][0] == r["category"]
        t3 += r["category"] in predicted[r["id"]]
        dept += depts[0][0] == r["dept"]
        if cats[0][0] != r["category"]:
            misses.append((r["category"], cats[0][0], text_of(r)[:60]))
    out["model"] = (t1 / len(test), t3 / len(test), dept / len(test))
    out["misses"] = misses
    out["pairs_train"] = same_issue(train, predicted)
    out["pairs_test"] = same_issue(test, predicted)
    return out


def same_issue(rows: list[dict], predicted: dict[int, tuple[str, ...]], thresholds=None) -> dict:
    from docket.triage.same_issue import THRESHOLD, make_doc, score
    from docket.triage.text import normalise

    def doc(r, typed: bool):
        return make_doc(
            r["id"],
            normalise(text_of(r)),
            categories=predicted[r["id"]] if typed else (r["category"],),
            building=r["building"],
            unit=r["unit"],
            location=normalise(r["location"]),
            person=r["phone"],
        )

    scored = []
    for i, a in enumerate(rows):
        for b in rows[i + 1 :]:
            if a["office"] != b["office"] or abs(a["day"] - b["day"]) > 30:
                continue
            later, earlier = (a, b) if a["day"] >= b["day"] else (b, a)
            gold = a["group"] == b["group"]
            scored.append((score(doc(later, True), doc(earlier, False)), gold))
    res = {}
    for th in thresholds or sorted({THRESHOLD, 0.6, 0.65, 0.7, 0.75, 0.8}):
        tp = sum(1 for s, g in scored if s >= th and g)
        fp = sum(1 for s, g in scored if s >= th and not g)
        fn = sum(1 for s, g in scored if s < th and g)
        res[th] = (tp / (tp + fp) if tp + fp else 0.0, tp / (tp + fn) if tp + fn else 0.0, tp, fp, fn)
    return {
        "pairs": len(scored),
        "gold": sum(g for _s, g in scored),
        "by_threshold": res,
        "threshold": THRESHOLD,
    }


def speed(rows: list[dict], n_complaints: int, lookups: int, explain: bool = False) -> dict:
    """The suggestion service on a scratch SQLite database."""
    import random

    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0, run_syncdb=True)
    from docket.accounts.models import Role, User
    from docket.accounts.services import role_grant
    from docket.complaints.models import Category, Complaint, ComplaintIssue
    from docket.org.models import Building, Community, Company, Department, Group, Office, Unit
    from docket.triage import services
    from docket.triage.rules import RULES

    rng = random.Random(7)
    group = Group.objects.create(name="集团", code="g")
    company = Company.objects.create(group=group, name="华信物业", code="hx")
    offices = {}
    for code, nb in (("CYY", 6), ("YY", 4), ("LJW", 5)):
        o = Office.objects.create(company=company, name=f"{code}管理处", code=code)
        com = Community.objects.create(office=o, name=code)
        blds = {b: Building.objects.create(community=com, name=f"{b}号楼") for b in range(1, nb + 1)}
        units = {
            (b, u): Unit.objects.create(building=blds[b], name=f"{u}单元") for b in blds for u in (1, 2, 3)
        }
        for kind in ("customer_service", "engineering", "security", "cleaning", "greening"):
            Department.objects.create(company=company, office=o, kind=kind, name=kind)
        offices[code] = (o, com, blds, units)
    cats = {}
    tops: dict[str, Category] = {}
    for rule in RULES:
        top, name = rule.path.rsplit(" / ", 1)
        if top not in tops:
            tops[top] = Category.objects.create(company=company, name=top)
        cats[rule.path] = Category.objects.create(company=company, parent=tops[top], name=name)
    user = User.objects.create_user(username="rec", password="x", display_name="前台")
    role_grant(user=user, role=Role.RECEPTION, scope_obj=offices["CYY"][0])
    complaints, issues = [], []
    for i in range(n_complaints):
        r = rows[i % len(rows)]
        o, com, blds, units = offices[r["office"]]
        b = int(r["building"]) if r["building"] and int(r["building"]) in blds else None
        received = T0 + timedelta(days=(r["day"] + 365 * (i // len(rows))) % 365, minutes=rng.randint(0, 600))
        complaints.append(
            Complaint(
                company=company,
                office=o,
                community=com,
                building=blds[b] if b else None,
                unit=units[(b, int(r["unit"]))] if b and r["unit"] else None,
                location=r["location"],
                receipt_no=f"B{i:08d}",
                check_code="x",
                channel="office",
                method="phone",
                complainant_phone=r["phone"],
                anonymous=r["anonymous"],
                subject=r["subject"] or r["description"][:20],
                description=r["description"],
                received_at=received,
                updated_at=received,
            )
        )
    Complaint.objects.bulk_create(complaints, batch_size=500)
    for c, i in zip(Complaint.objects.order_by("id"), range(n_complaints), strict=True):
        r = rows[i % len(rows)]
        issues.append(
            ComplaintIssue(
                complaint=c, company=company, seq=1, summary=c.subject, category=cats[r["category"]]
            )
        )
    ComplaintIssue.objects.bulk_create(issues, batch_size=500)
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:  # planner statistics, as a live database has them
            cur.execute("ANALYZE")
    t = time.perf_counter()
    model = services.triage_model_train(company_id=company.id)
    train_s = time.perf_counter() - t
    o = offices["CYY"][0]
    queries = [r for r in rows if r["office"] == "CYY"]
    services.suggest(user=user, office_id=o.id, text="电梯坏了", now=T0)  # load the model and jieba once
    from docket.triage import text as triage_text

    times, cold = [], []
    found = 0
    for k in range(lookups):
        r = queries[k % len(queries)]
        at = T0 + timedelta(days=r["day"] % 365, hours=3)
        t = time.perf_counter()
        s = services.suggest(user=user, office_id=o.id, text=text_of(r), location=r["location"], now=at)
        times.append((time.perf_counter() - t) * 1000)
        found += len(s.candidates)
    for k in range(min(lookups, 100)):  # nothing of the window cached: every row normalised and parsed again
        r = queries[(k * 7) % len(queries)]
        at = T0 + timedelta(days=r["day"] % 365, hours=3)
        services._doc_of_row.cache_clear()
        triage_text.normalise.cache_clear()
        triage_text.words.cache_clear()
        services.ref_cache_clear()
        t = time.perf_counter()
        services.suggest(user=user, office_id=o.id, text=text_of(r), location=r["location"], now=at)
        cold.append((time.perf_counter() - t) * 1000)
    if explain:
        from docket.complaints import scopes

        at = T0 + timedelta(days=180)
        print("candidate query plan (reception user's scope):")
        print(services.window_query(o, at, 30, scopes.complaints_visible_to(user)).explain())
    in_window = Complaint.objects.filter(
        office=o, received_at__gte=T0 + timedelta(days=150), received_at__lte=T0 + timedelta(days=210)
    ).count()
    return {
        "vendor": connection.vendor,
        "complaints": n_complaints,
        "window_rows": in_window,
        "train_seconds": train_s,
        "model": model.label if model else None,
        "model_metrics": model.metrics if model else None,
        "p50": statistics.median(times),
        "p95": statistics.quantiles(times, n=20)[-1],
        "max": max(times),
        "cold_p50": statistics.median(cold),
        "cold_p95": statistics.quantiles(cold, n=20)[-1],
        "candidates_per_lookup": found / max(1, lookups),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--complaints", type=int, default=3000)
    parser.add_argument("--lookups", type=int, default=300)
    parser.add_argument("--quick", action="store_true", help="fewer complaints and lookups (bench smoke)")
    parser.add_argument(
        "--database-url",
        default="",
        help="measure the speed on this (empty, scratch) database instead of a temporary SQLite file, "
        "e.g. postgres://postgres@127.0.0.1:5432/docket_bench_triage; its tables are created by migrate",
    )
    parser.add_argument("--explain", action="store_true", help="print the plan of the candidate query")
    parser.add_argument("--speed-only", action="store_true", help="skip the quality figures")
    parser.add_argument("--misses", action="store_true", help="print the misclassified held-out rows")
    args = parser.parse_args()
    if args.quick:
        args.complaints, args.lookups = 1500, 60
    tmp = tempfile.mkdtemp(prefix="bench-triage-")
    os.environ["DATABASE_URL"] = args.database_url or f"sqlite:///{tmp}/triage.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    os.environ.setdefault("DOCKET_MEDIA_ROOT", tmp)
    import django

    django.setup()
    rows = load()
    if not args.speed_only:
        report_quality(rows, args.misses)
    s = speed(rows, args.complaints, args.lookups, explain=args.explain)
    print(
        f"speed ({s['vendor']}, {s['complaints']} complaints, ~{s['window_rows']} in one office's ±30 days; a lookup reads the 30 days before): "
        f"suggest + same-issue p50 {s['p50']:.1f} ms, p95 {s['p95']:.1f} ms, max {s['max']:.1f} ms "
        f"over {args.lookups} lookups ({s['candidates_per_lookup']:.1f} candidates each)"
    )
    print(
        f"  with nothing cached (every window row parsed again): p50 {s['cold_p50']:.1f} ms, p95 {s['cold_p95']:.1f} ms"
    )
    print(f"  trained {s['model']} in {s['train_seconds']:.1f} s on the loaded history: {s['model_metrics']}")
    sys.stdout.flush()


def report_quality(rows: list[dict], misses: bool) -> None:
    q = quality(rows)
    print(f"evaluation set: {len(rows)} complaints ({q['train']} train, {q['test']} held out), {DATA.name}")
    for name in ("rules", "model"):
        t1, t3, d = q[name]
        print(f"  {name:6} category top-1 {t1:.1%}  top-3 {t3:.1%}  department {d:.1%}")
    print(f"  classifier fit: {q['fit_seconds']:.1f} s")
    for split in ("pairs_train", "pairs_test"):
        p = q[split]
        print(f"  same-issue, {split[6:]} pairs: {p['pairs']} candidate pairs, {p['gold']} same-issue")
        for th, (prec, rec, tp, fp, fn) in p["by_threshold"].items():
            mark = " <- THRESHOLD" if th == p["threshold"] else ""
            print(
                f"    threshold {th:.2f}: precision {prec:.3f} recall {rec:.3f} (tp {tp}, fp {fp}, fn {fn}){mark}"
            )
    if misses:
        for gold, got, text in q["misses"]:
            print(f"    miss: {gold} -> {got}: {text}")


if __name__ == "__main__":
    main()
