"""Stripe Checkout Sessions, which localstripe does not serve, from recorded payloads.

localstripe (drills/localstripe.py) has no /v1/checkout/sessions. This stand-in answers
those three calls (create, list, retrieve) in-process through `responses`, with the
session object's shape as Stripe's API reference records it; every other request
(payment intents, refunds, charges) goes on to localstripe on loopback. Paying a
session makes a real PaymentIntent on localstripe with a test card, and the session
points at it, as Stripe's do. Webhook events are signed as Stripe signs them.
"""

import json
import re
import time
import uuid
from urllib.parse import parse_qsl

import responses
import stripe

SESSIONS = "/v1/checkout/sessions"


def recorded_session(session_id, body, created):
    """A Checkout Session as Stripe answers its create call (mode=payment)."""
    return {
        "id": session_id,
        "object": "checkout.session",
        "amount_subtotal": int(body.get("line_items[0][price_data][unit_amount]", 0)),
        "amount_total": int(body.get("line_items[0][price_data][unit_amount]", 0)),
        "cancel_url": body.get("cancel_url"),
        "client_reference_id": body.get("client_reference_id"),
        "created": created,
        "currency": body.get("line_items[0][price_data][currency]"),
        "customer": None,
        "customer_email": body.get("customer_email"),
        "expires_at": created + 24 * 3600,
        "livemode": False,
        "metadata": {
            key[len("metadata[") : -1]: value
            for key, value in body.items()
            if key.startswith("metadata[")
        },
        "mode": "payment",
        "payment_intent": None,
        "payment_status": "unpaid",
        "status": "open",
        "success_url": body.get("success_url"),
        "url": f"https://checkout.stripe.com/c/pay/{session_id}",
    }


class CheckoutStandin:
    def __init__(self, api_base):
        self.api_base = api_base
        self.sessions = {}  # id -> session, in creation order
        self.by_key = {}  # Idempotency-Key -> session id
        self.created_calls = 0

    def install(self, mock):
        base = re.escape(self.api_base + SESSIONS)
        mock.add_callback(responses.POST, re.compile(base + "$"), callback=self._create)
        mock.add_callback(responses.GET, re.compile(base + r"(\?.*)?$"), callback=self._list)
        mock.add_callback(responses.GET, re.compile(base + r"/[^/?]+"), callback=self._get)
        mock.add_passthru(re.compile(re.escape(self.api_base) + r"/v1/(?!checkout/)"))

    def _create(self, request):
        self.created_calls += 1
        key = request.headers.get("Idempotency-Key")
        if key in self.by_key:
            return 200, {}, json.dumps(self.sessions[self.by_key[key]])
        body = dict(parse_qsl(request.body or ""))
        session = recorded_session(f"cs_test_{uuid.uuid4().hex}", body, int(time.time()))
        self.sessions[session["id"]] = session
        if key:
            self.by_key[key] = session["id"]
        return 200, {}, json.dumps(session)

    def _list(self, request):
        query = dict(parse_qsl(request.url.partition("?")[2]))
        since = int(query.get("created[gte]", 0))
        listed = [s for s in reversed(self.sessions.values()) if s["created"] >= since]
        page = {"object": "list", "data": listed, "has_more": False, "url": SESSIONS}
        return 200, {}, json.dumps(page)

    def _get(self, request):
        session_id = request.url.rpartition("/")[2].partition("?")[0]
        if session_id not in self.sessions:
            error = {"error": {"type": "invalid_request_error", "message": "No such session"}}
            return 404, {}, json.dumps(error)
        return 200, {}, json.dumps(self.sessions[session_id])

    def pay(self, session_id):
        """The user pays on Stripe's page: a real payment on localstripe."""
        session = self.sessions[session_id]
        card = {"number": "4242424242424242", "exp_month": 12, "exp_year": 2030, "cvc": "123"}
        method = stripe.PaymentMethod.create(type="card", card=card)
        intent = stripe.PaymentIntent.create(
            amount=session["amount_total"],
            currency=session["currency"],
            payment_method=method.id,
            confirm=True,
            metadata=session["metadata"],
        )
        assert intent.status == "succeeded", intent.status
        session.update(status="complete", payment_status="paid", payment_intent=intent.id)
        return event("checkout.session.completed", session)


def event(kind, obj):
    return {
        "id": f"evt_{uuid.uuid4().hex}",
        "object": "event",
        "api_version": "2024-06-20",
        "created": int(time.time()),
        "livemode": False,
        "type": kind,
        "data": {"object": obj},
    }


def refund_event(payment_intent):
    """Refund a payment on localstripe; the charge.refunded event with its real charge."""
    stripe.Refund.create(payment_intent=payment_intent)
    charge = stripe.PaymentIntent.retrieve(payment_intent).latest_charge
    charge = stripe.Charge.retrieve(charge) if isinstance(charge, str) else charge
    return event("charge.refunded", charge.to_dict())


def signed(payload, secret):
    """The Stripe-Signature header Stripe sends with payload (bytes)."""
    timestamp = int(time.time())
    text = f"{timestamp}.{payload.decode()}"
    signature = stripe.WebhookSignature._compute_signature(text, secret)
    return f"t={timestamp},v1={signature}"
