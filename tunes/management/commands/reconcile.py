from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from astria_portal import locks
from prompts import tasks as prompt_tasks
from prompts.models import Prompt
from tunes import tasks as tune_tasks
from tunes.models import Tune


class Command(BaseCommand):
    help = (
        "Poll Astria now for tunes and prompts whose callback is overdue, and queue the "
        "submissions, deletions and downloads that are due (the schedules do the same "
        "every minute)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--all",
            action="store_true",
            dest="poll_all",
            help="Poll every tune and prompt in flight, not only the overdue ones.",
        )

    def handle(self, *args, poll_all=False, **options):
        if poll_all:
            now = timezone.now()
            Tune.objects.filter(status__in=Tune.IN_FLIGHT).update(next_check_at=now)
            Prompt.objects.filter(status__in=Prompt.IN_FLIGHT).update(next_check_at=now)
        self.stdout.write(f"Tunes polled: {_until_done(tune_tasks.reconcile_tunes)}")
        self.stdout.write(f"Prompts polled: {_until_done(prompt_tasks.reconcile_prompts)}")
        tunes = tune_tasks.sweep_tunes()
        prompts = prompt_tasks.sweep_prompts()
        self.stdout.write(
            f"Submissions queued: {tunes} tunes, {prompts} prompts "
            "(due deletions and downloads are queued too)"
        )


def _until_done(reconcile):
    """Run a reconciler batch by batch; each batch moves what it polled out of the way."""
    total = 0
    while True:
        polled = reconcile()
        if polled == locks.SKIPPED:
            return f"{total}, then left to the scheduled run that is polling now"
        total += polled
        if polled < settings.RECONCILE_BATCH:
            return total
