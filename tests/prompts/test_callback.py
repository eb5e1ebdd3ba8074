"""Prompt callbacks: the same signed URLs, receipts and bounds as tunes; the body is only
a hint."""

import json

import pytest
import responses
from django.forms.models import model_to_dict

from astria_portal.callbacks import callback_url
from astria_portal.models import CallbackReceipt
from prompts.models import GeneratedImage, Prompt
from tests.helpers import drain_queue, queued_funcs
from tunes.models import Tune

pytestmark = pytest.mark.django_db

FAKE = "http://169.254.169.254/latest/meta-data/iam"


def path_of(url):
    return url.removeprefix("http://127.0.0.1:8000")


def post(client, url, body):
    return client.post(path_of(url), json.dumps(body), content_type="application/json")


@pytest.fixture
def sent_prompt(emulator_media, astria_tune, submit_prompt):
    emulator_media.config(prompt_seconds=3600)  # still generating when the callback comes
    prompt = submit_prompt(astria_tune())
    drain_queue()
    prompt.refresh_from_db()
    return prompt


def test_a_forged_done_body_changes_nothing_and_its_urls_are_never_fetched(client, sent_prompt):
    body = {"prompt": {"id": sent_prompt.remote_id, "trained_at": "2026-01-01T00:00:00Z",
                       "images": [FAKE, FAKE + "2"]}}  # fmt: skip
    assert post(client, callback_url("prompt", sent_prompt), body).status_code == 204
    assert queued_funcs() == ["prompts.tasks.refresh_prompt"]
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mocked:
        mocked.add_passthru("http://127.0.0.1")
        drain_queue()
        assert not [call for call in mocked.calls if "169.254" in call.request.url]
    sent_prompt.refresh_from_db()
    assert sent_prompt.status in Prompt.IN_FLIGHT  # the API says it is not done
    assert not GeneratedImage.objects.exists()


def test_a_tune_token_does_not_open_a_prompt_url(client, sent_prompt):
    tune_url = callback_url("tune", sent_prompt.tune)
    token = tune_url.split("?token=")[1]
    url = callback_url("prompt", sent_prompt).split("?token=")[0] + f"?token={token}"
    assert post(client, url, {"prompt": {"id": 1}}).status_code == 404
    assert not CallbackReceipt.objects.filter(kind="prompt").exists()
    assert queued_funcs() == []


def test_a_callback_for_a_finished_prompt_is_recorded_and_ignored(client, sent_prompt):
    Prompt.objects.filter(pk=sent_prompt.pk).update(status=Prompt.Status.DONE)
    body = {"prompt": {"id": sent_prompt.remote_id}}
    for _ in range(3):
        assert post(client, callback_url("prompt", sent_prompt), body).status_code == 204
    receipt = CallbackReceipt.objects.get(kind="prompt")
    assert (receipt.verdict, receipt.times_received) == ("ignored", 3)
    assert queued_funcs() == []


def test_a_storm_of_distinct_callbacks_makes_one_refresh_and_one_read(
    client, sent_prompt, emulator_media
):
    url = callback_url("prompt", sent_prompt)
    for n in range(40):
        assert (
            post(client, url, {"prompt": {"id": sent_prompt.remote_id, "n": n}}).status_code == 204
        )
    path = f"/tunes/{sent_prompt.remote_tune_id}/prompts/{sent_prompt.remote_id}"
    reads = len(emulator_media.requests("GET", path))

    assert queued_funcs() == ["prompts.tasks.refresh_prompt"]
    assert drain_queue() == ["prompts.tasks.refresh_prompt"]
    assert len(emulator_media.requests("GET", path)) == reads + 1
    assert CallbackReceipt.objects.filter(kind="prompt").count() == CallbackReceipt.PER_OBJECT


@pytest.mark.parametrize("deleting", ["prompt", "tune", "tune deleted"])
def test_a_callback_for_a_prompt_being_deleted_stores_and_enqueues_nothing(
    client, sent_prompt, deleting
):
    if deleting == "prompt":
        Prompt.objects.filter(pk=sent_prompt.pk).update(status=Prompt.Status.DELETING)
    else:
        status = Tune.Status.DELETING if deleting == "tune" else Tune.Status.DELETED
        Tune.objects.filter(pk=sent_prompt.tune_id).update(status=status)
    before = model_to_dict(Prompt.objects.get(pk=sent_prompt.pk))

    for n in range(3):
        body = {"prompt": {"id": sent_prompt.remote_id, "n": n}}
        assert post(client, callback_url("prompt", sent_prompt), body).status_code == 204

    assert not CallbackReceipt.objects.exists()
    assert queued_funcs() == []
    assert model_to_dict(Prompt.objects.get(pk=sent_prompt.pk)) == before
