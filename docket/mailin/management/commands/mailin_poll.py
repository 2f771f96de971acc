"""Read the complaint mailboxes once (what the periodic job does every minute)."""

from django.core.management.base import BaseCommand, CommandError

from docket.mailin.models import Mailbox
from docket.mailin.services import poll_mailbox


class Command(BaseCommand):
    help = "Read the active complaint mailboxes once (or the ones named) and file what arrived."

    def add_arguments(self, parser):
        parser.add_argument(
            "--mailbox",
            action="append",
            default=[],
            help="name or id of a mailbox (repeatable; inactive ones too when named)",
        )

    def handle(self, *args, mailbox, **options):
        boxes = Mailbox.objects.select_related("office").order_by("pk")
        if mailbox:
            ids = [int(m) for m in mailbox if m.isdigit()]
            names = [m for m in mailbox if not m.isdigit()]
            boxes = [b for b in boxes if b.pk in ids or b.name in names]
            if len(boxes) < len(mailbox):
                raise CommandError(f"unknown mailbox among {mailbox}")
        else:
            boxes = list(boxes.filter(active=True))
        failed = 0
        for box in boxes:
            result = poll_mailbox(box)
            failed += bool(result.error)
            self.stdout.write(f"{box.name}: {result}")
        if failed:
            raise CommandError(f"{failed} mailbox(es) failed; see last_error")
