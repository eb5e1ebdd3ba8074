"""The retention purge (RELIABILITY.md R34, R35) and the warning before it.

Run hourly. Every tune past its retention is deleted on the path a user's
deletion takes (Tune.mark_deleting, tracking.delete): on Astria first, where a
404 counts as done, then every local file and row, leaving a DeletionRecord, and
it ends "expired". A tune whose remote DELETE fails stays "deleting" and the next
run (or the sweep) tries again; a finished tune is never touched twice. Old task
rows (they hold task arguments), old callback receipts, expired sessions, and old
throttle counts and failed logins go too.
"""

import logging
import time
from dataclasses import dataclass, field
from datetime import timedelta
from importlib import import_module

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_q.models import Task
from django_q.tasks import async_task

from astria_portal import astria, throttle, tracking
from astria_portal.models import CallbackReceipt
from prompts.models import GeneratedImage
from tunes import retention
from tunes.models import DeletionReason, Tune

log = logging.getLogger(__name__)


@dataclass
class PurgeReport:
    dry_run: bool = False
    due: list = field(default_factory=list)  # tunes past their retention
    deleted: list = field(default_factory=list)  # codes deleted in this run
    waiting: list = field(default_factory=list)  # codes left for the next run
    extended: list = field(default_factory=list)  # codes Astria still keeps (auto_extend)
    tasks: int = 0
    receipts: int = 0

    def __str__(self):
        if self.dry_run:
            return f"dry run: {len(self.due)} tunes past their retention"
        return (
            f"{len(self.deleted)} deleted, {len(self.waiting)} left for the next run, "
            f"{len(self.extended)} extended, {self.tasks} task rows, {self.receipts} receipts"
        )

    def lines(self):
        """What the run did (or, in a dry run, would do), for an operator."""
        would = "would be " if self.dry_run else ""
        out = [f"Tunes past their retention: {len(self.due)}"]
        for tune in self.due:
            photos = tune.photos.count()
            prompts = tune.prompts.count()
            images = GeneratedImage.objects.filter(prompt__tune=tune).count()
            remote = f"Astria #{tune.remote_id}" if tune.remote_id else "not on Astria"
            note = " (storage extended: kept while Astria keeps it)" if tune.auto_extend else ""
            out.append(
                f"  {tune.code} {remote}, ended {tune.retention_ends_at:%Y-%m-%d %H:%M}: "
                f"{photos} photos, {prompts} prompts, {images} images{note}"
            )
        if not self.dry_run:
            out.append(f"Deleted: {len(self.deleted)}")
            out.extend(f"  {code}" for code in self.deleted)
            out.append(f"Left for the next run (Astria error or in progress): {len(self.waiting)}")
            out.extend(f"  {code}" for code in self.waiting)
            out.append(f"Kept, storage extended on Astria: {len(self.extended)}")
            out.extend(f"  {code}" for code in self.extended)
        out.append(f"Finished task rows older than {settings.TASK_HISTORY_DAYS} days "
                   f"{would}removed: {self.tasks}")  # fmt: skip
        out.append(f"Callback receipts older than {settings.RETENTION_DAYS} days "
                   f"{would}removed: {self.receipts}")  # fmt: skip
        return out


def purge(dry_run=False):
    """Delete what is past its retention; see the module docstring."""
    started = time.monotonic()
    now = timezone.now()
    report = PurgeReport(dry_run=dry_run)
    report.due = list(retention.due(now).order_by("pk"))
    old_tasks = Task.objects.filter(stopped__lt=now - timedelta(days=settings.TASK_HISTORY_DAYS))
    old_receipts = CallbackReceipt.objects.filter(last_received_at__lt=now - retention.period())
    if dry_run:
        report.tasks = old_tasks.count()
        report.receipts = old_receipts.count()
        return report

    for tune in report.due:
        if tune.auto_extend and not _storage_ended(tune, report):
            continue
        tune.mark_deleting(reason=DeletionReason.RETENTION, enqueue=False)

    # Also those an earlier run left behind, once their retry is due.
    deleting = Tune.objects.filter(
        status=Tune.Status.DELETING,
        deletion_reason=DeletionReason.RETENTION,
        next_attempt_at__lte=timezone.now(),
    )
    for pk, code in deleting.order_by("next_attempt_at").values_list("pk", "code"):
        if time.monotonic() - started > settings.PURGE_TIME_BUDGET:
            break
        if tracking.delete(Tune, pk) == "deleted":
            report.deleted.append(code)
    report.waiting += Tune.objects.filter(
        status=Tune.Status.DELETING, deletion_reason=DeletionReason.RETENTION
    ).values_list("code", flat=True)

    report.tasks, _ = old_tasks.delete()
    report.receipts, _ = old_receipts.delete()
    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()
    throttle.forget_old(now)
    log.info("Retention purge: %s", report)
    return report


def _storage_ended(tune, report):
    """For a tune extended on Astria: has Astria let it go? Keeps expires_at current."""
    if tune.remote_id is None:
        return True
    try:
        remote = astria.get_client().get_tune(tune.remote_id)
    except astria.NotFound:
        return True
    except astria.AstriaError as exc:
        log.warning("Tune %s: cannot check its extended storage: %s", tune.code, exc)
        report.waiting.append(tune.code)
        return False
    tune.apply_remote(remote)
    report.extended.append(tune.code)
    return False


def warn_expiring():
    """Tell owners, once per tune, that its data will soon be deleted."""
    if not settings.RETENTION_WARNING_DAYS:
        return 0
    now = timezone.now()
    horizon = now + timedelta(days=settings.RETENTION_WARNING_DAYS)
    soon = retention.with_clock(
        Tune.objects.filter(status=Tune.Status.TRAINED, retention_warned_at__isnull=True)
    ).filter(retention.ends_within(after=now, until=horizon), auto_extend=False)
    warned = 0
    for pk in soon.values_list("pk", flat=True):
        with transaction.atomic():
            if Tune.objects.filter(pk=pk, retention_warned_at__isnull=True).update(
                retention_warned_at=now
            ):
                async_task("tunes.tasks.send_retention_warning", pk)
                warned += 1
    return warned
