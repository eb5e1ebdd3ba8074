"""Lost callbacks: the reconciler finds overdue tunes and polls them (R11, R12)."""

from datetime import timedelta
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from astria_portal.astria import AstriaClient, RemoteTune
from tests.helpers import drain_queue
from tunes import tasks
from tunes.models import Tune

pytestmark = pytest.mark.django_db


def submitted(make_tune, **fields):
    tune = make_tune(**fields)
    tune.submit()
    drain_queue()
    tune.refresh_from_db()
    return tune


def test_a_tune_whose_callback_never_came_is_trained_by_the_reconciler(emulator, make_tune):
    tune = submitted(make_tune)  # callbacks are dropped
    assert tune.status == Tune.Status.TRAINING
    emulator.tune(tune.remote_id, "finish")
    assert tasks.reconcile_tunes() == 0  # not overdue yet

    with time_machine.travel(tune.next_check_at + timedelta(seconds=1)):
        assert tasks.reconcile_tunes() == 1
        drain_queue()
    tune.refresh_from_db()
    assert tune.status == Tune.Status.TRAINED
    assert tune.trained_at is not None
    assert tune.expires_at == tune.trained_at + timedelta(days=30)
    assert len(mail.outbox) == 1
    assert "is trained" in mail.outbox[0].subject

    with time_machine.travel(timedelta(hours=3)):
        tasks.reconcile_tunes()
        drain_queue()
    assert len(mail.outbox) == 1


def test_a_slow_tune_is_polled_with_backoff_then_marked_overdue(make_tune, settings):
    tune = make_tune()
    started = timezone.now()
    Tune.objects.filter(pk=tune.pk).update(
        status=Tune.Status.TRAINING, remote_id=77, eta=started, next_check_at=started
    )
    training = RemoteTune(id=77, eta=started, started_training_at=started)
    client = mock.create_autospec(AstriaClient, instance=True)
    client.get_tune.return_value = training
    with mock.patch("astria_portal.astria.get_client", return_value=client):
        with time_machine.travel(started + timedelta(seconds=1), tick=False):
            tasks.reconcile_tunes()
            tune.refresh_from_db()
            assert tune.status == Tune.Status.TRAINING
            assert tune.next_check_at - timezone.now() == timedelta(
                seconds=settings.CALLBACK_GRACE * 2
            )
        with time_machine.travel(started + timedelta(seconds=settings.STALL_AFTER + 60)):
            Tune.objects.filter(pk=tune.pk).update(next_check_at=timezone.now())
            tasks.reconcile_tunes()
        tune.refresh_from_db()
        assert tune.status == Tune.Status.STALLED

        client.get_tune.return_value = RemoteTune(id=77, trained_at=timezone.now())
        with time_machine.travel(tune.next_check_at + timedelta(seconds=1)):
            tasks.reconcile_tunes()
    tune.refresh_from_db()
    assert tune.status == Tune.Status.TRAINED  # overdue is not final
    client.get_tune.assert_called_with(77)


def test_it_polls_at_most_a_batch_per_run_and_honours_retry_after(emulator, make_tune, settings):
    settings.RECONCILE_BATCH = 5
    tunes = [submitted(make_tune, photos=4) for _ in range(8)]
    for tune in tunes:
        emulator.tune(tune.remote_id, "finish")
    due = max(t.next_check_at for t in tunes) + timedelta(seconds=1)
    emulator.fault(method="GET", path=r"/tunes/\d+", status=429, times=1, retry_after=120)
    with time_machine.travel(due, tick=False):
        tasks.reconcile_tunes()
        gets = emulator.requests("GET")
        assert len([g for g in gets if g["path"].startswith("/tunes/")]) == 1
        waiting = Tune.objects.filter(next_check_at__gte=timezone.now() + timedelta(seconds=120))
        assert waiting.count() == 5
    with time_machine.travel(due + timedelta(seconds=121)):
        tasks.reconcile_tunes()
        drain_queue()
    assert Tune.objects.filter(status=Tune.Status.TRAINED).count() == 5


def test_a_tune_astria_no_longer_has_fails(emulator, make_tune):
    tune = submitted(make_tune)
    emulator.tune(tune.remote_id, "expire")
    with time_machine.travel(tune.next_check_at + timedelta(seconds=1)):
        tasks.reconcile_tunes()
    tune.refresh_from_db()
    assert tune.status == Tune.Status.FAILED
    assert "no longer" in tune.last_error


def test_a_failed_training_is_shown_with_astrias_message(emulator, make_tune):
    emulator.config(train_seconds=3600)
    tune = submitted(make_tune)
    emulator.tune(tune.remote_id, "fail", user_error="Too few faces found", signal="user_error")
    tasks.refresh_tune(tune.pk)
    drain_queue()
    tune.refresh_from_db()
    assert tune.status == Tune.Status.FAILED
    assert tune.last_error == "Too few faces found"
    assert "could not be trained" in mail.outbox[0].body


def test_a_stale_answer_never_moves_a_tune_backwards(make_tune):
    tune = make_tune()
    now = timezone.now()
    Tune.objects.filter(pk=tune.pk).update(status=Tune.Status.TRAINED, trained_at=now, remote_id=5)
    tune.refresh_from_db()
    stale = RemoteTune(id=5, eta=now, started_training_at=now)
    assert tune.apply_remote(stale) is False
    assert tune.mark_failed("late failure") is False
    tune.refresh_from_db()
    assert (tune.status, tune.trained_at, tune.last_error) == (Tune.Status.TRAINED, now, "")
