"""`manage.py api_idempotency_purge`: delete Idempotency-Key records older than 24 hours."""

from django.core.management.base import BaseCommand

from docket.api.services import idempotency_purge


class Command(BaseCommand):
    help = "Delete expired Idempotency-Key records (older than 24 h)."

    def handle(self, *args, **options):
        self.stdout.write(f"deleted {idempotency_purge()} expired idempotency records")
