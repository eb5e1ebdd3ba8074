"""Deleting a prompt, or the tune it belongs to, deletes it on Astria and here."""

import os
from datetime import timedelta

import pytest
import requests
import time_machine

from prompts import tasks
from prompts.models import GeneratedImage, Prompt
from tests.helpers import drain_queue
from tunes.models import Tune

pytestmark = pytest.mark.django_db


def media_files(root):
    return sorted(
        os.path.relpath(os.path.join(folder, name), root)
        for folder, _, names in os.walk(root)
        for name in names
    )


@pytest.fixture
def done_prompt(emulator_media, astria_tune, submit_prompt):
    def make(**tune_fields):
        prompt = submit_prompt(astria_tune(**tune_fields))
        drain_queue()
        prompt.refresh_from_db()
        emulator_media.prompt(prompt.remote_id, "finish")
        tasks.refresh_prompt(prompt.pk)
        drain_queue()
        assert prompt.images.exclude(file="").count() == 2
        return prompt

    return make


def test_deleting_a_prompt_removes_it_on_astria_and_every_file_here(
    media, emulator_media, done_prompt
):
    prompt = done_prompt()
    files = [
        name for image in prompt.images.all() for name in (image.file.name, image.thumbnail.name)
    ]
    assert prompt.mark_deleting()
    drain_queue()
    assert not Prompt.objects.filter(pk=prompt.pk).exists()
    assert not GeneratedImage.objects.exists()
    assert emulator_media.remote_prompts() == []
    assert len(emulator_media.requests("DELETE")) == 1
    left = media.files()
    assert len(left) == 4 and not set(files) & set(left)
    assert all(name.startswith("tunes/") for name in left)  # the training photos stay


def test_a_failed_remote_delete_is_retried_and_a_404_counts_as_done(emulator_media, done_prompt):
    prompt = done_prompt()
    path = f"/tunes/{prompt.remote_tune_id}/prompts/{prompt.remote_id}"
    emulator_media.fault(method="DELETE", path=path, status=500, times=1)
    prompt.mark_deleting()
    drain_queue()
    prompt.refresh_from_db()
    assert prompt.status == Prompt.Status.DELETING
    assert prompt.images.exclude(file="").count() == 2  # nothing local goes before Astria's copy

    # Meanwhile it went on Astria: the retry's 404 counts as done.
    requests.delete(f"{emulator_media.base_url}{path}", headers=auth(emulator_media), timeout=5)
    with time_machine.travel(prompt.next_attempt_at + timedelta(seconds=1)):
        tasks.sweep_prompts()
        drain_queue()
    assert not Prompt.objects.filter(pk=prompt.pk).exists()  # Astria's 404 counted as done
    statuses = [entry["status"] for entry in emulator_media.requests("DELETE")]
    assert statuses == [500, 200, 404]


def auth(control):
    return {"Authorization": f"Bearer {control.api_key}"}


def test_deleting_a_lora_tune_deletes_its_prompts_on_the_base_tune(
    emulator_media, done_prompt, settings
):
    prompt = done_prompt(model_kind="flux-lora")
    tune = prompt.tune
    assert emulator_media.remote_prompts() != []
    tune.mark_deleting()
    drain_queue()
    tune.refresh_from_db()
    assert tune.status == Tune.Status.DELETED
    assert emulator_media.remote_prompts() == []
    assert emulator_media.remote_tunes() == []
    assert not Prompt.objects.exists()
    assert media_files(settings.MEDIA_ROOT) == []
