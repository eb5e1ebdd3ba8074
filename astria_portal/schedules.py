"""The periodic jobs, installed (and kept up to date) after every migrate."""

from django.utils import timezone

SCHEDULES = [
    # (name, function, minutes between runs)
    ("Worker heartbeat", "astria_portal.tasks.heartbeat", 1),
    ("Submit due tunes", "tunes.tasks.sweep_tunes", 1),
    ("Reconcile tunes", "tunes.tasks.reconcile_tunes", 1),
    ("Submit due prompts and downloads", "prompts.tasks.sweep_prompts", 1),
    ("Reconcile prompts", "prompts.tasks.reconcile_prompts", 1),
    ("Find the prompts of pack runs", "packs.tasks.reconcile_packs", 1),
    ("Warn owners before deletion", "tunes.tasks.warn_expiring", 60),
    ("Purge data past its retention", "tunes.tasks.purge_expired", 60),
    ("Finish account deletions", "accounts.tasks.sweep_deletions", 1),
    ("Delete expired data exports", "accounts.tasks.purge_exports", 60),
    ("Reconcile Stripe payments", "billing.tasks.reconcile_payments", 5),
    ("Compact the record of page changes", "pages.tasks.compact", 10),
]


def install_schedules(**kwargs):
    from django_q.models import Schedule

    for name, func, minutes in SCHEDULES:
        Schedule.objects.update_or_create(
            name=name,
            defaults={
                "func": func,
                "schedule_type": Schedule.MINUTES,
                "minutes": minutes,
                "repeats": -1,
            },
            create_defaults={
                "func": func,
                "schedule_type": Schedule.MINUTES,
                "minutes": minutes,
                "repeats": -1,
                "next_run": timezone.now(),
            },
        )
