"""Logging in by username or e-mail address, and out again."""

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import User

pytestmark = pytest.mark.django_db
GOOD = "correct-horse-battery"


def log_in(client, login, password=GOOD):
    return client.post("/accounts/login/", {"login": login, "password": password})


@pytest.mark.parametrize("login", ["alice", "alice@example.com", "ALICE@example.com"])
def test_log_in_by_username_or_email_and_log_out(client, owner, login):
    response = log_in(client, login)
    assert response.status_code == 302
    assert response["Location"] == "/tunes/"
    assert client.get("/tunes/").status_code == 200

    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert client.get("/tunes/").status_code == 302


def test_a_wrong_password_is_refused(client, owner):
    response = log_in(client, "alice", "wrong")
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert "_auth_user_id" not in client.session


def test_an_unverified_account_can_log_in_and_look_around(client):
    user = User.objects.create_user("erin", "erin@example.com", GOOD)
    EmailAddress.objects.create(user=user, email=user.email, verified=False, primary=True)
    response = log_in(client, "erin")
    assert response.status_code == 302
    assert response["Location"] == "/tunes/"
    assert client.get("/tunes/").status_code == 200


def test_password_change(client, owner):
    client.force_login(owner)
    response = client.post(
        "/accounts/password/change/",
        {"oldpassword": GOOD, "password1": "another-passphrase-31",
         "password2": "another-passphrase-31"},
    )  # fmt: skip
    assert response.status_code == 302
    owner.refresh_from_db()
    assert owner.check_password("another-passphrase-31")
