"""Stripe Checkout: the one module that talks to Stripe, and what its answers change.

A Checkout row is saved before Stripe is asked, and its code is both the idempotency
key and the session's metadata: a session whose creation answer was lost is still
found by the reconciler (recent sessions listed, matched by metadata). A paid session
is credited once (the row is locked and moves to CREDITED once; the ledger's unique
entry per checkout and kind backs it), whichever of the webhook or the reconciler
comes first, however often. A refund or a dispute takes the credits back once.
"""

import logging
from datetime import timedelta

import stripe
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from billing import ledger
from billing.models import Checkout, CreditEntry

log = logging.getLogger(__name__)

# Stripe keeps a Checkout Session open for 24 hours at most.
SESSION_LIFETIME = timedelta(hours=24)
# Refunds and disputes come later: credited checkouts are looked at for this long.
REVERSAL_WINDOW = timedelta(days=30)


def enabled():
    return bool(settings.STRIPE_SECRET_KEY and settings.STRIPE_WEBHOOK_SECRET)


def _client():
    stripe.api_key = settings.STRIPE_SECRET_KEY
    if settings.STRIPE_API_BASE:
        stripe.api_base = settings.STRIPE_API_BASE
    return stripe


def metadata(checkout):
    return {
        "checkout": str(checkout.code),
        "user": str(checkout.user_id),
        "pack": str(checkout.pack_id),
    }


def start(user, pack, success_url, cancel_url):
    """Save a Checkout and create its session on Stripe; returns the Checkout (its
    session_url attribute is where to send the user)."""
    checkout = Checkout.objects.create(
        user=user, pack=pack, credits=pack.credits, amount=pack.amount, currency=pack.currency
    )
    session = _client().checkout.Session.create(
        mode="payment",
        line_items=[
            {
                "quantity": 1,
                "price_data": {
                    "currency": pack.currency,
                    "unit_amount": pack.amount,
                    "product_data": {"name": f"{pack.credits} credits ({pack.name})"},
                },
            }
        ],
        client_reference_id=str(user.pk),
        customer_email=user.email or None,
        metadata=metadata(checkout),
        payment_intent_data={"metadata": metadata(checkout)},
        success_url=success_url,
        cancel_url=cancel_url,
        idempotency_key=f"checkout-{checkout.code}",
    )
    Checkout.objects.filter(pk=checkout.pk).update(
        session_id=session["id"], status=Checkout.Status.OPEN
    )
    checkout.session_url = session["url"]
    return checkout


def _checkout_of(session):
    code = (session.get("metadata") or {}).get("checkout")
    found = Checkout.objects.filter(code=code).first() if code else None
    return found or Checkout.objects.filter(session_id=session["id"]).first()


def apply_session(session):
    """What a Checkout Session (from a webhook or a listing) says: credit it if paid."""
    checkout = _checkout_of(session)
    if checkout is None:
        log.warning("Stripe session %s matches no checkout", session.get("id"))
        return False
    if session.get("payment_status") in ("paid", "no_payment_required"):
        return credit(checkout, session)
    if session.get("status") == "expired":
        _close(checkout, Checkout.Status.EXPIRED)
    return False


def credit(checkout, session):
    with transaction.atomic():
        row = Checkout.objects.select_for_update().get(pk=checkout.pk)
        if row.credited_at or row.reversed_at:
            return False
        row.status = Checkout.Status.CREDITED
        row.credited_at = timezone.now()
        row.session_id = row.session_id or session["id"]
        row.payment_intent = session.get("payment_intent") or ""
        row.save(update_fields=["status", "credited_at", "session_id", "payment_intent"])
        ledger.add(
            row.user_id,
            row.credits,
            CreditEntry.Kind.PURCHASE,
            checkout=row,
            description=f"{row.pack.name}: {row.credits} credits",
        )
    log.info("Credited checkout %s with %s credits", row.code, row.credits)
    return True


def _close(checkout, status):
    Checkout.objects.filter(
        pk=checkout.pk, status__in=[Checkout.Status.STARTED, Checkout.Status.OPEN]
    ).update(status=status)


def payment_failed(session):
    checkout = _checkout_of(session)
    if checkout is not None:
        _close(checkout, Checkout.Status.FAILED)


def take_back(payment_intent, kind):
    """A payment refunded or disputed: its credits leave, once (even below zero)."""
    checkout = (
        Checkout.objects.filter(payment_intent=payment_intent).first() if payment_intent else None
    )
    if checkout is None:
        log.warning("Refund or dispute for unknown payment %s", payment_intent)
        return False
    with transaction.atomic():
        row = Checkout.objects.select_for_update().get(pk=checkout.pk)
        if row.reversed_at:
            return False
        row.reversed_at = timezone.now()
        row.status = Checkout.Status.REVERSED
        row.save(update_fields=["reversed_at", "status"])
        if row.credited_at:
            ledger.add(
                row.user_id,
                -row.credits,
                kind,
                checkout=row,
                description=f"{row.pack.name}: {row.get_status_display().lower()}",
            )
    return True


def apply_event(event):
    """A verified webhook event (a dict): what it says, applied idempotently."""
    kind = event["type"]
    obj = event["data"]["object"]
    if kind in (
        "checkout.session.completed",
        "checkout.session.async_payment_succeeded",
        "checkout.session.expired",
    ):
        apply_session(obj)
    elif kind == "checkout.session.async_payment_failed":
        payment_failed(obj)
    elif kind == "charge.refunded":
        take_back(obj.get("payment_intent"), CreditEntry.Kind.PAYMENT_REFUNDED)
    elif kind == "charge.dispute.created":
        take_back(obj.get("payment_intent"), CreditEntry.Kind.PAYMENT_DISPUTED)


def reconcile(now=None):
    """Credit every paid session not credited yet, and take back refunded payments,
    from Stripe's own lists: lost webhooks lose nothing. Returns (credited, taken)."""
    now = now or timezone.now()
    waiting = Checkout.objects.filter(
        status__in=[Checkout.Status.STARTED, Checkout.Status.OPEN],
        created_at__gte=now - SESSION_LIFETIME - timedelta(hours=1),
    )
    credited = taken = 0
    client = _client()
    oldest = waiting.order_by("created_at").first()
    if oldest is not None:
        since = int(oldest.created_at.timestamp()) - 60
        sessions = client.checkout.Session.list(created={"gte": since}, limit=100)
        for session in sessions.auto_paging_iter():
            credited += apply_session(session.to_dict())
    # Refunds, newest first: a credited payment among them is taken back.
    cutoff = int((now - REVERSAL_WINDOW).timestamp())
    for listed in client.Refund.list(limit=100).auto_paging_iter():
        refund = listed.to_dict()
        if refund["created"] < cutoff:
            break
        if (
            refund.get("status") in ("succeeded", "pending")
            and Checkout.objects.filter(
                payment_intent=refund.get("payment_intent") or "-", status=Checkout.Status.CREDITED
            ).exists()
        ):
            taken += take_back(refund["payment_intent"], CreditEntry.Kind.PAYMENT_REFUNDED)
    return credited, taken
