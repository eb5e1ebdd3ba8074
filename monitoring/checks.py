"""System checks for /metrics and its multiprocess folder."""

import os

from django.conf import settings
from django.core.checks import Error, Warning

from astria_portal import metrics

# Shorter than this, a bearer token could be guessed.
TOKEN_MIN_LENGTH = 24


def check_metrics(app_configs=None, **kwargs):
    path = metrics.folder()
    if path and not (os.path.isdir(path) and os.access(path, os.W_OK | os.X_OK)):
        return [
            Error(
                f"PROMETHEUS_MULTIPROC_DIR {path!r} is not a folder this process can write to.",
                hint="Create it on the machine's local disk for the web server and the "
                "worker's user, or unset the variable.",
                id="monitoring.E001",
            )
        ]
    return []


def check_metrics_deploy(app_configs=None, **kwargs):
    token = settings.METRICS_TOKEN
    if not token:
        return []
    found = []
    if len(token) < TOKEN_MIN_LENGTH:
        found.append(
            Warning(
                f"METRICS_TOKEN is shorter than {TOKEN_MIN_LENGTH} characters.",
                hint="python -c 'import secrets; print(secrets.token_urlsafe(32))'",
                id="monitoring.W001",
            )
        )
    if not metrics.folder():
        found.append(
            Warning(
                "/metrics is on but PROMETHEUS_MULTIPROC_DIR is not set: each process "
                "counts for itself, so a scrape sees one web process's requests and none "
                "of the worker's Astria calls.",
                hint="Set PROMETHEUS_MULTIPROC_DIR to one folder for the web server and "
                "the worker of this machine (README: Monitoring).",
                id="monitoring.W002",
            )
        )
    return found
