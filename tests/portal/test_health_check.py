"""A reused PostgreSQL connection is checked by reading its socket, not by asking the server."""

import time
from unittest import mock

import pytest
from django.db import connection, connections
from django.db.backends.postgresql import base as django_postgresql

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's backend"),
]


@pytest.fixture
def other():
    """A second connection of the portal's own backend, as a web worker keeps one."""
    conn = connections.create_connection("default")
    conn.ensure_connection()
    yield conn
    conn.close()


@pytest.fixture
def asked():
    """The calls to Django's own check, which sends SELECT 1."""
    with mock.patch.object(
        django_postgresql.DatabaseWrapper, "is_usable", autospec=True, return_value=True
    ) as spy:
        yield spy


def test_the_portal_uses_its_own_backend():
    assert type(connections["default"]).__module__ == "astria_portal.postgresql.base"
    assert connection.settings_dict["CONN_HEALTH_CHECKS"] is True


def test_an_idle_healthy_connection_is_not_asked(other, asked):
    assert other.is_usable() is True
    assert asked.call_count == 0


def test_a_connection_after_an_error_is_asked(other, asked):
    other.errors_occurred = True
    assert other.is_usable() is True
    assert asked.call_count == 1


def test_a_connection_inside_a_transaction_is_asked(other, asked):
    other.set_autocommit(False)
    other.cursor().execute("SELECT 1")
    assert other.is_usable() is True
    assert asked.call_count == 1
    other.rollback()


def test_a_connection_the_server_ended_is_replaced(other):
    pid = other.connection.info.backend_pid
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    deadline = time.monotonic() + 10
    while other._quiet() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert other.is_usable() is False
    # What Django does before a request's first query: close it, then connect afresh.
    other.health_check_enabled, other.health_check_done = True, False
    other.close_if_health_check_failed()
    assert other.connection is None
    with other.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        assert cursor.fetchone()[0] != pid
