"""What /metrics reads from the database at scrape time.

The queue, failures, callbacks, the purge's backlog and the heartbeat are all in the
one database every process shares, so any web server answers them for the whole
service: no counter in a process has to survive for them. Each scrape costs a handful
of small queries.
"""

import math
from datetime import timedelta

from django.db import DatabaseError
from django.db.models import Count, Max, Min
from django.utils import timezone
from django_q.models import Failure, OrmQ
from prometheus_client.core import GaugeMetricFamily

from astria_portal import __version__
from astria_portal.models import CallbackReceipt, Heartbeat
from tunes import retention

RECENT = timedelta(hours=1)


class DatabaseCollector:
    def collect(self):
        info = GaugeMetricFamily("portal_build_info", "The portal's version.", labels=["version"])
        info.add_metric([__version__], 1)
        yield info
        up = GaugeMetricFamily(
            "portal_database_up", "1 if the database answered this scrape, else 0."
        )
        try:
            families = list(self._from_database(timezone.now()))
        except DatabaseError:
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from families

    def _from_database(self, now):
        yield from _queue(now)
        yield from _failures(now)
        yield from _callbacks(now)
        yield from _retention(now)
        age = Heartbeat.age()
        yield _gauge(
            "portal_worker_heartbeat_age_seconds",
            "Seconds since a worker last showed it is alive (+Inf: never).",
            math.inf if age is None else age,
        )


def _gauge(name, documentation, value):
    family = GaugeMetricFamily(name, documentation)
    family.add_metric([], value)
    return family


def _queue(now):
    # django-q2's ORM broker: a waiting task's lock is the time it was enqueued; a
    # claimed one's lies in the future (when it may be delivered again).
    waiting = OrmQ.objects.filter(lock__lte=now)
    found = waiting.aggregate(n=Count("pk"), oldest=Min("lock"))
    claimed = OrmQ.objects.filter(lock__gt=now).count()
    queued = GaugeMetricFamily(
        "portal_tasks_queued", "Tasks in the queue: waiting for a worker, or claimed by one.",
        labels=["state"],
    )  # fmt: skip
    queued.add_metric(["waiting"], found["n"])
    queued.add_metric(["claimed"], claimed)
    yield queued
    oldest = found["oldest"]
    yield _gauge(
        "portal_tasks_oldest_waiting_age_seconds",
        "How long the oldest task waiting for a worker has waited (0: none waits).",
        (now - oldest).total_seconds() if oldest else 0,
    )


def _failures(now):
    rows = (
        Failure.objects.filter(stopped__gte=now - RECENT)
        .order_by()
        .values_list("func")
        .annotate(n=Count("pk"))
    )
    family = GaugeMetricFamily(
        "portal_task_failures_last_hour", "Tasks that raised in the last hour, by function.",
        labels=["func"],
    )  # fmt: skip
    for func, n in rows:
        family.add_metric([func], n)
    yield family


def _callbacks(now):
    recent = CallbackReceipt.objects.filter(received_at__gte=now - RECENT).order_by()
    rows = recent.values_list("kind", "verdict").annotate(n=Count("pk"))
    family = GaugeMetricFamily(
        "portal_callbacks_last_hour",
        "Distinct callbacks from Astria received in the last hour, by kind and verdict "
        "(refresh: acted on; ignored: already final). Refused tokens are 4xx answers of "
        "the callback view in portal_http_request_duration_seconds.",
        labels=["kind", "verdict"],
    )
    for kind, verdict, n in rows:
        family.add_metric([kind, verdict], n)
    yield family
    newest = CallbackReceipt.objects.aggregate(at=Max("received_at"))["at"]
    yield _gauge(
        "portal_callback_newest_age_seconds",
        "Seconds since the newest distinct callback arrived (+Inf: none kept).",
        math.inf if newest is None else (now - newest).total_seconds(),
    )


def _retention(now):
    yield _gauge(
        "portal_retention_overdue_tunes",
        "Tunes past their retention whose data is not deleted yet.",
        retention.overdue(now).count(),
    )
    age = retention.oldest_overdue(now)
    yield _gauge(
        "portal_retention_oldest_overdue_seconds",
        "How long the oldest data past its retention has waited for the purge (0: none).",
        age.total_seconds() if age else 0,
    )
