"""Background work for prompts. Every task takes a primary key and is safe to run twice."""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db.models import F
from django.utils import timezone

from astria_portal import locks, submission, tracking
from astria_portal.astria import media
from astria_portal.callbacks import callback_url
from prompts.models import GeneratedImage, Prompt
from prompts.pictures import PictureError, inspect
from tunes.models import Tune

log = logging.getLogger(__name__)

# How often a prompt whose tune is not on Astria yet looks again.
TUNE_WAIT = 30
DOWNLOAD_LEASE = timedelta(minutes=3)
TUNE_GONE = (Tune.Status.FAILED, Tune.Status.DELETING, Tune.Status.EXPIRED, Tune.Status.DELETED)


def submit_prompt(prompt_id):
    prompt = Prompt.objects.select_related("tune").filter(pk=prompt_id).first()
    if prompt is None or prompt.status not in Prompt.SUBMIT_STATUSES:
        return "not due"
    # fix_target() is False when the tune has no remote id yet, when another run
    # fixed the target first, or when it refused the text (and failed the prompt).
    fixed_elsewhere = Prompt.objects.filter(pk=prompt_id).exclude(sent_text="")
    fixed = prompt.fix_target() or fixed_elsewhere.exists()
    if prompt.status == Prompt.Status.FAILED:
        return "refused"
    if not fixed:
        if prompt.tune.status in TUNE_GONE:
            prompt.mark_failed(f"The fine-tune is {prompt.tune.get_status_display().lower()}.")
            return "failed"
        prompt.wait_for_tune(TUNE_WAIT)
        return "waiting for the tune"
    return submission.submit(Prompt, prompt_id, create=_create, find_existing=_find_by_callback)


def _create(client, prompt):
    return client.create_prompt(
        prompt.remote_tune_id, callback=callback_url("prompt", prompt), **prompt.astria_fields()
    )


def _find_by_callback(client, prompt):
    remote = prompt.find_remote(client)
    if remote is not None:
        log.info("Prompt %s: adopting remote prompt %s found by callback", prompt.code, remote.id)
    return remote


@locks.one_at_a_time("sweep prompts")
def sweep_prompts():
    """Re-run submissions, deletions and downloads that are due."""
    deleting = Prompt.objects.filter(status=Prompt.Status.DELETING)
    submission.enqueue_due(deleting, "prompts.tasks.delete_prompt")
    downloads = GeneratedImage.objects.filter(file="")
    submission.enqueue_due(downloads, "prompts.tasks.download_image")
    submitting = Prompt.objects.filter(status__in=Prompt.SUBMIT_STATUSES)
    return submission.enqueue_due(submitting, "prompts.tasks.submit_prompt")


def refresh_prompt(prompt_id):
    return tracking.refresh(Prompt, prompt_id)


@locks.one_at_a_time("reconcile prompts")
def reconcile_prompts():
    return tracking.reconcile(Prompt)


def delete_prompt(prompt_id):
    return tracking.delete(Prompt, prompt_id)


def download_image(image_id):
    """Fetch one generated image from Astria's media host and keep a private copy."""
    now = timezone.now()
    due = GeneratedImage.objects.filter(file="", next_attempt_at__lte=now)
    image = due.select_related("prompt").filter(pk=image_id).first()
    if image is None:
        return "not due"
    # Only the row as read may be claimed: a second delivery of the task finds it changed.
    as_read = due.filter(
        pk=image.pk, attempts=image.attempts, next_attempt_at=image.next_attempt_at
    )
    if image.attempts >= settings.IMAGE_DOWNLOAD_ATTEMPTS:
        # Every attempt was claimed and the last one never reported back.
        return _give_up_unfinished(image, as_read)
    # The attempt counts when it is claimed: a run killed mid-download (the task
    # timeout, a dead worker) records nothing, and only its lease runs out.
    if not as_read.update(attempts=F("attempts") + 1, next_attempt_at=now + DOWNLOAD_LEASE):
        return "not due"
    image.attempts += 1
    try:
        content, _ = media.download(
            image.remote_url,
            hosts=settings.ASTRIA_MEDIA_HOSTS,
            max_bytes=settings.IMAGE_MAX_BYTES,
            timeout=settings.IMAGE_DOWNLOAD_TIMEOUT,
        )
        picture = inspect(content)
    except (media.DownloadRefused, PictureError) as exc:
        log.warning("Image %s: download refused: %s", image.code, exc)
        _give_up(image, str(exc))
        return "refused"
    except media.DownloadFailed as exc:
        return _retry(image, str(exc))
    extension = picture.content_type.split("/")[1].replace("jpeg", "jpg")
    image.file.save(f"image.{extension}", ContentFile(content), save=False)
    image.thumbnail.save("thumb.jpg", ContentFile(picture.thumbnail), save=False)
    GeneratedImage.objects.filter(pk=image.pk).update(
        file=image.file.name,
        thumbnail=image.thumbnail.name,
        content_type=picture.content_type,
        size=len(content),
        width=picture.width,
        height=picture.height,
        next_attempt_at=None,
        last_error="",
        downloaded_at=timezone.now(),
    )
    return "stored"


def _give_up_unfinished(image, as_read):
    message = (
        f"Gave up after {image.attempts} attempts: the last one did not finish "
        "(it was stopped mid-download)."
    )
    if image.last_error:
        message += f" Before that: {image.last_error}"
    if not as_read.update(next_attempt_at=None, last_error=message[:2000]):
        return "not due"
    log.error("Image %s: %s", image.code, message)
    return "gave up"


def _retry(image, message):
    attempt = image.attempts
    if attempt >= settings.IMAGE_DOWNLOAD_ATTEMPTS:
        log.error("Image %s: giving up after %d attempts: %s", image.code, attempt, message)
        _give_up(image, f"Gave up after {attempt} attempts: {message}")
        return "gave up"
    delay = submission.backoff(attempt)
    GeneratedImage.objects.filter(pk=image.pk).update(
        last_error=message[:2000],
        next_attempt_at=timezone.now() + timedelta(seconds=delay),
    )
    log.info("Image %s: attempt %d failed (%s), next in %.0f s",
             image.code, attempt, message, delay)  # fmt: skip
    return "retry"


def _give_up(image, message):
    # The remote URL stays: staff can retry it from the admin while Astria keeps the file.
    GeneratedImage.objects.filter(pk=image.pk).update(
        last_error=message[:2000], next_attempt_at=None
    )
