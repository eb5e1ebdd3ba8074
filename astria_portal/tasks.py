import logging

from django.db import DatabaseError

from astria_portal.models import Heartbeat

log = logging.getLogger(__name__)


def heartbeat():
    """Record that a worker is alive and running scheduled tasks."""
    Heartbeat.beat()


def worker_started(sender, proc_name=None, **kwargs):
    """django-q2's post_spawn, in each worker process as it starts: beat at once, so that
    /healthz is healthy from the start rather than after the scheduler's first pass."""
    try:
        Heartbeat.beat()
    except DatabaseError:
        # The worker must start anyway; the scheduled heartbeat tries again.
        log.warning("Worker %s could not write its heartbeat", proc_name, exc_info=True)
