"""Sessions are Django's database sessions, read with one plain SELECT."""

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.sessions import SessionStore

pytestmark = pytest.mark.django_db


def saved(**data):
    store = SessionStore()
    store.update(data)
    store.save()
    return store.session_key


def test_a_saved_session_is_read_back_with_one_plain_select():
    key = saved(colour="blue", count=3)
    with CaptureQueriesContext(connection) as queries:
        store = SessionStore(key)
        assert (store["colour"], store["count"]) == ("blue", 3)
    [query] = queries
    assert query["sql"].startswith("SELECT session_data FROM")


def test_an_expired_session_reads_as_empty_and_gets_a_new_key():
    key = saved(colour="blue")
    Session.objects.filter(pk=key).update(expire_date=timezone.now() - timedelta(seconds=1))
    store = SessionStore(key)
    assert "colour" not in store
    assert store.session_key is None
    store["colour"] = "red"
    store.save()
    assert store.session_key != key


def test_an_unknown_or_deleted_session_reads_as_empty():
    assert dict(SessionStore("x" * 32).items()) == {}
    key = saved(colour="blue")
    Session.objects.filter(pk=key).delete()
    assert dict(SessionStore(key).items()) == {}


def test_a_signed_in_browser_stays_signed_in_until_its_session_is_deleted(owner_client, owner):
    assert owner_client.get("/tunes/").status_code == 200
    Session.objects.all().delete()
    assert owner_client.get("/tunes/").status_code == 302


def test_the_signed_in_user_is_read_with_one_plain_select(owner_client, owner):
    owner_client.get("/tunes/")
    with CaptureQueriesContext(connection) as queries:
        assert owner_client.get("/tunes/").status_code == 200
    [user] = [query["sql"] for query in queries if "auth_user" in query["sql"]]
    assert user.startswith('SELECT * FROM "auth_user" WHERE "id" = ')


@pytest.mark.parametrize(
    "old",
    [
        "django.contrib.auth.backends.ModelBackend",
        "allauth.account.auth_backends.AuthenticationBackend",
    ],
)
def test_a_session_that_names_a_backend_from_before_stays_signed_in(client, owner, old):
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    key = saved(
        **{
            SESSION_KEY: str(owner.pk),
            BACKEND_SESSION_KEY: old,
            HASH_SESSION_KEY: owner.get_session_auth_hash(),
        }
    )
    client.cookies["sessionid"] = key
    assert client.get("/tunes/").status_code == 200


def test_an_inactive_user_is_signed_out(owner_client, owner):
    type(owner).objects.filter(pk=owner.pk).update(is_active=False)
    assert owner_client.get("/tunes/").status_code == 302


def test_a_changed_password_signs_out_other_sessions(owner_client, owner):
    owner.set_password("another-horse-battery")
    owner.save()
    assert owner_client.get("/tunes/").status_code == 302
