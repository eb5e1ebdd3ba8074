"""Many callbacks for one tune cost a bounded amount (R5, R6): one refresh waiting at a
time, a few receipts, a few statements each; a deleted tune takes none at all."""

import json
import threading
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.models import User
from django.db import connection, connections
from django.forms.models import model_to_dict
from django.test import Client
from django.utils import timezone
from django_q.models import OrmQ

from astria_portal import astria
from astria_portal.callbacks import callback_url
from astria_portal.models import CallbackReceipt
from tests.helpers import drain_queue, queued_funcs
from tunes import tasks
from tunes.models import Tune

pytestmark = pytest.mark.django_db

REFRESH = "tunes.tasks.refresh_tune"
CAP = CallbackReceipt.PER_OBJECT


@pytest.fixture
def tune(make_tune):
    tune = make_tune()
    Tune.objects.filter(pk=tune.pk).update(status=Tune.Status.TRAINING, remote_id=4242)
    tune.refresh_from_db()
    return tune


def url_of(tune):
    return callback_url("tune", tune).removeprefix("http://127.0.0.1:8000")


def post(client, tune, n):
    """A callback with a body not seen before (n makes it distinct)."""
    body = {"tune": {"id": tune.remote_id, "trained_at": None, "n": n}}
    return client.post(url_of(tune), json.dumps(body), content_type="application/json")


@pytest.fixture
def fake_astria(monkeypatch):
    """Astria's answer to every refresh: the tune still training. Returns the reads made."""
    reads = []
    monkeypatch.setattr(astria, "get_client", lambda: object())

    def fetch_remote(tune, client):
        reads.append(tune.pk)
        return astria.RemoteTune(id=tune.remote_id)

    monkeypatch.setattr(Tune, "fetch_remote", fetch_remote)
    return reads


def test_a_storm_of_distinct_callbacks_makes_one_refresh_and_one_read(client, tune, fake_astria):
    for n in range(50):
        assert post(client, tune, n).status_code == 204

    assert queued_funcs() == [REFRESH]
    assert drain_queue() == [REFRESH]
    assert fake_astria == [tune.pk]


def test_a_tune_keeps_a_few_receipts_and_counts_the_rest_on_one_of_them(client, tune):
    assert post(client, tune, 0).status_code == 204
    assert post(client, tune, 0).status_code == 204  # a repeat counts on its own receipt
    for n in range(1, CAP + 40):
        assert post(client, tune, n).status_code == 204

    receipts = CallbackReceipt.objects.filter(kind="tune", object_code=tune.code)
    assert receipts.count() == CAP
    assert sum(receipts.values_list("times_received", flat=True)) == CAP + 41
    assert receipts.get(body_sha256=CallbackReceipt.LATER).times_received == 41
    assert receipts.order_by("received_at", "pk").first().times_received == 2
    tune.refresh_from_db()
    assert tune.callback_receipts == CAP - 1


def test_a_callback_while_the_refresh_reads_astria_enqueues_exactly_one_more(
    client, tune, fake_astria, monkeypatch
):
    assert post(client, tune, 0).status_code == 204
    real_fetch = Tune.fetch_remote

    def fetch_during_a_storm(job, astria_client):
        if len(fake_astria) == 0:
            # Astria calls back again while the first refresh is reading the tune:
            # what it says may be newer than what that read sees.
            for n in range(1, 20):
                assert post(client, tune, n).status_code == 204
        return real_fetch(job, astria_client)

    monkeypatch.setattr(Tune, "fetch_remote", fetch_during_a_storm)

    assert drain_queue() == [REFRESH, REFRESH]
    assert len(fake_astria) == 2


def test_a_lost_refresh_holds_callbacks_back_only_until_the_reconciler_runs(client, tune, emulator):
    assert post(client, tune, 0).status_code == 204
    OrmQ.objects.all().delete()  # the task is lost (removed, or failed before it started)

    assert post(client, tune, 1).status_code == 204
    assert queued_funcs() == []
    tasks.reconcile_tunes()  # too early: the broker may still hand the task out
    assert post(client, tune, 2).status_code == 204
    assert queued_funcs() == []
    later = timezone.now() + timedelta(seconds=settings.Q_CLUSTER["retry"] + 1)
    with time_machine.travel(later):
        tasks.reconcile_tunes()
        assert post(client, tune, 3).status_code == 204
    assert queued_funcs() == [REFRESH]


def test_an_early_callback_and_the_adoption_share_one_refresh(
    client, emulator, make_tune, monkeypatch
):
    real_create = tasks._create

    def create_then_callbacks(astria_client, tune):
        remote = real_create(astria_client, tune)
        # Astria finishes and calls back, many times, before the remote id is stored.
        emulator.tune(remote.id, "finish")
        for n in range(5):
            body = {"tune": {"id": remote.id, "n": n}}
            response = client.post(url_of(tune), json.dumps(body), content_type="application/json")
            assert response.status_code == 204
        return remote

    monkeypatch.setattr(tasks, "_create", create_then_callbacks)
    tune = make_tune()
    tune.submit()

    ran = drain_queue()

    assert ran.count(REFRESH) == 1
    tune.refresh_from_db()
    assert tune.status == Tune.Status.TRAINED
    assert len(emulator.requests("GET", f"/tunes/{tune.remote_id}")) == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_callbacks_leave_one_refresh_and_a_few_receipts():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL")
    owner = User.objects.create_user("racer")
    tune = Tune.objects.create(
        owner=owner, name="t", class_name="man", model_kind="sd15", status="training", remote_id=1
    )
    start = threading.Barrier(6)
    statuses = []

    def storm(worker):
        try:
            client = Client()
            start.wait()
            statuses.extend(post(client, tune, worker * 100 + n).status_code for n in range(5))
            statuses.append(post(client, tune, 0).status_code)  # a repeat, racing the first
        finally:
            connections.close_all()

    threads = [threading.Thread(target=storm, args=(worker,)) for worker in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert statuses == [204] * 36
    assert queued_funcs() == [REFRESH]
    receipts = CallbackReceipt.objects.filter(kind="tune", object_code=tune.code)
    assert receipts.count() == CAP
    assert sum(receipts.values_list("times_received", flat=True)) == 36
    assert Tune.objects.get(pk=tune.pk).callback_receipts == CallbackReceipt.BODIES


def test_the_intake_takes_a_few_statements_and_fewer_in_a_storm(
    client, tune, django_assert_max_num_queries
):
    # Look-up; receipt slot and refresh mark; receipt; task; the savepoint around them.
    with django_assert_max_num_queries(6):
        assert post(client, tune, 0).status_code == 204
    for n in range(1, CAP + 1):
        post(client, tune, n)
    # Look-up; one more on a receipt; the savepoint.
    with django_assert_max_num_queries(4):
        assert post(client, tune, CAP + 1).status_code == 204
    assert queued_funcs() == [REFRESH]


@pytest.mark.parametrize("status", [Tune.Status.DELETING, Tune.Status.DELETED, Tune.Status.EXPIRED])
def test_a_callback_for_a_deleted_tune_stores_and_enqueues_nothing(client, tune, status):
    Tune.objects.filter(pk=tune.pk).update(status=status)
    before = model_to_dict(Tune.objects.get(pk=tune.pk))

    for n in range(3):
        assert post(client, tune, n).status_code == 204

    assert not CallbackReceipt.objects.exists()
    assert OrmQ.objects.count() == 0
    assert model_to_dict(Tune.objects.get(pk=tune.pk)) == before
