"""Password reset by e-mail: the same answer for known and unknown addresses, and a
reset ends the account's login lockout."""

import pytest
from django.core import mail

from tests.accounts.helpers import link_in

pytestmark = pytest.mark.django_db
NEW = "brand-new-passphrase-77"


def reset(client, email="alice@example.com"):
    return client.post("/accounts/password/reset/", {"email": email})


def choose_new_password(client, message, password=NEW):
    path = link_in(message, "/accounts/password/reset/key/")
    response = client.get(path, follow=True)
    form_url = response.redirect_chain[-1][0] if response.redirect_chain else path
    return client.post(form_url, {"password1": password, "password2": password})


def test_password_reset_by_email(client, owner):
    response = reset(client)
    assert response.status_code == 302
    [message] = mail.outbox
    assert message.to == ["alice@example.com"]
    response = choose_new_password(client, message)
    assert response.status_code == 302
    owner.refresh_from_db()
    assert owner.check_password(NEW)


def test_an_unknown_address_gets_the_same_answer_and_no_email(client, owner):
    known = reset(client)
    unknown = reset(client, "nobody@example.com")
    assert (unknown.status_code, unknown["Location"]) == (known.status_code, known["Location"])
    assert client.get(unknown["Location"]).content == client.get(known["Location"]).content
    assert [m.to for m in mail.outbox] == [["alice@example.com"]]


def test_a_reset_ends_the_lockout(client, owner, settings):
    settings.AXES_FAILURE_LIMIT = 5
    for _ in range(5):
        client.post("/accounts/login/", {"login": "alice", "password": "wrong"})
    locked = client.post(
        "/accounts/login/", {"login": "alice", "password": "correct-horse-battery"}
    )
    assert locked.status_code == 429

    reset(client)
    choose_new_password(client, mail.outbox[-1])
    client.logout()
    response = client.post("/accounts/login/", {"login": "alice", "password": NEW})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(owner.pk)
