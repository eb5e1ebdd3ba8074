"""A whole test-mode journey costs nothing on Astria's ledger, for every model."""

import pytest
from django.urls import reverse

from astria_portal import astria
from prompts import tasks
from prompts.models import Prompt
from tests.helpers import drain_queue, photo_uploads
from tests.prompts.conftest import finish
from tunes.models import MODELS, Tune

pytestmark = pytest.mark.django_db


def balance():
    return astria.get_client().get_account().usd_balance_mc


@pytest.mark.parametrize("model_kind", sorted(MODELS))
def test_a_test_mode_journey_of_every_model_costs_nothing(emulator_media, owner_client, model_kind):
    before = balance()
    response = owner_client.post(
        reverse("tunes:create"),
        {
            "name": "Test run",
            "class_name": "woman",
            "model_kind": model_kind,
            "test_mode": "on",
            "photos": photo_uploads(4),
        },
    )
    assert response.status_code == 302
    drain_queue()
    tune = Tune.objects.get()
    assert tune.test_mode and tune.remote_id
    emulator_media.tune(tune.remote_id, "finish")
    tune.apply_remote(tune.fetch_remote(astria.get_client()))
    tune.refresh_from_db()
    assert tune.status == Tune.Status.TRAINED

    response = owner_client.post(
        reverse("prompts:create", args=[tune.code]),
        {"text": "a woman in a navy suit", "num_images": "2", "aspect_ratio": "1:1"},
    )
    assert response.status_code == 302
    drain_queue()
    prompt = Prompt.objects.get()
    assert prompt.remote_tune_id == tune.remote_id  # its own fast tune, never a base tune
    finish(prompt, emulator_media)
    assert tasks.refresh_prompt(prompt.pk) == Prompt.Status.DONE
    drain_queue()
    assert prompt.images.exclude(file="").count() == 2
    assert balance() == before
