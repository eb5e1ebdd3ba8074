import json

import pytest
from django.urls import reverse

from billing.models import CreditPack
from drills.localstripe import running_localstripe
from drills.stripe_checkout import CheckoutStandin, signed

WEBHOOK_SECRET = "whsec_test_portal"  # noqa: S105
SECRET_KEY = "sk_test_portal"  # noqa: S105


@pytest.fixture(scope="session")
def localstripe_server():
    """localstripe on a free loopback port for the whole run: a real HTTP server."""
    with running_localstripe() as base:
        yield base


@pytest.fixture
def credits_mode(settings):
    settings.BILLING_MODE = "credits"
    settings.CREDITS_PER_TUNE = 100
    settings.CREDITS_PER_IMAGE = 2


@pytest.fixture(scope="session")
def checkout_server(localstripe_server):
    """Checkout Sessions from recorded payloads, in front of localstripe."""
    standin = CheckoutStandin(localstripe_server, SECRET_KEY, WEBHOOK_SECRET).start()
    yield standin
    standin.stop()


@pytest.fixture
def stripe_api(settings, checkout_server, credits_mode):
    """Stripe on loopback, as the portal's settings name it."""
    checkout_server.reset()
    settings.STRIPE_SECRET_KEY = SECRET_KEY
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_API_BASE = checkout_server.base
    return checkout_server


@pytest.fixture
def pack(db):
    return CreditPack.objects.create(name="Starter", credits=500, amount=1000, currency="usd")


def deliver(client, event, secret=WEBHOOK_SECRET):
    """POST a webhook event as Stripe does: JSON body, Stripe-Signature header."""
    body = json.dumps(event).encode()
    return client.generic(
        "POST",
        reverse("billing:stripe_webhook"),
        body,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=signed(body, secret),
    )
