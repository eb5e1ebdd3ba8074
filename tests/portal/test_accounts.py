import re

import pytest
from django.contrib.auth.models import User
from django.core import mail

SIGNUP = {
    "username": "dana",
    "email": "Dana@Example.com",
    "password1": "a-strong-passphrase-42",
    "password2": "a-strong-passphrase-42",
}


@pytest.mark.django_db
def test_sign_up_creates_an_account_and_logs_in(client):
    response = client.post("/accounts/signup/", SIGNUP, follow=True)
    assert response.redirect_chain[-1][0] == "/tunes/"
    user = User.objects.get(username="dana")
    assert user.email == "dana@example.com"
    assert response.context["user"] == user
    assert b"Welcome, dana" in response.content


@pytest.mark.django_db
def test_sign_up_refuses_a_taken_email(client, owner):
    response = client.post("/accounts/signup/", {**SIGNUP, "email": "ALICE@example.com"})
    assert response.status_code == 200
    assert "already exists" in response.context["form"].errors["email"][0]
    assert not User.objects.filter(username="dana").exists()


@pytest.mark.django_db
def test_sign_up_refuses_mismatched_passwords_and_keeps_the_input(client):
    response = client.post("/accounts/signup/", {**SIGNUP, "password2": "something-else-99"})
    assert response.status_code == 200
    assert response.context["form"].errors["password2"]
    assert b'value="dana"' in response.content
    assert not User.objects.exists()


@pytest.mark.django_db
def test_sign_up_can_be_turned_off(client, settings):
    settings.SIGNUP_ENABLED = False
    assert client.get("/accounts/signup/").status_code == 404
    assert client.post("/accounts/signup/", SIGNUP).status_code == 404
    assert not User.objects.exists()
    assert b"/accounts/signup/" not in client.get("/accounts/login/").content


def test_log_in_and_log_out(client, owner):
    response = client.post(
        "/accounts/login/", {"username": "alice", "password": "correct-horse-battery"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/tunes/"
    assert client.get("/tunes/").status_code == 200

    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert client.get("/tunes/").status_code == 302


def test_a_wrong_password_is_refused(client, owner):
    response = client.post("/accounts/login/", {"username": "alice", "password": "wrong"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert "_auth_user_id" not in client.session


def test_password_reset_by_email(client, owner):
    response = client.post("/accounts/password_reset/", {"email": "alice@example.com"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["alice@example.com"]
    link = re.search(r"http://testserver(/accounts/reset/\S+)", mail.outbox[0].body).group(1)

    response = client.get(link, follow=True)
    assert response.context["validlink"] is True
    form_url = response.redirect_chain[-1][0]
    new_password = "brand-new-passphrase-77"
    response = client.post(form_url, {"new_password1": new_password, "new_password2": new_password})
    assert response.status_code == 302
    owner.refresh_from_db()
    assert owner.check_password(new_password)


def test_password_reset_for_an_unknown_address_sends_nothing(client, db):
    response = client.post("/accounts/password_reset/", {"email": "nobody@example.com"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_password_change(owner_client, owner):
    response = owner_client.post(
        "/accounts/password_change/",
        {
            "old_password": "correct-horse-battery",
            "new_password1": "another-passphrase-31",
            "new_password2": "another-passphrase-31",
        },
    )
    assert response.status_code == 302
    owner.refresh_from_db()
    assert owner.check_password("another-passphrase-31")
