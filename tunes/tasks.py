"""Background work for tunes. Every task takes a primary key and is safe to run twice."""

import logging

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone

from astria_portal import locks, notices, submission, tracking
from astria_portal.callbacks import callback_url, pack_callback_url
from tunes import purge
from tunes.models import Tune

log = logging.getLogger(__name__)


def submit_tune(tune_id):
    return submission.submit(Tune, tune_id, create=_create, find_existing=_find_by_title)


def _create(client, tune):
    images = []
    for photo in tune.photos.all():
        with photo.file.open("rb") as f:
            images.append((f"{photo.position + 1:02d}.jpg", f.read(), "image/jpeg"))
    if tune.pack_remote_id:
        # The pack brings base model, model type, preset and prompts (ASTRIA_API.md §3.3).
        return client.create_pack_tune(
            tune.pack_remote_id,
            title=str(tune.title),
            name=tune.class_name,
            images=images,
            callback=callback_url("tune", tune),
            prompt_callback=pack_callback_url(tune),
            prompts_callback=pack_callback_url(tune),
            branch="fast" if tune.test_mode else None,
            characteristics=tune.characteristics or None,
        )
    return client.create_tune(
        images=images, callback=callback_url("tune", tune), **tune.astria_fields()
    )


def _find_by_title(client, tune):
    remote = tune.find_remote(client)
    if remote is not None:
        log.info("Tune %s: adopting remote tune %s found by title", tune.code, remote.id)
    return remote


@locks.one_at_a_time("sweep tunes")
def sweep_tunes():
    """Re-run submissions and deletions that are due: retries, lost tasks, dead workers."""
    deleting = Tune.objects.filter(status=Tune.Status.DELETING)
    submitting = Tune.objects.filter(status__in=Tune.SUBMIT_STATUSES)
    submission.enqueue_due(deleting, "tunes.tasks.delete_tune")
    return submission.enqueue_due(submitting, "tunes.tasks.submit_tune")


def refresh_tune(tune_id):
    """Read the tune from Astria and apply what it says (a callback is only a hint)."""
    return tracking.refresh(Tune, tune_id)


@locks.one_at_a_time("reconcile tunes")
def reconcile_tunes():
    """Poll in-flight tunes whose callback is overdue; mark long-overdue ones stalled."""
    return tracking.reconcile(Tune)


def notify_owner(tune_id):
    tune = Tune.objects.select_related("owner").get(pk=tune_id)
    address = notices.verified_address(tune.owner)
    if not address:
        return "no verified address"
    ctx = {"tune": tune, "url": f"{settings.PUBLIC_BASE_URL}{tune.get_absolute_url()}"}
    subject = f"Your fine-tune “{tune.name}” is {tune.get_status_display().lower()}"
    body = render_to_string("tunes/email_status.txt", ctx)
    return notices.send_once(f"tune {tune.status}", tune.code, subject, body, [address])


def delete_tune(tune_id):
    """Delete the tune on Astria (gone already counts as done), then its local files."""
    return tracking.delete(Tune, tune_id)


@locks.one_at_a_time("purge")
def purge_expired():
    """Delete every tune past its retention, on Astria and here, and old task rows."""
    return str(purge.purge())


@locks.one_at_a_time("warn expiring")
def warn_expiring():
    """E-mail owners, once, a few days before their tune's data is deleted."""
    return purge.warn_expiring()


def send_retention_warning(tune_id):
    tune = Tune.objects.select_related("owner").get(pk=tune_id)
    address = notices.verified_address(tune.owner)
    if not address:
        return "no verified address"
    ctx = {
        "tune": tune,
        "ends_at": tune.retention_ends_at,
        "url": f"{settings.PUBLIC_BASE_URL}{tune.get_absolute_url()}",
        "download_url": settings.PUBLIC_BASE_URL + reverse("prompts:tune_zip", args=[tune.code]),
    }
    day = formats.date_format(timezone.localtime(tune.retention_ends_at), "j F")
    subject = f"Your fine-tune “{tune.name}” will be deleted on {day}"
    body = render_to_string("tunes/email_retention.txt", ctx)
    return notices.send_once("retention warning", tune.code, subject, body, [address])
