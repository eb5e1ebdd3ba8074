"""A task that raises in django-q2's worker reaches Sentry, with nothing secret in it."""

import logging
import multiprocessing
import os
import queue
import subprocess
import sys
from pathlib import Path

import pytest
import sentry_sdk
from django.conf import settings
from django_q import worker as worker_module
from django_q.worker import worker

from astria_portal.models import Heartbeat
from tests.helpers import API_KEY, wait_for
from tests.monitoring.helpers import exception_types

ROOT = Path(__file__).resolve().parents[2]
CALLBACK = "https://portal.example.com/callbacks/prompt/1b2c/?token=s3cr3t-cb-t0ken"
FUNC = "tests.monitoring.test_sentry_worker.refresh_from_astria"


@pytest.fixture(autouse=True)
def _worker_loop_in_a_test(monkeypatch):
    """These tests use no database: not for the heartbeat the worker writes as it starts
    (tests/portal/test_heartbeat_at_start.py), nor for closing old connections."""
    monkeypatch.setattr(Heartbeat, "beat", lambda: None)
    monkeypatch.setattr(worker_module, "close_old_django_connections", lambda: None)
    # The loop would recycle itself after a task once this test process, not a worker,
    # holds more memory than a worker may (Q_CLUSTER max_rss).
    monkeypatch.setattr(worker_module, "rss_check", lambda: False)


def refresh_from_astria(callback):
    api_key = settings.ASTRIA_API_KEY  # noqa: F841 (a local variable Sentry would show)
    raise ValueError(f"Astria answered 500 for {callback}")


def run_in_a_worker(*tasks):
    """django-q2's worker loop in this process: the tasks, then its stop signal."""
    tasks_in, results = queue.Queue(), queue.Queue()
    for n, (func, args) in enumerate(tasks):
        tasks_in.put({"id": f"task-{n}", "name": f"task-{n}", "func": func, "args": args,
                      "kwargs": {}})  # fmt: skip
    tasks_in.put("STOP")
    worker(tasks_in, results, multiprocessing.Value("f", -1), timeout=30)
    return [results.get_nowait() for _ in tasks]


def test_an_exception_in_a_task_reaches_sentry(settings, start_sentry):
    settings.ASTRIA_API_KEY = API_KEY
    standin = start_sentry()
    (result,) = run_in_a_worker((FUNC, (CALLBACK,)))
    assert result["success"] is False  # django-q2 still records the failure as before
    sentry_sdk.flush(timeout=5)

    (event,) = standin.events()
    assert exception_types(event) == ["ValueError"]
    assert event["exception"]["values"][0]["mechanism"] == {"type": "django_q", "handled": False}
    assert event["transaction"] == FUNC


def test_nothing_secret_from_a_task_leaves_for_sentry(settings, start_sentry):
    settings.ASTRIA_API_KEY = API_KEY
    standin = start_sentry()
    run_in_a_worker((FUNC, (CALLBACK,)))
    sentry_sdk.flush(timeout=5)

    (event,) = standin.events()
    assert b"s3cr3t-cb-t0ken" not in standin.raw
    assert API_KEY.encode() not in standin.raw
    assert "token=[redacted]" in event["exception"]["values"][0]["value"]
    frame = event["exception"]["values"][0]["stacktrace"]["frames"][-1]
    assert frame["function"] == "refresh_from_astria"
    assert frame["vars"]["api_key"] == "[redacted]"


def test_each_task_reports_only_its_own_breadcrumbs(settings, start_sentry, caplog):
    standin = start_sentry()
    run_in_a_worker(
        ("tests.monitoring.test_sentry_worker.say", ("from the first task",)),
        (FUNC, (CALLBACK,)),
    )
    sentry_sdk.flush(timeout=5)

    (event,) = standin.events()
    crumbs = [crumb.get("message", "") for crumb in event["breadcrumbs"]["values"]]
    assert not any("from the first task" in crumb for crumb in crumbs), crumbs


def test_the_monitors_line_about_the_same_failure_is_not_sent_twice(start_sentry):
    standin = start_sentry()
    queue_log = logging.getLogger("django-q")
    queue_log.error("Failed '%s' (task-0) - boom : Traceback ...", FUNC)
    queue_log.critical("reincarnated worker Process-1 after timeout")
    sentry_sdk.flush(timeout=5)

    (event,) = standin.events()
    assert event["logentry"]["message"] == "reincarnated worker Process-1 after timeout"


def say(text):
    logging.getLogger("tunes.tasks").warning(text)


def test_a_real_worker_process_reports_a_failed_task(tmp_path, sentry_standin):
    """manage.py qcluster as deployed: the SDK started in the cluster's main process
    sends from the worker process forked from it."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("PYTEST_")}
    env.update(DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}", SENTRY_DSN=sentry_standin.dsn,
               Q_WORKERS="1", DJANGO_SETTINGS_MODULE="astria_portal.settings")  # fmt: skip
    enqueue = "from django_q.tasks import async_task; async_task('math.sqrt', -1)"
    for command in (["migrate", "-v0"], ["shell", "-c", enqueue]):
        done = subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env,
                              capture_output=True, text=True)  # fmt: skip
        assert done.returncode == 0, done.stderr
    cluster = subprocess.Popen([sys.executable, "manage.py", "qcluster"], cwd=ROOT, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        events = wait_for(sentry_standin.events, lambda events: events, seconds=60)
    finally:
        cluster.terminate()
        cluster.wait(timeout=90)
    (event,) = events
    assert exception_types(event) == ["ValueError"]
    assert event["transaction"] == "math.sqrt"
