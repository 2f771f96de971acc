import sys

from django.core.management.base import BaseCommand, CommandError

from docket.complaints.chain import chain_export_lines
from docket.complaints.models import Complaint


class Command(BaseCommand):
    help = (
        "Export complaints' hash-chained records as JSON Lines (one event a line) for an outsider to verify "
        "without Docket (docs/verify.md). Give receipt numbers, or --company."
    )

    def add_arguments(self, parser):
        parser.add_argument("receipt_no", nargs="*", help="receipt numbers")
        parser.add_argument("--company", type=int, default=None, help="every complaint of this company id")
        parser.add_argument("--output", default="-", help="file to write (default: standard output)")

    def handle(self, *args, receipt_no=(), company=None, output="-", **options):
        qs = Complaint.objects.order_by("id")
        if receipt_no:
            qs = qs.filter(receipt_no__in=receipt_no)
            found = set(qs.values_list("receipt_no", flat=True))
            missing = sorted(set(receipt_no) - found)
            if missing:
                raise CommandError(f"no such receipt: {', '.join(missing)}")
        elif company is not None:
            qs = qs.filter(company_id=company)
        else:
            raise CommandError("give receipt numbers or --company")
        ids = qs.values_list("id", flat=True).iterator(chunk_size=2000)
        out = sys.stdout if output == "-" else open(output, "w", encoding="utf-8")  # noqa: SIM115
        try:
            n = 0
            for line in chain_export_lines(ids):
                out.write(line + "\n")
                n += 1
        finally:
            if out is not sys.stdout:
                out.close()
        self.stderr.write(f"exported {n} events")
