"""A production start from the Procfile on loopback: release, two web servers, a worker.

Nothing from the test's own settings reaches the processes: they read production
settings from the environment, against a throw-away database, as a deployment would.
"""

import re

import pytest
import requests

from drills.stack import free_port
from tests.deploy.conftest import Process, procfile, production_env, run, wait_for

SECRET_QUERY = "t=not-for-the-access-log"


@pytest.fixture(scope="module")
def released(database_url, tmp_path_factory):
    """The environment after the Procfile's release line ran once."""
    env = production_env(database_url, tmp_path_factory.mktemp("deploy"))
    result = run(procfile()["release"], env, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    return env


def test_the_procfile_has_release_web_and_worker_lines():
    lines = procfile()
    assert set(lines) == {"release", "web", "worker"}
    assert lines["web"].startswith("gunicorn astria_portal.wsgi ")
    assert lines["worker"] == "python manage.py qcluster"
    assert "migrate" in lines["release"] and "collectstatic" in lines["release"]


def test_release_creates_the_shared_cache_table(released):
    """Several processes share the default cache, a table that migrate creates."""
    write = "from django.core.cache import cache; cache.set('deploy-check', 'shared', 60)"
    read = "from django.core.cache import cache; print(cache.get('deploy-check'))"
    assert run(f'python manage.py shell -c "{write}"', released).returncode == 0
    result = run(f'python manage.py shell -c "{read}"', released)
    assert result.stdout.split()[-1] == "shared", result.stderr


def test_a_production_start_serves_the_app_and_stops_gracefully(released, tmp_path):
    user = "from django.contrib.auth.models import User; User.objects.create_user('ops', '', 'Deploy-Pass-2026')"  # noqa: E501
    assert run(f'python manage.py shell -c "{user}"', released).returncode == 0
    ports = [free_port(), free_port()]
    webs = [
        Process(procfile()["web"], {**released, "PORT": str(port)}, tmp_path / f"web{n}.log")
        for n, port in enumerate(ports)
    ]
    worker = Process(procfile()["worker"], released, tmp_path / "worker.log")
    try:
        first, second = (f"http://127.0.0.1:{port}" for port in ports)
        # Booting takes what it takes on a busy machine; once the web server answers,
        # /healthz is healthy within seconds: each worker process beats as it starts,
        # without waiting for the scheduler's first pass (about 30 s after the start).
        assert wait_for(f"{first}/favicon.ico", lambda r: True, 60) is not None, webs[0].output()
        health = wait_for(f"{first}/healthz?{SECRET_QUERY}", lambda r: r.status_code == 200, 10)
        assert health is not None, webs[0].output()
        assert health.status_code == 200, (health.text, worker.output()[-2000:])
        assert health.json()["database"]["ok"] and health.json()["worker"]["ok"]

        home = requests.get(f"{second}/", timeout=10)
        assert home.status_code == 200 and "Astria Portal" in home.text
        assert "DEBUG" not in home.text and home.headers["X-Frame-Options"] == "DENY"
        icon = requests.get(f"{first}/favicon.ico", timeout=10)  # whitenoise, hashed names
        assert icon.status_code == 200 and icon.headers["Content-Type"] == "image/svg+xml"
        assert re.search(r"/static/img/favicon\.[0-9a-f]{12}\.svg$", icon.url)

        # Log in on one web server; the session and CSRF work on the other.
        browser = requests.Session()
        form = browser.get(f"{first}/accounts/login/", timeout=10)
        assert form.status_code == 200  # what the README suggests for health checks
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
        login = browser.post(
            f"{first}/accounts/login/",
            data={"login": "ops", "password": "Deploy-Pass-2026", "csrfmiddlewaretoken": token},
            allow_redirects=False,
            timeout=10,
        )
        assert login.status_code == 302, login.text[:500]
        tunes = browser.get(f"{second}/tunes/", allow_redirects=False, timeout=10)
        assert tunes.status_code == 200
        assert "ops" in tunes.text
    finally:
        codes = [web.stop(grace=40) for web in webs]
        worker_code = worker.stop(grace=60)
    assert codes == [0, 0], [web.output()[-2000:] for web in webs]
    assert worker_code is not None, "the worker did not stop within 60 s of SIGTERM"
    log = webs[0].output()
    assert '"GET /healthz"' in log  # the access log is on...
    assert SECRET_QUERY not in log  # ...without query strings, where callback tokens travel
