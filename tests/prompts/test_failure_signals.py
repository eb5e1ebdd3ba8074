"""A failed prompt is recognised from every signal Astria gives, and from its silence."""

from datetime import timedelta
from unittest import mock

import pytest
import time_machine
from django.utils import timezone

from astria_portal import quota
from astria_portal.astria import AstriaClient, parse_prompt
from prompts import tasks
from prompts.models import Prompt

pytestmark = pytest.mark.django_db


@pytest.fixture
def queued(trained_tune, owner):
    quota.charge(owner.id, images=4)
    now = timezone.now()
    return Prompt.objects.create(
        tune=trained_tune,
        text="a woman in a navy suit",
        num_images=4,
        status=Prompt.Status.QUEUED,
        remote_id=27826412,
        remote_tune_id=trained_tune.remote_id,
        submitted_at=now,
        next_check_at=now,
    )


def astria_answers(**fields):
    body = {"id": 27826412, "tune_id": 1001, "text": "sks woman", "images": [], **fields}
    client = mock.create_autospec(AstriaClient, instance=True)
    client.get_prompt.return_value = parse_prompt({"prompt": body})
    return mock.patch("astria_portal.astria.get_client", return_value=client)


def test_failed_at_alone_fails_the_prompt_and_gives_its_images_back(queued, owner):
    with astria_answers(failed_at="2025-07-01T10:00:00.000Z", trained_at=None):
        assert tasks.refresh_prompt(queued.pk) == Prompt.Status.FAILED
    queued.refresh_from_db()
    assert queued.last_error == "Astria marked it as failed without saying why."
    assert quota.allowance(owner.id).images_used == 0


def test_user_error_is_shown_in_astrias_words(queued, owner):
    with astria_answers(user_error="NSFW content detected"):
        tasks.refresh_prompt(queued.pk)
    queued.refresh_from_db()
    assert (queued.status, queued.last_error) == (Prompt.Status.FAILED, "NSFW content detected")


def test_a_prompt_astria_never_finishes_is_failed_once_after_the_give_up_time(
    queued, owner, settings
):
    sent = queued.submitted_at
    with astria_answers(started_training_at=sent.isoformat()):
        with time_machine.travel(sent + timedelta(seconds=settings.PROMPT_GIVE_UP_AFTER - 60)):
            tasks.reconcile_prompts()
            queued.refresh_from_db()
            assert queued.status == Prompt.Status.GENERATING
        late = sent + timedelta(seconds=settings.PROMPT_GIVE_UP_AFTER + 60)
        with time_machine.travel(late):
            Prompt.objects.filter(pk=queued.pk).update(next_check_at=timezone.now())
            assert tasks.reconcile_prompts() == 1
            assert tasks.reconcile_prompts() == 0
    queued.refresh_from_db()
    assert queued.status == Prompt.Status.FAILED
    assert "reported no error" in queued.last_error
    assert queued.give_up() is False
    assert quota.allowance(owner.id).images_used == 0


def test_a_prompt_waiting_for_its_tune_counts_from_the_tunes_eta(queued, settings):
    queued.tune.eta = queued.submitted_at + timedelta(hours=5)
    queued.tune.save()
    queued.refresh_from_db()
    assert queued.expected_end() == queued.tune.eta
    after_sending = queued.submitted_at + timedelta(seconds=settings.PROMPT_GIVE_UP_AFTER + 60)
    with astria_answers(), time_machine.travel(after_sending):
        Prompt.objects.filter(pk=queued.pk).update(next_check_at=timezone.now())
        tasks.reconcile_prompts()
    queued.refresh_from_db()
    assert queued.status == Prompt.Status.QUEUED
