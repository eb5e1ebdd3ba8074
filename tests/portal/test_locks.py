"""Periodic jobs run one at a time across every worker and machine (PostgreSQL)."""

from concurrent.futures import ThreadPoolExecutor
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections

from astria_portal import locks
from prompts import tasks as prompt_tasks
from tunes import tasks as tune_tasks

pytestmark = pytest.mark.django_db

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="advisory locks need PostgreSQL"
)


def elsewhere(func, *args):
    """Run func on another thread: another database connection, as another worker has."""

    def run():
        try:
            return func(*args)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(run).result(timeout=30)


def try_lock(name):
    with locks.exclusive(name) as held:
        return held


@postgresql_only
def test_a_held_lock_is_refused_elsewhere_until_it_is_released():
    with locks.exclusive("purge") as held:
        assert held
        assert elsewhere(try_lock, "purge") is False
        assert elsewhere(try_lock, "reconcile tunes") is True  # each job has its own
    assert elsewhere(try_lock, "purge") is True


@postgresql_only
def test_a_scheduled_job_skips_while_another_run_holds_its_lock():
    with locks.exclusive("purge"):
        assert elsewhere(tune_tasks.purge_expired) == locks.SKIPPED
    assert elsewhere(tune_tasks.purge_expired) != locks.SKIPPED


@postgresql_only
def test_every_periodic_job_is_guarded():
    jobs = {
        "sweep tunes": tune_tasks.sweep_tunes,
        "reconcile tunes": tune_tasks.reconcile_tunes,
        "purge": tune_tasks.purge_expired,
        "warn expiring": tune_tasks.warn_expiring,
        "sweep prompts": prompt_tasks.sweep_prompts,
        "reconcile prompts": prompt_tasks.reconcile_prompts,
    }
    for name, job in jobs.items():
        with locks.exclusive(name):
            assert elsewhere(job) == locks.SKIPPED, name


@postgresql_only
def test_the_purge_command_refuses_while_a_purge_runs():
    def purge_now():
        call_command("purge", stdout=StringIO())

    with locks.exclusive("purge"), pytest.raises(CommandError, match="running already"):
        elsewhere(purge_now)


@postgresql_only
def test_the_reconcile_command_leaves_a_running_reconciler_alone(emulator):
    def reconcile_now():
        out = StringIO()
        call_command("reconcile", stdout=out)
        return out.getvalue()

    with locks.exclusive("reconcile tunes"):
        output = elsewhere(reconcile_now)
    assert "Tunes polled: 0, then left to the scheduled run that is polling now" in output
    assert "Prompts polled: 0" in output


@postgresql_only
def test_a_lock_dies_with_its_connection():
    """A worker killed mid-run frees its jobs: the session, and its lock, end with it."""

    def hold_and_vanish():
        with locks.exclusive("purge") as held:
            connection.close()  # as if the process died
            return held

    assert elsewhere(hold_and_vanish) is True
    assert try_lock("purge") is True


@pytest.mark.skipif(connection.vendor == "postgresql", reason="SQLite's behaviour")
def test_on_sqlite_the_lock_is_always_granted():
    """One cluster on one machine: the jobs' own row claims are enough there."""
    with locks.exclusive("purge") as held:
        assert held
        with locks.exclusive("purge") as again:
            assert again
