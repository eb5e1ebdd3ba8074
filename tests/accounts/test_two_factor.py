"""Two-factor authentication (allauth.mfa): optional for users, required for staff
when STAFF_REQUIRE_2FA is on; the admin logs in through the same login."""

import pytest
from allauth.mfa.models import Authenticator

from tests.accounts.totp import code

pytestmark = pytest.mark.django_db
GOOD = "correct-horse-battery"


def log_in(client, login="alice", password=GOOD, next_url=""):
    path = "/accounts/login/" + (f"?next={next_url}" if next_url else "")
    return client.post(path, {"login": login, "password": password})


def activate_totp(client, password=GOOD):
    """Set up an authenticator app from the account pages; returns its secret."""
    response = client.get("/accounts/2fa/totp/activate/")
    if response.status_code == 302 and "reauthenticate" in response["Location"]:
        client.post(response["Location"], {"password": password})
        response = client.get("/accounts/2fa/totp/activate/")
    assert response.status_code == 200
    secret = response.context["form"].secret
    done = client.post("/accounts/2fa/totp/activate/", {"code": code(secret)})
    assert done.status_code == 302
    return secret


def test_a_user_turns_on_totp_and_then_needs_a_code_to_log_in(client, owner):
    assert log_in(client).status_code == 302
    secret = activate_totp(client)
    assert Authenticator.objects.filter(user=owner, type=Authenticator.Type.TOTP).exists()
    assert Authenticator.objects.filter(user=owner, type="recovery_codes").exists()
    client.post("/accounts/logout/")

    response = log_in(client)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert "_auth_user_id" not in client.session
    assert client.post("/accounts/2fa/authenticate/", {"code": "000000"}).status_code == 200
    assert "_auth_user_id" not in client.session

    response = client.post("/accounts/2fa/authenticate/", {"code": code(secret, 1)})
    assert response.status_code == 302
    assert response["Location"] == "/tunes/"
    assert client.session["_auth_user_id"] == str(owner.pk)


def test_the_account_page_links_to_two_factor(owner_client):
    page = owner_client.get("/accounts/")
    assert b'href="/accounts/2fa/"' in page.content
    assert owner_client.get("/accounts/2fa/").status_code == 200


def test_the_admin_login_is_the_portal_login(client, staff):
    response = client.get("/admin/")
    assert response.status_code == 302
    response = client.get(response["Location"])
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2F"
    response = log_in(client, "carol", next_url="/admin/")
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_staff_without_two_factor_are_sent_to_set_it_up(client, staff, settings):
    settings.STAFF_REQUIRE_2FA = True
    log_in(client, "carol")
    for path in ("/admin/", "/admin/tunes/tune/", "/admin/dashboard/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"] == "/accounts/2fa/totp/activate/"
    assert client.get("/tunes/").status_code == 200  # the rest of the portal is open

    secret = activate_totp(client)
    assert client.get("/admin/").status_code == 200
    client.post("/accounts/logout/")
    response = log_in(client, "carol", next_url="/admin/")
    assert response["Location"] == "/accounts/2fa/authenticate/"
    response = client.post("/accounts/2fa/authenticate/", {"code": code(secret, 1)})
    assert response["Location"] == "/admin/"


def test_staff_two_factor_is_off_in_development_and_on_in_production(monkeypatch):
    from tests.portal.test_settings import PRODUCTION, load_settings

    assert load_settings(monkeypatch)["STAFF_REQUIRE_2FA"] is False
    assert load_settings(monkeypatch, **PRODUCTION)["STAFF_REQUIRE_2FA"] is True
    assert (
        load_settings(monkeypatch, STAFF_REQUIRE_2FA="false", **PRODUCTION)["STAFF_REQUIRE_2FA"]
        is False
    )
