"""Sign-up with allauth: the address is verified by a link before the first fine-tune,
and a taken address gets the same answer as a new one."""

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import User
from django.core import mail

from tests.accounts.helpers import SIGNUP, confirm_email, link_in, outbox_to

pytestmark = pytest.mark.django_db


def test_sign_up_sends_a_verification_link_and_logs_in_once_it_is_followed(client):
    response = client.post("/accounts/signup/", SIGNUP)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    user = User.objects.get(username="dana")
    assert user.email == "dana@example.com"
    assert not EmailAddress.objects.get(user=user).verified
    assert "_auth_user_id" not in client.session
    [message] = outbox_to("dana@example.com")

    response = confirm_email(client, message)
    assert response.status_code == 302
    assert response["Location"] == "/tunes/"
    assert EmailAddress.objects.get(user=user).verified
    assert client.session["_auth_user_id"] == str(user.pk)


def test_a_taken_address_gets_the_same_answer_and_its_owner_an_email(client, owner):
    fresh = client.post("/accounts/signup/", {**SIGNUP, "email": "new@example.com"})
    # The page repeats the address typed; nothing else differs.
    page_fresh = client.get(fresh["Location"]).content.replace(b"new@example.com", b"@")
    taken = client.post(
        "/accounts/signup/", {**SIGNUP, "username": "erin", "email": "ALICE@example.com"}
    )
    page_taken = client.get(taken["Location"]).content.replace(b"alice@example.com", b"@")
    assert (taken.status_code, taken["Location"]) == (fresh.status_code, fresh["Location"])
    assert page_taken == page_fresh
    assert not User.objects.filter(username="erin").exists()
    [warning] = outbox_to("alice@example.com")
    assert "already" in warning.body.lower()
    assert "/accounts/password/reset/" in warning.body


def test_sign_up_refuses_mismatched_passwords_and_keeps_the_input(client):
    response = client.post("/accounts/signup/", {**SIGNUP, "password2": "something-else-99"})
    assert response.status_code == 200
    assert response.context["form"].errors["password2"]
    assert b'value="dana"' in response.content
    assert not User.objects.exists()
    assert mail.outbox == []


def test_sign_up_can_be_turned_off(client, settings):
    settings.SIGNUP_ENABLED = False
    assert client.get("/accounts/signup/").status_code == 404
    assert client.post("/accounts/signup/", SIGNUP).status_code == 404
    assert not User.objects.exists()
    assert b"/accounts/signup/" not in client.get("/accounts/login/").content


def test_the_pages_and_emails_say_the_site_name_not_the_host(client, settings):
    settings.SITE_NAME = "Portrait Studio"
    page = client.get("/accounts/signup/", HTTP_HOST="127.0.0.1")
    assert b"Portrait Studio" in page.content
    client.post("/accounts/signup/", SIGNUP, HTTP_HOST="127.0.0.1")
    [message] = mail.outbox
    assert "Portrait Studio" in message.subject
    assert "Portrait Studio" in message.body
    assert "127.0.0.1" not in message.subject
    assert "Hello from 127.0.0.1" not in message.body
    assert link_in(message, "/accounts/confirm-email/")


def test_changing_the_address_asks_for_a_new_verification(client, owner):
    client.force_login(owner)
    response = client.post("/accounts/email/", {"action_add": "", "email": "alice@new.example"})
    assert response.status_code == 302
    owner.refresh_from_db()
    assert owner.email == "alice@example.com"  # until the new one is verified
    [message] = outbox_to("alice@new.example")
    confirm_email(client, message)
    owner.refresh_from_db()
    assert owner.email == "alice@new.example"
    assert EmailAddress.objects.get(user=owner, primary=True).verified
