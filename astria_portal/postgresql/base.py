"""Django's PostgreSQL backend, with a health check that costs no round trip.

With CONN_HEALTH_CHECKS, Django asks a reused connection "SELECT 1" before the first
query of every request: a round trip to the server on every page and every image.
When PostgreSQL restarts, or ends a connection (pg_terminate_backend, an idle
timeout), it says so and closes the socket, and an idle connection's socket then has
something to read. So a socket with nothing to read, on a connection with no
transaction open, is taken as healthy without asking; anything else gets Django's
own check. After an error in a request, Django's check is always made.
"""

import select

from django.db.backends.postgresql import base
from psycopg import pq


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self):
        if not self.errors_occurred and self.connection is not None and self._quiet():
            return True
        return super().is_usable()

    def _quiet(self):
        """Whether the idle connection's socket has nothing to say (no wait)."""
        pgconn = self.connection.pgconn
        if pgconn.status != pq.ConnStatus.OK:
            return False
        if pgconn.transaction_status != pq.TransactionStatus.IDLE:
            return False
        try:
            readable, _, _ = select.select([pgconn.socket], [], [], 0)
        except (OSError, ValueError):
            return False
        return not readable
