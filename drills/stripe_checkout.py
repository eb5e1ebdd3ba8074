"""Stripe Checkout Sessions, which localstripe does not serve, from recorded payloads.

localstripe (drills/localstripe.py) has no /v1/checkout/sessions and no hosted payment
page. This stand-in is an HTTP server on loopback in front of it: it answers the
session calls the portal makes (create, list, retrieve) with the session object's
shape as Stripe's API reference records it, and passes every other request
(payment intents, refunds, charges) on to localstripe. Its /c/pay/<id> page plays
Stripe's hosted page: paying makes a real PaymentIntent on localstripe with a test
card, the session points at it, a checkout.session.completed event is signed as
Stripe signs webhooks, and the browser goes back to the success URL.
"""

import json
import re
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

import requests
import stripe

SESSIONS = "/v1/checkout/sessions"
PAY = re.compile(r"^/c/pay/(cs_test_\w+)$")
FORWARDED = ("Authorization", "Content-Type", "Idempotency-Key", "Stripe-Version")


def recorded_session(session_id, body, created, base):
    """A Checkout Session as Stripe answers its create call (mode=payment)."""
    amount = int(body.get("line_items[0][price_data][unit_amount]", 0))
    return {
        "id": session_id,
        "object": "checkout.session",
        "amount_subtotal": amount,
        "amount_total": amount,
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
        "url": f"{base}/c/pay/{session_id}",
    }


class CheckoutStandin:
    """Start with start(localstripe_base); base is where stripe.api_base points."""

    def __init__(self, localstripe_base, api_key, webhook_secret=None):
        self.localstripe = localstripe_base
        self.api_key = api_key
        self.webhook_secret = webhook_secret
        self.webhook_url = None  # when set, events are delivered as they happen
        self.lock = threading.Lock()
        self.sessions = {}  # id -> session, in creation order
        self.by_key = {}  # Idempotency-Key -> session id
        self.events = []  # every event made, delivered or not

    def start(self):
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                standin.handle(self, "GET")

            def do_POST(self):
                standin.handle(self, "POST")

            def do_DELETE(self):
                standin.handle(self, "DELETE")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def reset(self):
        with self.lock:
            self.sessions.clear()
            self.by_key.clear()
            self.events.clear()
        self.webhook_url = None

    # HTTP

    def handle(self, request, method):
        length = int(request.headers.get("Content-Length") or 0)
        body = request.rfile.read(length).decode() if length else ""
        url = urlsplit(request.path)
        if url.path == SESSIONS and method == "POST":
            status, answer = self._create(request.headers.get("Idempotency-Key"), body)
        elif url.path == SESSIONS:
            status, answer = self._list(dict(parse_qsl(url.query)))
        elif url.path.startswith(SESSIONS + "/"):
            status, answer = self._get(url.path.rpartition("/")[2])
        elif PAY.match(url.path):
            return self._pay_page(request, method, PAY.match(url.path).group(1))
        else:
            return self._forward(request, method, body)
        payload = json.dumps(answer).encode()
        request.send_response(status)
        request.send_header("Content-Type", "application/json")
        request.send_header("Content-Length", str(len(payload)))
        request.end_headers()
        request.wfile.write(payload)

    def _forward(self, request, method, body):
        headers = {name: request.headers[name] for name in FORWARDED if name in request.headers}
        answer = requests.request(
            method, self.localstripe + request.path, data=body, headers=headers, timeout=30
        )
        request.send_response(answer.status_code)
        request.send_header("Content-Type", answer.headers.get("Content-Type", "text/plain"))
        request.send_header("Content-Length", str(len(answer.content)))
        request.end_headers()
        request.wfile.write(answer.content)

    def _create(self, key, body):
        with self.lock:
            if key in self.by_key:
                return 200, self.sessions[self.by_key[key]]
            fields = dict(parse_qsl(body))
            session_id = f"cs_test_{uuid.uuid4().hex}"
            session = recorded_session(session_id, fields, int(time.time()), self.base)
            self.sessions[session_id] = session
            if key:
                self.by_key[key] = session_id
            return 200, session

    def _list(self, query):
        since = int(query.get("created[gte]", 0))
        with self.lock:
            listed = [s for s in reversed(self.sessions.values()) if s["created"] >= since]
        return 200, {"object": "list", "data": listed, "has_more": False, "url": SESSIONS}

    def _get(self, session_id):
        with self.lock:
            if session_id in self.sessions:
                return 200, self.sessions[session_id]
        return 404, {"error": {"type": "invalid_request_error", "message": "No such session"}}

    def _pay_page(self, request, method, session_id):
        session = self.sessions.get(session_id)
        if session is None:
            request.send_error(404)
            return
        if method == "GET":
            page = (
                f'<!doctype html><title>Pay</title><link rel="icon" href="data:,">'
                f"<h1>Test payment</h1>"
                f"<p>{session['amount_total'] / 100:.2f} {session['currency'].upper()}</p>"
                f'<form method="post"><button type="submit">Pay</button></form>'
            ).encode()
            request.send_response(200)
            request.send_header("Content-Type", "text/html")
            request.send_header("Content-Length", str(len(page)))
            request.end_headers()
            request.wfile.write(page)
            return
        self.pay(session_id)
        request.send_response(303)
        request.send_header("Location", session["success_url"])
        request.send_header("Content-Length", "0")
        request.end_headers()

    # What Stripe does when the user pays

    def pay(self, session_id):
        """A real payment on localstripe; returns the checkout.session.completed event."""
        session = self.sessions[session_id]
        client = stripe.StripeClient(self.api_key, base_addresses={"api": self.localstripe})
        card = {"number": "4242424242424242", "exp_month": 12, "exp_year": 2030, "cvc": "123"}
        method = client.v1.payment_methods.create(params={"type": "card", "card": card})
        intent = client.v1.payment_intents.create(
            params={
                "amount": session["amount_total"],
                "currency": session["currency"],
                "payment_method": method.id,
                "confirm": True,
                "metadata": session["metadata"],
            }
        )
        assert intent.status == "succeeded", intent.status
        with self.lock:
            session.update(status="complete", payment_status="paid", payment_intent=intent.id)
            made = event("checkout.session.completed", dict(session))
        self.emit(made)
        return made

    def refund(self, payment_intent):
        """Refund a payment on localstripe; returns the charge.refunded event with its
        real charge."""
        client = stripe.StripeClient(self.api_key, base_addresses={"api": self.localstripe})
        client.v1.refunds.create(params={"payment_intent": payment_intent})
        charge_id = client.v1.payment_intents.retrieve(payment_intent).latest_charge
        charge_id = charge_id if isinstance(charge_id, str) else charge_id.id
        made = event("charge.refunded", client.v1.charges.retrieve(charge_id).to_dict())
        self.emit(made)
        return made

    def emit(self, made):
        with self.lock:
            self.events.append(made)
        if self.webhook_url:
            deliver(self.webhook_url, made, self.webhook_secret)


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


def signed(payload, secret):
    """The Stripe-Signature header Stripe sends with payload (bytes)."""
    timestamp = int(time.time())
    signature = stripe.WebhookSignature._compute_signature(
        f"{timestamp}.{payload.decode()}", secret
    )
    return f"t={timestamp},v1={signature}"


def deliver(url, made, secret):
    """POST an event to a webhook URL as Stripe does; returns the status code."""
    body = json.dumps(made).encode()
    headers = {"Content-Type": "application/json", "Stripe-Signature": signed(body, secret)}
    return requests.post(url, data=body, headers=headers, timeout=30).status_code
