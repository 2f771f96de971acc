"""Rebuild the statistics' daily summary (reports/figures.py).

    manage.py stats_rebuild                              # what changed since the last run (the job's step)
    manage.py stats_rebuild --from 2026-01-01 --to 2026-03-31 [--office ID ...]
    manage.py stats_rebuild --full                       # every day from the complaints

Idempotent: a day is deleted and written again from its complaints in one transaction. After a change
that bypasses the action frames (a data migration, a category moved under another parent), rebuild the
days it touched, or everything. A build of every day ends with `VACUUM (ANALYZE)` of the summary's
tables on PostgreSQL (`figures.reclaim`).
"""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from docket.reports import figures
from docket.reports.models import FigureState


class Command(BaseCommand):
    help = "Rebuild the statistics' daily summary (all, a date range, or what changed since the last run)."

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="date_from", type=date.fromisoformat)
        parser.add_argument("--to", dest="date_to", type=date.fromisoformat)
        parser.add_argument("--office", dest="offices", type=int, action="append")
        parser.add_argument("--full", action="store_true", help="rebuild every day")

    def handle(self, *args, date_from=None, date_to=None, offices=None, full=False, **options):
        if (date_from is None) != (date_to is None):
            raise CommandError("give both --from and --to")
        if date_from is not None and date_to is not None and not full:
            if date_from > date_to:
                raise CommandError("--from is after --to")
            if not FigureState.objects.filter(pk=1).exists():
                # Until a first full build the pages read the complaints; a partial build must not end that.
                self.stdout.write("no summary yet: building every day")
            else:
                rows = figures.rebuild_range(date_from, date_to, office_ids=offices)
                self.stdout.write(f"rebuilt {date_from} – {date_to}: {rows} rows")
                return
        done = figures.refresh(full=full)
        what = "every day" if done.full else f"{done.pairs} office-days changed since the last run"
        self.stdout.write(f"rebuilt {what}: {done.rows} rows")
        if done.full and figures.reclaim():
            self.stdout.write("summary tables vacuumed and analysed")
