"""From the prompt form to thumbnails on the page, over real HTTP to the emulator."""

import pytest

from prompts import tasks
from prompts.models import Prompt
from tests.helpers import drain_queue
from tunes.models import Tune
from tunes.tasks import refresh_tune

pytestmark = pytest.mark.django_db

DATA = {"text": "a studio portrait of a woman", "num_images": "2", "aspect_ratio": "4:5"}


@pytest.fixture
def astria(emulator, emulator_server, settings):
    settings.ASTRIA_MEDIA_HOSTS = [emulator_server.media_url]
    return emulator


def trained(emulator, tune):
    tune.submit()
    drain_queue()
    tune.refresh_from_db()
    emulator.tune(tune.remote_id, "finish")
    refresh_tune(tune.pk)
    tune.refresh_from_db()
    assert tune.status == Tune.Status.TRAINED
    return tune


def generated(emulator, prompt):
    """Let Astria finish the prompt; refresh it as its callback would, then download."""
    prompt.refresh_from_db()
    emulator.call("POST", f"prompts/{prompt.remote_id}/finish")
    tasks.refresh_prompt(prompt.pk)
    drain_queue()
    prompt.refresh_from_db()
    return prompt


def assert_thumbnails_on_the_card(client, prompt):
    card = client.get(f"/prompts/{prompt.code}/card/").content.decode()
    assert 'data-final="true"' in card
    images = list(prompt.images.all())
    assert len(images) == 2 and all(image.is_ready for image in images)
    for image in images:
        assert f'src="{image.thumbnail_link()}"' in card
        assert client.get(image.thumbnail_link()).status_code == 200
        assert client.get(f"/prompts/images/{image.code}/thumbnail").status_code == 200


def test_a_prompt_on_a_trained_tune_ends_as_thumbnails(astria, owner_client, make_tune):
    tune = trained(astria, make_tune(model_kind="sd15"))
    owner_client.post(f"/prompts/for/{tune.code}/new/", DATA)
    drain_queue()
    prompt = Prompt.objects.get()
    assert prompt.status == Prompt.Status.QUEUED
    live = owner_client.get(f"/prompts/{prompt.code}/card/").content.decode()
    assert 'data-final="false"' in live and "tile-pending" in live

    prompt = generated(astria, prompt)
    assert prompt.status == Prompt.Status.DONE
    assert prompt.sent_text == "a studio portrait of sks woman"
    assert_thumbnails_on_the_card(owner_client, prompt)


def test_a_prompt_written_before_the_tune_reached_astria_follows_it(
    astria, owner_client, make_tune
):
    tune = make_tune(model_kind="sd15")
    owner_client.post(f"/prompts/for/{tune.code}/new/", DATA)
    tune.submit()
    drain_queue()
    prompt = Prompt.objects.get()
    # It waited for the tune's remote id and went out as soon as the tune had one.
    assert prompt.status == Prompt.Status.QUEUED
    tune.refresh_from_db()
    assert prompt.remote_tune_id == tune.remote_id
    astria.tune(tune.remote_id, "finish")
    prompt = generated(astria, prompt)
    assert prompt.status == Prompt.Status.DONE
    assert_thumbnails_on_the_card(owner_client, prompt)
