"""Follow objects already on Astria: refresh, reconcile, delete. Shared by tunes and prompts.

A callback only enqueues ``refresh``; ``reconcile`` polls whatever is overdue
because Astria never retries a lost callback (RELIABILITY.md §1.8); ``delete``
removes the object on Astria (gone counts as done) and then the local files.
Each works on any RemoteJob that provides ``fetch_remote(client)``,
``apply_remote(remote)``, ``find_remote(client)``, ``delete_remote(client, id)``
and ``delete_local()``.
"""

import contextlib
import logging
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from astria_portal import astria, submission

log = logging.getLogger(__name__)


def refresh(model, pk):
    """Read the object from Astria and apply what it says (a callback is only a hint)."""
    model.refresh_started(pk)
    job = model.objects.filter(pk=pk, status__in=model.IN_FLIGHT).first()
    if job is None or job.remote_id is None:
        return "nothing to refresh"
    try:
        remote = job.fetch_remote(astria.get_client())
    except astria.NotFound:
        job.mark_gone()
        return "gone"
    except astria.AstriaError as exc:
        # The reconciler will look again later.
        log.warning("%s %s: refresh failed: %s", model.__name__, job.code, exc)
        return "error"
    job.apply_remote(remote)
    return job.status


def reconcile(model):
    """Poll in-flight objects whose callback is overdue; mark long-overdue ones stalled.

    Also let callbacks enqueue again for objects whose waiting refresh was lost.
    """
    now = timezone.now()
    model.lost_refreshes(now)
    due = model.objects.filter(status__in=model.IN_FLIGHT, next_check_at__lte=now)
    jobs = list(due.order_by("next_check_at")[: settings.RECONCILE_BATCH])
    client = astria.get_client()
    for position, job in enumerate(jobs):
        try:
            remote = job.fetch_remote(client)
        except astria.NotFound:
            job.mark_gone()
            continue
        except astria.RetryLater as exc:
            # Rate limited or down: leave this one and the rest of the batch for later.
            wait = timedelta(seconds=max(exc.retry_after or 0, 60))
            model.objects.filter(pk__in=[j.pk for j in jobs[position:]]).update(
                next_check_at=now + wait
            )
            log.warning("Reconciler paused for %s: %s", wait, exc)
            break
        except astria.AstriaError as exc:
            log.warning("%s %s: reconcile failed: %s", model.__name__, job.code, exc)
            _check_later(job, now)
            continue
        job.apply_remote(remote)
        if job.status in model.IN_FLIGHT:
            _check_later(job, now)
    return len(jobs)


def _check_later(job, now):
    """Back off: 2x the previous wait, capped. Far past the expected end a job is shown
    as overdue; past the give-up time it fails, since Astria may never say it failed."""
    late = now - job.expected_end()
    if late > timedelta(seconds=job.give_up_after()):
        log.error("%s %s: no result from Astria %s after the expected end; giving up",
                  type(job).__name__, job.code, late)  # fmt: skip
        job.give_up()
        return
    wait = min(settings.CALLBACK_GRACE * 2 ** (job.checks + 1), settings.RECONCILE_MAX_WAIT)
    type(job).objects.filter(pk=job.pk).update(
        next_check_at=now + timedelta(seconds=wait), checks=job.checks + 1
    )
    if late > timedelta(seconds=settings.STALL_AFTER) and not job.mark_stalled():
        log.error("%s %s is still unfinished on Astria", type(job).__name__, job.code)


def delete(model, pk):
    """Delete the object on Astria (gone already counts as done), then locally."""
    now = timezone.now()
    job = model.objects.filter(pk=pk, status=model.DELETING, next_attempt_at__lte=now).first()
    if job is None:
        return "nothing to delete"
    # Claim it with a lease, as a submission is claimed: the sweep, a purge run and a
    # queued task may all reach for the same row, and one DELETE is enough.
    claimed = model.objects.filter(
        pk=pk, status=model.DELETING, next_attempt_at=job.next_attempt_at
    ).update(next_attempt_at=now + timedelta(seconds=settings.SUBMIT_LEASE))
    if not claimed:
        return "nothing to delete"
    client = astria.get_client()
    try:
        remote_id = job.remote_id
        if remote_id is None and job.posted_at is not None:
            # Deleted while being submitted: Astria may have it without us knowing its id.
            remote = job.find_remote(client)
            remote_id = remote.id if remote else None
        if remote_id:
            with contextlib.suppress(astria.NotFound):
                job.delete_remote(client, remote_id)
    except astria.AstriaError as exc:
        log.warning("%s %s: remote delete failed, will retry: %s", model.__name__, job.code, exc)
        model.objects.filter(pk=job.pk).update(
            next_attempt_at=timezone.now() + timedelta(seconds=submission.backoff(1))
        )
        return "retry"
    job.delete_local()
    return "deleted"
