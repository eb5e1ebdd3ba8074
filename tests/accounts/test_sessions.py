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
