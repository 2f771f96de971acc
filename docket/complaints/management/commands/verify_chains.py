from django.core.management.base import BaseCommand, CommandError

from docket.complaints.chain import chains_verify_all


class Command(BaseCommand):
    help = "Verify the hash chain of every complaint's record; name the first broken link of each (R-ANA-6)."

    def add_arguments(self, parser):
        parser.add_argument("--company", type=int, default=None, help="only this company id")

    def handle(self, *args, company=None, **options):
        checked = broken = 0
        for _id, problem in chains_verify_all(company_id=company):
            checked += 1
            if problem is not None:
                broken += 1
                self.stderr.write(
                    f"BROKEN {problem.receipt_no} (id {problem.complaint_id}): event #{problem.seq}: {problem.reason}"
                )
        self.stdout.write(f"checked {checked} complaints, {broken} broken")
        if broken:
            raise CommandError(f"{broken} complaint record(s) fail verification")
