"""Submitting tunes to Astria (the emulator over real HTTP) and every outcome."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from tests.helpers import drain_queue, queued_funcs
from tunes import tasks
from tunes.models import Tune

pytestmark = pytest.mark.django_db


def posts(emulator):
    return emulator.requests("POST", "/tunes")


def sweep_at(moment):
    """Run the sweeper, and the tasks it enqueues, at the given time."""
    with time_machine.travel(moment):
        tasks.sweep_tunes()
        drain_queue()


def due_now(tune):
    Tune.objects.filter(pk=tune.pk).update(next_attempt_at=timezone.now())


def test_it_submits_the_photos_with_the_title_and_a_signed_callback(emulator, make_tune):
    tune = make_tune(photos=5)
    tune.submit()
    drain_queue()
    tune.refresh_from_db()
    assert tune.status == Tune.Status.TRAINING
    assert tune.remote_id is not None
    assert tune.next_attempt_at is None

    [remote] = emulator.remote_tunes()
    assert remote["id"] == tune.remote_id
    assert remote["title"] == str(tune.title)
    assert remote["branch"] == "fast"
    assert remote["name"] == "woman"
    assert len(remote["orig_images"]) == 5
    assert remote["callback"].startswith(f"http://127.0.0.1:8000/callbacks/tune/{tune.code}/")
    assert "?token=" in remote["callback"]


def test_a_real_branch_and_model_are_sent_outside_test_mode(emulator, make_tune):
    tune = make_tune(model_kind="flux-lora", test_mode=False, token="zwx", steps=600)
    tune.submit()
    drain_queue()
    [remote] = emulator.remote_tunes()
    assert (remote["branch"], remote["base_tune_id"], remote["model_type"]) == (
        "flux1",
        1504944,
        "lora",
    )
    assert (remote["token"], remote["steps"]) == ("zwx", 600)


def test_a_422_fails_the_tune_for_good_and_is_never_retried(emulator, make_tune):
    emulator.fault(method="POST", path="/tunes", status=422, times=1)
    tune = make_tune()
    tune.submit()
    drain_queue()
    tune.refresh_from_db()
    assert tune.status == Tune.Status.FAILED
    assert tune.last_error
    assert "error" in tune.last_error_body

    for hours in (1, 2):
        sweep_at(timedelta(hours=hours))
    assert len(posts(emulator)) == 1
    assert queued_funcs() == []


def test_a_500_is_retried_with_backoff_from_30_seconds(emulator, make_tune):
    emulator.fault(method="POST", path="/tunes", status=500, times=2)
    tune = make_tune()
    tune.submit()
    drain_queue()
    tune.refresh_from_db()
    assert (tune.status, tune.attempts) == (Tune.Status.SUBMITTING, 1)
    first_wait = (tune.next_attempt_at - tune.last_error_at).total_seconds()
    assert 30 <= first_wait <= 45.5

    with time_machine.travel(tune.next_attempt_at + timedelta(seconds=1)):
        tasks.sweep_tunes()
        drain_queue()
        tune.refresh_from_db()
        assert tune.attempts == 2
        second_wait = (tune.next_attempt_at - tune.last_error_at).total_seconds()
        assert 60 <= second_wait <= 90.5

    sweep_at(tune.next_attempt_at + timedelta(seconds=1))
    tune.refresh_from_db()
    assert tune.status == Tune.Status.TRAINING
    assert len(posts(emulator)) == 3
    assert len(emulator.remote_tunes()) == 1


def test_nothing_is_sent_before_the_backoff_is_over(emulator, make_tune):
    emulator.fault(method="POST", path="/tunes", status=500, times=1)
    tune = make_tune()
    tune.submit()
    drain_queue()
    tasks.sweep_tunes()
    tasks.submit_tune(tune.pk)
    assert len(posts(emulator)) == 1


def test_it_gives_up_after_the_maximum_attempts(emulator, make_tune, settings):
    settings.SUBMIT_MAX_ATTEMPTS = 3
    emulator.fault(method="POST", path="/tunes", status=503, times=10)
    tune = make_tune()
    tune.submit()
    for _ in range(5):
        due_now(tune)
        tasks.submit_tune(tune.pk)
    tune.refresh_from_db()
    assert tune.status == Tune.Status.FAILED
    assert "after 3 attempts" in tune.last_error
    assert len(posts(emulator)) == 3


def test_a_429_honours_retry_after(emulator, make_tune):
    emulator.fault(method="POST", path="/tunes", status=429, times=1, retry_after=300)
    tune = make_tune()
    tune.submit()
    drain_queue()
    tune.refresh_from_db()
    assert (tune.next_attempt_at - tune.last_error_at).total_seconds() >= 300


@pytest.mark.parametrize("idempotency", [False, True])
def test_a_504_after_commit_waits_a_minute_and_ends_with_one_remote_tune(
    emulator, make_tune, idempotency
):
    emulator.config(idempotency=idempotency)  # the look-up by title works either way
    emulator.fault(method="POST", path="/tunes", status=504, times=1, after_commit=True)
    tune = make_tune()
    tune.submit()
    drain_queue()
    tune.refresh_from_db()
    assert tune.status == Tune.Status.SUBMITTING
    assert tune.remote_id is None
    assert (tune.next_attempt_at - tune.last_error_at).total_seconds() >= 60

    with time_machine.travel(timedelta(seconds=59)):
        tasks.sweep_tunes()
        assert queued_funcs() == []
    sweep_at(tune.next_attempt_at + timedelta(seconds=1))
    tune.refresh_from_db()
    [remote] = emulator.remote_tunes()
    assert tune.remote_id == remote["id"]
    assert tune.status in (Tune.Status.TRAINING, Tune.Status.TRAINED)
    assert len(posts(emulator)) == 1  # found by its title, not posted again


def test_a_read_timeout_is_treated_like_a_504(emulator, make_tune, settings, monkeypatch):
    from astria_portal import astria

    monkeypatch.setattr(
        astria, "get_client", lambda: astria.AstriaClient(
            settings.ASTRIA_API_URL, settings.ASTRIA_API_KEY, timeout=(2, 0.5)
        )
    )  # fmt: skip
    emulator.fault(method="POST", path="/tunes", status=201, times=1, delay=1.5, after_commit=True)
    tune = make_tune()
    tune.submit()
    drain_queue()
    tune.refresh_from_db()
    assert tune.status == Tune.Status.SUBMITTING
    assert (tune.next_attempt_at - tune.last_error_at).total_seconds() >= 60


def test_a_worker_dying_between_post_and_commit_leaves_one_remote_tune(
    emulator, make_tune, monkeypatch
):
    tune = make_tune()
    tune.submit()

    def crash(self, remote):
        raise SystemExit("worker killed")

    with monkeypatch.context() as patch:
        patch.setattr(Tune, "adopt", crash)
        with pytest.raises(SystemExit):
            drain_queue()
    tune.refresh_from_db()
    assert (tune.status, tune.remote_id) == (Tune.Status.SUBMITTING, None)

    with time_machine.travel(timedelta(minutes=2)):
        tasks.sweep_tunes()
        assert queued_funcs() == []  # the lease still holds
    sweep_at(timedelta(minutes=6))
    tune.refresh_from_db()
    [remote] = emulator.remote_tunes()
    assert tune.remote_id == remote["id"]
    assert tune.status in (Tune.Status.TRAINING, Tune.Status.TRAINED)
    assert len(posts(emulator)) == 1


def test_running_the_submit_task_twice_posts_once(emulator, make_tune):
    tune = make_tune()
    tune.submit()
    tasks.submit_tune(tune.pk)
    tasks.submit_tune(tune.pk)
    drain_queue()
    assert len(posts(emulator)) == 1


def test_an_unreachable_astria_is_retried(make_tune, settings):
    settings.ASTRIA_API_URL = "http://127.0.0.1:9"  # nothing listens on the discard port
    tune = make_tune()
    tune.submit()
    drain_queue()
    tune.refresh_from_db()
    assert (tune.status, tune.attempts) == (Tune.Status.SUBMITTING, 1)
    assert tune.next_attempt_at > timezone.now() + timedelta(seconds=29)


def test_a_wrong_api_key_keeps_the_tune_for_when_it_is_fixed(emulator, make_tune, settings):
    settings.ASTRIA_API_KEY = "sd_wrong"
    tune = make_tune()
    tune.submit()
    drain_queue()
    tune.refresh_from_db()
    assert (tune.status, tune.attempts) == (Tune.Status.SUBMITTING, 1)
    assert (tune.next_attempt_at - tune.last_error_at).total_seconds() >= 600

    settings.ASTRIA_API_KEY = emulator.api_key
    sweep_at(tune.next_attempt_at + timedelta(seconds=1))
    tune.refresh_from_db()
    assert tune.status in (Tune.Status.TRAINING, Tune.Status.TRAINED)
