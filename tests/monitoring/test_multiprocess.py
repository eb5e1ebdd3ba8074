"""Several processes, one /metrics: prometheus_client's multiprocess mode."""

import os
import runpy
import subprocess
import sys
from pathlib import Path

import pytest
from prometheus_client.multiprocess import MultiProcessCollector

from astria_portal import metrics
from tests.monitoring.helpers import sample, scrape

ROOT = Path(__file__).resolve().parents[2]
# A process of the portal that calls Astria (as django-q2's workers do), says so, then
# keeps running for a while or exits.
CALL_ASTRIA = (
    "import sys, time, django; django.setup(); "
    "from astria_portal.astria import AstriaClient, RetryLater; "
    "client = AstriaClient('http://127.0.0.1:9', 'sd_key', timeout=(2, 2))\n"
    "for _ in range(int(sys.argv[1])):\n"
    "    try: client.get_tune(12)\n"
    "    except RetryLater: pass\n"
    "print('counted', flush=True); time.sleep(float(sys.argv[2]))\n"
)


def portal_process(folder, calls, keep_running=0):
    env = {name: value for name, value in os.environ.items() if not name.startswith("PYTEST_")}
    env.update(DJANGO_SETTINGS_MODULE="astria_portal.settings")
    env["PROMETHEUS_MULTIPROC_DIR"] = str(folder)
    env.pop("DATABASE_URL", None)
    process = subprocess.Popen(
        [sys.executable, "-c", CALL_ASTRIA, str(calls), str(keep_running)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert process.stdout.readline() == "counted\n", process.stderr.read()
    return process


@pytest.mark.django_db
def test_metrics_add_up_what_every_process_of_the_machine_counted(
    client, metrics_on, tmp_path, monkeypatch
):
    running = portal_process(tmp_path, calls=2, keep_running=60)  # a web server, say
    try:
        portal_process(tmp_path, calls=3).wait()  # a worker process, since recycled
        assert len(list(tmp_path.glob("counter_*.db"))) == 2  # one file per process
        monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
        text = scrape(client)
    finally:
        running.kill()
        running.wait()
    labels = {"method": "GET", "route": "/tunes/:id", "outcome": "ConnectionError"}
    assert sample(text, "portal_astria_calls_total", **labels) == 5
    assert sample(text, "portal_database_up") == 1  # and the database's figures, once


def test_a_process_starting_alone_empties_the_folder_of_a_previous_run(tmp_path):
    portal_process(tmp_path, calls=2).wait()
    portal_process(tmp_path, calls=1).wait()
    (left,) = tmp_path.glob("counter_*.db")  # only the second one's
    merged = MultiProcessCollector.merge([str(left)])
    (family,) = [f for f in merged if f.name == "portal_astria_calls"]
    assert [s.value for s in family.samples if s.name.endswith("_total")] == [1]


def touch(folder, name):
    (folder / name).write_bytes(b"")
    return folder / name


def a_dead_pid():
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_a_fresh_start_empties_the_folder_of_a_previous_run(tmp_path):
    dead = a_dead_pid()
    stale = [touch(tmp_path, f"counter_{dead}.db"), touch(tmp_path, f"histogram_{dead}.db")]
    metrics.prepare_folder(tmp_path)
    assert not any(path.exists() for path in stale)


def test_while_a_writer_runs_nothing_is_removed(tmp_path):
    """Counters must not go down while the service runs: a dead process's counts stay."""
    dead = a_dead_pid()
    running = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        files = [touch(tmp_path, f"counter_{pid}.db") for pid in (dead, running.pid)]
        metrics.prepare_folder(tmp_path)
        assert all(path.exists() for path in files)
    finally:
        running.kill()
        running.wait()


def test_this_processs_own_files_are_kept(tmp_path):
    mine = touch(tmp_path, f"counter_{os.getpid()}.db")
    metrics.prepare_folder(tmp_path)
    assert mine.exists()


def test_the_folder_is_created_when_missing(tmp_path):
    metrics.prepare_folder(tmp_path / "metrics")
    assert (tmp_path / "metrics").is_dir()


def test_gunicorn_marks_a_dead_worker_in_the_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    live = touch(tmp_path, "gauge_livesum_4242.db")
    counts = touch(tmp_path, "counter_4242.db")
    hooks = runpy.run_path(str(ROOT / "deploy" / "gunicorn.conf.py"))

    class Worker:
        pid = 4242

    hooks["child_exit"](None, Worker())
    assert not live.exists()
    assert counts.exists()  # what it counted still adds up


def test_route_templates_never_carry_ids():
    assert metrics.route("/tunes/12/prompts/345") == "/tunes/:id/prompts/:id"
    assert metrics.route("/prompts/9?limit=3") == "/prompts/:id"
    assert metrics.route("/users") == "/users"
