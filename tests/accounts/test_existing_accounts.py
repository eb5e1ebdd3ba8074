"""Accounts from before allauth: their address is on record, unverified, so the
new-tune form can send them the verification link."""

import importlib

import pytest
from allauth.account.models import EmailAddress
from django.apps import apps
from django.contrib.auth.models import User
from django.core import mail

from tests.accounts.helpers import confirm_email

pytestmark = pytest.mark.django_db
migration = importlib.import_module("accounts.migrations.0002_addresses_of_existing_users")


def test_an_old_account_gets_its_address_unverified_and_can_verify_it(client):
    old = User.objects.create_user("olaf", "Olaf@Example.com", "correct-horse-battery")
    twin = User.objects.create_user("olaf2", "olaf@example.com", "correct-horse-battery")
    User.objects.create_user("nomail", "", "correct-horse-battery")
    migration.add_addresses(apps, None)
    migration.add_addresses(apps, None)  # nothing twice
    [address] = EmailAddress.objects.all()
    assert (address.user, address.email, address.verified, address.primary) == (
        old, "olaf@example.com", False, True
    )  # fmt: skip
    assert not EmailAddress.objects.filter(user=twin).exists()

    client.force_login(old)
    client.post("/accounts/email/", {"email": "olaf@example.com", "action_send": ""})
    confirm_email(client, mail.outbox[-1])
    assert EmailAddress.objects.get(user=old).verified
