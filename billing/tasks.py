"""Small idempotent tasks: apply one received Stripe event; reconcile with Stripe."""

import logging

from django.utils import timezone

from billing import payments
from billing.models import StripeEvent

log = logging.getLogger(__name__)


def apply_stripe_event(pk):
    event = StripeEvent.objects.filter(pk=pk, applied_at__isnull=True).first()
    if event is None:
        return
    payments.apply_event(event.payload)
    StripeEvent.objects.filter(pk=pk).update(applied_at=timezone.now())


def reconcile_payments():
    if not payments.enabled():
        return
    credited, taken = payments.reconcile()
    if credited or taken:
        log.warning("Stripe reconciler: %s checkouts credited, %s taken back", credited, taken)
