from django.core.management.base import BaseCommand

from docket.demo.organisation import DEMO_LOGINS, DEMO_PASSWORD


class Command(BaseCommand):
    help = "Print the demo accounts (all with the same password)."

    def handle(self, *args, **options):
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for username, role, scope in DEMO_LOGINS:
            self.stdout.write(f"  {username:<16} {role} · {scope}")
