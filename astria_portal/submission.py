"""Create objects on Astria reliably: the state machine shared by tunes and prompts.

RELIABILITY.md §2.2. The row is written (with its idempotency key) before any
request; a task claims it with a conditional update and a lease; every outcome
is recorded on the row; a sweep re-runs whatever is due, including rows whose
worker died mid-request (the lease runs out). A row that may already have been
created on Astria is looked up before it is posted again.
"""

import logging
import random
from datetime import timedelta

from django.conf import settings
from django.db.models.functions import Coalesce
from django.utils import timezone
from django_q.tasks import async_task

from astria_portal import astria

log = logging.getLogger(__name__)

# Astria: after a 504, wait at least 60 s before sending the same request again.
AMBIGUOUS_WAIT = 60
UNAUTHORIZED_WAIT = 10 * 60


def backoff(attempt):
    """Seconds to wait after the given failed attempt (1-based): 30 s doubling, jittered."""
    base = min(settings.SUBMIT_BACKOFF_CAP, 30 * 2 ** (attempt - 1))
    return base * random.uniform(1.0, 1.5)


def claim(model, pk):
    """Take the row for one submission attempt, or return None if it is not due."""
    now = timezone.now()
    job = model.objects.filter(pk=pk).first()
    if job is None or job.status not in model.SUBMIT_STATUSES:
        return None
    if job.next_attempt_at is None or job.next_attempt_at > now:
        return None
    rows = model.objects.filter(
        pk=pk, status=job.status, next_attempt_at=job.next_attempt_at
    ).update(
        status=model.SUBMITTING,
        # Longer than the longest create request (read timeout 45 s plus uploads), so
        # a live worker is never overtaken; a dead one is retried after it.
        next_attempt_at=now + timedelta(seconds=settings.SUBMIT_LEASE),
        posted_at=Coalesce("posted_at", now),
        updated_at=now,
    )
    if rows != 1:
        return None
    maybe_created = job.posted_at is not None
    job.refresh_from_db()
    return job, maybe_created


def submit(model, pk, *, create, find_existing):
    """Run one submission attempt. create(client, job) and find_existing(client, job)
    return a remote object (find_existing may return None)."""
    claimed = claim(model, pk)
    if claimed is None:
        return "not due"
    job, maybe_created = claimed
    client = astria.get_client()
    try:
        remote = find_existing(client, job) if maybe_created else None
        if remote is None:
            remote = create(client, job)
    except astria.Unauthorized as exc:
        # Our key is wrong, not the user's request: keep the job until an operator fixes it.
        log.error("Astria refused the API key (%s); fix ASTRIA_API_KEY", exc.status)
        return _retry(job, exc, minimum=UNAUTHORIZED_WAIT)
    except astria.PermanentError as exc:
        log.warning("%s %s refused by Astria: %s", model.__name__, job.code, exc.message)
        job.fail_submission(exc)
        return "failed"
    except astria.Ambiguous as exc:
        return _retry(job, exc, minimum=AMBIGUOUS_WAIT)
    except astria.RetryLater as exc:
        return _retry(job, exc, minimum=exc.retry_after or 0)
    job.adopt(remote)
    return "submitted"


def _retry(job, exc, minimum):
    attempt = job.attempts + 1
    if attempt >= settings.SUBMIT_MAX_ATTEMPTS:
        log.error("%s %s: giving up after %d attempts", type(job).__name__, job.code, attempt)
        job.fail_submission(exc, gave_up=True)
        return "gave up"
    delay = max(backoff(attempt), minimum)
    now = timezone.now()
    job.record_error(exc, at=now, attempts=attempt, next_attempt_at=now + timedelta(seconds=delay))
    log.info("%s %s: attempt %d failed (%s), next in %.0f s", type(job).__name__, job.code,
             attempt, exc.message, delay)  # fmt: skip
    return "retry"


def enqueue_due(queryset, task, limit=100):
    """Enqueue task for rows of queryset that are due (lost tasks, retries, dead workers)."""
    due = queryset.filter(next_attempt_at__lte=timezone.now()).order_by("next_attempt_at")
    pks = list(due.values_list("pk", flat=True)[:limit])
    for pk in pks:
        async_task(task, pk)
    return len(pks)
