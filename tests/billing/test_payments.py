"""Buying credits: Checkout Session, webhooks, the reconciler, refunds and disputes."""

import json

import pytest
from django.urls import reverse

from billing import ledger, payments, tasks
from billing.models import Checkout, CreditEntry, StripeEvent
from drills.stripe_checkout import event
from tests.billing.conftest import deliver
from tests.helpers import drain_queue

pytestmark = pytest.mark.django_db


def dispute(refunded, payment_intent):
    """A Dispute object as Stripe's API reference records it (localstripe has none)."""
    charge = refunded["data"]["object"]
    return {
        "id": "dp_1QDisputeRecorded",
        "object": "dispute",
        "amount": charge["amount"],
        "charge": charge["id"],
        "currency": charge["currency"],
        "created": charge["created"],
        "is_charge_refundable": False,
        "livemode": False,
        "metadata": {},
        "payment_intent": payment_intent,
        "reason": "fraudulent",
        "status": "needs_response",
    }


def buy(stripe_api, client, pack):
    response = client.post(reverse("billing:buy", args=[pack.pk]))
    assert response.status_code == 302
    checkout = Checkout.objects.get()
    assert response["Location"] == stripe_api.sessions[checkout.session_id]["url"]
    return checkout


def test_checkout_session_names_the_user_and_pack_with_an_idempotency_key(
    stripe_api, owner_client, owner, pack
):
    checkout = buy(stripe_api, owner_client, pack)
    session = stripe_api.sessions[checkout.session_id]
    assert session["metadata"] == {
        "checkout": str(checkout.code),
        "user": str(owner.pk),
        "pack": str(pack.pk),
    }
    assert session["amount_total"] == 1000
    assert stripe_api.by_key == {f"checkout-{checkout.code}": checkout.session_id}
    assert checkout.status == Checkout.Status.OPEN
    assert ledger.balance(owner.id) == 0


def test_a_paid_session_is_credited_once_however_often_and_in_what_order(
    stripe_api, owner_client, client, owner, pack
):
    checkout = buy(stripe_api, owner_client, pack)
    completed = stripe_api.pay(checkout.session_id)
    succeeded = {**completed, "id": "evt_async", "type": "checkout.session.async_payment_succeeded"}
    for delivered in [succeeded, completed, completed, succeeded, completed]:
        assert deliver(client, delivered).status_code == 200
    assert StripeEvent.objects.count() == 2
    drain_queue()
    assert payments.reconcile() == (0, 0)
    assert ledger.balance(owner.id) == 500
    assert CreditEntry.objects.filter(kind=CreditEntry.Kind.PURCHASE).count() == 1
    checkout.refresh_from_db()
    assert checkout.status == Checkout.Status.CREDITED
    assert checkout.payment_intent == completed["data"]["object"]["payment_intent"]
    assert ledger.differences() == {}


def test_a_bad_signature_is_refused_and_records_nothing(stripe_api, owner_client, client, pack):
    checkout = buy(stripe_api, owner_client, pack)
    completed = stripe_api.pay(checkout.session_id)
    assert deliver(client, completed, secret="whsec_someone_else").status_code == 400
    response = client.post(
        reverse("billing:stripe_webhook"), json.dumps(completed), content_type="application/json"
    )
    assert response.status_code == 400
    assert StripeEvent.objects.count() == 0


def test_the_reconciler_credits_a_paid_session_whose_webhooks_were_all_lost(
    stripe_api, owner_client, owner, pack
):
    checkout = buy(stripe_api, owner_client, pack)
    stripe_api.pay(checkout.session_id)
    tasks.reconcile_payments()
    tasks.reconcile_payments()
    assert ledger.balance(owner.id) == 500
    assert CreditEntry.objects.filter(kind=CreditEntry.Kind.PURCHASE).count() == 1


def test_a_session_whose_create_answer_was_lost_is_found_by_its_metadata(stripe_api, owner, pack):
    checkout = Checkout.objects.create(
        user=owner, pack=pack, credits=pack.credits, amount=pack.amount, currency="usd"
    )
    # Stripe made the session but the portal never heard back (no session_id saved).
    session = payments._client().checkout.Session.create(
        mode="payment",
        metadata=payments.metadata(checkout),
        line_items=[{"quantity": 1, "price_data": {"currency": "usd", "unit_amount": 1000}}],
        success_url="https://portal.example/ok",
        idempotency_key=f"checkout-{checkout.code}",
    )
    stripe_api.pay(session.id)
    assert payments.reconcile() == (1, 0)
    checkout.refresh_from_db()
    assert checkout.session_id == session.id
    assert ledger.balance(owner.id) == 500


