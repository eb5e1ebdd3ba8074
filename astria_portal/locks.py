"""One run at a time of a periodic job, across every worker on every machine.

django-q2's scheduler hands each due schedule to one cluster (select_for_update on
PostgreSQL), but a run that outlasts its interval, a redelivered task or an
operator's ``manage.py purge`` can still meet another run of the same job. The
jobs stay correct anyway, since every row they act on is claimed with a
conditional update, but two purges or reconcilers at once would double the calls
to Astria for nothing. A session-level PostgreSQL advisory lock keeps them apart;
it is released with its connection if the process dies.

SQLite deployments run one cluster on one machine (README), where the rows' own
claims are enough: there the lock is always granted.
"""

import hashlib
from contextlib import contextmanager
from functools import wraps

from django.db import DatabaseError, connection

SKIPPED = "skipped: another run holds the lock"


def _key(name):
    digest = hashlib.sha256(f"astria_portal:{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


@contextmanager
def exclusive(name):
    """Yield True while this process holds the lock called name, False if another does."""
    if connection.vendor != "postgresql":
        yield True
        return
    key = _key(name)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
        held = cursor.fetchone()[0]
    if not held:
        yield False
        return
    try:
        yield True
    finally:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [key])
        except DatabaseError:
            # The session is broken or aborted: closing it releases the lock.
            connection.close()


def one_at_a_time(name):
    """Run the decorated job only if no other run of it is going on; else return SKIPPED."""

    def decorate(func):
        @wraps(func)
        def run(*args, **kwargs):
            with exclusive(name) as held:
                if not held:
                    return SKIPPED
                return func(*args, **kwargs)

        return run

    return decorate
