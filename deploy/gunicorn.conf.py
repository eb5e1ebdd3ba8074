"""gunicorn's settings for the portal: the Procfile's web line and the systemd unit use them.

BIND, PORT and WEB_CONCURRENCY come from the environment, as on most platforms.
"""

import os

# Loopback unless told otherwise: the TLS proxy in front runs on the same machine.
# BIND is one or more full addresses ("0.0.0.0:8000", "unix:/run/portal.sock",
# separated by commas); without it, PORT on 127.0.0.1.
bind = [address.strip() for address in os.environ.get("BIND", "").split(",") if address.strip()]
bind = bind or [f"127.0.0.1:{os.environ.get('PORT', '8000')}"]
# Sync workers: each serves one request at a time; 2-4 per core. Uploads of a tune's
# photos are the longest requests; Astria is never called from a request.
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
timeout = 60
# On SIGTERM, requests in progress get this long to finish (systemd waits longer).
graceful_timeout = 30
# Replace each worker now and then, so memory a request grabbed is given back.
max_requests = 1000
max_requests_jitter = 100
accesslog = "-"
# The path without its query string: callback tokens travel in query strings (R10).
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms'


def child_exit(server, worker):
    """prometheus_client's multiprocess mode: a dead worker's live gauges leave /metrics.

    Imported only when the folder is set in this process's environment: the library
    picks its mode once, at import, and the workers forked later inherit it.
    """
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
