from django.core.management.base import BaseCommand, CommandError

from docket.complaints.backup import BackupError, backup_verify


class Command(BaseCommand):
    help = (
        "Restore a backup (SQLite file, or pg_dump -Fc file on PostgreSQL) into a scratch database, verify "
        "every complaint's hash chain in it and compare the main tables' counts with the live database "
        "(docs/operations.md)."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="the backup: a SQLite database file, or a pg_dump -Fc file")
        parser.add_argument("--media", default=None, help="the copy of MEDIA_ROOT taken with the backup")
        parser.add_argument("--keep", action="store_true", help="leave the scratch database for inspection")

    def handle(self, *args, path, media=None, keep=False, **options):
        try:
            report = backup_verify(path, media=media, keep=keep)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        if report.migrated:
            self.stdout.write(f"migrated the restored copy: {', '.join(report.migrated)}")
        self.stdout.write(f"{'table':<12} {'backup':>10} {'live':>10}")
        for name, (backup, live) in report.counts.items():
            self.stdout.write(f"{name:<12} {backup:>10} {live:>10}")
        for problem in report.broken:
            self.stderr.write(
                f"BROKEN {problem.receipt_no} (id {problem.complaint_id}): event #{problem.seq}: {problem.reason}"
            )
        for problem in report.problems:
            self.stderr.write(f"PROBLEM {problem}")
        self.stdout.write(
            f"checked {report.complaints_checked} complaints, {len(report.broken)} broken"
            + (f"; scratch database kept: {report.scratch}" if keep else "")
        )
        if not report.ok:
            raise CommandError("the backup fails verification")
        self.stdout.write("backup OK")
