"""/healthz is healthy as soon as a worker runs, not after the scheduler's first pass."""

import multiprocessing
import queue

import pytest
from django.db import DatabaseError
from django_q.worker import worker

from astria_portal.models import Heartbeat

pytestmark = pytest.mark.django_db


def start_a_worker():
    """django-q2's worker loop in this process, stopped at once."""
    tasks, results = queue.Queue(), queue.Queue()
    tasks.put("STOP")
    worker(tasks, results, multiprocessing.Value("f", -1))


def test_a_worker_beats_as_it_starts(client):
    assert client.get("/healthz").status_code == 503
    start_a_worker()
    assert Heartbeat.age() is not None and Heartbeat.age() < 5
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["worker"]["ok"] is True


def test_a_worker_starts_even_if_it_cannot_beat(client, monkeypatch, caplog):
    def broken():
        raise DatabaseError("database is locked")

    monkeypatch.setattr(Heartbeat, "beat", broken)
    start_a_worker()  # no exception: the worker still takes its tasks
    assert "could not write its heartbeat" in caplog.text
    assert client.get("/healthz").status_code == 503
