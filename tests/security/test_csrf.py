"""CSRF is enforced on every view but Astria's callback (RELIABILITY.md R31)."""

import pytest
from django.test import Client

from astria_portal import callback_views
from tests.security.routes import ANY_VALUE, routes

# Astria posts callbacks without a CSRF token; a per-object HMAC token guards them.
# Google's one-tap sign-in posts from Google's own script: allauth checks its
# double-submit cookie instead (and the page is not there unless Google is set up).
# Stripe's webhook carries no token either: its signature is checked instead.
# The pack callback is Astria's too, guarded by the tune's token (tests/packs/).
EXEMPT = {"callback", "google_login_by_token", "billing:stripe_webhook", "packs:callback"}


def test_only_the_callback_view_is_csrf_exempt():
    exempt = {route.name for route in routes() if getattr(route.callback, "csrf_exempt", False)}
    assert exempt == EXEMPT
    assert callback_views.callback.csrf_exempt is True


@pytest.mark.parametrize("who", ["anonymous", "owner", "staff"])
def test_every_post_without_a_token_is_refused(who, owner, staff):
    client = Client(enforce_csrf_checks=True)
    if who != "anonymous":
        client.force_login({"owner": owner, "staff": staff}[who])
    checked = 0
    for route in routes():
        response = client.post(route.url(ANY_VALUE), {"name": "x"})
        if route.name in EXEMPT:
            assert response.status_code == 404, route.route  # no valid callback token
            continue
        assert response.status_code == 403, f"{route.route}: {response.status_code}"
        checked += 1
    assert checked > 100  # the admin's too


def test_the_forms_work_with_their_token(owner):
    client = Client(enforce_csrf_checks=True)
    page = client.get("/accounts/login/")
    token = page.cookies["csrftoken"].value
    data = {"login": "alice", "password": "correct-horse-battery", "csrfmiddlewaretoken": token}
    assert client.post("/accounts/login/", data).status_code == 302


def test_a_refused_form_gets_a_friendly_page(client):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": "x", "password": "y"})
    assert response.status_code == 403
    assert b"This form has expired" in response.content
    assert b'<link rel="stylesheet"' in response.content  # the site's own layout
