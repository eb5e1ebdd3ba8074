"""A failed tune is recognised from every signal Astria gives, and from its silence."""

from datetime import timedelta
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from astria_portal import quota
from astria_portal.astria import AstriaClient, parse_tune
from monitoring.dashboard import summary
from tests.helpers import drain_queue
from tunes import tasks
from tunes.models import Tune

pytestmark = pytest.mark.django_db


def training_tune(make_tune, owner, eta):
    tune = make_tune()
    quota.charge(owner.id, tunes=1)
    Tune.objects.filter(pk=tune.pk).update(
        status=Tune.Status.TRAINING, remote_id=2821958, eta=eta, next_check_at=eta
    )
    tune.refresh_from_db()
    return tune


def astria_answers(body):
    client = mock.create_autospec(AstriaClient, instance=True)
    client.get_tune.return_value = parse_tune(body)
    return mock.patch("astria_portal.astria.get_client", return_value=client)


def body(**fields):
    # The shape of Astria's own tune record (docs/astria.md): no user_error key at all.
    return {
        "id": 2821958,
        "title": "x",
        "name": "woman",
        "trained_at": None,
        "started_training_at": "2025-06-22T19:42:30.017Z",
        "eta": "2025-06-22T19:52:28.025Z",
        "failed_at": None,
        "model_type": "lora",
        **fields,
    }


def test_failed_at_alone_fails_the_tune_and_gives_its_allowance_back(make_tune, owner):
    tune = training_tune(make_tune, owner, timezone.now())
    assert quota.allowance(owner.id).tunes_used == 1
    with astria_answers(body(failed_at="2025-06-22T20:01:00.000Z")):
        assert tasks.refresh_tune(tune.pk) == Tune.Status.FAILED
        assert tasks.refresh_tune(tune.pk) == "nothing to refresh"
    drain_queue()
    tune.refresh_from_db()
    assert tune.status == Tune.Status.FAILED
    assert tune.last_error == "Astria marked it as failed without saying why."
    assert quota.allowance(owner.id).tunes_used == 0
    assert len(mail.outbox) == 1
    assert "could not be trained" in mail.outbox[0].body


def test_a_failure_message_under_another_known_name_is_shown(make_tune, owner):
    tune = training_tune(make_tune, owner, timezone.now())
    with astria_answers(body(failed_at="2025-06-22T20:01:00Z", fail_message="No face found")):
        tasks.refresh_tune(tune.pk)
    tune.refresh_from_db()
    assert (tune.status, tune.last_error) == (Tune.Status.FAILED, "No face found")


def test_a_tune_trained_after_an_earlier_failure_is_trained(make_tune, owner):
    # Astria's records keep failed_at from a failed first attempt once a retry trained.
    tune = training_tune(make_tune, owner, timezone.now())
    trained = body(failed_at="2024-12-03T10:20:01.543Z", trained_at="2024-12-06T09:36:00.000Z")
    with astria_answers(trained):
        assert tasks.refresh_tune(tune.pk) == Tune.Status.TRAINED
    assert quota.allowance(owner.id).tunes_used == 1


def test_a_tune_astria_never_finishes_is_failed_once_long_past_its_eta(make_tune, owner, settings):
    eta = timezone.now()
    tune = training_tune(make_tune, owner, eta)
    silent = body(eta=eta.isoformat())
    with astria_answers(silent):
        with time_machine.travel(eta + timedelta(seconds=settings.STALL_AFTER + 60)):
            tasks.reconcile_tunes()
        tune.refresh_from_db()
        assert tune.status == Tune.Status.STALLED
        assert quota.allowance(owner.id).tunes_used == 1

        late = eta + timedelta(seconds=settings.TUNE_GIVE_UP_AFTER + 60)
        with time_machine.travel(late):
            Tune.objects.filter(pk=tune.pk).update(next_check_at=timezone.now())
            assert tasks.reconcile_tunes() == 1
            drain_queue()
            tune.refresh_from_db()
            assert tune.status == Tune.Status.FAILED
            assert "reported no error" in tune.last_error
            assert "train again" in tune.last_error
            assert tune.next_check_at is None
            # Nothing left to poll, and the refund is not given twice.
            assert tasks.reconcile_tunes() == 0
            assert tune.give_up() is False
            assert quota.allowance(owner.id).tunes_used == 0
    with time_machine.travel(late):
        errors = summary()["errors"]
    assert errors["total"] == 1
    assert errors["latest"][0][1].pk == tune.pk
    assert len(mail.outbox) == 1


def test_a_slow_tune_is_not_given_up_before_its_time(make_tune, owner, settings):
    eta = timezone.now()
    tune = training_tune(make_tune, owner, eta)
    almost = eta + timedelta(seconds=settings.TUNE_GIVE_UP_AFTER - 60)
    with astria_answers(body(eta=eta.isoformat())), time_machine.travel(almost):
        Tune.objects.filter(pk=tune.pk).update(next_check_at=timezone.now())
        tasks.reconcile_tunes()
    tune.refresh_from_db()
    assert tune.status == Tune.Status.STALLED
    assert quota.allowance(owner.id).tunes_used == 1