def test_an_unpaid_or_failed_session_credits_nothing(stripe_api, owner_client, client, owner, pack):
    checkout = buy(stripe_api, owner_client, pack)
    session = stripe_api.sessions[checkout.session_id]
    deliver(client, event("checkout.session.completed", {**session, "payment_status": "unpaid"}))
    deliver(client, event("checkout.session.async_payment_failed", session))
    drain_queue()
    assert payments.reconcile() == (0, 0)
    checkout.refresh_from_db()
    assert checkout.status == Checkout.Status.FAILED
    assert ledger.balance(owner.id) == 0


def test_a_refund_takes_the_credits_back_once_even_below_zero(
    stripe_api, owner_client, client, owner, pack, make_tune
):
    checkout = buy(stripe_api, owner_client, pack)
    deliver(client, stripe_api.pay(checkout.session_id))
    drain_queue()
    ledger.spend(owner.id, 300, CreditEntry.Kind.IMAGES)
    checkout.refresh_from_db()
    refunded = stripe_api.refund(checkout.payment_intent)
    deliver(client, refunded)
    deliver(client, refunded)
    deliver(client, event("charge.dispute.created", dispute(refunded, checkout.payment_intent)))
    drain_queue()
    assert payments.reconcile() == (0, 0)
    assert ledger.balance(owner.id) == 500 - 300 - 500
    assert CreditEntry.objects.filter(kind=CreditEntry.Kind.PAYMENT_REFUNDED).count() == 1
    assert ledger.differences() == {}
    # Nothing new is taken on while the balance is below zero.
    from astria_portal import quota

    with pytest.raises(quota.QuotaExceeded, match="you have -300"):
        quota.charge(owner.id, images=1, item=make_tune())


def test_the_reconciler_takes_back_a_refund_whose_webhook_was_lost(
    stripe_api, owner_client, client, owner, pack
):
    checkout = buy(stripe_api, owner_client, pack)
    deliver(client, stripe_api.pay(checkout.session_id))
    drain_queue()
    checkout.refresh_from_db()
    stripe_api.refund(checkout.payment_intent)  # its webhook is lost
    assert payments.reconcile() == (0, 1)
    assert payments.reconcile() == (0, 0)
    assert ledger.balance(owner.id) == 0


def test_payments_are_off_without_both_keys(settings, owner_client, client, pack):
    settings.STRIPE_SECRET_KEY = ""
    assert owner_client.post(reverse("billing:buy", args=[pack.pk])).status_code == 404
    assert (
        client.post(reverse("billing:stripe_webhook"), b"{}", content_type="x").status_code == 404
    )
    tasks.reconcile_payments()  # does nothing, reaches nothing


def test_a_dispute_takes_the_credits_back_once(stripe_api, owner_client, client, owner, pack):
    checkout = buy(stripe_api, owner_client, pack)
    deliver(client, stripe_api.pay(checkout.session_id))
    drain_queue()
    checkout.refresh_from_db()
    charge = {"data": {"object": {"id": "ch_1", "amount": 1000, "currency": "usd", "created": 0}}}
    opened = event("charge.dispute.created", dispute(charge, checkout.payment_intent))
    for _ in range(2):
        deliver(client, opened)
    deliver(client, {**opened, "id": "evt_other_delivery"})
    drain_queue()
    assert ledger.balance(owner.id) == 0
    taken = CreditEntry.objects.get(kind=CreditEntry.Kind.PAYMENT_DISPUTED)
    assert (taken.credits, taken.checkout) == (-500, checkout)


def test_an_expired_session_closes_its_checkout(stripe_api, owner_client, client, owner, pack):
    checkout = buy(stripe_api, owner_client, pack)
    session = {**stripe_api.sessions[checkout.session_id], "status": "expired"}
    deliver(client, event("checkout.session.expired", session))
    drain_queue()
    checkout.refresh_from_db()
    assert checkout.status == Checkout.Status.EXPIRED
    assert ledger.balance(owner.id) == 0
