from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from docket.complaints.services.obligations import deadlines_recompute_provisional
from docket.core.errors import DomainError
from docket.sla.services import holidays_import


class Command(BaseCommand):
    help = (
        "Load a year's holidays and adjusted working days from a notice file (format: docket/sla/holidays/"
        "2027.txt), then recompute the provisional deadlines that reach that year."
    )

    def add_arguments(self, parser):
        parser.add_argument("path")

    def handle(self, *args, path, **options):
        p = Path(path)
        if not p.exists():
            raise CommandError(f"no such file: {p}")
        try:
            result = holidays_import(text=p.read_text(encoding="utf-8"), source=p.name)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        changed = deadlines_recompute_provisional()
        status = "complete" if result.complete else "partial (the year stays provisional)"
        self.stdout.write(
            f"{result.year}: {result.days} dates loaded, {status}; {changed} deadline(s) recomputed"
        )
