"""A prompt from submission to stored images, by callback and by the reconciler."""

from datetime import timedelta

import pytest
import time_machine
from PIL import Image

from astria_portal.models import CallbackReceipt, Usage
from prompts import tasks
from prompts.models import GeneratedImage, Prompt
from tests.helpers import drain_queue, wait_for
from tests.prompts.conftest import finish


def stored(prompt):
    return GeneratedImage.objects.filter(prompt=prompt).exclude(file="")


@pytest.mark.django_db(transaction=True)
def test_a_prompt_ends_with_stored_images_by_callback(
    live_server, emulator_media, astria_tune, submit_prompt, settings
):
    settings.PUBLIC_BASE_URL = live_server.url
    tune = astria_tune()
    emulator_media.config(callbacks_enabled=True, prompt_seconds=0.3)
    prompt = submit_prompt(tune, num_images=3)

    drain_queue()  # the worker posts the prompt
    prompt.refresh_from_db()
    assert prompt.status == Prompt.Status.QUEUED
    assert prompt.remote_tune_id == tune.remote_id
    assert prompt.sent_text == "a corporate headshot of sks woman in a navy suit"

    receipts = CallbackReceipt.objects.filter(kind="prompt", object_code=prompt.code)
    assert wait_for(receipts.exists, bool, seconds=10)
    drain_queue()  # refresh from the API, then download every image

    prompt.refresh_from_db()
    assert prompt.status == Prompt.Status.DONE
    images = list(stored(prompt))
    assert [image.position for image in images] == [0, 1, 2]
    for image in images:
        assert image.remote_url.startswith(emulator_media.media_url)
        with image.file.open("rb") as f:
            full = Image.open(f)
            full.load()
        with image.thumbnail.open("rb") as f:
            thumb = Image.open(f)
            thumb.load()
        assert (full.width, full.height) == (image.width, image.height)
        assert max(thumb.size) <= 480 < max(full.size)
        assert image.thumbnail.size < image.file.size
    assert prompt.is_settled
    assert len(emulator_media.requests("POST", f"/tunes/{tune.remote_id}/prompts")) == 1
    assert Usage.objects.get(user=tune.owner).images == 3


@pytest.mark.django_db
def test_with_callbacks_lost_the_reconciler_finishes_the_prompt(
    emulator_media, astria_tune, submit_prompt
):
    tune = astria_tune()
    prompt = submit_prompt(tune)
    drain_queue()
    prompt.refresh_from_db()
    finish(prompt, emulator_media)
    assert tasks.reconcile_prompts() == 0  # not overdue yet

    with time_machine.travel(prompt.next_check_at + timedelta(seconds=1)):
        assert tasks.reconcile_prompts() == 1
        drain_queue()
    prompt.refresh_from_db()
    assert prompt.status == Prompt.Status.DONE
    assert stored(prompt).count() == 2
    assert prompt.next_check_at is None


@pytest.mark.django_db
def test_a_prompt_written_during_training_waits_for_the_tune(
    emulator_media, make_tune, submit_prompt
):
    tune = make_tune()
    tune.submit()
    prompt = submit_prompt(tune)
    drain_queue()  # the prompt waits for the tune, then is sent once the tune is adopted
    prompt.refresh_from_db()
    assert prompt.status in (Prompt.Status.QUEUED, Prompt.Status.GENERATING, Prompt.Status.DONE)


@pytest.mark.django_db
def test_a_prompt_on_a_pending_tune_is_sent_once_the_tune_is_on_astria(
    emulator_media, make_tune, submit_prompt
):
    tune = make_tune()
    prompt = submit_prompt(tune)
    drain_queue()  # the tune is not even submitted yet: the prompt waits
    prompt.refresh_from_db()
    assert prompt.status == Prompt.Status.PENDING
    assert prompt.sent_text == ""
    assert emulator_media.requests("POST") == []

    tune.submit()
    drain_queue()  # adopting the tune enqueues its waiting prompts
    prompt.refresh_from_db()
    assert prompt.status != Prompt.Status.PENDING
    assert prompt.remote_id is not None


@pytest.mark.django_db
def test_a_prompt_on_a_failed_tune_fails_and_gives_the_images_back(make_tune, submit_prompt):
    tune = make_tune()
    prompt = submit_prompt(tune, num_images=4)
    assert Usage.objects.get(user=tune.owner).images == 4
    tune.mark_failed("Training failed")
    drain_queue()
    prompt.refresh_from_db()
    assert prompt.status == Prompt.Status.FAILED
    assert "failed" in prompt.last_error
    assert Usage.objects.get(user=tune.owner).images == 0


@pytest.mark.django_db
def test_a_failed_prompt_shows_astrias_error_and_gives_the_images_back(
    emulator_media, astria_tune, submit_prompt
):
    tune = astria_tune()
    prompt = submit_prompt(tune, num_images=3)
    drain_queue()
    prompt.refresh_from_db()
    emulator_media.prompt(prompt.remote_id, "fail", user_error="NSFW content detected")
    tasks.refresh_prompt(prompt.pk)
    prompt.refresh_from_db()
    assert prompt.status == Prompt.Status.FAILED
    assert prompt.last_error == "NSFW content detected"
    assert Usage.objects.get(user=tune.owner).images == 0
    tasks.refresh_prompt(prompt.pk)  # a second look changes nothing and refunds nothing more
    assert Usage.objects.get(user=tune.owner).images == 0
