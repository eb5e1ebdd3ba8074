"""Background work for packs. Every task takes a primary key (or nothing) and is safe to
run twice."""

import logging
from datetime import timedelta

from django.utils import timezone
from django_q.tasks import async_task

from astria_portal import astria, locks, quota
from astria_portal.callbacks import pack_callback_url
from packs import catalogue, discovery
from packs.models import PackOrder

log = logging.getLogger(__name__)

LOST_TASK = timedelta(minutes=10)
SEND_ATTEMPTS = 5


@locks.one_at_a_time("refresh packs")
def refresh_packs():
    """Read the account's and the gallery's packs from Astria (staff start it)."""
    return catalogue.refresh()


def discover_pack(order_id):
    PackOrder.objects.filter(pk=order_id).update(discover_waiting_since=None)
    order = PackOrder.objects.select_related("tune", "pack").filter(pk=order_id).first()
    if order is None or order.status not in discovery.OPEN:
        return "nothing to discover"
    return discovery.discover(order)


def request_discovery(order):
    """Enqueue one discovery for the order unless one is already waiting (callbacks)."""
    now = timezone.now()
    waiting = PackOrder.objects.filter(pk=order.pk, discover_waiting_since__isnull=True)
    if waiting.update(discover_waiting_since=now):
        async_task("packs.tasks.discover_pack", order.pk)


@locks.one_at_a_time("reconcile packs")
def reconcile_packs():
    """Look for the prompts of open pack runs that are due (lost callbacks, lost tasks)."""
    now = timezone.now()
    PackOrder.objects.filter(discover_waiting_since__lt=now - LOST_TASK).update(
        discover_waiting_since=None
    )
    for order in PackOrder.objects.filter(status=PackOrder.Status.SENDING, next_check_at__lte=now):
        async_task("packs.tasks.send_pack_order", order.pk)
    due = PackOrder.objects.filter(status__in=discovery.OPEN, next_check_at__lte=now)
    orders = list(due.order_by("next_check_at")[:100])
    for order in orders:
        request_discovery(order)
    return len(orders)


def send_pack_order(order_id):
    """Run a pack on a trained tune: POST /p/:id/tunes with tune_ids.

    Astria has no idempotency key for this call, so an answer that may hide a
    created run (a timeout, a 504) is not sent again: discovery finds the prompts
    if they were made, and gives the images back if not."""
    order = PackOrder.objects.select_related("tune", "pack").filter(pk=order_id).first()
    if order is None or order.status != PackOrder.Status.SENDING:
        return "not due"
    now = timezone.now()
    claimed = PackOrder.objects.filter(
        pk=order.pk, status=PackOrder.Status.SENDING, next_check_at=order.next_check_at
    ).update(next_check_at=now + timedelta(minutes=5), checks=order.checks + 1)
    if not claimed:
        return "not due"
    url = pack_callback_url(order.tune)
    try:
        astria.get_client().run_pack(
            order.pack.remote_id, [order.tune.remote_id], prompt_callback=url, prompts_callback=url
        )
    except astria.PermanentError as exc:
        return _refused(order, exc.message)
    except astria.RetryLater as exc:
        if order.checks + 1 >= SEND_ATTEMPTS:
            return _refused(order, f"Astria could not be reached: {exc.message}")
        wait = max(exc.retry_after or 0, 60 * 2**order.checks)
        PackOrder.objects.filter(pk=order.pk).update(next_check_at=now + timedelta(seconds=wait))
        return "retry"
    except astria.AstriaError as exc:
        log.warning("Pack order %s: the answer was lost (%s); looking for prompts", order.code, exc)
    PackOrder.objects.filter(pk=order.pk, status=PackOrder.Status.SENDING).update(
        status=PackOrder.Status.RUNNING, next_check_at=now, checks=0
    )
    return "sent"


def _refused(order, message):
    rows = PackOrder.objects.filter(pk=order.pk, status=PackOrder.Status.SENDING).update(
        status=PackOrder.Status.FAILED, last_error=message[:2000], next_check_at=None,
        finished_at=timezone.now(),
    )  # fmt: skip
    if rows:
        quota.give_back(order.tune.owner_id, order.created_at, images=order.images_charged)
    return "failed"
