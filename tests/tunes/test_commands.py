"""The operators' commands: purge (with --dry-run) and reconcile."""

from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

from tests.helpers import drain_queue
from tests.tunes.retention_helpers import media_files, trained_on_emulator
from tunes.models import DeletionRecord, Tune

pytestmark = pytest.mark.django_db


def run(*args):
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_purge_dry_run_lists_and_purge_deletes(emulator, make_tune):
    tune = trained_on_emulator(make_tune, emulator)
    files = media_files()
    # Astria keeps tunes 30 days too. Expired before the clock moves: the emulator
    # runs in this process, and its own clock would otherwise race the call.
    emulator.tune(tune.remote_id, "expire")
    with time_machine.travel(tune.retention_ends_at + timedelta(hours=1), tick=False):
        output = run("purge", "--dry-run")
        assert "Dry run: nothing was changed." in output
        assert "Tunes past their retention: 1" in output
        assert f"{tune.code} Astria #{tune.remote_id}" in output
        assert media_files() == files

        output = run("purge")
    assert "Deleted: 1" in output
    assert "Left for the next run (Astria error or in progress): 0" in output
    assert Tune.objects.get(pk=tune.pk).status == Tune.Status.EXPIRED
    assert DeletionRecord.objects.count() == 1
    assert media_files() == []


def test_reconcile_polls_what_is_in_flight_now(emulator, make_tune):
    tune = make_tune()
    tune.submit()
    drain_queue()
    tune.refresh_from_db()
    emulator.tune(tune.remote_id, "finish")
    output = run("reconcile")
    assert "Tunes polled: 0" in output  # not overdue yet
    output = run("reconcile", "--all")
    assert "Tunes polled: 1" in output
    tune.refresh_from_db()
    assert tune.status == Tune.Status.TRAINED
