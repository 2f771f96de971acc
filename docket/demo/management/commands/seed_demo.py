"""`manage.py seed_demo [--complaints N] [--seed S]`: load the demo data (docket/demo)."""

from django.core.management.base import BaseCommand, CommandError

from docket.complaints.models import State
from docket.demo import organisation, runner


class Command(BaseCommand):
    help = "Load the demo organisation, one login per role and a few hundred complaints (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--complaints",
            type=int,
            default=runner.DEFAULT_COMPLAINTS,
            help=f"how many complaints to create (default {runner.DEFAULT_COMPLAINTS})",
        )
        parser.add_argument(
            "--seed", type=int, default=runner.DEFAULT_SEED, help="random seed (deterministic content)"
        )

    def handle(self, *args, complaints, seed, verbosity=1, **options):
        log = self.stdout.write if verbosity >= 2 else None
        try:
            result = runner.seed_demo(complaints=complaints, seed=seed, log=log)
        except runner.DemoConflict as exc:
            raise CommandError(str(exc)) from exc
        if not result.created:
            self.stdout.write(result.message)
        elif verbosity >= 1:
            self.stdout.write(
                self.style.SUCCESS(
                    f"{result.message} {result.events} 条处理记录，{result.users} 个账号，用时 {result.seconds:.1f} 秒（CPU {result.cpu_seconds:.1f} 秒）。"
                )
            )
            self.stdout.write("  " + "  ".join(f"{State(k).label} {v}" for k, v in result.by_state.items()))
        if verbosity >= 1:
            self.stdout.write(f"\n演示账号（密码均为 {organisation.DEMO_PASSWORD}）：")
            width = max(len(u) for u, _r, _s in organisation.DEMO_LOGINS)
            for username, role, scope in organisation.DEMO_LOGINS:
                self.stdout.write(f"  {username:<{width}}  {role} · {scope}")
            self.stdout.write(
                "  其他管理处/公司同岗位账号：" + ", ".join(u for u, _r, _s in organisation.DEMO_MORE_LOGINS)
            )
