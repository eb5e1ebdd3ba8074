from datetime import timedelta

import time_machine
from django.db import DatabaseError, connection

from astria_portal import __version__
from astria_portal.models import Heartbeat


def test_it_is_unhealthy_before_the_worker_ever_ran(client, db):
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "fail"
    assert body["database"]["ok"] is True
    assert body["worker"] == {"ok": False, "heartbeat_age_seconds": None, "max_age_seconds": 300}


def test_it_is_healthy_with_a_fresh_heartbeat(client, db):
    Heartbeat.beat()
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["version"] == __version__
    assert body["worker"]["ok"] is True
    assert response["Cache-Control"].startswith("max-age=0")


def test_it_turns_unhealthy_when_the_heartbeat_goes_stale(client, db):
    Heartbeat.beat()
    with time_machine.travel(timedelta(seconds=299)):
        assert client.get("/healthz").status_code == 200
    with time_machine.travel(timedelta(seconds=301)):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["worker"]["heartbeat_age_seconds"] >= 301


def test_it_reports_an_unreachable_database(client, db, monkeypatch):
    Heartbeat.beat()

    def broken_cursor(*args, **kwargs):
        raise DatabaseError("connection refused")

    with monkeypatch.context() as patch:
        patch.setattr(connection, "cursor", broken_cursor)
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"]["ok"] is False


def test_it_answers_only_get(client, db):
    assert client.post("/healthz").status_code == 405
