"""Sign-ups are limited per address and overall, and password reset e-mails per
address, per clock hour."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth.models import User

from astria_portal.models import Throttle

pytestmark = pytest.mark.django_db

HOME, OFFICE, CAFE = "192.0.2.10", "198.51.100.7", "203.0.113.5"
NOON = datetime(2026, 11, 27, 12, 10, tzinfo=UTC)
PER_ADDRESS = "Too many sign-ups from your network"


def sign_up(client, name, address=HOME, **changes):
    data = {
        "username": name,
        "email": f"{name}@example.com",
        "password1": "a-strong-passphrase-42",
        "password2": "a-strong-passphrase-42",
        **changes,
    }
    response = client.post("/accounts/signup/", data, REMOTE_ADDR=address)
    client.logout()
    return response


@pytest.fixture(autouse=True)
def now():
    with time_machine.travel(NOON, tick=False) as traveller:
        yield traveller


def test_one_address_gets_so_many_attempts_an_hour(client, settings, now):
    settings.SIGNUPS_PER_IP_PER_HOUR = 2
    assert sign_up(client, "ann").status_code == 302
    assert sign_up(client, "ben").status_code == 302
    refused = sign_up(client, "cat")
    assert refused.status_code == 200
    assert PER_ADDRESS in refused.context["form"].non_field_errors()[0]
    assert "try again in 50 minutes" in refused.content.decode()
    assert not User.objects.filter(username="cat").exists()

    assert sign_up(client, "cat", address=OFFICE).status_code == 302
    now.move_to(NOON + timedelta(minutes=50))
    assert sign_up(client, "dan").status_code == 302


def test_failed_attempts_count_too(client, settings):
    settings.SIGNUPS_PER_IP_PER_HOUR = 2
    sign_up(client, "ann", password2="a-typo")
    sign_up(client, "ann", password2="another-typo")
    refused = sign_up(client, "ann")
    assert PER_ADDRESS in refused.content.decode()
    assert not User.objects.exists()


def test_all_addresses_together_get_so_many_accounts_an_hour(client, settings):
    settings.SIGNUPS_PER_HOUR = 2
    assert sign_up(client, "ann", address=HOME).status_code == 302
    sign_up(client, "ann", address=HOME, email="other@example.com")  # taken name: no account
    assert sign_up(client, "ben", address=OFFICE).status_code == 302
    refused = sign_up(client, "cat", address=CAFE)
    assert "taking a lot of new accounts" in refused.content.decode()
    assert User.objects.count() == 2


def test_zero_turns_a_limit_off(client, settings):
    settings.SIGNUPS_PER_IP_PER_HOUR = 0
    settings.SIGNUPS_PER_HOUR = 0
    for name in ("ann", "ben", "cat"):
        assert sign_up(client, name).status_code == 302
    assert not Throttle.objects.exists()


def test_addresses_are_not_stored(client):
    sign_up(client, "ann")
    keys = list(Throttle.objects.values_list("key", flat=True))
    assert len(keys) == 2
    assert not any(HOME in key for key in keys)


def test_one_address_can_ask_for_so_many_password_resets_an_hour(client, settings, owner):
    from django.core import mail

    settings.PASSWORD_RESETS_PER_IP_PER_HOUR = 2
    for _ in range(2):
        response = client.post("/accounts/password/reset/", {"email": "alice@example.com"},
                               REMOTE_ADDR=HOME)  # fmt: skip
        assert response.status_code == 302
    refused = client.post(
        "/accounts/password/reset/", {"email": "alice@example.com"}, REMOTE_ADDR=HOME
    )
    assert refused.status_code == 200
    assert "Too many password reset e-mails" in refused.content.decode()
    assert len(mail.outbox) == 2
    other = client.post("/accounts/password/reset/", {"email": "alice@example.com"},
                        REMOTE_ADDR=OFFICE)  # fmt: skip
    assert other.status_code == 302
    assert len(mail.outbox) == 3
