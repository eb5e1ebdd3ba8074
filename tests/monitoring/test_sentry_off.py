"""Sentry is off unless SENTRY_DSN is set: no SDK at all without it."""

import os
import subprocess
import sys
from pathlib import Path

import sentry_sdk

ROOT = Path(__file__).resolve().parents[2]
PROBE = (
    "import django; django.setup(); import sentry_sdk; from django_q import worker; "
    "client = sentry_sdk.get_client(); "
    "print(sentry_sdk.is_initialized(), worker.error_reporter is not None, "
    "client.should_send_default_pii(), client.options.get('environment'))"
)


def probe(**environ):
    env = {name: value for name, value in os.environ.items()
           if not name.startswith(("SENTRY_", "PYTEST_"))}  # fmt: skip
    env.update(DJANGO_SETTINGS_MODULE="astria_portal.settings", **environ)
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_without_a_dsn_the_sdk_is_never_initialised():
    initialised, task_reporter, _pii, _environment = probe()
    assert initialised == "False"
    assert task_reporter == "False"


def test_with_a_dsn_web_and_worker_processes_report_without_personal_data():
    # Nothing is sent: nothing fails, and the address is a closed port on loopback.
    found = probe(SENTRY_DSN="http://public@127.0.0.1:9/1", SENTRY_ENVIRONMENT="staging")
    assert found == ["True", "True", "False", "staging"]


def test_the_test_run_itself_has_no_sdk():
    assert not sentry_sdk.is_initialized()
