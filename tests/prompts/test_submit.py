"""Posting prompts to Astria (the emulator over real HTTP) and every outcome."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from astria_portal.callbacks import callback_url
from astria_portal.models import Usage
from prompts import tasks
from prompts.models import Prompt
from tests.helpers import drain_queue, queued_funcs

pytestmark = pytest.mark.django_db


def prompt_posts(emulator, remote_tune_id):
    return emulator.requests("POST", f"/tunes/{remote_tune_id}/prompts")


def sweep_at(moment):
    with time_machine.travel(moment):
        tasks.sweep_prompts()
        drain_queue()


def test_a_checkpoint_prompt_goes_to_the_tune_with_its_token(
    emulator_media, astria_tune, submit_prompt
):
    tune = astria_tune(class_name="man")
    prompt = submit_prompt(tune, text="studio portrait of a man, 85mm", num_images=3, seed=42)
    drain_queue()
    prompt.refresh_from_db()
    [remote] = emulator_media.remote_prompts()
    assert remote["id"] == prompt.remote_id
    assert remote["tune_id"] == tune.remote_id
    assert remote["text"] == "studio portrait of sks man, 85mm"
    assert (remote["num_images"], remote["seed"]) == (3, 42)
    assert remote["callback"] == callback_url("prompt", prompt)
    assert "?token=" in remote["callback"]


@pytest.mark.parametrize(
    ("model_kind", "base", "tag"),
    [("flux-lora", 1504944, "<lora:{}:1>"), ("faceid", 690204, "<faceid:{}:1>")],
)
def test_lora_and_faceid_prompts_go_to_the_base_tune_and_map_back(
    emulator_media, astria_tune, submit_prompt, model_kind, base, tag
):
    tune = astria_tune(model_kind=model_kind, photos=4, test_mode=False)
    prompt = submit_prompt(tune, text="a woman on a beach at sunset")
    drain_queue()
    prompt.refresh_from_db()
    assert prompt.remote_tune_id == base
    assert prompt.sent_text.startswith(tag.format(tune.remote_id))
    [remote] = emulator_media.remote_prompts()
    assert remote["tune_id"] == base
    assert len(prompt_posts(emulator_media, base)) == 1

    emulator_media.prompt(prompt.remote_id, "finish")
    assert tasks.refresh_prompt(prompt.pk) == Prompt.Status.DONE
    drain_queue()
    assert prompt.images.exclude(file="").count() == 2


def test_a_prompt_from_another_tune_is_not_applied(emulator_media, astria_tune, submit_prompt):
    mine = astria_tune(model_kind="flux-lora", test_mode=False)
    other = astria_tune(model_kind="flux-lora", test_mode=False)
    prompt = submit_prompt(mine)
    other_prompt = submit_prompt(other)
    drain_queue()
    other_prompt.refresh_from_db()
    # A mix-up: our row points at a prompt whose tag names another user's tune.
    Prompt.objects.filter(pk=prompt.pk).update(remote_id=other_prompt.remote_id)
    emulator_media.prompt(other_prompt.remote_id, "finish")
    assert tasks.refresh_prompt(prompt.pk) == "error"
    prompt.refresh_from_db()
    assert prompt.status == Prompt.Status.QUEUED
    assert not prompt.images.exists()


@pytest.mark.parametrize("idempotency", [False, True])
def test_a_504_after_commit_waits_a_minute_and_ends_with_one_remote_prompt(
    emulator_media, astria_tune, submit_prompt, idempotency
):
    emulator_media.config(idempotency=idempotency)  # the look-up works either way
    tune = astria_tune()
    path = f"/tunes/{tune.remote_id}/prompts"
    emulator_media.fault(method="POST", path=path, status=504, times=1, after_commit=True)
    prompt = submit_prompt(tune)
    drain_queue()
    prompt.refresh_from_db()
    assert prompt.status == Prompt.Status.SUBMITTING
    assert prompt.remote_id is None
    assert (prompt.next_attempt_at - prompt.last_error_at).total_seconds() >= 60
    assert len(emulator_media.remote_prompts()) == 1  # Astria has it; we do not know yet

    with time_machine.travel(timedelta(seconds=59)):
        tasks.sweep_prompts()
        assert queued_funcs() == []
    sweep_at(prompt.next_attempt_at + timedelta(seconds=1))
    prompt.refresh_from_db()
    [remote] = emulator_media.remote_prompts()
    assert prompt.remote_id == remote["id"]
    assert prompt.status in Prompt.IN_FLIGHT + (Prompt.Status.DONE,)
    assert len(prompt_posts(emulator_media, tune.remote_id)) == 1  # found by its callback URL


def test_a_repost_after_a_504_is_byte_identical(
    emulator_media, astria_tune, submit_prompt, monkeypatch
):
    """If the look-up misses, the same request again hits Astria's idempotency."""
    emulator_media.config(idempotency=True)
    monkeypatch.setattr(Prompt, "find_remote", lambda self, client: None)
    tune = astria_tune()
    path = f"/tunes/{tune.remote_id}/prompts"
    emulator_media.fault(method="POST", path=path, status=504, times=1, after_commit=True)
    prompt = submit_prompt(tune)
    drain_queue()
    prompt.refresh_from_db()
    sweep_at(prompt.next_attempt_at + timedelta(seconds=1))
    prompt.refresh_from_db()
    first, second = prompt_posts(emulator_media, tune.remote_id)
    assert (first["status"], second["status"]) == (504, 200)
    assert second["idempotent"] and second["object_id"] == first["object_id"]
    assert [p["id"] for p in emulator_media.remote_prompts()] == [prompt.remote_id]


def test_a_422_fails_the_prompt_for_good_and_gives_the_quota_back(
    emulator_media, astria_tune, submit_prompt
):
    tune = astria_tune()
    path = f"/tunes/{tune.remote_id}/prompts"
    emulator_media.fault(method="POST", path=path, status=422, times=1, body={"error": "Bad seed"})
    prompt = submit_prompt(tune, num_images=5)
    assert Usage.objects.get(user=tune.owner).images == 5
    drain_queue()
    prompt.refresh_from_db()
    assert prompt.status == Prompt.Status.FAILED
    assert "Bad seed" in prompt.last_error
    assert Usage.objects.get(user=tune.owner).images == 0

    sweep_at(timezone.now() + timedelta(hours=2))
    assert len(prompt_posts(emulator_media, tune.remote_id)) == 1
    assert Usage.objects.get(user=tune.owner).images == 0


def test_a_500_is_retried_with_backoff_from_30_seconds(emulator_media, astria_tune, submit_prompt):
    tune = astria_tune()
    path = f"/tunes/{tune.remote_id}/prompts"
    emulator_media.fault(method="POST", path=path, status=500, times=1)
    prompt = submit_prompt(tune)
    drain_queue()
    prompt.refresh_from_db()
    wait = (prompt.next_attempt_at - prompt.last_error_at).total_seconds()
    assert 30 <= wait <= 45
    sweep_at(prompt.next_attempt_at + timedelta(seconds=1))
    prompt.refresh_from_db()
    assert prompt.status in Prompt.IN_FLIGHT + (Prompt.Status.DONE,)
    assert len(emulator_media.remote_prompts()) == 1


def test_running_the_submit_task_twice_posts_once(emulator_media, astria_tune, submit_prompt):
    tune = astria_tune()
    prompt = submit_prompt(tune)
    tasks.submit_prompt(prompt.pk)
    tasks.submit_prompt(prompt.pk)
    drain_queue()
    assert len(prompt_posts(emulator_media, tune.remote_id)) == 1
