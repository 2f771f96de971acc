from django.core.management.base import BaseCommand, CommandError

from docket.accounts.login_guard import login_unlock


class Command(BaseCommand):
    help = "Lift a sign-in lockout before its window ends: by user name and/or client address."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="")
        parser.add_argument("--address", default="", help="the client address as Docket sees it")

    def handle(self, *args, username="", address="", **options):
        if not (username or address):
            raise CommandError("give --username and/or --address")
        login_unlock(username=username, address=address)
        self.stdout.write("unlocked")
