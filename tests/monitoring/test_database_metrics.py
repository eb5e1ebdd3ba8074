"""What /metrics reads from the database: queue, failures, callbacks, purge, heartbeat."""

import math
import uuid
from datetime import timedelta

import pytest
import time_machine
from django.db import DatabaseError
from django.utils import timezone
from django_q.models import OrmQ, Task
from django_q.tasks import async_task

from astria_portal.models import CallbackReceipt, Heartbeat
from monitoring import collectors
from tests.monitoring.helpers import sample, scrape
from tunes.models import Tune

pytestmark = pytest.mark.django_db

NOW = timezone.now().replace(microsecond=0)


def test_it_counts_waiting_and_claimed_tasks_and_the_oldest_ones_age(client, metrics_on):
    with time_machine.travel(NOW, tick=False):
        async_task("astria_portal.tasks.heartbeat")
    with time_machine.travel(NOW + timedelta(seconds=30), tick=False):
        async_task("astria_portal.tasks.heartbeat")
        OrmQ.objects.create(key="astria_portal", payload="claimed", lock=NOW + timedelta(hours=1))
    with time_machine.travel(NOW + timedelta(seconds=90), tick=False):
        text = scrape(client)
    assert sample(text, "portal_tasks_queued", state="waiting") == 2
    assert sample(text, "portal_tasks_queued", state="claimed") == 1
    assert sample(text, "portal_tasks_oldest_waiting_age_seconds") == 90


def test_an_empty_queue_has_no_age(client, metrics_on):
    text = scrape(client)
    assert sample(text, "portal_tasks_queued", state="waiting") == 0
    assert sample(text, "portal_tasks_oldest_waiting_age_seconds") == 0


def finished(func, success, stopped):
    Task.objects.create(
        id=uuid.uuid4().hex, name=uuid.uuid4().hex, func=func, started=stopped,
        stopped=stopped, success=success,
    )  # fmt: skip


def test_it_counts_the_last_hours_failures_by_function(client, metrics_on):
    finished("tunes.tasks.submit_tune", False, NOW - timedelta(minutes=10))
    finished("tunes.tasks.submit_tune", False, NOW - timedelta(minutes=50))
    finished("tunes.tasks.submit_tune", False, NOW - timedelta(minutes=70))  # too old
    finished("tunes.tasks.submit_tune", True, NOW - timedelta(minutes=5))  # a success
    finished("prompts.tasks.download_images", False, NOW - timedelta(minutes=1))
    with time_machine.travel(NOW, tick=False):
        text = scrape(client)
    assert sample(text, "portal_task_failures_last_hour", func="tunes.tasks.submit_tune") == 2
    assert sample(text, "portal_task_failures_last_hour", func="prompts.tasks.download_images") == 1


def receipt(kind, verdict, received_at):
    CallbackReceipt.objects.create(
        kind=kind, object_code=uuid.uuid4(), body_sha256=uuid.uuid4().hex * 2,
        verdict=verdict, received_at=received_at, last_received_at=received_at,
    )  # fmt: skip


def test_it_counts_the_last_hours_callbacks_by_kind_and_verdict(client, metrics_on):
    receipt("tune", "refresh", NOW - timedelta(minutes=3))
    receipt("prompt", "refresh", NOW - timedelta(minutes=2))
    receipt("prompt", "refresh", NOW - timedelta(minutes=20))
    receipt("prompt", "ignored", NOW - timedelta(minutes=30))
    receipt("prompt", "refresh", NOW - timedelta(hours=3))  # too old
    with time_machine.travel(NOW, tick=False):
        text = scrape(client)
    assert sample(text, "portal_callbacks_last_hour", kind="tune", verdict="refresh") == 1
    assert sample(text, "portal_callbacks_last_hour", kind="prompt", verdict="refresh") == 2
    assert sample(text, "portal_callbacks_last_hour", kind="prompt", verdict="ignored") == 1
    assert sample(text, "portal_callback_newest_age_seconds") == 120


def test_with_no_callback_kept_the_newest_is_infinitely_old(client, metrics_on):
    assert sample(scrape(client), "portal_callback_newest_age_seconds") == math.inf


def test_it_shows_the_purges_backlog(client, metrics_on, make_tune, settings):
    settings.RETENTION_DAYS = 30
    ended = NOW - timedelta(days=30)
    make_tune(status=Tune.Status.TRAINED, trained_at=ended - timedelta(hours=3))
    make_tune(status=Tune.Status.TRAINED, trained_at=ended - timedelta(minutes=5))
    make_tune(status=Tune.Status.TRAINED, trained_at=ended + timedelta(days=1))  # not yet
    with time_machine.travel(NOW, tick=False):
        text = scrape(client)
    assert sample(text, "portal_retention_overdue_tunes") == 2
    assert sample(text, "portal_retention_oldest_overdue_seconds") == 3 * 3600


def test_nothing_overdue_has_no_age(client, metrics_on):
    text = scrape(client)
    assert sample(text, "portal_retention_overdue_tunes") == 0
    assert sample(text, "portal_retention_oldest_overdue_seconds") == 0


def test_it_shows_the_workers_heartbeat_age(client, metrics_on):
    assert sample(scrape(client), "portal_worker_heartbeat_age_seconds") == math.inf
    with time_machine.travel(NOW, tick=False):
        Heartbeat.beat()
    with time_machine.travel(NOW + timedelta(seconds=42), tick=False):
        assert sample(scrape(client), "portal_worker_heartbeat_age_seconds") == 42


def test_an_unreachable_database_still_leaves_the_processes_counts(client, metrics_on, monkeypatch):
    client.get("/accounts/login/")

    def broken(now):
        raise DatabaseError("connection refused")

    monkeypatch.setattr(collectors, "_queue", broken)
    text = scrape(client)
    assert sample(text, "portal_database_up") == 0
    assert sample(text, "portal_tasks_queued", state="waiting") is None
    login = {"view": "account_login", "status": "2xx"}
    assert sample(text, "portal_http_request_duration_seconds_count", **login)
