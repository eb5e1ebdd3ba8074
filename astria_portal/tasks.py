from astria_portal.models import Heartbeat


def heartbeat():
    """Record that a worker is alive and running scheduled tasks."""
    Heartbeat.beat()
