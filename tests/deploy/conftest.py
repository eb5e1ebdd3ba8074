"""Start the project's own processes the way a deployment does, against a throw-away database."""

import contextlib
import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def procfile():
    """The Procfile's process types and their commands."""
    lines = (ROOT / "Procfile").read_text().splitlines()
    return dict(line.split(": ", 1) for line in lines if line.strip() and not line.startswith("#"))


@pytest.fixture(scope="module")
def database_url(tmp_path_factory):
    """A throw-away database: on the PostgreSQL server the suite runs on, else SQLite."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'db.sqlite3'}"
        return
    import psycopg

    parts = urlsplit(url)
    name = f"deploy_{secrets.token_hex(4)}"
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    yield urlunsplit(parts._replace(path=f"/{name}"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


def production_env(database_url, tmp_path, **extra):
    """Production settings, as in .ci/run's deploy check, over plain HTTP on loopback."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("DJANGO_", "PYTEST_")) and name != "DATABASE_URL"
    }
    env.update(
        PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}",
        DEBUG="false",
        SECRET_KEY="deploy-test-" + secrets.token_urlsafe(40),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        PUBLIC_BASE_URL="http://127.0.0.1:8000",
        ASTRIA_API_KEY="sd_deploy_placeholder",
        ASTRIA_API_URL="http://127.0.0.1:9",  # nothing calls Astria here
        SECURE_SSL_REDIRECT="false",  # plain HTTP on loopback
        SECURE_COOKIES="false",
        DATABASE_URL=database_url,
        MEDIA_ROOT=str(tmp_path / "media"),
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


def run(command, env, **kwargs):
    return subprocess.run(
        ["sh", "-c", command], cwd=ROOT, env=env, capture_output=True, text=True, **kwargs
    )


class Process:
    """A Procfile command started as the platform would (a shell that execs it)."""

    def __init__(self, command, env, log):
        self.log = log
        self.popen = subprocess.Popen(
            ["sh", "-c", f"exec {command}"], cwd=ROOT, env=env, stdout=open(log, "wb"),  # noqa: SIM115
            stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip

    def output(self):
        return Path(self.log).read_text(errors="replace")

    def stop(self, grace):
        """SIGTERM the main process only (systemd's KillMode=mixed); return its exit code,
        or None if it was still running after grace seconds (then the group is killed)."""
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
        try:
            return self.popen.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            return None
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait()


def wait_for(url, ready, seconds):
    deadline = time.monotonic() + seconds
    while True:
        try:
            response = requests.get(url, timeout=5)
            if ready(response):
                return response
        except requests.RequestException:
            response = None
        if time.monotonic() > deadline:
            return response
        time.sleep(0.5)
