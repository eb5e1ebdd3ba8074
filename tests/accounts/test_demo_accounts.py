"""`make run`'s demo accounts are ready to use: verified, and staff not forced into 2FA
in development."""

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import User
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_the_demo_accounts_are_verified_and_can_start_a_tune(settings, client):
    settings.ASTRIA_DEMO = True
    call_command("prepare_run")
    call_command("prepare_run")  # run again by every `make run`
    for username in ("demo", "staff"):
        user = User.objects.get(username=username)
        [address] = EmailAddress.objects.filter(user=user)
        assert (address.email, address.verified, address.primary) == (user.email, True, True)
    client.post("/accounts/login/", {"login": "demo", "password": "demo-portal-2026"})
    assert "Confirm your e-mail" not in client.get("/tunes/new/").content.decode()


def test_the_staff_demo_reaches_the_admin_without_2fa_in_development(settings, client):
    settings.ASTRIA_DEMO = True
    settings.STAFF_REQUIRE_2FA = False  # the development default (DEBUG on)
    call_command("prepare_run")
    client.post("/accounts/login/", {"login": "staff", "password": "staff-portal-2026"})
    assert client.get("/admin/").status_code == 200
