"""What each process counts for /metrics: request latencies and Astria calls.

Everything else on /metrics is read from the database at scrape time (monitoring/).
These two happen in many processes: gunicorn's workers serve the requests, and Astria
is called by django-q2's workers (and now and then by a web process). With
PROMETHEUS_MULTIPROC_DIR set in the environment before prometheus_client is first
imported, every process on the machine writes its values to files in that folder and
the /metrics view adds them up; without it, each process counts only for itself.
"""

import os
import re
from pathlib import Path

from prometheus_client import Counter, Histogram

# Up to a minute: an upload of 20 photos takes seconds, a page a few milliseconds.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)

REQUEST_SECONDS = Histogram(
    "portal_http_request_duration_seconds",
    "Time to answer a request, by view name and status class (2xx, 4xx...).",
    ["view", "status"],
    buckets=LATENCY_BUCKETS,
)
ASTRIA_CALLS = Counter(
    "portal_astria_calls_total",
    "Calls to Astria's API, by method, route (ids as :id) and outcome "
    "(the HTTP status, or the exception when there was no answer).",
    ["method", "route", "outcome"],
)

_ID = re.compile(r"/\d+(?=/|$)")


def route(path):
    """The route template of an API path: /tunes/1/prompts/2 -> /tunes/:id/prompts/:id."""
    return _ID.sub("/:id", path.split("?", 1)[0])


def count_astria_call(method, path, outcome):
    ASTRIA_CALLS.labels(method, route(path), str(outcome)).inc()


def folder():
    """The shared folder of multiprocess mode, or None when each process counts alone."""
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


def prepare_folder(path):
    """Create the folder, and empty it of a previous run's files when no process that
    wrote to it is still running (a fresh start of the machine's web server and worker).

    While any writer runs nothing is removed: a dead process's counts stay part of the
    totals, so that counters never go down while the service runs.
    """
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    files = list(path.glob("*.db"))
    others = {_pid(file) for file in files} - {os.getpid()}
    if any(_running(pid) for pid in others):
        return
    for file in files:
        pid = _pid(file)
        if pid != os.getpid() and not _running(pid):
            file.unlink(missing_ok=True)


def _pid(file):
    """The writer of a file named like counter_1234.db (None if it is not one of those)."""
    tail = file.stem.rsplit("_", 1)[-1]
    return int(tail) if tail.isdigit() else None


def _running(pid):
    if pid is None:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True
