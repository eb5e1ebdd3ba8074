from django.core.management.base import BaseCommand, CommandError

from astria_portal import locks
from tunes.purge import purge


class Command(BaseCommand):
    help = (
        "Delete every tune past its retention, on Astria and here, with old task rows, "
        "callback receipts and expired sessions (the hourly schedule runs the same)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="List what would go; change nothing."
        )

    def handle(self, *args, dry_run=False, **options):
        with locks.exclusive("purge") as held:
            if not held:
                raise CommandError("A purge is running already (the hourly one?): try later.")
            report = purge(dry_run=dry_run)
        if dry_run:
            self.stdout.write("Dry run: nothing was changed.")
        for line in report.lines():
            self.stdout.write(line)
