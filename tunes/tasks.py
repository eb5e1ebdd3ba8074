"""Background work for tunes. Every task takes a primary key and is safe to run twice."""

import logging
from datetime import timedelta
from itertools import islice

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import timezone

from astria_portal import astria, submission
from astria_portal.callbacks import callback_url
from tunes.models import Tune

log = logging.getLogger(__name__)

# How far back the newest tunes are searched for a title after an ambiguous create.
LOOKUP_DEPTH = 200


def submit_tune(tune_id):
    return submission.submit(Tune, tune_id, create=_create, find_existing=_find_by_title)


def _create(client, tune):
    images = []
    for photo in tune.photos.all():
        with photo.file.open("rb") as f:
            images.append((f"{photo.position + 1:02d}.jpg", f.read(), "image/jpeg"))
    return client.create_tune(
        images=images, callback=callback_url("tune", tune), **tune.astria_fields()
    )


def _find_by_title(client, tune):
    title = str(tune.title)
    for remote in islice(client.iter_tunes(page_size=100), LOOKUP_DEPTH):
        if remote.title == title:
            log.info("Tune %s: adopting remote tune %s found by title", tune.code, remote.id)
            return remote
    return None


def sweep_tunes():
    """Re-run submissions and deletions that are due: retries, lost tasks, dead workers."""
    deleting = Tune.objects.filter(status=Tune.Status.DELETING)
    submitting = Tune.objects.filter(status__in=Tune.SUBMIT_STATUSES)
    submission.enqueue_due(deleting, "tunes.tasks.delete_tune")
    return submission.enqueue_due(submitting, "tunes.tasks.submit_tune")


def refresh_tune(tune_id):
    """Read the tune from Astria and apply what it says (a callback is only a hint)."""
    tune = Tune.objects.filter(pk=tune_id, status__in=Tune.IN_FLIGHT).first()
    if tune is None or tune.remote_id is None:
        return "nothing to refresh"
    try:
        remote = astria.get_client().get_tune(tune.remote_id)
    except astria.NotFound:
        tune.mark_gone()
        return "gone"
    except astria.AstriaError as exc:
        # The reconciler will look again later.
        log.warning("Tune %s: refresh failed: %s", tune.code, exc)
        return "error"
    tune.apply_remote(remote)
    return tune.status


def reconcile_tunes():
    """Poll in-flight tunes whose callback is overdue; mark long-overdue ones stalled."""
    now = timezone.now()
    due = Tune.objects.filter(status__in=Tune.IN_FLIGHT, next_check_at__lte=now)
    tunes = list(due.order_by("next_check_at")[: settings.RECONCILE_BATCH])
    client = astria.get_client()
    for position, tune in enumerate(tunes):
        try:
            remote = client.get_tune(tune.remote_id)
        except astria.NotFound:
            tune.mark_gone()
            continue
        except astria.RetryLater as exc:
            # Rate limited or down: leave this tune and the rest of the batch for later.
            wait = timedelta(seconds=max(exc.retry_after or 0, 60))
            Tune.objects.filter(pk__in=[t.pk for t in tunes[position:]]).update(
                next_check_at=now + wait
            )
            log.warning("Reconciler paused for %s: %s", wait, exc)
            break
        except astria.AstriaError as exc:
            log.warning("Tune %s: reconcile failed: %s", tune.code, exc)
            _check_later(tune, now)
            continue
        if not tune.apply_remote(remote):
            _check_later(tune, now)
    return len(tunes)


def _check_later(tune, now):
    """Back off: 2x the previous wait, capped; stalled once far past the ETA."""
    wait = min(settings.CALLBACK_GRACE * 2 ** (tune.checks + 1), settings.RECONCILE_MAX_WAIT)
    Tune.objects.filter(pk=tune.pk).update(
        next_check_at=now + timedelta(seconds=wait), checks=tune.checks + 1
    )
    expected = tune.eta or tune.submitted_at or tune.created_at
    if now - expected > timedelta(seconds=settings.STALL_AFTER):
        tune.mark_stalled()


def notify_owner(tune_id):
    tune = Tune.objects.select_related("owner").get(pk=tune_id)
    if not tune.owner.email:
        return "no address"
    ctx = {"tune": tune, "url": f"{settings.PUBLIC_BASE_URL}{tune.get_absolute_url()}"}
    subject = f"Your fine-tune “{tune.name}” is {tune.get_status_display().lower()}"
    send_mail(subject, render_to_string("tunes/email_status.txt", ctx), None, [tune.owner.email])
    return "sent"


def delete_tune(tune_id):
    """Delete the tune on Astria (gone already counts as done), then its local files."""
    tune = Tune.objects.filter(
        pk=tune_id, status=Tune.Status.DELETING, next_attempt_at__lte=timezone.now()
    ).first()
    if tune is None:
        return "nothing to delete"
    client = astria.get_client()
    remote_id = tune.remote_id
    if remote_id is None and tune.posted_at is not None:
        # Deleted while being submitted: Astria may have it without us knowing its id.
        remote = _find_by_title(client, tune)
        remote_id = remote.id if remote else None
    if remote_id:
        try:
            client.delete_tune(remote_id)
        except astria.NotFound:
            pass
        except astria.AstriaError as exc:
            log.warning("Tune %s: remote delete failed, will retry: %s", tune.code, exc)
            Tune.objects.filter(pk=tune.pk).update(
                next_attempt_at=timezone.now() + timedelta(seconds=submission.backoff(1))
            )
            return "retry"
    tune.delete_files()
    Tune.objects.filter(pk=tune.pk).update(status=Tune.Status.DELETED, next_attempt_at=None)
    return "deleted"
