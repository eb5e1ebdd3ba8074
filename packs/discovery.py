"""Find the prompts Astria made for a pack run, and adopt each once.

Astria creates a pack's prompts itself; the portal learns of them from a callback
(a hint only) or, when callbacks are lost, from this module's poll: list the
tune's prompts (``GET /tunes/:id/prompts``) and adopt every one the portal did not
post. Adoption writes a ``Prompt`` and a ``PackPrompt`` in one transaction; the
``PackPrompt`` is unique on Astria's prompt id, so two runs racing (a callback and
the reconciler) adopt a prompt once. Adopted prompts then follow the path of any
other: their state is applied, their images downloaded, a failure gives its images
back. The allowance was charged once, when the run was created.
"""

import logging
from datetime import timedelta
from itertools import islice

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from astria_portal import astria, quota
from packs.models import PackOrder, PackPrompt
from prompts.models import Prompt
from tunes.models import Tune

log = logging.getLogger(__name__)

LISTING_DEPTH = 500  # prompts of one tune read per discovery
GIVE_UP_AFTER = timedelta(hours=6)  # after the tune trained, or the run was sent
WAIT_FOR_TUNE = timedelta(minutes=1)
OPEN = (PackOrder.Status.WAITING, PackOrder.Status.RUNNING)
PROMPT_CALLBACK_PATH = "/callbacks/prompt/"  # astria_portal/urls.py, kind "prompt"


def discover(order):
    """One look at Astria for the order's prompts. Returns what happened, for the logs."""
    tune = order.tune
    if tune.status in (Tune.Status.FAILED, *Tune.CLOSED):
        # A tune that failed gave the pack's images back with its own charge.
        _finish(order, PackOrder.Status.FAILED, f"The fine-tune is {tune.get_status_display()}.")
        return "tune gone"
    if tune.remote_id is None or tune.status != Tune.Status.TRAINED:
        wait = max(tune.eta or timezone.now(), timezone.now()) + WAIT_FOR_TUNE
        PackOrder.objects.filter(pk=order.pk).update(next_check_at=wait)
        return "waiting for the tune"
    client = astria.get_client()
    try:
        remotes = list(islice(client.iter_prompts(tune.remote_id, page_size=100), LISTING_DEPTH))
    except astria.NotFound:
        _finish(order, PackOrder.Status.FAILED, "Astria no longer has the fine-tune.")
        return "tune gone"
    except astria.AstriaError as exc:
        log.warning("Pack order %s: listing failed: %s", order.code, exc)
        _check_later(order)
        return "error"
    adopted = sum(1 for remote in remotes if adopt(order, remote))
    _settle(order)
    return f"adopted {adopted}"


def adopt(order, remote):
    """Adopt one listed prompt if it is the pack's and new; apply its state if known.

    Returns True when this call adopted it."""
    known = PackPrompt.objects.select_related("prompt__tune").filter(remote_id=remote.id).first()
    if known is not None:
        if known.prompt.status in Prompt.IN_FLIGHT:
            known.prompt.apply_remote(remote)
        return False
    if _posted_by_portal(remote) or Prompt.objects.filter(remote_id=remote.id).exists():
        return False
    now = timezone.now()
    prompt = Prompt(
        tune=order.tune,
        text=(remote.text or order.pack.display_name)[:1500],
        num_images=min(8, max(1, remote.num_images or len(remote.images) or 1)),
        status=Prompt.Status.QUEUED,
        remote_id=remote.id,
        remote_tune_id=remote.tune_id or order.tune.remote_id,
        sent_text=remote.text,
        super_resolution=bool(remote.super_resolution),
        submitted_at=now,
        next_check_at=now + timedelta(seconds=settings.CALLBACK_GRACE),
    )
    try:
        with transaction.atomic():
            prompt.save()
            PackPrompt.objects.create(remote_id=remote.id, order=order, prompt=prompt)
    except IntegrityError:
        return False  # a concurrent run adopted it first
    log.info("Pack order %s: adopted prompt %s", order.code, remote.id)
    prompt.tune = order.tune
    prompt.apply_remote(remote)
    return True


def _posted_by_portal(remote):
    """A prompt the portal posted carries its own per-prompt callback URL."""
    return bool(remote.callback) and PROMPT_CALLBACK_PATH in remote.callback


def _settle(order):
    """Done once every expected prompt is found and finished; else look again later."""
    prompts = Prompt.objects.filter(pack_prompt__order=order)
    found = prompts.count()
    unfinished = prompts.filter(status__in=Prompt.AWAITING).exists()
    if found >= max(1, order.expected_prompts) and not unfinished:
        _finish(order, PackOrder.Status.DONE)
        return
    PackOrder.objects.filter(pk=order.pk, status=PackOrder.Status.WAITING).update(
        status=PackOrder.Status.RUNNING
    )
    started = order.tune.trained_at or order.created_at
    if timezone.now() - started > GIVE_UP_AFTER:
        message = f"Astria made {found} of the pack's {order.expected_prompts} prompts."
        log.error("Pack order %s: giving up: %s", order.code, message)
        _finish(order, PackOrder.Status.DONE, message, give_back_missing=True)
        return
    _check_later(order)


def _check_later(order):
    wait = min(settings.CALLBACK_GRACE * 2**order.checks, settings.RECONCILE_MAX_WAIT)
    PackOrder.objects.filter(pk=order.pk).update(
        next_check_at=timezone.now() + timedelta(seconds=wait), checks=order.checks + 1
    )


def _finish(order, status, message="", give_back_missing=False):
    with transaction.atomic():
        rows = PackOrder.objects.filter(pk=order.pk, status__in=OPEN + (PackOrder.Status.SENDING,))
        if not rows.update(
            status=status, finished_at=timezone.now(), next_check_at=None, last_error=message
        ):
            return False
        if give_back_missing:
            made = sum(Prompt.objects.filter(pack_prompt__order=order).values_list(
                "num_images", flat=True))  # fmt: skip
            missing = max(0, order.images_charged - made)
            if missing:
                quota.give_back(order.tune.owner_id, order.created_at, images=missing)
    order.status = status
    return True
